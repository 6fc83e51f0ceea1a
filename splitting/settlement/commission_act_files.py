"""The agent's services act (акт об оказании услуг агента) of a supplier for a month, as DOCX
(python-docx, for an accountant to edit before signing) and PDF (ReportLab, DejaVu fonts, so
Cyrillic, ₽ and € print). Both show the same content (`act_content`): the act's number and
date, the period, the operator (agent) and the supplier (principal) with their bank details,
the supplier's registries of the period day by day, what was collected, the commission
withheld and the net due to the supplier, and the signature lines.

The words are read in the language the tenant's country writes its papers in
(`Country.letter_language`), amounts and dates in the tenant's notation (`core.money`,
`core.dates`)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.dates import format_date
from core.documents.pdf import BOLD, INK, REGULAR, RULE, SOFT, register_fonts
from core.errors import ApplicationError
from core.i18n import Texts
from core.money import format_amount, format_currency
from splitting.settlement.accounting import CommissionAct, commission_act, period_of
from splitting.settlement.accounting_files import ExportFile
from warehouse.models import Supplier, Tenant

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
ACT_FORMATS = ("docx", "pdf")

LABELS = Texts(
    {
        "title": pgettext_lazy("commission act", "Agent's services act No. {number}"),
        "dated": pgettext_lazy("commission act", "dated {date}"),
        "period": pgettext_lazy("commission act", "Period: {first} – {last}"),
        "agent": pgettext_lazy("commission act", "Agent (operator)"),
        "principal": pgettext_lazy("commission act", "Principal (supplier)"),
        "inn": pgettext_lazy("commission act", "INN {inn}"),
        "kpp": pgettext_lazy("commission act", "KPP {kpp}"),
        "tax_id": pgettext_lazy("commission act", "Tax ID {tax_id}"),
        "bank": pgettext_lazy("commission act", "Bank: {bank}"),
        "account": pgettext_lazy("commission act", "Settlement account {account}"),
        "bic": pgettext_lazy("commission act", "BIC {bic}"),
        "corr_account": pgettext_lazy("commission act", "Corr. account {account}"),
        "iban": pgettext_lazy("commission act", "IBAN {iban}"),
        "body": pgettext_lazy(
            "commission act",
            "Under the agency contract the Agent accepted payments from residents in favour of "
            "the Principal from {first} to {last}, listed them in the daily registries below "
            "and withheld its commission from them; the rest is due to the Principal.",
        ),
        "day": pgettext_lazy("commission act", "Day"),
        "registry": pgettext_lazy("commission act", "Registry"),
        "payments": pgettext_lazy("commission act", "Payments"),
        "gross": pgettext_lazy("commission act", "Collected"),
        "commission": pgettext_lazy("commission act", "Commission"),
        "net": pgettext_lazy("commission act", "Net"),
        "total": pgettext_lazy("commission act", "Total"),
        "collected": pgettext_lazy("commission act", "Collected from residents (gross)"),
        "withheld": pgettext_lazy("commission act", "Agent's commission withheld"),
        "due": pgettext_lazy("commission act", "Net due to the Principal"),
        "closing": pgettext_lazy(
            "commission act",
            "The services have been rendered in full and on time. The Principal has no claims "
            "as to their scope, quality and timing.",
        ),
        "for_agent": pgettext_lazy("commission act", "For the Agent"),
        "for_principal": pgettext_lazy("commission act", "For the Principal"),
        "footer": pgettext_lazy("commission act", "Act {number} · {agent} · {principal}"),
    }
)
_SIGNATURE = "____________________ / ____________________"


@dataclass(frozen=True)
class ActContent:
    """What both files print, as plain strings in the act's language."""

    title: str
    dated: str
    period: str
    parties: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, lines) agent, principal
    body: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the registries, then the total
    summary: tuple[tuple[str, str], ...]
    closing: str
    signatures: tuple[str, str]
    footer: str


def act_language(act: CommissionAct) -> str:
    return act.tenant.country.letter_language


def _party_lines(owner, L: dict, *, ru_details: bool) -> tuple[str, ...]:
    lines = [owner.name]
    if getattr(owner, "address", ""):
        lines.append(owner.address)
    if ru_details:
        ids = [L["inn"].format(inn=owner.inn)] if owner.inn else []
        ids += [L["kpp"].format(kpp=owner.kpp)] if owner.kpp else []
        lines += [", ".join(ids)] if ids else []
        if owner.bank_account:
            lines.append(L["account"].format(account=owner.bank_account))
        if owner.bank_name:
            lines.append(L["bank"].format(bank=owner.bank_name))
        if owner.bic:
            lines.append(L["bic"].format(bic=owner.bic))
        if owner.corr_account:
            lines.append(L["corr_account"].format(account=owner.corr_account))
    else:
        lines += [L["tax_id"].format(tax_id=owner.tax_id)] if owner.tax_id else []
        if owner.iban:
            lines.append(L["iban"].format(iban=owner.iban))
        bank = [owner.bank_name] if owner.bank_name else []
        bank += [L["bic"].format(bic=owner.bic)] if owner.bic else []
        lines += [", ".join(bank)] if bank else []
    return tuple(lines)


def act_content(act: CommissionAct) -> ActContent:
    L = LABELS[act_language(act)]
    tenant = act.tenant
    first = format_date(act.period.first_day, tenant)
    last = format_date(act.period.last_day, tenant)
    ru_details = tenant.country.uses_ru_bank_details

    def amount(minor: int) -> str:
        return format_amount(minor, tenant)

    rows = [
        (
            format_date(r.day, tenant),
            r.number,
            str(r.count),
            amount(r.gross),
            amount(r.commission),
            amount(r.net),
        )
        for r in act.registries
    ]
    rows.append(
        (
            L["total"],
            "",
            str(act.count),
            amount(act.gross),
            amount(act.commission),
            amount(act.net),
        )
    )
    return ActContent(
        title=L["title"].format(number=act.number),
        dated=L["dated"].format(date=format_date(act.issued_on, tenant)),
        period=L["period"].format(first=first, last=last),
        parties=(
            (L["agent"], _party_lines(tenant, L, ru_details=ru_details)),
            (L["principal"], _party_lines(act.supplier, L, ru_details=ru_details)),
        ),
        body=L["body"].format(first=first, last=last),
        header=tuple(L[k] for k in ("day", "registry", "payments", "gross", "commission", "net")),
        rows=tuple(rows),
        summary=(
            (L["collected"], format_currency(act.gross, tenant)),
            (L["withheld"], format_currency(act.commission, tenant)),
            (L["due"], format_currency(act.net, tenant)),
        ),
        closing=L["closing"],
        signatures=(L["for_agent"], L["for_principal"]),
        footer=L["footer"].format(
            number=act.number, agent=tenant.name, principal=act.supplier.name
        ),
    )


def act_filename(act: CommissionAct, file_format: str) -> str:
    return f"{act.tenant.code}-{act.period.code}-act-{act.supplier.code}.{file_format}"


def commission_act_file(
    *, tenant: Tenant, supplier: Supplier, period: str, file_format: str
) -> ExportFile:
    """The supplier's act for `period` (YYYY-MM) as `docx` or `pdf`. ApplicationError for a
    bad period, an unknown format, or a supplier without a registry in the period."""
    if file_format not in ACT_FORMATS:
        raise ApplicationError(
            f"a commission act is docx or pdf, not {file_format!r}",
            code="unknown_file",
            status_code=404,
        )
    act = commission_act(tenant=tenant, supplier=supplier, period=period_of(tenant, period))
    if file_format == "docx":
        return ExportFile(act_docx(act), act_filename(act, "docx"), DOCX_CONTENT_TYPE)
    return ExportFile(act_pdf(act), act_filename(act, "pdf"), PDF_CONTENT_TYPE)


# --- DOCX ----------------------------------------------------------------------------------------


def act_docx(act: CommissionAct) -> bytes:
    content = act_content(act)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = heading.add_run(content.title)
    title.bold, title.font.size = True, Pt(14)
    for text in (content.dated, content.period):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    parties = document.add_table(rows=1, cols=2)
    for cell, (label, lines) in zip(parties.rows[0].cells, content.parties, strict=True):
        cell.paragraphs[0].add_run(label).bold = True
        for line in lines:
            cell.add_paragraph(line)
    document.add_paragraph(content.body)
    _docx_registries(document, content)
    for label, value in content.summary:
        paragraph = document.add_paragraph(f"{label}: ")
        paragraph.add_run(value).bold = True
    document.add_paragraph(content.closing)
    signatures = document.add_table(rows=2, cols=2)
    for column, label in enumerate(content.signatures):
        signatures.cell(0, column).paragraphs[0].add_run(label).bold = True
        signatures.cell(1, column).text = _SIGNATURE
    section.footer.paragraphs[0].text = content.footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_registries(document, content: ActContent) -> None:
    table = document.add_table(rows=1, cols=len(content.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, content.header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for index, row in enumerate(content.rows):
        cells = table.add_row().cells
        for column, text in enumerate(row):
            run = cells[column].paragraphs[0].add_run(text)
            run.bold = index == len(content.rows) - 1
            if column >= 2:
                cells[column].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


# --- PDF -----------------------------------------------------------------------------------------

_MARGIN = 18 * mm
_WIDTH = A4[0] - 2 * _MARGIN


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def act_pdf(act: CommissionAct) -> bytes:
    content = act_content(act)
    register_fonts()
    base = ParagraphStyle("act", fontName=REGULAR, fontSize=9.5, leading=12.5, textColor=INK)
    centred = ParagraphStyle("centred", parent=base, alignment=TA_CENTER)
    title = ParagraphStyle("title", parent=centred, fontName=BOLD, fontSize=14, leading=18)
    bold = ParagraphStyle("bold", parent=base, fontName=BOLD)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    story = [
        Paragraph(_escape(content.title), title),
        Paragraph(_escape(content.dated), centred),
        Paragraph(_escape(content.period), centred),
        Spacer(1, 5 * mm),
        _pdf_parties(content, base, bold),
        Spacer(1, 4 * mm),
        Paragraph(_escape(content.body), base),
        Spacer(1, 3 * mm),
        _pdf_registries(content),
        Spacer(1, 4 * mm),
    ]
    summary = Table(
        [[Paragraph(_escape(k), base), Paragraph(_escape(v), right)] for k, v in content.summary],
        colWidths=[_WIDTH * 0.6, _WIDTH * 0.4],
    )
    summary.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), BOLD, 9.5)]))
    story += [summary, Spacer(1, 4 * mm), Paragraph(_escape(content.closing), base)]
    story += [Spacer(1, 10 * mm), _pdf_signatures(content, bold, base)]
    return _pdf_build(story, content, act)


def _pdf_parties(content: ActContent, base, bold) -> Table:
    cells = [
        [Paragraph(_escape(label), bold)] + [Paragraph(_escape(line), base) for line in lines]
        for label, lines in content.parties
    ]
    table = Table([cells], colWidths=[_WIDTH / 2, _WIDTH / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _pdf_registries(content: ActContent) -> Table:
    rows = [list(content.header), *[list(row) for row in content.rows]]
    widths = [_WIDTH * w for w in (0.14, 0.26, 0.11, 0.17, 0.15, 0.17)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 8.5),
                ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
                ("FONT", (0, -1), (-1, -1), BOLD, 8.5),
                ("TEXTCOLOR", (0, 0), (-1, 0), SOFT),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE),
            ]
        )
    )
    return table


def _pdf_signatures(content: ActContent, bold, base) -> Table:
    rows = [
        [Paragraph(_escape(label), bold) for label in content.signatures],
        [Paragraph(_SIGNATURE, base), Paragraph(_SIGNATURE, base)],
    ]
    table = Table(rows, colWidths=[_WIDTH / 2, _WIDTH / 2])
    table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, 1), 8 * mm)]))
    return table


def _pdf_build(story: list, content: ActContent, act: CommissionAct) -> bytes:
    def decorate(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColorRGB(*SOFT)
        canvas.drawString(_MARGIN, _MARGIN - 14, content.footer)
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=content.title,
        author=act.tenant.name,
        creator="Unibill",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
