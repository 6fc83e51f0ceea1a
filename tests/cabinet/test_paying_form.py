"""The paying form of the cabinet and of the personal pay link: amounts validated at their
fields, only the providers whose rules take the amount offered (with fee and total), and the
checkout started as chosen — Stripe's library against the local double (any database); the
provider's signed webhook then books the payment split as the payer chose."""

import pytest

from invoicing.models import PaymentDocument
from invoicing.services import pay_links
from splitting.models import Checkout, Payment
from splitting.selectors import payment_allocations
from tests.factories import UserFactory
from tests.integrations.stripe_double import StripeDouble
from tests.splitting.helpers import assert_ledger_clean

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.bills_fixtures"]
pytestmark = pytest.mark.django_db

PAY = "/cabinet/accounts/rc-charges/00000001/pay/"
STRIPE_KEY = "sk_test_unibill"
STRIPE_WHSEC = "whsec_unibill"


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py):
    pay links of the 2026-12 documents expire 60 days after their due date."""
    return clock


@pytest.fixture
def providers(settings, billed):
    """`card` takes 1.00–500.00 with a 2 % fee, in the cabinet and on pay links; `wallet` only
    from 300.00, in the cabinet only, without a fee."""
    with StripeDouble(api_key=STRIPE_KEY) as double:
        common = {
            "adapter": "stripe",
            "api_key": STRIPE_KEY,
            "webhook_secret": STRIPE_WHSEC,
            "api_base": double.url,
        }
        settings.PAYMENT_PROVIDERS = {
            "card": {
                **common,
                "rules": {
                    "min_amount": 100,
                    "max_amount": 50_000,
                    "fee_percent": "2",
                    "channels": ["cabinet", "pay_link"],
                },
                "tenants": [billed.tenant.code],
            },
            "wallet": {
                **common,
                "rules": {"min_amount": 30_000, "channels": ["cabinet"]},
                "tenants": "*",
            },
        }
        yield double


def offered(response) -> dict[str, tuple[int, int]]:
    return {offer.code: (fee, total) for offer, _, fee, total in response.context["offers"]}


def test_the_page_shows_what_is_due_per_supplier(resident_client, providers):
    response = resident_client.get(PAY)

    assert response.status_code == 200
    position = response.context["position"]
    assert position.total_due == 42_000
    assert {(s.code, s.open) for s in position.suppliers} == {
        ("vodokanal", 29_000),
        ("teplo", 13_000),
    }
    page = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<label for="id_split_vodokanal">АО «Водоканал»</label>' in page


def test_only_the_providers_whose_rules_take_the_amount_are_offered_with_fee_and_total(
    resident_client, providers
):
    whole = resident_client.post(PAY, {"mode": "all"})
    part = resident_client.post(PAY, {"mode": "part", "amount": "100.00"})
    above_card = resident_client.post(PAY, {"mode": "part", "amount": "600,00"})
    too_little = resident_client.post(PAY, {"mode": "part", "amount": "0.50"})

    assert offered(whole) == {"card": (840, 42_840), "wallet": (0, 42_000)}
    assert offered(part) == {"card": (200, 10_200)}
    assert offered(above_card) == {"wallet": (0, 60_000)}
    assert offered(too_little) == {}
    assert "No payment method takes this amount online" in too_little.content.decode()
    page = whole.content.decode()
    assert "428,40" in page and 'value="card"' in page
    assert Checkout.objects.count() == 0


def test_more_than_due_is_taken_as_an_advance(resident_client, providers):
    response = resident_client.post(PAY, {"mode": "part", "amount": "450.00"})

    assert response.context["confirm"] is True
    assert response.context["to_pay"] == 45_000


def test_amounts_are_refused_at_their_fields(resident_client, providers):
    bad = resident_client.post(PAY, {"mode": "part", "amount": "12.345"})
    empty = resident_client.post(PAY, {"mode": "part", "amount": ""})
    over = resident_client.post(
        PAY, {"mode": "split", "split_vodokanal": "290.01", "split_teplo": "10.00"}
    )
    none = resident_client.post(PAY, {"mode": "split", "split_vodokanal": "", "split_teplo": "0"})

    assert bad.context["form"].errors == {"amount": ["Enter an amount such as 120.50."]}
    assert empty.context["form"].errors == {"amount": ["Enter the amount to pay."]}
    assert over.context["form"].errors == {
        "split_vodokanal": ["More than the 290.00 open for this supplier."]
    }
    assert "More than the 290.00 open for this supplier." in over.content.decode()
    assert none.context["form"].non_field_errors() == ["Enter an amount for at least one supplier."]
    for response in (bad, empty, over, none):
        assert response.context["confirm"] is False
    assert Checkout.objects.count() == 0 and providers.requests == []


def test_a_provider_not_offered_for_the_amount_starts_nothing(resident_client, providers):
    response = resident_client.post(PAY, {"mode": "part", "amount": "100.00", "provider": "wallet"})

    assert response.status_code == 200
    assert "does not take this amount" in response.content.decode()
    assert Checkout.objects.count() == 0 and providers.requests == []


def test_a_split_payment_is_started_and_booked_as_chosen(client, resident_client, providers):
    response = resident_client.post(
        PAY,
        {
            "mode": "split",
            "split_vodokanal": "100.00",
            "split_teplo": "20,00",
            "provider": "card",
        },
    )

    checkout = Checkout.objects.get()
    assert response.status_code == 302
    assert response["Location"] == checkout.redirect_url
    assert checkout.redirect_url.startswith("https://checkout.stripe.com/")
    assert checkout.split == {"vodokanal": 10_000, "teplo": 2_000}
    assert (checkout.channel, checkout.amount, checkout.fee) == ("cabinet", 12_000, 240)
    assert checkout.return_url == "/cabinet/accounts/rc-charges/00000001/documents/"

    body, headers = providers.signed_event(checkout.provider_id, STRIPE_WHSEC)
    booked = client.post(
        "/api/v1/providers/card/webhook",
        body,
        "application/json",
        HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
    )
    assert booked.status_code == 200
    payment = Payment.objects.get()
    assert {line.supplier: line.amount for line in payment_allocations(payment)} == {
        "vodokanal": 10_000,
        "teplo": 2_000,
    }
    result = resident_client.get(f"/pay/return/{checkout.uid}/")
    assert "Payment received" in result.content.decode()
    assert_ledger_clean()


# --- the personal pay link lands on the same flow ----------------------------------------------


@pytest.fixture
def link(billed):
    document = PaymentDocument.objects.get(account=billed.accounts["VK-0001"], period="2026-12")
    return document, f"/pay/{pay_links.pay_token(document.pay_salt)}"


def test_the_pay_link_offers_the_same_form_with_masked_data(client, link, providers):
    document, url = link

    landing = client.get(url)
    page = client.get(url + "/online/")

    assert f'href="{url}/online/"' in landing.content.decode()
    assert page.status_code == 200
    text = page.content.decode()
    account = document.account
    assert pay_links.mask_name(account.payer_name) in text
    assert account.payer_name not in text
    assert account.account_number not in text
    assert account.premises.building.address not in text
    assert page["Referrer-Policy"] == "same-origin"  # nothing of the link reaches the provider


def test_the_pay_link_flow_offers_pay_link_providers_and_starts_a_checkout(client, link, providers):
    document, url = link

    review = client.post(url + "/online/", {"mode": "all"})
    started = client.post(url + "/online/", {"mode": "all", "provider": "card"})

    assert offered(review) == {"card": (840, 42_840)}  # the wallet is for the cabinet only
    checkout = Checkout.objects.get()
    assert started.status_code == 302 and started["Location"] == checkout.redirect_url
    assert (checkout.channel, checkout.reference, checkout.amount) == (
        "pay_link",
        document.reference,
        42_000,
    )
    assert checkout.return_url == ""  # the token is never stored in clear


def test_the_pay_link_flow_asks_for_the_tan_first(client, link, providers, billed):
    billed.tenant.tan_required = True
    billed.tenant.save()
    document, url = link

    before = client.get(url + "/online/")
    client.post(url, {"tan": pay_links.tan_for(document.pay_salt)})
    after = client.get(url + "/online/")

    assert before.status_code == 302 and before["Location"] == url
    assert after.status_code == 200


def test_an_unknown_pay_link_is_not_found(client, providers):
    assert client.get("/pay/not-a-real-token-at-all/online/").status_code == 404


# --- isolation ---------------------------------------------------------------------------------


def test_another_resident_cannot_pay_for_the_account(client, resident, providers):
    client.force_login(UserFactory(username="boris"))

    assert client.get(PAY).status_code == 404
    assert client.post(PAY, {"mode": "all", "provider": "card"}).status_code == 404
    assert Checkout.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client, resident, providers):
    response = client.post(PAY, {"mode": "all", "provider": "card"})

    assert response.status_code == 302 and "login" in response["Location"]
    assert Checkout.objects.count() == 0
