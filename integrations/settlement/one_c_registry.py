"""The 1C registry of payment lines ("реестр платежей"): the supplier's registry as a text file
its 1C loads with a processing (обработка) that reads `Key=Value` sections, in the style of
1CClientBankExchange (`one_c.py`) but a format of its own, so that a bank-exchange loader never
takes it for payment orders. The keys, an example and a loader are in `docs/registry-1c.md`.

    1CPaymentRegistry
    <header: format, registry, period, parties, count and totals>
    СекцияПлатеж=<n> … КонецПлатежа           one section per line, n = 1, 2, …
    КонецФайла

Windows-1251, CRLF, one `Key=Value` per line. Amounts are roubles with a dot and two decimals
("1234.50", "-12.00", as `Сумма` of a 1C payment order); a reversal's line is negative
(amount, commission and net); a coupon's payment id starts with "coupon:". Times are local to
the zone the writer is given, to the second, each line with its UTC offset.

`registry_1c` writes; `read_registry_1c` reads a file back (tests, the docs' examples) and
refuses a malformed one with `OneCFormatError` (a ValueError) naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from core.money import format_minor

from .one_c import OneCFormatError, one_c_amount
from .types import CURRENCY_RE, REGISTRY_ID_RE, Party, Registry, RegistryLine

MAGIC = "1CPaymentRegistry"
FORMAT_VERSION = "1.00"
SENDER = "Unibill"
ENCODING = "cp1251"
CONTENT_TYPE = "text/plain; charset=windows-1251"
LINE_START = "СекцияПлатеж"
LINE_END = "КонецПлатежа"
END_OF_FILE = "КонецФайла"
COUPON_PREFIX = "coupon:"

# ВидОперации: what a line is, from its sign and its payment id (the reader checks both).
PAYMENT = "Оплата"
REVERSAL = "Сторно"
COUPON = "Купон"
COUPON_REVERSAL = "СторноКупона"

OPERATOR = "Оператор"
SUPPLIER = "Поставщик"
# The suffixes of a party's keys ("" is the name) and the Party field each holds.
PARTY_KEYS = (
    ("", "name"),
    ("ИНН", "inn"),
    ("КПП", "kpp"),
    ("РасчСчет", "bank_account"),
    ("Банк", "bank_name"),
    ("БИК", "bic"),
    ("Корсчет", "corr_account"),
)
HEADER_KEYS = (
    "ВерсияФормата",
    "Кодировка",
    "Отправитель",
    "ДатаСоздания",
    "ВремяСоздания",
    "НомерРеестра",
    "ДатаРеестра",
    "ДатаНачала",
    "ДатаКонца",
    "Валюта",
    *(f"{OPERATOR}{suffix}" for suffix, _ in PARTY_KEYS),
    *(f"{SUPPLIER}{suffix}" for suffix, _ in PARTY_KEYS),
    "КоличествоСтрок",
    "СуммаПлатежей",
    "СуммаКомиссии",
    "СуммаКПеречислению",
)
LINE_KEYS = (
    "ЛицевойСчет",
    "Период",
    "ПлатежныйДокумент",
    "ИдентификаторПлатежа",
    "ВидОперации",
    "ДатаПлатежа",
    "ВремяПлатежа",
    "ЧасовойПояс",
    "Сумма",
    "Комиссия",
    "КПеречислению",
)
# Keys a file must carry (the others may be empty or absent).
REQUIRED_HEADER = (
    "ВерсияФормата",
    "Кодировка",
    "ДатаСоздания",
    "ВремяСоздания",
    "НомерРеестра",
    "ДатаРеестра",
    "ДатаНачала",
    "ДатаКонца",
    "Валюта",
    OPERATOR,
    SUPPLIER,
    "КоличествоСтрок",
    "СуммаПлатежей",
    "СуммаКомиссии",
    "СуммаКПеречислению",
)
REQUIRED_LINE = (
    "ЛицевойСчет",
    "ИдентификаторПлатежа",
    "ВидОперации",
    "ДатаПлатежа",
    "ВремяПлатежа",
    "ЧасовойПояс",
    "Сумма",
    "Комиссия",
    "КПеречислению",
)

_PERIOD_ISO_RE = re.compile(r"(\d{4})-(\d{2})")
_PERIOD_1C_RE = re.compile(r"(\d{2})\.(\d{4})")
_DATE_RE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")
_TIME_RE = re.compile(r"(\d{2}):(\d{2}):(\d{2})")
_OFFSET_RE = re.compile(r"([+-])(\d{2}):(\d{2})")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class OneCRegistryFile:
    """A registry file read back: the registry, the stretch of days it covers, and when it was
    written (local time of the writer's zone, as printed)."""

    registry: Registry
    date_from: date
    date_to: date
    created_at: datetime  # naive


def operation_kind(line: RegistryLine) -> str:
    """`ВидОперации` of a line: Оплата, Сторно (negative), Купон, СторноКупона."""
    coupon = line.payment_id.startswith(COUPON_PREFIX)
    if line.amount < 0:
        return COUPON_REVERSAL if coupon else REVERSAL
    return COUPON if coupon else PAYMENT


# -- writer ------------------------------------------------------------------------------------


def _value(text: str) -> str:
    """One line: no line breaks, no surrounding spaces."""
    return _SPACE_RE.sub(" ", text).strip()


def _period_1c(line: RegistryLine, number: int) -> str:
    """ "2026-10" → "10.2026"; "" stays ""."""
    if not line.period:
        return ""
    match = _PERIOD_ISO_RE.fullmatch(line.period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(
            f"registry line {number} ({line.payment_id}): period {line.period!r} is not YYYY-MM"
        )
    return f"{match.group(2)}.{match.group(1)}"


def _offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _party(prefix: str, party: Party) -> list[tuple[str, str]]:
    return [(f"{prefix}{suffix}", getattr(party, name)) for suffix, name in PARTY_KEYS]


def registry_1c(
    registry: Registry,
    *,
    created_at: datetime,
    tz: tzinfo,
    date_from: date | None = None,
    date_to: date | None = None,
) -> bytes:
    """The registry as a 1C registry of payment lines, in Windows-1251 (a character it cannot
    hold becomes "?"). `tz` is the operator's zone: the creation time and every line's booking
    time are printed in it. `date_from`/`date_to` are the days the registry covers (a weekly or
    monthly flow); both default to `registry.day`. An empty registry is a valid file (a header
    with zero lines and totals). Raises ValueError for a naive `created_at`, a stretch that ends
    before it starts, or a line whose period is not YYYY-MM."""
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise ValueError("created_at must be aware")
    date_from = date_from or registry.day
    date_to = date_to or registry.day
    if date_from > date_to:
        raise ValueError(f"registry {registry.id}: {date_from} is after {date_to}")
    created = created_at.astimezone(tz)
    rows: list[tuple[str, str] | str] = [
        MAGIC,
        ("ВерсияФормата", FORMAT_VERSION),
        ("Кодировка", "Windows"),
        ("Отправитель", SENDER),
        ("ДатаСоздания", f"{created:%d.%m.%Y}"),
        ("ВремяСоздания", f"{created:%H:%M:%S}"),
        ("НомерРеестра", registry.id),
        ("ДатаРеестра", f"{registry.day:%d.%m.%Y}"),
        ("ДатаНачала", f"{date_from:%d.%m.%Y}"),
        ("ДатаКонца", f"{date_to:%d.%m.%Y}"),
        ("Валюта", registry.currency),
        *_party(OPERATOR, registry.operator),
        *_party(SUPPLIER, registry.supplier),
        ("КоличествоСтрок", str(registry.count)),
        ("СуммаПлатежей", format_minor(registry.gross)),
        ("СуммаКомиссии", format_minor(registry.commission)),
        ("СуммаКПеречислению", format_minor(registry.net)),
    ]
    for number, line in enumerate(registry.lines, start=1):
        booked = line.booked_at.astimezone(tz)
        rows += [
            (LINE_START, str(number)),
            ("ЛицевойСчет", line.account_number),
            ("Период", _period_1c(line, number)),
            ("ПлатежныйДокумент", line.document_reference),
            ("ИдентификаторПлатежа", line.payment_id),
            ("ВидОперации", operation_kind(line)),
            ("ДатаПлатежа", f"{booked:%d.%m.%Y}"),
            ("ВремяПлатежа", f"{booked:%H:%M:%S}"),
            ("ЧасовойПояс", _offset(booked)),
            ("Сумма", format_minor(line.amount)),
            ("Комиссия", format_minor(line.commission)),
            ("КПеречислению", format_minor(line.net)),
            LINE_END,
        ]
    rows.append(END_OF_FILE)
    text = "".join(
        (row if isinstance(row, str) else f"{row[0]}={_value(row[1])}") + "\r\n" for row in rows
    )
    return text.encode(ENCODING, errors="replace")


# -- reader ------------------------------------------------------------------------------------


@dataclass
class _Section:
    opened_at: int  # line number of `СекцияПлатеж=` (or 1 for the header)
    values: dict[str, tuple[str, int]]  # key → (value, line number)

    def get(self, key: str) -> str:
        return self.values.get(key, ("", 0))[0]

    def line_of(self, key: str) -> int:
        return self.values.get(key, ("", self.opened_at))[1]


def _lines(data: bytes) -> list[str]:
    try:
        text = data.decode(ENCODING)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise OneCFormatError("a byte that is not Windows-1251", line) from None
    return re.split(r"\r\n|\r|\n", text)


def _sections(data: bytes) -> tuple[_Section, list[_Section]]:
    """The header and the line sections, each key with its line number; checks the frame."""
    numbered = [(n, raw.strip()) for n, raw in enumerate(_lines(data), start=1)]
    numbered = [(n, line) for n, line in numbered if line]
    if not numbered or numbered[0][1] != MAGIC:
        raise OneCFormatError(
            f"the file does not start with {MAGIC}", numbered[0][0] if numbered else 1
        )
    header = _Section(opened_at=numbered[0][0], values={})
    sections: list[_Section] = []
    current: _Section | None = None
    ended = False
    for n, line in numbered[1:]:
        if ended:
            raise OneCFormatError(f"text after {END_OF_FILE}: {line[:60]}", n)
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if line == END_OF_FILE:
            if current is not None:
                raise OneCFormatError(
                    f"{LINE_START}={len(sections) + 1} has no {LINE_END} before {END_OF_FILE}",
                    current.opened_at,
                )
            ended = True
        elif key == LINE_START and sep:
            if current is not None:
                raise OneCFormatError(
                    f"{LINE_START}={len(sections) + 1} has no {LINE_END} before line {n}",
                    current.opened_at,
                )
            if value != str(len(sections) + 1):
                raise OneCFormatError(
                    f"{LINE_START}={value}: expected number {len(sections) + 1}", n
                )
            current = _Section(opened_at=n, values={})
        elif line == LINE_END:
            if current is None:
                raise OneCFormatError(f"{LINE_END} without a {LINE_START} to close", n)
            sections.append(current)
            current = None
        elif not sep or not key:
            raise OneCFormatError(f"expected Key=Value: {line[:60]}", n)
        else:
            target = current if current is not None else header
            if sections and current is None:
                raise OneCFormatError(f"{key}= between sections (header keys come first)", n)
            if key in target.values:
                raise OneCFormatError(
                    f"{key}= appears twice (first at line {target.values[key][1]})", n
                )
            target.values[key] = (value, n)
    if current is not None:
        raise OneCFormatError(
            f"{LINE_START}={len(sections) + 1} has no {LINE_END} before the end of the file",
            current.opened_at,
        )
    if not ended:
        raise OneCFormatError(f"no {END_OF_FILE}: the file is cut short", numbered[-1][0])
    return header, sections


def _required(section: _Section, keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        if not section.get(key):
            raise OneCFormatError(f"{where} has no {key}=", section.opened_at)


def _date(section: _Section, key: str) -> date:
    text = section.get(key)
    match = _DATE_RE.fullmatch(text)
    try:
        if not match:
            raise ValueError
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    except ValueError:
        raise OneCFormatError(
            f"{key}={text}: not a date ДД.ММ.ГГГГ", section.line_of(key)
        ) from None


def _time(section: _Section, key: str) -> time:
    text = section.get(key)
    match = _TIME_RE.fullmatch(text)
    try:
        if not match:
            raise ValueError
        return time(*(int(part) for part in match.groups()))
    except ValueError:
        raise OneCFormatError(f"{key}={text}: not a time ЧЧ:ММ:СС", section.line_of(key)) from None


def _zone(section: _Section, key: str) -> timezone:
    text = section.get(key)
    match = _OFFSET_RE.fullmatch(text)
    if not match or int(match.group(2)) > 23 or int(match.group(3)) > 59:
        raise OneCFormatError(f"{key}={text}: not a UTC offset ±ЧЧ:ММ", section.line_of(key))
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-offset if sign == "-" else offset)


def _amount(section: _Section, key: str) -> int:
    text = section.get(key)
    try:
        return one_c_amount(text)
    except ValueError:
        raise OneCFormatError(f"{key}={text}: not an amount", section.line_of(key)) from None


def _period_iso(section: _Section) -> str:
    text = section.get("Период")
    if not text:
        return ""
    match = _PERIOD_1C_RE.fullmatch(text)
    if not match or not 1 <= int(match.group(1)) <= 12:
        raise OneCFormatError(f"Период={text}: not a month ММ.ГГГГ", section.line_of("Период"))
    return f"{match.group(2)}-{match.group(1)}"


def _party_read(header: _Section, prefix: str) -> Party:
    return Party(**{name: header.get(f"{prefix}{suffix}") for suffix, name in PARTY_KEYS})


def _line(section: _Section, number: int) -> RegistryLine:
    where = f"{LINE_START}={number}"
    _required(section, REQUIRED_LINE, where)
    amount = _amount(section, "Сумма")
    commission = _amount(section, "Комиссия")
    net = _amount(section, "КПеречислению")
    if amount - commission != net:
        raise OneCFormatError(
            f"{where}: КПеречислению {format_minor(net)} is not Сумма − Комиссия "
            f"{format_minor(amount - commission)}",
            section.line_of("КПеречислению"),
        )
    booked_at = datetime.combine(
        _date(section, "ДатаПлатежа"),
        _time(section, "ВремяПлатежа"),
        tzinfo=_zone(section, "ЧасовойПояс"),
    )
    try:
        line = RegistryLine(
            account_number=section.get("ЛицевойСчет"),
            period=_period_iso(section),
            document_reference=section.get("ПлатежныйДокумент"),
            payment_id=section.get("ИдентификаторПлатежа"),
            booked_at=booked_at,
            amount=amount,
            commission=commission,
        )
    except ValueError as error:
        raise OneCFormatError(f"{where}: {error}", section.opened_at) from None
    kind = section.get("ВидОперации")
    if kind != operation_kind(line):
        raise OneCFormatError(
            f"{where}: ВидОперации={kind}, but the line is {operation_kind(line)} "
            f"(Сумма={format_minor(amount)}, ИдентификаторПлатежа={line.payment_id})",
            section.line_of("ВидОперации"),
        )
    return line


def read_registry_1c(data: bytes) -> OneCRegistryFile:
    """Reads a registry of payment lines written by `registry_1c`. CRLF, LF or CR line ends;
    blank lines are skipped; an unknown key is ignored (a later version may add keys). Raises
    OneCFormatError (a ValueError; `line_number` is 1-based) for bytes that are not Windows-1251,
    a first line other than `1CPaymentRegistry`, another format version or encoding, a line
    without `=`, a key twice in a section, a section not closed or numbered out of order, a
    header key between sections, text after `КонецФайла` or no `КонецФайла`, a missing key, a
    bad date, time, offset, month or amount, a line whose net is not amount − commission, whose
    commission has the other sign, or whose ВидОперации disagrees with its sign and id, and a
    header whose count or totals are not those of its lines."""
    header, sections = _sections(data)
    _required(header, REQUIRED_HEADER, "the header")
    version = header.get("ВерсияФормата")
    if version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
        raise OneCFormatError(
            f"ВерсияФормата={version}: this reader reads {FORMAT_VERSION}",
            header.line_of("ВерсияФормата"),
        )
    if header.get("Кодировка") != "Windows":
        raise OneCFormatError(
            f"Кодировка={header.get('Кодировка')}: the registry is written in Windows(-1251)",
            header.line_of("Кодировка"),
        )
    registry_id = header.get("НомерРеестра")
    if not REGISTRY_ID_RE.fullmatch(registry_id):
        raise OneCFormatError(
            f"НомерРеестра={registry_id}: 1-35 characters of A-Z, a-z, 0-9 and -",
            header.line_of("НомерРеестра"),
        )
    currency = header.get("Валюта")
    if not CURRENCY_RE.fullmatch(currency):
        raise OneCFormatError(f"Валюта={currency}: not ISO 4217", header.line_of("Валюта"))
    date_from, date_to = _date(header, "ДатаНачала"), _date(header, "ДатаКонца")
    if date_from > date_to:
        raise OneCFormatError(
            f"ДатаНачала {date_from:%d.%m.%Y} is after ДатаКонца {date_to:%d.%m.%Y}",
            header.line_of("ДатаКонца"),
        )
    lines = tuple(_line(section, n) for n, section in enumerate(sections, start=1))
    registry = Registry(
        id=registry_id,
        day=_date(header, "ДатаРеестра"),
        currency=currency,
        supplier=_party_read(header, SUPPLIER),
        operator=_party_read(header, OPERATOR),
        lines=lines,
    )
    count = header.get("КоличествоСтрок")
    if count != str(len(lines)):
        raise OneCFormatError(
            f"КоличествоСтрок={count}, the file has {len(lines)} sections",
            header.line_of("КоличествоСтрок"),
        )
    for key, total in (
        ("СуммаПлатежей", registry.gross),
        ("СуммаКомиссии", registry.commission),
        ("СуммаКПеречислению", registry.net),
    ):
        if _amount(header, key) != total:
            raise OneCFormatError(
                f"{key}={header.get(key)}, the lines sum to {format_minor(total)}",
                header.line_of(key),
            )
    created_at = datetime.combine(_date(header, "ДатаСоздания"), _time(header, "ВремяСоздания"))
    return OneCRegistryFile(
        registry=registry, date_from=date_from, date_to=date_to, created_at=created_at
    )
