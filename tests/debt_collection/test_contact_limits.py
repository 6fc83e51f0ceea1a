"""The contact limits of 230-ФЗ ст. 7 (calls: 1 a day, 2 a calendar week, 8 a calendar month;
messages: 2, 4, 16; only 08:00–22:00 on working days and 09:00–20:00 on weekends and
non-working holidays, the debtor's local time) — the pure engine at each boundary, the
working-day adapter, the tenant's stricter settings, and the two places that enforce them:
the dunning run (defers) and click-to-call on the case page (refuses with a 422)."""

import datetime as dt
import html
import zoneinfo

import pytest
from django.db.models import Min
from django.utils import translation

from debt_collection.contact_limits import (
    CALL,
    MESSAGE,
    Contact,
    Limits,
    Window,
    contact_refusal,
    period_start,
)
from debt_collection.models import (
    CaseEvent,
    CollectionSettings,
    ContactLimit,
    DunningLevel,
    DunningStep,
)
from debt_collection.services.cases import contact_log
from debt_collection.services.contact_limits import (
    call_refusal,
    law_limits,
    tenant_call_limits,
    working_days,
)
from debt_collection.services.dunning.run import dunning_run
from messaging.models import Message
from messaging.services.messages import message_queue
from tests.debt_collection.workspace_helpers import open_case
from tests.splitting.helpers import charges
from warehouse.models import CalendarDay, OpenItem

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
    "tests.messaging.twilio_double",
]


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py), Friday 20.11.2026 12:00 in Moscow: the
    fixtures' debts fall due relative to it; tests move it with `clock.move_to`."""
    return clock


MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
VLADIVOSTOK = zoneinfo.ZoneInfo("Asia/Vladivostok")
LAW = "230-ФЗ ст. 7"


@pytest.fixture
def calendar(db):
    """The working-day adapter over the production calendar the migrations seed."""
    return working_days("RU")


def _law(kind: str) -> Limits:
    day, week, month = (1, 2, 8) if kind == CALL else (2, 4, 16)
    return Limits(
        kind=kind,
        citation=LAW,
        per_day=day,
        per_week=week,
        per_month=month,
        working_day_hours=Window(dt.time(8), dt.time(22)),
        weekend_hours=Window(dt.time(9), dt.time(20)),
    )


def _at(day: str, hhmm: str = "12:00", tz=MOSCOW) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(hhmm), tzinfo=tz)


def _check(kind, now, earlier=(), *, limits=None, tz=MOSCOW, is_working_day=None):
    contacts = [c if isinstance(c, Contact) else Contact(_at(*c), kind) for c in earlier]
    return contact_refusal(
        limits=limits or [_law(kind)],
        kind=kind,
        now=now,
        tz=tz,
        contacts=contacts,
        is_working_day=is_working_day or (lambda d: d.weekday() < 5),
    )


def _limit(refusal) -> str | None:
    return refusal.limit if refusal else None


# --- counts --------------------------------------------------------------------------------------
# 2026-11-16 is a Monday: the calendar week 16–22 November.


def test_the_second_message_of_a_day_is_allowed_and_the_third_refused():
    now = _at("2026-11-18", "15:00")
    one = [("2026-11-18", "09:00")]
    two = [*one, ("2026-11-18", "11:00")]

    assert _check(MESSAGE, now, one) is None
    refusal = _check(MESSAGE, now, two)
    assert (refusal.limit, refusal.maximum) == ("day", 2)
    assert refusal.reason == "at most 2 messages a day (230-ФЗ ст. 7)"


def test_the_fourth_message_of_a_calendar_week_is_allowed_and_the_fifth_refused():
    now = _at("2026-11-20")  # Friday
    three = [("2026-11-16",), ("2026-11-17",), ("2026-11-18",)]
    four = [*three, ("2026-11-19",)]

    assert _check(MESSAGE, now, three) is None
    assert _limit(_check(MESSAGE, now, four)) == "week"


def test_the_week_is_the_calendar_week_not_the_last_seven_days():
    thursday_to_sunday = [("2026-11-19",), ("2026-11-20",), ("2026-11-21",), ("2026-11-22",)]

    assert _limit(_check(MESSAGE, _at("2026-11-22", "18:00"), thursday_to_sunday)) == "week"
    # Monday starts a new calendar week, though four were sent in the last seven days
    assert _check(MESSAGE, _at("2026-11-23", "09:00"), thursday_to_sunday) is None


def test_the_sixteenth_message_of_a_calendar_month_is_allowed_and_the_seventeenth_refused():
    now = _at("2026-11-30")  # Monday; nothing yet this week
    # four in each calendar week of 2–29 November (the weeks' limit), one on Sunday 1 November
    weeks = [(f"2026-11-{day:02d}",) for start in (2, 9, 16, 23) for day in range(start, start + 4)]
    fifteen = [("2026-11-01",), *weeks[:-2]]
    sixteen = [("2026-11-01",), *weeks[:-1]]

    assert len(fifteen) == 15 and _check(MESSAGE, now, fifteen) is None
    assert len(sixteen) == 16 and _limit(_check(MESSAGE, now, sixteen)) == "month"
    assert _check(MESSAGE, _at("2026-12-01"), sixteen) is None  # a new month


def test_calls_one_a_day_two_a_week_eight_a_month():
    wednesday = _at("2026-11-18", "15:00")

    assert _check(CALL, wednesday) is None
    assert _limit(_check(CALL, wednesday, [("2026-11-18", "09:00")])) == "day"
    assert _check(CALL, wednesday, [("2026-11-16",)]) is None  # the 2nd of the week
    assert _limit(_check(CALL, wednesday, [("2026-11-16",), ("2026-11-17",)])) == "week"

    monday = _at("2026-11-30")
    two_a_week = [(f"2026-11-{d:02d}",) for start in (2, 9, 16, 23) for d in (start, start + 1)]
    assert _check(CALL, monday, two_a_week[:-1]) is None  # the 8th of the month
    refusal = _check(CALL, monday, two_a_week)  # the 9th
    assert (refusal.limit, refusal.maximum) == ("month", 8)
    assert refusal.reason == "at most 8 calls a calendar month (230-ФЗ ст. 7)"


def test_messages_and_calls_are_counted_apart():
    now = _at("2026-11-18", "15:00")
    calls = [Contact(_at("2026-11-18", "09:00"), CALL)]

    assert (
        contact_refusal(
            limits=[_law(MESSAGE)],
            kind=MESSAGE,
            now=now,
            tz=MOSCOW,
            contacts=calls * 5,
            is_working_day=lambda d: True,
        )
        is None
    )


# --- hours ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hhmm", "refused"),
    [
        ("07:59", "hours_working_day"),
        ("08:00", None),
        ("21:59", None),
        ("22:00", "hours_working_day"),
    ],
)
def test_on_a_working_day_only_from_8_to_22(hhmm, refused, calendar):
    for kind in (CALL, MESSAGE):
        assert _limit(_check(kind, _at("2026-11-18", hhmm), is_working_day=calendar)) == refused


@pytest.mark.parametrize(
    "day",
    [
        "2026-11-21",  # a Saturday
        "2026-11-22",  # a Sunday
        "2026-01-05",  # a Monday of the New Year holidays
        "2026-03-09",  # a Monday off: 8 March fell on a Sunday
    ],
)
@pytest.mark.parametrize(
    ("hhmm", "refused"),
    [("08:59", "hours_weekend"), ("09:00", None), ("19:59", None), ("20:00", "hours_weekend")],
)
def test_on_weekends_and_holidays_only_from_9_to_20(day, hhmm, refused, calendar):
    assert _limit(_check(CALL, _at(day, hhmm), is_working_day=calendar)) == refused


def test_a_working_saturday_is_a_working_day(calendar):
    saturday = "2025-11-01"

    assert calendar(dt.date.fromisoformat(saturday)) is True
    assert _check(CALL, _at(saturday, "08:00"), is_working_day=calendar) is None
    assert _check(CALL, _at(saturday, "21:30"), is_working_day=calendar) is None
    assert _limit(_check(CALL, _at("2025-11-03", "08:30"), is_working_day=calendar)) == (
        "hours_weekend"
    )


def test_without_calendar_rows_working_days_are_monday_to_friday(db):
    CalendarDay.objects.filter(profile="RU", day__year=2026).delete()
    is_working_day = working_days("RU")

    assert is_working_day(dt.date(2026, 3, 9)) is True  # a Monday: no calendar, no holiday
    assert is_working_day(dt.date(2026, 11, 21)) is False


def test_the_adapter_reads_the_production_calendar_of_warehouse(db):
    is_working_day = working_days("RU")  # the rows the migrations seeded

    assert is_working_day(dt.date(2026, 3, 9)) is False
    assert is_working_day(dt.date(2026, 1, 5)) is False
    assert is_working_day(dt.date(2025, 11, 1)) is True  # a Saturday worked
    assert is_working_day(dt.date(2026, 11, 20)) is True


def test_a_year_the_calendar_lacks_falls_back_to_monday_to_friday(calendar):
    assert calendar(dt.date(2031, 1, 1)) is True  # a Wednesday of a year with no rows
    assert calendar(dt.date(2026, 1, 5)) is False


def test_the_hours_and_the_day_are_the_debtors_local_ones():
    now = dt.datetime(2026, 11, 20, 0, 30, tzinfo=dt.UTC)  # 03:30 Moscow, 10:30 Vladivostok

    assert _limit(_check(CALL, now, tz=MOSCOW)) == "hours_working_day"
    assert _check(CALL, now, tz=VLADIVOSTOK) is None

    # 19 November 20:00 UTC is 23:00 on the 19th in Moscow but 06:00 on the 20th in Vladivostok
    evening = Contact(dt.datetime(2026, 11, 19, 20, 0, tzinfo=dt.UTC), CALL)
    later = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 12:00 Moscow, 19:00 Vladivostok
    assert _check(CALL, later, [evening], tz=MOSCOW) is None
    assert _limit(_check(CALL, later, [evening], tz=VLADIVOSTOK)) == "day"


def test_the_contacts_to_read_start_at_the_earlier_of_the_weeks_monday_and_the_months_first():
    assert period_start(now=_at("2026-12-02"), tz=MOSCOW) == _at("2026-11-30", "00:00")
    assert period_start(now=_at("2026-11-20"), tz=MOSCOW) == _at("2026-11-01", "00:00")


# --- the tenant may be stricter, never looser ----------------------------------------------------


def _tenant(**rules) -> Limits:
    return Limits(kind=CALL, citation="tenant", **rules)


def test_a_tenant_stricter_than_the_law_wins():
    wednesday = _at("2026-11-18", "21:30")
    monday = [("2026-11-16",)]
    law = _law(CALL)

    refusal = _check(CALL, _at("2026-11-18"), monday, limits=[law, _tenant(per_week=1)])
    assert (refusal.limit, refusal.citation, refusal.maximum) == ("week", "tenant", 1)
    quiet = _tenant(quiet_hours=Window(dt.time(21), dt.time(8)))
    refusal = _check(CALL, wednesday, limits=[law, quiet])
    assert (refusal.limit, refusal.citation) == ("quiet_hours", "tenant")
    assert refusal.reason == (
        "not in the quiet hours from 21:00 to 08:00, the debtor's local time (tenant)"
    )


def test_a_tenant_looser_than_the_law_changes_nothing():
    law = _law(CALL)
    loose = _tenant(per_day=5, per_week=10, quiet_hours=Window(dt.time(23), dt.time(7)))

    refusal = _check(CALL, _at("2026-11-18"), [("2026-11-18", "09:00")], limits=[law, loose])
    assert (refusal.limit, refusal.citation) == ("day", LAW)
    assert _limit(_check(CALL, _at("2026-11-18", "22:30"), limits=[law, loose])) == (
        "hours_working_day"
    )
    assert _limit(_check(CALL, _at("2026-11-18", "07:30"), limits=[law, loose])) == (
        "hours_working_day"
    )


# --- the rows, the tenant's settings and the reasons in Russian ----------------------------------


@pytest.mark.django_db
def test_the_migration_seeds_the_russian_rows_with_their_source():
    rows = {r.kind: r for r in ContactLimit.objects.filter(profile="RU", valid_from="2024-02-01")}

    assert (rows["call"].per_day, rows["call"].per_week, rows["call"].per_month) == (1, 2, 8)
    assert (rows["message"].per_day, rows["message"].per_week, rows["message"].per_month) == (
        2,
        4,
        16,
    )
    for row in rows.values():
        assert (row.working_day_from, row.working_day_until) == (dt.time(8), dt.time(22))
        assert (row.weekend_from, row.weekend_until) == (dt.time(9), dt.time(20))
        assert "03.07.2016 № 230-ФЗ" in row.source and row.url.startswith("http")
    assert law_limits(profile="RU", kind=CALL, on=dt.date(2024, 1, 31)) is None
    assert law_limits(profile="SEPA", kind=CALL, on=dt.date(2026, 11, 20)) is None
    assert law_limits(profile="RU", kind=CALL, on=dt.date(2026, 11, 20)).per_week == 2


@pytest.mark.django_db
def test_a_new_row_of_the_law_takes_over_from_its_date():
    ContactLimit.objects.create(
        profile="RU", kind="call", valid_from="2027-01-01", per_day=1, per_week=1, citation="new"
    )

    assert law_limits(profile="RU", kind=CALL, on=dt.date(2026, 12, 31)).per_week == 2
    assert law_limits(profile="RU", kind=CALL, on=dt.date(2027, 1, 1)).per_week == 1


@pytest.mark.django_db
def test_the_tenants_settings_are_its_call_rules(world):
    settings = CollectionSettings.for_tenant(world.tenant)
    settings.max_calls_per_week = 1

    rules = tenant_call_limits(settings)

    assert (rules.per_day, rules.per_week, rules.per_month) == (None, 1, None)
    assert rules.quiet_hours == Window(dt.time(21), dt.time(8))


def test_the_reasons_read_in_russian():
    now = _at("2026-11-18", "15:00")
    law = [_law(MESSAGE)]
    with translation.override("ru"):
        day = _check(MESSAGE, now, [("2026-11-18",)] * 2, limits=law).reason
        week = _check(MESSAGE, now, [("2026-11-16",)] * 4, limits=law).reason
        call = _check(CALL, now, [("2026-11-18", "09:00")]).reason
        hours = _check(CALL, _at("2026-11-21", "08:00")).reason

    assert day == "не более 2 сообщений в сутки (230-ФЗ ст. 7)"
    assert week == "не более 4 сообщений в календарную неделю (230-ФЗ ст. 7)"
    assert call == "не более 1 звонка в сутки (230-ФЗ ст. 7)"
    assert hours == (
        "в выходные и нерабочие праздничные дни — только с 09:00 до 20:00 "
        "по местному времени должника (230-ФЗ ст. 7)"
    )


# --- dunning defers -------------------------------------------------------------------------------


def _dunning_world(world, *actions):
    """VK-0001 with a phone and an e-mail owes 500.00 for 2026-12, and the levels `actions` fire
    a day past due. Returns the account and the first working day after the due date."""
    account = world.accounts["VK-0001"]
    account.phone, account.email = "+79160000001", "payer@example.com"
    account.save()
    charges(world, "2026-12", water={"VK-0001": "500.00"})
    for position, action in enumerate(actions, start=1):
        DunningLevel.objects.create(
            tenant=world.tenant, position=position, name=action, days_past_due=1, action=action
        )
    on = OpenItem.objects.filter(account=account).aggregate(d=Min("due_date"))["d"]
    is_working_day = working_days("RU")
    on += dt.timedelta(days=1)
    while not is_working_day(on):
        on += dt.timedelta(days=1)
    return account, on


@pytest.mark.django_db
def test_dunning_defers_the_message_that_would_be_the_third_of_the_day(world, clock):
    account, on = _dunning_world(world, "sms")
    noon = _at(str(on), "12:00")
    clock.move_to(noon - dt.timedelta(hours=3))
    for body in ("Agent's first SMS", "Agent's second SMS"):
        message_queue(account=account, channel="sms", body=body)
    clock.move_to(noon)

    deferred = dunning_run(tenant=world.tenant, on=on, now=noon)

    assert (deferred.fired, deferred.messages_queued) == (0, 0)
    assert deferred.deferred_limits == {"day": 1}
    assert "contact limits of the law: day 1" in deferred.summary()
    assert not DunningStep.objects.exists()
    assert Message.objects.filter(source="dunning").count() == 0

    tomorrow = noon + dt.timedelta(days=1)
    clock.move_to(tomorrow)
    sent = dunning_run(tenant=world.tenant, on=on + dt.timedelta(days=1), now=tomorrow)
    assert (sent.fired, sent.messages_queued, sent.deferred_limits) == (1, 1, {})
    assert Message.objects.get(source="dunning").created_at == tomorrow


@pytest.mark.django_db
def test_dunning_sends_no_e_mail_at_night_and_a_letter_is_no_message(world):
    _, on = _dunning_world(world, "email")
    night = _at(str(on), "23:00")  # the tenant's quiet hours hold SMS only: the law's hold this

    deferred = dunning_run(tenant=world.tenant, on=on, now=night)
    assert deferred.deferred_limits == {"hours_working_day": 1} and deferred.fired == 0

    DunningLevel.objects.filter(tenant=world.tenant).update(action="letter")
    letter = dunning_run(tenant=world.tenant, on=on, now=night)
    assert letter.fired == 1 and letter.deferred_limits == {}


@pytest.mark.django_db
def test_messages_the_resident_asked_for_in_the_cabinet_do_not_count(world, clock):
    account, on = _dunning_world(world, "sms")
    noon = _at(str(on), "12:00")
    clock.move_to(noon)
    for _ in range(3):
        message_queue(account=account, channel="email", body="Your bill", source="cabinet")

    assert dunning_run(tenant=world.tenant, on=on, now=noon).fired == 1


# --- click-to-call refuses ------------------------------------------------------------------------

AGENT_PHONE = "+79035550101"
FRIDAY_NOON = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow


@pytest.fixture
def calling(client, collector, indebted, twilio_settings, twilio_double):
    """A collector with a phone, signed in, Twilio Voice on, VK-0001's case with a phone."""
    twilio_settings.TWILIO_VOICE_ENABLED = True
    collector.phone = AGENT_PHONE
    collector.save(update_fields=["phone"])
    account = indebted.accounts["VK-0001"]
    account.phone = "+79161234567"
    account.save(update_fields=["phone"])
    client.force_login(collector)
    return open_case(indebted, "VK-0001")


def _call(client, case):
    return client.post(f"/staff/collections/cases/{case.pk}/call/")


@pytest.mark.django_db
def test_click_to_call_refuses_the_second_call_of_a_day_with_the_reason(
    client, calling, twilio_double
):
    first = _call(client, calling)
    second = _call(client, calling)

    assert first.status_code == 302 and len(twilio_double.calls) == 1
    assert second.status_code == 422
    page = second.content.decode()
    assert "The call is not allowed now: at most 1 call a day (230-ФЗ ст. 7 ч. 3)." in page
    assert 'data-testid="call-via-twilio"' in page  # the case page, not an error page
    assert len(twilio_double.calls) == 1
    assert CaseEvent.objects.filter(case=calling, kind="call").count() == 1


@pytest.mark.django_db
def test_logging_the_outcome_of_a_click_to_call_is_not_a_second_call(
    client, calling, collector, clock, twilio_double
):
    _call(client, calling)
    clock.shift(dt.timedelta(minutes=5))
    contact_log(
        case=calling, kind="call", outcome="promised_to_pay", note="by Friday", actor=collector
    )

    [event] = CaseEvent.objects.filter(case=calling, kind="call")
    assert (event.outcome, event.note) == ("promised_to_pay", "by Friday")
    assert event.detail["call_sid"].startswith("CA")

    clock.move_to(FRIDAY_NOON + dt.timedelta(days=3))  # Monday: a new day and a new week
    assert _call(client, calling).status_code == 302
    clock.move_to(FRIDAY_NOON + dt.timedelta(days=4))
    assert _call(client, calling).status_code == 302
    clock.move_to(FRIDAY_NOON + dt.timedelta(days=5))  # Wednesday: the 3rd of the week
    refused = _call(client, calling)
    assert refused.status_code == 422
    assert "at most 2 calls a calendar week" in refused.content.decode()
    assert len(twilio_double.calls) == 3


@pytest.mark.django_db
def test_click_to_call_at_night_is_refused_in_the_debtors_time(client, calling, clock, world):
    clock.move_to(dt.datetime(2026, 11, 20, 4, 30, tzinfo=dt.UTC))  # 07:30 in Moscow

    refused = _call(client, calling)

    assert refused.status_code == 422
    assert "on working days only from 08:00 to 22:00" in refused.content.decode()
    world.tenant.timezone = "Asia/Vladivostok"  # 14:30 there
    world.tenant.save(update_fields=["timezone"])
    assert _call(client, calling).status_code == 302


@pytest.mark.django_db
def test_a_tenant_stricter_on_calls_is_obeyed_by_click_to_call(client, calling, world, clock):
    settings = CollectionSettings.for_tenant(world.tenant)
    settings.max_calls_per_week = 1
    settings.save()
    _call(client, calling)
    clock.move_to(FRIDAY_NOON + dt.timedelta(days=1))  # Saturday, 12:00: the hours allow it

    refused = _call(client, calling)

    assert refused.status_code == 422
    assert "at most 1 call a calendar week (the organisation's collection settings)" in (
        html.unescape(refused.content.decode())
    )
    assert call_refusal(account=calling.account).citation != LAW


@pytest.mark.django_db
def test_a_call_twilio_did_not_start_is_no_contact(client, calling, twilio_settings):
    twilio_settings.TWILIO_AUTH_TOKEN = "wrong"  # the double answers 401

    failed = client.post(f"/staff/collections/cases/{calling.pk}/call/", follow=True)

    assert "Twilio did not start the call" in failed.content.decode()
    assert CaseEvent.objects.get(case=calling, kind="call").outcome == "call_not_started"
    twilio_settings.TWILIO_AUTH_TOKEN = "double-auth-token-0123456789abcdef"
    assert _call(client, calling).status_code == 302


@pytest.mark.django_db
def test_an_agents_third_sms_of_a_day_is_refused_with_the_reason(client, calling):
    sent = [
        client.post(f"/staff/collections/cases/{calling.pk}/sms/", {"body": f"Напоминание {n}"})
        for n in (1, 2, 3)
    ]

    assert [r.status_code for r in sent] == [302, 302, 422]
    page = sent[2].content.decode()
    assert "The message is not allowed now: at most 2 messages a day" in page
    assert Message.objects.filter(account=calling.account, source="manual").count() == 2
