"""Texts the system writes down or sends read in the right language: a case's history in each
reader's, the collector's drafts to a debtor and a supplier's payment order in the tenant's,
the default dunning levels in the reader's, and the German penalty line in German."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from debt_collection.models import CaseEvent, CaseEventKind, DunningLevel, SystemNote
from debt_collection.services.cases import cases_assign
from splitting.settlement.orders import remittance
from tests.debt_collection.workspace_helpers import open_case
from tests.factories import TenantFactory
from warehouse.services.penalties import penalty_service

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]


def _page(client, user, url, language):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url)


@pytest.mark.django_db
def test_a_case_history_written_by_the_system_reads_in_each_readers_language(
    client, indebted, collector
):
    case = open_case(indebted, "VK-0001")
    cases_assign(tenant=indebted.tenant, agents=[collector])
    url = reverse("case-detail", args=[case.pk])

    russian = _page(client, collector, url, "ru").content.decode()
    english = _page(client, collector, url, "en").content.decode()

    assert "назначено исполнителю kolya" in russian and "assigned to kolya" not in russian
    assert "assigned to kolya" in english
    stored = CaseEvent.objects.get(case=case, kind=CaseEventKind.ASSIGNED)
    assert stored.note == "assigned to kolya"  # the API and exports read the English text


@pytest.mark.django_db
def test_the_collectors_drafts_speak_the_debtors_language_not_the_collectors(
    client, indebted, collector
):
    case = open_case(indebted, "VK-0001")

    response = _page(client, collector, reverse("case-detail", args=[case.pk]), "en")

    letter = response.context["letter_form"].initial
    sms = response.context["sms_form"].initial
    assert letter["subject"] == "Просроченная задолженность"
    assert "Overdue" not in sms["body"] and "Please pay" not in sms["body"]
    assert "ООО «Расчётный центр»" in sms["body"]


def test_a_system_note_keeps_its_arguments_and_formats_them_for_the_reader():
    note = SystemNote(
        "promised %(amount_minor)s by %(due_date)s", amount_minor="1234.50", due_date="2026-11-30"
    )
    event = CaseEvent(note=note, detail={"said": note.said()})

    with translation.override("ru"):
        russian = event.text
    with translation.override("en"):
        english = event.text

    assert russian == "обещание оплатить 1\xa0234,50 до 30.11.2026"
    assert english.startswith("promised 1,234.50 by ")
    assert CaseEvent(note="typed by a person").text == "typed by a person"


@pytest.mark.parametrize(
    ("stored", "language", "shown"),
    [
        ("SMS reminder", "ru", "SMS-напоминание"),
        ("Обращение в суд", "en", "Court claim"),
        ("Звонок старшего", "en", "Звонок старшего"),  # a name staff typed stays as typed
    ],
)
def test_a_default_dunning_level_reads_in_the_readers_language(stored, language, shown):
    with translation.override(language):
        assert DunningLevel(position=1, name=stored).display_name == shown


def _payout(tenant):
    registry = SimpleNamespace(
        tenant=tenant, number="R20261201-1-2", day=date(2026, 12, 1), count=42
    )
    return SimpleNamespace(registry=registry, end_to_end_id="E2E-1")


def test_a_russian_tenants_payment_order_purpose_is_russian():
    tenant = TenantFactory.build(profile="RU", currency="RUB", locale="ru")

    with translation.override("en"):  # whoever presses the button
        purpose = remittance(_payout(tenant))

    assert purpose == "E2E-1: перечисление по реестру № R20261201-1-2 от 01.12.2026, платежей: 42"


def test_a_german_tenants_payment_order_purpose_is_german():
    tenant = TenantFactory.build(profile="SEPA", currency="EUR", locale="de")

    with translation.override("ru"):
        purpose = remittance(_payout(tenant))

    assert purpose.startswith("E2E-1: Register R20261201-1-2 vom ")


@pytest.mark.django_db
def test_the_penalty_line_of_a_german_bill_is_named_in_german():
    tenant = TenantFactory(profile="SEPA", currency="EUR", locale="de")

    with translation.override("ru"):
        service = penalty_service(tenant)

    assert service.name == "Verzugszinsen"
