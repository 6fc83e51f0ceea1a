"""The personal pay link: no sign-in, masked data only, expiry, and the TAN with its lock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from invoicing.models import PaymentDocument
from invoicing.services import pay_links
from tests.month_end import month_end_close

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

FILE = """
supplier_account,service_code,amount
VK-0001,01,123.45
VK-0002,01,10.00
"""


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py):
    pay links of the 2026-12 documents expire 60 days after their due date."""
    return clock


@pytest.fixture
def document(world):
    world.import_(FILE)
    month_end_close(tenant=world.tenant, period="2026-12", allow_missing=True)
    return PaymentDocument.objects.get(account=world.accounts["VK-0001"])


def _url(document):
    return f"/pay/{pay_links.pay_token(document.pay_salt)}"


def test_the_link_shows_masked_data_and_the_amount_without_signing_in(client, document):
    account = document.account
    response = client.get(_url(document))

    assert response.status_code == 200
    page = response.content.decode()
    assert "123,45" in page
    assert pay_links.mask_name(account.payer_name) in page
    assert account.payer_name not in page
    assert account.premises.building.address not in page
    assert account.account_number not in page
    assert response["Referrer-Policy"] == "same-origin"


def test_only_a_hash_of_the_token_is_stored(document):
    token = pay_links.pay_token(document.pay_salt)
    assert len(token) >= 22  # 16 random bytes, base64url
    stored = PaymentDocument.objects.filter(pk=document.pk).values().get()
    assert token not in str(stored)
    assert stored["pay_token_hash"] == pay_links.digest(token)


def test_an_unknown_token_is_not_found(client, document):
    assert client.get("/pay/not-a-real-token-at-all").status_code == 404


def test_an_expired_link_says_so(client, document):
    PaymentDocument.objects.filter(pk=document.pk).update(
        pay_expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.get(_url(document))

    assert response.status_code == 410
    assert "123,45" not in response.content.decode()


@pytest.fixture
def tan_document(world, document):
    world.tenant.tan_required = True
    world.tenant.save()
    return document


def test_with_a_tan_the_page_asks_for_it_first(client, tan_document):
    response = client.get(_url(tan_document))
    assert response.status_code == 200
    assert "123,45" not in response.content.decode()

    tan = pay_links.tan_for(tan_document.pay_salt)
    response = client.post(_url(tan_document), {"tan": tan})
    assert response.status_code == 302
    assert "123,45" in client.get(_url(tan_document)).content.decode()


def test_five_wrong_tans_lock_the_link_for_an_hour(client, tan_document):
    tan = pay_links.tan_for(tan_document.pay_salt)
    wrong = f"{(int(tan) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(_url(tan_document), {"tan": wrong}).status_code == 200

    response = client.post(_url(tan_document), {"tan": wrong})
    assert response.status_code == 429
    response = client.post(_url(tan_document), {"tan": tan})  # even the right one, now
    assert response.status_code == 429
    assert "123,45" not in response.content.decode()

    tan_document.refresh_from_db()
    assert tan_document.tan_locked_until > timezone.now() + timedelta(minutes=59)
    PaymentDocument.objects.filter(pk=tan_document.pk).update(
        tan_locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert client.post(_url(tan_document), {"tan": tan}).status_code == 302
