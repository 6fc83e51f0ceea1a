"""Settling with suppliers: the daily registry of what was collected for each, and payouts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from splitting.models.core import Transaction
from warehouse.models import Supplier, Tenant


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
