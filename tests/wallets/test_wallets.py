"""Prepaid wallets and coupons: funded by a bank credit quoting the funding reference, coupons
block their fee (all or none), cancel and expiry release, redemption spends exactly once and
credits the office's supplier (or the operator's fee income); the ledger stays clean and
`check_ledger` notices when a wallet's figures stop agreeing with it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from invoicing.references import check_digit_valid
from splitting.channels.statements import statement_import
from splitting.core.ledger_check import ledger_check
from splitting.models import BankCredit, Entry, Transaction
from tests.splitting.helpers import assert_ledger_clean
from tests.wallets.wallet_helpers import camt_credit, coupon_world, fund
from wallets.models import Coupon, CouponBatch, CouponStatus, MovementKind, Wallet
from wallets.services.coupons import coupon_cancel, coupon_redeem, coupons_expire, coupons_issue
from wallets.services.errors import CouponConflict, NotPermitted, WalletRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return coupon_world()


@pytest.fixture
def funded(world):
    fund(world, "50000.00")
    return world


def _balances(wallet: Wallet) -> tuple[int, int, int]:
    wallet.refresh_from_db()
    return wallet.available, wallet.blocked, wallet.spent


def test_a_camt053_credit_quoting_the_funding_reference_funds_the_wallet_once(world):
    outcome = fund(world, "50000.00")
    again = fund(world, "50000.00")

    assert (outcome.matched, outcome.parked, again.duplicates) == (1, 0, 1)
    assert _balances(world.wallet) == (5_000_000, 0, 0)
    credit = BankCredit.objects.get()
    assert (credit.match_rule, credit.account) == ("wallet", None)
    movement = world.wallet.movements.get()
    assert (movement.kind, movement.amount, movement.bank_credit) == (
        MovementKind.FUNDING,
        5_000_000,
        credit,
    )
    assert_ledger_clean()


def test_a_transfer_with_the_reference_typed_in_the_text_funds_the_wallet(world):
    spaced = " ".join(world.wallet.funding_reference[i : i + 4] for i in range(0, 15, 4))
    data = (
        camt_credit(world, "1000.00", "RF18539007547034")  # an RF of nothing of ours
        .decode()
        .replace("<Strd>", f"<Ustrd>Пополнение кошелька {spaced.lower()}</Ustrd><Strd>")
    )

    outcome = statement_import(tenant=world.tenant, data=data.encode(), filename="camt.xml")

    assert outcome.matched == 1
    assert _balances(world.wallet) == (100_000, 0, 0)


def test_issuing_20_coupons_blocks_20_fees_with_unique_checked_identifiers(funded):
    world = funded

    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=20, actor=world.issuer)

    assert _balances(world.wallet) == (5_000_000 - 20 * 150_000, 20 * 150_000, 0)
    coupons = list(batch.coupons.all())
    identifiers = {coupon.identifier for coupon in coupons}
    assert len(identifiers) == 20 and all(check_digit_valid(i) for i in identifiers)
    assert {(c.status, c.amount, c.office_id) for c in coupons} == {
        (CouponStatus.VALID, 150_000, world.office.pk)
    }
    assert all(c.expires_at - c.issued_at > timedelta(days=30) for c in coupons)
    assert batch.total == 3_000_000
    block = Transaction.objects.get(kind="block")
    assert sorted(Entry.objects.filter(transaction=block).values_list("amount", flat=True)) == [
        -3_000_000,
        3_000_000,
    ]
    assert_ledger_clean()


def test_issuing_more_than_the_balance_allows_is_refused_whole(funded):
    world = funded
    transactions = Transaction.objects.count()

    with pytest.raises(WalletRefused) as refused:
        coupons_issue(wallet=world.wallet, fee=world.fee, count=34, actor=world.issuer)

    assert refused.value.code == "insufficient_funds"
    assert refused.value.extra == {"required": 5_100_000, "available": 5_000_000}
    assert _balances(world.wallet) == (5_000_000, 0, 0)
    assert not Coupon.objects.exists() and not CouponBatch.objects.exists()
    assert Transaction.objects.count() == transactions
    coupons_issue(wallet=world.wallet, fee=world.fee, count=33, actor=world.issuer)
    assert _balances(world.wallet) == (50_000, 4_950_000, 0)


def test_a_viewer_cannot_issue_or_cancel(funded):
    world = funded
    with pytest.raises(NotPermitted):
        coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.viewer)
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.admin)
    with pytest.raises(NotPermitted):
        coupon_cancel(coupon=batch.coupons.get(), actor=world.viewer)
    assert _balances(world.wallet) == (4_850_000, 150_000, 0)


def test_cancelling_a_coupon_releases_its_amount_once(funded):
    world = funded
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=3, actor=world.issuer)
    coupon = batch.coupons.first()

    coupon_cancel(coupon=coupon, actor=world.issuer)
    with pytest.raises(CouponConflict) as again:
        coupon_cancel(coupon=coupon, actor=world.issuer)

    assert again.value.code == "coupon_cancelled"
    coupon.refresh_from_db()
    assert (coupon.status, coupon.released_by) == (CouponStatus.CANCELLED, world.issuer)
    assert _balances(world.wallet) == (5_000_000 - 300_000, 300_000, 0)
    assert world.wallet.movements.filter(kind=MovementKind.RELEASE).count() == 1
    assert_ledger_clean()


def test_expiry_releases_what_has_expired_and_only_that(funded):
    world = funded
    coupons_issue(wallet=world.wallet, fee=world.fee, count=2, actor=world.issuer)
    coupons_issue(wallet=world.wallet, fee=world.own_fee, count=1, actor=world.issuer)
    short = Coupon.objects.get(fee=world.own_fee)
    after_short = short.expires_at + timedelta(seconds=1)

    assert coupons_expire(now=short.expires_at - timedelta(seconds=1)) == 0
    assert coupons_expire(now=after_short) == 1
    assert coupons_expire(now=after_short) == 0

    short.refresh_from_db()
    assert short.status == CouponStatus.EXPIRED and short.released_by is None
    assert _balances(world.wallet) == (5_000_000 - 300_000, 300_000, 0)
    with pytest.raises(CouponConflict) as refused:
        coupon_redeem(coupon=short, case_reference="case-1", actor=world.other_clerk)
    assert refused.value.code == "coupon_expired"
    assert_ledger_clean()


def test_redeeming_spends_the_blocked_amount_once_and_credits_the_supplier(funded):
    world = funded
    coupon = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    coupon = coupon.coupons.get()

    first = coupon_redeem(coupon=coupon, case_reference="REG-77/2026", actor=world.clerk)
    replay = coupon_redeem(coupon=coupon, case_reference="REG-77/2026", actor=world.clerk)
    with pytest.raises(CouponConflict) as other:
        coupon_redeem(coupon=coupon, case_reference="REG-78/2026", actor=world.clerk)

    assert (first.replayed, replay.replayed) == (False, True)
    assert other.value.code == "already_used"
    assert other.value.extra["case_reference"] == "REG-77/2026"
    assert _balances(world.wallet) == (4_850_000, 0, 150_000)
    payable = Entry.objects.filter(ledger_account__code=f"payable:{world.supplier.pk}")
    assert [e.amount for e in payable] == [-150_000]
    assert Transaction.objects.filter(kind="redeem").count() == 1
    assert_ledger_clean()


def test_an_operators_own_fee_becomes_fee_income(funded):
    world = funded
    batch = coupons_issue(wallet=world.wallet, fee=world.own_fee, count=2, actor=world.issuer)

    coupon_redeem(coupon=batch.coupons.first(), case_reference="C-1", actor=world.other_clerk)

    income = Entry.objects.filter(ledger_account__code="fee_income")
    assert [e.amount for e in income] == [-25_000]
    assert_ledger_clean()


def test_check_ledger_notices_a_wallet_that_disagrees_with_the_ledger(funded):
    world = funded
    coupons_issue(wallet=world.wallet, fee=world.fee, count=2, actor=world.issuer)
    Coupon.objects.filter(pk=Coupon.objects.first().pk).update(
        status=CouponStatus.USED, used_at=timezone.now(), case_reference="forged"
    )
    Wallet.objects.filter(pk=world.wallet.pk).update(available=4_699_999, spent=1)

    rules = {violation.rule for violation in ledger_check(world.tenant)}

    assert rules == {
        "payable less what the supplier owes back equals allocations net of commission and "
        "coupons used, less payouts",
        "wallet available equals its ledger balance",
        "wallet blocked equals its valid coupons",
        "wallet spent equals its used coupons",
    }


def test_a_coupon_past_its_expiry_reads_expired_before_the_sweep(funded):
    world = funded
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    Coupon.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    coupon = batch.coupons.get()

    response = world.api(world.clerk).get(f"/api/v1/coupons/{coupon.identifier}")

    assert response.status_code == 200 and response.json()["state"] == "expired"
    redeem = world.api(world.clerk).post(
        f"/api/v1/coupons/{coupon.identifier}/redeem", {"case_reference": "X"}, format="json"
    )
    assert redeem.status_code == 409 and redeem.json()["error"] == "coupon_expired"
    assert _balances(world.wallet) == (4_850_000, 150_000, 0)


def test_only_an_admin_or_the_operators_staff_invite_and_a_member_keeps_their_role(world):
    from tests.factories import MembershipFactory
    from wallets.models import CorporateMember
    from wallets.services.payers import invitation_accept, invitation_create

    payer = world.wallet.payer
    with pytest.raises(NotPermitted):
        invitation_create(payer=payer, email="x@example.com", role="admin", actor=world.issuer)
    staff = MembershipFactory(tenant=world.tenant, role="accountant").user
    by_staff = invitation_create(payer=payer, email="boss@example.com", role="admin", actor=staff)
    by_admin = invitation_create(
        payer=payer, email=world.admin.email, role="viewer", actor=world.admin
    )

    with pytest.raises(WalletRefused) as refused:
        invitation_accept(invitation=by_admin.invitation, user=world.admin)

    assert refused.value.code == "already_member"
    assert CorporateMember.objects.get(payer=payer, user=world.admin).role == "admin"
    assert by_staff.invitation.invited_by == staff
