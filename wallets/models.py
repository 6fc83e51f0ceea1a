"""Prepaid wallets and payment coupons for corporate payers.

A corporate payer keeps a wallet with the operator, funded by bank transfer. Issuing a coupon
moves the fee's amount from the wallet's available funds to its blocked funds; redeeming the
coupon at the receiving office spends the blocked amount (it becomes the office's supplier's
payable, or the operator's fee income); cancelling or expiry releases it back. Each of those
moves is one ledger transaction (see `wallets.services`), and the wallet's counters
are the ledger's balances kept at hand: `check_ledger` compares the two (`wallets.ledger_checks`).

The models were splitting's until they became this app: they keep their tables (`db_table`), and
the move was made in the migration state only (wallets 0001, splitting 0011)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from warehouse.models import Supplier, Tenant


class CorporatePayer(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    tax_id = models.CharField("tax id", max_length=32)
    address = models.CharField(max_length=300, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "splitting_corporatepayer"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "tax_id"], name="corporate_payer_tax_id_unique_per_tenant"
            ),
        ]

    def __str__(self):
        return self.name


class CorporateRole(models.TextChoices):
    ADMIN = "admin", pgettext_lazy("role", "Admin")
    ISSUER = "issuer", _("Issuer")
    VIEWER = "viewer", _("Viewer")


ISSUING_ROLES = (CorporateRole.ADMIN, CorporateRole.ISSUER)


class CorporateMember(models.Model):
    """A person acting for a corporate payer: an admin manages people and roles, an issuer
    issues and cancels coupons, a viewer reads the reports."""

    payer = models.ForeignKey(CorporatePayer, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="corporate_memberships"
    )
    role = models.CharField(max_length=10, choices=CorporateRole.choices)
    added_at = models.DateTimeField()

    class Meta:
        db_table = "splitting_corporatemember"
        ordering = ["payer", "user"]
        constraints = [
            models.UniqueConstraint(fields=["payer", "user"], name="corporate_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} @ {self.payer}"


class CorporateInvitation(models.Model):
    """An admin's invitation to an e-mail address; the link carries a token stored hashed."""

    payer = models.ForeignKey(CorporatePayer, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=CorporateRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "splitting_corporateinvitation"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} as {self.get_role_display()} of {self.payer}"


class Wallet(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey(CorporatePayer, on_delete=models.PROTECT, related_name="wallets")
    currency = models.CharField(max_length=3)
    funding_reference = models.CharField(
        max_length=35, help_text="RF creditor reference the payer quotes on each transfer"
    )
    funded = models.BigIntegerField(default=0, help_text="minor units received, in total")
    available = models.BigIntegerField(default=0)
    blocked = models.BigIntegerField(default=0, help_text="held by coupons not yet used")
    spent = models.BigIntegerField(default=0, help_text="taken by redeemed coupons")
    created_at = models.DateTimeField()

    class Meta:
        db_table = "splitting_wallet"
        ordering = ["payer", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["payer", "currency"], name="wallet_one_per_currency"),
            models.UniqueConstraint(
                fields=["tenant", "funding_reference"], name="wallet_funding_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(available__gte=0) & Q(blocked__gte=0) & Q(spent__gte=0),
                name="wallet_balances_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(funded=F("available") + F("blocked") + F("spent")),
                name="wallet_funded_is_available_blocked_spent",
            ),
        ]

    def __str__(self):
        return f"{self.payer} ({self.currency})"


class Office(models.Model):
    """Where coupons are presented: its clerks (and its system, by API token) verify and redeem
    the coupons of its fees. The money goes to its supplier, or to the operator when it has
    none."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="who receives the fees; empty: the operator's own fee income",
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coupon_offices"
    )
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "splitting_office"
        ordering = ["tenant", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="office_code_unique"),
        ]

    def __str__(self):
        return self.name


class Fee(models.Model):
    """An entry of the tenant's fee catalogue: what one coupon pays."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    amount = models.BigIntegerField(help_text="minor units")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="fees")
    validity_days = models.PositiveSmallIntegerField(default=90)
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "splitting_fee"
        ordering = ["tenant", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="fee_code_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_amount_positive"),
            models.CheckConstraint(condition=Q(validity_days__gte=1), name="fee_validity_days"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"


class CouponBatch(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="batches")
    fee = models.ForeignKey(Fee, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField()
    amount_each = models.BigIntegerField()
    total = models.BigIntegerField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField()

    class Meta:
        db_table = "splitting_couponbatch"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1) & Q(count__lte=500), name="coupon_batch_count_1_500"
            ),
            models.CheckConstraint(
                condition=Q(total=F("count") * F("amount_each")), name="coupon_batch_total"
            ),
        ]

    def __str__(self):
        return f"{self.count} × {self.fee.code} ({self.issued_at:%Y-%m-%d})"


class CouponStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("coupon", "Valid")
    USED = "used", _("Used")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Coupon(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    identifier = models.CharField(max_length=20, unique=True, help_text="digits + check digit")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="coupons")
    batch = models.ForeignKey(CouponBatch, on_delete=models.PROTECT, related_name="coupons")
    fee = models.ForeignKey(Fee, on_delete=models.PROTECT, related_name="coupons")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="coupons")
    amount = models.BigIntegerField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="valid until this instant")
    status = models.CharField(max_length=10, choices=CouponStatus.choices)
    used_at = models.DateTimeField(null=True, blank=True)
    case_reference = models.CharField(max_length=100, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registry = models.ForeignKey(
        "splitting.Registry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coupons",
        help_text="the supplier's daily registry that pays the used coupon out",
    )

    class Meta:
        db_table = "splitting_coupon"
        ordering = ["batch", "pk"]
        indexes = [models.Index(fields=["status", "expires_at"], name="coupon_status_expiry")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="coupon_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="used") | (Q(used_at__isnull=False) & ~Q(case_reference="")),
                name="coupon_used_has_case_reference",
            ),
        ]

    def __str__(self):
        return self.identifier


class MovementKind(models.TextChoices):
    FUNDING = "funding", _("Funded by transfer")
    BLOCK = "block", _("Coupons issued")
    RELEASE = "release", _("Coupon released")
    REDEEM = "redeem", _("Coupon used")


class WalletMovement(models.Model):
    """One line of the wallet's statement; `available_after`/`blocked_after` are the balances
    just after it, taken under the wallet's row lock."""

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=8, choices=MovementKind.choices)
    amount = models.BigIntegerField()
    available_after = models.BigIntegerField()
    blocked_after = models.BigIntegerField()
    coupon = models.ForeignKey(
        Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    batch = models.ForeignKey(
        CouponBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    bank_credit = models.OneToOneField(
        "splitting.BankCredit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wallet_movement",
    )
    transaction = models.OneToOneField(
        "splitting.Transaction", on_delete=models.PROTECT, related_name="wallet_movement"
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    memo = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "splitting_walletmovement"
        ordering = ["wallet", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_movement_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"
