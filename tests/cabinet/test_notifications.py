"""Notification preferences, the opt-out honoured (`notifications_allowed`, the account's consent
for dunning), "remind me on…" sent exactly once, new bills and payments announced once — and the
page's isolation."""

import datetime as dt

import pytest
from django.utils import timezone

from cabinet.models import ConsentWithdrawal, NotificationPreference, NotificationSent, Reminder
from cabinet.services.notifications import (
    notifications_allowed,
    notifications_send_new,
    preferences_of,
    preferences_save,
    reminder_schedule,
    reminders_send_due,
)
from core.errors import ApplicationError
from messaging.models import Message
from tests.factories import AccountHolderFactory, MembershipFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import charges, pay
from warehouse.models import Account

pytest_plugins = ["tests.warehouse.charges_fixtures"]

PAGE = "/cabinet/notifications/"
ALL_OFF = {
    (channel, kind): False
    for channel in ("email", "sms")
    for kind in ("new_bill", "payment", "reminder")
}


@pytest.fixture
def account(world):
    return world.accounts["VK-0001"]


@pytest.fixture
def anna(account):
    user = UserFactory(username="anna", email="anna@example.com", phone="+79990000001")
    AccountHolderFactory(user=user, account=account)
    return user


@pytest.fixture
def boris(account):
    user = UserFactory(username="boris", email="boris@example.com")
    AccountHolderFactory(user=user, account=account)
    return user


# --- preferences ------------------------------------------------------------------------------


def test_defaults_are_every_email_and_only_reminders_by_sms(anna):
    prefs = preferences_of(user=anna)
    assert prefs[("email", "new_bill")] and prefs[("email", "payment")]
    assert prefs[("sms", "reminder")]
    assert not prefs[("sms", "new_bill")] and not prefs[("sms", "payment")]


def test_the_page_saves_the_choices(client, anna, account):
    client.force_login(anna)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'name="email_new_bill"' in page.content.decode()
    response = client.post(PAGE, {"email_new_bill": "on", "sms_payment": "on"})
    assert response.status_code == 302
    prefs = preferences_of(user=anna)
    assert prefs[("email", "new_bill")] and prefs[("sms", "payment")]
    assert not prefs[("email", "payment")] and not prefs[("sms", "reminder")]
    assert notifications_allowed(account=account, channel="sms", kind="payment", user=anna)
    assert not notifications_allowed(account=account, channel="email", kind="payment", user=anna)


def test_one_holders_opt_out_counts_for_the_account(anna, boris, account):
    assert notifications_allowed(account=account, channel="email", kind="new_bill")
    preferences_save(user=boris, choices={("email", "new_bill"): False})
    assert not notifications_allowed(account=account, channel="email", kind="new_bill")
    assert notifications_allowed(account=account, channel="email", kind="new_bill", user=anna)


def test_without_the_accounts_consent_nothing_is_allowed(anna, account):
    Account.objects.filter(pk=account.pk).update(email_consent=False)
    account.refresh_from_db()
    assert not notifications_allowed(account=account, channel="email", kind="reminder", user=anna)
    assert not notifications_allowed(account=account, channel="email", kind="reminder")


def test_the_account_consent_follows_when_every_holder_opts_out_of_a_channel(anna, boris, account):
    sms_off = {k: v for k, v in ALL_OFF.items() if k[0] == "sms"}
    preferences_save(user=anna, choices=sms_off)
    account.refresh_from_db()
    assert account.sms_consent  # boris still takes SMS reminders (the default)
    preferences_save(user=boris, choices=sms_off)
    account.refresh_from_db()
    assert not account.sms_consent and account.email_consent
    assert ConsentWithdrawal.objects.filter(account=account, channel="sms").exists()
    preferences_save(user=anna, choices={("sms", "reminder"): True})
    account.refresh_from_db()
    assert account.sms_consent
    assert not ConsentWithdrawal.objects.exists()


def test_a_consent_staff_withdrew_is_not_restored_by_the_cabinet(anna, account):
    Account.objects.filter(pk=account.pk).update(email_consent=False)
    preferences_save(user=anna, choices={("email", "payment"): True})
    account.refresh_from_db()
    assert not account.email_consent


def test_an_unknown_choice_is_refused(anna):
    with pytest.raises(ApplicationError):
        preferences_save(user=anna, choices={("fax", "new_bill"): True})
    assert not NotificationPreference.objects.exists()


# --- reminders --------------------------------------------------------------------------------


def test_a_reminder_is_sent_once_on_its_date(anna, account):
    today = timezone.localdate()
    reminder = reminder_schedule(
        user=anna, account=account, remind_on=today + dt.timedelta(days=3), note="pay water"
    )
    assert reminders_send_due(today=today + dt.timedelta(days=2)) == 0
    assert not Message.objects.exists()

    assert reminders_send_due(today=today + dt.timedelta(days=3)) == 1
    messages = list(Message.objects.order_by("channel"))
    assert [(m.channel, m.recipient) for m in messages] == [
        ("email", "anna@example.com"),
        ("sms", "+79990000001"),
    ]
    assert all("pay water" in m.body and m.source == "cabinet" for m in messages)
    reminder.refresh_from_db()
    assert reminder.sent_at is not None and reminder.channels == "email,sms"

    assert reminders_send_due(today=today + dt.timedelta(days=4)) == 0
    assert Message.objects.count() == 2


def test_a_reminder_honours_the_opt_out(anna, account):
    preferences_save(user=anna, choices={("sms", "reminder"): False})
    reminder_schedule(user=anna, account=account, remind_on=timezone.localdate())
    assert reminders_send_due() == 1
    assert list(Message.objects.values_list("channel", flat=True)) == ["email"]


def test_scheduling_again_moves_the_one_reminder(anna, account):
    today = timezone.localdate()
    reminder_schedule(user=anna, account=account, remind_on=today + dt.timedelta(days=5))
    reminder_schedule(user=anna, account=account, remind_on=today + dt.timedelta(days=9))
    assert list(Reminder.objects.values_list("remind_on", flat=True)) == [
        today + dt.timedelta(days=9)
    ]


def test_the_reminder_form_refuses_a_past_date_next_to_the_field(client, anna, account):
    client.force_login(anna)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        "/cabinet/notifications/reminders/",
        {"account": account.pk, "remind_on": yesterday.isoformat()},
    )
    assert response.status_code == 400
    assert "Choose today or a later date." in response.content.decode()
    assert not Reminder.objects.exists()


def test_the_reminder_form_schedules(client, anna, account):
    client.force_login(anna)
    day = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(
        "/cabinet/notifications/reminders/",
        {"account": account.pk, "remind_on": day.isoformat(), "note": "gas"},
    )
    assert response.status_code == 302
    assert Reminder.objects.get().remind_on == day
    assert day.strftime("%d.%m.%Y") in client.get(PAGE).content.decode()


# --- new bills and payments -------------------------------------------------------------------


def test_new_bills_and_payments_are_announced_once(world, anna, account):
    preferences_save(user=anna, choices={("sms", "payment"): True})
    assert notifications_send_new() == 0  # the first run only remembers where the tables end
    charges(world, "2026-11", water={"VK-0001": "140.00", "VK-0002": "90.00"})
    month_end_close(tenant=world.tenant, period="2026-11", allow_missing=True)
    pay(world, "VK-0001", 5000)
    pay(world, "VK-0002", 3000)  # nobody holds it: nobody is told

    assert notifications_send_new() == 2
    sent = set(NotificationSent.objects.values_list("kind", "channel"))
    assert sent == {("new_bill", "email"), ("payment", "email"), ("payment", "sms")}
    bodies = list(Message.objects.filter(account=account).values_list("channel", "body"))
    assert len(bodies) == 3
    assert any("140,00" in body for _channel, body in bodies)  # the tenant's locale (ru)

    assert notifications_send_new() == 0
    assert Message.objects.count() == 3


# --- isolation --------------------------------------------------------------------------------


def test_anonymous_goes_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


def test_another_resident_cannot_see_or_cancel_a_reminder(client, anna, account, world):
    reminder = reminder_schedule(
        user=anna, account=account, remind_on=timezone.localdate(), note="secret-note"
    )
    other = UserFactory()
    AccountHolderFactory(user=other, account=world.accounts["VK-0002"])
    client.force_login(other)
    assert "secret-note" not in client.get(PAGE).content.decode()
    assert client.post(f"/cabinet/notifications/reminders/{reminder.pk}/cancel/").status_code == 404
    response = client.post(
        "/cabinet/notifications/reminders/",
        {"account": account.pk, "remind_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert Reminder.objects.count() == 1


@pytest.mark.parametrize("who", ["supplier", "staff"])
def test_supplier_and_staff_users_see_only_their_own_settings(client, anna, account, world, who):
    reminder_schedule(user=anna, account=account, remind_on=timezone.localdate(), note="secret")
    if who == "supplier":
        user = MembershipFactory(supplier=world.supplier).user
    else:
        user = MembershipFactory().user  # another tenant's operator admin
    client.force_login(user)
    body = client.get(PAGE).content.decode()
    assert "secret" not in body and account.account_number not in body
    reminder = Reminder.objects.get()
    assert client.post(f"/cabinet/notifications/reminders/{reminder.pk}/cancel/").status_code == 404
