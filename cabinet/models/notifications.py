"""Notification preferences, "remind me on…" reminders, and the bookkeeping that makes the
new-bill and payment-received notifications go out exactly once (helper C4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from warehouse.models import Account


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class NotificationKind(models.TextChoices):
    NEW_BILL = "new_bill", _("New bill")
    PAYMENT = "payment", _("Payment received")
    REMINDER = "reminder", _("Reminder")


# What a resident gets before they touch the page: every e-mail; of the SMS (which cost money
# and wake people up) only the reminders they asked for themselves.
PREFERENCE_DEFAULTS: dict[tuple[str, str], bool] = {
    (NotificationChannel.EMAIL, NotificationKind.NEW_BILL): True,
    (NotificationChannel.EMAIL, NotificationKind.PAYMENT): True,
    (NotificationChannel.EMAIL, NotificationKind.REMINDER): True,
    (NotificationChannel.SMS, NotificationKind.NEW_BILL): False,
    (NotificationChannel.SMS, NotificationKind.PAYMENT): False,
    (NotificationChannel.SMS, NotificationKind.REMINDER): True,
}


class NotificationPreference(models.Model):
    """One resident's choice for one channel and kind; no row means `PREFERENCE_DEFAULTS`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    channel = models.CharField(max_length=5, choices=NotificationChannel.choices)
    kind = models.CharField(max_length=8, choices=NotificationKind.choices)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "kind"], name="notification_preference_once"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.channel}/{self.kind}: {self.enabled}"


class ConsentWithdrawal(models.Model):
    """The cabinet switched the account's `sms_consent`/`email_consent` off because every holder
    opted out of the channel. Only such a withdrawal is undone when a holder opts in again; a
    consent staff withdrew stays withdrawn."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=5, choices=NotificationChannel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "channel"], name="consent_withdrawal_once"),
        ]

    def __str__(self):
        return f"{self.account_id}: {self.channel}"


class Reminder(models.Model):
    """ "Remind me on…": one reminder a resident scheduled for an account they hold. The daily
    task sends it on `remind_on` and sets `sent_at` in the same transaction, so never twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    remind_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    channels = models.CharField(max_length=20, blank=True, help_text="what it went out by")

    class Meta:
        ordering = ["remind_on", "pk"]
        indexes = [
            models.Index(
                fields=["remind_on"], condition=Q(sent_at__isnull=True), name="reminder_due"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.account_id} on {self.remind_on}"


class NotificationSent(models.Model):
    """A new-bill or payment-received notification that went out: `(user, kind, channel,
    ref)` is unique, so a re-run of the task never sends one twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=NotificationKind.choices)
    channel = models.CharField(max_length=5, choices=NotificationChannel.choices)
    ref = models.CharField(max_length=40, help_text="document:<id> or payment:<id>")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel", "ref"], name="notification_sent_once"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.ref} → {self.user_id} ({self.channel})"


class NotificationCursor(models.Model):
    """How far the notification task has read a table (the highest primary key seen)."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last_id}"
