"""Settling with suppliers: the daily registry of what was collected for each, its settlement
(what of it is paid out, what recovers an earlier overpayment), the payouts and the files they
travel in, the bank's debits that confirm them, and the reporting flows' files and deliveries.
docs/settlement.md tells the whole story."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from splitting.models.channels import BankCredit, StatementImport
from splitting.models.core import Transaction
from warehouse.models import FlowDelivery as FlowMethod
from warehouse.models import Supplier, SupplierFlow, Tenant


class RegistryStatus(models.TextChoices):
    BUILT = "built", _("Built")
    PAID = "paid", _("Paid out")
    NETTED = "netted", _("Nothing to pay")


class Registry(models.Model):
    """A supplier's daily registry: the allocations in its favour booked that day (tenant time
    zone), reversals negative. Settling it takes what it still has to pay (`net − taken`) out of
    the supplier's payable, no more than the payable holds: `taken` of it, of which `recovered`
    went to what the supplier owed back (an overpayment after reversals) and the rest was paid
    out. A registry that nets ≤ 0 has nothing to pay: its reversals were set aside when they were
    booked (`recoverable:<supplier>`) and come off the next payouts."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="registries")
    day = models.DateField()
    number = models.CharField(max_length=35)
    count = models.PositiveIntegerField()
    gross = models.BigIntegerField()
    commission = models.BigIntegerField()
    net = models.BigIntegerField()
    status = models.CharField(
        max_length=6, choices=RegistryStatus.choices, default=RegistryStatus.BUILT
    )
    taken = models.BigIntegerField(default=0, help_text="taken out of the payable by settling")
    recovered = models.BigIntegerField(default=0, help_text="of `taken`: recovered, not paid")
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "registries"
        ordering = ["-day", "supplier"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "day"], name="registry_per_supplier_day"),
            models.UniqueConstraint(fields=["tenant", "number"], name="registry_number"),
            models.CheckConstraint(
                condition=Q(net=models.F("gross") - models.F("commission")),
                name="registry_net",
            ),
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(recovered__gte=0) & Q(recovered__lte=F("taken")),
                name="registry_taken_recovered",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def paid(self) -> int:
        """Paid out of it to the supplier (what was taken and not recovered)."""
        return self.taken - self.recovered

    @property
    def withheld(self) -> int:
        """What of a positive net was not taken: reversals had already used it up."""
        return max(self.net, 0) - self.taken if self.status != RegistryStatus.BUILT else 0


class PayoutFile(models.Model):
    """A payment-order file for the bank (pain.001 or 1C), written in the same database
    transaction as the payouts it orders: one supplier's, or a whole day's of the tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    format = models.CharField(max_length=8)  # "pain001" | "1c"
    filename = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.filename


class PayoutStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    CONFIRMED = "confirmed", _("Confirmed by the bank")
    RETURNED = "returned", _("Returned by the bank")


class BankDebitStatus(models.TextChoices):
    MATCHED = "matched", _("Confirms a payout")
    UNMATCHED = "unmatched", _("Unmatched")
    CLEARED = "cleared", _("Cleared by staff")


class BankDebit(models.Model):
    """A booked outgoing payment of a statement. One that names a payout (EndToEndId, or the
    payout's id in a 1C payment purpose) with its amount confirms it; any other waits on the
    debit side of the suspense queue until staff match or clear it. `dedupe_key` is unique per
    tenant: a statement imported again changes nothing."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(
        StatementImport, on_delete=models.PROTECT, related_name="bank_debits"
    )
    dedupe_key = models.CharField(max_length=200)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    booked_on = models.DateField()
    bank_reference = models.CharField(max_length=100, blank=True)
    end_to_end_id = models.CharField(max_length=100, blank=True)
    free_text = models.TextField(blank=True)
    counterparty_name = models.CharField(max_length=200, blank=True)
    counterparty_account = models.CharField(max_length=34, blank=True)
    document_number = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=9, choices=BankDebitStatus.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-booked_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "dedupe_key"], name="bank_debit_dedupe"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_debit_positive"),
        ]

    def __str__(self):
        return f"{self.booked_on} −{self.amount} {self.end_to_end_id or self.bank_reference}"


class Payout(models.Model):
    """A transfer to the supplier of what settling a registry paid, booked in the ledger; the
    bank confirms it (a statement debit) or returns it (a credit with its EndToEndId), which
    gives the amount back to the supplier's payable and the registry something to pay again."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="payouts")
    registry = models.ForeignKey(Registry, on_delete=models.PROTECT, related_name="payouts")
    amount = models.BigIntegerField()
    end_to_end_id = models.CharField(max_length=35)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey(
        PayoutFile, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    status = models.CharField(max_length=9, choices=PayoutStatus.choices, default=PayoutStatus.SENT)
    confirmed_by = models.OneToOneField(
        BankDebit, null=True, blank=True, on_delete=models.PROTECT, related_name="payout"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.OneToOneField(
        BankCredit, null=True, blank=True, on_delete=models.PROTECT, related_name="payout_return"
    )
    return_transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.UniqueConstraint(fields=["tenant", "end_to_end_id"], name="payout_e2e"),
            models.UniqueConstraint(
                fields=["registry"],
                condition=~Q(status="returned"),
                name="payout_one_live_per_registry",
            ),
        ]

    def __str__(self):
        return f"{self.end_to_end_id}: {self.amount}"


class ClaimRepayment(models.Model):
    """A supplier paying back, by bank transfer, what it owed the operator (`recoverable`): staff
    take the transfer out of the suspense queue for it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="repayments")
    credit = models.ForeignKey(BankCredit, on_delete=models.PROTECT, related_name="repayments")
    amount = models.BigIntegerField()
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_repayment_positive"),
        ]

    def __str__(self):
        return f"{self.supplier_id}: {self.amount}"


class FlowFile(models.Model):
    """A file a supplier's reporting flow made: the registry lines of its stretch of days (or
    the order of one payout), kept so it can be downloaded and delivered again."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="flow_files")
    flow = models.ForeignKey(SupplierFlow, on_delete=models.PROTECT, related_name="files")
    first_day = models.DateField()
    last_day = models.DateField()
    payout = models.ForeignKey(
        Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="flow_files"
    )
    format = models.CharField(max_length=8)
    filename = models.CharField(max_length=120)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField()
    gross = models.BigIntegerField()
    commission = models.BigIntegerField()
    net = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "first_day", "last_day"],
                condition=Q(payout__isnull=True),
                name="flow_file_per_stretch",
            ),
            models.UniqueConstraint(
                fields=["flow", "payout"],
                condition=Q(payout__isnull=False),
                name="flow_file_per_payout",
            ),
        ]

    def __str__(self):
        return self.filename


class FlowDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    DOWNLOAD = "download", _("Download only")
    SKIPPED = "skipped", _("Nothing to send")


class FlowDelivery(models.Model):
    """Sending a flow file the way its flow says, with retries (the delivery log)."""

    file = models.OneToOneField(FlowFile, on_delete=models.CASCADE, related_name="delivery")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, choices=FlowMethod.choices)
    status = models.CharField(max_length=9, choices=FlowDeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="flow_delivery_due",
            )
        ]

    def __str__(self):
        return f"{self.file}: {self.status}"


class FlowDeliveryAttempt(models.Model):
    delivery = models.ForeignKey(FlowDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField()
    ok = models.BooleanField()
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.delivery_id} at {self.at}: {'ok' if self.ok else self.error}"
