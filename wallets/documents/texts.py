"""The printed words of the wallet's documents, marked for gettext (locale/<lang>/LC_MESSAGES)
and read in the language the tenant's country writes such papers in — its own (Russian for RU),
else English — and how amounts, dates and times are written there (`core.money`, `core.dates`,
in the tenant's notation and time zone). The English text is the source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from core.dates import format_date
from core.i18n import Texts
from core.money import format_amount, format_currency
from wallets.models import MovementKind
from warehouse.models import Tenant

LABELS = Texts(
    {
        # the coupon
        "coupon": pgettext_lazy("wallet document", "Payment coupon"),
        "coupon_sub": pgettext_lazy("wallet document", "Prepaid from the payer's wallet"),
        "usage": pgettext_lazy("wallet document", "Record of use (office)"),
        "usage_fields": (
            pgettext_lazy("wallet document", "Case reference"),
            pgettext_lazy("wallet document", "Date"),
            pgettext_lazy("wallet document", "Clerk, signature"),
        ),
        "fee": pgettext_lazy("wallet document", "Fee"),
        "code": pgettext_lazy("wallet document", "code"),
        "amount": pgettext_lazy("wallet document", "Amount"),
        "identifier": pgettext_lazy("wallet document", "Coupon number"),
        "payer": pgettext_lazy("wallet document", "Payer"),
        "payer_tax_id": pgettext_lazy("wallet document", "Tax ID"),
        "office": pgettext_lazy("wallet document", "Present at"),
        "issued": pgettext_lazy("wallet document", "Issued"),
        "valid_until": pgettext_lazy("wallet document", "Valid until (inclusive)"),
        "batch": pgettext_lazy("wallet document", "Batch"),
        "clerk": pgettext_lazy("wallet document", "For the clerk"),
        "clerk_text": pgettext_lazy(
            "wallet document",
            "Scan the QR code or type the number at {office}; the coupon pays once. Check it is "
            "valid before performing the service, then report its use with your case reference.",
        ),
        "qr_caption": pgettext_lazy(
            "wallet document", "The QR code carries the coupon number only."
        ),
        "footer": pgettext_lazy(
            "wallet document", "Coupon {identifier} · batch {batch} · {operator}"
        ),
        # the operator's tax ids in the header
        "operator_inn": pgettext_lazy("wallet document", "INN {inn}"),
        "operator_kpp": pgettext_lazy("wallet document", "KPP {kpp}"),
        "operator_tax_id": pgettext_lazy("wallet document", "Tax ID {tax_id}"),
        # the funding instruction
        "funding": pgettext_lazy("wallet document", "Wallet funding instruction"),
        "funding_sub": pgettext_lazy(
            "wallet document", "Top up your prepaid wallet by bank transfer"
        ),
        "payee": pgettext_lazy("wallet document", "Payee"),
        "payee_name": pgettext_lazy("wallet document", "Name"),
        "tax_ids": pgettext_lazy("wallet document payee", "Tax ID"),  # RU: INN / KPP
        "bank": pgettext_lazy("wallet document", "Bank"),
        "bic": pgettext_lazy("wallet document", "BIC"),
        "account": pgettext_lazy("wallet document", "Account"),
        "corr_account": pgettext_lazy("wallet document", "Corr. account"),
        "iban": pgettext_lazy("wallet document", "IBAN"),
        "reference": pgettext_lazy("wallet document", "Funding reference"),
        "quote_purpose": pgettext_lazy(
            "wallet document",
            "Quote this reference in the payment purpose: it is how the transfer reaches your "
            "wallet.",
        ),
        "quote_scor": pgettext_lazy(
            "wallet document",
            "Quote this reference as the structured creditor reference (RF) of the transfer: it "
            "is how the transfer reaches your wallet.",
        ),
        "purpose": pgettext_lazy("wallet document", "Payment purpose"),
        "purpose_text": pgettext_lazy("wallet document", "Wallet top-up {reference}"),
        "currency": pgettext_lazy("wallet document", "Wallet currency"),
        "funding_qr": pgettext_lazy(
            "wallet document", "Scan with your banking app; enter the amount yourself."
        ),
        "funding_no_qr": pgettext_lazy(
            "wallet document", "No payment QR code: the operator's bank details are incomplete."
        ),
        "funding_note": pgettext_lazy(
            "wallet document",
            "Transfer any amount in {currency}. The wallet is credited when the transfer appears "
            "on the operator's bank statement; a transfer without the reference cannot be "
            "matched to your wallet.",
        ),
        "generated": pgettext_lazy("wallet document", "Generated on {day}"),
        # the statement
        "statement": pgettext_lazy("wallet document", "Wallet statement"),
        "period": pgettext_lazy("wallet document", "Period"),
        "wallet": pgettext_lazy("wallet document", "Wallet"),
        "opening": pgettext_lazy("wallet document", "Opening balance"),
        "closing": pgettext_lazy("wallet document", "Closing balance"),
        "available": pgettext_lazy("wallet document", "Available"),
        "blocked": pgettext_lazy("wallet document", "Blocked"),
        "total": pgettext_lazy("wallet document", "Total"),
        "date": pgettext_lazy("wallet document", "Date"),
        "kind": pgettext_lazy("wallet document", "Kind"),
        "description": pgettext_lazy("wallet document", "Description"),
        "available_change": pgettext_lazy("wallet document", "Available ±"),
        "blocked_change": pgettext_lazy("wallet document", "Blocked ±"),
        "available_after": pgettext_lazy("wallet document", "Available after"),
        "blocked_after": pgettext_lazy("wallet document", "Blocked after"),
        "coupon_col": pgettext_lazy("wallet document", "Coupon"),
        "case_col": pgettext_lazy("wallet document", "Case reference"),
        "bank_col": pgettext_lazy("wallet document", "Bank reference"),
        "no_movements": pgettext_lazy("wallet document", "No movements in this period."),
        "totals": pgettext_lazy("wallet document", "Totals per kind"),
        "count": pgettext_lazy("wallet document", "Count"),
        "coupons": pgettext_lazy("wallet document", "Coupons"),
        "kinds": {
            MovementKind.FUNDING: pgettext_lazy("wallet document", "Funded by transfer"),
            MovementKind.BLOCK: pgettext_lazy("wallet document", "Coupons issued"),
            MovementKind.RELEASE: pgettext_lazy("wallet document", "Coupon released"),
            MovementKind.REDEEM: pgettext_lazy("wallet document", "Coupon used"),
        },
        "released": {
            "cancelled": pgettext_lazy("wallet document", "cancelled"),
            "expired": pgettext_lazy("wallet document", "expired"),
        },
        "bank_ref": pgettext_lazy("wallet document", "bank ref."),
        "case": pgettext_lazy("wallet document", "case"),
        "page": pgettext_lazy("wallet document", "Page {page}"),
    }
)


def document_language(tenant: Tenant) -> str:
    """The country's own language, else English: the papers a payer's accountant and an office's
    clerk read speak as the operator's letters do (`Country.letter_language`)."""
    return tenant.country.letter_language


def labels(tenant: Tenant) -> dict:
    return LABELS[document_language(tenant)]


def operator_tax_ids(tenant: Tenant) -> str:
    """The operator's tax ids as the header prints them: INN and KPP where the country's bank
    details are Russian, else its tax id."""
    L = labels(tenant)
    if tenant.country.uses_ru_bank_details:
        parts = [L["operator_inn"].format(inn=tenant.inn)] if tenant.inn else []
        parts += [L["operator_kpp"].format(kpp=tenant.kpp)] if tenant.kpp else []
        return ", ".join(parts)
    return L["operator_tax_id"].format(tax_id=tenant.tax_id) if tenant.tax_id else ""


# --- amounts, dates and times ---------------------------------------------------------------


@dataclass(frozen=True)
class Notation:
    """What `core.money`'s and `core.dates`' formatters read of an owner (`core.money.Owner`):
    the tenant's profile and locale with the wallet's currency."""

    profile: str
    locale: str
    currency: str


def notation(tenant: Tenant, currency: str) -> Notation:
    return Notation(tenant.profile, tenant.locale, currency)


def printed_money(amount: int, tenant: Tenant, currency: str) -> str:
    """With the currency: `1 500,00 ₽`."""
    return format_currency(amount, notation(tenant, currency))


def printed_amount(amount: int, tenant: Tenant, currency: str, *, signed: bool = False) -> str:
    """The number alone (a statement's column); `signed` writes a change: `+1 500,00`, the minus
    sign's own, nothing for no change."""
    if signed and amount == 0:
        return ""
    text = format_amount(amount, notation(tenant, currency))
    return f"+{text}" if signed and amount > 0 else text


def printed_date(value: date, tenant: Tenant) -> str:
    return format_date(value, notation(tenant, tenant.currency))


def local_time(moment: datetime, tenant: Tenant) -> datetime:
    return moment.astimezone(ZoneInfo(tenant.timezone))


def printed_today(tenant: Tenant) -> str:
    """The day a document is generated, in the tenant's zone and notation."""
    return printed_date(local_time(timezone.now(), tenant).date(), tenant)
