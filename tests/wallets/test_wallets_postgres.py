"""Concurrent redemptions of one coupon, on PostgreSQL with real threads and transactions: the
blocked amount is debited once; every other caller is told it was already used."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from splitting.models import Transaction
from tests.splitting.helpers import assert_ledger_clean
from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.models import CouponStatus
from wallets.services.coupons import coupons_issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CALLERS = 12


def test_concurrent_redemptions_of_one_coupon_debit_once(postgres):
    world = coupon_world()
    fund(world, "5000.00")
    coupon = coupons_issue(wallet=world.wallet, fee=world.fee, count=2, actor=world.issuer)
    coupon, untouched = coupon.coupons.all()
    world.api(world.clerk)  # the token, made before the threads start

    def redeem(i: int) -> tuple[int, dict]:
        try:
            response = world.api(world.clerk).post(
                f"/api/v1/coupons/{coupon.identifier}/redeem",
                {"case_reference": f"case-{i}"},
                format="json",
            )
            return response.status_code, response.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        results = list(pool.map(redeem, range(CALLERS)))

    winners = [body for status, body in results if status == 200]
    losers = [body for status, body in results if status == 409]
    assert len(winners) == 1 and len(losers) == CALLERS - 1
    first = winners[0]["case_reference"]
    assert {body["error"] for body in losers} == {"already_used"}
    assert {body["fields"]["case_reference"] for body in losers} == {first}
    coupon.refresh_from_db()
    untouched.refresh_from_db()
    assert (coupon.status, coupon.case_reference) == (CouponStatus.USED, first)
    assert untouched.status == CouponStatus.VALID
    world.refresh()
    assert (world.wallet.available, world.wallet.blocked, world.wallet.spent) == (
        200_000,
        150_000,
        150_000,
    )
    assert Transaction.objects.filter(kind="redeem").count() == 1
    assert_ledger_clean()
