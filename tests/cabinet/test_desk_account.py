"""The account card (/staff/desk/accounts/<tenant>/<number>/): the phone desk's page, each
section with the account's own data and links to where the work is done; another operator's
account answers 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cabinet.models import Meter, MeterReading, ServiceRequest
from core.money import format_currency
from debt_collection.models import DebtCase
from invoicing.models import DocumentStatus, PaymentDocument
from messaging.models import Message
from tests.month_end import month_end_close
from tests.splitting.helpers import charges, pay

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.desk_fixtures"]

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def full(world, clock):
    """VK-0001 billed for October (140.00 water + 60.00 heat, due 10.11: overdue), 50.00 paid,
    a meter reading, a request, an SMS and an open debt case."""
    account = world.accounts["VK-0001"]
    charges(world, "2026-10", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    month_end_close(tenant=world.tenant, period="2026-10", allow_missing=True)
    payment = pay(world, "VK-0001", 5_000)
    meter = Meter.objects.create(
        tenant=world.tenant,
        premises=account.premises,
        supplier=world.supplier,
        service=world.services["CW"],
        serial="SER-7781",
    )
    MeterReading.objects.create(
        meter=meter,
        value=Decimal("857.200"),
        taken_on=dt.date(2026, 11, 19),
        submitted_at=NOW,
        source="cabinet",
        status="accepted",
    )
    request = ServiceRequest.objects.create(
        tenant=world.tenant,
        account=account,
        kind="repair",
        subject="Течёт стояк",
        text="…",
        created_at=NOW,
        updated_at=NOW,
    )
    Message.objects.create(
        tenant=world.tenant,
        account=account,
        channel="sms",
        recipient="+79990000000",
        body="Напоминание о долге",
        status="delivered",
    )
    case = DebtCase.objects.create(
        tenant=world.tenant, account=account, debt_at_open=15_000, opened_at=NOW
    )
    return account, payment, request, case


def test_the_card_shows_every_section(world, full, staff_client):
    account, payment, request, case = full
    document = PaymentDocument.objects.get(
        account=account, period="2026-10", status=DocumentStatus.ISSUED
    )

    response = staff_client.get(
        reverse("staff-account-card", args=[world.tenant.code, account.account_number])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert account.payer_name in page and account.premises.building.address in page
    # balance: 200.00 billed, 50.00 paid, all of it overdue
    assert f'data-testid="balance-overdue">{format_currency(15_000, world.tenant)}<' in page
    # the bill, with the cabinet's paid state, and its pages
    assert reverse("document-detail", args=[document.pk]) in page
    assert reverse("document-pdf", args=[document.pk]) in page
    assert 'data-state="partly"' in page
    # the payment, its channel and its split per supplier
    assert reverse("payment-detail", args=[payment.pk]) in page
    assert world.supplier.name in page.split('id="payments"')[1]
    # the reading, the request, the message, the case
    assert "SER-7781" in page
    assert reverse("staff-request", args=[request.pk]) in page
    assert "Напоминание о долге" in page
    assert reverse("case-detail", args=[case.pk]) in page
    assert reverse("account-messages", args=[account.account_number]) in page


def test_another_operators_account_is_404(world, staff_client, other_tenant):
    tenant_b, account_b = other_tenant

    response = staff_client.get(
        reverse("staff-account-card", args=[tenant_b.code, account_b.account_number])
    )

    assert response.status_code == 404


def test_a_resident_or_supplier_user_may_not_open_the_card(world, client):
    from tests.factories import AccountHolderFactory, MembershipFactory

    account = world.accounts["VK-0001"]
    url = reverse("staff-account-card", args=[world.tenant.code, account.account_number])
    for user in (
        AccountHolderFactory(account=account).user,
        MembershipFactory(supplier=world.supplier).user,
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_the_card_reads_a_bounded_number_of_queries(
    world, full, staff_client, django_assert_max_num_queries
):
    account = full[0]
    for n in range(8):
        pay(world, "VK-0001", 100 + n)
    url = reverse("staff-account-card", args=[world.tenant.code, account.account_number])
    with django_assert_max_num_queries(25):
        page = staff_client.get(url).content.decode()
    assert page.split('id="payments"')[1].split("</section>")[0].count("<tr>") == 5 + 1
