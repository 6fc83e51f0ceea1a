"""The dunning run's rules one at a time — frequency cap, minimum debt, waits, quiet hours,
templates and pay links — plus the `run_dunning` command and the beat entry point, on the
`world` tenant (Europe/Moscow, RUB). Period 2026-12 falls due on 2027-01-15 (the law's 15th)."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import CommandError, call_command

from debt_collection.models import (
    CaseStage,
    CollectionSettings,
    DebtCase,
    DunningLevel,
    DunningState,
    DunningStep,
)
from debt_collection.services.dunning.defaults import dunning_defaults
from debt_collection.services.dunning.rendering import message_template_preview
from debt_collection.services.dunning.run import dunning_run, dunning_run_due
from invoicing.models import PaymentDocument
from invoicing.selectors import document_by_pay_token
from messaging.models import Message, MessageStatus, MessageTemplate
from tests.month_end import month_end_close
from tests.splitting.helpers import charges, pay
from warehouse.models import AuditEvent

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.warehouse.charges_fixtures"]

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NBSP = "\u00a0"
DUE = dt.date(2027, 1, 15)  # the law's 15th (177-ФЗ), a Friday


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py):
    the debts are of fixed periods; dunning counts days overdue from today."""
    return clock


def _noon(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=MOSCOW)


def _day(n: int) -> dt.date:
    """n days past due."""
    return DUE + dt.timedelta(days=n)


def _levels(world, *specs, **defaults):
    """specs: (action, days_past_due[, wait_days[, min_debt]])."""
    levels = []
    for position, spec in enumerate(specs, start=1):
        action, dpd, wait, min_debt = (*spec, 0, 0)[:4] if len(spec) < 4 else spec
        levels.append(
            DunningLevel.objects.create(
                tenant=world.tenant,
                position=position,
                name=f"{action} {position}",
                days_past_due=dpd,
                wait_days=wait,
                min_debt=min_debt,
                action=action,
                **defaults,
            )
        )
    return levels


def _with_contacts(world, number="VK-0001"):
    account = world.accounts[number]
    account.phone, account.email = "+79160000001", "payer@example.com"
    account.save()
    return account


def _positions(account):
    return list(
        DunningStep.objects.filter(account=account)
        .order_by("run_date", "id")
        .values_list("level__position", flat=True)
    )


def test_frequency_cap_defers_the_third_message_of_a_week(world):
    account = _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "500.00"})
    _levels(world, ("sms", 1), ("email", 1), ("letter", 1), ("sms", 1))  # no waits
    assert CollectionSettings.for_tenant(world.tenant).max_messages_per_week == 2

    fired = {}
    for n in range(1, 12):
        result = dunning_run(tenant=world.tenant, on=_day(n), now=_noon(_day(n)))
        fired[n] = result.fired
        if n == 3:
            assert result.deferred_cap == 1
    # days 1 and 2 send; 3…7 are over the cap (2 in the 7 days); the 8th day's window
    # (2…8) holds one message, so the letter goes; the 4th level waits for day 9's window.
    assert [n for n, f in fired.items() if f] == [1, 2, 8, 9]
    assert _positions(account) == [1, 2, 3, 4]
    assert not DunningStep.objects.filter(outcome__startswith="suppressed").exists()


def test_min_debt_keeps_a_level_from_firing_until_the_debt_reaches_it(world):
    account = _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "99.99"})
    _levels(world, ("sms", 5, 0, 10000))
    assert dunning_run(tenant=world.tenant, on=_day(20), now=_noon(_day(20))).fired == 0

    charges(world, "2027-01", water={"VK-0001": "0.01"})  # due 10 February
    assert dunning_run(tenant=world.tenant, on=_day(31), now=_noon(_day(31))).fired == 0
    result = dunning_run(tenant=world.tenant, on=_day(32), now=_noon(_day(32)))
    assert result.fired == 1
    step = DunningStep.objects.get(account=account)
    assert (step.overdue, step.days_past_due) == (10000, 32)


def test_wait_days_hold_the_next_level_back(world):
    account = _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "500.00"})
    _levels(world, ("sms", 1, 10), ("email", 1))
    dunning_run(tenant=world.tenant, on=_day(1), now=_noon(_day(1)))
    for n in range(2, 11):
        result = dunning_run(tenant=world.tenant, on=_day(n), now=_noon(_day(n)))
        assert (result.fired, result.waiting) == (0, 1), n
    assert dunning_run(tenant=world.tenant, on=_day(11), now=_noon(_day(11))).fired == 1
    assert list(
        DunningStep.objects.filter(account=account)
        .order_by("run_date")
        .values_list("level__position", "run_date")
    ) == [(1, _day(1)), (2, _day(11))]


def test_an_sms_due_at_night_goes_out_the_same_day_after_the_quiet_hours(world):
    account = _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "500.00"})
    _levels(world, ("sms", 5))
    night = dunning_run(tenant=world.tenant, on=_day(5), now=_noon(_day(5), hour=1))
    assert (night.fired, night.deferred_quiet) == (0, 1)
    assert not DunningStep.objects.exists() and not Message.objects.exists()
    assert not DunningState.objects.filter(account=account).exists()

    morning = dunning_run(tenant=world.tenant, on=_day(5), now=_noon(_day(5), hour=9))
    assert morning.fired == 1 and morning.messages_queued == 1
    assert Message.objects.get().channel == "sms"


def test_a_paid_account_is_reset_and_starts_again_from_level_one(world):
    account = _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "500.00"})
    _levels(world, ("sms", 1), ("email", 1))
    dunning_run(tenant=world.tenant, on=_day(1), now=_noon(_day(1)))
    pay(world, "VK-0001", 50000)
    result = dunning_run(tenant=world.tenant, on=_day(2), now=_noon(_day(2)))
    assert (result.fired, result.deescalated) == (0, 1)
    state = DunningState.objects.get(account=account)
    assert (state.cycle, state.level) == (2, None)

    charges(world, "2027-01", water={"VK-0001": "500.00"})  # due 15 February (a Monday)
    dunning_run(tenant=world.tenant, on=dt.date(2027, 2, 16), now=_noon(dt.date(2027, 2, 16)))
    assert list(
        DunningStep.objects.filter(account=account).values_list("cycle", "level__position")
    ) == [(2, 1), (1, 1)]


def test_paying_closes_a_queue_case_but_leaves_a_court_case_to_people(world):
    queued, in_court = _with_contacts(world), _with_contacts(world, "VK-0002")
    charges(world, "2026-12", water={"VK-0001": "500.00", "VK-0002": "700.00"})
    _levels(world, ("call_task", 1))
    dunning_run(tenant=world.tenant, on=_day(1), now=_noon(_day(1)))
    DebtCase.objects.filter(account=in_court).update(stage=CaseStage.COURT)
    pay(world, "VK-0001", 50000)
    pay(world, "VK-0002", 70000)

    dunning_run(tenant=world.tenant, on=_day(2), now=_noon(_day(2)))

    closed = DebtCase.objects.get(account=queued)
    assert (closed.stage, closed.closed_reason) == (CaseStage.CLOSED, "overdue debt paid")
    assert closed.events.filter(kind="closed").exists()
    assert DebtCase.objects.get(account=in_court).stage == CaseStage.COURT


def test_a_message_sent_while_a_case_is_open_is_on_that_case(world):
    account = _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "500.00"})
    _levels(world, ("call_task", 1), ("sms", 2))

    dunning_run(tenant=world.tenant, on=_day(1), now=_noon(_day(1)))
    dunning_run(tenant=world.tenant, on=_day(2), now=_noon(_day(2)))

    case = DebtCase.objects.get(account=account)
    assert list(case.messages.values_list("channel", flat=True)) == ["sms"]


def test_an_inactive_account_is_not_dunned(world):
    account = _with_contacts(world)
    account.is_active = False
    account.save()
    charges(world, "2026-12", water={"VK-0001": "500.00", "VK-0002": "700.00"})
    _with_contacts(world, "VK-0002")
    _levels(world, ("sms", 1))

    result = dunning_run(tenant=world.tenant, on=_day(1), now=_noon(_day(1)))

    assert result.accounts_overdue == 1
    assert list(Message.objects.values_list("account__account_number", flat=True)) == ["00000002"]


def test_template_renders_amounts_suppliers_and_the_pay_link_of_the_latest_document(world):
    account = _with_contacts(world)
    account.payer_name = "Иванов & сын"
    account.save()
    charges(world, "2026-12", water={"VK-0001": "1234.50"}, heat={"VK-0001": "100.00"})
    month_end_close(tenant=world.tenant, period="2026-12")
    document = PaymentDocument.objects.get(account=account)
    template = MessageTemplate.objects.create(
        tenant=world.tenant,
        code="t",
        channel="sms",
        body=(
            "{{ payer_name }} {{ account_number }}: {{ overdue }} of {{ total_due }} "
            "since {{ oldest_period }}, {{ days_past_due }} d;"
            "{% for s in suppliers %} {{ s.name }} {{ s.overdue }};{% endfor %} {{ pay_url }}"
        ),
    )
    _levels(world, ("sms", 5), template=template)
    charges(world, "2027-01", water={"VK-0001": "10.00"})  # not due yet: in the total only

    dunning_run(tenant=world.tenant, on=_day(7), now=_noon(_day(7)))

    body = Message.objects.get(account=account).body
    token = body.rsplit("/pay/", 1)[1]
    assert body == (
        f"Иванов & сын 00000001: 1{NBSP}334,50{NBSP}₽ of 1{NBSP}344,50{NBSP}₽ since 2026-12, "
        f"7 d; АО «Водоканал» 1{NBSP}234,50{NBSP}₽; ИП Теплов Пётр Андреевич 100,00{NBSP}₽; "
        f"http://127.0.0.1:8000/pay/{token}"
    )
    assert document_by_pay_token(token) == document
    assert message_template_preview(template=template, account=account, on=_day(7)) == body


def test_queued_messages_are_sent_after_commit(world, django_capture_on_commit_callbacks):
    _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "500.00"})
    _levels(world, ("sms", 1))
    with django_capture_on_commit_callbacks(execute=True):
        dunning_run(tenant=world.tenant, on=_day(1), now=_noon(_day(1)))
    message = Message.objects.get()
    assert (message.source, message.status) == ("dunning", MessageStatus.SENT)


def test_dunning_defaults_are_idempotent_and_keep_staff_edits(world):
    levels = dunning_defaults(tenant=world.tenant)
    assert [(x.days_past_due, x.action) for x in levels] == [
        (5, "sms"),
        (15, "email"),
        (30, "letter"),
        (45, "call_task"),
        (60, "pre_trial"),
        (90, "court"),
    ]
    assert {x.min_debt for x in levels} == {10000}
    DunningLevel.objects.filter(tenant=world.tenant, position=1).update(days_past_due=3)
    again = dunning_defaults(tenant=world.tenant)
    assert len(again) == 6 and again[0].days_past_due == 3
    assert MessageTemplate.objects.filter(tenant=world.tenant).count() == 3
    assert "л/с" in MessageTemplate.objects.get(tenant=world.tenant, code="dunning-sms").body


def test_beat_runs_each_tenant_once_a_day_in_its_own_hour(world, settings):
    settings.DUNNING_LOCAL_HOUR = 10
    _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "500.00"})
    _levels(world, ("sms", 1))
    assert dunning_run_due(now=_noon(_day(1), hour=9)) == []
    [result] = dunning_run_due(now=_noon(_day(1), hour=10) + dt.timedelta(minutes=30))
    assert (result.tenant, result.on, result.fired) == ("rc-charges", _day(1), 1)


def _command(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("run_dunning", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_command_runs_a_date_and_prints_a_summary(world):
    _with_contacts(world)
    charges(world, "2026-12", water={"VK-0001": "500.00", "VK-0002": "500.00"})
    _levels(world, ("email", 1))
    code, out = _command("--tenant", "rc-charges", "--date", "2027-01-16")
    assert code == 0
    assert out.startswith("Dunning rc-charges 2027-01-16: 2 overdue accounts, 2 steps ")
    assert "queued 1" in out and "suppressed_no_contact 1" in out
    assert len(out.strip().splitlines()) == 1
    code, out = _command("--tenant", "rc-charges", "--date", "2027-01-16")
    assert code == 0 and ": 2 overdue accounts, 0 steps (none)" in out
    [audit] = AuditEvent.objects.filter(tenant=world.tenant, action="dunning.run")
    assert audit.detail == {
        "date": "2027-01-16",
        "steps": {"1:queued": 1, "1:suppressed_no_contact": 1},
        "reset": 0,
    }


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--tenant", "nobody"], "no tenant 'nobody'"),
        (["--tenant", "rc-charges", "--date", "2027-13-01"], "--date"),
    ],
)
def test_command_refuses_an_unknown_tenant_or_a_bad_date(world, args, needle):
    code, message = _command(*args)
    assert code == 2 and needle in message
    assert not DunningStep.objects.exists()


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("channel", ["sms", "email", "letter"])
def test_compiled_templates_render_exactly_what_django_renders(language, channel):
    from django.template import Context, Template

    from debt_collection.services.dunning.defaults import DEFAULT_TEXTS
    from debt_collection.services.dunning.rendering import template_compile

    subject, body = DEFAULT_TEXTS[language][channel]
    context = {
        "payer_name": 'Иванов & "сын" <b>',
        "account_number": "00000001",
        "total_due": f"1{NBSP}234,50{NBSP}₽",
        "overdue": f"1{NBSP}000,00{NBSP}₽",
        "oldest_period": "2026-12",
        "days_past_due": 1234,
        "suppliers": [{"name": "A & B", "overdue": "1,00", "oldest_period": "2026-12"}],
        "pay_url": "http://127.0.0.1:8000/pay/abc",
        "tenant": "ООО «Расчётный центр»",
        "currency": "RUB",
    }
    for text in (subject, body, body + "{{ missing }}!"):
        django_text = Template(text).render(Context(context, autoescape=False))
        assert template_compile(text).render(context) == django_text
    if channel == "sms":
        assert template_compile(body).parts is not None  # the plain path was taken
