"""The splitting pages: payments (and reversing one), supplier registries (building, payouts,
files), the webhook delivery log — and who may see and do what there."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from splitting.models import (
    OutboxStatus,
    Payment,
    PaymentStatus,
    Payout,
    Registry,
    RegistryStatus,
    SupplierEvent,
)
from splitting.settlement.registries import registries_build
from tests.factories import (
    AccountFactory,
    MembershipFactory,
    SupplierFactory,
    TenantFactory,
    UserFactory,
)
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import AuditEvent, OpenItem, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

HOOK = "http://127.0.0.1:9/hook"  # nothing listens: deliveries would fail, if they ran


@pytest.fixture
def billed(world):
    charges(world, "2026-12", water={"VK-0001": "140.00", "VK-0002": "80.00"})
    charges(world, "2026-12", heat={"VK-0001": "60.00"})
    return world


@pytest.fixture
def sign_in(client, world):
    def sign_in(role=Role.ACCOUNTANT, *, tenant=None, supplier=None):
        user = UserFactory()
        if supplier is not None:
            MembershipFactory(user=user, supplier=supplier)
        else:
            MembershipFactory(user=user, tenant=tenant or world.tenant, role=role)
        client.force_login(user)
        return user

    return sign_in


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def today(world):
    return timezone.now().astimezone(ZoneInfo(world.tenant.timezone)).date()


def other_tenant_payment() -> Payment:
    """A payment of another operator, made directly (its tenant has no charges)."""
    tenant = TenantFactory(code="elsewhere")
    account = AccountFactory(tenant=tenant, account_number="99999999")
    now = timezone.now()
    return Payment.objects.create(
        tenant=tenant,
        account=account,
        amount=777_77,
        channel="bank",
        external_id="elsewhere-1",
        received_at=now,
        booked_at=now,
        advance=777_77,
        advance_open=777_77,
    )


# --- payments ---------------------------------------------------------------------------------


def test_the_payments_list_shows_the_tenants_payments_and_no_other_tenants(client, billed, sign_in):
    world = billed
    payment = pay(world, "VK-0001", 150_00, external_id="bank-0001")
    foreign = other_tenant_payment()
    sign_in(Role.COLLECTOR)

    response = client.get("/staff/payments/")

    content = response.content.decode()
    assert response.status_code == 200
    assert f'href="/staff/payments/{payment.pk}/"' in content
    assert "bank-0001" in content and world.accounts["VK-0001"].account_number in content
    assert "150,00\u00a0₽" in content  # the money filter, in the tenant's locale
    assert "elsewhere-1" not in content and foreign.account.account_number not in content
    assert client.get(f"/staff/payments/{foreign.pk}/").status_code == 404


def test_the_payments_list_filters_by_account_number_and_channel(client, billed, sign_in):
    world = billed
    pay(world, "VK-0001", 100_00, external_id="ext-one")
    pay(world, "VK-0002", 50_00, external_id="ext-two", channel="cash_desk")
    sign_in()

    by_number = client.get(
        "/staff/payments/", {"account": world.accounts["VK-0002"].account_number}
    )
    by_channel = client.get("/staff/payments/", {"channel": "bank"})
    bad_date = client.get("/staff/payments/", {"booked_from": "yesterday"})

    assert "ext-two" in by_number.content.decode()
    assert "ext-one" not in by_number.content.decode()
    assert "ext-one" in by_channel.content.decode()
    assert "ext-two" not in by_channel.content.decode()
    assert bad_date.status_code == 200 and "Enter a valid date." in bad_date.content.decode()


def test_the_payments_list_takes_a_fixed_number_of_queries(
    client, billed, sign_in, django_assert_max_num_queries
):
    world = billed
    for i in range(12):
        pay(world, "VK-0001" if i % 2 else "VK-0002", 10_00 + i)
    sign_in()

    with django_assert_max_num_queries(10):
        response = client.get("/staff/payments/")

    assert response.status_code == 200
    assert len(re.findall(r'href="/staff/payments/\d+/"', response.content.decode())) == 12


def test_the_payment_page_shows_its_split_ledger_and_events(client, billed, sign_in):
    world = billed
    world.supplier.webhook_url = HOOK
    world.supplier.save(update_fields=["webhook_url"])
    payment = pay(world, "VK-0001", 200_00)
    event = SupplierEvent.objects.get(payment=payment)
    sign_in()

    response = client.get(f"/staff/payments/{payment.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "vodokanal" in content and "teplo" in content and "December 2026" in content
    assert f"receivable:{world.supplier.pk}" in content  # the ledger entries
    assert f"payable:{world.supplier.pk}" in content
    assert f'href="/staff/webhooks/{event.pk}/"' in content
    assert 'name="reason"' in content and "csrfmiddlewaretoken" in content


def test_an_accountant_reverses_a_payment_from_its_page(client, billed, sign_in):
    world = billed
    payment = pay(world, "VK-0001", 200_00)
    accountant = sign_in(Role.ACCOUNTANT)

    response = client.post(
        f"/staff/payments/{payment.pk}/reverse/", {"reason": "paid to the wrong account"}
    )

    assert response.status_code == 302
    assert response.url == f"/staff/payments/{payment.pk}/"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVERSED
    assert sum(
        OpenItem.objects.filter(account=world.accounts["VK-0001"]).values_list(
            "open_amount", flat=True
        )
    ) == (140_00 + 60_00)
    audit = AuditEvent.objects.get(action="payment.reversed")
    assert audit.actor == accountant and audit.detail["reason"] == "paid to the wrong account"
    page = client.get(response.url)
    assert any(m.startswith(f"Payment #{payment.pk} of") for m in texts(page))
    assert 'name="reason"' not in page.content.decode()  # nothing left to reverse
    assert_ledger_clean()


def test_reversing_twice_says_so_instead_of_failing(client, billed, sign_in):
    world = billed
    payment = pay(world, "VK-0001", 50_00)
    sign_in()
    client.post(f"/staff/payments/{payment.pk}/reverse/", {"reason": "first"})

    again = client.post(f"/staff/payments/{payment.pk}/reverse/", {"reason": "second"})

    assert again.status_code == 302
    assert "the payment is already reversed" in texts(client.get(again.url))


def test_a_collector_may_not_reverse_a_payment(client, billed, sign_in):
    world = billed
    payment = pay(world, "VK-0001", 200_00)
    sign_in(Role.COLLECTOR)

    page = client.get(f"/staff/payments/{payment.pk}/")
    response = client.post(f"/staff/payments/{payment.pk}/reverse/", {"reason": "because"})

    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.BOOKED


def test_a_supplier_user_has_no_payments_pages(client, billed, sign_in):
    world = billed
    payment = pay(world, "VK-0001", 200_00)
    sign_in(supplier=world.supplier)

    assert client.get("/staff/payments/").status_code == 403
    assert client.get(f"/staff/payments/{payment.pk}/").status_code == 403
    assert client.post(f"/staff/payments/{payment.pk}/reverse/", {"reason": "x"}).status_code == (
        403
    )


# --- registries -------------------------------------------------------------------------------


@pytest.fixture
def registered(billed):
    """Both suppliers got a share of a payment today, and today's registries are built."""
    world = billed
    pay(world, "VK-0001", 200_00)
    registries_build(tenant=world.tenant, day=today(world))
    world.water = Registry.objects.get(supplier=world.supplier)
    world.heat = Registry.objects.get(supplier=world.other)
    return world


def test_a_supplier_user_sees_only_its_own_suppliers_registries(client, registered, sign_in):
    world = registered
    sign_in(supplier=world.supplier)

    response = client.get("/supplier/registries/")
    staff_url = client.get("/staff/registries/")

    content = response.content.decode()
    assert response.status_code == 200 and staff_url.status_code == 200
    assert world.water.number in content
    assert world.heat.number not in content
    assert "Settle…" not in content and "Build registries" not in content
    assert client.get(f"/staff/registries/{world.heat.pk}/csv").status_code == 404


def test_a_supplier_user_may_not_settle_a_registry(client, registered, sign_in):
    world = registered
    sign_in(supplier=world.supplier)

    page = client.get(f"/staff/registries/{world.water.pk}/payout/")
    payout = client.post(
        f"/staff/registries/{world.water.pk}/payout/", {"file_format": "1c", "confirm": "on"}
    )

    assert page.status_code == 403 and payout.status_code == 403
    assert not Payout.objects.exists()


def test_downloading_the_csv_gives_the_registry(client, registered, sign_in):
    world = registered
    sign_in(Role.COLLECTOR)

    response = client.get(f"/staff/registries/{world.water.pk}/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{world.water.number}.csv"'
    assert world.water.number in response.content.decode("utf-8-sig")
    world.water.refresh_from_db()
    assert world.water.status == RegistryStatus.BUILT  # a registry file books nothing


def test_an_unknown_format_is_not_found(client, registered, sign_in):
    sign_in()
    assert client.get(f"/staff/registries/{registered.water.pk}/pdf").status_code == 404


def test_an_accountant_settles_a_registry_in_pain001_and_its_file_is_the_one_booked(
    client, registered, sign_in
):
    world = registered
    accountant = sign_in(Role.ACCOUNTANT)

    client.post(
        f"/staff/registries/{world.water.pk}/payout/", {"file_format": "pain001", "confirm": "on"}
    )
    payout = Payout.objects.get(registry=world.water)
    response = client.get(f"/staff/payouts/files/{payout.file.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{world.water.number}.xml"'
    assert f"<EndToEndId>{world.water.number}</EndToEndId>" in response.content.decode()
    world.water.refresh_from_db()
    assert world.water.status == RegistryStatus.PAID
    assert payout.actor == accountant and payout.amount == world.water.net
    assert_ledger_clean()


def test_the_1c_registry_of_payments_is_everyones_who_sees_the_registry_and_books_nothing(
    client, registered, sign_in
):
    world = registered
    sign_in(supplier=world.supplier)

    response = client.get(f"/staff/registries/{world.water.pk}/1c")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{world.water.number}.txt"'
    assert world.water.number in response.content.decode("cp1251")
    assert not Payout.objects.exists()


def test_a_collector_may_not_download_a_payment_order(client, registered, sign_in):
    world = registered
    sign_in(Role.ACCOUNTANT)
    client.post(
        f"/staff/registries/{world.water.pk}/payout/", {"file_format": "1c", "confirm": "on"}
    )
    payout = Payout.objects.get()
    sign_in(Role.COLLECTOR)

    assert client.get(f"/staff/payouts/files/{payout.file.pk}/").status_code == 403
    assert client.get(f"/staff/payouts/{payout.pk}/order/").status_code == 403


def test_an_accountant_settles_a_registry_from_the_list(client, registered, sign_in):
    world = registered
    sign_in(Role.ACCOUNTANT)
    listing = client.get("/staff/registries/", {"status": "built"})
    assert listing.content.decode().count("Settle…") == 2

    response = client.post(
        f"/staff/registries/{world.heat.pk}/payout/",
        {"next": "/staff/registries/?status=built", "file_format": "1c", "confirm": "on"},
    )

    assert response.status_code == 302 and response.url == "/staff/registries/?status=built"
    world.heat.refresh_from_db()
    assert world.heat.status == RegistryStatus.PAID
    page = client.get(response.url)
    assert any(f"EndToEndId {world.heat.number}" in m for m in texts(page))
    assert f"/staff/registries/{world.heat.pk}/payout/" not in page.content.decode()  # paid
    assert_ledger_clean()


def test_an_accountant_builds_the_registries_of_a_day_from_the_page(client, billed, sign_in):
    world = billed
    pay(world, "VK-0001", 200_00)
    sign_in(Role.ACCOUNTANT)
    day = today(world)

    response = client.post(
        "/staff/registries/build/", {"tenant": world.tenant.code, "day": f"{day:%Y-%m-%d}"}
    )

    assert response.status_code == 302
    assert Registry.objects.filter(tenant=world.tenant, day=day).count() == 2
    page = client.get(response.url)
    assert any(m.endswith(": 2 registries.") for m in texts(page))
    for registry in Registry.objects.all():
        assert registry.number in page.content.decode()


def test_building_registries_is_refused_to_a_collector_and_for_a_future_day(
    client, billed, sign_in
):
    world = billed
    pay(world, "VK-0001", 200_00)
    sign_in(Role.COLLECTOR)
    refused = client.post(
        "/staff/registries/build/", {"tenant": world.tenant.code, "day": f"{today(world):%Y-%m-%d}"}
    )
    sign_in(Role.ACCOUNTANT)
    future = client.post(
        "/staff/registries/build/",
        {"tenant": world.tenant.code, "day": f"{today(world) + timedelta(days=2):%Y-%m-%d}"},
    )

    assert refused.status_code == 403
    assert future.status_code == 302
    assert not Registry.objects.exists()


def test_another_tenants_staff_sees_none_of_the_registries(client, registered, sign_in):
    world = registered
    other = SupplierFactory(tenant=TenantFactory())
    sign_in(Role.OPERATOR_ADMIN, tenant=other.tenant)

    listing = client.get("/staff/registries/")

    assert world.water.number not in listing.content.decode()
    assert client.get(f"/staff/registries/{world.water.pk}/csv").status_code == 404
    assert client.post(f"/staff/registries/{world.water.pk}/payout/").status_code == 404


# --- the delivery log -------------------------------------------------------------------------


@pytest.fixture
def notified(billed):
    """vodokanal has a webhook endpoint, so the payment wrote an event for it (still pending:
    the delivery task would run on commit, and the test's transaction never commits)."""
    world = billed
    world.supplier.webhook_url = HOOK
    world.supplier.save(update_fields=["webhook_url"])
    world.payment = pay(world, "VK-0001", 200_00)
    world.event = SupplierEvent.objects.get(payment=world.payment)
    return world


def test_the_delivery_log_shows_the_event_and_its_attempts(client, notified, sign_in):
    world = notified
    event = world.event
    event.deliveries.create(at=timezone.now(), url=HOOK, error="connection refused", duration_ms=3)
    event.status, event.attempts = OutboxStatus.FAILED, 10
    event.save(update_fields=["status", "attempts"])
    sign_in(Role.COLLECTOR)

    listing = client.get("/staff/webhooks/", {"status": "failed"})
    detail = client.get(f"/staff/webhooks/{event.pk}/")

    assert f'href="/staff/webhooks/{event.pk}/"' in listing.content.decode()
    assert "connection refused" in listing.content.decode()
    content = detail.content.decode()
    assert detail.status_code == 200
    assert "&quot;event&quot;: &quot;payment.booked&quot;" in content  # the body, pretty
    assert HOOK in content and "connection refused" in content and "3 ms" in content
    assert "Resend" not in content  # a collector only looks
    assert client.post(f"/staff/webhooks/{event.pk}/resend/").status_code == 403


def test_resend_sets_the_event_pending_again(client, notified, sign_in):
    world = notified
    event = world.event
    event.status = OutboxStatus.FAILED
    event.save(update_fields=["status"])
    accountant = sign_in(Role.ACCOUNTANT)

    response = client.post(f"/staff/webhooks/{event.pk}/resend/")

    assert response.status_code == 302 and response.url == f"/staff/webhooks/{event.pk}/"
    event.refresh_from_db()
    assert event.status == OutboxStatus.PENDING
    assert AuditEvent.objects.get(action="supplier_event.resent").actor == accountant
    assert any("queued for delivery again" in m for m in texts(client.get(response.url)))


def test_another_tenants_staff_cannot_open_the_event(client, notified, sign_in):
    sign_in(Role.OPERATOR_ADMIN, tenant=TenantFactory())

    assert client.get(f"/staff/webhooks/{notified.event.pk}/").status_code == 404
    assert client.post(f"/staff/webhooks/{notified.event.pk}/resend/").status_code == 404
    listing = client.get("/staff/webhooks/").content.decode()
    assert f'href="/staff/webhooks/{notified.event.pk}/"' not in listing


def test_the_registry_and_delivery_log_lists_take_a_fixed_number_of_queries(
    client, notified, sign_in, django_assert_max_num_queries
):
    world = notified
    for number in ("VK-0002", "VK-0001"):
        pay(world, number, 30_00)
    registries_build(tenant=world.tenant, day=today(world))
    sign_in()

    with django_assert_max_num_queries(12):
        registries = client.get("/staff/registries/")
    with django_assert_max_num_queries(10):
        events = client.get("/staff/webhooks/")

    assert registries.status_code == 200 and events.status_code == 200
