"""Issuing coupons that block more than the threshold (10 000.00 by default) goes through a
confirmation page — count, amounts, total, balance before and after, validity — and issues only
on a POST carrying `confirm`, once; a batch under the threshold is issued at once as before."""

import pytest
from django.urls import reverse

from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.models import CouponBatch, WalletMovement
from wallets.services.issue_preview import confirm_threshold
from warehouse.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    world = coupon_world()
    fund(world, "20000.00")
    client.force_login(world.issuer)
    return world


def _url(world):
    return reverse("corporate-issue", args=[world.wallet.payer_id])


def _form(client, world, count):
    page = client.get(_url(world))
    return {
        "fee": world.fee.pk,
        "count": count,
        "seen_batch": page.context["form"]["seen_batch"].value(),
    }


def test_the_default_threshold_is_ten_thousand_and_the_issue_page_says_so(client, world):
    page = client.get(_url(world)).content.decode()

    assert confirm_threshold() == 1_000_000
    assert "more than 10\u00a0000,00\u00a0₽ is shown for confirmation" in page


def test_a_batch_over_the_threshold_shows_what_it_blocks_and_issues_nothing(client, world):
    movements = WalletMovement.objects.count()

    page = client.post(_url(world), _form(client, world, 10))  # 10 × 1 500.00 = 15 000.00
    html = page.content.decode()

    assert page.status_code == 200 and 'data-testid="issue-confirm"' in html
    preview = page.context["preview"]
    assert (preview.count, preview.amount_each, preview.total) == (10, 150_000, 1_500_000)
    assert (preview.available_before, preview.available_after) == (2_000_000, 500_000)
    assert "15\u00a0000,00\u00a0₽" in html and "5\u00a0000,00\u00a0₽" in html
    assert "20\u00a0000,00\u00a0₽" in html
    assert preview.valid_through.strftime("%d.%m.%Y") in html
    assert CouponBatch.objects.count() == 0
    assert WalletMovement.objects.count() == movements
    wallet = world.refresh()
    assert (wallet.available, wallet.blocked) == (2_000_000, 0)


def test_a_confirmed_batch_is_issued_once_however_often_it_is_sent(client, world):
    form = {**_form(client, world, 10), "confirm": "yes"}

    first = client.post(_url(world), form)
    again = client.post(_url(world), form)

    batch = CouponBatch.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url
    assert (batch.count, batch.total) == (10, 1_500_000)
    wallet = world.refresh()
    assert (wallet.available, wallet.blocked) == (500_000, 1_500_000)
    assert AuditEvent.objects.filter(action="wallet.coupons_issued").count() == 1


def test_a_forged_confirm_value_is_not_a_confirmation(client, world):
    form = {**_form(client, world, 10), "confirm": "1"}

    page = client.post(_url(world), form)

    assert 'data-testid="issue-confirm"' in page.content.decode()
    assert CouponBatch.objects.count() == 0


def test_a_batch_under_the_threshold_is_issued_without_a_confirmation(client, world):
    response = client.post(_url(world), _form(client, world, 6))  # 9 000.00

    assert response.status_code == 302
    assert CouponBatch.objects.get().total == 900_000


def test_a_batch_the_balance_does_not_cover_is_refused_without_a_confirmation(client, world):
    page = client.post(_url(world), _form(client, world, 14))  # 21 000.00 > 20 000.00

    assert 'data-testid="issue-refused"' in page.content.decode()
    assert 'data-testid="issue-confirm"' not in page.content.decode()
    assert CouponBatch.objects.count() == 0


def test_the_threshold_follows_the_setting(client, world, settings):
    settings.COUPON_CONFIRM_THRESHOLD = 100_000  # 1 000.00

    page = client.post(_url(world), _form(client, world, 1))  # 1 500.00

    assert 'data-testid="issue-confirm"' in page.content.decode()
    assert CouponBatch.objects.count() == 0
