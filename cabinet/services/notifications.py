"""Residents' notifications: preferences, "remind me on…", new-bill and payment-received messages.

Everything goes out through messaging's `message_queue` (the one outbox: sent by Celery after
commit, visible in the account's message history, refused there too without the account's
consent), addressed to the resident's own e-mail or phone.

How an opt-out reaches the parts of Unibill that cannot import the cabinet (dunning, manual SMS
from a case): the account's `sms_consent`/`email_consent`, which they already honour, follow the
holders — when EVERY holder of an account has switched a channel off entirely, the cabinet
withdraws the account's consent for it (and records that it did, `ConsentWithdrawal`); when one
switches it on again, only a withdrawal the cabinet made is undone, never one staff recorded.
No hook in debt_collection, no per-message query in the bulk dunning run.

New bills and payments are found by a beat task reading `PaymentDocument` and `Payment` past a
cursor (`NotificationCursor`), so invoicing and splitting call nothing of the cabinet;
`NotificationSent` makes a re-run send nothing twice."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cabinet.models.notifications import (
    PREFERENCE_DEFAULTS,
    ConsentWithdrawal,
    NotificationChannel,
    NotificationCursor,
    NotificationKind,
    NotificationPreference,
    NotificationSent,
    Reminder,
)
from core.errors import ApplicationError
from core.http import public_url
from core.money import format_currency
from invoicing.models import DocumentStatus, PaymentDocument
from messaging.services.messages import message_queue
from splitting.models import Payment, PaymentStatus
from warehouse.models import Account, AccountHolder, AuditEvent

CONSENT_FIELD = {
    NotificationChannel.SMS: "sms_consent",
    NotificationChannel.EMAIL: "email_consent",
}
REMINDER_MAX_DAYS = 366
BATCH = 500


# --- preferences --------------------------------------------------------------------------------


def preferences_of(*, user) -> dict[tuple[str, str], bool]:
    """Every (channel, kind) of `user` with the choice in force (stored or default)."""
    choices = dict(PREFERENCE_DEFAULTS)
    for channel, kind, enabled in NotificationPreference.objects.filter(user=user).values_list(
        "channel", "kind", "enabled"
    ):
        choices[(channel, kind)] = enabled
    return choices


def _preferences_of_users(user_ids) -> dict[int, dict[tuple[str, str], bool]]:
    found = {pk: dict(PREFERENCE_DEFAULTS) for pk in user_ids}
    rows = NotificationPreference.objects.filter(user_id__in=list(found)).values_list(
        "user_id", "channel", "kind", "enabled"
    )
    for user_id, channel, kind, enabled in rows:
        found[user_id][(channel, kind)] = enabled
    return found


@transaction.atomic
def preferences_save(*, user, choices: dict[tuple[str, str], bool]) -> None:
    """Stores `user`'s choices (pairs not given keep theirs) and brings the consent of every
    account they hold in line with all its holders."""
    for (channel, kind), enabled in choices.items():
        if (channel, kind) not in PREFERENCE_DEFAULTS:
            raise ApplicationError(f"no such notification: {channel}/{kind}", code="bad_choice")
        NotificationPreference.objects.update_or_create(
            user=user, channel=channel, kind=kind, defaults={"enabled": bool(enabled)}
        )
    for account in Account.objects.filter(holders__user=user).order_by("pk"):
        _consent_sync(account=account, actor=user)


def _consent_sync(*, account, actor) -> None:
    holder_ids = list(
        AccountHolder.objects.filter(account=account).values_list("user_id", flat=True)
    )
    if not holder_ids:
        return
    prefs = _preferences_of_users(holder_ids)
    for channel, field in CONSENT_FIELD.items():
        kinds = [k for (c, k) in PREFERENCE_DEFAULTS if c == channel]
        everyone_out = all(not any(prefs[u][(channel, k)] for k in kinds) for u in holder_ids)
        consent = getattr(account, field)
        if everyone_out and consent:
            Account.objects.filter(pk=account.pk).update(**{field: False})
            ConsentWithdrawal.objects.get_or_create(account=account, channel=channel)
            _audit(account, actor, "cabinet.consent_withdrawn", channel)
        elif not everyone_out and not consent:
            withdrawn = ConsentWithdrawal.objects.filter(account=account, channel=channel)
            if withdrawn.exists():
                withdrawn.delete()
                Account.objects.filter(pk=account.pk).update(**{field: True})
                _audit(account, actor, "cabinet.consent_restored", channel)


def _audit(account, actor, action: str, channel: str) -> None:
    AuditEvent.objects.create(
        tenant_id=account.tenant_id,
        actor=actor,
        action=action,
        detail={"account": account.account_number, "channel": channel},
    )


def notifications_allowed(*, account, channel: str, kind: str, user=None) -> bool:
    """May a `kind` notification about `account` go out by `channel`? Never without the
    account's consent for the channel. For one resident (`user`): their own choice. For the
    account as a whole: every holder's choice — one holder's opt-out counts."""
    if (channel, kind) not in PREFERENCE_DEFAULTS:
        raise ApplicationError(f"no such notification: {channel}/{kind}", code="bad_choice")
    if not getattr(account, CONSENT_FIELD[channel]):
        return False
    if user is not None:
        return preferences_of(user=user)[(channel, kind)]
    holder_ids = AccountHolder.objects.filter(account=account).values_list("user_id", flat=True)
    prefs = _preferences_of_users(holder_ids)
    return all(choice[(channel, kind)] for choice in prefs.values())


# --- sending --------------------------------------------------------------------------------------


def _contact(user, channel: str) -> str:
    return (user.phone if channel == NotificationChannel.SMS else user.email) or ""


def _language(account) -> str:
    return (account.tenant.locale or settings.LANGUAGE_CODE)[:2]


def _send(*, user, account, kind: str, subject: str, body: str, ref: str = "") -> list[str]:
    """Queues the message by every channel `user` allows; returns the channels used. With a
    `ref`, a channel it already went out by for that ref is skipped."""
    used = []
    for channel in (NotificationChannel.EMAIL, NotificationChannel.SMS):
        if not notifications_allowed(account=account, channel=channel, kind=kind, user=user):
            continue
        recipient = _contact(user, channel)
        if not recipient:
            continue
        if ref and not _record(user=user, account=account, kind=kind, channel=channel, ref=ref):
            continue
        message_queue(
            account=account,
            channel=channel,
            subject=subject if channel == NotificationChannel.EMAIL else "",
            body=body,
            recipient=recipient,
            source="cabinet",
        )
        used.append(str(channel))
    return used


def _cabinet_url() -> str:
    return public_url("/cabinet/")


# --- "remind me on…" ------------------------------------------------------------------------------


@transaction.atomic
def reminder_schedule(*, user, account, remind_on: dt.date, note: str = "") -> Reminder:
    """One pending reminder per resident and account: scheduling again moves it."""
    if not AccountHolder.objects.filter(user=user, account=account).exists():
        raise ApplicationError(_("You have not linked this account."), code="not_held")
    today = timezone.localdate()
    if remind_on < today:
        raise ApplicationError(_("Choose today or a later date."), code="in_the_past")
    if remind_on > today + dt.timedelta(days=REMINDER_MAX_DAYS):
        raise ApplicationError(_("Choose a date within a year."), code="too_far")
    reminder, _created = Reminder.objects.update_or_create(
        user=user,
        account=account,
        sent_at__isnull=True,
        defaults={"remind_on": remind_on, "note": note.strip()[:200]},
    )
    return reminder


def reminder_cancel(*, user, reminder_id: int) -> None:
    deleted, _rows = Reminder.objects.filter(
        pk=reminder_id, user=user, sent_at__isnull=True
    ).delete()
    if not deleted:
        raise ApplicationError(_("No such reminder."), code="not_found", status_code=404)


def reminders_send_due(*, today: dt.date | None = None) -> int:
    """Sends every unsent reminder due on `today` or earlier (a day the task missed is caught
    up), each in its own transaction that also marks it sent: exactly once."""
    today = today or timezone.localdate()
    sent = 0
    due = Reminder.objects.filter(sent_at__isnull=True, remind_on__lte=today).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            reminder = (
                Reminder.objects.select_for_update(skip_locked=True)
                .select_related("user", "account__tenant")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if reminder is None:
                continue
            account = reminder.account
            with translation.override(_language(account)):
                subject = _("Reminder: account %(number)s") % {"number": account.account_number}
                body = _("You asked us to remind you about account %(number)s today.") % {
                    "number": account.account_number
                }
                if reminder.note:
                    body += f"\n{reminder.note}"
                body += "\n" + _("Your bills and the pay button: %(url)s") % {"url": _cabinet_url()}
            used = _send(
                user=reminder.user,
                account=account,
                kind=NotificationKind.REMINDER,
                subject=subject,
                body=body,
            )
            reminder.sent_at = timezone.now()
            reminder.channels = ",".join(used)
            reminder.save(update_fields=["sent_at", "channels"])
            sent += 1
    return sent


# --- new bills and payments received --------------------------------------------------------------


def _advance(name: str, model) -> tuple[int, int] | None:
    """Locks the cursor `name`; returns (last seen, highest now), or None on the first run, which
    only remembers where the table ends (nothing of the past is announced)."""
    cursor, created = NotificationCursor.objects.get_or_create(name=name)
    cursor = NotificationCursor.objects.select_for_update().get(pk=cursor.pk)
    top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if created:
        cursor.last_id = top
        cursor.save(update_fields=["last_id"])
        return None
    return cursor.last_id, top


def _record(*, user, account, kind, channel, ref) -> bool:
    """True when this notification has not gone out by `channel` before (and now counts)."""
    try:
        with transaction.atomic():
            NotificationSent.objects.create(
                user=user, account=account, kind=kind, channel=channel, ref=ref
            )
    except IntegrityError:
        return False
    return True


def _holders(account_ids) -> dict[int, list]:
    found: dict[int, list] = {}
    for holder in AccountHolder.objects.filter(account_id__in=account_ids).select_related("user"):
        found.setdefault(holder.account_id, []).append(holder.user)
    return found


def _announce(rows, low: int, high: int, *, kind: str, ref: str, message) -> int:
    """Tells each holder of each row's account about it, in the account's language, in batches
    of ids in (low, high]. `message(row)` gives (subject, body); `ref` names the row."""
    count = 0
    rows = (
        rows.filter(pk__gt=low, pk__lte=high, account__holders__isnull=False)
        .distinct()
        .select_related("account__tenant", "tenant")
        .order_by("pk")
    )
    for start in range(low, high, BATCH):
        part = list(rows.filter(pk__gt=start, pk__lte=min(start + BATCH, high)))
        holders = _holders([row.account_id for row in part])
        for row in part:
            account = row.account
            for user in holders.get(account.pk, []):
                with translation.override(_language(account)):
                    subject, body = message(row)
                used = _send(
                    user=user,
                    account=account,
                    kind=kind,
                    subject=subject,
                    body=body,
                    ref=f"{ref}:{row.pk}",
                )
                count += bool(used)
    return count


def _bill_message(document) -> tuple[str, str]:
    values = {
        "number": document.number,
        "period": document.period,
        "account": document.account.account_number,
        "amount": format_currency(document.amount_due, document.tenant),
        "due": document.due_date.isoformat(),
        "url": _cabinet_url(),
    }
    subject = _("New bill %(number)s for %(period)s") % values
    body = (
        _("Your bill for %(period)s (account %(account)s) is ready: %(amount)s, due %(due)s.")
        % values
        + "\n"
        + _("Your bills and the pay button: %(url)s") % values
    )
    return subject, body


def _payment_message(payment) -> tuple[str, str]:
    values = {
        "account": payment.account.account_number,
        "amount": format_currency(payment.amount, payment.tenant),
        "day": timezone.localdate(payment.received_at).isoformat(),
    }
    subject = _("Payment received: %(amount)s") % values
    body = _("We received %(amount)s for account %(account)s on %(day)s. Thank you.") % values
    return subject, body


def _announce_documents(low: int, high: int) -> int:
    return _announce(
        PaymentDocument.objects.filter(status=DocumentStatus.ISSUED),
        low,
        high,
        kind=NotificationKind.NEW_BILL,
        ref="document",
        message=_bill_message,
    )


def _announce_payments(low: int, high: int) -> int:
    return _announce(
        Payment.objects.filter(status=PaymentStatus.BOOKED),
        low,
        high,
        kind=NotificationKind.PAYMENT,
        ref="payment",
        message=_payment_message,
    )


def notifications_send_new() -> int:
    """Announces the documents issued and payments booked since the last run to the residents
    holding their accounts; returns how many residents were notified. One run at a time (the
    cursor rows are locked)."""
    count = 0
    with transaction.atomic():
        window = _advance("documents", PaymentDocument)
        if window:
            count += _announce_documents(*window)
            NotificationCursor.objects.filter(name="documents").update(last_id=window[1])
    with transaction.atomic():
        window = _advance("payments", Payment)
        if window:
            count += _announce_payments(*window)
            NotificationCursor.objects.filter(name="payments").update(last_id=window[1])
    return count
