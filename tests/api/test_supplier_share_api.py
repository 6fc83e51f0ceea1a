"""`GET /api/v1/payments/{id}` and `/accounts/{n}/balance` as a supplier user sees them: only
payments with an allocation in its favour, and of those, and of the balance, its own share —
while staff and the account's holder still see everything."""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from splitting.models import Payment, PaymentStatus
from tests.factories import AccountHolderFactory, MembershipFactory, SupplierFactory
from tests.splitting.helpers import charges, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

NUMBER = "00000001"  # VK-0001 of the world


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py):
    the balances are of documents of fixed periods, paid "today"."""
    return clock


@pytest.fixture
def w(world):
    """VK-0001 owes water 140.00 and heat 60.00; 100.00 paid pro rata (70.00 / 30.00), and
    20.00 paid to heat alone."""
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    account = world.accounts["VK-0001"]
    return SimpleNamespace(
        world=world,
        both=pay(world, "VK-0001", 10_000),
        heat_only=pay(world, "VK-0001", 2_000, split={world.other.code: 2_000}),
        staff=MembershipFactory(tenant=world.tenant, role=Role.ACCOUNTANT).user,
        resident=AccountHolderFactory(account=account).user,
        water=MembershipFactory(supplier=world.supplier).user,
        heat=MembershipFactory(supplier=world.other).user,
    )


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _payment(user, payment):
    return _api(user).get(f"/api/v1/payments/{payment.pk}")


def _balance(user):
    return _api(user).get(f"/api/v1/accounts/{NUMBER}/balance")


@pytest.mark.parametrize("caller", ["staff", "resident"])
def test_staff_and_the_holder_see_the_whole_payment(w, caller):
    body = _payment(getattr(w, caller), w.both).json()

    assert (body["amount"], body["commission"]) == ("100.00", "10.84")
    assert [(a["supplier"], a["amount"]) for a in body["allocations"]] == [
        ("teplo", "30.00"),
        ("vodokanal", "70.00"),
    ]


def test_a_supplier_user_sees_only_its_share_of_a_payment(w):
    response = _payment(w.water, w.both)

    assert response.status_code == 200
    body = response.json()
    assert body["allocations"] == [
        {"supplier": "vodokanal", "period": "2026-11", "amount": "70.00", "commission": "0.84"}
    ]
    assert (body["amount"], body["commission"], body["advance"]) == ("70.00", "0.84", "0.00")
    assert "teplo" not in response.content.decode()
    assert "100.00" not in response.content.decode()


def test_a_payment_without_an_allocation_in_the_suppliers_favour_is_404(w):
    refused = _payment(w.water, w.heat_only)
    shown = _payment(w.heat, w.heat_only)

    assert refused.status_code == 404
    assert refused.json()["error"] == "not_found"
    assert "20.00" not in refused.content.decode()
    assert shown.status_code == 200 and shown.json()["amount"] == "20.00"


def test_a_supplier_user_of_another_tenant_gets_404(w):
    outsider = MembershipFactory(supplier=SupplierFactory(code="vodokanal")).user

    assert _payment(outsider, w.both).status_code == 404
    assert _balance(outsider).status_code == 404


def test_a_supplier_user_may_not_reverse_even_its_own_payment(w):
    own = _api(w.water).post(f"/api/v1/payments/{w.both.pk}/reverse", {})
    not_own = _api(w.water).post(f"/api/v1/payments/{w.heat_only.pk}/reverse", {})

    assert own.status_code == 403 and not_own.status_code == 404
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.BOOKED}


def test_the_holder_sees_the_whole_balance(w):
    body = _balance(w.resident).json()

    assert (body["total_due"], body["overdue"], body["advance"]) == ("80.00", "0.00", "0.00")
    assert [s["supplier"] for s in body["suppliers"]] == ["teplo", "vodokanal"]


def test_a_supplier_user_sees_only_its_line_of_the_balance_and_its_totals(w):
    response = _balance(w.water)

    assert response.status_code == 200
    body = response.json()
    assert body["suppliers"] == [{"supplier": "vodokanal", "open": "70.00", "overdue": "0.00"}]
    assert (body["total_due"], body["advance"]) == ("70.00", "0.00")
    assert "teplo" not in response.content.decode()


def test_a_suppliers_balance_leaves_the_accounts_advance_out(w):
    pay(w.world, "VK-0001", 10_000)  # 80.00 closes both lines, 20.00 is kept as an advance

    staff = _balance(w.staff).json()
    water = _balance(w.water).json()

    assert (staff["total_due"], staff["advance"]) == ("0.00", "20.00")
    assert (water["total_due"], water["advance"], water["suppliers"]) == ("0.00", "0.00", [])
