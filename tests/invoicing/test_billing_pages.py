"""The operator's billing pages: close a period, list its documents, open one, download it."""

import pytest

from invoicing.models import BillingPeriod, PaymentDocument
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.month_end import month_end_close
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

FILE = """
supplier_account,service_code,quantity,unit,tariff,amount
VK-0001,01,2,m3,50,100.00
VK-0002,01,,,,10.00
"""


@pytest.fixture
def staff(client, world):
    def sign_in(role=Role.OPERATOR_ADMIN):
        user = UserFactory(is_staff=True)
        MembershipFactory(user=user, tenant=world.tenant, role=role)
        client.force_login(user)
        return user

    return sign_in


def _charge_penalties(client, world, period="2026-12"):
    """Month-end's first step, on its own page: the period's penalty run."""
    page = client.post(
        "/staff/collections/penalty-runs/", {"tenant": world.tenant.code, "period": period}
    )
    assert page.status_code == 302


def test_an_operator_closes_a_period_from_the_page_and_opens_its_documents(client, world, staff):
    staff()
    world.import_(FILE)
    _charge_penalties(client, world)

    response = client.post(
        f"/staff/billing/{world.tenant.code}/2026-12/close/",
        {"allow_missing": "on", "confirm": "yes"},
    )

    assert response.status_code == 302
    assert BillingPeriod.objects.get(tenant=world.tenant, period="2026-12").status == "closed"
    listing = client.get(f"/staff/billing/{world.tenant.code}/2026-12/")
    assert listing.status_code == 200
    document = PaymentDocument.objects.get(account=world.accounts["VK-0001"])
    assert document.reference in listing.content.decode()

    detail = client.get(f"/staff/documents/{document.pk}/")
    assert detail.status_code == 200
    assert "100,00" in detail.content.decode()
    pdf = client.get(f"/staff/documents/{document.pk}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/staff/documents/{document.pk}/docx")
    assert docx.content.startswith(b"PK")
    print_file = client.post(f"/staff/billing/{world.tenant.code}/2026-12/print.pdf")
    assert print_file.content.startswith(b"%PDF")


def test_closing_before_the_penalty_run_is_refused_and_says_what_to_run(client, world, staff):
    staff()
    world.import_(FILE)

    response = client.post(
        f"/staff/billing/{world.tenant.code}/2026-12/close/",
        {"allow_missing": "on", "confirm": "yes"},
        follow=True,
    )

    assert "penalties of 2026-12 have not been charged" in response.content.decode()
    assert "manage.py" not in response.content.decode()
    assert not PaymentDocument.objects.exists()


def test_closing_is_refused_with_the_missing_suppliers_named(client, world, staff):
    staff()
    world.import_(FILE)
    _charge_penalties(client, world)

    response = client.post(
        f"/staff/billing/{world.tenant.code}/2026-12/close/", {"confirm": "yes"}, follow=True
    )

    assert "1 supplier has no posted charges for 2026-12: teplo" in response.content.decode()
    assert not PaymentDocument.objects.exists()


def test_a_collector_may_not_close_a_period(client, world, staff):
    staff(Role.COLLECTOR)
    world.import_(FILE)

    client.post(
        f"/staff/billing/{world.tenant.code}/2026-12/close/",
        {"allow_missing": "on", "confirm": "yes"},
    )

    assert not PaymentDocument.objects.exists()


def test_staff_of_another_tenant_cannot_open_a_document(client, world):

    world.import_(FILE)
    month_end_close(tenant=world.tenant, period="2026-12", allow_missing=True)
    document = PaymentDocument.objects.first()
    stranger = UserFactory(is_staff=True)
    MembershipFactory(user=stranger, tenant=TenantFactory(), role=Role.OPERATOR_ADMIN)
    client.force_login(stranger)

    assert client.get(f"/staff/documents/{document.pk}/").status_code == 404
    assert client.get(f"/staff/documents/{document.pk}/pdf").status_code == 404
    assert client.get(f"/staff/billing/{world.tenant.code}/2026-12/").status_code == 404
