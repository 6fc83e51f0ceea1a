"""The accounting export's files: the general journal, the account turnover and the trial balance
as XLSX and CSV, and the operator's bank operations as a 1C file. The figures come from
`accounting`; the words (column names, ledger accounts' names) are read in the language the
tenant's country writes its papers in (`Country.letter_language`: Russian for RU, else
English), so the page and `export_accounting` hand out the same file.

XLSX: a title row, then a bold header row that stays in view, amounts as exact numbers in major
units ("#,##0.00"), dates as dates; text is never a formula (`core.documents.xlsx`). The journal
is streamed (a write-only workbook): a month with a large charge import has hundreds of
thousands of entries.

CSV (UTF-8 with BOM, `;`, CRLF): the header row, then the rows; amounts in major units with a
dot ("1234.50"), dates ISO; text that a spreadsheet would run is escaped (`core.documents.csv`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from core.documents.csv import CSV_CONTENT_TYPE, csv_text
from core.documents.xlsx import (
    BOLD,
    DATE_FORMAT,
    MONEY_FORMAT,
    XLSX_CONTENT_TYPE,
    add_sheet,
    new_workbook,
    set_widths,
    text_cell,
    workbook_bytes,
)
from core.errors import ApplicationError
from core.i18n import Texts
from core.money import to_major
from integrations.settlement.one_c_operations import operations_1c
from splitting.settlement import accounting
from splitting.settlement.accounting import Period, Turnover
from splitting.settlement.orders import party
from warehouse.models import Tenant

ONE_C_CONTENT_TYPE = "text/plain; charset=windows-1251"
TABLES = ("journal", "turnover", "trial-balance")
TABLE_FORMATS = ("xlsx", "csv")
OPERATIONS = "operations-1c"

LABELS = Texts(
    {
        "journal": pgettext_lazy("accounting export", "General journal"),
        "turnover": pgettext_lazy("accounting export", "Account turnover"),
        "trial-balance": pgettext_lazy("accounting export", "Trial balance"),
        "title": pgettext_lazy("accounting export", "{document} · {operator} · {period}"),
        "date": pgettext_lazy("accounting export", "Date"),
        "transaction": pgettext_lazy("accounting export", "Transaction"),
        "kind": pgettext_lazy("accounting export", "Kind"),
        "memo": pgettext_lazy("accounting export", "Memo"),
        "code": pgettext_lazy("accounting export", "Account code"),
        "account": pgettext_lazy("accounting export", "Ledger account"),
        "debit": pgettext_lazy("accounting export", "Debit"),
        "credit": pgettext_lazy("accounting export", "Credit"),
        "resident": pgettext_lazy("accounting export", "Resident account"),
        "period": pgettext_lazy("accounting export", "Billing period"),
        "opening": pgettext_lazy("accounting export", "Opening balance"),
        "debit_turnover": pgettext_lazy("accounting export", "Debit turnover"),
        "credit_turnover": pgettext_lazy("accounting export", "Credit turnover"),
        "closing": pgettext_lazy("accounting export", "Closing balance"),
        "opening_debit": pgettext_lazy("accounting export", "Opening balance, debit"),
        "opening_credit": pgettext_lazy("accounting export", "Opening balance, credit"),
        "closing_debit": pgettext_lazy("accounting export", "Closing balance, debit"),
        "closing_credit": pgettext_lazy("accounting export", "Closing balance, credit"),
        "total": pgettext_lazy("accounting export", "Total"),
    }
)


def export_language(tenant: Tenant) -> str:
    return tenant.country.letter_language


@dataclass(frozen=True)
class Table:
    """A file's content before it is XLSX or CSV: `money` and `dates` are the indexes of the
    columns holding amounts (minor units) and dates."""

    title: str
    header: tuple[str, ...]
    rows: Iterable[Sequence]
    money: frozenset[int]
    dates: frozenset[int] = frozenset()
    widths: tuple[float, ...] = ()


# --- the three tables ----------------------------------------------------------------------------


def _title(L: dict, document: str, tenant: Tenant, period: Period) -> str:
    return L["title"].format(document=L[document], operator=tenant.name, period=period.code)


def journal_table(tenant: Tenant, period: Period, L: dict) -> Table:
    """One row per entry (see `accounting.journal_lines`). The rows are a generator: read them
    inside the export language's `translation.override`."""
    rows = (
        (
            line.day,
            line.transaction_id,
            line.kind_label,
            line.memo,
            line.code,
            line.name,
            line.debit,
            line.credit,
            line.account_number,
            line.entry_period,
        )
        for line in accounting.journal_lines(tenant=tenant, period=period)
    )
    header = ("date", "transaction", "kind", "memo", "code", "account", "debit", "credit")
    return Table(
        title=_title(L, "journal", tenant, period),
        header=tuple(L[key] for key in (*header, "resident", "period")),
        rows=rows,
        money=frozenset({6, 7}),
        dates=frozenset({0}),
        widths=(12, 12, 18, 40, 18, 40, 14, 14, 16, 10),
    )


def turnover_table(tenant: Tenant, period: Period, L: dict) -> Table:
    rows = [
        (row.code, row.name, row.opening, row.debit, row.credit, row.closing)
        for row in accounting.turnovers(tenant=tenant, period=period)
    ]
    keys = ("code", "account", "opening", "debit_turnover", "credit_turnover", "closing")
    return Table(
        title=_title(L, "turnover", tenant, period),
        header=tuple(L[key] for key in keys),
        rows=rows,
        money=frozenset(range(2, 6)),
        widths=(18, 44, 16, 16, 16, 16),
    )


def _balance_row(code: str, name: str, row: Turnover | accounting.TrialBalance) -> tuple:
    return (
        code,
        name,
        row.opening_debit,
        row.opening_credit,
        row.debit,
        row.credit,
        row.closing_debit,
        row.closing_credit,
    )


def trial_balance_table(tenant: Tenant, period: Period, L: dict) -> Table:
    """The accounts' rows, then the totals row (code empty, name "Total")."""
    balance = accounting.trial_balance(tenant=tenant, period=period)
    rows = [_balance_row(row.code, row.name, row) for row in balance.rows]
    rows.append(_balance_row("", L["total"], balance))
    keys = ("code", "account", "opening_debit", "opening_credit", "debit_turnover")
    keys += ("credit_turnover", "closing_debit", "closing_credit")
    return Table(
        title=_title(L, "trial-balance", tenant, period),
        header=tuple(L[key] for key in keys),
        rows=rows,
        money=frozenset(range(2, 8)),
        widths=(18, 44, 16, 16, 16, 16, 16, 16),
    )


_TABLES = {
    "journal": journal_table,
    "turnover": turnover_table,
    "trial-balance": trial_balance_table,
}


# --- XLSX and CSV --------------------------------------------------------------------------------


def _values(table: Table) -> Iterator[list]:
    """The rows with amounts in major units (exact Decimals)."""
    for row in table.rows:
        yield [to_major(v) if i in table.money else v for i, v in enumerate(row)]


def table_xlsx(table: Table, *, sheet_title: str) -> bytes:
    """One sheet: the title, the header (frozen), the rows — streamed, as the journal needs."""
    book = new_workbook(write_only=True)
    sheet = add_sheet(book, sheet_title[:31])
    sheet.freeze_panes = "A3"
    set_widths(sheet, table.widths)
    title = text_cell(sheet, table.title)
    sheet.append([title])
    header = []
    for name in table.header:
        cell = text_cell(sheet, name)
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    for values in _values(table):
        cells = []
        for index, value in enumerate(values):
            cell = text_cell(sheet, value)
            if index in table.money and isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif index in table.dates and isinstance(value, date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        sheet.append(cells)
    return workbook_bytes(book)


def table_csv(table: Table) -> bytes:
    rows = (
        [v.isoformat() if isinstance(v, date) else v for v in values] for values in _values(table)
    )
    return csv_text(table.header, rows, delimiter=";").encode("utf-8-sig")


# --- the operator's bank operations --------------------------------------------------------------


def operations_file(tenant: Tenant, period: Period) -> bytes:
    """The period's payouts as a 1CClientBankExchange file. ApplicationError when the tenant's
    bank details are not Russian (`no_1c`) or someone's cannot be written (`bad_bank_details`)."""
    if not tenant.country.uses_ru_bank_details:
        raise ApplicationError(
            "a 1C bank file is for an operator with a Russian settlement account", code="no_1c"
        )
    try:
        return operations_1c(
            operations=accounting.bank_operations(tenant=tenant, period=period),
            account_holder=party(tenant),
            start=period.first_day,
            end=period.last_day,
            created_at=timezone.now().astimezone(ZoneInfo(tenant.timezone)),
        )
    except ValueError as error:
        raise ApplicationError(
            f"the 1C file cannot be written: {error}", code="bad_bank_details"
        ) from None


# --- one entry point -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def file_names(tenant: Tenant) -> list[tuple[str, str]]:
    """(name, format) of every file of a period's export the tenant can have, commission acts
    aside: the tables in both formats, and the 1C file where its bank details are Russian."""
    names = [(name, fmt) for name in TABLES for fmt in TABLE_FORMATS]
    if tenant.country.uses_ru_bank_details:
        names.append((OPERATIONS, "txt"))
    return names


def accounting_file(*, tenant: Tenant, period: str, name: str, file_format: str) -> ExportFile:
    """One file of the tenant's export for `period` (YYYY-MM): a table (`journal`, `turnover`,
    `trial-balance`) as `xlsx` or `csv`, or `operations-1c` as `txt`. ApplicationError for a
    bad period or an unknown file."""
    month = accounting.period_of(tenant, period)
    filename = f"{tenant.code}-{month.code}-{name}.{file_format}"
    if (name, file_format) == (OPERATIONS, "txt"):
        return ExportFile(operations_file(tenant, month), filename, ONE_C_CONTENT_TYPE)
    if name not in _TABLES or file_format not in TABLE_FORMATS:
        raise ApplicationError(
            f"no file {name}.{file_format} in the accounting export",
            code="unknown_file",
            status_code=404,
        )
    language = export_language(tenant)
    with translation.override(language):
        L = LABELS[language]
        table = _TABLES[name](tenant, month, L)
        if file_format == "xlsx":
            content = table_xlsx(table, sheet_title=L[name])
            return ExportFile(content, filename, XLSX_CONTENT_TYPE)
        return ExportFile(table_csv(table), filename, CSV_CONTENT_TYPE)
