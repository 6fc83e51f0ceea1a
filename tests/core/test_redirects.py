"""safe_next: a form goes back to the `next` it was given only when that is a page of this site;
the collections queue's bulk assignment no longer follows an off-site `next`."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.ui.redirects import safe_next
from debt_collection.models import DebtCase
from tests.debt_collection.workspace_helpers import open_case

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]

OFF_SITE = ["https://evil.example/staff/", "//evil.example/", "javascript:alert(1)", "\\\\evil"]


@pytest.fixture
def rf():
    return RequestFactory()


def test_a_path_of_this_site_is_followed(rf):
    request = rf.post("/x/", {"next": "/staff/payments/?status=booked"})

    assert safe_next(request, "staff-home") == "/staff/payments/?status=booked"


def test_the_query_strings_next_counts_when_the_form_has_none(rf):
    request = rf.get("/x/", {"next": "/my/"})

    assert safe_next(request, "staff-home") == "/my/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_next_falls_back_to_the_default(rf, target):
    request = rf.post("/x/?next=/ok/", {"next": target})

    assert safe_next(request, "staff-home") == reverse("staff-home")


def test_plain_http_to_our_own_host_is_refused_on_a_secure_request(rf):
    request = rf.post("/x/", {"next": "http://testserver/staff/"}, secure=True)

    assert safe_next(request, "/fallback/") == "/fallback/"
    request = rf.post("/x/", {"next": "https://testserver/staff/"}, secure=True)
    assert safe_next(request, "/fallback/") == "https://testserver/staff/"


@pytest.mark.django_db
def test_bulk_assign_refuses_to_send_the_agent_off_site(client, collector, indebted):
    case = open_case(indebted, "VK-0001")
    client.force_login(collector)

    response = client.post(
        reverse("cases-bulk-assign"),
        {"cases": [case.pk], "agent": collector.pk, "next": "https://evil.example/phish"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("case-queue")
    assert DebtCase.objects.get(pk=case.pk).assigned_to == collector


@pytest.mark.django_db
def test_bulk_assign_goes_back_to_the_filtered_queue(client, collector, indebted):
    case = open_case(indebted, "VK-0001")
    client.force_login(collector)
    back = reverse("case-queue") + "?stage=queue&agent=me"

    response = client.post(
        reverse("cases-bulk-assign"), {"cases": [case.pk], "agent": collector.pk, "next": back}
    )

    assert response["Location"] == back
