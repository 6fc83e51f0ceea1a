"""An account's messages page for staff: every message with its status, scoped to the staff
member's tenants (another tenant's account is a 404)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message, MessageChannel, MessageStatus
from messaging.services.messages import message_queue
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from warehouse.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    account = AccountFactory(phone="+79161234567", email="payer@example.com")
    sms = message_queue(account=account, channel=MessageChannel.SMS, body="Please pay 100.00")
    Message.objects.filter(pk=sms.pk).update(
        status=MessageStatus.DELIVERED, provider_id="SM" + "1" * 32, sent_at=timezone.now()
    )
    mail = message_queue(
        account=account, channel=MessageChannel.EMAIL, body="Dear payer", subject="Your debt"
    )
    Message.objects.filter(pk=mail.pk).update(
        status=MessageStatus.FAILED, error="SMTP 550: no such user"
    )
    return account


def url(account, tenant_code=None):
    path = reverse("account-messages", args=[account.account_number])
    code = account.tenant.code if tenant_code is None else tenant_code
    return f"{path}?tenant={code}" if code else path


def staff(client, tenant, role=Role.COLLECTOR):
    user = UserFactory()
    MembershipFactory(user=user, tenant=tenant, role=role)
    client.force_login(user)
    return user


def test_staff_see_every_message_with_its_status(client, account):
    staff(client, account.tenant)

    response = client.get(url(account))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please pay 100.00" in page
    assert "+79161234567" in page
    assert "badge-delivered" in page
    assert "Your debt" in page
    assert "badge-failed" in page
    assert "SMTP 550: no such user" in page


def test_the_path_is_the_one_in_the_brief(account):
    assert url(account) == (
        f"/staff/collections/accounts/{account.account_number}/messages/"
        f"?tenant={account.tenant.code}"
    )


def test_another_tenants_staff_get_404(client, account):
    other = AccountFactory()
    staff(client, other.tenant, role=Role.OPERATOR_ADMIN)

    assert client.get(url(account)).status_code == 404
    assert client.get(url(account, tenant_code=other.tenant.code)).status_code == 404


def test_an_unknown_account_is_404(client, account):
    staff(client, account.tenant)

    response = client.get(reverse("account-messages", args=["99999999"]) + "?tenant=x")

    assert response.status_code == 404


def test_without_the_tenant_the_only_matching_account_is_shown(client, account):
    staff(client, account.tenant)

    assert client.get(url(account, tenant_code="")).status_code == 200


def test_an_account_number_two_tenants_share_asks_for_the_tenant(client, account):
    user = staff(client, account.tenant)
    twin = AccountFactory(account_number=account.account_number)
    MembershipFactory(user=user, tenant=twin.tenant, role=Role.COLLECTOR)

    response = client.get(url(account, tenant_code=""))

    assert response.status_code == 400
    assert client.get(url(twin)).status_code == 200


def test_residents_and_anonymous_users_do_not_get_in(client, account):
    assert client.get(url(account)).status_code == 302  # to sign in

    client.force_login(UserFactory())
    assert client.get(url(account)).status_code == 403


def test_the_page_reads_a_bounded_number_of_queries(client, account, django_assert_max_num_queries):
    staff(client, account.tenant)
    for n in range(20):
        message_queue(account=account, channel=MessageChannel.SMS, body=f"Reminder {n}")

    with django_assert_max_num_queries(12):
        response = client.get(url(account))

    assert response.status_code == 200
