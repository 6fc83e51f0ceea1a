"""Closing a period goes through a confirmation page: it shows which suppliers sent their charge
files (version, lines, total) and which did not, the documents to issue and the total, and
closes only on a POST carrying `confirm`, once."""

import pytest

from invoicing.models import BillingPeriod, PaymentDocument
from invoicing.services.close_preview import close_preview
from tests.factories import MembershipFactory, UserFactory
from warehouse.models import AuditEvent, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

FILE = """
supplier_account,service_code,quantity,unit,tariff,amount
VK-0001,01,2,m3,50,100.00
VK-0002,01,,,,10.00
VK-0003,02,,,,25.25
"""


@pytest.fixture
def operator(client, world):
    user = UserFactory(is_staff=True)
    MembershipFactory(user=user, tenant=world.tenant, role=Role.OPERATOR_ADMIN)
    client.force_login(user)
    return user


def _url(world, period="2026-12"):
    return f"/staff/billing/{world.tenant.code}/{period}/close/"


def _charge_penalties(client, world, period="2026-12"):
    page = client.post(
        "/staff/collections/penalty-runs/", {"tenant": world.tenant.code, "period": period}
    )
    assert page.status_code == 302


def test_the_periods_form_leads_to_the_confirmation_page_and_closes_nothing(
    client, world, operator
):
    world.import_(FILE)
    _charge_penalties(client, world)

    response = client.post(
        "/staff/billing/", {"tenant": world.tenant.code, "period": "2026-12"}, follow=False
    )

    assert response.status_code == 302 and response["Location"] == _url(world)
    assert not PaymentDocument.objects.exists()
    assert not BillingPeriod.objects.filter(period="2026-12", status="closed").exists()


def test_the_preview_names_the_suppliers_with_and_without_files_and_the_totals(
    client, world, operator
):
    world.import_(FILE)
    _charge_penalties(client, world)

    page = client.get(_url(world))
    html = page.content.decode()

    preview = close_preview(tenant=world.tenant, period="2026-12")
    assert [s.code for s in preview.sent] == ["vodokanal"]
    assert [s.code for s in preview.missing] == ["teplo"]
    sent = preview.sent[0].batch
    assert (sent.version, sent.rows_valid, sent.amount_total) == (1, 3, 13525)
    assert preview.accounts == 6 and preview.refusals == []
    assert page.status_code == 200
    assert "135,25" in html  # vodokanal's file total, formatted for the RU tenant
    assert 'data-supplier="teplo"' in html and "nothing sent" in html
    assert "6 documents" in html
    assert "corrections arrive as recalculations in a later period" in html
    assert 'name="allow_missing"' in html  # a supplier is missing: the page offers to go ahead


def test_the_preview_says_the_penalty_run_is_missing_and_offers_no_close(client, world, operator):
    world.import_(FILE)

    html = client.get(_url(world)).content.decode()

    assert "penalties of 2026-12 have not been charged" in html
    assert "Penalty runs page" in html and "manage.py" not in html
    assert "disabled" in html


def test_a_post_without_confirm_changes_nothing_and_shows_the_page_again(client, world, operator):
    world.import_(FILE)
    _charge_penalties(client, world)

    response = client.post(_url(world), {"allow_missing": "on"})

    assert response.status_code == 200
    assert "Nothing was closed" in response.content.decode()
    assert not PaymentDocument.objects.exists()
    assert not BillingPeriod.objects.filter(period="2026-12").exclude(status="open").exists()


def test_a_confirmed_close_issues_the_documents_once_and_a_replay_issues_nothing(
    client, world, operator
):
    world.import_(FILE)
    _charge_penalties(client, world)

    first = client.post(_url(world), {"allow_missing": "on", "confirm": "yes"})
    issued = set(PaymentDocument.objects.values_list("pk", flat=True))
    replay = client.post(_url(world), {"allow_missing": "on", "confirm": "yes"}, follow=True)

    assert first.status_code == 302
    assert BillingPeriod.objects.get(tenant=world.tenant, period="2026-12").status == "closed"
    assert len(issued) == 6
    assert set(PaymentDocument.objects.values_list("pk", flat=True)) == issued
    assert AuditEvent.objects.filter(action="period.closed").count() == 1
    assert "Already closed: nothing changed." in replay.content.decode()


def test_a_confirmed_close_without_the_checkbox_is_refused_in_words(client, world, operator):
    world.import_(FILE)
    _charge_penalties(client, world)

    response = client.post(_url(world), {"confirm": "yes"}, follow=True)
    html = response.content.decode()

    assert "1 supplier has no posted charges for 2026-12: teplo" in html
    assert "Close without the suppliers that sent nothing" in html
    assert "--allow-missing" not in html
    assert not PaymentDocument.objects.exists()


def test_a_collector_gets_no_confirmation_page(client, world):
    user = UserFactory(is_staff=True)
    MembershipFactory(user=user, tenant=world.tenant, role=Role.COLLECTOR)
    client.force_login(user)
    world.import_(FILE)

    page = client.get(_url(world))
    client.post(_url(world), {"allow_missing": "on", "confirm": "yes"})

    assert page.status_code == 302
    assert not PaymentDocument.objects.exists()
