"""The dunning run: once a day per tenant, for date D at moment `now` (the package's docstring
has the rules).

The run is set-based so that 200,000 accounts take seconds, not hours: one aggregate query
over open items gives every account's overdue debt and days past due, one query reads every
account's `DunningState`, the decisions are made in Python, and steps, messages and states are
written with `bulk_create`. Sending leaves after commit, in chunks, through Celery. All of it is
one transaction, under a per-tenant lock so that two runs of a tenant never decide the same
steps; `result.timings` has the seconds of each phase."""

import datetime as dt
import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from debt_collection.models import CollectionSettings, DunningLevel
from debt_collection.services.contact_limits import MessageLimits
from debt_collection.services.dunning.channels import LIMITED, decide_channels, is_quiet
from debt_collection.services.dunning.rendering import render_messages
from debt_collection.services.dunning.result import DunningRunResult
from debt_collection.services.dunning.selection import (
    BATCH,
    Decision,
    dunning_states,
    messages_this_week,
    steps_due,
)
from debt_collection.services.dunning.writing import (
    open_cases,
    reset_paid,
    send_after_commit,
    write_messages,
    write_steps,
)
from warehouse.models import AuditEvent, Tenant

_ADVISORY_NAMESPACE = 0x44554E  # "DUN": one dunning run per tenant at a time


def dunning_run(
    *,
    tenant: Tenant,
    on: dt.date,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> DunningRunResult:
    """One run of the tenant's procedure for date `on` at moment `now` (default: the current
    time; quiet hours are judged by it). `progress(n)` is told of every n accounts decided."""
    now = now or timezone.now()
    result = DunningRunResult(tenant=tenant.code, on=on)
    levels = list(
        DunningLevel.objects.filter(tenant=tenant).select_related("template").order_by("position")
    )
    if not levels:
        return result
    collection = CollectionSettings.for_tenant(tenant)
    quiet = is_quiet(tenant=tenant, at=now, collection=collection)
    clock = _Clock(result.timings)
    with transaction.atomic(durable=True):
        _lock_tenant(tenant)
        states = dunning_states(tenant)
        sent_this_week = messages_this_week(tenant=tenant, on=on)
        decisions, overdue_ids = steps_due(
            tenant=tenant, on=on, levels=levels, states=states, result=result, progress=progress
        )
        clock("select")
        if progress:
            progress(len(overdue_ids) % BATCH)
        result.deescalated = reset_paid(states, overdue_ids=overdue_ids, now=now)
        limits = MessageLimits(
            tenant=tenant,
            now=now,
            account_ids=[d.account_id for d in decisions if d.level.action in LIMITED],
        )
        decisions = decide_channels(
            decisions,
            tenant=tenant,
            quiet=quiet,
            cap=collection.max_messages_per_week,
            sent=sent_this_week,
            limits=limits,
            result=result,
        )
        clock("decide")
        sending = render_messages(decisions, tenant=tenant, on=on, now=now)
        clock("render")
        write_messages(sending, tenant=tenant, now=now)
        open_cases(decisions, on=on, now=now, result=result)
        write_steps(decisions, tenant=tenant, on=on, now=now, states=states)
        clock("write")
        _record(result, decisions=decisions, sending=sending, tenant=tenant)
        send_after_commit(sending)
    clock("commit")
    return result


class _Clock:
    """Writes the seconds since the previous phase ended into `timings[phase]`."""

    def __init__(self, timings: dict):
        self.timings = timings
        self.started = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = now - self.started
        self.started = now


def _lock_tenant(tenant: Tenant) -> None:
    """Two runs of one tenant at once would both decide the same steps; the second waits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_NAMESPACE, tenant.pk])


def _record(
    result: DunningRunResult, *, decisions: list[Decision], sending: list[Decision], tenant: Tenant
) -> None:
    """The run's counts, and its audit row when it stepped or reset any account."""
    for d in decisions:
        result.steps[(d.level.position, d.outcome)] += 1
    result.messages_queued = len(sending)
    if result.fired or result.deescalated:
        AuditEvent.objects.create(
            tenant=tenant,
            action="dunning.run",
            detail={
                "date": result.on.isoformat(),
                "steps": {f"{p}:{o}": n for (p, o), n in sorted(result.steps.items())},
                "reset": result.deescalated,
            },
        )


def dunning_run_due(*, now: dt.datetime | None = None, hour: int | None = None) -> list:
    """The runs beat starts: every tenant with levels whose local time is `hour` (default
    settings.DUNNING_LOCAL_HOUR), for its local date."""
    now = now or timezone.now()
    hour = settings.DUNNING_LOCAL_HOUR if hour is None else hour
    results = []
    tenant_ids = DunningLevel.objects.values_list("tenant_id", flat=True).distinct()
    for tenant in Tenant.objects.filter(pk__in=tenant_ids).order_by("code"):
        local = timezone.localtime(now, zoneinfo.ZoneInfo(tenant.timezone))
        if local.hour == hour:
            results.append(dunning_run(tenant=tenant, on=local.date(), now=now))
    return results
