"""Linking an account with its number and the bill's verification code: the right code links
(audited), wrong codes lock linking for an hour after five — for the resident and for the
account number — an ambiguous number asks for the operator, unlinking removes the link."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from cabinet import ratelimit
from cabinet.linking import account_link, link_locked_until
from cabinet.models import LinkFailure
from core.errors import ApplicationError
from tests.factories import AccountFactory, TenantFactory, UserFactory
from warehouse.models import AccountHolder, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def account():
    return AccountFactory(account_number="00012345", verification_code="482915")


@pytest.fixture
def resident(client):
    user = UserFactory(username="olga@example.org", email="olga@example.org")
    client.force_login(user)
    return user


def post_link(client, number, code, **extra):
    return client.post("/cabinet/link/", {"account_number": number, "code": code, **extra})


def test_the_right_code_links_the_account_and_is_audited(client, resident, account):
    response = post_link(client, " 00012345 ", "482915")
    assert response.status_code == 302 and response.url == "/cabinet/"
    assert AccountHolder.objects.filter(user=resident, account=account).exists()
    event = AuditEvent.objects.get(action="cabinet.account_linked")
    assert (event.tenant, event.actor, event.detail["account"]) == (
        account.tenant,
        resident,
        "00012345",
    )
    home = client.get("/cabinet/")
    assert "00012345" in home.content.decode()


def test_linking_twice_is_harmless(client, resident, account):
    post_link(client, "00012345", "482915")
    response = post_link(client, "00012345", "482915")
    assert response.status_code == 302
    assert AccountHolder.objects.filter(user=resident).count() == 1
    assert AuditEvent.objects.filter(action="cabinet.account_linked").count() == 1


@pytest.mark.parametrize(("number", "code"), [("00012345", "000000"), ("99999999", "482915")])
def test_a_wrong_code_or_number_gets_the_same_field_error(client, resident, account, number, code):
    response = post_link(client, number, code)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "The account number or the verification code is wrong."
    ]
    assert not AccountHolder.objects.exists()
    assert LinkFailure.objects.filter(user=resident, account_number=number).count() == 1


def test_five_wrong_codes_lock_linking_for_an_hour(client, resident, account):
    for _ in range(4):
        assert post_link(client, "00012345", "111111").status_code == 200
    fifth = post_link(client, "00012345", "111111")
    assert fifth.status_code == 429
    assert "locked for an hour" in fifth.content.decode()
    # Now even the right code is refused, and the attempt is not recorded as a failure.
    locked = post_link(client, "00012345", "482915")
    assert locked.status_code == 429
    assert not AccountHolder.objects.exists()
    assert LinkFailure.objects.count() == 5
    assert AuditEvent.objects.filter(action="cabinet.link_locked", actor=resident).exists()

    # An hour after the first wrong code the window has moved on: linking opens again.
    LinkFailure.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert post_link(client, "00012345", "482915").status_code == 302
    assert AccountHolder.objects.filter(user=resident, account=account).exists()


def test_the_lock_opens_exactly_an_hour_after_the_oldest_of_the_five(resident, account):
    start = timezone.now()
    for minute in range(5):
        with pytest.raises(ApplicationError):
            account_link(
                user=resident,
                account_number="00012345",
                code="000000",
                now=start + timedelta(minutes=minute),
            )
    assert link_locked_until(user=resident, now=start + timedelta(minutes=59)) == start + timedelta(
        minutes=60
    )
    assert link_locked_until(user=resident, now=start + timedelta(minutes=60, seconds=1)) is None
    outcome = account_link(
        user=resident,
        account_number="00012345",
        code="482915",
        now=start + timedelta(minutes=60, seconds=1),
    )
    assert outcome.created


def test_wrong_codes_lock_the_account_number_across_residents(client, account):
    for n in range(5):
        guesser = UserFactory()
        with pytest.raises(ApplicationError):
            account_link(user=guesser, account_number="00012345", code=f"{n:06d}")
    owner = UserFactory()
    with pytest.raises(ApplicationError) as refused:
        account_link(user=owner, account_number="00012345", code="482915")
    assert refused.value.code == "link_locked"
    # Another account number stays open for the same resident.
    other = AccountFactory(account_number="00054321", verification_code="123123")
    assert (
        account_link(user=owner, account_number="00054321", code="123123").holder.account == other
    )


def test_code_entry_is_rate_limited_per_address(client, resident, account, monkeypatch):
    monkeypatch.setattr(ratelimit, "CODE_PER_IP", ratelimit.Limit("code-ip", 2, 3600))
    post_link(client, "1", "1")
    post_link(client, "2", "2")
    response = post_link(client, "00012345", "482915")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not AccountHolder.objects.exists()


def test_one_resident_links_accounts_of_several_tenants(client, resident, account):
    elsewhere = AccountFactory(tenant=TenantFactory(sepa=True), verification_code="777777")
    post_link(client, "00012345", "482915")
    post_link(client, elsewhere.account_number, "777777")
    held = set(AccountHolder.objects.filter(user=resident).values_list("account_id", flat=True))
    assert held == {account.pk, elsewhere.pk}


def test_a_number_known_to_two_operators_asks_which(client, resident, account):
    twin = AccountFactory(account_number="00012345", verification_code="482915")
    response = post_link(client, "00012345", "482915")
    assert response.status_code == 200
    form = response.context["form"]
    assert "tenant" in form.errors
    offered = {t.code for t in form.fields["tenant"].queryset}
    assert offered == {account.tenant.code, twin.tenant.code}
    assert not AccountHolder.objects.exists()

    response = post_link(client, "00012345", "482915", tenant=twin.tenant.code)
    assert response.status_code == 302
    assert list(AccountHolder.objects.values_list("account_id", flat=True)) == [twin.pk]


def test_a_number_in_two_tenants_with_one_matching_code_links_that_one(client, resident, account):
    AccountFactory(account_number="00012345", verification_code="000001")
    assert post_link(client, "00012345", "482915").status_code == 302
    assert list(AccountHolder.objects.values_list("account_id", flat=True)) == [account.pk]


def test_unlink_removes_the_link_and_is_audited(client, resident, account):
    AccountHolder.objects.create(user=resident, account=account)
    url = f"/cabinet/accounts/{account.tenant.code}/00012345/unlink/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert not AccountHolder.objects.exists()
    assert AuditEvent.objects.filter(action="cabinet.account_unlinked", actor=resident).exists()


def test_linking_needs_a_signed_in_resident(client, account):
    response = post_link(client, "00012345", "482915")
    assert response.status_code == 302 and response.url.startswith("/cabinet/login/")
    assert not AccountHolder.objects.exists()
