"""Debt cases: an account whose debt people work on, and the history of that work."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from messaging.models import Message
from warehouse.models import Account, Tenant


class CaseStage(models.TextChoices):
    """Where a case is. `queue` is the agents' work; the others say why it is out of it or
    which legal stage it has reached."""

    QUEUE = "queue", _("In queue")
    PROMISED = "promised", _("Promise to pay")
    PLAN = "plan", _("Payment plan")
    PRE_TRIAL = "pre_trial", _("Pre-trial claim")
    COURT = "court", _("Court")
    ENFORCEMENT = "enforcement", _("Enforcement")
    AGENCY = "agency", _("Collection agency")
    CLOSED = "closed", _("Closed")


# The stages agents work a case in: calls, promises and plans happen here. A pre-trial claim
# has been sent in the second, and people still call while its deadline runs.
WORKED_STAGES = (CaseStage.QUEUE, CaseStage.PRE_TRIAL)


class DebtCase(models.Model):
    """Opens when an account reaches a dunning level that needs people; at most one open case
    per account."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debt_cases")
    stage = models.CharField(max_length=11, choices=CaseStage.choices, default=CaseStage.QUEUE)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="debt_cases",
    )
    debt_at_open = models.BigIntegerField(help_text="minor units, overdue when opened")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=100, blank=True)
    promise_broken = models.BooleanField(default=False, help_text="flag: a promise was broken")
    last_contact_at = models.DateTimeField(null=True, blank=True)
    callback_at = models.DateTimeField(null=True, blank=True, help_text="scheduled callback")
    messages = models.ManyToManyField(
        Message, through="CaseMessage", related_name="+", blank=True, help_text="sent on the case"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=~Q(stage="closed"),
                name="debt_case_one_open_per_account",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "stage"], name="debt_case_tenant_stage")]

    def __str__(self):
        return f"case {self.pk} · {self.account} · {self.get_stage_display()}"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", pgettext_lazy("case event", "Opened")
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    NOTE = "note", _("Note")
    CALLBACK = "callback", _("Callback scheduled")
    MESSAGE = "message", _("Message sent")
    ASSIGNED = "assigned", _("Assigned")
    PROMISE = "promise", _("Promise to pay")
    PLAN = "plan", _("Payment plan")
    STAGE = "stage", _("Stage changed")
    DOCUMENT = "document", _("Document generated")
    CLOSED = "closed", _("Closed")


class SystemNote(str):
    """A note the system writes into a case's history: stored as its English text (the API,
    exports and the admin read `note`) and kept in the event's `detail` as its gettext msgid
    and arguments, so that the history reads in each reader's language (`CaseEvent.text`).
    `SystemNote(gettext_noop("assigned to %(name)s"), name="anna")` is the string
    "assigned to anna"."""

    def __new__(cls, msgid: str, **args):
        note = super().__new__(cls, msgid % args if args else msgid)
        note.msgid, note.args = msgid, args
        return note

    def said(self) -> dict:
        return {"msgid": self.msgid, "args": self.args}


class CaseEvent(models.Model):
    """One entry of a case's history: a contact and its outcome, a note, a decision."""

    case = models.ForeignKey(DebtCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=CaseEventKind.choices)
    outcome = models.CharField(max_length=40, blank=True, help_text="for calls and visits")
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def text(self) -> str:
        """The note as its reader reads it: a system note (`SystemNote`) in the active
        language, a note a person typed as typed."""
        said = (self.detail or {}).get("said")
        if not said:
            return self.note
        args = {key: _note_argument(key, value) for key, value in said.get("args", {}).items()}
        try:
            return gettext(said["msgid"]) % args
        except (KeyError, TypeError, ValueError):  # a translation that lost an argument
            return self.note


def _note_argument(key: str, value):
    """An argument as the reader reads it: a dunning level's name as the level reads
    (`level_display_name`), a date (`*date`, ISO) in the reader's date format, an amount
    (`*_minor`, "1234.50") with the reader's decimal separator."""
    if key == "level":
        from debt_collection.models.dunning import level_display_name

        return level_display_name(value)
    if key.endswith("date"):
        try:
            return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            return value
    if key.endswith("_minor"):
        return number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    return value
