"""The core reference model: tenants, suppliers, the service classifier, the housing stock and
the personal accounts, plus who may see what (memberships, account holders) and the audit log.

Every row belongs to exactly one tenant; uniqueness is per tenant and enforced by the database.
Amounts are integers in minor units."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from warehouse.countries import Country, country_named


class User(AbstractUser):
    """A person who signs in: operator staff, a supplier's accountant, a collector, a resident."""

    phone = models.CharField(max_length=16, blank=True)


class CountryProfile(models.TextChoices):
    RU = "RU", _("Russia (GOST R 56042 QR, numeric references)")
    SEPA = "SEPA", _("SEPA (EPC QR, RF references)")
    CH = "CH", _("Switzerland (QR-bill)")


class FlowFormat(models.TextChoices):
    """What a supplier's reporting flow sends (docs/settlement.md)."""

    CSV = "csv", _("CSV registry of payments")
    XLSX = "xlsx", _("XLSX registry of payments")
    ONE_C = "1c", _("1C registry of payments")
    PAYOUT = "payout", _("Payment order of the payout (pain.001 or 1C)")


class FlowInterval(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    PAYOUT = "payout", _("On each payout")


class FlowDelivery(models.TextChoices):
    DOWNLOAD = "download", _("Download only")
    EMAIL = "email", _("E-mail with the file attached")
    SFTP = "sftp", _("SFTP upload")
    WEBHOOK = "webhook", _("Signed webhook with a download link")


def validate_region(value: str) -> None:
    """An ISO 3166 region libphonenumber knows (DE, RU, CH…)."""
    import phonenumbers

    if value and value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            _("%(value)s is not a country code (ISO 3166, e.g. DE)"), params={"value": value}
        )


def validate_encoding(value: str) -> None:
    from core.encodings import encoding_known

    if value and not encoding_known(value):
        raise ValidationError(_("unknown encoding: %(value)s"), params={"value": value})


def webhook_secret_new() -> str:
    """A fresh secret for a supplier's webhooks (and its download links): 32 random bytes."""
    import secrets

    return "whsec_" + secrets.token_urlsafe(32)


class BankDetails(models.Model):
    """Bank details in both shapes: IBAN/BIC (SEPA, CH) or RU settlement account/BIC/corr."""

    bank_name = models.CharField(max_length=200, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    bank_account = models.CharField("settlement account", max_length=20, blank=True)
    corr_account = models.CharField("correspondent account", max_length=20, blank=True)

    class Meta:
        abstract = True


DEFAULT_AGING_BOUNDS = "30,90,180,365"
MAX_AGING_BUCKETS = 8


def aging_bounds_parse(text: str) -> tuple[int, ...]:
    """A tenant's aging bounds, "30,90,180,365" → (30, 90, 180, 365): whole days past due,
    rising, at least one. ValueError when the text is not that. (The buckets they make, and what
    falls in each, are `warehouse.selectors_open_items.aging_buckets`.)"""
    bounds = tuple(int(part) for part in text.split(",") if part.strip())
    if not 1 <= len(bounds) <= MAX_AGING_BUCKETS - 1 or bounds[0] < 1:
        raise ValueError(text)
    if any(later <= earlier for earlier, later in zip(bounds, bounds[1:], strict=False)):
        raise ValueError(text)
    return bounds


def validate_aging_bounds(text: str) -> None:
    try:
        aging_bounds_parse(text)
    except ValueError:
        raise ValidationError(
            _(
                "Enter rising whole numbers of days separated by commas, such as "
                "30,90,180,365 (at most %(count)d)."
            ),
            params={"count": MAX_AGING_BUCKETS - 1},
            code="invalid",
        ) from None


class Tenant(BankDetails):
    """A billing operator (management company or settlement centre)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    profile = models.CharField(max_length=4, choices=CountryProfile.choices)
    currency = models.CharField(max_length=3)
    locale = models.CharField(max_length=10, default="en")
    timezone = models.CharField(max_length=64, default="UTC")
    due_day = models.PositiveSmallIntegerField(default=10)
    aging_bounds = models.CharField(
        max_length=60,
        default=DEFAULT_AGING_BOUNDS,
        validators=[validate_aging_bounds],
        help_text=_(
            "Aging buckets: their upper bounds in days past due, comma separated. "
            "30,90,180,365 gives 0–30, 31–90, 91–180, 181–365 and over 365 days."
        ),
    )
    claim_after_days = models.PositiveSmallIntegerField(
        default=30,
        help_text=_(
            "Days a supplier may owe the operator (reversals of money already paid out, not yet "
            "recovered from its payouts) before it becomes a claim on the supplier."
        ),
    )
    tan_required = models.BooleanField(
        default=False, help_text="pay links ask for the TAN printed on the document"
    )
    phone_region = models.CharField(
        max_length=2,
        blank=True,
        validators=[validate_region],
        help_text=_(
            "The country (ISO 3166, e.g. DE) whose numbers phones written without a country "
            "code are; blank: the country profile's (RU, CH), else the tenant IBAN's country."
        ),
    )
    file_encoding = models.CharField(
        max_length=20,
        blank=True,
        validators=[validate_encoding],
        help_text=_(
            "The encoding of suppliers' 8-bit text files when their letters read either way "
            "(e.g. cp1252); blank: Windows-1251 for RU, Windows-1252 elsewhere. UTF-8 and "
            "UTF-16 are always recognised."
        ),
    )
    tax_id = models.CharField(max_length=32, blank=True)
    inn = models.CharField("INN", max_length=12, blank=True)
    kpp = models.CharField("KPP", max_length=9, blank=True)
    address = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_day__gte=1) & Q(due_day__lte=28), name="tenant_due_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(profile__in=["RU", "SEPA", "CH"]), name="tenant_profile_known"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def aging_bounds_days(self) -> tuple[int, ...]:
        return aging_bounds_parse(self.aging_bounds)

    @property
    def country(self) -> Country:
        """What the tenant's country profile decides (warehouse.countries)."""
        return country_named(self.profile)

    @property
    def region(self) -> str | None:
        """Where the tenant's phones without a country code are (see `warehouse.phones`)."""
        iban_country = (self.iban or "")[:2].upper()
        return (
            self.phone_region
            or self.country.phone_region
            or (iban_country if iban_country.isalpha() else None)
        )

    @property
    def text_encoding(self) -> str:
        """The legacy encoding an undecidable 8-bit file is read in (see `core.encodings`)."""
        return self.file_encoding or self.country.legacy_encoding


class Supplier(BankDetails):
    """A supplier whose charges the operator collects, with its contract terms."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="suppliers")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    tax_id = models.CharField(max_length=32, blank=True)
    inn = models.CharField("INN", max_length=12, blank=True)
    kpp = models.CharField("KPP", max_length=9, blank=True)
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    commission_fixed = models.BigIntegerField(default=0, help_text="minor units per payment")
    commission_min = models.BigIntegerField(default=0, help_text="minor units")
    commission_max = models.BigIntegerField(null=True, blank=True, help_text="minor units")
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(
        max_length=100,
        default=webhook_secret_new,
        help_text="signs outbound webhooks and download links (HMAC-SHA256); generated",
    )
    webhook_secret_previous = models.CharField(
        max_length=100, blank=True, help_text="the secret before the last rotation"
    )
    webhook_secret_previous_until = models.DateTimeField(
        null=True, blank=True, help_text="webhooks are signed with both secrets until then"
    )

    class Meta:
        ordering = ["tenant", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="supplier_code_per_tenant"),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0) & Q(commission_percent__lte=100),
                name="supplier_commission_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(commission_fixed__gte=0) & Q(commission_min__gte=0),
                name="supplier_commission_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(commission_max__isnull=True)
                | Q(commission_max__gte=models.F("commission_min")),
                name="supplier_commission_max_ge_min",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class SupplierFlow(models.Model):
    """A reporting flow of a supplier's contract: which file (format), for which stretch of days
    (interval), whether an empty stretch still sends a file, and how it travels (delivery)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="flows")
    format = models.CharField(max_length=8, choices=FlowFormat.choices, default=FlowFormat.CSV)
    interval = models.CharField(
        max_length=8, choices=FlowInterval.choices, default=FlowInterval.DAILY
    )
    send_empty = models.BooleanField(
        default=False, help_text=_("send a file with no lines for a stretch without payments")
    )
    delivery = models.CharField(
        max_length=8, choices=FlowDelivery.choices, default=FlowDelivery.DOWNLOAD
    )
    email_to = models.CharField(max_length=500, blank=True, help_text=_("comma separated"))
    sftp_host = models.CharField(max_length=200, blank=True)
    sftp_port = models.PositiveIntegerField(default=22)
    sftp_user = models.CharField(max_length=100, blank=True)
    sftp_password = models.CharField(max_length=200, blank=True)
    sftp_directory = models.CharField(max_length=300, blank=True, default=".")
    sftp_host_key = models.TextField(
        blank=True, help_text=_("the server's public key (OpenSSH line); the upload checks it")
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["supplier", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delivery="email") | ~Q(email_to=""), name="flow_email_has_address"
            ),
            models.CheckConstraint(
                condition=~Q(delivery="sftp") | (~Q(sftp_host="") & ~Q(sftp_user="")),
                name="flow_sftp_has_server",
            ),
        ]

    def __str__(self):
        return f"{self.supplier.code}: {self.format}, {self.interval}, {self.delivery}"


class Service(models.Model):
    """An entry of the tenant's service classifier (cold water, heating…)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="services")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["tenant", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="service_code_per_tenant"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class SupplierServiceCode(models.Model):
    """Maps a supplier's own service code onto the tenant's classifier."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="service_codes")
    external_code = models.CharField(max_length=50)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="supplier_codes")

    class Meta:
        ordering = ["supplier", "external_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "external_code"], name="supplier_service_code_unique"
            ),
        ]

    def __str__(self):
        return f"{self.supplier.code}:{self.external_code} → {self.service.code}"


class Building(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="buildings")
    address = models.CharField(max_length=300)

    class Meta:
        ordering = ["tenant", "address"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "address"], name="building_address_per_tenant"
            ),
        ]

    def __str__(self):
        return self.address


class Premises(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="premises")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="premises")
    number = models.CharField(max_length=20)

    class Meta:
        verbose_name_plural = "premises"
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"], name="premises_number_per_building"
            ),
        ]

    def __str__(self):
        return f"{self.building.address}, {self.number}"


class Account(models.Model):
    """The personal account (лицевой счёт): who pays for a premises, and how to reach them."""

    # The unique (tenant, account_number) index serves tenant lookups; no second index.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="accounts", db_index=False
    )
    account_number = models.CharField(max_length=32)
    reference_key = models.CharField(
        max_length=32,
        blank=True,
        help_text="the account number as payment references carry it (warehouse.account_keys)",
    )
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="accounts")
    payer_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=16, blank=True)
    email = models.EmailField(blank=True)
    area_m2 = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    residents = models.PositiveIntegerField(null=True, blank=True)
    delivery_route = models.CharField(max_length=32, blank=True)
    verification_code = models.CharField(
        max_length=8, help_text="printed on bills; a resident links the account with it"
    )
    sms_consent = models.BooleanField(default=True)
    email_consent = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["tenant", "account_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "account_number"], name="account_number_per_tenant"
            ),
            models.UniqueConstraint(
                fields=["tenant", "reference_key"],
                condition=~Q(reference_key=""),
                name="account_reference_key_per_tenant",
            ),
        ]

    def __str__(self):
        return self.account_number

    def save(self, *args, **kwargs):
        """An account saved one by one (the admin, a factory) gets its reference key as the
        import gives it, when its number has one that no other account holds."""
        if not self.reference_key and self.account_number and self.tenant_id:
            from warehouse import account_keys

            try:
                key = account_keys.reference_key(
                    account_keys.key_kind(self.tenant), self.account_number
                )
            except ValueError:
                key = ""
            taken = Account.objects.filter(tenant_id=self.tenant_id, reference_key=key)
            if key and not taken.exclude(pk=self.pk).exists():
                self.reference_key = key
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "reference_key"}
        super().save(*args, **kwargs)


class AccountLink(models.Model):
    """A supplier's own account number for one of our accounts."""

    # Imports write a million of these; the unique (supplier, external_number) index serves
    # supplier lookups, so the foreign keys carry no index of their own but `account`.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, db_index=False)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="account_links", db_index=False
    )
    external_number = models.CharField(max_length=50)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="links")

    class Meta:
        ordering = ["supplier", "external_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "external_number"], name="account_link_unique_per_supplier"
            ),
        ]

    def __str__(self):
        return f"{self.supplier.code}:{self.external_number} → {self.account.account_number}"


class Role(models.TextChoices):
    """A membership's role in its tenant; what each may do is `core.permissions`' table."""

    OPERATOR_ADMIN = "operator_admin", _("Operator admin")
    ACCOUNTANT = "accountant", _("Accountant")
    COLLECTOR = "collector", _("Collector")
    SUPPLIER = "supplier", _("Supplier user")


class Membership(models.Model):
    """A user's role in one tenant. A supplier user also names the supplier they work for."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tenant"], name="membership_one_role_per_tenant"
            ),
            models.CheckConstraint(
                condition=(Q(role="supplier") & Q(supplier__isnull=False))
                | (~Q(role="supplier") & Q(supplier__isnull=True)),
                name="membership_supplier_iff_supplier_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} @ {self.tenant.code}"


class AccountHolder(models.Model):
    """A resident who may see an account (the cabinet creates these when a resident links one)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="held_accounts")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="holders")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="account_holder_unique"),
        ]

    def __str__(self):
        return f"{self.user} holds {self.account}"


class AuditEvent(models.Model):
    """Who changed what, written in the same transaction as the change."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, null=True, blank=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=64)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "action"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def detail_pairs(self) -> list[tuple[str, object]]:
        """The detail's (key, value) pairs for a page: a template's `detail.items` would look
        up a key named "items" first (the penalty run writes one) and fail on its number."""
        return list(self.detail.items()) if isinstance(self.detail, dict) else []


__all__ = [
    "Account",
    "AccountHolder",
    "AccountLink",
    "AuditEvent",
    "BankDetails",
    "Building",
    "CountryProfile",
    "Membership",
    "Premises",
    "FlowDelivery",
    "FlowFormat",
    "FlowInterval",
    "Role",
    "Service",
    "Supplier",
    "SupplierFlow",
    "SupplierServiceCode",
    "Tenant",
    "User",
]
