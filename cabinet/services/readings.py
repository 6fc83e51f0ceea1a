"""Meter readings: residents submit them in the tenant's window, staff import them, and the
accepted ones reach the supplier (an export per supplier and period, and a `reading.accepted`
webhook event written in the reading's own transaction).

A resident's reading is refused when it comes outside the window (`reading_window`: the days
of the month from the tenant's `CabinetSettings`, in the tenant's time), when it is below the
meter's last accepted reading, or when its consumption is implausible — above the tenant's
multiple of the average monthly consumption of the last 6 months — unless the resident attaches
a photo of the meter: then it is accepted and flagged for the supplier.

A refusal is an answer, not a reading: `reading_submit` raises `ReadingRefused` with the reason
and writes nothing, and an import reports its refused rows without storing them — so the
meter's readings, on every page, are the accepted ones. (Rows stored as refused before this
rule are kept in the table and left out of every list.) A typed value may use a decimal comma
("857,2") and spaces between digit groups (`reading_value`)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cabinet.models import CabinetSettings, Meter, MeterReading, ReadingSource, ReadingStatus
from cabinet.services.requests import attachment_check
from core.documents.csv import csv_text
from core.errors import ApplicationError
from core.money import format_decimal
from splitting.core.outbox import READING_ACCEPTED, events_enqueue, supplier_event_write
from splitting.models import SupplierEvent
from warehouse.models import Account, AccountLink, AuditEvent, Supplier, Tenant

AVERAGE_MONTHS = 6
DAYS_PER_MONTH = Decimal("30.4375")
VALUE_QUANT = Decimal("0.001")
MAX_VALUE = Decimal("99999999999.999")
CHUNK = 2000  # ids per IN (...) list and rows per bulk insert


def plain(value: Decimal) -> str:
    """150.000 → "150", 12.500 → "12.5" (never "1.5E+2")."""
    return format(value.normalize(), "f")


def _number(value: Decimal, tenant_settings: CabinetSettings) -> str:
    """A quantity for a message, in the tenant's notation, without trailing zeros (RU
    «645,418», «150»)."""
    return format_decimal(Decimal(plain(value)), tenant_settings.tenant)


@dataclass(frozen=True)
class _Accepted:
    taken_on: date
    value: Decimal
    order: int  # the row id; readings being written come after every stored one


class _History:
    """A meter's accepted readings, in memory — what the rules read ("the last reading", the
    monthly average) — so that the readings of a file are judged without queries each, and each
    one sees those accepted before it in the file."""

    def __init__(self):
        self.rows: list[_Accepted] = []

    @classmethod
    def of(cls, meter_ids, *, on: date) -> dict[int, "_History"]:
        """The histories of the meters, enough to judge readings taken on `on` or later: every
        accepted reading from the start of the averaging span before `on`, and the latest one
        before that (three queries per 2,000 meters)."""
        histories = {pk: cls() for pk in meter_ids}
        cutoff = on - timedelta(days=int(AVERAGE_MONTHS * DAYS_PER_MONTH))
        ids = list(histories)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            accepted = MeterReading.objects.filter(
                meter_id__in=chunk, status=ReadingStatus.ACCEPTED
            )
            prior = Meter.objects.filter(pk__in=chunk).annotate(
                reading_id=Subquery(
                    accepted.filter(meter_id=OuterRef("pk"), taken_on__lt=cutoff)
                    .order_by("-taken_on", "-value", "-id")
                    .values("id")[:1]
                )
            )
            rows = accepted.filter(
                Q(taken_on__gte=cutoff)
                | Q(pk__in=prior.exclude(reading_id=None).values("reading_id"))
            )
            for meter_id, taken_on, value, pk in rows.values_list(
                "meter_id", "taken_on", "value", "id"
            ).order_by():
                histories[meter_id].rows.append(_Accepted(taken_on, value, pk))
        return histories

    def add(self, taken_on: date, value: Decimal) -> None:
        order = max((r.order for r in self.rows), default=0) + 1
        self.rows.append(_Accepted(taken_on, value, order))

    def last(self) -> _Accepted | None:
        """The meter's last reading: the latest accepted one (the higher value on a tie)."""
        return max(self.rows, key=lambda r: (r.taken_on, r.value, r.order), default=None)

    def monthly_average(self, *, on: date) -> Decimal | None:
        """The average monthly consumption over the accepted readings of the last 6 months
        before `on` (from the last reading before that span, when there is one); None when
        there are not two readings at least a few days apart to measure with."""
        start = on - timedelta(days=int(AVERAGE_MONTHS * DAYS_PER_MONTH))
        accepted = [r for r in self.rows if r.taken_on <= on]
        before = [r for r in accepted if r.taken_on <= start]
        by_day = lambda r: (r.taken_on, r.value)  # noqa: E731
        if before:
            first = max(before, key=by_day)
        else:
            first = min((r for r in accepted if r.taken_on > start), key=by_day, default=None)
        last = max(accepted, key=by_day, default=None)
        if first is None or last is None or (last.taken_on - first.taken_on).days < 20:
            return None
        months = Decimal((last.taken_on - first.taken_on).days) / DAYS_PER_MONTH
        return (last.value - first.value) / months


class ReadingRefused(ApplicationError):
    """A reading the rules refuse (outside the window, below the last one, implausible without
    a photo): nothing was written; `message` says why, for the person who typed it."""


@dataclass(frozen=True)
class ReadingWindow:
    """The days of the month residents may submit readings (`start`–`end`, from the tenant's
    settings), seen on `today` in the tenant's time: whether it is open, and the dates of the
    current window (when open) or of the next one (when closed)."""

    start: int
    end: int
    today: date
    opens_on: date
    closes_on: date

    @property
    def is_open(self) -> bool:
        return self.opens_on <= self.today <= self.closes_on

    @property
    def closed_message(self) -> str:
        """Why a reading is not taken today, with the next window's dates."""
        return _(
            "Readings are taken from the %(start)d to the %(end)d of each month; "
            "the next window is %(opens)s – %(closes)s."
        ) % {
            "start": self.start,
            "end": self.end,
            "opens": date_format(self.opens_on, "SHORT_DATE_FORMAT"),
            "closes": date_format(self.closes_on, "SHORT_DATE_FORMAT"),
        }


def _month_days(year: int, month: int, start: int, end: int) -> tuple[date, date]:
    """The window's first and last day in that month; a day past the month's end (31 in
    November) is its last day."""
    last = (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return date(year, month, min(start, last.day)), date(year, month, min(end, last.day))


def reading_window(tenant: Tenant, *, at: datetime | None = None) -> ReadingWindow:
    """The tenant's reading window as of `at` (now), in the tenant's time zone."""
    tenant_settings = CabinetSettings.for_tenant(tenant)
    today = timezone.localdate(at or timezone.now(), timezone=_zone(tenant))
    return _window(tenant_settings, today)


def _window(tenant_settings: CabinetSettings, today: date) -> ReadingWindow:
    start, end = tenant_settings.reading_window_start, tenant_settings.reading_window_end
    opens_on, closes_on = _month_days(today.year, today.month, start, end)
    if today > closes_on:
        following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        opens_on, closes_on = _month_days(following.year, following.month, start, end)
    return ReadingWindow(start, end, today, opens_on, closes_on)


def _in_window(settings_: CabinetSettings, day: date) -> bool:
    return _window(settings_, day).is_open


_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'")


def reading_value(raw) -> Decimal:
    """A reading as typed: "857,2" and "857.2" are 857.2, "1 234,5" is 1234.5; at most 3
    decimals, not negative. ApplicationError (code `reading_value`) otherwise."""
    try:
        value = Decimal(str(raw).strip().translate(_SPACES).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("Enter the reading as a number."), code="reading_value") from None
    if not value.is_finite() or value < 0 or value > MAX_VALUE:
        raise ApplicationError(_("Enter the reading as a number."), code="reading_value")
    if value != value.quantize(VALUE_QUANT):
        raise ApplicationError(_("A reading has at most 3 decimal places."), code="reading_value")
    return value.quantize(VALUE_QUANT)


def _refusal(history, value, taken_on, *, source, photo, tenant_settings) -> tuple[str, bool]:
    """(why the reading is refused or "", whether it is flagged), against the meter's
    accepted readings (`_History`)."""
    if source == ReadingSource.RESIDENT and not _in_window(tenant_settings, taken_on):
        return _window(tenant_settings, taken_on).closed_message, False
    last = history.last()
    if last is not None and value < last.value:
        return (
            _("The reading is below the last one (%(last)s on %(day)s).")
            % {
                "last": _number(last.value, tenant_settings),
                "day": date_format(last.taken_on, "SHORT_DATE_FORMAT"),
            },
            False,
        )
    if last is None:
        return "", False
    average = history.monthly_average(on=taken_on)
    if average is None or average <= 0:
        return "", False
    months = max(Decimal(1), Decimal((taken_on - last.taken_on).days) / DAYS_PER_MONTH)
    allowed = tenant_settings.plausibility_multiple * average * months
    if value - last.value <= allowed:
        return "", False
    if source != ReadingSource.RESIDENT or photo:
        return "", True
    return (
        _(
            "The consumption of %(used)s is more than %(multiple)s times your usual %(average)s a "
            "month. If the reading is right, send it again with a photo of the meter."
        )
        % {
            "used": _number(value - last.value, tenant_settings),
            "multiple": _number(tenant_settings.plausibility_multiple, tenant_settings),
            "average": _number(average.quantize(VALUE_QUANT), tenant_settings),
        },
        False,
    )


def _event_context(meters) -> tuple[dict[int, list[Account]], dict[tuple[int, int], str]]:
    """For the `reading.accepted` events of these meters: the active accounts of each premises
    (by premises id, in id order) and the suppliers' own numbers of them (by supplier and
    account id)."""
    premises_ids = sorted({m.premises_id for m in meters})
    supplier_ids = {m.supplier_id for m in meters}
    accounts: dict[int, list[Account]] = {pk: [] for pk in premises_ids}
    links: dict[tuple[int, int], str] = {}
    for start in range(0, len(premises_ids), CHUNK):
        chunk = premises_ids[start : start + CHUNK]
        for account in Account.objects.filter(premises_id__in=chunk, is_active=True):
            accounts[account.premises_id].append(account)
        rows = AccountLink.objects.filter(
            supplier_id__in=supplier_ids, account__premises_id__in=chunk
        ).values_list("supplier_id", "account_id", "external_number")
        links.update({(supplier, account): number for supplier, account, number in rows})
    for found in accounts.values():
        found.sort(key=lambda a: a.pk)
    return accounts, links


def _event_body(reading: MeterReading, meter: Meter, accounts, links) -> dict:
    return {
        "reading": {
            "id": reading.pk,
            "meter": meter.serial,
            "service": meter.service.code,
            "value": str(reading.value),
            "taken_on": reading.taken_on.isoformat(),
            "source": reading.source,
            "flagged": reading.flagged,
            "submitted_at": reading.submitted_at.isoformat(),
        },
        "accounts": [
            {
                "account_number": a.account_number,
                "supplier_account": links.get((meter.supplier_id, a.pk), ""),
            }
            for a in accounts[meter.premises_id]
        ],
    }


def reading_submit(
    *,
    meter: Meter,
    value,
    source: str,
    actor=None,
    taken_on: date | None = None,
    photo=None,
    at: datetime | None = None,
) -> MeterReading:
    """Records an accepted reading and writes the supplier's `reading.accepted` event in the
    same transaction. A reading the rules refuse raises `ReadingRefused` with the reason, input
    that is not a reading raises ApplicationError — and then nothing is written. A resident's
    reading outside the window is refused before anything else is looked at."""
    at = at or timezone.now()
    tenant = meter.tenant
    if taken_on is None:
        taken_on = timezone.localdate(at, timezone=_zone(tenant))
    if source == ReadingSource.RESIDENT:
        window = _window(CabinetSettings.for_tenant(tenant), taken_on)
        if not window.is_open:
            raise ReadingRefused(window.closed_message, code="reading_window")
    value = reading_value(value)
    checked_photo = attachment_check(photo, images_only=True) if photo else None
    if not meter.is_active:
        raise ApplicationError(_("The meter is no longer in use."), code="meter_inactive")
    with transaction.atomic():
        meter = (
            Meter.objects.select_for_update(of=("self",))
            .select_related("supplier", "service")
            .get(pk=meter.pk)
        )
        reason, flagged = _refusal(
            _History.of([meter.pk], on=taken_on)[meter.pk],
            value,
            taken_on,
            source=source,
            photo=checked_photo,
            tenant_settings=CabinetSettings.for_tenant(tenant),
        )
        if reason:
            raise ReadingRefused(reason, code="reading_refused")
        reading = MeterReading(
            meter=meter,
            value=value,
            taken_on=taken_on,
            submitted_at=at,
            source=source,
            submitted_by=actor,
            status=ReadingStatus.ACCEPTED,
            flagged=flagged,
        )
        if checked_photo:
            reading.photo.save(checked_photo.filename, checked_photo.file, save=False)
        reading.save()
        event = supplier_event_write(
            supplier=meter.supplier,
            event=READING_ACCEPTED,
            body=_event_body(reading, meter, *_event_context([meter])),
            at=at,
        )
        if event is not None:
            events_enqueue([event])
    return reading


def _zone(tenant: Tenant):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tenant.timezone)


# --- import -----------------------------------------------------------------------------------

IMPORT_COLUMNS = ("account_number", "serial", "value", "date")


@dataclass
class ImportRow:
    line: int
    outcome: str  # accepted | refused | error
    reason: str = ""
    serial: str = ""
    value: str = ""

    @property
    def outcome_label(self) -> str:
        """The outcome in words, in the active language."""
        labels = {
            "accepted": ReadingStatus.ACCEPTED.label,
            "refused": ReadingStatus.REFUSED.label,
            "error": pgettext("reading import", "Error"),
        }
        return str(labels.get(self.outcome, self.outcome))


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def accepted_count(self) -> int:
        return self.count("accepted")

    @property
    def refused_count(self) -> int:
        return self.count("refused")

    @property
    def error_count(self) -> int:
        return self.count("error")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(_("The file is neither UTF-8 nor cp1251 text."), code="import_file")


def _parse(data: bytes) -> list[tuple[int, dict]]:
    """The file's rows as (line, {column: value}); ApplicationError when the file as a whole is
    not a readings file (then nothing is imported)."""
    if not data or b"\x00" in data[:4096]:
        raise ApplicationError(_("The file is empty or not a CSV file."), code="import_file")
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except (csv.Error, IndexError):
        raise ApplicationError(_("The file is not a CSV file."), code="import_file") from None
    reader = csv.reader(io.StringIO(text), dialect)
    header = [c.strip().lower() for c in next(reader, [])]
    missing = [c for c in ("value", "date") if c not in header]
    if missing or not ({"account_number", "serial"} & set(header)):
        raise ApplicationError(
            _("The header must have value, date and account_number or serial (found: %(h)s).")
            % {"h": ", ".join(header) or "—"},
            code="import_header",
        )
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ApplicationError(
                _("Line %(line)d has %(found)d cells, the header %(expected)d.")
                % {"line": number, "found": len(cells), "expected": len(header)},
                code="import_shape",
            )
        rows.append((number, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    if not rows:
        raise ApplicationError(_("The file has no readings."), code="import_file")
    return rows


class _Meters:
    """Finds the meter of each row of a file, with the file's meters, accounts and the meters
    of those accounts' premises read up front (a few queries per 2,000 rows, not per row)."""

    def __init__(self, tenant: Tenant, rows: list[dict]):
        serials = sorted({r["serial"] for r in rows if r.get("serial")})
        numbers = sorted({r["account_number"] for r in rows if r.get("account_number")})
        active = Meter.objects.filter(tenant=tenant, is_active=True).select_related(
            "tenant", "supplier", "service"
        )
        self.by_serial: dict[str, Meter] = {}
        self.accounts: dict[str, Account] = {}
        for start in range(0, len(serials), CHUNK):
            chunk = serials[start : start + CHUNK]
            self.by_serial.update((m.serial, m) for m in active.filter(serial__in=chunk))
        for start in range(0, len(numbers), CHUNK):
            chunk = numbers[start : start + CHUNK]
            found = Account.objects.filter(tenant=tenant, account_number__in=chunk)
            self.accounts.update((a.account_number, a) for a in found)
        premises_ids = sorted({a.premises_id for a in self.accounts.values()})
        self.by_premises: dict[int, list[Meter]] = {pk: [] for pk in premises_ids}
        for start in range(0, len(premises_ids), CHUNK):
            chunk = premises_ids[start : start + CHUNK]
            for meter in active.filter(premises_id__in=chunk):
                self.by_premises[meter.premises_id].append(meter)

    def of(self, row: dict) -> Meter:
        serial, number = row.get("serial", ""), row.get("account_number", "")
        if serial:
            meter = self.by_serial.get(serial)
            if meter is None:
                raise ApplicationError(_("No meter %(s)s.") % {"s": serial})
            account = self.accounts.get(number)
            if number and (account is None or account.premises_id != meter.premises_id):
                raise ApplicationError(
                    _("Meter %(s)s is not on account %(n)s.") % {"s": serial, "n": number}
                )
            return meter
        account = self.accounts.get(number)
        if account is None:
            raise ApplicationError(_("No account %(n)s.") % {"n": number or "—"})
        found = self.by_premises.get(account.premises_id, [])
        if len(found) != 1:
            raise ApplicationError(
                _("Account %(n)s has %(c)s meters: give the serial.")
                % {"n": number, "c": len(found) or _("no")}
            )
        return found[0]


def _date(raw: str) -> date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ApplicationError(_("The date %(d)s is not YYYY-MM-DD or DD.MM.YYYY.") % {"d": raw})


def readings_import(*, tenant: Tenant, data: bytes, filename: str = "", actor=None) -> ImportReport:
    """Staff import readings (CSV: account_number or serial, value, date). A file that is not
    a readings file is refused whole (ApplicationError, nothing written); otherwise each row is
    accepted, refused (below the last one) or reported as an error, and the report says which.

    The whole file is checked first — meters, dates and values read in bulk — then its
    readings are judged in file order against the meters' histories (a row sees the rows
    accepted before it) and written with one bulk insert, their `reading.accepted` events with
    another, all in one transaction."""
    rows = _parse(data)
    at = timezone.now()
    today = timezone.localdate(at, timezone=_zone(tenant))
    meters = _Meters(tenant, [row for _line, row in rows])
    report = ImportReport()
    valid: list[tuple[int, Meter, Decimal, date]] = []  # (index in the report, ...)
    for line, row in rows:
        try:
            meter = meters.of(row)
            taken_on = _date(row["date"])
            if taken_on > today:
                raise ApplicationError(_("The date is in the future."))
            value = reading_value(row["value"])
        except ApplicationError as exc:
            report.rows.append(
                ImportRow(line, "error", exc.message, row.get("serial", ""), row["value"])
            )
            continue
        valid.append((len(report.rows), meter, value, taken_on))
        report.rows.append(ImportRow(line, "", serial=meter.serial, value=str(value)))

    with transaction.atomic():
        ids = sorted({meter.pk for _i, meter, _v, _d in valid})
        for start in range(0, len(ids), CHUNK):  # the same lock as a single reading takes
            chunk = ids[start : start + CHUNK]
            list(Meter.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values("pk"))
        histories = _History.of(ids, on=min((d for *_x, d in valid), default=today))
        tenant_settings = CabinetSettings.for_tenant(tenant)
        readings = []
        for index, meter, value, taken_on in valid:
            reason, flagged = _refusal(
                histories[meter.pk],
                value,
                taken_on,
                source=ReadingSource.IMPORT,
                photo=None,
                tenant_settings=tenant_settings,
            )
            report.rows[index].outcome = "refused" if reason else "accepted"
            report.rows[index].reason = reason
            if reason:  # reported, not stored
                continue
            histories[meter.pk].add(taken_on, value)
            readings.append(
                MeterReading(
                    meter=meter,
                    value=value,
                    taken_on=taken_on,
                    submitted_at=at,
                    source=ReadingSource.IMPORT,
                    submitted_by=actor,
                    status=ReadingStatus.ACCEPTED,
                    flagged=flagged,
                )
            )
        MeterReading.objects.bulk_create(readings, batch_size=CHUNK)
        _events_write([r for r in readings if r.meter.supplier.webhook_url], at=at)
        AuditEvent.objects.create(
            tenant=tenant,
            actor=actor,
            action="readings.imported",
            detail={
                "filename": filename,
                "accepted": report.count("accepted"),
                "refused": report.count("refused"),
                "errors": report.count("error"),
            },
        )
    return report


def _events_write(readings: list[MeterReading], *, at: datetime) -> None:
    """The `reading.accepted` events of accepted readings (of suppliers with an endpoint), in
    one bulk insert: the rows `splitting.core.outbox.supplier_event_write` writes one by
    one, handed to Celery once the transaction commits."""
    if not readings:
        return
    accounts, links = _event_context([r.meter for r in readings])
    events = SupplierEvent.objects.bulk_create(
        [
            SupplierEvent(
                tenant_id=r.meter.supplier.tenant_id,
                supplier=r.meter.supplier,
                payment=None,
                event=READING_ACCEPTED,
                body={
                    "event": READING_ACCEPTED,
                    "supplier": r.meter.supplier.code,
                    **_event_body(r, r.meter, accounts, links),
                },
                next_attempt_at=at,
                created_at=at,
            )
            for r in readings
        ],
        batch_size=CHUNK,
    )
    events_enqueue(events)


# --- export -----------------------------------------------------------------------------------

EXPORT_HEADER = [
    "supplier_account",
    "account_number",
    "meter",
    "service",
    "value",
    "taken_on",
    "source",
    "flagged",
]


def _period_days(period: str) -> tuple[date, date]:
    try:
        start = datetime.strptime(period, "%Y-%m").date()
    except ValueError:
        raise ApplicationError(_("The period is YYYY-MM."), code="period") from None
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end


def readings_export(*, supplier: Supplier, period: str) -> str:
    """The accepted readings of the supplier's meters taken in `period`, as CSV text."""
    start, end = _period_days(period)
    readings = (
        MeterReading.objects.filter(
            meter__supplier=supplier,
            status=ReadingStatus.ACCEPTED,
            taken_on__gte=start,
            taken_on__lte=end,
        )
        .select_related("meter__service")
        .order_by("meter__serial", "taken_on", "id")
    )
    premises_ids = {r.meter.premises_id for r in readings}
    accounts: dict[int, Account] = {}
    for account in Account.objects.filter(premises_id__in=premises_ids, is_active=True).order_by(
        "-pk"
    ):
        accounts[account.premises_id] = account
    links = dict(
        AccountLink.objects.filter(
            supplier=supplier, account__in=list(accounts.values())
        ).values_list("account_id", "external_number")
    )

    def rows():
        for reading in readings:
            account = accounts.get(reading.meter.premises_id)
            yield [
                links.get(account.pk, "") if account else "",
                account.account_number if account else "",
                reading.meter.serial,
                reading.meter.service.code,
                str(reading.value),
                reading.taken_on.isoformat(),
                reading.source,
                "1" if reading.flagged else "0",
            ]

    return csv_text(EXPORT_HEADER, rows(), lineterminator="\n")
