"""Legal documents of a debt case: the pre-trial claim letter and the application for a court
order, as DOCX letters made with python-docx from templates staff may edit.

A template's body is Django-template text; its blank-line separated paragraphs become the
letter's paragraphs, and a paragraph that is just `{{ table }}` is where the court order's
per-period table goes (at the end of the body when the template has none). The text is
rendered by an engine of its own with no template loaders, so an edited body can use the
placeholders and the built-in tags and filters but cannot include files.

The table's charged, paid and debt come from the account's open items and their clearings as of
the document date; "paid" is everything that cleared the charge (payments, advances applied,
write-offs, recalculations), so charged − paid = debt on every row. Penalties come from
`debt_collection.services.penalties.account_penalty_calculation` as of the same date."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from core.dates import format_date
from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    set_widths,
    workbook_bytes,
)
from core.errors import ApplicationError
from core.i18n import Texts
from core.money import NBSP, format_amount, format_currency, format_decimal, to_major
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseStage,
    DebtCase,
    DocumentKind,
    DocumentLanguage,
    DocumentTemplate,
    LegalDocument,
)
from warehouse.models import Account, AuditEvent, OpenItem, OpenItemKind, Tenant

TABLE_MARKER = "[[table]]"
_SPACES = re.compile(r"[ \t\r\n]+")  # not str.split(): no-break spaces stay
_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], autoescape=False)

# --- default templates ------------------------------------------------------------------------

_DEFAULTS = {
    (DocumentKind.PRE_TRIAL, DocumentLanguage.RU): (
        "Досудебная претензия",
        """Уважаемый(ая) {{ debtor }}!

По лицевому счёту № {{ account }} (адрес: {{ debtor_address }}) за период {{ periods }} \
образовалась задолженность по оплате жилищно-коммунальных услуг в размере {{ debt_total }}\
{% if has_penalty %}; на неё начислены пени в размере {{ penalty_total }} (ч. 14 ст. 155 \
Жилищного кодекса РФ){% endif %}.

Согласно ст. 153 и 155 Жилищного кодекса РФ плата за жилое помещение и коммунальные услуги \
вносится своевременно и полностью. Просим погасить задолженность в течение десяти дней со дня \
получения настоящей претензии по реквизитам {{ creditor }}.

Если задолженность не будет погашена, {{ creditor }} обратится в суд с заявлением о вынесении \
судебного приказа о взыскании задолженности, пеней и судебных расходов.

Итого к оплате: {{ claim_total }}.""",
    ),
    (DocumentKind.COURT_ORDER, DocumentLanguage.RU): (
        "Заявление о вынесении судебного приказа",
        """{{ creditor }} осуществляет начисление и приём платы за жилищно-коммунальные услуги. \
Должник {{ debtor }}, пользующийся помещением по адресу: {{ debtor_address }} (лицевой счёт \
№ {{ account }}), не исполнил обязанность по внесению платы за период {{ periods }}.

По состоянию на {{ date }} задолженность составляет {{ debt_total }}, пени по ч. 14 ст. 155 \
Жилищного кодекса РФ — {{ penalty_total }}. Расчёт по периодам и поставщикам услуг:

{{ table }}

На основании изложенного, руководствуясь ст. 121–124 Гражданского процессуального кодекса РФ, \
ст. 153 и 155 Жилищного кодекса РФ, прошу вынести судебный приказ о взыскании с {{ debtor }} \
в пользу {{ creditor }} задолженности в размере {{ debt_total }}, пеней в размере \
{{ penalty_total }}{% if has_state_fee %}, а также расходов по уплате государственной пошлины в \
размере {{ state_fee }}{% endif %}, всего {{ claim_total }}.

Приложения: расчёт задолженности и пеней; документ об уплате государственной пошлины; выписка \
по лицевому счёту.""",
    ),
    (DocumentKind.PRE_TRIAL, DocumentLanguage.EN): (
        "Letter before action",
        """Dear {{ debtor }},

Account {{ account }} ({{ debtor_address }}) shows unpaid charges for {{ periods }} of \
{{ debt_total }}{% if has_penalty %}, on which late-payment interest of {{ penalty_total }} has \
accrued{% endif %}.

Please pay the amount due within ten days of receiving this letter to the account of \
{{ creditor }} shown above.

If the debt is not paid, {{ creditor }} will apply to the court for a payment order for the \
debt, the interest and the costs, without further notice.

Total due: {{ claim_total }}.""",
    ),
    (DocumentKind.COURT_ORDER, DocumentLanguage.EN): (
        "Application for a payment order",
        """{{ creditor }} bills and collects the utility charges of the premises at \
{{ debtor_address }} (account {{ account }}). The debtor, {{ debtor }}, has not paid the charges \
for {{ periods }}.

As of {{ date }} the debt is {{ debt_total }} and the statutory late-payment interest \
{{ penalty_total }}, computed per period and supplier as follows:

{{ table }}

The applicant asks the court to order {{ debtor }} to pay {{ creditor }} the debt of \
{{ debt_total }} and interest of {{ penalty_total }}{% if has_state_fee %}, and the court fee of \
{{ state_fee }}{% endif %}, in total {{ claim_total }}.

Enclosures: statement of the debt and interest; proof of payment of the court fee; account \
statement.""",
    ),
}


def legal_defaults() -> None:
    """The default templates (no tenant), created the first time they are needed."""
    for (kind, language), (title, body) in _DEFAULTS.items():
        DocumentTemplate.objects.get_or_create(
            tenant=None, kind=kind, language=language, defaults={"title": title, "body": body}
        )


def document_language(tenant: Tenant) -> str:
    """The language of the tenant's letters and court documents, as its country decides."""
    return DocumentLanguage(tenant.country.letter_language)


def template_for(*, tenant: Tenant, kind: str, language: str | None = None) -> DocumentTemplate:
    """The tenant's own text of the document, or the default one."""
    if kind not in DocumentKind.values:
        raise ApplicationError(f"unknown document kind {kind!r}", code="unknown_kind")
    language = language or document_language(tenant)
    own = DocumentTemplate.objects.filter(tenant=tenant, kind=kind, language=language).first()
    if own:
        return own
    legal_defaults()
    return DocumentTemplate.objects.get(tenant=None, kind=kind, language=language)


def template_check(body: str) -> None:
    try:
        _ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise ApplicationError(
            f"the template text does not compile: {exc}", code="template_syntax"
        ) from exc


def template_save(
    *, tenant: Tenant, kind: str, language: str, title: str, body: str, actor=None
) -> DocumentTemplate:
    """Stores the tenant's own text (the default stays as it is for other tenants)."""
    if kind not in DocumentKind.values or language not in DocumentLanguage.values:
        raise ApplicationError("unknown document kind or language", code="unknown_kind")
    title, body = title.strip(), body.replace("\r\n", "\n").strip()
    if not title or not body:
        raise ApplicationError("a template needs a title and a body", code="template_empty")
    template_check(body)
    with transaction.atomic():
        template, _ = DocumentTemplate.objects.update_or_create(
            tenant=tenant,
            kind=kind,
            language=language,
            defaults={"title": title, "body": body, "updated_by": actor},
        )
        AuditEvent.objects.create(
            tenant=tenant,
            actor=actor,
            action="collections.template_save",
            detail={"kind": kind, "language": language, "template": template.pk},
        )
    return template


def template_reset(*, tenant: Tenant, kind: str, language: str, actor=None) -> None:
    """Back to the default text."""
    with transaction.atomic():
        deleted, _ = DocumentTemplate.objects.filter(
            tenant=tenant, kind=kind, language=language
        ).delete()
        if deleted:
            AuditEvent.objects.create(
                tenant=tenant,
                actor=actor,
                action="collections.template_reset",
                detail={"kind": kind, "language": language},
            )


# --- the per-period table ---------------------------------------------------------------------


@dataclass(frozen=True)
class DebtRow:
    period: str
    supplier_code: str
    supplier_name: str
    charged: int
    paid: int
    debt: int
    due_date: dt.date
    days_overdue: int
    penalty: int


@dataclass
class DebtTable:
    as_of: dt.date
    rows: list[DebtRow] = field(default_factory=list)
    penalty_total: int = 0
    # The day-by-day calculation: (period, supplier name, line), each line naming the act that
    # set its rate (`Line.rate_source`).
    penalty_lines: list[tuple] = field(default_factory=list)

    @property
    def charged(self) -> int:
        return sum(r.charged for r in self.rows)

    @property
    def paid(self) -> int:
        return sum(r.paid for r in self.rows)

    @property
    def debt(self) -> int:
        return sum(r.debt for r in self.rows)

    @property
    def periods(self) -> list[str]:
        return sorted({r.period for r in self.rows})


def _end_of(day: dt.date, tenant: Tenant) -> dt.datetime:
    """The first instant after `day`, in the tenant's time zone."""
    zone = ZoneInfo(tenant.timezone or "UTC")
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def penalties_by_item(
    *, account: Account, as_of: dt.date
) -> tuple[dict[tuple[str, str], int], int, list[tuple]]:
    """{(period, supplier code): penalty}, the total, and the day-by-day lines as (period,
    supplier name, line), from the penalty calculation."""
    from debt_collection.services.penalties import account_penalty_calculation

    calculation = account_penalty_calculation(account=account, as_of=as_of)
    by_item: dict[tuple[str, str], int] = {}
    lines = []
    for item in calculation.items:
        key = (item.period, item.supplier_code)
        by_item[key] = by_item.get(key, 0) + item.penalty
        lines.extend((item.period, item.supplier_name, line) for line in item.lines)
    return by_item, calculation.total, lines


def debt_table(*, account: Account, as_of: dt.date) -> DebtTable:
    """The account's overdue charges per period and supplier as of `as_of`, with penalties."""
    tenant = account.tenant
    cutoff = _end_of(as_of, tenant)
    # Clearings are summed per item (a grouped join would count an item once per clearing),
    # then items are grouped per period and supplier here.
    items = (
        OpenItem.objects.filter(account=account, kind=OpenItemKind.CHARGES, due_date__lt=as_of)
        .annotate(
            cleared=Coalesce(
                Sum("clearings__amount", filter=Q(clearings__cleared_at__lt=cutoff)), 0
            )
        )
        .values("period", "supplier__code", "supplier__name", "amount", "cleared", "due_date")
        .order_by("period", "supplier__code", "pk")
    )
    groups: dict[tuple[str, str], dict] = {}
    for item in items:
        key = (item["period"], item["supplier__code"])
        group = groups.setdefault(
            key,
            {"name": item["supplier__name"], "charged": 0, "cleared": 0, "due": item["due_date"]},
        )
        group["charged"] += item["amount"]
        group["cleared"] += item["cleared"]
        group["due"] = min(group["due"], item["due_date"])
    penalties, penalty_total, lines = penalties_by_item(account=account, as_of=as_of)
    table = DebtTable(as_of=as_of, penalty_total=penalty_total, penalty_lines=lines)
    for (period, code), group in sorted(groups.items()):
        debt = group["charged"] - group["cleared"]
        penalty = penalties.get((period, code), 0)
        if debt <= 0 and penalty <= 0:
            continue
        table.rows.append(
            DebtRow(
                period=period,
                supplier_code=code,
                supplier_name=group["name"],
                charged=group["charged"],
                paid=group["cleared"],
                debt=debt,
                due_date=group["due"],
                days_overdue=(as_of - group["due"]).days,
                penalty=penalty,
            )
        )
    # A penalty on an item paid in full still belongs to the claim: its row stays (debt 0).
    table.penalty_total = max(table.penalty_total, sum(r.penalty for r in table.rows))
    return table


# --- the letter -------------------------------------------------------------------------------

_LABELS = Texts(
    {
        "creditor": pgettext_lazy("court document", "Applicant (creditor)"),
        "creditor_pre_trial": pgettext_lazy("court document", "From"),
        "debtor": pgettext_lazy("court document", "Debtor"),
        "account": pgettext_lazy("court document", "account"),
        "claim": pgettext_lazy("court document", "Amount claimed"),
        "state_fee": pgettext_lazy("court document", "Court fee"),
        "table_title": pgettext_lazy("court document", "Debt and interest as of {date}"),
        "lines_title": pgettext_lazy("court document", "Interest day by day"),
        "line_columns": [
            pgettext_lazy("court document column", "Period"),
            pgettext_lazy("court document column", "Supplier"),
            pgettext_lazy("court document column", "From"),
            pgettext_lazy("court document column", "To"),
            pgettext_lazy("court document column", "Days"),
            pgettext_lazy("court document column", "Debt"),
            pgettext_lazy("court document column", "Rate, %"),
            pgettext_lazy("court document column", "Fraction"),
            pgettext_lazy("court document column", "Interest"),
            pgettext_lazy("court document column", "Basis of the rate"),
        ],
        "columns": [
            pgettext_lazy("court document column", "Period"),
            pgettext_lazy("court document column", "Supplier"),
            pgettext_lazy("court document column", "Charged"),
            pgettext_lazy("court document column", "Paid"),
            pgettext_lazy("court document column", "Debt"),
            pgettext_lazy("court document column", "Due date"),
            pgettext_lazy("court document column", "Days overdue"),
            pgettext_lazy("court document column", "Interest"),
        ],
        "total": pgettext_lazy("court document", "Total"),
        "currency_note": pgettext_lazy("court document", "Amounts in {currency}"),
        "date": pgettext_lazy("court document", "Date"),
        "signature": pgettext_lazy(
            "court document", "Signature ____________________ / ____________________ /"
        ),
        "bank": pgettext_lazy("court document", "Bank details"),
        "tax": {
            "inn": pgettext_lazy("tax id", "INN"),
            "kpp": pgettext_lazy("tax id", "KPP"),
            "tax_id": pgettext_lazy("tax id", "Tax ID"),
        },
    }
)


def _view(tenant: Tenant, language: str) -> SimpleNamespace:
    """What core.money's formatters read (profile, locale, currency), speaking `language`."""
    return SimpleNamespace(
        profile=tenant.profile,
        locale=language,
        currency=tenant.currency,
    )


def _tax_ids(tenant: Tenant, labels: dict) -> str:
    parts = []
    for name in ("inn", "kpp", "tax_id"):
        value = getattr(tenant, name)
        if value and not (name == "tax_id" and tenant.inn):
            parts.append(f"{labels['tax'][name]} {value}")
    return ", ".join(parts)


def _bank(tenant: Tenant, language: str) -> str:
    if tenant.iban:
        parts = [f"IBAN {tenant.iban}"] + ([f"BIC {tenant.bic}"] if tenant.bic else [])
        return " · ".join(parts + ([tenant.bank_name] if tenant.bank_name else []))
    parts = [f"р/с {tenant.bank_account}"] if tenant.bank_account else []
    parts += [tenant.bank_name] if tenant.bank_name else []
    parts += [f"БИК {tenant.bic}"] if tenant.bic else []
    parts += [f"к/с {tenant.corr_account}"] if tenant.corr_account else []
    return ", ".join(parts)


def _periods_text(periods: list[str], language: str) -> str:
    def one(period: str) -> str:
        year, month = period.split("-")
        return f"{month}.{year}" if language == "ru" else period

    if not periods:
        return "—"
    if len(periods) == 1:
        return one(periods[0])
    return f"{one(periods[0])}{NBSP}–{NBSP}{one(periods[-1])}"


@dataclass(frozen=True)
class DocumentContent:
    """Everything the letter says, before it is laid out."""

    kind: str
    language: str
    title: str
    paragraphs: list[str]  # TABLE_MARKER where the table goes
    addressee: str
    creditor_lines: list[str]
    debtor_lines: list[str]
    claim_lines: list[str]
    table: DebtTable
    state_fee: int
    document_date: dt.date
    view: SimpleNamespace


def document_content(
    *, case: DebtCase, kind: str, document_date: dt.date, addressee: str = "", state_fee: int = 0
) -> DocumentContent:
    tenant, account = case.tenant, case.account
    language = document_language(tenant)
    labels, view = _LABELS[language], _view(tenant, language)
    template = template_for(tenant=tenant, kind=kind, language=language)
    table = debt_table(account=account, as_of=document_date)
    claim = table.debt + table.penalty_total + state_fee
    address = str(account.premises)
    context = {
        "creditor": tenant.name,
        "creditor_tax_ids": _tax_ids(tenant, labels),
        "creditor_address": tenant.address,
        "creditor_bank": _bank(tenant, language),
        "debtor": account.payer_name,
        "debtor_address": address,
        "account": account.account_number,
        "periods": _periods_text(table.periods, language),
        "debt_total": format_currency(table.debt, view),
        "penalty_total": format_currency(table.penalty_total, view),
        "state_fee": format_currency(state_fee, view),
        "claim_total": format_currency(claim, view),
        "has_penalty": table.penalty_total > 0,
        "has_state_fee": state_fee > 0,
        "date": format_date(document_date, view),
        "addressee": addressee,
        "table": TABLE_MARKER,
    }
    try:
        text = _ENGINE.from_string(template.body).render(Context(context, autoescape=False))
        title = _ENGINE.from_string(template.title).render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise ApplicationError(
            f"the template text does not compile: {exc}", code="template_syntax"
        ) from exc
    paragraphs = [_SPACES.sub(" ", p).strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    if kind == DocumentKind.COURT_ORDER and TABLE_MARKER not in paragraphs:
        paragraphs.append(TABLE_MARKER)
    if kind != DocumentKind.COURT_ORDER:
        paragraphs = [p for p in paragraphs if p != TABLE_MARKER]

    creditor_lines = [
        line
        for line in (
            tenant.name,
            _tax_ids(tenant, labels),
            tenant.address,
            f"{labels['bank']}: {_bank(tenant, language)}" if _bank(tenant, language) else "",
        )
        if line
    ]
    debtor_lines = [account.payer_name, address, f"{labels['account']} {account.account_number}"]
    claim_lines = []
    if kind == DocumentKind.COURT_ORDER:
        # The value of the claim is the debt and the penalty; the state fee is a court cost
        # recovered on top of it, not part of it.
        value = table.debt + table.penalty_total
        claim_lines.append(f"{labels['claim']}: {format_currency(value, view)}")
        if state_fee:
            claim_lines.append(f"{labels['state_fee']}: {format_currency(state_fee, view)}")
    return DocumentContent(
        kind=kind,
        language=language,
        title=_SPACES.sub(" ", title).strip(),
        paragraphs=paragraphs,
        addressee=addressee.strip(),
        creditor_lines=creditor_lines,
        debtor_lines=debtor_lines,
        claim_lines=claim_lines,
        table=table,
        state_fee=state_fee,
        document_date=document_date,
        view=view,
    )


def render_legal_docx(content: DocumentContent) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    labels, view = _LABELS[content.language], content.view
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(0)

    def block(text: str, *, bold=False, size=None, indent=True):
        paragraph = document.add_paragraph()
        if indent:
            paragraph.paragraph_format.left_indent = Mm(85)
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        return paragraph

    if content.addressee:
        block(content.addressee, bold=True)
        block("")
    creditor_label = (
        labels["creditor"]
        if content.kind == DocumentKind.COURT_ORDER
        else labels["creditor_pre_trial"]
    )
    block(f"{creditor_label}:", bold=True)
    for line in content.creditor_lines:
        block(line, size=10)
    block("")
    block(f"{labels['debtor']}:", bold=True)
    for line in content.debtor_lines:
        block(line, size=10)
    if content.claim_lines:
        block("")
        for line in content.claim_lines:
            block(line, bold=True, size=10)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(18)
    title.paragraph_format.space_after = Pt(12)
    run = title.add_run(content.title)
    run.bold = True
    run.font.size = Pt(14)

    for text in content.paragraphs:
        if text == TABLE_MARKER:
            _table(document, content, labels, view)
            continue
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Mm(12.5)
        paragraph.paragraph_format.space_after = Pt(6)
        paragraph.paragraph_format.line_spacing = 1.15

    closing = document.add_paragraph()
    closing.paragraph_format.space_before = Pt(18)
    closing.add_run(f"{labels['date']}: {format_date(content.document_date, view)}")
    document.add_paragraph().add_run(labels["signature"])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document, content: DocumentContent, labels: dict, view) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    table_data = content.table
    heading = document.add_paragraph()
    heading.paragraph_format.space_before = Pt(6)
    heading.paragraph_format.space_after = Pt(3)
    run = heading.add_run(
        labels["table_title"].format(date=format_date(table_data.as_of, view))
        + f" ({labels['currency_note'].format(currency=view.currency)})"
    )
    run.bold = True
    run.font.size = Pt(10)

    numeric = {2, 3, 4, 6, 7}
    widths = [Mm(15), Mm(33), Mm(21), Mm(21), Mm(21), Mm(20), Mm(19), Mm(20)]  # 170 mm
    table = document.add_table(rows=1, cols=8)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice lays out by; cells get theirs in fill()

    def fill(cell, text: str, column: int, *, bold=False, size=8.5):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if column in numeric else None
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        cell.width = widths[column]

    for column, name in enumerate(labels["columns"]):
        cell = table.rows[0].cells[column]
        fill(cell, name, column, bold=True, size=8)
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "E6EBF0")
        cell._tc.get_or_add_tcPr().append(shading)
    for row in table_data.rows:
        year, month = row.period.split("-")
        period = f"{month}.{year}" if content.language == "ru" else row.period
        cells = [
            period,
            row.supplier_name,
            format_amount(row.charged, view),
            format_amount(row.paid, view),
            format_amount(row.debt, view),
            format_date(row.due_date, view)
            if content.language == "ru"
            else row.due_date.isoformat(),
            str(row.days_overdue),
            format_amount(row.penalty, view),
        ]
        for column, (cell, text) in enumerate(zip(table.add_row().cells, cells, strict=True)):
            fill(cell, text, column)
    totals = [
        labels["total"],
        "",
        format_amount(table_data.charged, view),
        format_amount(table_data.paid, view),
        format_amount(table_data.debt, view),
        "",
        "",
        format_amount(table_data.penalty_total, view),
    ]
    for column, (cell, text) in enumerate(zip(table.add_row().cells, totals, strict=True)):
        fill(cell, text, column, bold=True)
    document.add_paragraph().paragraph_format.space_after = Pt(6)
    if table_data.penalty_lines:
        _penalty_lines_table(document, content, labels, view)


def _penalty_lines_table(document, content: DocumentContent, labels: dict, view) -> None:
    """The penalty day by day: each run of days with its base, rate, fraction and amount, and
    the act that set the rate (a key-rate decision, or the Government's resolution)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm, Pt

    heading = document.add_paragraph()
    heading.paragraph_format.space_after = Pt(3)
    run = heading.add_run(labels["lines_title"])
    run.bold = True
    run.font.size = Pt(10)
    widths = [Mm(14), Mm(24), Mm(17), Mm(17), Mm(10), Mm(18), Mm(12), Mm(12), Mm(16), Mm(30)]
    table = document.add_table(rows=1, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False

    def fill(cell, text: str, column: int, *, bold=False):
        run = cell.paragraphs[0].add_run(text)
        run.bold = bold
        run.font.size = Pt(7.5)
        cell.width = widths[column]

    for column, name in enumerate(labels["line_columns"]):
        fill(table.rows[0].cells[column], name, column, bold=True)
    for period, supplier, line in content.table.penalty_lines:
        year, month = period.split("-")
        ru = content.language == "ru"
        dates = (format_date(line.date_from, view), format_date(line.date_to, view))
        cells = [
            f"{month}.{year}" if ru else period,
            supplier,
            *(dates if ru else (line.date_from.isoformat(), line.date_to.isoformat())),
            str(line.days),
            format_amount(line.base, view),
            format_decimal(line.rate_percent, view),
            line.fraction,
            format_amount(int(line.amount_rounded), view),
            line.rate_source or line.note,
        ]
        for column, (cell, text) in enumerate(zip(table.add_row().cells, cells, strict=True)):
            fill(cell, text, column)
    document.add_paragraph().paragraph_format.space_after = Pt(6)


# --- generating and keeping a document --------------------------------------------------------


def document_generate(
    *,
    case: DebtCase,
    kind: str,
    actor=None,
    addressee: str = "",
    state_fee: int = 0,
    document_date: dt.date | None = None,
) -> LegalDocument:
    """Makes the document, keeps its file and writes the case event. A pre-trial claim moves a
    case still worked in the queue to the pre-trial stage."""
    if kind not in DocumentKind.values:
        raise ApplicationError(f"unknown document kind {kind!r}", code="unknown_kind")
    if case.stage == CaseStage.CLOSED:
        raise ApplicationError("the case is closed", code="case_closed", status_code=409)
    if state_fee < 0:
        raise ApplicationError("the state fee cannot be negative", code="negative_fee")
    if state_fee and kind != DocumentKind.COURT_ORDER:
        raise ApplicationError(
            "a state fee belongs to the court application, not to a claim letter",
            code="fee_not_claimed",
        )
    if kind == DocumentKind.COURT_ORDER and not addressee.strip():
        raise ApplicationError("name the court the application goes to", code="no_addressee")
    zone = ZoneInfo(case.tenant.timezone or "UTC")
    document_date = document_date or timezone.localdate(timezone=zone)
    content = document_content(
        case=case,
        kind=kind,
        document_date=document_date,
        addressee=addressee,
        state_fee=state_fee,
    )
    if not content.table.rows:
        raise ApplicationError(
            "the account has no overdue debt to claim", code="no_debt", status_code=409
        )
    data = render_legal_docx(content)
    now = timezone.now()
    with transaction.atomic():
        document = LegalDocument(
            tenant=case.tenant,
            case=case,
            kind=kind,
            title=content.title[:200],
            addressee=content.addressee[:300],
            document_date=document_date,
            debt_total=content.table.debt,
            penalty_total=content.table.penalty_total,
            state_fee=state_fee,
            created_by=actor,
            created_at=now,
        )
        name = f"{kind}-{case.account.account_number}-{document_date:%Y%m%d}.docx"
        document.file.save(name, ContentFile(data), save=False)
        document.save()
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.DOCUMENT,
            note=content.title,
            detail={"document": document.pk, "kind": kind, "claim": document.claim_total},
            actor=actor,
            at=now,
        )
        if kind == DocumentKind.PRE_TRIAL and case.stage == CaseStage.QUEUE:
            old = case.stage
            case.stage = CaseStage.PRE_TRIAL
            case.save(update_fields=["stage"])
            CaseEvent.objects.create(
                case=case,
                kind=CaseEventKind.STAGE,
                detail={"from": old, "to": CaseStage.PRE_TRIAL},
                actor=actor,
                at=now,
            )
        AuditEvent.objects.create(
            tenant=case.tenant,
            actor=actor,
            action="collections.document_generate",
            detail={"case": case.pk, "document": document.pk, "kind": kind},
        )
    return document


__all__ = [
    "DebtRow",
    "DebtTable",
    "DocumentContent",
    "debt_table",
    "document_content",
    "document_generate",
    "legal_defaults",
    "render_legal_docx",
    "template_for",
    "template_reset",
    "template_save",
    "case_list_xlsx",
]


# --- the case list for a court or an agency ---------------------------------------------------


def case_list_xlsx(*, cases, as_of: dt.date) -> bytes:
    """One row per case: account, payer, address, open debt per supplier, penalties as of
    `as_of`, stage, and the latest court proceeding's number, award and collections. Debts are
    one grouped query; penalties are computed per account (the calculation is per account)."""
    from debt_collection.models import CourtProceeding

    cases = list(cases.select_related("account__premises__building"))
    account_ids = [c.account_id for c in cases]
    debts: dict[int, dict[str, int]] = {}
    suppliers: dict[str, str] = {}
    for row in (
        OpenItem.objects.filter(account_id__in=account_ids, open_amount__gt=0)
        .values("account_id", "supplier__code", "supplier__name")
        .annotate(total=Sum("open_amount"))
        .order_by("supplier__code")
    ):
        suppliers[row["supplier__code"]] = row["supplier__name"]
        debts.setdefault(row["account_id"], {})[row["supplier__code"]] = row["total"]
    latest: dict[int, CourtProceeding] = {}
    for proceeding in CourtProceeding.objects.filter(case__in=cases).order_by("filed_on", "pk"):
        latest[proceeding.case_id] = proceeding
    codes = sorted(suppliers)

    book = new_workbook()
    sheet = add_sheet(book, "cases")
    header = ["Account", "Payer", "Address"]
    header += [f"Debt: {suppliers[code]}" for code in codes]
    header += ["Debt total", "Penalties", "Stage", "Court", "Court case number", "Awarded"]
    header += ["Collected"]
    header_row(sheet, header)

    def money(amount):
        return None if amount is None else to_major(amount)

    for case in cases:
        account = case.account
        per_supplier = debts.get(account.pk, {})
        _, penalty, _ = penalties_by_item(account=account, as_of=as_of)
        proceeding = latest.get(case.pk)
        append_row(
            sheet,
            [
                account.account_number,
                account.payer_name,
                str(account.premises),
                *[money(per_supplier.get(code, 0)) for code in codes],
                money(sum(per_supplier.values())),
                money(penalty),
                case.get_stage_display(),
                proceeding.court_name if proceeding else "",
                proceeding.case_number if proceeding else "",
                money(proceeding.amount_awarded) if proceeding else None,
                money(proceeding.amount_collected) if proceeding else None,
            ],
        )
    number_format(sheet, min_row=2, min_col=4, max_col=len(header))
    set_widths(sheet, [14, 28, 40] + [16] * (len(header) - 3))
    return workbook_bytes(book)
