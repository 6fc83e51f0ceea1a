"""Booking a payout goes through its confirmation page: it names the supplier, the registry, the
amount and the bank details (the account masked), says what file it writes and that a booked
payout is not undone here; only a POST with the confirmation books it, and once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from splitting.models import Payout, PayoutFile, Registry, RegistryStatus
from splitting.settlement.payee import account_mask
from splitting.settlement.registries import registries_build
from tests.factories import MembershipFactory, UserFactory
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=MOSCOW)


@pytest.fixture
def registry(world, client):
    with time_machine.travel(_at(1, 9), tick=False):
        charges(world, "2026-11", water={"VK-0001": "900.00"})
    with time_machine.travel(_at(1), tick=False):
        pay(world, "VK-0001", 60_000)
    with time_machine.travel(_at(2, 1), tick=False):
        registries_build(tenant=world.tenant, day=_at(1).date())
    user = UserFactory()
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(user)
    return Registry.objects.get(supplier=world.supplier)


def test_account_mask_keeps_the_ends_only():
    assert account_mask("40702810800001400002") == "4070 ••• 0002"
    assert account_mask("DE89 3704 0044 0532 0130 00") == "DE89 ••• 3000"
    assert account_mask("12345678") == "12345678"
    assert account_mask("") == ""


def test_the_page_names_the_payee_the_amount_the_file_and_what_cannot_be_undone(
    client, world, registry
):
    html = client.get(reverse("registry-payout", args=[registry.pk])).content.decode()

    assert world.supplier.name in html
    assert registry.number in html
    assert "4070 ••• 0002" in html and "40702810800001400002" not in html
    assert "044525700" in html  # the BIC, in full
    assert "payment-order file" in html
    assert 'data-testid="payout-irreversible"' in html and "This cannot be undone" in html
    net = f"{registry.net // 100},{registry.net % 100:02d}"
    assert net in html


def test_a_post_without_the_confirmation_books_nothing_and_shows_the_page(client, registry):
    url = reverse("registry-payout", args=[registry.pk])

    page = client.post(url, {"file_format": "1c"})

    registry.refresh_from_db()
    assert page.status_code == 200
    assert "Tick the confirmation to book the payouts." in page.content.decode()
    assert registry.status == RegistryStatus.BUILT
    assert not Payout.objects.exists() and not PayoutFile.objects.exists()


def test_a_confirmed_post_books_one_payout_and_a_replay_books_no_second(client, registry):
    url = reverse("registry-payout", args=[registry.pk])

    first = client.post(url, {"file_format": "1c", "confirm": "on"})
    replay = client.post(url, {"file_format": "1c", "confirm": "on"})

    registry.refresh_from_db()
    assert first.status_code == 302 and replay.status_code == 200
    assert registry.status == RegistryStatus.PAID
    assert Payout.objects.count() == 1 and PayoutFile.objects.count() == 1
    assert Payout.objects.get().amount == registry.net
    assert 'data-testid="payout-irreversible"' not in replay.content.decode()
    assert_ledger_clean()
