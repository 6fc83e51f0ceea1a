"""The debt-collection part of the demo: each demo tenant's dunning procedure, run day by day
over the months the demo's debtors have owed (so the demo shows each level reached in turn:
messages, letters, cases, pre-trial claims), the cases handed to the demo collector, and a
call, a promise to pay and a payment plan on the first cases."""

import contextlib
import datetime as dt
import io
import logging
import random
import zoneinfo

from django.db import transaction
from django.utils import timezone

from debt_collection.models import (
    WORKED_STAGES,
    Agency,
    AgencyHandover,
    CourtProceeding,
    DebtCase,
    DunningLevel,
    DunningState,
    DunningStep,
    LegalDocument,
    PaymentPlan,
    PenaltyAccrual,
    PenaltyRecalculation,
    PromiseToPay,
)
from debt_collection.services.cases import ContactOutcome, cases_assign, contact_log
from debt_collection.services.dunning.defaults import dunning_defaults
from debt_collection.services.dunning.run import dunning_run
from debt_collection.services.plans import plan_create
from debt_collection.services.promises import promise_record
from messaging.models import Message, MessageTemplate
from warehouse.models import OpenItem, Tenant, User

DEMO_COLLECTOR = "collector"


def demo_collections_remove(tenant_codes) -> None:
    """What the demo's collections wrote, before its tenants and accounts go (cases protect
    their accounts; accruals their open items)."""
    tenants = list(Tenant.objects.filter(code__in=tenant_codes))
    order = (
        DunningStep,
        DunningState,
        PaymentPlan,
        PromiseToPay,
        LegalDocument,
        CourtProceeding,
        AgencyHandover,
        Agency,
        Message,
        DebtCase,
        DunningLevel,
        MessageTemplate,
        PenaltyAccrual,
        PenaltyRecalculation,
    )
    with transaction.atomic():
        for model in order:
            model.objects.filter(tenant__in=tenants).delete()


def demo_collections(tenant_codes, *, seed: int, today: dt.date | None = None) -> dict:
    """Runs each tenant's procedure once a day at 11:00 local time, from the first day any of
    its debt fell due until `today`, then `demo_cases`. The messages are sent through the
    configured backends (the console, in the demo); what they print is kept out of the seed's
    own output — the account's message page shows them. (`seed_demo` runs the days inside its
    timeline instead, `demo.month`, so that each day sees only the payments made by then.)"""
    today = today or timezone.localdate()
    totals = {"messages": 0, "cases": 0}
    for code in tenant_codes:
        tenant = Tenant.objects.filter(code=code).first()
        if tenant is None:
            continue
        dunning_defaults(tenant=tenant)
        first_due = (
            OpenItem.objects.filter(tenant=tenant, open_amount__gt=0)
            .order_by("due_date")
            .values_list("due_date", flat=True)
            .first()
        )
        if first_due is None:
            continue
        zone = zoneinfo.ZoneInfo(tenant.timezone)
        day = first_due + dt.timedelta(days=1)
        with contextlib.redirect_stdout(io.StringIO()), _quiet("integrations.sms"):
            while day <= today:
                now = dt.datetime.combine(day, dt.time(11), tzinfo=zone)
                totals["messages"] += dunning_run(tenant=tenant, on=day, now=now).messages_queued
                day += dt.timedelta(days=1)
    totals["cases"] = demo_cases(tenant_codes, seed=seed, today=today)
    return totals


def demo_cases(tenant_codes, *, seed: int, today: dt.date | None = None) -> int:
    """The debt cases the procedure opened, handed to the demo collector, with a call, a
    promise to pay and a payment plan on the first of them; how many cases there are."""
    today = today or timezone.localdate()
    collector = User.objects.filter(username=DEMO_COLLECTOR).first()
    total = 0
    for code in tenant_codes:
        tenant = Tenant.objects.filter(code=code).first()
        if tenant is None:
            continue
        cases = list(
            DebtCase.objects.filter(tenant=tenant, stage__in=WORKED_STAGES)
            .select_related("account")
            .order_by("-debt_at_open", "pk")
        )
        total += len(cases)
        if collector is None or not cases:
            continue
        cases_assign(tenant=tenant, agents=[collector])
        _worked_examples(cases, collector=collector, today=today, chooser=random.Random(seed))
    return total


@contextlib.contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _worked_examples(cases, *, collector, today: dt.date, chooser: random.Random) -> None:
    """A few cases as an agent would have left them: calls with outcomes, a promise, a plan."""
    outcomes = [ContactOutcome.NO_ANSWER, ContactOutcome.CALL_BACK, ContactOutcome.REFUSED]
    for case in cases[3:8]:
        contact_log(
            case=case,
            kind="call",
            outcome=chooser.choice(outcomes),
            note="Demo: first call.",
            actor=collector,
        )
    if len(cases) > 0:
        promised = cases[0]
        contact_log(
            case=promised,
            kind="call",
            outcome=ContactOutcome.PROMISED,
            note="Demo: will pay half next week.",
            actor=collector,
        )
        promise_record(
            case=promised,
            amount=max(promised.debt_at_open // 2, 100),
            due_date=today + dt.timedelta(days=7),
            actor=collector,
        )
    if len(cases) > 1:
        plan_create(
            case=cases[1],
            months=3,
            first_due=today + dt.timedelta(days=10),
            actor=collector,
        )
