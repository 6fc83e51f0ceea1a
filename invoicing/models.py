"""Billing periods and the unified payment document.

A document is immutable once issued (database triggers refuse updates of its amounts and its
frozen view, and any change to its lines); a correction is a new document that supersedes it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from warehouse.models import Account, Service, Supplier, Tenant, bulk_key


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("period status", "Open")
    CLOSING = "closing", _("Closing (issuing documents)")
    CLOSED = "closed", _("Closed")


class BillingPeriod(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="billing_periods")
    period = models.CharField(max_length=7)
    status = models.CharField(max_length=7, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    previous_close_at = models.DateTimeField(
        null=True, blank=True, help_text="payments are counted from here …"
    )
    closed_at = models.DateTimeField(null=True, blank=True, help_text="… up to here")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    documents_total = models.PositiveIntegerField(default=0)
    documents_issued = models.PositiveIntegerField(default=0)
    missing_suppliers = models.JSONField(
        default=list, blank=True, help_text="codes closed without a posted batch"
    )

    class Meta:
        ordering = ["tenant", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period"], name="billing_period_unique"),
            models.CheckConstraint(
                condition=Q(period__regex=r"^\d{4}-(0[1-9]|1[0-2])$"), name="billing_period_format"
            ),
        ]

    def __str__(self):
        return f"{self.tenant.code} {self.period} ({self.status})"


class DocumentStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SUPERSEDED = "superseded", _("Superseded")


class PaymentDocument(models.Model):
    """ONE document per account and period: what the account owes every supplier, and how to
    pay it (reference, QR payload, personal pay link, optional TAN)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    billing_period = models.ForeignKey(
        BillingPeriod, on_delete=models.PROTECT, related_name="documents"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="documents")
    period = models.CharField(max_length=7)
    number = models.CharField(max_length=40)
    reference = models.CharField(max_length=35)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    issued_at = models.DateTimeField()
    due_date = models.DateField()
    opening = models.BigIntegerField(help_text="debt (negative: advance) before the period")
    charges = models.BigIntegerField(help_text="the period's lines")
    payments = models.BigIntegerField(help_text="counted since the previous close")
    amount_due = models.BigIntegerField(help_text="to pay; 0 when in advance")
    prepaid = models.BigIntegerField(
        default=0,
        help_text="the account's unused advance (payments not yet applied to any charge) at the "
        "close, taken off what is to pay",
    )
    advance = models.BigIntegerField(default=0, help_text="credit carried forward")
    qr_payload = models.TextField()
    view = models.JSONField(help_text="the frozen DocumentView every rendering uses")
    pay_salt = models.CharField(max_length=32, help_text="derives the link and TAN (pay_links)")
    pay_token_hash = models.CharField(max_length=64, unique=True)
    pay_expires_at = models.DateTimeField()
    tan_hash = models.CharField(max_length=64, blank=True)
    tan_failures = models.PositiveSmallIntegerField(default=0)
    tan_locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period"],
                condition=Q(status="issued"),
                name="one_issued_document_per_account_period",
            ),
            models.UniqueConstraint(
                fields=["tenant", "reference"],
                condition=Q(status="issued"),
                name="one_issued_document_per_reference",
            ),
            models.CheckConstraint(
                condition=Q(amount_due__gte=0) & Q(advance__gte=0) & Q(prepaid__gte=0),
                name="document_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    amount_due=models.F("opening")
                    + models.F("charges")
                    - models.F("payments")
                    - models.F("prepaid")
                    + models.F("advance")
                ),
                name="document_lines_add_up",
            ),
        ]
        indexes = [models.Index(fields=["billing_period", "account"])]

    def __str__(self):
        return f"{self.number} ({self.status})"


class LineKind(models.TextChoices):
    OPENING = "opening", _("Opening debt / advance")
    REGULAR = "regular", _("Charge")
    RECALCULATION = "recalculation", _("Recalculation")
    PRIVILEGE = "privilege", _("Privilege")
    PENALTY = "penalty", _("Penalty")
    PAYMENT = "payment", _("Payments received")


class DocumentLine(models.Model):
    """A line of a document, per supplier (and service for charges; and corrected period for a
    recalculation of an earlier period). Payments are negative; the lines of a document add up
    to opening + charges − payments (the unused advance is the account's, not a line's)."""

    # A million rows per close: keys without constraints or indexes of their own (see
    # warehouse.models.charges); the Meta index on document serves every read.
    document = bulk_key(PaymentDocument, related_name="lines")
    supplier = bulk_key(Supplier, related_name="+")
    service = bulk_key(Service, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=13, choices=LineKind.choices)
    amount = models.BigIntegerField()
    # NULL, not blank: a charge of its own period corrects none (the CHECK constraint reads it).
    corrects_period = models.CharField(  # noqa: DJ001
        max_length=7, null=True, blank=True, help_text="a recalculation's corrected period"
    )

    class Meta:
        indexes = [models.Index(fields=["document"], name="documentline_document")]

    def __str__(self):
        return f"{self.document_id} {self.kind} {self.amount}"


__all__ = [
    "BillingPeriod",
    "DocumentLine",
    "DocumentStatus",
    "LineKind",
    "PaymentDocument",
    "PeriodStatus",
]
