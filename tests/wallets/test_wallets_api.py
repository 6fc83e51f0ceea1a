"""The coupon API: a payer's system issues from its wallet (all or none, idempotent by key); an
office's system verifies a coupon and reports its use, exactly once, and sees only the coupons
of its own fees."""

import pytest

from tests.splitting.helpers import assert_ledger_clean
from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.models import Coupon, CouponBatch, CouponStatus
from wallets.services.coupons import coupon_cancel, coupons_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = coupon_world()
    fund(world, "10000.00")
    return world


def _issue(world, user, body, **headers):
    return world.api(user).post(
        f"/api/v1/wallets/{world.wallet.pk}/coupons", body, format="json", **headers
    )


def test_an_issuer_issues_coupons_and_a_replayed_key_issues_nothing_more(world):
    first = _issue(world, world.issuer, {"fee": "reg", "count": 3}, HTTP_IDEMPOTENCY_KEY="k-1")
    replay = _issue(world, world.issuer, {"fee": "reg", "count": 3}, HTTP_IDEMPOTENCY_KEY="k-1")
    reused = _issue(world, world.issuer, {"fee": "reg", "count": 4}, HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, replay.status_code, reused.status_code) == (201, 201, 409)
    assert replay.json() == first.json()
    body = first.json()
    assert (body["count"], body["total"], len(body["coupons"])) == (3, "4500.00", 3)
    assert body["wallet"]["available"] == "5500.00" and body["wallet"]["blocked"] == "4500.00"
    assert {c["state"] for c in body["coupons"]} == {"valid"}
    assert CouponBatch.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "body", "status", "error"),
    [
        ("viewer", {"fee": "reg", "count": 1}, 403, "role_not_permitted"),
        ("clerk", {"fee": "reg", "count": 1}, 404, "not_found"),
        ("issuer", {"fee": "reg", "count": 7}, 422, "insufficient_funds"),
        ("issuer", {"fee": "reg", "count": 0}, 400, "validation_error"),
        ("issuer", {"fee": "reg", "count": 501}, 400, "validation_error"),
        ("issuer", {"fee": "nope", "count": 1}, 422, "unknown_fee"),
    ],
)
def test_an_issue_that_is_not_allowed_is_refused_and_blocks_nothing(
    world, who, body, status, error
):
    response = _issue(world, getattr(world, who), body)

    assert (response.status_code, response.json()["error"]) == (status, error)
    assert not Coupon.objects.exists()
    world.refresh()
    assert (world.wallet.available, world.wallet.blocked) == (1_000_000, 0)


def test_the_office_verifies_and_redeems_once(world):
    coupon = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    coupon = coupon.coupons.get()
    office = world.api(world.clerk)
    typed = f"{coupon.identifier[:4]} {coupon.identifier[4:8]}-{coupon.identifier[8:]}"

    check = office.get(f"/api/v1/coupons/{typed}")
    used = office.post(
        f"/api/v1/coupons/{coupon.identifier}/redeem", {"case_reference": "R-1"}, format="json"
    )
    retry = office.post(
        f"/api/v1/coupons/{coupon.identifier}/redeem", {"case_reference": "R-1"}, format="json"
    )
    other = office.post(
        f"/api/v1/coupons/{coupon.identifier}/redeem", {"case_reference": "R-2"}, format="json"
    )
    after = office.get(f"/api/v1/coupons/{coupon.identifier}")

    assert check.status_code == 200
    assert {k: check.json()[k] for k in ("id", "state", "amount", "currency")} == {
        "id": coupon.identifier,
        "state": "valid",
        "amount": "1500.00",
        "currency": "RUB",
    }
    assert check.json()["fee"] == {"code": "reg", "name": "Vehicle registration"}
    assert (used.status_code, used.json()["state"], used.json()["replayed"]) == (200, "used", False)
    assert (retry.status_code, retry.json()["replayed"]) == (200, True)
    assert other.status_code == 409
    assert other.json()["error"] == "already_used"
    assert other.json()["fields"]["case_reference"] == "R-1"
    assert (after.json()["state"], after.json()["case_reference"]) == ("used", "R-1")
    world.refresh()
    assert (world.wallet.blocked, world.wallet.spent) == (0, 150_000)
    assert_ledger_clean()


def test_an_office_sees_only_its_own_fees_coupons_and_a_mistyped_number_is_unknown(world):
    coupon = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    identifier = coupon.coupons.get().identifier
    mistyped = identifier[:-1] + str((int(identifier[-1]) + 1) % 10)

    foreign = world.api(world.other_clerk).get(f"/api/v1/coupons/{identifier}")
    redeem = world.api(world.other_clerk).post(
        f"/api/v1/coupons/{identifier}/redeem", {"case_reference": "X"}, format="json"
    )
    typo = world.api(world.clerk).get(f"/api/v1/coupons/{mistyped}")
    payer = world.api(world.issuer).get(f"/api/v1/coupons/{identifier}")

    for response in (foreign, redeem, typo, payer):
        assert response.status_code == 404
        assert response.json()["error"] == "unknown_coupon"
        assert "1500" not in response.content.decode()
    assert Coupon.objects.get().status == CouponStatus.VALID


def test_a_cancelled_coupon_cannot_be_redeemed_and_a_redemption_needs_a_case_reference(world):
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=2, actor=world.issuer)
    first, second = batch.coupons.all()
    coupon_cancel(coupon=first, actor=world.issuer)
    office = world.api(world.clerk)

    cancelled = office.post(
        f"/api/v1/coupons/{first.identifier}/redeem", {"case_reference": "R"}, format="json"
    )
    blank = office.post(
        f"/api/v1/coupons/{second.identifier}/redeem", {"case_reference": " "}, format="json"
    )

    assert (cancelled.status_code, cancelled.json()["error"]) == (409, "coupon_cancelled")
    assert (blank.status_code, blank.json()["error"]) == (400, "validation_error")
    assert Coupon.objects.get(pk=second.pk).status == CouponStatus.VALID
    world.refresh()
    assert (world.wallet.blocked, world.wallet.spent) == (150_000, 0)


def test_anonymous_callers_are_refused(world):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    assert anonymous.get("/api/v1/coupons/1234567890123").status_code in (401, 403)
    assert anonymous.post(f"/api/v1/wallets/{world.wallet.pk}/coupons", {}).status_code in (
        401,
        403,
    )
