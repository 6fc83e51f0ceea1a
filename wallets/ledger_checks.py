"""The wallets' part of `check_ledger` (`splitting.hooks.ledger_checks` and `ledger_shares`).

What wallets hold of splitting's accounts: the bank clearing took in every funding, and a
supplier is owed every coupon used at its office. Their own invariants: each wallet's counters
are its ledger balances; blocked is what its valid coupons hold, spent what its used ones took;
the operator's fee income is its own offices' coupons."""

from collections import Counter

from django.db.models import Sum

from splitting.core.ledger_check import differences, ledger_totals
from splitting.hooks import Finding, LedgerShare
from wallets.models import Coupon, CouponStatus, Wallet
from wallets.services.booking import FEE_INCOME
from warehouse.models import Tenant


def wallet_ledger_share(tenant: Tenant) -> LedgerShare:
    payable = {
        r["office__supplier_id"]: r["t"]
        for r in Coupon.objects.filter(
            tenant=tenant, status=CouponStatus.USED, office__supplier__isnull=False
        )
        .values("office__supplier_id")
        .annotate(t=Sum("amount"))
        .order_by()
    }
    funded = Wallet.objects.filter(tenant=tenant).aggregate(t=Sum("funded"))["t"] or 0
    return LedgerShare(payable=payable, received={"bank": funded})


def _by_wallet(tenant: Tenant, prefix: str) -> Counter:
    return Counter(
        {
            (int(code.partition(":")[2]),): -amount
            for (code,), amount in ledger_totals(tenant, prefix, "ledger_account__code").items()
        }
    )


def _coupons(tenant: Tenant, status: str) -> Counter:
    return Counter(
        {
            (r["wallet_id"],): r["t"]
            for r in Coupon.objects.filter(tenant=tenant, status=status)
            .values("wallet_id")
            .annotate(t=Sum("amount"))
            .order_by()
        }
    )


def wallet_findings(tenant: Tenant) -> list[Finding]:
    wallets = {
        (w["pk"],): w
        for w in Wallet.objects.filter(tenant=tenant).values("pk", "available", "blocked", "spent")
    }

    def counter(field: str) -> Counter:
        return Counter({key: w[field] for key, w in wallets.items()})

    findings = [
        Finding(rule, [f"wallet {r[0][0]}: {r[1]} vs {r[2]}" for r in differences(left, right)])
        for rule, left, right in (
            (
                "wallet available equals its ledger balance",
                _by_wallet(tenant, "wallet:"),
                counter("available"),
            ),
            (
                "wallet blocked equals its ledger balance",
                _by_wallet(tenant, "wallet_blocked:"),
                counter("blocked"),
            ),
            (
                "wallet blocked equals its valid coupons",
                _coupons(tenant, CouponStatus.VALID),
                counter("blocked"),
            ),
            (
                "wallet spent equals its used coupons",
                _coupons(tenant, CouponStatus.USED),
                counter("spent"),
            ),
        )
    ]
    fee_income = -sum(ledger_totals(tenant, FEE_INCOME, "ledger_account_id").values())
    own = (
        Coupon.objects.filter(
            tenant=tenant, status=CouponStatus.USED, office__supplier__isnull=True
        ).aggregate(t=Sum("amount"))["t"]
        or 0
    )
    if fee_income != own:
        findings.append(
            Finding(
                "fee income equals the operator's own coupons used",
                [f"ledger {fee_income}, coupons {own}"],
            )
        )
    return [finding for finding in findings if finding.details]
