"""The wallet statement as a workbook (`core.documents.xlsx`): the same movements as the PDF,
with the coupon, case and bank references in columns of their own. Amounts are exact decimals
with a number format; times are the tenant's wall-clock time (Excel keeps no time zone)."""

from __future__ import annotations

from datetime import date

from openpyxl.styles import Font, PatternFill

from core.documents.xlsx import (
    BOLD,
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    set_widths,
    workbook_bytes,
)
from core.money import to_major
from wallets.documents.statement import MOVEMENT_COLUMNS, movement_description
from wallets.documents.texts import labels
from wallets.models import MovementKind, Wallet
from wallets.selectors import StatementLine, WalletStatement, wallet_statement

BAND = PatternFill("solid", fgColor="E8EBEF")
HEADER_ROW = 7  # the movements' header: title, four lines about the wallet and a gap above it
WIDTHS = [18, 22, 48, 15, 15, 16, 16, 15, 18, 18]
STAMP_FORMAT = "yyyy-mm-dd hh:mm"


def wallet_statement_xlsx(wallet: Wallet, start: date, end: date) -> bytes:
    """The same statement as a workbook: amounts are exact decimals with a number format,
    times are the tenant's wall-clock time (Excel keeps no time zone)."""
    statement = wallet_statement(wallet, start, end)
    L = labels(wallet.tenant)
    book = new_workbook()
    sheet = add_sheet(book, L["statement"][:31])
    _about(sheet, wallet, start, end, L)
    columns = [*MOVEMENT_COLUMNS, "coupon_col", "case_col", "bank_col"]
    _banded_header(sheet, [L[key] for key in columns], freeze=True)
    opening = [None, L["opening"], None, None, None]
    append_row(sheet, opening + _major([statement.opening_available, statement.opening_blocked]))
    sheet.cell(row=sheet.max_row, column=2).font = BOLD
    for line in statement.lines:
        _movement_row(sheet, line, L)
    _closing_row(sheet, statement, L)
    _totals(sheet, statement, L)
    number_format(sheet, min_row=HEADER_ROW + 1, min_col=4, max_col=7)
    set_widths(sheet, WIDTHS)
    return workbook_bytes(book)


def _about(sheet, wallet: Wallet, start: date, end: date, L: dict) -> None:
    """The title and four lines about the wallet, then a gap: the movements start below."""
    tenant, payer = wallet.tenant, wallet.payer
    append_row(sheet, [L["statement"]])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in [
        (L["payee"], tenant.name),
        (L["payer"], f"{payer.name}, {L['payer_tax_id']} {payer.tax_id}"),
        (L["wallet"], f"{wallet.currency} · {wallet.funding_reference}"),
        (L["period"], f"{start.isoformat()} – {end.isoformat()}"),
    ]:
        append_row(sheet, [label, value])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
    sheet.append([])  # row 6: the header is row 7 (`HEADER_ROW`)


def _banded_header(sheet, names: list[str], *, freeze: bool = False) -> None:
    header_row(sheet, names, freeze=freeze)
    for column in range(1, len(names) + 1):
        sheet.cell(row=sheet.max_row, column=column).fill = BAND


def _major(amounts: list[int]) -> list:
    return [to_major(amount) for amount in amounts]


def _movement_row(sheet, line: StatementLine, L: dict) -> None:
    m = line.movement
    changes = [line.available_change, line.blocked_change, line.available_after, line.blocked_after]
    used = m.kind == MovementKind.REDEEM and m.coupon_id
    append_row(
        sheet,
        [
            line.at.replace(tzinfo=None),
            L["kinds"][m.kind],
            movement_description(line, L),
            *_major(changes),
            m.coupon.identifier if m.coupon_id else None,
            m.coupon.case_reference if used else None,
            m.bank_credit.bank_reference if m.bank_credit_id else None,
        ],
    )
    sheet.cell(row=sheet.max_row, column=1).number_format = STAMP_FORMAT


def _closing_row(sheet, statement: WalletStatement, L: dict) -> None:
    """The period's change and the closing balances, in bold."""
    changes = [
        statement.closing_available - statement.opening_available,
        statement.closing_blocked - statement.opening_blocked,
        statement.closing_available,
        statement.closing_blocked,
    ]
    append_row(sheet, [None, L["closing"], None, *_major(changes)], bold=True)


def _totals(sheet, statement: WalletStatement, L: dict) -> None:
    """A gap, the heading and the totals per kind of movement."""
    sheet.append([])
    append_row(sheet, [L["totals"]])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
    _banded_header(sheet, [L["kind"], L["count"], L["coupons"], L["amount"]])
    for total in statement.totals:
        coupons = None if total.kind == MovementKind.FUNDING else total.coupons
        append_row(sheet, [L["kinds"][total.kind], total.count, coupons, to_major(total.amount)])
