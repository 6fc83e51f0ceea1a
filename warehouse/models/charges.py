"""What accounts owe: charges as suppliers bill them, grouped into open items that payments
clear, and the import batches they came in with.

The charge and open-item tables take a million rows per monthly import, so their foreign keys
carry no database constraint (`db_constraint=False`): a constraint trigger per row would cost
more than the import itself (measured: +4.6 s per million rows per key). Integrity comes from
the one writer, `warehouse.services.charges`, which takes every id from a join against existing
rows inside its transaction; accounts, suppliers and services are never deleted while
charges point at them (PROTECT in Django, and the importers never delete)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from warehouse.models.reference import Account, Service, Supplier, Tenant

PERIOD_REGEX = r"^\d{4}-(0[1-9]|1[0-2])$"


def bulk_key(to, **options) -> models.ForeignKey:
    """A foreign key of a bulk table (charges, open items, document lines): no database
    constraint and no index of its own — see the module docstring for why."""
    return models.ForeignKey(
        to, on_delete=models.PROTECT, db_constraint=False, db_index=False, **options
    )


class ChargeKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    RECALCULATION = "recalculation", _("Recalculation")
    PENALTY = "penalty", _("Penalty")
    PRIVILEGE = "privilege", _("Privilege")


class SourceFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("XLSX")
    SQL = "sql", _("SQL pull")
    PENALTY = "pen", _("Penalties")  # charged by debt collection at period close, not imported


class MappingProfile(models.Model):
    """How one supplier's own export maps onto the canonical charge columns."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="mapping_profiles")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="mapping_profiles"
    )
    name = models.SlugField(max_length=80)
    source_format = models.CharField(
        max_length=4, choices=SourceFormat.choices, default=SourceFormat.CSV
    )
    columns = models.JSONField(
        default=dict,
        blank=True,
        help_text="canonical column → the file's header name, or its 1-based position, e.g. "
        '{"supplier_account": "ЛицевойСчет", "amount": 5}',
    )
    sheet = models.CharField(max_length=100, blank=True, help_text="XLSX sheet (default: first)")
    encoding = models.CharField(max_length=20, blank=True, help_text="blank: detect UTF-8/cp1251")
    separator = models.CharField(max_length=1, blank=True, help_text="blank: detect , or ;")
    decimal_mark = models.CharField(
        max_length=1, blank=True, help_text="blank: detect per file; or . or ,"
    )
    date_format = models.CharField(
        max_length=20, blank=True, help_text="strftime format of the period column, e.g. %m.%Y"
    )
    service_map = models.JSONField(
        default=dict, blank=True, help_text="the file's service values → the supplier's codes"
    )
    constants = models.JSONField(
        default=dict, blank=True, help_text='canonical columns with one value, e.g. {"kind": …}'
    )
    skip_rows = models.PositiveSmallIntegerField(default=0, help_text="lines before the header")
    has_header = models.BooleanField(
        default=True, help_text="off: the file has no header row; name columns by position"
    )
    sql_url = models.CharField(
        "SQLAlchemy URL", max_length=500, blank=True, help_text="for SQL pulls"
    )
    sql_query = models.TextField(
        blank=True, help_text="returns the canonical columns; :period is bound to YYYY-MM"
    )

    class Meta:
        ordering = ["tenant", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="mapping_profile_name_unique"),
        ]

    def __str__(self):
        return self.name


class BatchStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    VALIDATED = "validated", _("Validated")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class ImportBatch(models.Model):
    """One file (or SQL pull) of one supplier's charges for one period — or, with source format
    `pen`, the penalties charged on the supplier's debts at a period's close. A penalty batch
    has no file and no version, and never supersedes nor is superseded by the supplier's own
    imports (`warehouse.services.charges` leaves it out of its versions)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="import_batches")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="batches")
    period = models.CharField(max_length=7)
    profile = models.ForeignKey(
        MappingProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="batches"
    )
    source_format = models.CharField(max_length=4, choices=SourceFormat.choices)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    stored_file = models.CharField(
        max_length=255, blank=True, help_text="the received bytes, under MEDIA_ROOT, for re-runs"
    )
    version = models.PositiveIntegerField(null=True, blank=True, help_text="set when posted")
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.RECEIVED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_unmatched = models.PositiveIntegerField(default=0)
    amount_total = models.BigIntegerField(default=0, help_text="minor units, posted lines")
    report = models.JSONField(default=list, blank=True, help_text="[{line, column, value, reason}]")
    message = models.TextField(blank=True)
    message_i18n = models.JSONField(
        default=dict,
        blank=True,
        help_text='the message as {"msgid", "params"}, rendered in the reader\'s language',
    )
    encoding = models.CharField(
        max_length=20, blank=True, help_text="as the file was read (blank: XLSX, or unread)"
    )
    encoding_note = models.CharField(
        max_length=120, blank=True, help_text="how the encoding was chosen, when it was guessed"
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "period"],
                condition=Q(status="posted") & ~Q(source_format="pen"),
                name="one_posted_batch_per_supplier_period",
            ),
            models.UniqueConstraint(
                fields=["supplier", "period", "version"], name="batch_version_unique"
            ),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_REGEX), name="batch_period"),
        ]
        indexes = [models.Index(fields=["supplier", "period", "sha256"])]

    def __str__(self):
        return f"{self.supplier.code} {self.period} v{self.version or '-'} ({self.status})"


class Charge(models.Model):
    """One line of a supplier's bill: a service charged to an account for a period."""

    tenant = bulk_key(Tenant, related_name="+")
    batch = bulk_key(ImportBatch, related_name="charges")
    account = bulk_key(Account, related_name="charges")
    supplier = bulk_key(Supplier, related_name="+")
    service = bulk_key(Service, related_name="+")
    period = models.CharField(max_length=7)
    kind = models.CharField(max_length=13, choices=ChargeKind.choices, default=ChargeKind.REGULAR)
    quantity = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    tariff = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    amount = models.BigIntegerField(help_text="minor units")
    line = models.PositiveIntegerField(help_text="line of the source file")
    # NULL, not blank: a charge of its own period corrects none (the CHECK constraint reads it).
    corrects_period = models.CharField(  # noqa: DJ001
        max_length=7,
        null=True,
        blank=True,
        help_text="YYYY-MM: the earlier period this recalculation corrects (charges file column "
        "`corrects_period`); null for a charge of its own period",
    )

    class Meta:
        indexes = [models.Index(fields=["account", "period"], name="charge_account_period")]
        constraints = [
            # A correction names a well-formed period strictly before the charge's own, and only
            # a recalculation corrects one (import-formats: the `corrects_period` column).
            models.CheckConstraint(
                condition=Q(corrects_period__isnull=True)
                | (
                    Q(corrects_period__regex=PERIOD_REGEX)
                    & Q(corrects_period__lt=models.F("period"))
                    & Q(kind="recalculation")
                ),
                name="charge_corrects_earlier_period",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.period} {self.service_id} {self.amount}"


class OpenItemKind(models.TextChoices):
    CHARGES = "charges", _("Charges")
    PENALTY = "penalty", _("Penalty")


class OpenItem(models.Model):
    """What an account owes one supplier for one period (charges or penalties), and how much
    of it is still open. Amount and open amount have the same sign; a negative item is a credit
    (a recalculation in the payer's favour) that allocation uses up first."""

    tenant = bulk_key(Tenant, related_name="+")
    batch = bulk_key(ImportBatch, null=True, blank=True, related_name="open_items")
    account = bulk_key(Account, related_name="open_items")
    supplier = bulk_key(Supplier, related_name="+")
    period = models.CharField(max_length=7)
    kind = models.CharField(
        max_length=7, choices=OpenItemKind.choices, default=OpenItemKind.CHARGES
    )
    due_date = models.DateField()
    amount = models.BigIntegerField(help_text="minor units")
    open_amount = models.BigIntegerField(help_text="minor units")

    class Meta:
        indexes = [models.Index(fields=["account", "period"], name="openitem_account_period")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(amount__gte=0)
                    & Q(open_amount__gte=0)
                    & Q(open_amount__lte=models.F("amount"))
                )
                | (
                    Q(amount__lt=0) & Q(open_amount__lte=0) & Q(open_amount__gte=models.F("amount"))
                ),
                name="open_amount_within_amount",
            ),
        ]

    def __str__(self):
        return (
            f"{self.account_id} {self.supplier_id} {self.period}: {self.open_amount}/{self.amount}"
        )


class ClearingKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    ADVANCE = "advance", _("Advance applied")
    REVERSAL = "reversal", _("Reversal (reopens)")
    WRITE_OFF = "write_off", _("Write-off")
    RECALCULATION = "recalculation", _("Recalculation")


class Clearing(models.Model):
    """That `amount` of an open item was cleared (or, negative, reopened) by something."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    open_item = models.ForeignKey(OpenItem, on_delete=models.PROTECT, related_name="clearings")
    amount = models.BigIntegerField(help_text="minor units; negative reopens")
    kind = models.CharField(max_length=13, choices=ClearingKind.choices)
    source_id = models.CharField(max_length=64, blank=True, help_text="id of what cleared it")
    cleared_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "source_id"])]

    def __str__(self):
        return f"{self.kind} {self.source_id}: {self.amount}"


class ClosedPeriod(models.Model):
    """A period whose charges are frozen. Invoicing closes periods through
    `warehouse.services.periods.period_lock`; imports for a closed period are refused."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="closed_periods")
    period = models.CharField(max_length=7)
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period"], name="closed_period_unique"),
        ]

    def __str__(self):
        return f"{self.tenant_id} {self.period} closed"


class UnmatchedLine(models.Model):
    """The mapping queue: a supplier account number that no account link knows. Staff link it
    to an account (or create one), then re-run the batch."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="unmatched")
    supplier_account = models.CharField(max_length=50)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="unmatched")
    lines = models.JSONField(default=list, help_text="lines of the batch's file")
    resolved_account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["supplier", "supplier_account"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "supplier_account"], name="unmatched_once_per_batch"
            ),
        ]

    def __str__(self):
        return f"{self.supplier.code}:{self.supplier_account}"


__all__ = [
    "bulk_key",
    "BatchStatus",
    "Charge",
    "ChargeKind",
    "Clearing",
    "ClearingKind",
    "ClosedPeriod",
    "ImportBatch",
    "MappingProfile",
    "OpenItem",
    "OpenItemKind",
    "PERIOD_REGEX",
    "SourceFormat",
    "UnmatchedLine",
]
