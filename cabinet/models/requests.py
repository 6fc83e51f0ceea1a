"""Residents' requests (questions, complaints, repairs, paid services, recalculation claims), the
messages exchanged on them, their attachments and their timeline.

Internal messages are staff notes: never shown to the resident. Every attachment stays with the
request, so the account's archive is the list of its requests' attachments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from warehouse.models import Account, Tenant
from warehouse.scoping import ScopePaths, register


class RequestKind(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    REPAIR = "repair", _("Repair")
    PAID_SERVICE = "paid_service", _("Paid service")
    RECALCULATION = "recalculation", _("Recalculation claim")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class ServiceRequest(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=13, choices=RequestKind.choices)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(
        max_length=8, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "status", "created_at"], name="request_queue"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"


class RequestMessage(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    internal = models.BooleanField(default=False, help_text="a staff note the resident never sees")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"message {self.pk} on #{self.request_id}"


class RequestAttachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        RequestMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(upload_to="requests/%Y/%m/")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.filename


class RequestEventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    ASSIGNED = "assigned", _("Assigned")
    MESSAGE = "message", _("Resident wrote")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class RequestEvent(models.Model):
    """One step of a request's timeline, as the resident sees it."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=8, choices=RequestEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"#{self.request_id} {self.kind}"


register(ServiceRequest, ScopePaths(tenant="tenant", account="account"))
register(RequestMessage, ScopePaths(tenant="request__tenant", account="request__account"))
register(RequestAttachment, ScopePaths(tenant="request__tenant", account="request__account"))
register(RequestEvent, ScopePaths(tenant="request__tenant", account="request__account"))
