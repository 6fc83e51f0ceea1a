"""Click-to-call through Twilio Voice, with the real `twilio` client against the local double:
Twilio rings the agent's own phone, then dials the payer showing the operator's number; the
case records the call. Without Twilio Voice configured the page offers the tel: link only."""

import re
from xml.etree import ElementTree

import pytest

from debt_collection.models import CaseEvent
from integrations.voice import bridge_twiml
from tests.debt_collection.workspace_helpers import open_case
from warehouse.models import AuditEvent

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
    "tests.messaging.twilio_double",
]
pytestmark = pytest.mark.django_db

AGENT_PHONE = "+79035550101"
PAYER_PHONE = "+79161234567"


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py), a Friday at 12:00 in Moscow: a call is
    allowed only in the debtor's daytime (230-ФЗ ст. 7), so these tests fix the hour."""
    return clock


@pytest.fixture
def case(indebted):
    account = indebted.accounts["VK-0001"]
    account.phone = PAYER_PHONE
    account.save(update_fields=["phone"])
    return open_case(indebted, "VK-0001")


@pytest.fixture
def voice(twilio_settings):
    twilio_settings.TWILIO_VOICE_ENABLED = True
    return twilio_settings


def test_the_agents_phone_rings_then_the_payer_is_dialled_from_the_operators_number(
    client, collector, case, voice, twilio_double
):
    collector.phone = AGENT_PHONE
    collector.save(update_fields=["phone"])
    client.force_login(collector)

    page = client.get(f"/staff/collections/cases/{case.pk}/").content.decode()
    answer = client.post(f"/staff/collections/cases/{case.pk}/call/", follow=True)

    assert 'data-testid="call-via-twilio"' in page
    [call] = twilio_double.calls
    operator = voice.TWILIO_FROM
    assert (call.params["To"], call.params["From"]) == (AGENT_PHONE, operator)
    dial = ElementTree.fromstring(call.params["Twiml"]).find("Dial")
    assert dial.get("callerId") == operator and dial.findtext("Number") == PAYER_PHONE
    event = CaseEvent.objects.get(case=case, kind="call")
    assert re.fullmatch(r"CA[0-9a-f]{32}", event.detail["call_sid"])
    assert AuditEvent.objects.filter(action="debt_case.call_started").count() == 1
    assert "Twilio is ringing your phone" in answer.content.decode()


def test_an_agent_without_a_phone_is_told_and_nothing_is_called(
    client, collector, case, voice, twilio_double
):
    client.force_login(collector)

    answer = client.post(f"/staff/collections/cases/{case.pk}/call/", follow=True)

    assert "add your phone number to your profile first" in answer.content.decode()
    assert twilio_double.calls == [] and not CaseEvent.objects.filter(kind="call").exists()


def test_without_twilio_voice_only_the_tel_link_is_offered(client, collector, case, settings):
    settings.TWILIO_VOICE_ENABLED = False
    collector.phone = AGENT_PHONE
    collector.save(update_fields=["phone"])
    client.force_login(collector)

    page = client.get(f"/staff/collections/cases/{case.pk}/").content.decode()
    refused = client.post(f"/staff/collections/cases/{case.pk}/call/", follow=True)

    assert f'href="tel:{PAYER_PHONE}"' in page and "call-via-twilio" not in page
    assert "calls through Twilio are not configured" in refused.content.decode()


def test_the_twiml_escapes_what_it_dials():
    twiml = bridge_twiml(debtor="+7<916>&", caller_id='+1"500')

    dial = ElementTree.fromstring(twiml).find("Dial")
    assert dial.findtext("Number") == "+7<916>&" and dial.get("callerId") == '+1"500'
