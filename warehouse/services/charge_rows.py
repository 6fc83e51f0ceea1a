"""From a supplier's file to validated charge rows: the mapping profile turns the supplier's
layout into the canonical columns of import-formats.md, then every rule is checked column by
column (vectorised with pandas) and every failing line is reported with its line, column,
value and reason. Lines whose supplier account no link knows go to the mapping queue too."""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db import connection
from django.utils.translation import gettext_noop

from warehouse.models import ChargeKind, MappingProfile, Supplier, SupplierServiceCode
from warehouse.reports import FileRejected, LineError, problem
from warehouse.services.tabular import LINE, TEXT, Table, normalise_header, read_table

CANONICAL = [
    "supplier_account",
    "service_code",
    "amount",
    "quantity",
    "unit",
    "tariff",
    "kind",
    "period",
    "corrects_period",
]
REQUIRED = ["supplier_account", "service_code", "amount"]
NUMERIC = ["amount", "quantity", "tariff"]
_AMOUNT = r"^-?\d{1,11}(?:\.\d{1,2})?$"
_DECIMAL6 = r"^-?\d{1,12}(?:\.\d{1,6})?$"
_NEGATIVE_ALLOWED = {ChargeKind.RECALCULATION, ChargeKind.PRIVILEGE}
_PERIOD_TEXT = "_period_text"
_CORRECTS_TEXT = "_corrects_period_text"
_PERIOD_PATTERN = r"^\d{4}-(?:0[1-9]|1[0-2])$"
# The reason of a line whose supplier account no link knows: `warehouse.services.charges` sends
# such lines to the mapping queue when they are the file's only problem (`unmatched_only`).
UNKNOWN_ACCOUNT = gettext_noop("unknown supplier account: no account link knows it")
# How far back a recalculation may correct (import-formats, `corrects_period`): 36 months, the
# general limitation period (ГК РФ ст. 196, three years); no dated legal row sets another.
CORRECTS_PERIOD_MONTHS_BACK = 36


@dataclass
class ChargeRows:
    """Validated rows, ready to post: ids resolved, amounts in minor units."""

    # line, account_id, service_id, kind, quantity, unit, tariff, amount, corrects_period
    # ("" for a charge of the file's own period)
    frame: pd.DataFrame
    errors: list[LineError] = field(default_factory=list)
    unmatched: dict[str, list[int]] = field(default_factory=dict)
    total_lines: int = 0

    @property
    def rejected_lines(self) -> int:
        return len({e.line for e in self.errors if e.line is not None})


class LayoutMismatch(FileRejected):
    """The file's header does not fit the profile (or the canonical format); `summary` says
    which profile, the columns it expects and the ones the file has."""

    def __init__(self, errors: list[LineError], *, summary: LineError):
        super().__init__(errors, message=summary.reason)
        self.summary = summary


def read_source(
    data: bytes, *, filename: str, profile: MappingProfile | None, default_encoding=None
) -> Table:
    options = {"default_encoding": default_encoding}
    if profile is not None:
        options |= {
            "encoding": profile.encoding or None,
            "separator": profile.separator or None,
            "sheet": profile.sheet or None,
            "skip_rows": profile.skip_rows,
            "header": profile.has_header,
        }
    return read_table(data, filename=filename, **options)


def to_canonical(
    table: Table, profile: MappingProfile | None
) -> tuple[pd.DataFrame, list[LineError]]:
    """The canonical columns (strings) of the table, as the profile maps them, and the lines
    whose numbers use the wrong decimal mark. A problem with the layout is a file error."""
    frame = table.frame
    spec = dict(profile.columns) if profile else {}
    constants = dict(profile.constants) if profile else {}
    errors, columns = [], {}
    for name in CANONICAL:
        source = spec.get(name)
        if isinstance(source, int) and not isinstance(source, bool):
            if 1 <= source <= len(table.columns):
                columns[name] = frame[table.columns[source - 1]]
            else:
                errors.append(
                    problem(
                        None,
                        name,
                        str(source),
                        gettext_noop(
                            "the profile names column %(position)s, the file has %(count)s"
                        ),
                        position=source,
                        count=len(table.columns),
                    )
                )
        elif source:
            header = normalise_header(source)
            if header in frame:
                columns[name] = frame[header]
            else:
                errors.append(
                    problem(
                        1,
                        name,
                        source,
                        gettext_noop("column named in the mapping profile is not in the file"),
                    )
                )
        elif name in constants:
            columns[name] = pd.Series(
                [str(constants[name])] * len(frame), dtype=TEXT, index=frame.index
            )
        elif name in frame:
            columns[name] = frame[name]
    for name in REQUIRED:
        if name not in columns and not any(e.column == name for e in errors):
            errors.append(
                problem(1, name, "", gettext_noop("required column is missing from the header"))
            )
    if errors:
        raise LayoutMismatch(errors, summary=_layout_mismatch(table, profile))
    canonical = pd.DataFrame(columns, index=frame.index)
    for name in CANONICAL:
        if name not in canonical:
            canonical[name] = pd.Series([""] * len(frame), dtype=TEXT, index=frame.index)
    canonical[LINE] = frame[LINE]
    if profile and profile.service_map:
        mapped = {str(k): str(v) for k, v in profile.service_map.items()}
        canonical["service_code"] = canonical["service_code"].map(lambda v: mapped.get(v, v))
    if profile and profile.date_format:
        canonical[_PERIOD_TEXT] = canonical["period"]  # reports show the file's own text
        canonical["period"] = _periods(canonical["period"], profile.date_format)
        canonical[_CORRECTS_TEXT] = canonical["corrects_period"]
        canonical["corrects_period"] = _periods(canonical["corrects_period"], profile.date_format)
    mark_errors = _normalise_decimal_mark(canonical, profile.decimal_mark if profile else "")
    return canonical, mark_errors


def _layout_mismatch(table: Table, profile: MappingProfile | None) -> LineError:
    """The file-level summary of a layout that does not fit: the profile (or the canonical
    format), the columns it expects and the ones the file has, so the user sees at once
    whether the wrong profile was chosen."""
    found = ", ".join(c for c in table.columns if c) or "—"
    if profile is None:
        return problem(
            None,
            "header",
            found,
            gettext_noop(
                "the file's columns do not fit the canonical format (no mapping profile "
                "chosen): it expects %(expected)s; the file has %(found)s"
            ),
            expected=", ".join(REQUIRED),
            found=found,
        )
    # In the canonical fields' order (a JSON object's key order is not kept by PostgreSQL).
    columns = dict(profile.columns)
    order = {name: index for index, name in enumerate(CANONICAL)}
    expected = ", ".join(
        f"#{source}" if isinstance(source, int) and not isinstance(source, bool) else str(source)
        for name, source in sorted(columns.items(), key=lambda item: order.get(item[0], 99))
        if source not in (None, "")
    )
    return problem(
        None,
        "header",
        found,
        gettext_noop(
            "the file's columns do not fit the mapping profile %(profile)s: it expects "
            "%(expected)s; the file has %(found)s"
        ),
        profile=profile.name,
        expected=expected or ", ".join(REQUIRED),
        found=found,
    )


def _periods(values: pd.Series, date_format: str) -> pd.Series:
    def convert(value: str) -> str:
        if not value:
            return value
        try:
            return dt.datetime.strptime(value, date_format).strftime("%Y-%m")
        except ValueError:
            return value

    return values.map(convert).astype(TEXT)


def _normalise_decimal_mark(frame: pd.DataFrame, mark: str) -> list[LineError]:
    """One decimal mark per file (import-formats.md): the profile's, else the one most cells
    use. A cell with the other mark (or both: a thousands separator) is an error of its line,
    never read another way."""
    has_comma = {c: frame[c].str.contains(",", regex=False) for c in NUMERIC}
    has_point = {c: frame[c].str.contains(".", regex=False) for c in NUMERIC}
    if not mark:
        commas = sum(int(has_comma[c].sum()) for c in NUMERIC)
        points = sum(int(has_point[c].sum()) for c in NUMERIC)
        mark = "," if commas > points else "."
    other = has_point if mark == "," else has_comma
    errors = []
    for column in NUMERIC:
        bad = other[column]
        if bad.any():
            msgid = (
                gettext_noop(
                    "uses a point, but this file's decimal mark is a comma "
                    "(thousands separators are not allowed)"
                )
                if mark == ","
                else gettext_noop(
                    "uses a comma, but this file's decimal mark is a point "
                    "(thousands separators are not allowed)"
                )
            )
            errors.extend(
                problem(int(line), column, str(value), msgid)
                for line, value in frame.loc[bad, [LINE, column]].itertuples(index=False)
            )
        if mark == ",":
            frame[column] = frame[column].str.replace(",", ".", regex=False)
    return errors


class _Report:
    """The failing lines of a frame, as `LineError`s, starting from the errors an earlier stage
    found (a wrong decimal mark)."""

    def __init__(self, frame: pd.DataFrame, extra_errors: list[LineError]):
        self.frame = frame
        self.extra_errors = extra_errors
        self.errors: list[LineError] = list(extra_errors)

    def reported(self, column: str) -> pd.Series:
        """Cells an earlier stage already reported (a wrong decimal mark): not checked again."""
        return self.frame[LINE].isin({e.line for e in self.extra_errors if e.column == column})

    def flag(
        self, mask: pd.Series, column: str, msgid: str, source: str | None = None, **params
    ) -> None:
        """Reports the lines of `mask`: `msgid` (marked with `gettext_noop`) with `params`."""
        if mask.any():
            bad = self.frame.loc[mask, [LINE, source or column]]
            self.errors.extend(
                problem(int(line), column, str(value), msgid, **params)
                for line, value in bad.itertuples(index=False)
            )


def validate(
    canonical: pd.DataFrame, *, supplier: Supplier, period: str, extra_errors: list[LineError] = ()
) -> ChargeRows:
    """Checks every rule on whole columns, resolves service codes and supplier accounts to our
    ids (two queries), and returns the rows with every failing line reported."""
    frame = canonical
    report = _Report(frame, extra_errors)
    kind = _check_required_and_kind(report)
    corrects = _check_corrects_period(report, kind, period)
    amount, unusable = _check_amount(report, kind)
    _check_columns(report, kind, period, corrects)
    _check_quantity_times_tariff(report, kind, amount, unusable)
    service_id = _service_ids(report, supplier)
    account_id, unmatched = _account_ids(report, supplier)

    rows = pd.DataFrame(
        {
            "line": frame[LINE].astype("int64"),
            "account_id": account_id,
            "service_id": service_id,
            "kind": kind,
            "quantity": frame["quantity"],
            "unit": frame["unit"],
            "tariff": frame["tariff"],
            "amount": amount,
            "corrects_period": corrects,
        }
    )
    return ChargeRows(
        frame=rows, errors=sorted(set(report.errors)), unmatched=unmatched, total_lines=len(frame)
    )


def _check_required_and_kind(report: _Report) -> pd.Series:
    """Flags empty required cells and unknown kinds; the kind of each line (blank: regular)."""
    frame, flag = report.frame, report.flag
    empty = gettext_noop("required value is empty")
    flag(frame["supplier_account"] == "", "supplier_account", empty)
    flag(frame["service_code"] == "", "service_code", empty)
    flag(frame["amount"] == "", "amount", empty)

    kind = frame["kind"].str.lower().where(frame["kind"] != "", ChargeKind.REGULAR)
    flag(
        ~kind.isin(ChargeKind.values),
        "kind",
        gettext_noop("kind must be one of %(kinds)s"),
        kinds=", ".join(ChargeKind.values),
    )
    return kind


def _check_corrects_period(report: _Report, kind: pd.Series, period: str) -> pd.Series:
    """Flags a `corrects_period` that is not a YYYY-MM strictly before the file's period and at
    most `CORRECTS_PERIOD_MONTHS_BACK` months back, or that sits on a line of a kind other than
    recalculation. A line naming a corrected period is a recalculation: its blank kind becomes
    `recalculation` in `kind` (changed in place). The corrected period of each line ("": none)."""
    frame, flag = report.frame, report.flag
    corrects = frame["corrects_period"].str.strip()
    source = _CORRECTS_TEXT if _CORRECTS_TEXT in frame else None
    named = corrects != ""
    well_formed = corrects.str.match(_PERIOD_PATTERN)
    flag(named & ~well_formed, "corrects_period", gettext_noop("not a period YYYY-MM"), source)
    earliest = _months_before(period, CORRECTS_PERIOD_MONTHS_BACK)
    flag(
        named & well_formed & (corrects >= period),
        "corrects_period",
        gettext_noop("a recalculation corrects a period before the file's period %(period)s"),
        source,
        period=period,
    )
    flag(
        named & well_formed & (corrects < earliest),
        "corrects_period",
        gettext_noop("more than %(months)s months before %(period)s (earliest %(earliest)s)"),
        source,
        months=CORRECTS_PERIOD_MONTHS_BACK,
        period=period,
        earliest=earliest,
    )
    given = frame["kind"] != ""
    flag(
        named & given & kind.isin(ChargeKind.values) & (kind != ChargeKind.RECALCULATION),
        "kind",
        gettext_noop(
            "a line with corrects_period is a recalculation: leave kind blank or write "
            "recalculation"
        ),
    )
    kind.loc[named & ~given] = ChargeKind.RECALCULATION
    return corrects


def _months_before(period: str, months: int) -> str:
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _check_amount(report: _Report, kind: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Flags malformed amounts and negatives of a kind that may not be negative; the amounts in
    minor units (0 where unusable) and which lines' amounts are unusable."""
    frame, flag = report.frame, report.flag
    marked = report.reported("amount")
    amount_text = frame["amount"]
    bad_amount = (amount_text != "") & ~amount_text.str.match(_AMOUNT) & ~marked
    flag(
        bad_amount,
        "amount",
        gettext_noop("not an amount with at most 2 decimals (no thousands separators)"),
    )
    unusable = bad_amount | marked | (amount_text == "")
    amount = _minor_units(amount_text.where(~unusable, "0"))
    flag(
        (amount < 0) & ~kind.isin(_NEGATIVE_ALLOWED) & kind.isin(ChargeKind.values),
        "amount",
        gettext_noop("a negative amount is allowed only for kind recalculation or privilege"),
    )
    return amount, unusable


def _check_columns(report: _Report, kind: pd.Series, period: str, corrects: pd.Series) -> None:
    """Flags malformed quantities and tariffs, long units, a period other than the import's,
    and a repeated (supplier account, service code, kind, corrected period)."""
    frame, flag = report.frame, report.flag
    for column in ("quantity", "tariff"):
        values = frame[column]
        flag(
            (values != "") & ~report.reported(column) & ~values.str.match(_DECIMAL6),
            column,
            gettext_noop("not a number with at most 6 decimals"),
        )
    flag(frame["unit"].str.len() > 20, "unit", gettext_noop("longer than 20 characters"))

    periods = frame["period"]
    flag(
        (periods != "") & (periods != period),
        "period",
        gettext_noop("the line's period differs from the import's period %(period)s"),
        source=_PERIOD_TEXT if _PERIOD_TEXT in frame else None,
        period=period,
    )

    account, code = frame["supplier_account"], frame["service_code"]
    key = pd.DataFrame({"a": account, "c": code, "k": kind, "p": corrects})
    repeated = key.duplicated(keep="first") & (account != "") & (code != "")
    flag(
        repeated,
        "supplier_account",
        gettext_noop(
            "duplicate line: the same supplier account, service code, kind and corrected "
            "period appear earlier"
        ),
    )


def _check_quantity_times_tariff(
    report: _Report, kind: pd.Series, amount: pd.Series, unusable: pd.Series
) -> None:
    """Flags a line with a usable quantity and tariff whose amount is more than 0.01 away from
    their product (recalculations are exempt)."""
    frame = report.frame
    both = (
        (frame["quantity"] != "")
        & (frame["tariff"] != "")
        & ~unusable
        & ~report.reported("quantity")
        & ~report.reported("tariff")
        & frame["quantity"].str.match(_DECIMAL6)
        & frame["tariff"].str.match(_DECIMAL6)
        & (kind != ChargeKind.RECALCULATION)
    )
    if both.any():
        # A tolerance check, not money: the posted amount is the file's own, in minor units.
        product = (
            pd.to_numeric(frame.loc[both, "quantity"]).to_numpy()
            * pd.to_numeric(frame.loc[both, "tariff"]).to_numpy()
            * 100
        )
        off = np.abs(np.round(product) - amount[both].to_numpy()) > 1
        mismatch = pd.Series(False, index=frame.index)
        mismatch.loc[both] = off
        report.flag(
            mismatch,
            "amount",
            gettext_noop("amount is not quantity × tariff rounded to 2 decimals (within 0.01)"),
        )


def _service_ids(report: _Report, supplier: Supplier) -> pd.Series:
    """Our service id of each line's service code (NaN, and flagged, where none is mapped)."""
    code = report.frame["service_code"]
    services = dict(
        SupplierServiceCode.objects.filter(supplier=supplier).values_list(
            "external_code", "service_id"
        )
    )
    service_id = code.map(services)
    report.flag(
        (code != "") & service_id.isna(),
        "service_code",
        gettext_noop(
            "unknown service code: map it to the service classifier in the supplier's settings"
        ),
    )
    return service_id


def _account_ids(report: _Report, supplier: Supplier) -> tuple[pd.Series, dict[str, list[int]]]:
    """Our account id of each line's supplier account (NaN, and flagged, where no link knows
    it), and the unknown supplier accounts with their lines, for the mapping queue."""
    frame = report.frame
    account = frame["supplier_account"]
    links = _account_links(supplier)
    account_id = account.map(links)
    unknown = (account != "") & account_id.isna()
    report.flag(
        unknown,
        "supplier_account",
        UNKNOWN_ACCOUNT,
    )
    unmatched: dict[str, list[int]] = {}
    for number, line in frame.loc[unknown, ["supplier_account", LINE]].itertuples(index=False):
        unmatched.setdefault(number, []).append(int(line))
    return account_id, unmatched


def _minor_units(text: pd.Series) -> pd.Series:
    """ "-12.5" → -1250, exactly. The texts passed the amount pattern (at most 11 integer digits,
    at most 2 decimals), so each is within 2^53 / 100 and the nearest double times 100 rounds
    back to the exact number of minor units; the C parser does a million in milliseconds."""
    units = pd.to_numeric(text).to_numpy(dtype="float64")
    return pd.Series(np.rint(units * 100).astype("int64"), index=text.index)


def _account_links(supplier: Supplier) -> dict[str, int]:
    """The supplier's account numbers → our account ids, read in one raw query (200,000 rows
    in a fraction of a second)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT external_number, account_id FROM warehouse_accountlink WHERE supplier_id = %s",
            [supplier.pk],
        )
        return dict(cursor.fetchall())
