"""The change history: who changed which field of which row, from what to what.

`warehouse.audit_history` writes the rows, one per changed field, from the model signals of the
tracked models (the warehouse's own, and the policy rows of the apps above that register
theirs). `AuditEvent` (warehouse.models.reference) stays the log of actions; this table holds
the values.

History outlives what it describes: the tenant and the actor are foreign keys without a
database constraint (`db_constraint=False`, `DO_NOTHING`), so deleting a tenant or a person
keeps its history (and the deletion's own rows), and the actor's name is kept as text."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warehouse.models.reference import Tenant

__all__ = ["AuditAction", "AuditChange", "SECRET_MASK"]

# What a secret field's value is recorded as (a change is recorded, never the value).
SECRET_MASK = "•••"


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")


class AuditChange(models.Model):
    """One field of one row changed (`update`), set when the row was created (`create`), or
    held when it was deleted (`delete`). Values are text: strings as they are, numbers and
    dates in their ISO form, JSON as sorted JSON, true/false; NULL for "no value" (None, and
    the old side of a creation or the new side of a deletion). A create or delete row with an
    empty `field` records a row that had no non-empty tracked value."""

    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("blank: a row shared by every tenant (a country's legal rows)"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(
        max_length=150, blank=True, help_text=_("the actor's username then; blank: the system")
    )
    at = models.DateTimeField(default=timezone.now)
    table = models.CharField(
        max_length=100, help_text=_("the model's label, e.g. warehouse.Supplier")
    )
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=6, choices=AuditAction.choices)
    field = models.CharField(max_length=100, blank=True)
    # NULL is "no value" (see the class docstring), which an empty string is not.
    old_value = models.TextField(null=True, blank=True)  # noqa: DJ001
    new_value = models.TextField(null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "at"], name="audit_change_tenant_at"),
            models.Index(fields=["table", "object_id"], name="audit_change_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.table} #{self.object_id} {self.field}"
