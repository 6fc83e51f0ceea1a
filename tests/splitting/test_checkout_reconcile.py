"""Checkouts that always end: when the provider's webhook is lost, the provider is asked
(`splitting.channels.checkout_reconcile`) — by beat for every checkout open past the interval,
by the page the payer comes back to, and by staff on the stuck checkouts' page — and what it
answers is booked through the webhook's own path, so a webhook arriving later books nothing new.

Stripe through the `stripe` library against the local double, whose sessions are paid (or
expired) with no webhook sent; the clock is the shared frozen one, moved past the interval."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from integrations.providers.stripe import StripeProvider
from splitting.channels.checkout_reconcile import checkout_reconcile, checkouts_reconcile_stale
from splitting.channels.checkouts import checkouts_expire
from splitting.models import Checkout, Payment
from splitting.selectors import stuck_checkouts
from tests.factories import AccountHolderFactory, MembershipFactory, TenantFactory, UserFactory
from tests.integrations.stripe_double import StripeDouble
from tests.splitting.helpers import assert_ledger_clean, charges
from tests.splitting.test_providers import (
    STRIPE_KEY,
    STRIPE_WHSEC,
    allocated,
    post_event,
    stripe_start,
)
from warehouse.models import Role, Tenant

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

PAST_THE_INTERVAL = timedelta(minutes=6)  # CHECKOUT_RECONCILE_AFTER_MINUTES is 5


@pytest.fixture
def owed(world):
    """Account 00000001 (VK-0001) owes 140.00 water and 60.00 heat for 2026-11."""
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    return world


@pytest.fixture
def api(owed):
    """The holder of account 00000001, through the API."""
    user = UserFactory()
    AccountHolderFactory(user=user, account=owed.accounts["VK-0001"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def stripe_api(settings, owed):
    with StripeDouble(api_key=STRIPE_KEY) as double:
        settings.CHECKOUT_RECONCILE_AFTER_MINUTES = 5
        settings.PAYMENT_PROVIDERS = {
            "stripe": {
                "adapter": "stripe",
                "api_key": STRIPE_KEY,
                "webhook_secret": STRIPE_WHSEC,
                "api_base": double.url,
                "rules": {"min_amount": 100, "channels": ["cabinet"]},
                "tenants": "*",
            }
        }
        yield double


def started(api) -> Checkout:
    response = stripe_start(api)
    assert response.status_code == 201, response.json()
    return Checkout.objects.get(uid=response.json()["id"])


def test_a_paid_checkout_whose_webhook_was_lost_is_booked_by_the_reconcile_run(
    clock, client, api, stripe_api
):
    checkout = started(api)
    session = stripe_api.settle(checkout.provider_id)  # paid at Stripe; the webhook is lost

    too_early = checkouts_reconcile_stale()
    asked_early = len(stripe_api.calls(f"/v1/checkout/sessions/{session['id']}"))
    clock.shift(PAST_THE_INTERVAL)
    ran = checkouts_reconcile_stale()

    assert too_early == {} and asked_early == 0
    assert ran == {"paid": 1}
    checkout.refresh_from_db()
    payment = Payment.objects.get()
    assert checkout.status == "succeeded" and checkout.payment_id == payment.pk
    assert payment.external_id == f"stripe:{session['payment_intent']}"
    assert payment.amount == 20_000 and allocated(payment) == {"teplo": 6_000, "vodokanal": 14_000}
    assert (checkout.check_outcome, checkout.check_count) == ("paid", 1)
    assert checkout.checked_at is not None
    assert_ledger_clean()


def test_a_webhook_arriving_after_the_reconcile_posts_nothing_new(clock, client, api, stripe_api):
    checkout = started(api)
    stripe_api.settle(checkout.provider_id)
    clock.shift(PAST_THE_INTERVAL)
    checkouts_reconcile_stale()

    body, headers = stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC)
    late = post_event(client, body, headers)
    twice = post_event(client, body, headers)

    assert late.status_code == twice.status_code == 200
    assert late.json()["status"] == twice.json()["status"] == "replayed"
    assert Payment.objects.count() == 1
    checkout.refresh_from_db()
    assert checkout.status == "succeeded"
    assert_ledger_clean()


def test_an_open_checkout_is_left_open_and_asked_again_only_after_the_interval(
    clock, api, stripe_api
):
    checkout = started(api)
    clock.shift(PAST_THE_INTERVAL)

    first = checkouts_reconcile_stale()
    at_once = checkouts_reconcile_stale()
    clock.shift(PAST_THE_INTERVAL)
    later = checkouts_reconcile_stale()

    assert first == {"pending": 1} and at_once == {} and later == {"pending": 1}
    checkout.refresh_from_db()
    assert checkout.status == "created" and Payment.objects.count() == 0
    assert (checkout.check_outcome, checkout.check_count) == ("pending", 2)
    assert len(stripe_api.calls(f"/v1/checkout/sessions/{checkout.provider_id}")) == 2


def test_an_expired_session_fails_the_checkout(clock, api, stripe_api):
    checkout = started(api)
    stripe_api.settle(checkout.provider_id, "checkout.session.expired")
    clock.shift(PAST_THE_INTERVAL)

    assert checkouts_reconcile_stale() == {"failed": 1}
    checkout.refresh_from_db()
    assert checkout.status == "failed" and checkout.check_outcome == "failed"
    assert Payment.objects.count() == 0


def test_provider_errors_are_recorded_and_the_batch_goes_on(clock, api, stripe_api, monkeypatch):
    broken, gone, paid = started(api), started(api), started(api)
    Checkout.objects.filter(pk=gone.pk).update(provider="paypal")  # no longer configured
    stripe_api.settle(paid.provider_id)
    real_status = StripeProvider.status

    def status(self, provider_id):
        if provider_id == broken.provider_id:
            raise RuntimeError("a bug in the adapter")
        return real_status(self, provider_id)

    monkeypatch.setattr(StripeProvider, "status", status)
    clock.shift(PAST_THE_INTERVAL)

    ran = checkouts_reconcile_stale()

    assert ran == {"error": 2, "paid": 1}
    outcomes = {c.pk: (c.status, c.check_outcome, c.check_detail) for c in Checkout.objects.all()}
    assert outcomes[broken.pk] == ("created", "error", "a bug in the adapter")
    assert outcomes[gone.pk] == ("created", "error", "no payment provider 'paypal' configured")
    assert outcomes[paid.pk][:2] == ("succeeded", "paid")
    assert Payment.objects.count() == 1


def test_a_decided_checkout_is_not_asked_again(clock, client, api, stripe_api):
    checkout = started(api)
    post_event(client, *stripe_api.signed_event(checkout.provider_id, STRIPE_WHSEC))

    assert checkout_reconcile(checkout) == "paid"
    assert not stripe_api.calls(f"/v1/checkout/sessions/{checkout.provider_id}")
    checkout.refresh_from_db()
    assert checkout.check_count == 0


def test_expiry_asks_the_provider_first_and_books_what_was_paid(clock, api, stripe_api):
    paid, abandoned = started(api), started(api)
    stripe_api.settle(paid.provider_id)
    clock.shift(timedelta(days=2))

    expired = checkouts_expire()

    assert expired == 1
    states = dict(Checkout.objects.values_list("pk", "status"))
    assert states == {paid.pk: "succeeded", abandoned.pk: "failed"}
    assert Checkout.objects.get(pk=abandoned.pk).detail == "expired"
    assert Payment.objects.count() == 1


# -- the page the payer comes back to -------------------------------------------------------


def test_the_return_page_asks_the_provider_and_shows_the_payment(clock, client, api, stripe_api):
    checkout = started(api)
    waiting = client.get(f"/pay/return/{checkout.uid}/").content.decode()
    stripe_api.settle(checkout.provider_id)  # paid; the webhook never comes
    refreshed = client.get(f"/pay/return/{checkout.uid}/").content.decode()
    clock.shift(timedelta(seconds=5))

    back = client.get(f"/pay/return/{checkout.uid}/").content.decode()

    assert "Payment in progress" in waiting
    assert "Payment in progress" in refreshed  # at once: not asked again yet
    assert "Payment received" in back and "Payment in progress" not in back
    checkout.refresh_from_db()
    assert checkout.status == "succeeded" and Payment.objects.count() == 1
    assert checkout.check_count == 2  # on the first visit and the last, not in between


def test_the_return_page_of_a_cancelled_checkout_does_not_ask(client, api, stripe_api):
    checkout = started(api)

    page = client.get(f"/pay/return/{checkout.uid}/?cancelled=1").content.decode()

    assert "Payment not completed" in page
    assert not stripe_api.calls(f"/v1/checkout/sessions/{checkout.provider_id}")


# -- the staff page of stuck checkouts ------------------------------------------------------


STUCK = "/staff/checkouts/stuck/"


def staff(tenant, role) -> object:
    user = UserFactory()
    MembershipFactory(user=user, tenant=tenant, role=role)
    return user


def test_stuck_checkouts_are_those_open_past_the_interval_of_the_tenants_given(
    clock, api, stripe_api, owed
):
    old = started(api)
    clock.shift(PAST_THE_INTERVAL)
    fresh = started(api)
    paid = started(api)
    Checkout.objects.filter(pk=paid.pk).update(created_at=old.created_at)
    stripe_api.settle(paid.provider_id)
    checkout_reconcile(paid)

    assert list(stuck_checkouts(Tenant.objects.filter(pk=owed.tenant.pk))) == [old]
    assert list(stuck_checkouts([owed.tenant])) == [old]
    assert fresh.status == "created"
    assert list(stuck_checkouts(Tenant.objects.exclude(pk=owed.tenant.pk))) == []


def test_an_accountant_asks_the_provider_from_the_page_and_the_payment_is_booked(
    clock, client, api, stripe_api, owed, django_assert_max_num_queries
):
    checkout = started(api)
    stripe_api.settle(checkout.provider_id)
    clock.shift(PAST_THE_INTERVAL)
    client.force_login(staff(owed.tenant, Role.ACCOUNTANT))

    with django_assert_max_num_queries(12):
        listed = client.get(STUCK).content.decode()
    ask = f"/staff/checkouts/{checkout.pk}/ask/"
    asked = client.post(ask)
    after = client.get(STUCK).content.decode()

    assert "00000001" in listed and ask in listed and "not yet" in listed
    assert asked.status_code == 302 and asked.url == STUCK
    [message] = get_messages(asked.wsgi_request)
    assert "the provider says it is paid" in str(message) and "00000001" in str(message)
    checkout.refresh_from_db()
    assert checkout.status == "succeeded" and Payment.objects.count() == 1
    assert "No stuck checkouts" in after and ask not in after
    assert_ledger_clean()


def test_the_provider_still_waiting_is_said_and_shown_with_when_it_was_asked(
    clock, client, api, stripe_api, owed
):
    checkout = started(api)
    clock.shift(PAST_THE_INTERVAL)
    client.force_login(staff(owed.tenant, Role.OPERATOR_ADMIN))

    asked = client.post(f"/staff/checkouts/{checkout.pk}/ask/", follow=True).content.decode()

    assert "is not paid yet" in asked
    assert "Not paid yet" in asked and "asked 1 time" in asked
    checkout.refresh_from_db()
    assert checkout.status == "created"


def test_a_collector_sees_stuck_checkouts_but_may_not_ask_and_another_tenant_sees_none(
    clock, client, api, stripe_api, owed
):
    checkout = started(api)
    clock.shift(PAST_THE_INTERVAL)
    ask = f"/staff/checkouts/{checkout.pk}/ask/"

    client.force_login(staff(owed.tenant, Role.COLLECTOR))
    seen = client.get(STUCK).content.decode()
    refused = client.post(ask)
    client.force_login(staff(TenantFactory(), Role.ACCOUNTANT))
    elsewhere = client.get(STUCK).content.decode()
    hidden = client.post(ask)
    client.force_login(UserFactory())
    nobody = client.get(STUCK)

    assert "00000001" in seen and ask not in seen
    assert refused.status_code == 403
    assert "00000001" not in elsewhere and hidden.status_code == 404
    assert nobody.status_code == 403
    assert not stripe_api.calls(f"/v1/checkout/sessions/{checkout.provider_id}")
