"""Meters, their readings and the per-tenant cabinet settings (submission window, plausibility).

Only accepted readings are stored: a refused one is answered on the form (or in the import's
report) and not kept (`cabinet.services.readings`). Rows stored as refused before that rule keep
their status and reason and are left out of every list; "the last reading" of a meter is always
its latest accepted one."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from warehouse.models import Premises, Service, Supplier, Tenant
from warehouse.scoping import ScopePaths, register


class CabinetSettings(models.Model):
    """A tenant's cabinet rules. Read with `CabinetSettings.for_tenant(tenant)`: a tenant without
    a row gets the defaults."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="cabinet_settings")
    reading_window_start = models.PositiveSmallIntegerField(
        default=15, help_text="first day of the month residents may submit readings"
    )
    reading_window_end = models.PositiveSmallIntegerField(
        default=25, help_text="last day of the month residents may submit readings"
    )
    plausibility_multiple = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("3.00"),
        help_text="a consumption above this multiple of the 6-month monthly average needs a photo",
    )

    class Meta:
        verbose_name_plural = "cabinet settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(reading_window_start__gte=1)
                & Q(reading_window_end__lte=31)
                & Q(reading_window_start__lte=models.F("reading_window_end")),
                name="cabinet_settings_window_in_month",
            ),
            models.CheckConstraint(
                condition=Q(plausibility_multiple__gt=1), name="cabinet_settings_multiple_gt_1"
            ),
        ]

    def __str__(self):
        return f"cabinet settings of {self.tenant_id}"

    @classmethod
    def for_tenant(cls, tenant) -> "CabinetSettings":
        found = cls.objects.filter(tenant=tenant).first()
        return found or cls(tenant=tenant)


class Meter(models.Model):
    """A meter installed in a premises, read for one service of one supplier."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="meters")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="meters")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="meters")
    serial = models.CharField(max_length=40)
    installed_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["premises", "service", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "serial"], name="meter_serial_per_tenant"),
        ]

    def __str__(self):
        return f"{self.serial} ({self.service_id})"


class ReadingSource(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    STAFF = "staff", _("Staff")
    IMPORT = "import", _("Import")


class ReadingStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class MeterReading(models.Model):
    """One submitted reading; `flagged` marks an implausible one the resident confirmed with a
    photo."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings")
    value = models.DecimalField(max_digits=14, decimal_places=3)
    taken_on = models.DateField()
    submitted_at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=ReadingSource.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    photo = models.FileField(upload_to="readings/%Y/%m/", blank=True)
    status = models.CharField(max_length=8, choices=ReadingStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    flagged = models.BooleanField(default=False)

    class Meta:
        ordering = ["-taken_on", "-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["meter", "status", "taken_on"], name="reading_meter_status_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="reading_value_non_negative"),
            models.CheckConstraint(
                condition=Q(status="accepted") | ~Q(reason=""), name="reading_refusal_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.meter_id}: {self.value} on {self.taken_on} ({self.status})"

    @property
    def value_text(self) -> str:
        """The value without trailing zeros, for people (150.000 → "150")."""
        return format(self.value.normalize(), "f")

    @property
    def value_shown(self) -> Decimal:
        """The value without trailing zeros, as a number for the locale's formatting
        (`{{ reading.value_shown|quantity:tenant }}` → RU «857,2»)."""
        return Decimal(format(self.value.normalize(), "f"))


register(
    Meter,
    ScopePaths(
        tenant="tenant", supplier="supplier", account="premises__accounts", through_many=True
    ),
)
register(
    MeterReading,
    ScopePaths(
        tenant="meter__tenant",
        supplier="meter__supplier",
        account="meter__premises__accounts",
        through_many=True,
    ),
)
