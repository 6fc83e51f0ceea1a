"""What issuing a batch of coupons will do, before it is done: how many coupons, of what amount,
the total blocked, the wallet's available balance before and after, and the last day they are
valid. A batch that blocks more than the confirmation threshold (`COUPON_CONFIRM_THRESHOLD`,
minor units of the tenant's currency) is issued only once the payer confirms it on a page
showing this; smaller batches are issued at once. Reads only; issuing is `coupons_issue`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from wallets.models import Fee, Wallet
from wallets.services.coupons import expiry, last_valid_day

DEFAULT_THRESHOLD = 1_000_000  # 10 000.00 in the tenant's currency


def confirm_threshold() -> int:
    """Minor units: a batch blocking more than this is confirmed first."""
    return int(getattr(settings, "COUPON_CONFIRM_THRESHOLD", DEFAULT_THRESHOLD))


@dataclass(frozen=True)
class IssuePreview:
    fee: Fee
    count: int
    amount_each: int
    total: int
    available_before: int
    valid_through: date
    threshold: int

    @property
    def available_after(self) -> int:
        return self.available_before - self.total

    @property
    def covered(self) -> bool:
        """The wallet's available balance covers the batch (else `coupons_issue` refuses it)."""
        return self.total <= self.available_before

    @property
    def needs_confirmation(self) -> bool:
        return self.covered and self.total > self.threshold


def issue_preview(
    *, wallet: Wallet, fee: Fee, count: int, now: datetime | None = None
) -> IssuePreview:
    return IssuePreview(
        fee=fee,
        count=count,
        amount_each=fee.amount,
        total=fee.amount * count,
        available_before=wallet.available,
        valid_through=last_valid_day(
            expiry(wallet.tenant, now or timezone.now(), fee.validity_days), wallet.tenant
        ),
        threshold=confirm_threshold(),
    )
