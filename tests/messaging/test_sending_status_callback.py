"""Twilio's delivery-status callback, `POST /api/v1/sms/status`: signed with Twilio's
X-Twilio-Signature (computed here with the library's RequestValidator, as Twilio computes it)
it updates the message; forged, unsigned or for an unknown message it changes nothing."""

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from messaging.models import Message, MessageChannel, MessageStatus
from messaging.services.messages import message_queue
from messaging.tasks import send_message
from tests.factories import AccountFactory

pytest_plugins = ["tests.messaging.twilio_double"]
pytestmark = pytest.mark.django_db

PATH = "/api/v1/sms/status"


@pytest.fixture
def sent(twilio_settings, twilio_double):
    """An SMS sent through the real client to the double: `sent`, with the double's SID."""
    account = AccountFactory(phone="+79161234567")
    message = message_queue(account=account, channel=MessageChannel.SMS, body="Please pay.")
    send_message.apply(args=(message.pk,))
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    return message


def callback(client, settings, params, *, url=None, signature=None, token=None):
    url = url or settings.TWILIO_STATUS_CALLBACK_URL
    if signature is None:
        signature = RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(
            url, params
        )
    return client.post(PATH, params, headers={"X-Twilio-Signature": signature})


def status_params(message, status, **extra):
    return {
        "MessageSid": message.provider_id,
        "SmsSid": message.provider_id,
        "AccountSid": "AC" + "0" * 30 + "d1",
        "From": "+15005550006",
        "To": message.recipient,
        "MessageStatus": status,
        "SmsStatus": status,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def test_the_url_is_the_one_in_the_brief():
    assert reverse("sms-status-callback") == PATH


def test_a_signed_delivered_status_marks_the_message_delivered(client, settings, sent):
    response = callback(client, settings, status_params(sent, "delivered"))

    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED
    assert sent.delivered_at is not None


def test_a_forged_signature_is_refused_and_changes_nothing(client, settings, sent):
    forged = RequestValidator("not-our-token").compute_signature(
        settings.TWILIO_STATUS_CALLBACK_URL, status_params(sent, "delivered")
    )

    response = callback(client, settings, status_params(sent, "delivered"), signature=forged)

    assert response.status_code == 403
    sent.refresh_from_db()
    assert (sent.status, sent.delivered_at) == (MessageStatus.SENT, None)


def test_a_signature_of_other_params_is_refused(client, settings, sent):
    signed_for = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        settings.TWILIO_STATUS_CALLBACK_URL, status_params(sent, "sent")
    )

    response = callback(client, settings, status_params(sent, "delivered"), signature=signed_for)

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_an_unsigned_callback_is_refused(client, settings, sent):
    response = client.post(PATH, status_params(sent, "delivered"))

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_without_twilio_configured_every_callback_is_refused(client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered"}

    response = client.post(PATH, params, headers={"X-Twilio-Signature": "anything"})

    assert response.status_code == 403


def test_a_status_for_an_unknown_message_is_acknowledged(client, settings, sent):
    params = {**status_params(sent, "delivered"), "MessageSid": "SM" + "f" * 32}

    response = callback(client, settings, params)

    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_undelivered_fails_the_message_with_the_error_code(client, settings, sent):
    response = callback(client, settings, status_params(sent, "undelivered", ErrorCode="30003"))

    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.FAILED
    assert "30003" in sent.error


def test_a_delivered_message_never_moves_back(client, settings, sent):
    callback(client, settings, status_params(sent, "delivered"))

    for late in ("sent", "queued", "failed", "undelivered"):
        assert callback(client, settings, status_params(sent, late)).status_code == 200

    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED


def test_without_a_configured_url_the_signature_covers_the_url_as_received(client, settings, sent):
    settings.TWILIO_STATUS_CALLBACK_URL = ""

    response = callback(
        client, settings, status_params(sent, "delivered"), url="http://testserver" + PATH
    )

    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED


def test_a_signed_callback_without_a_status_is_a_bad_request(client, settings, sent):
    params = {"MessageSid": sent.provider_id}

    response = callback(client, settings, params)

    assert response.status_code == 400
    assert Message.objects.get(pk=sent.pk).status == MessageStatus.SENT


def test_only_post_is_allowed(client):
    assert client.get(PATH).status_code == 405
