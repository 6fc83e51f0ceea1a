"""The payment orders that pay suppliers: the bank file (1C ClientBankExchange for a Russian
settlement account, ISO 20022 pain.001 for an IBAN) of one or many payouts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext

from core.dates import format_date
from core.errors import ApplicationError
from core.money import display_language
from integrations.settlement import one_c, pain001
from integrations.settlement.types import Party
from integrations.settlement.types import Payout as PayoutOrder
from splitting.models import Payout
from warehouse.models import Tenant

PAYMENT_ORDER_FORMATS = ("1c", "pain001")


def payment_order_format(tenant: Tenant) -> str:
    """The payment-order file a tenant's bank takes: 1C for a Russian settlement account,
    pain.001 for an IBAN."""
    return "pain001" if tenant.iban else "1c"


def party(owner) -> Party:
    return Party(
        name=owner.name,
        iban=owner.iban,
        bic=owner.bic,
        bank_name=owner.bank_name,
        bank_account=owner.bank_account,
        corr_account=owner.corr_account,
        inn=owner.inn,
        kpp=owner.kpp,
    )


def remittance(payout: Payout) -> str:
    """The payment order's purpose, in the language of the tenant's documents (a Russian
    tenant's 1C order reads «…: реестр № R… от 01.12.2026, платежей: 42»); the EndToEndId
    leads, so the bank statement's line is matched back to the payout (`bank_debits`)."""
    registry = payout.registry
    tenant = registry.tenant
    with translation.override(display_language(tenant)):
        return gettext("%(end_to_end_id)s: registry %(number)s of %(day)s, %(count)s payments") % {
            "end_to_end_id": payout.end_to_end_id,
            "number": registry.number,
            "day": format_date(registry.day, tenant),
            "count": registry.count,
        }


def payout_order(payout: Payout) -> PayoutOrder:
    registry = payout.registry
    return PayoutOrder(
        end_to_end_id=payout.end_to_end_id,
        amount=payout.amount,
        currency=registry.tenant.currency,
        creditor=party(registry.supplier),
        remittance=remittance(payout),
    )


def orders_file(
    tenant: Tenant, payouts: list[Payout], *, day: date, file_format: str, created_at: datetime
) -> tuple[bytes, str]:
    """The payment-order file of `payouts` (content, file name). ValueError when the format
    cannot carry someone's bank details."""
    orders = [payout_order(p) for p in payouts]
    stem = orders[0].end_to_end_id if len(orders) == 1 else f"PAYOUTS-{day:%Y%m%d}-{tenant.pk}"
    if file_format == "1c":
        content = one_c.payout_1c(
            payouts=orders, debtor=party(tenant), created_at=created_at, day=day
        )
        return content, f"{stem}.txt"
    if file_format == "pain001":
        content = pain001.payout_pain001(
            payouts=orders,
            debtor=party(tenant),
            message_id=f"MSG-{stem}-{created_at:%H%M%S}"[:35],
            created_at=created_at,
            execution_date=created_at.astimezone(ZoneInfo(tenant.timezone)).date(),
        )
        return content, f"{stem}.xml"
    raise ApplicationError(f"unknown payment-order format {file_format!r}", code="bad_format")
