"""The legal rows in the admin: operator staff see every row with its source; the installation's
admin (a superuser: the rows are shared by every tenant) edits them, and each change is
audited."""

import datetime as dt

import pytest
from django.urls import reverse

from debt_collection.models import PenaltyPolicyPeriod
from tests.factories import TenantFactory, UserFactory
from tests.warehouse.test_pages import operator_staff
from warehouse.models import AuditEvent, DueDateRule

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("admin:warehouse_duedaterule_changelist", "177-ФЗ"),
        ("admin:warehouse_calendarday_changelist", "№ 1466"),
        ("admin:debt_collection_penaltypolicyperiod_changelist", "№ 329"),
        ("admin:debt_collection_penaltyrule_changelist", "ст. 155 ч. 14"),
        ("admin:debt_collection_contactlimit_changelist", "230-ФЗ"),
    ],
)
def test_operator_staff_see_the_rows_with_their_sources(client, url, shown):
    client.force_login(operator_staff(TenantFactory()))

    response = client.get(reverse(url), {"all": ""})

    assert response.status_code == 200
    assert shown in response.content.decode()


def test_operator_staff_may_not_change_a_row_shared_by_every_tenant(client):
    client.force_login(operator_staff(TenantFactory()))
    rule = DueDateRule.objects.get(profile="RU", day=15)

    response = client.post(
        reverse("admin:warehouse_duedaterule_change", args=[rule.pk]), {"day": 20}
    )

    assert response.status_code == 403
    assert DueDateRule.objects.get(pk=rule.pk).day == 15


def test_the_installations_admin_edits_a_row_and_it_is_audited(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    policy = PenaltyPolicyPeriod.objects.get(name="Постановление № 329")
    url = reverse("admin:debt_collection_penaltypolicyperiod_change", args=[policy.pk])
    form = {
        "profile": "RU",
        "kind": "fixed_rate",
        "date_from": "2025-01-01",
        "date_to": "2027-12-31",
        "rate_percent": "9.50",
        "debts_due_before": "",
        "name": policy.name,
        "note": "extended (test)",
        "source": policy.source,
        "url": "",
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PenaltyPolicyPeriod.objects.get(pk=policy.pk).date_to == dt.date(2027, 12, 31)
    assert AuditEvent.objects.filter(action="admin.penaltypolicyperiod.changed").exists()
