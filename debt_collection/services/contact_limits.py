"""The contact limits of the law (`ContactLimit` rows) and of the tenant (`CollectionSettings`)
read for the engine `debt_collection.contact_limits`, with the earlier contacts of accounts
read set-based, and the working-day calendar.

What counts as a contact:
- a message: a `Message` by SMS or e-mail that did not fail, from any source but the
  resident's own cabinet (the notifications and replies a resident asked for are not contacts
  on the creditor's initiative). Letters on paper are not messages in 230-ФЗ ст. 7 ч. 5.
- a call: a `CaseEvent` of kind `call` on any case of the account — click-to-call records one
  before it rings (`case_call`), an agent logging a call made by hand records one
  (`contact_log`); a click-to-call Twilio did not start is marked `CALL_NOT_STARTED` and is
  not a contact.

Which rules hold: the law's row in force on the debtor's local date, for the tenant's country
profile; for calls also the tenant's quiet hours and call caps. For messages the tenant's quiet
hours (SMS) and weekly cap (dunning messages, any 7 days) are applied by the dunning run
itself, as before the law's rows existed; both hold, so the stricter wins."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext

from debt_collection.contact_limits import (
    CALL,
    MESSAGE,
    Contact,
    Limits,
    Refusal,
    Window,
    contact_refusal,
    period_start,
)
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CollectionSettings,
    ContactLimit,
)
from messaging.models import Message, MessageChannel, MessageStatus
from warehouse.models import Account, Tenant
from warehouse.services.legal import calendar_for

# Messages a resident asked for in the cabinet (cabinet.services.notifications, .requests).
RESIDENT_SOURCES = ("cabinet", "cabinet_request")
MESSAGE_CHANNELS = (MessageChannel.SMS, MessageChannel.EMAIL)
# The outcome of a click-to-call Twilio refused to start: no contact happened.
CALL_NOT_STARTED = "call_not_started"
BATCH = 5000


def working_days(profile: str = "RU") -> Callable[[dt.date], bool]:
    """THE working-day adapter: the production calendar of the profile's country as the
    warehouse keeps it (`CalendarDay` rows, loaded with `calendar_load`), the same calendar
    that moves due dates; Monday to Friday on the days no row covers."""
    return calendar_for(profile).is_working_day


def tenant_zone(tenant: Tenant) -> zoneinfo.ZoneInfo:
    """The debtor's local time is the tenant's (an account has no time zone of its own)."""
    return zoneinfo.ZoneInfo(tenant.timezone)


def law_limits(*, profile: str, kind: str, on: dt.date) -> Limits | None:
    """The law's rules for `kind` in force on `on` (the row with the latest valid_from not after
    it); None when the profile has no row."""
    row = (
        ContactLimit.objects.filter(profile=profile, kind=kind, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )
    if row is None:
        return None
    return Limits(
        kind=kind,
        citation=row.citation,
        per_day=row.per_day,
        per_week=row.per_week,
        per_month=row.per_month,
        working_day_hours=Window(row.working_day_from, row.working_day_until),
        weekend_hours=Window(row.weekend_from, row.weekend_until),
    )


def tenant_call_limits(collection: CollectionSettings) -> Limits:
    """The tenant's own rules for calls: its quiet hours and call caps."""
    return Limits(
        kind=CALL,
        citation=gettext("the organisation's collection settings"),
        per_day=collection.max_calls_per_day,
        per_week=collection.max_calls_per_week,
        per_month=collection.max_calls_per_month,
        quiet_hours=Window(collection.quiet_hours_start, collection.quiet_hours_end),
    )


def account_contacts(
    *, tenant: Tenant, kind: str, account_ids: Iterable[int], since: dt.datetime
) -> dict[int, list[Contact]]:
    """The contacts of `kind` with the accounts since `since`: account id → contacts. Set-based:
    one query per IN list of BATCH accounts, or one over the tenant when they are many."""
    ids = list(account_ids)
    if kind == MESSAGE:
        rows = (
            Message.objects.filter(channel__in=MESSAGE_CHANNELS, created_at__gte=since)
            .exclude(status=MessageStatus.FAILED)
            .exclude(source__in=RESIDENT_SOURCES)
            .values_list("account_id", "created_at")
        )
        field, scope = "account_id", {"tenant": tenant}
    else:
        rows = (
            CaseEvent.objects.filter(kind=CaseEventKind.CALL, at__gte=since)
            .exclude(outcome=CALL_NOT_STARTED)
            .values_list("case__account_id", "at")
        )
        field, scope = "case__account_id", {"case__tenant": tenant}
    if len(ids) > 4 * BATCH:
        parts = [rows.filter(**scope)]
    else:
        parts = [
            rows.filter(**{f"{field}__in": ids[i : i + BATCH]}) for i in range(0, len(ids), BATCH)
        ]
    wanted = set(ids)
    found: dict[int, list[Contact]] = defaultdict(list)
    for part in parts:
        for account_id, at in part.order_by():
            if account_id in wanted:
                found[account_id].append(Contact(at, kind))
    return found


def call_refusal(
    *, account: Account, now: dt.datetime | None = None, collection=None
) -> Refusal | None:
    """Whether calling `account` at `now` breaks the law's limits or the tenant's; None: the
    call may be made."""
    now = now or timezone.now()
    tenant = account.tenant
    tz = tenant_zone(tenant)
    collection = collection or CollectionSettings.for_tenant(tenant)
    rules = [
        r
        for r in (
            law_limits(profile=tenant.profile, kind=CALL, on=now.astimezone(tz).date()),
            tenant_call_limits(collection),
        )
        if r is not None
    ]
    contacts = account_contacts(
        tenant=tenant, kind=CALL, account_ids=[account.pk], since=period_start(now=now, tz=tz)
    )
    return contact_refusal(
        limits=rules,
        kind=CALL,
        now=now,
        tz=tz,
        contacts=contacts.get(account.pk, ()),
        is_working_day=working_days(tenant.profile),
    )


class MessageLimits:
    """The law's message limits for one dunning run: the rules and the accounts' earlier
    messages are read once (`account_contacts`), then `refusal(account_id)` answers per
    account without a query."""

    def __init__(self, *, tenant: Tenant, now: dt.datetime, account_ids: Iterable[int]):
        self.tz = tenant_zone(tenant)
        self.now = now
        self.rules = law_limits(
            profile=tenant.profile, kind=MESSAGE, on=now.astimezone(self.tz).date()
        )
        self.contacts = (
            account_contacts(
                tenant=tenant,
                kind=MESSAGE,
                account_ids=account_ids,
                since=period_start(now=now, tz=self.tz),
            )
            if self.rules is not None
            else {}
        )
        self.is_working_day = working_days(tenant.profile)

    def refusal(self, account_id: int) -> Refusal | None:
        if self.rules is None:
            return None
        return contact_refusal(
            limits=[self.rules],
            kind=MESSAGE,
            now=self.now,
            tz=self.tz,
            contacts=self.contacts.get(account_id, ()),
            is_working_day=self.is_working_day,
        )
