"""Every message to an account (SMS, e-mail, letter) with its delivery status, and the editable
templates that messages are written from.

The tables kept the names they had when this lived in debt_collection (`Meta.db_table`), so
moving the models here moved no data. A message knows its account, not why it was sent: debt
collection links a message to a debt case on its side (`debt_collection.CaseMessage`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from warehouse.models import Account, Tenant


class MessageChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("status", "Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message to one account. Written `queued` in the transaction that decides to send it;
    a Celery task sends it after commit and records what the provider said."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=6, choices=MessageChannel.choices)
    recipient = models.CharField(max_length=254, help_text="phone (E.164), e-mail or address")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=9, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    provider_id = models.CharField(max_length=64, blank=True, help_text="e.g. Twilio's SID")
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(
        max_length=20, default="manual", help_text="dunning, manual, plan, promise…"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "debt_collection_message"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "created_at"], name="message_account_time"),
            models.Index(fields=["provider_id"], name="message_provider_id"),
        ]

    def __str__(self):
        return f"{self.channel} to {self.recipient} ({self.status})"


class TemplateChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")


class MessageTemplate(models.Model):
    """The editable text of a message: Django template syntax over a fixed context of plain
    values that the app using the template supplies (dunning: payer_name, account_number,
    total_due, overdue, oldest_period, days_past_due, suppliers [{name, overdue,
    oldest_period}], pay_url, tenant, currency)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=50)
    channel = models.CharField(max_length=6, choices=TemplateChannel.choices)
    subject = models.CharField(max_length=200, blank=True, help_text="e-mail and letters")
    body = models.TextField()

    class Meta:
        db_table = "debt_collection_messagetemplate"
        ordering = ["tenant", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="message_template_code"),
        ]

    def __str__(self):
        return f"{self.code} ({self.channel})"
