"""Dunning procedures: per tenant, the levels an overdue account climbs (a reminder, then
letters, then people and the courts), which message template each uses (the templates are
messaging's), and what happened to each account at each level.

A *cycle* starts when an account first becomes overdue and ends when its overdue debt is paid;
every level fires at most once per cycle (a unique constraint backs it). `DunningState` keeps
where each account stands so that a daily run over every account of a tenant is set-based.

Steps and states are written 200,000 at a time by one writer, `debt_collection.services.dunning`,
so — like the charge and open-item tables (warehouse.models.charges) — their foreign keys carry
no database constraint: the deferred constraint checks alone would cost the run more than its
inserts (measured: ~10 s per 200,000 accounts). The writer takes every id from rows it has just
read or written in the same transaction; Django still applies on_delete."""

from functools import lru_cache

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from messaging.models import Message, MessageTemplate
from warehouse.models import Account, Tenant


class DunningAction(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    CALL_TASK = "call_task", _("Call task for agents")
    PRE_TRIAL = "pre_trial", _("Pre-trial claim")
    COURT = "court", _("Court claim")
    AGENCY = "agency", _("Hand-over to a collection agency")


MESSAGE_ACTIONS = (DunningAction.SMS, DunningAction.EMAIL, DunningAction.LETTER)

# The names of the default procedure's levels (`services.dunning.defaults` seeds them in the
# tenant's message language). A level still bearing one of them, in any language of the
# catalogue, reads in the reader's language; a name staff typed reads as typed.
DEFAULT_LEVEL_NAMES = (
    pgettext_lazy("dunning level", "SMS reminder"),
    pgettext_lazy("dunning level", "E-mail reminder"),
    pgettext_lazy("dunning level", "Letter"),
    pgettext_lazy("dunning level", "Call task"),
    pgettext_lazy("dunning level", "Pre-trial claim"),
    pgettext_lazy("dunning level", "Court claim"),
)
_NAME_LANGUAGES = ("en", "ru")


@lru_cache(maxsize=64)
def _default_level_name(name: str) -> int | None:
    """The index in DEFAULT_LEVEL_NAMES of a name written in any catalogue language."""
    for language in _NAME_LANGUAGES:
        with translation.override(language):
            for index, default in enumerate(DEFAULT_LEVEL_NAMES):
                if str(default) == name:
                    return index
    return None


def level_display_name(name: str) -> str:
    """A level's name in the active language when it is a default one, else as stored."""
    index = _default_level_name(name)
    return name if index is None else str(DEFAULT_LEVEL_NAMES[index])


class DunningLevel(models.Model):
    """One step of a tenant's procedure. It fires for an account whose oldest overdue charge is
    at least `days_past_due` days late and whose overdue debt is at least `min_debt`, once the
    previous level's `wait_days` have passed."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    days_past_due = models.PositiveIntegerField()
    min_debt = models.BigIntegerField(default=0, help_text="minor units of overdue debt")
    action = models.CharField(max_length=9, choices=DunningAction.choices)
    wait_days = models.PositiveIntegerField(
        default=0, help_text="days after this level before the next one may fire"
    )
    template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="levels"
    )

    class Meta:
        ordering = ["tenant", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "position"], name="dunning_level_position"),
            models.CheckConstraint(condition=Q(min_debt__gte=0), name="dunning_min_debt_gte_0"),
        ]

    def __str__(self):
        return f"{self.position}. {self.display_name}"

    @property
    def display_name(self) -> str:
        return level_display_name(self.name)


class DunningOutcome(models.TextChoices):
    """What a level did. Deferrals (quiet hours, frequency cap) are not outcomes: nothing is
    recorded, so a later run fires the level."""

    QUEUED = "queued", _("Message queued")
    LETTER = "letter", _("Letter queued for printing")
    CASE = "case", _("Case opened or moved")
    SUPPRESSED_OPTOUT = "suppressed_optout", _("Suppressed: opted out")
    SUPPRESSED_NO_CONTACT = "suppressed_no_contact", _("Suppressed: no contact")


def _key(to, on_delete, **options) -> models.ForeignKey:
    """A foreign key without a database constraint (see the module docstring)."""
    return models.ForeignKey(to, on_delete=on_delete, db_constraint=False, **options)


class DunningStep(models.Model):
    """That `level` fired for `account` in its `cycle`, on `run_date`."""

    tenant = _key(Tenant, models.CASCADE, related_name="+", db_index=False)
    account = _key(Account, models.CASCADE, related_name="dunning_steps", db_index=False)
    level = _key(DunningLevel, models.PROTECT, related_name="steps")
    cycle = models.PositiveIntegerField()
    run_date = models.DateField()
    at = models.DateTimeField(help_text="the run's moment")
    outcome = models.CharField(max_length=21, choices=DunningOutcome.choices)
    overdue = models.BigIntegerField(help_text="minor units, when the level fired")
    days_past_due = models.PositiveIntegerField()
    message = _key(Message, models.SET_NULL, null=True, blank=True, related_name="+")
    case = _key("DebtCase", models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-run_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "level", "cycle"], name="dunning_step_once_per_cycle"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "run_date"], name="dunning_step_tenant_date")]

    def __str__(self):
        return f"{self.account_id} level {self.level_id} cycle {self.cycle}: {self.outcome}"


class DunningState(models.Model):
    """Where an account stands: its cycle, the last level that fired in it (None: none yet),
    and when. Paying the overdue debt resets the level and starts the next cycle."""

    tenant = _key(Tenant, models.CASCADE, related_name="+", db_index=False)
    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    cycle = models.PositiveIntegerField(default=1)
    level = _key(DunningLevel, models.PROTECT, null=True, blank=True, related_name="+")
    last_step_on = models.DateField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant"], name="dunning_state_tenant")]

    def __str__(self):
        return f"{self.account_id} cycle {self.cycle} at {self.level_id}"
