"""A year of daily dunning runs over the `world` tenant (Europe/Moscow, quiet hours 21:00–08:00)
with the demo procedure: SMS at 5 days past due, e-mail at 15, letter at 30, call task at 45,
pre-trial claim at 60, court claim at 90; 100.00 minimum; waits 7, 7, 10, 10, 20 days.

Every day runs three times: at 02:00 local (night), at 12:00 and again at 12:00 (idempotency).
Charges of period M-1 post on the 1st of month M and fall due on the 10th: the tenant's
contract day, with the due-date rows replaced by one that neither follows 177-ФЗ nor moves off
weekends (this test is about a year of dunning, not the calendar; test_legal_calendar is).

    VK-0001  never pays: climbs every level once, in order, on the dates worked out below
    VK-0002  pays its first overdue period after the SMS, pays on time until May, opts out of
             SMS on 1 June and stops paying: its second cycle has no SMS
    VK-0003  pays after the letter (20 March), pays on time until July, then stops: starts
             from level 1 again in cycle 2
    VK-0004  30.00 a month: nothing fires until the overdue debt reaches 100.00
    VK-0005  always pays on time: never dunned
    ВК-0006  no phone and no e-mail: SMS and e-mail suppressed, the letter goes out
"""

import datetime as dt
import zoneinfo

import pytest
from django.db.models import Sum

from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseStage,
    DebtCase,
    DunningOutcome,
    DunningState,
    DunningStep,
    LegalDocument,
)
from debt_collection.services.dunning.defaults import dunning_defaults
from debt_collection.services.dunning.run import dunning_run
from messaging.models import Message
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import DueDateRule, OpenItem

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.warehouse.charges_fixtures"]

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
START, END = dt.date(2026, 2, 1), dt.date(2027, 1, 31)
OPT_OUT = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _due_on_the_contract_day():
    DueDateRule.objects.filter(profile="RU").delete()
    DueDateRule.objects.create(
        profile="RU",
        valid_from=dt.date(2005, 3, 1),
        day=None,
        move_off_non_working_days=False,
        source="test: the contract's day, never moved",
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=MOSCOW)


def _previous_period(day: dt.date) -> str:
    first = day.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def _pay_all_open(world, number: str) -> None:
    account = world.accounts[number]
    due = OpenItem.objects.filter(account=account, open_amount__gt=0).aggregate(
        s=Sum("open_amount")
    )["s"]
    if due:
        pay(world, number, due)


def _pays_on_time(number: str, day: dt.date) -> bool:
    if number == "VK-0005":
        return True
    if number == "VK-0002":
        return dt.date(2026, 3, 1) <= day < dt.date(2026, 6, 1)
    if number == "VK-0003":
        return dt.date(2026, 4, 1) <= day < dt.date(2026, 8, 1)
    return False


def _steps(world, number):
    return list(
        DunningStep.objects.filter(account=world.accounts[number])
        .select_related("level", "message")
        .order_by("run_date", "id")
    )


def _run_year(world):
    """Runs the year; returns the world."""
    dunning_defaults(tenant=world.tenant)
    for number, account in world.accounts.items():
        account.phone = "" if number == "ВК-0006" else f"+7916000000{number[-1]}"
        account.email = "" if number == "ВК-0006" else f"payer{number[-1]}@example.com"
        account.save()

    day = START
    while day <= END:
        if day.day == 1:
            amounts = {n: ("30.00" if n == "VK-0004" else "150.00") for n in world.accounts}
            charges(world, _previous_period(day), water=amounts)
        if day.day == 2:
            for number in world.accounts:
                if _pays_on_time(number, day):
                    _pay_all_open(world, number)
        if day == dt.date(2026, 2, 20):
            _pay_all_open(world, "VK-0002")
        if day == dt.date(2026, 3, 20):
            _pay_all_open(world, "VK-0003")
        if day == OPT_OUT:
            account = world.accounts["VK-0002"]
            account.sms_consent = False
            account.save(update_fields=["sms_consent"])

        dunning_run(tenant=world.tenant, on=day, now=_at(day, 2))
        dunning_run(tenant=world.tenant, on=day, now=_at(day, 12))
        counts = (DunningStep.objects.count(), Message.objects.count(), DebtCase.objects.count())
        again = dunning_run(tenant=world.tenant, on=day, now=_at(day, 12))
        assert again.fired == 0, f"second run for {day} fired {again.steps}"
        assert counts == (
            DunningStep.objects.count(),
            Message.objects.count(),
            DebtCase.objects.count(),
        )
        day += dt.timedelta(days=1)
    return world


def check_an_account_that_never_pays_gets_each_level_once_in_order(year):
    steps = _steps(year, "VK-0001")
    assert [(s.level.position, s.run_date, s.cycle) for s in steps] == [
        (1, dt.date(2026, 2, 15), 1),  # 5 days after 10 Feb
        (2, dt.date(2026, 2, 25), 1),  # 15 days; 7 days' wait passed on the 22nd
        (3, dt.date(2026, 3, 12), 1),  # 30 days
        (4, dt.date(2026, 3, 27), 1),  # 45 days
        (5, dt.date(2026, 4, 11), 1),  # 60 days
        (6, dt.date(2026, 5, 11), 1),  # 90 days; the pre-trial level's 20 days passed
    ]
    assert [s.outcome for s in steps] == ["queued", "queued", "letter", "case", "case", "case"]
    assert [s.message.channel for s in steps[:3]] == ["sms", "email", "letter"]
    case = DebtCase.objects.get(account=year.accounts["VK-0001"])
    assert case.stage == CaseStage.COURT
    stages = CaseEvent.objects.filter(case=case, kind=CaseEventKind.STAGE).order_by("id")
    assert [e.detail["to"] for e in stages] == ["pre_trial", "court"]
    [letter] = LegalDocument.objects.filter(case=case)  # the pre-trial level's claim letter
    assert (letter.kind, letter.document_date) == ("pre_trial", dt.date(2026, 4, 11))


def check_no_sms_leaves_at_night(year):
    sms = DunningStep.objects.filter(message__channel="sms")
    assert sms.count() > 0
    for step in sms:
        local = step.at.astimezone(MOSCOW).time()
        assert dt.time(8) <= local < dt.time(21), step
    # …and the night runs did fire other levels: the level is not lost, only the SMS waits.
    assert DunningStep.objects.filter(at__in=[_at(d, 2) for d in _days()]).exists()


def _days():
    day = START
    while day <= END:
        yield day
        day += dt.timedelta(days=1)


def check_an_account_that_opted_out_gets_no_sms_after_it(year):
    steps = _steps(year, "VK-0002")
    before = [s for s in steps if s.run_date < OPT_OUT]
    after = [s for s in steps if s.run_date >= OPT_OUT]
    assert [(s.cycle, s.level.position, s.outcome) for s in before] == [(1, 1, "queued")]
    assert before[0].message.channel == "sms"
    assert after[0].cycle == 2 and after[0].level.position == 1
    assert after[0].outcome == DunningOutcome.SUPPRESSED_OPTOUT and after[0].message is None
    assert not [s for s in after if s.message and s.message.channel == "sms"]
    assert [s.level.position for s in after] == [1, 2, 3, 4, 5, 6]


def check_an_account_that_pays_stops_and_starts_again_from_level_one(year):
    steps = _steps(year, "VK-0003")
    first = [(s.level.position, s.run_date) for s in steps if s.cycle == 1]
    assert first == [
        (1, dt.date(2026, 2, 15)),
        (2, dt.date(2026, 2, 25)),
        (3, dt.date(2026, 3, 12)),
    ]  # paid on 20 March, before the call task was due on the 27th
    second = [(s.level.position, s.run_date) for s in steps if s.cycle == 2]
    assert second[0] == (1, dt.date(2026, 8, 15))  # stopped paying period 2026-07
    assert [p for p, _ in second] == [1, 2, 3, 4, 5, 6]
    assert DunningState.objects.get(account=year.accounts["VK-0003"]).cycle == 2


def check_min_debt_holds_back_small_debts(year):
    steps = _steps(year, "VK-0004")
    # 30.00 overdue from 11 Feb; 120.00 once the 4th month is overdue on 11 May.
    assert steps[0].run_date == dt.date(2026, 5, 11)
    assert steps[0].overdue == 12000
    assert [s.level.position for s in steps] == [1, 2, 3, 4, 5, 6]


def check_an_account_that_pays_on_time_is_never_dunned(year):
    assert _steps(year, "VK-0005") == []


def check_an_account_without_contacts_gets_only_the_letter(year):
    steps = _steps(year, "ВК-0006")
    assert [s.outcome for s in steps[:3]] == [
        DunningOutcome.SUPPRESSED_NO_CONTACT,
        DunningOutcome.SUPPRESSED_NO_CONTACT,
        DunningOutcome.LETTER,
    ]
    assert steps[2].message.recipient.startswith("Плательщик 6, ")


def check_each_account_reaches_each_level_at_most_once_per_cycle(year):
    for number in year.accounts:
        seen = set()
        for step in _steps(year, number):
            assert (step.cycle, step.level_id) not in seen
            seen.add((step.cycle, step.level_id))
            positions = [s.level.position for s in _steps(year, number) if s.cycle == step.cycle]
            assert positions == sorted(positions)
    assert_ledger_clean(year.tenant)


def test_a_year_of_daily_runs(world):
    """The year runs once (≈ 1,100 runs); each check names one behaviour."""
    year = _run_year(world)
    check_an_account_that_never_pays_gets_each_level_once_in_order(year)
    check_no_sms_leaves_at_night(year)
    check_an_account_that_opted_out_gets_no_sms_after_it(year)
    check_an_account_that_pays_stops_and_starts_again_from_level_one(year)
    check_min_debt_holds_back_small_debts(year)
    check_an_account_that_pays_on_time_is_never_dunned(year)
    check_an_account_without_contacts_gets_only_the_letter(year)
    check_each_account_reaches_each_level_at_most_once_per_cycle(year)
