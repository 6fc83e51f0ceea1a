"""What penalties are computed from and what was charged.

Rates and policy periods are dated rows that staff maintain in the admin (a key-rate decision,
a new moratorium): the engine (`debt_collection.penalties`) takes them as data, never as code.
The migration `0007_h1_penalties_seed` seeds the rows known when it was written."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from warehouse.models import CountryProfile, OpenItem, Supplier, Tenant


class LegalSource(models.Model):
    """Where a legal row comes from: the act (kind, date, number) and a public URL. Every rate,
    rule and policy row carries one, and the calculator and court documents print it."""

    source = models.CharField(
        max_length=300,
        blank=True,
        help_text="the act: e.g. Постановление Правительства РФ от 18.03.2025 № 329",
    )
    url = models.URLField(max_length=500, blank=True, help_text="where the act is published")

    class Meta:
        abstract = True


class PenaltyRuleKind(models.TextChoices):
    ORDINARY = "ordinary", _("Housing and utility services (ЖК ст. 155 ч. 14)")
    CAPITAL_REPAIR = "capital_repair", _("Capital repair contributions (ЖК ст. 155 ч. 14.1)")
    STATUTORY = "statutory", _("Statutory default interest")


class PenaltyRule(LegalSource):
    """How a kind of debt accrues, from `valid_from` (the due date of the debt) on: `steps` is
    a list of [first day of delay, divisor or null]; null accrues nothing (the grace days).
    `daily_rate`: the rate of each day (statutory interest) rather than one rate per paid part
    (the Russian housing code)."""

    profile = models.CharField(max_length=4, choices=CountryProfile.choices)
    kind = models.CharField(max_length=16, choices=PenaltyRuleKind.choices)
    valid_from = models.DateField()
    steps = models.JSONField(help_text="e.g. [[1, null], [31, 300], [91, 130]]")
    daily_rate = models.BooleanField(default=False)

    class Meta:
        ordering = ["profile", "kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "kind", "valid_from"], name="penalty_rule_unique"
            ),
        ]

    def __str__(self):
        return f"{self.profile} {self.kind} from {self.valid_from}"


class KeyRate(LegalSource):
    """A central-bank rate of a country profile (RU: the Bank of Russia key rate, equal to the
    refinancing rate since 2016), valid from `valid_from` until the next row."""

    profile = models.CharField(max_length=4, choices=CountryProfile.choices)
    valid_from = models.DateField()
    rate_percent = models.DecimalField(max_digits=6, decimal_places=2)
    note = models.CharField(max_length=200, blank=True, help_text="source, e.g. the decision")

    class Meta:
        ordering = ["profile", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "valid_from"], name="key_rate_unique"),
            models.CheckConstraint(condition=Q(rate_percent__gte=0), name="key_rate_positive"),
        ]

    def __str__(self):
        return f"{self.profile} {self.valid_from}: {self.rate_percent} %"


class PolicyKind(models.TextChoices):
    MORATORIUM = "moratorium", _("Moratorium (no accrual)")
    FIXED_RATE = "fixed_rate", _("Fixed rate")
    RATE_CAP = "rate_cap", _("Rate cap (the lower of the cap and the rate of the day)")


class PenaltyPolicyPeriod(LegalSource):
    """A period when penalties follow other rules: a moratorium (nothing accrues on its days —
    for debts due before `debts_due_before` when that is set), a fixed rate (replaces the rate
    of any part paid, or calculated, within the dates) or a rate cap (the lower of the cap and
    the rate in force on that day). Dates are inclusive."""

    profile = models.CharField(max_length=4, choices=CountryProfile.choices)
    kind = models.CharField(max_length=10, choices=PolicyKind.choices)
    date_from = models.DateField()
    date_to = models.DateField(null=True, blank=True, help_text="inclusive; blank: until changed")
    rate_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="fixed rates and caps"
    )
    debts_due_before = models.DateField(
        null=True, blank=True, help_text="moratoria that cover only older debts"
    )
    name = models.CharField(max_length=100, help_text="e.g. Постановление № 424")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["profile", "date_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=models.F("date_from")),
                name="policy_period_dates",
            ),
            models.CheckConstraint(
                condition=Q(kind="moratorium") | Q(rate_percent__isnull=False),
                name="policy_fixed_rate_has_rate",
            ),
        ]

    def __str__(self):
        return f"{self.profile} {self.name} {self.date_from}–{self.date_to or '…'}"


class StatutoryRate(LegalSource):
    """Statutory default interest of a profile (SEPA: the Bundesbank/ECB base rate plus a
    margin, § 288 BGB: 5 points for consumers, 9 between businesses), valid from `valid_from`
    until the next row. The margin is a field of the row, so staff choose it per period."""

    profile = models.CharField(max_length=4, choices=CountryProfile.choices)
    valid_from = models.DateField()
    base_percent = models.DecimalField(max_digits=6, decimal_places=2)
    margin_percent = models.DecimalField(max_digits=6, decimal_places=2, default=5)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["profile", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "valid_from"], name="statutory_rate_unique"),
        ]

    def __str__(self):
        return f"{self.profile} {self.valid_from}: {self.base_percent} + {self.margin_percent}"

    @property
    def rate_percent(self):
        return self.base_percent + self.margin_percent


CAPITAL_REPAIR_CODES = ("fkr", "kapremont", "caprep", "capital")


class SupplierPenaltySetting(models.Model):
    """Which rule a supplier's debts follow. Without a row, a supplier whose code names a
    capital repair fund (see `CAPITAL_REPAIR_CODES`, e.g. the demo's `fkr`) is capital
    repair; every other supplier follows the ordinary rule."""

    supplier = models.OneToOneField(
        Supplier, on_delete=models.CASCADE, related_name="penalty_setting"
    )
    capital_repair = models.BooleanField(
        default=False,
        help_text="capital repair contributions: 1/300 from day 1 (ЖК ст. 155 ч. 14.1)",
    )
    exempt = models.BooleanField(default=False, help_text="no penalties on this supplier's debts")

    def __str__(self):
        return f"penalty setting of {self.supplier}"

    @staticmethod
    def capital_repair_by_code(code: str) -> bool:
        code = code.lower()
        return any(marker in code for marker in CAPITAL_REPAIR_CODES)


class PenaltyAccrual(models.Model):
    """The penalty charged on one open item at the close of one period: `cumulative` is the
    penalty through `through_date`, `amount` what was charged then (the increase over what was
    charged before). When the cumulative falls below what was charged (the rate of the paid
    part turned out lower), nothing is posted and `note` says so."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    base_item = models.ForeignKey(
        OpenItem, on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )
    penalty_item = models.ForeignKey(
        OpenItem,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    period = models.CharField(max_length=7, help_text="the period at whose close it was charged")
    through_date = models.DateField()
    cumulative = models.BigIntegerField(help_text="minor units")
    amount = models.BigIntegerField(help_text="minor units charged now")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["base_item", "period"], name="penalty_once_per_period"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="penalty_accrual_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "through_date"])]

    def __str__(self):
        return f"{self.base_item_id} {self.period}: +{self.amount}"


class PenaltyRecalculation(models.Model):
    """One open item's penalty put right by `penalties_recalculate`: what had been charged for it
    through `through_date` (the accruals and earlier recalculations), what the rules in force
    now give, and the difference posted into `period` as a penalty charge (negative: reduces
    what is open, the rest a credit). `rules` are the acts the recomputed lines follow."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    run = models.UUIDField(db_index=True)
    base_item = models.ForeignKey(
        OpenItem, on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )
    period = models.CharField(max_length=7, help_text="the period the difference is posted into")
    through_date = models.DateField()
    charged_before = models.BigIntegerField(help_text="minor units")
    recomputed = models.BigIntegerField(help_text="minor units")
    difference = models.BigIntegerField(help_text="minor units, signed")
    rules = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "base_item"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(difference=models.F("recomputed") - models.F("charged_before")),
                name="penalty_recalculation_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.base_item_id} through {self.through_date}: {self.difference:+d}"


class PenaltyRun(models.Model):
    """That a period's penalties were charged: the explicit step of month-end that comes before
    the period's close (`debt_collection.services.penalties.penalty_run`). The close refuses a
    period without its run (the check is wired in `config/wiring.py`); a run may be repeated
    until the period is closed and charges only what accrued since."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7)
    through_date = models.DateField(help_text="accrued through this day (the period's last)")
    batches = models.PositiveIntegerField(default=0, help_text="penalty batches posted")
    amount = models.BigIntegerField(default=0, help_text="minor units charged by the last run")
    skipped = models.PositiveIntegerField(default=0, help_text="open items without a rate")
    runs = models.PositiveIntegerField(default=1)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ran_at = models.DateTimeField()

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period"], name="penalty_run_unique"),
        ]

    def __str__(self):
        return f"{self.tenant_id} {self.period}"
