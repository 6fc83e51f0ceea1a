"""The wallet statement as a PDF: A4 portrait (Platypus), the payer, wallet and period, the
opening and closing balances, every movement of the period with the balances after it — the
table's header repeated on each page — and the totals per kind of movement."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.documents.pdf import BOLD, INK, REGULAR, RULE, SOFT
from invoicing.references import format_reference
from wallets.documents.page import BAND, CONTENT, MARGIN, PAGE_W, register_document_fonts
from wallets.documents.statement import MOVEMENT_COLUMNS, movement_description
from wallets.documents.texts import (
    document_language,
    labels,
    printed_amount,
    printed_date,
    printed_today,
)
from wallets.models import MovementKind, Wallet
from wallets.selectors import WalletStatement, wallet_statement
from warehouse.models import Tenant


@dataclass(frozen=True)
class _Styles:
    base: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    head: ParagraphStyle
    head_right: ParagraphStyle


def _styles() -> _Styles:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=8, leading=10, textColor=INK)
    small = ParagraphStyle("small", parent=base, fontSize=7, leading=8.6)
    head = ParagraphStyle("head", parent=small, fontName=BOLD, textColor=SOFT)
    return _Styles(
        base=base,
        small=small,
        title=ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20),
        heading=ParagraphStyle("heading", parent=base, fontName=BOLD, fontSize=10, leading=13),
        head=head,
        head_right=ParagraphStyle("head_right", parent=head, alignment=TA_RIGHT),
    )


def wallet_statement_pdf(wallet: Wallet, start: date, end: date) -> bytes:
    """A4 portrait, as many pages as the movements need, the table's header on each."""
    statement = wallet_statement(wallet, start, end)
    tenant = wallet.tenant
    L = labels(tenant)
    register_document_fonts()
    styles = _styles()
    amount = partial(printed_amount, tenant=tenant, currency=wallet.currency)
    period = f"{printed_date(start, tenant)} – {printed_date(end, tenant)}"
    story = _heading(wallet, period, L, styles)
    story += [_balances(statement, amount, L), Spacer(1, 12)]
    story.append(_movements(statement, tenant, amount, L, styles))
    story += _totals(statement, amount, L, styles)
    note = (
        f"{L['statement']} · {wallet.payer.name} · {period} · "
        f"{L['generated'].format(day=printed_today(tenant))}"
    )
    return _build(story, _page_decoration(note, L), f"{L['statement']} {period}", tenant.name)


def _heading(wallet: Wallet, period: str, L: dict, styles: _Styles) -> list:
    tenant, payer = wallet.tenant, wallet.payer
    return [
        Paragraph(L["statement"], styles.title),
        Paragraph(f"<b>{_escape(tenant.name)}</b>", styles.base),
        Spacer(1, 6),
        Paragraph(
            f"{L['payer']}: <b>{_escape(payer.name)}</b>, {L['payer_tax_id']} "
            f"{_escape(payer.tax_id)}",
            styles.base,
        ),
        Paragraph(
            f"{L['wallet']}: {wallet.currency} · {L['reference']}: "
            f"{format_reference(wallet.funding_reference)}",
            styles.base,
        ),
        Paragraph(f"{L['period']}: <b>{period}</b>", styles.base),
        Spacer(1, 10),
    ]


def _balances(statement: WalletStatement, amount, L: dict) -> Table:
    rows = [
        ["", L["available"], L["blocked"], L["total"]],
        [
            L["opening"],
            amount(statement.opening_available),
            amount(statement.opening_blocked),
            amount(statement.opening_total),
        ],
        [
            L["closing"],
            amount(statement.closing_available),
            amount(statement.closing_blocked),
            amount(statement.closing_total),
        ],
    ]
    balances = Table(rows, colWidths=[120, 90, 90, 90], hAlign="LEFT")
    balances.setStyle(_table_style(numbers_from=1, header_rows=1, size=8.5))
    return balances


def _movements(statement: WalletStatement, tenant: Tenant, amount, L: dict, styles: _Styles):
    """The movements' table, or a line saying there were none."""
    if not statement.lines:
        return Paragraph(L["no_movements"], styles.base)
    head = [
        Paragraph(L[key], styles.head_right if n >= 3 else styles.head)
        for n, key in enumerate(MOVEMENT_COLUMNS)
    ]
    rows = [head]
    for line in statement.lines:
        rows.append(
            [
                Paragraph(_stamp(line.at, tenant), styles.small),
                Paragraph(L["kinds"][line.kind], styles.small),
                Paragraph(_escape(movement_description(line, L)), styles.small),
                amount(line.available_change, signed=True),
                amount(line.blocked_change, signed=True),
                amount(line.available_after),
                amount(line.blocked_after),
            ]
        )
    widths = [58, 64, CONTENT - 58 - 64 - 4 * 60, 60, 60, 60, 60]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style(numbers_from=3, header_rows=1, size=7))
    return table


def _totals(statement: WalletStatement, amount, L: dict, styles: _Styles) -> list:
    rows = [[L["kind"], L["count"], L["coupons"], L["amount"]]]
    for total in statement.totals:
        coupons = "" if total.kind == MovementKind.FUNDING else str(total.coupons)
        rows.append([L["kinds"][total.kind], str(total.count), coupons, amount(total.amount)])
    totals = Table(rows, colWidths=[140, 60, 60, 100], hAlign="LEFT")
    totals.setStyle(_table_style(numbers_from=1, header_rows=1, size=8.5))
    return [Spacer(1, 12), Paragraph(L["totals"], styles.heading), Spacer(1, 4), totals]


def _page_decoration(note: str, L: dict):
    """Each page's foot: what the file is, and the page's number."""

    def decorate(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColorRGB(*SOFT)
        canvas.drawString(MARGIN, MARGIN - 14, note)
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN - 14, L["page"].format(page=document.page))
        canvas.restoreState()

    return decorate


def _build(story: list, decorate, title: str, author: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        creator="Unibill",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _stamp(moment: datetime, tenant: Tenant) -> str:
    """The movement's date and time, on two lines: ISO in English, else day first."""
    english = document_language(tenant) == "en"
    return moment.strftime("%Y-%m-%d<br/>%H:%M" if english else "%d.%m.%Y<br/>%H:%M")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table_style(*, numbers_from: int, header_rows: int, size: float) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), REGULAR, size),
            ("FONT", (0, 0), (-1, header_rows - 1), BOLD, size),
            ("TEXTCOLOR", (0, 0), (-1, header_rows - 1), SOFT),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), BAND),
            ("ALIGN", (numbers_from, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
    )
