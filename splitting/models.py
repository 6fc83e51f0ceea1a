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
from django.contrib.auth.hashers import check_password, make_password
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
            )
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


class RegistryStatus(models.TextChoices):
    BUILT = "built", _("Built")
    PAID = "paid", _("Paid out")


class Registry(models.Model):
    """A supplier's daily registry: the allocations in its favour booked that day (tenant time
    zone), reversals negative. `number` is the payout's EndToEndId."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="registries")
    day = models.DateField()
    number = models.CharField(max_length=35)
    count = models.PositiveIntegerField()
    gross = models.BigIntegerField()
    commission = models.BigIntegerField()
    net = models.BigIntegerField()
    status = models.CharField(
        max_length=5, choices=RegistryStatus.choices, default=RegistryStatus.BUILT
    )
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
        ]

    def __str__(self):
        return self.number


class Payout(models.Model):
    """The transfer of a registry's net amount to the supplier, booked in the ledger."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="payouts")
    registry = models.OneToOneField(Registry, on_delete=models.PROTECT, related_name="payout")
    amount = models.BigIntegerField()
    end_to_end_id = models.CharField(max_length=35)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]

    def __str__(self):
        return f"{self.end_to_end_id}: {self.amount}"


class IdempotencyKey(models.Model):
    """A state-changing API request by key: a replay gets the stored response; the same key
    with another body is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class StatementImport(models.Model):
    """One bank statement file read into Unibill (camt.053/054, MT940, 1C)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=10)
    bank_account = models.CharField(max_length=34)
    statement_id = models.CharField(max_length=100, blank=True)
    credits = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    parked = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="debits, pending, reversals")
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self):
        return f"{self.filename} ({self.format})"


class CreditStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")
    SUSPENSE = "suspense", _("In suspense")
    ASSIGNED = "assigned", _("Assigned by staff")
    REFUNDED = "refunded", _("Refunded")


class BankCredit(models.Model):
    """A booked incoming payment of a statement. `dedupe_key` (account + bank reference +
    detail index) is unique per tenant, so a statement imported twice posts nothing new. What
    no account could be found for is `parked` in suspense; `open_amount` is what still waits
    there (the suspense ledger account balances to the sum of it)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(
        StatementImport, on_delete=models.PROTECT, related_name="bank_credits"
    )
    dedupe_key = models.CharField(max_length=200)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    booked_on = models.DateField()
    bank_reference = models.CharField(max_length=100)
    end_to_end_id = models.CharField(max_length=100, blank=True)
    structured_reference = models.CharField(max_length=100, blank=True)
    free_text = models.TextField(blank=True)
    payer_name = models.CharField(max_length=200, blank=True)
    payer_account = models.CharField(max_length=34, blank=True)
    payer_inn = models.CharField(max_length=12, blank=True)
    status = models.CharField(max_length=8, choices=CreditStatus.choices)
    match_rule = models.CharField(max_length=20, blank=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parked = models.BigIntegerField(default=0)
    open_amount = models.BigIntegerField(default=0)
    refunded = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "dedupe_key"], name="bank_credit_dedupe"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_credit_positive"),
            models.CheckConstraint(
                condition=Q(open_amount__gte=0)
                & Q(open_amount__lte=F("parked"))
                & Q(parked__lte=F("amount"))
                & Q(refunded__gte=0),
                name="bank_credit_open_within_parked",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant"], condition=Q(open_amount__gt=0), name="bank_credit_suspense"
            ),
            models.Index(fields=["tenant", "payer_account"], name="bank_credit_payer"),
        ]

    def __str__(self):
        return f"{self.bank_reference}: {self.amount}"


class TerminalProcessor(models.Model):
    """A payment-terminal network that calls us with the check/pay protocol. `code` names it
    in the URL; `code_table` chooses its result codes (one table per processor, not a fork)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    code_table = models.CharField(
        max_length=20, choices=[("osmp", "QIWI/OSMP"), ("sber-online", "Sber-Online")]
    )
    username = models.CharField(max_length=100)
    password_hash = models.CharField(max_length=200, help_text="set with set_password()")
    allowed_ips = models.TextField(
        blank=True, help_text="one address per line; empty: any address (not for production)"
    )
    min_amount = models.BigIntegerField(default=100, help_text="minor units")
    max_amount = models.BigIntegerField(default=15_000_000, help_text="minor units")
    is_active = models.BooleanField(default=True)

    def __str__(self):
        return self.code

    def set_password(self, raw: str) -> None:
        self.password_hash = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password_hash)


class CheckoutStatus(models.TextChoices):
    CREATED = "created", _("Created")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")


class Checkout(models.Model):
    """An online payment started with a provider (`settings.PAYMENT_PROVIDERS`): what is to be
    booked (`amount`) and the provider's fee the payer pays on top (`fee`; the provider charges
    `amount + fee` and keeps its fee), the reference the provider sees (a document's or the
    account number), the payer's explicit split `{supplier code: minor units}` if any. The
    provider's webhook books the payment (`splitting.channels.checkouts`). `uid` is its public
    id (the result page's address)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="checkouts")
    provider = models.CharField(max_length=40, help_text="code in settings.PAYMENT_PROVIDERS")
    channel = models.CharField(max_length=20, default="cabinet", help_text="where it was offered")
    amount = models.BigIntegerField(help_text="minor units, to be booked")
    fee = models.BigIntegerField(default=0, help_text="minor units, the provider's, paid on top")
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=35, help_text="document reference or account number")
    split = models.JSONField(null=True, blank=True, help_text="{supplier code: minor units}")
    provider_id = models.CharField(max_length=255, blank=True, help_text="the provider's id")
    redirect_url = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=CheckoutStatus.choices, default=CheckoutStatus.CREATED
    )
    detail = models.CharField(max_length=200, blank=True, help_text="why it failed")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_id"],
                condition=~Q(provider_id=""),
                name="checkout_provider_id",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(fee__gte=0), name="checkout_amounts"
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(payment__isnull=False),
                name="checkout_paid_has_payment",
            ),
        ]
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self):
        return f"{self.provider}:{self.provider_id or self.uid} {self.status}"

    @property
    def total(self) -> int:
        """What the provider charges the payer."""
        return self.amount + self.fee


class ShiftStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    CLOSED = "closed", _("Closed")


class CashShift(models.Model):
    """A cashier's shift at the cash desk: the cash counted into the drawer when it opens, the
    payments taken during it (`CashDeskPayment`), and the cash counted when it closes, which
    `splitting.channels.cashdesk.shift_close` compares with what the drawer should hold. A
    cashier has at most one open shift."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cash_shifts"
    )
    status = models.CharField(max_length=6, choices=ShiftStatus.choices, default=ShiftStatus.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    opening_cash = models.BigIntegerField(help_text="minor units counted into the drawer")
    closing_cash_counted = models.BigIntegerField(
        null=True, blank=True, help_text="minor units counted at closing"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cashier"],
                condition=Q(status="open"),
                name="cash_shift_one_open_per_cashier",
            ),
            models.CheckConstraint(
                condition=Q(opening_cash__gte=0), name="cash_shift_opening_cash_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="open") & Q(closed_at__isnull=True) & Q(closing_cash_counted=None)
                )
                | (
                    Q(status="closed") & Q(closed_at__isnull=False) & Q(closing_cash_counted__gte=0)
                ),
                name="cash_shift_closed_has_count",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "opened_at"])]

    def __str__(self):
        return f"shift #{self.pk} of {self.cashier_id} ({self.status})"


class DeskMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")


class CashDeskPayment(models.Model):
    """A payment taken at the cash desk during a shift: how it was paid and, for cash, what the
    payer handed over (`tendered`) and got back (`change`). `amount` repeats the payment's, so
    a shift's totals read one table and the database holds tendered = amount + change."""

    shift = models.ForeignKey(CashShift, on_delete=models.PROTECT, related_name="payments")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="cash_desk")
    method = models.CharField(max_length=4, choices=DeskMethod.choices)
    amount = models.BigIntegerField(help_text="minor units, the payment's")
    tendered = models.BigIntegerField(null=True, blank=True, help_text="cash handed over")
    change = models.BigIntegerField(default=0, help_text="cash given back")
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(method="card") & Q(tendered=None) & Q(change=0))
                | (Q(method="cash") & Q(change__gte=0) & Q(tendered=F("amount") + F("change"))),
                name="cash_desk_payment_change",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="cash_desk_payment_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.method} {self.amount} (shift {self.shift_id})"


class FrontOffice(models.Model):
    """Another site (a municipal service, the operator's own site) that sends payers here with
    signed payment requests and gets them back with a signed result."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    secret = models.CharField(max_length=100, help_text="signs requests and results (HMAC)")
    return_url_prefix = models.URLField(help_text="every return URL must start with this")
    is_active = models.BooleanField(default=True)

    def __str__(self):
        return self.code


class PaymentRequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    PAID = "paid", _("Paid")


class PaymentRequest(models.Model):
    """A front office's request that a payer pay `amount` for an account; paid at most once."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    front_office = models.ForeignKey(FrontOffice, on_delete=models.PROTECT, related_name="requests")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    reference = models.CharField(max_length=35, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    return_url = models.URLField(max_length=500)
    external_id = models.CharField(max_length=100, help_text="the front office's own id")
    status = models.CharField(
        max_length=4, choices=PaymentRequestStatus.choices, default=PaymentRequestStatus.OPEN
    )
    checkout = models.ForeignKey(
        "Checkout", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["front_office", "external_id"], name="payment_request_per_front_office"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_request_positive"),
        ]

    def __str__(self):
        return f"{self.front_office_id}:{self.external_id}"
