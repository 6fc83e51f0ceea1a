"""What the channels keep of the money coming in: bank statements and their credits, terminal
processors, provider checkouts, cash desk shifts and payments, front offices and their payment
requests."""

import uuid

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from splitting.models.core import Payment
from warehouse.models import Account, Tenant


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
    skipped = models.PositiveIntegerField(default=0, help_text="pending, reversals")
    encoding = models.CharField(max_length=20, blank=True, help_text="as the file was read")
    warnings = models.TextField(
        blank=True, help_text="lines taken with a weaker duplicate check (no bank reference)"
    )
    debits = models.PositiveIntegerField(default=0)
    payouts_confirmed = models.PositiveIntegerField(default=0)
    payouts_returned = models.PositiveIntegerField(default=0)
    debits_unmatched = models.PositiveIntegerField(default=0)
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
    RETURN = "return", _("A payout the bank returned")


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

    @classmethod
    def of_line(cls, tenant, statement, credit, **fields) -> "BankCredit":
        """The row of a statement's credit line (`integrations.statements.StatementCredit`),
        unsaved, with `fields` (its status, what matched it)."""
        return cls(
            tenant=tenant,
            statement=statement,
            dedupe_key=credit.dedupe_key[:200],
            amount=credit.amount,
            currency=credit.currency,
            booked_on=credit.booked_on,
            bank_reference=credit.bank_reference[:100],
            end_to_end_id=credit.end_to_end_id[:100],
            structured_reference=credit.structured_reference[:100],
            free_text=credit.free_text,
            payer_name=credit.payer_name[:200],
            payer_account=credit.payer_account[:34],
            payer_inn=credit.payer_inn[:12],
            **fields,
        )


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


class CheckOutcome(models.TextChoices):
    """What the provider answered the last time it was asked about a checkout
    (`splitting.channels.checkout_reconcile`)."""

    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    PENDING = "pending", _("Not paid yet")
    NOT_OPENED = "not_opened", _("Never opened at the provider")
    ERROR = "error", _("Provider error")


class Checkout(models.Model):
    """An online payment started with a provider (`settings.PAYMENT_PROVIDERS`): what is to be
    booked (`amount`) and the provider's fee the payer pays on top (`fee`; the provider charges
    `amount + fee` and keeps its fee), the reference the provider sees (a document's or the
    account number), the payer's explicit split `{supplier code: minor units}` if any. The
    provider's webhook books the payment (`splitting.channels.checkouts`). `uid` is its public
    id (the result page's address). When no webhook comes, the provider is asked
    (`splitting.channels.checkout_reconcile`): `checked_at`, `check_outcome`, `check_detail` and
    `check_count` keep the last answer and how often it was asked."""

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
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="when the provider was last asked"
    )
    check_outcome = models.CharField(max_length=10, choices=CheckOutcome.choices, blank=True)
    check_detail = models.CharField(max_length=200, blank=True, help_text="the provider's error")
    check_count = models.PositiveIntegerField(default=0, help_text="times the provider was asked")

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
        indexes = [
            models.Index(fields=["account", "created_at"]),
            # Stuck checkouts (splitting.selectors.stuck_checkouts, the operator's desk).
            models.Index(
                fields=["tenant", "created_at"],
                condition=Q(status="created"),
                name="checkout_open_by_age",
            ),
        ]

    def __str__(self):
        return f"{self.provider}:{self.provider_id or self.uid} {self.status}"

    @property
    def total(self) -> int:
        """What the provider charges the payer."""
        return self.amount + self.fee


class ShiftStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("shift status", "Open")
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
    close_reason = models.TextField(
        blank=True,
        help_text="why the counted cash differs from what the drawer should hold (required "
        "then; empty when it agrees)",
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
    OPEN = "open", pgettext_lazy("payment request status", "Open")
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
