"""Deciding what each due step does: a message on the level's channel (SMS, e-mail, letter),
or work for people (a call task, the legal levels). A message is suppressed when the payer
opted out of its channel or has no contact for it, and deferred — nothing recorded, a later
run fires it — in the tenant's quiet hours (SMS), over the tenant's weekly cap, or when it
would break a contact limit of the law."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from django.utils import timezone

from debt_collection.models import CollectionSettings, DunningAction, DunningOutcome
from debt_collection.services.contact_limits import MessageLimits
from debt_collection.services.dunning.selection import BATCH, Decision, per_account
from messaging.models import MessageChannel
from warehouse.models import Account, Tenant

if TYPE_CHECKING:
    from debt_collection.services.dunning.result import DunningRunResult

CHANNEL_OF = {
    DunningAction.SMS: MessageChannel.SMS,
    DunningAction.EMAIL: MessageChannel.EMAIL,
    DunningAction.LETTER: MessageChannel.LETTER,
}
# Messages in 230-ФЗ ст. 7 ч. 5 (ст. 4 ч. 1 п. 2); a letter is a postal item (п. 3).
LIMITED = (DunningAction.SMS, DunningAction.EMAIL)


def is_quiet(*, tenant: Tenant, at: dt.datetime, collection: CollectionSettings) -> bool:
    """Whether `at` falls in the tenant's quiet hours (its own time zone); a window may wrap
    midnight (21:00–08:00)."""
    local = timezone.localtime(at, zoneinfo.ZoneInfo(tenant.timezone)).time()
    start, end = collection.quiet_hours_start, collection.quiet_hours_end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def decide_channels(
    decisions: list[Decision],
    *,
    tenant: Tenant,
    quiet: bool,
    cap: int,
    sent: dict[int, int],
    limits: MessageLimits,
    result: DunningRunResult,
) -> list[Decision]:
    """Fills in each decision's outcome and recipient; drops the deferred ones: an SMS in the
    tenant's quiet hours, any message over the tenant's cap, and an SMS or e-mail that would
    break a contact limit of the law (`limits`; letters on paper are not messages there)."""
    contacts = _contacts(tenant=tenant, account_ids=[d.account_id for d in decisions])
    kept = []
    for d in decisions:
        payer, d.number, phone, email, sms_ok, email_ok, address, premises = contacts[d.account_id]
        d.payer = payer
        action = d.level.action
        if action not in CHANNEL_OF:
            d.outcome = DunningOutcome.CASE
            kept.append(d)
            continue
        d.channel = CHANNEL_OF[action]
        if action == DunningAction.SMS:
            consent, d.recipient = sms_ok, phone
        elif action == DunningAction.EMAIL:
            consent, d.recipient = email_ok, email
        else:
            consent, d.recipient = True, f"{payer}, {address}, {premises}"[:254]
        if not consent:
            d.outcome = DunningOutcome.SUPPRESSED_OPTOUT
        elif not d.recipient:
            d.outcome = DunningOutcome.SUPPRESSED_NO_CONTACT
        elif action == DunningAction.SMS and quiet:
            result.deferred_quiet += 1
            continue
        elif sent.get(d.account_id, 0) >= cap:
            result.deferred_cap += 1
            continue
        elif action in LIMITED and (refusal := limits.refusal(d.account_id)) is not None:
            result.deferred_limits[refusal.limit] += 1
            continue
        else:
            d.outcome = (
                DunningOutcome.LETTER if action == DunningAction.LETTER else DunningOutcome.QUEUED
            )
        kept.append(d)
    return kept


def _contacts(*, tenant: Tenant, account_ids: list[int]) -> dict[int, tuple]:
    """Account id → (payer, number, phone, e-mail, SMS consent, e-mail consent, address,
    premises number)."""
    contacts = {}
    accounts = Account.objects.values_list(
        "pk",
        "payer_name",
        "account_number",
        "phone",
        "email",
        "sms_consent",
        "email_consent",
        "premises__building__address",
        "premises__number",
    )
    for part in per_account(accounts, tenant=tenant, account_ids=account_ids, field="pk"):
        contacts.update({row[0]: row[1:] for row in part.iterator(chunk_size=BATCH)})
    return contacts
