"""Everything a legal document says, before it is laid out: the template rendered with the
case's placeholders (parties, periods, totals) and split into paragraphs, the parties' blocks
and the amounts claimed. `docx_rendering` lays it out; the same content could feed another
format."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.template import Context, TemplateSyntaxError
from django.utils.translation import pgettext_lazy

from core.dates import format_date
from core.errors import ApplicationError
from core.i18n import Texts
from core.money import NBSP, format_currency
from debt_collection.models import DebtCase, DocumentKind, DocumentTemplate
from debt_collection.services.legal_documents.debt_table import DebtTable, debt_table
from debt_collection.services.legal_documents.templates import (
    ENGINE,
    document_language,
    template_for,
)
from warehouse.models import Account, Tenant

TABLE_MARKER = "[[table]]"
_SPACES = re.compile(r"[ \t\r\n]+")  # not str.split(): no-break spaces stay

LABELS = Texts(
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
    """What the `kind` of document for `case` says on `document_date`: the tenant's template
    (or the default) rendered over the debt table as of that date."""
    tenant, account = case.tenant, case.account
    language = document_language(tenant)
    labels, view = LABELS[language], _view(tenant, language)
    template = template_for(tenant=tenant, kind=kind, language=language)
    table = debt_table(account=account, as_of=document_date)
    address = str(account.premises)
    context = _placeholders(
        tenant=tenant,
        account=account,
        address=address,
        table=table,
        language=language,
        labels=labels,
        view=view,
        state_fee=state_fee,
        document_date=document_date,
        addressee=addressee,
    )
    title, text = _render(template, context)
    return DocumentContent(
        kind=kind,
        language=language,
        title=_SPACES.sub(" ", title).strip(),
        paragraphs=_paragraphs(text, kind),
        addressee=addressee.strip(),
        creditor_lines=_creditor_lines(tenant, labels, language),
        debtor_lines=[account.payer_name, address, f"{labels['account']} {account.account_number}"],
        claim_lines=_claim_lines(kind, table, state_fee, labels, view),
        table=table,
        state_fee=state_fee,
        document_date=document_date,
        view=view,
    )


def _placeholders(
    *,
    tenant: Tenant,
    account: Account,
    address: str,
    table: DebtTable,
    language: str,
    labels: dict,
    view: SimpleNamespace,
    state_fee: int,
    document_date: dt.date,
    addressee: str,
) -> dict:
    """What a template's `{{ … }}` may name."""
    claim = table.debt + table.penalty_total + state_fee
    return {
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


def _render(template: DocumentTemplate, context: dict) -> tuple[str, str]:
    """(title, body) of the template; a text that does not compile is the staff's to fix."""
    try:
        text = ENGINE.from_string(template.body).render(Context(context, autoescape=False))
        title = ENGINE.from_string(template.title).render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise ApplicationError(
            f"the template text does not compile: {exc}", code="template_syntax"
        ) from exc
    return title, text


def _paragraphs(text: str, kind: str) -> list[str]:
    """The body's blank-line separated paragraphs, whitespace folded; the court order always
    has its table (at the end when the template has no place for it), a letter never."""
    paragraphs = [_SPACES.sub(" ", p).strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    if kind == DocumentKind.COURT_ORDER and TABLE_MARKER not in paragraphs:
        paragraphs.append(TABLE_MARKER)
    if kind != DocumentKind.COURT_ORDER:
        paragraphs = [p for p in paragraphs if p != TABLE_MARKER]
    return paragraphs


def _creditor_lines(tenant: Tenant, labels: dict, language: str) -> list[str]:
    return [
        line
        for line in (
            tenant.name,
            _tax_ids(tenant, labels),
            tenant.address,
            f"{labels['bank']}: {_bank(tenant, language)}" if _bank(tenant, language) else "",
        )
        if line
    ]


def _claim_lines(
    kind: str, table: DebtTable, state_fee: int, labels: dict, view: SimpleNamespace
) -> list[str]:
    claim_lines = []
    if kind == DocumentKind.COURT_ORDER:
        # The value of the claim is the debt and the penalty; the state fee is a court cost
        # recovered on top of it, not part of it.
        value = table.debt + table.penalty_total
        claim_lines.append(f"{labels['claim']}: {format_currency(value, view)}")
        if state_fee:
            claim_lines.append(f"{labels['state_fee']}: {format_currency(state_fee, view)}")
    return claim_lines
