"""Payments, how each was split, the double-entry ledger, supplier notifications (the outbox),
daily registries and payouts.

Sign convention of the ledger, held by the database: an `Entry.amount` is signed, positive is a
debit and negative a credit, never zero; the entries of one `Transaction` sum to zero (a
deferred constraint trigger on PostgreSQL, `splitting.core.ledger` everywhere). Entries are
never updated or deleted (triggers on both databases): a correction is a new transaction.

Ledger accounts, one row per tenant and `code`:
- `receivable:<supplier>`  what residents owe the supplier (asset; entries carry the resident
  account and the period, so the balance per account and period is the open items' sum);
- `billed:<supplier>`      the supplier's charges under collection (its mirror: the two sum to 0);
- `payable:<supplier>`     collected for the supplier and not yet paid out (liability);
- `clearing:<channel>`     money received on a channel, not yet settled (asset);
- `advance`                paid in advance by residents, per account (liability);
- `commission`             the operator's commission income;
- `suspense`               money received that no account could be found for;
- `bank`                   the operator's settlement account, which payouts leave from.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from invoicing.models import PaymentDocument
from warehouse.models import Account, ImportBatch, OpenItem, Supplier, Tenant, bulk_key


class Channel(models.TextChoices):
    PROVIDER = "provider", _("Online (cabinet / payment provider)")
    BANK = "bank", _("Bank transfer")
    TERMINAL = "terminal", _("Payment terminal")
    CASH_DESK = "cash_desk", _("Cash desk")
    EXTERNAL = "external", _("External (reported later)")


class AllocationOrder(models.TextChoices):
    OLDEST_FIRST = "oldest_first", _("Oldest period first, pro rata within a period")
    PRO_RATA = "pro_rata", _("All open charges pro rata")


class AllocationRules(models.Model):
    """A tenant's rule set for splitting payments (absent: the defaults below)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    order = models.CharField(
        max_length=12, choices=AllocationOrder.choices, default=AllocationOrder.OLDEST_FIRST
    )
    document_first = models.BooleanField(
        default=True,
        help_text="a payment naming a document pays that document's items first, pro rata",
    )
    allow_explicit_split = models.BooleanField(
        default=True, help_text="payers may choose the amount per supplier"
    )

    class Meta:
        verbose_name_plural = "allocation rules"

    def __str__(self):
        return f"{self.tenant.code}: {self.order}"


class PaymentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    REVERSED = "reversed", _("Reversed")


class Payment(models.Model):
    """Money received for an account. `(tenant, channel, external_id)` is unique, so a replay of
    the same payment from a channel never posts twice. `advance` is the part no open item took
    at booking; `advance_open` what of it neither new charges have used nor a refund paid back
    (`refunded`)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments")
    amount = models.BigIntegerField(help_text="minor units")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    external_id = models.CharField(max_length=100)
    document_reference = models.CharField(max_length=35, blank=True)
    document = models.ForeignKey(
        PaymentDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.BOOKED
    )
    commission = models.BigIntegerField(default=0, help_text="minor units withheld, in total")
    advance = models.BigIntegerField(default=0)
    advance_open = models.BigIntegerField(default=0)
    refunded = models.BigIntegerField(default=0, help_text="of the advance, paid back")
    bank_credit = models.ForeignKey(
        "BankCredit", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    from_suspense = models.BooleanField(
        default=False, help_text="paid out of suspense (the money arrived earlier, unmatched)"
    )
    received_at = models.DateTimeField()
    booked_at = models.DateTimeField()
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "channel", "external_id"], name="payment_external_id_per_channel"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(advance__gte=0)
                & Q(advance_open__gte=0)
                & Q(advance_open__lte=models.F("advance"))
                & Q(advance__lte=models.F("amount"))
                & Q(refunded__gte=0)
                & Q(refunded__lte=models.F("advance") - models.F("advance_open")),
                name="payment_advance_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "booked_at"]),
            models.Index(
                fields=["account"], condition=Q(advance_open__gt=0), name="payment_advance_open"
            ),
            # The operator's desk: collected today and this month, per tenant.
            models.Index(fields=["tenant", "booked_at"], name="payment_tenant_booked"),
        ]

    def __str__(self):
        return f"{self.channel}:{self.external_id} {self.amount}"


class LedgerAccount(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40, help_text="receivable:<supplier id>, clearing:bank…")
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="ledger_account_code"),
        ]

    def __str__(self):
        return f"{self.tenant_id}:{self.code}"


class TransactionKind(models.TextChoices):
    CHARGES = "charges", _("Charges posted")
    PAYMENT = "payment", _("Payment")
    ADVANCE = "advance", _("Advance applied")
    REVERSAL = "reversal", _("Reversal")
    REFUND = "refund", pgettext_lazy("transaction", "Refund")
    PAYOUT = "payout", _("Payout")
    FUNDING = "funding", _("Wallet funded")
    BLOCK = "block", _("Coupons issued")
    RELEASE = "release", _("Coupon released")
    REDEEM = "redeem", _("Coupon used")
    OVERPAID = "overpaid", _("Overpaid supplier set aside")
    OFFSET = "offset", _("Recovered from a supplier's payable")
    RETURN = "return", _("Payout returned")
    REPAID = "repaid", _("A supplier paid back what it owed")
    NETTING = "netting", _("Credit netted against debts")


class Transaction(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=TransactionKind.choices)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(max_length=200, blank=True)
    posted_at = models.DateTimeField()

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class Entry(models.Model):
    """One leg of a transaction. `account` and `period` are the resident account and billing
    period it concerns, where it concerns one (receivable, advance)."""

    transaction = bulk_key(Transaction, related_name="entries")
    ledger_account = bulk_key(LedgerAccount, related_name="entries")
    account = bulk_key(Account, null=True, blank=True, related_name="+")
    period = models.CharField(max_length=7, blank=True)
    amount = models.BigIntegerField(help_text="minor units; debit positive, credit negative")

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
        ]
        indexes = [
            models.Index(fields=["transaction"], name="entry_transaction"),
            models.Index(fields=["ledger_account", "period"], name="entry_ledger_period"),
        ]

    def __str__(self):
        return f"{self.ledger_account_id} {self.amount}"


class AllocationKind(models.TextChoices):
    PAYMENT = "payment", _("From the payment")
    ADVANCE = "advance", _("From the payment's advance")
    REVERSAL = "reversal", _("Reversal")


class Allocation(models.Model):
    """A part of a payment given to one open item (one supplier and period), with the
    commission withheld from it. A reversal adds the same rows negated. Registries list them."""

    tenant = bulk_key(Tenant, related_name="+")
    payment = bulk_key(Payment, related_name="allocations")
    transaction = bulk_key(Transaction, related_name="+")
    open_item = bulk_key(OpenItem, related_name="+")
    supplier = bulk_key(Supplier, related_name="+")
    period = models.CharField(max_length=7)
    kind = models.CharField(max_length=8, choices=AllocationKind.choices)
    amount = models.BigIntegerField(help_text="minor units; negative for a reversal")
    commission = models.BigIntegerField(default=0)
    booked_at = models.DateTimeField()
    registry = models.ForeignKey(
        "Registry", null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )

    class Meta:
        indexes = [
            models.Index(fields=["payment"], name="allocation_payment"),
            models.Index(
                fields=["supplier", "booked_at"],
                condition=Q(registry__isnull=True),
                name="allocation_unregistered",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__gt=0) & Q(commission__gte=0) & Q(commission__lte=F("amount")))
                | (Q(amount__lt=0) & Q(commission__lte=0) & Q(commission__gte=F("amount"))),
                name="allocation_commission_within_amount",
            ),
        ]

    def __str__(self):
        return f"payment {self.payment_id} → {self.supplier_id} {self.period}: {self.amount}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (retries exhausted)")


class SupplierEvent(models.Model):
    """The outbox: a notification for a supplier's billing system, written in the payment's
    (or the accepted meter reading's) own transaction and delivered by a Celery task after
    commit."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="events")
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="the payment the event is about (none for a meter reading)",
    )
    event = models.CharField(max_length=40)
    public_id = models.UUIDField(
        default=uuid.uuid4, unique=True, help_text="the event's `id`: receivers dedupe on it"
    )
    body = models.JSONField()
    status = models.CharField(
        max_length=9, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="supplier_event_due",
            ),
            # The operator's desk: failed deliveries per tenant.
            models.Index(
                fields=["tenant"], condition=Q(status="failed"), name="supplier_event_failed"
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.supplier_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try to deliver a supplier event: the delivery log staff see."""

    event = models.ForeignKey(SupplierEvent, on_delete=models.CASCADE, related_name="deliveries")
    at = models.DateTimeField()
    url = models.URLField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.event_id} at {self.at}: {self.status_code or self.error}"


class IdempotencyKey(models.Model):
    """A state-changing API request by key: a replay gets the first answer again; the same key
    with another body is refused. A payment's key names the payment (the answer is rendered
    from it); other answers (a coupon's) are stored as they were given."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    payment = models.ForeignKey(
        "Payment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
