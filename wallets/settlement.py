"""The coupons used at a supplier's office, settled with the supplier like its payments: they go
into its daily registry (`splitting.hooks.supplier_credits`), count in its balance, and each
becomes a registry line. A coupon carries no commission: the fee catalogue has none, the
supplier gets the fee whole."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from integrations.settlement.types import RegistryLine
from splitting.hooks import RegistryItem
from splitting.models import Registry
from wallets.models import Coupon, CouponStatus
from warehouse.models import Supplier


def _pending(supplier: Supplier, before: datetime):
    return Coupon.objects.filter(
        office__supplier=supplier,
        status=CouponStatus.USED,
        registry__isnull=True,
        used_at__lt=before,
    )


def coupon_line(coupon: Coupon, zone: ZoneInfo) -> RegistryLine:
    """A used coupon as a registry line: the payer is the corporate payer, known to the
    supplier's accountant by its tax id; the reference is the supplier's own case; the
    identifier (13 digits, as the office's system reads it) tells a coupon from a payment."""
    return RegistryLine(
        account_number=coupon.wallet.payer.tax_id,
        period=f"{coupon.used_at.astimezone(zone):%Y-%m}",
        document_reference=coupon.case_reference,
        payment_id=f"coupon:{coupon.identifier}",
        booked_at=coupon.used_at,
        amount=coupon.amount,
        commission=0,
    )


class UsedCoupons:
    """`splitting.hooks.SupplierCredits` for the used coupons (connected as the class)."""

    @staticmethod
    def pending(*, supplier: Supplier, before: datetime) -> bool:
        return _pending(supplier, before).exists()

    @staticmethod
    def attach(*, supplier: Supplier, registry: Registry, before: datetime) -> tuple[int, int]:
        _pending(supplier, before).update(registry=registry)
        used = Coupon.objects.filter(registry=registry).aggregate(
            count=Count("pk"), gross=Coalesce(Sum("amount"), 0)
        )
        return used["count"], used["gross"]

    @staticmethod
    def registry_items(*, registry: Registry) -> list[RegistryItem]:
        zone = ZoneInfo(registry.tenant.timezone)
        coupons = Coupon.objects.filter(registry=registry).select_related("wallet__payer")
        return [RegistryItem(c.used_at, c.pk, coupon_line(c, zone)) for c in coupons]

    @staticmethod
    def collected(*, supplier: Supplier) -> int:
        return Coupon.objects.filter(office__supplier=supplier, status=CouponStatus.USED).aggregate(
            total=Coalesce(Sum("amount"), 0)
        )["total"]
