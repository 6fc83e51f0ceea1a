"""The change history of the rows people maintain — bank details, commission terms, memberships,
mapping profiles, provider rules, policy rows: who changed which field, from what to what.

`track(model, fields=None, tenant_path="tenant", secret_fields=())` puts a model under watch
(the warehouse's models from `WarehouseConfig.ready()`, the apps above from their
`audit_tracking.register()`):

- pre_save reads the row as the database holds it: one query by primary key, only the tracked
  columns, only those a save's `update_fields` names;
- post_save compares and writes one `AuditChange` per changed field (a creation: one per
  non-empty field);
- post_delete writes the deleted row's non-empty values as old values.

The rows are written on the same connection, inside the save, so they are part of the caller's
transaction: a service's `atomic(durable=True)` and the admin's change view (atomic) commit or
roll back the change and its history together. A save outside any transaction (autocommit)
commits its row, then its history.

What it does not see: `QuerySet.update()`, `bulk_create()`, `bulk_update()` and raw SQL send
no model signals, so what is changed that way is not recorded — on SQLite and on PostgreSQL
alike (there is no database trigger). Loading fixtures (raw saves) is not recorded either.
`QuerySet.delete()` is seen: Django sends post_delete for every row of a model that has a
receiver.

Who: `audit_actor(user)` (a context manager, for services and commands; the decorator
`actor_from_kwarg` does it for a service's `actor=` argument), else the request's user, which
`warehouse.middleware.AuditActorMiddleware` makes known (a DRF-authenticated user too: DRF sets
it on the request); neither: the system (no actor).

Values are text (`value_text`): strings as they are, numbers and dates in their ISO form,
decimals with the field's places, JSON sorted, true/false; None for no value. A secret field
(`secret_fields`) is recorded as "•••" when set and "" when empty: a change is recorded, never
the value."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from warehouse.models import SECRET_MASK, AuditAction, AuditChange
from warehouse.scoping import is_operator_staff
from warehouse.selectors import staff_scope

__all__ = [
    "TRACKED",
    "actor_from_kwarg",
    "audit_actor",
    "changes_visible",
    "request_actor",
    "track",
    "table_title",
    "tracked_tables",
    "value_text",
]

# Who is changing things now: a function that gives the user (or None), resolved when a row is
# written — so a request's user is read only when something tracked changes.
_actor: ContextVar[Callable[[], object] | None] = ContextVar("audit_actor", default=None)

# A save's row as the database held it before, between pre_save and post_save.
_BEFORE = "_audit_history_before"


@dataclass(frozen=True)
class Tracking:
    """How one model is tracked: its fields, the lookup to its tenant ("pk" for the tenant
    itself, None for rows shared by every tenant) and the secrets among its fields."""

    fields: tuple[models.Field, ...]
    tenant_path: str | None
    secret: frozenset[str]

    def chosen(self, update_fields) -> tuple[models.Field, ...]:
        """The tracked fields a save writes (all of them unless it names `update_fields`)."""
        if update_fields is None:
            return self.fields
        names = set(update_fields)
        return tuple(f for f in self.fields if f.name in names or f.attname in names)


TRACKED: dict[type[models.Model], Tracking] = {}


def track(
    model: type[models.Model],
    fields: Iterable[str] | None = None,
    *,
    tenant_path: str | None = "tenant",
    secret_fields: Iterable[str] = (),
) -> None:
    """Records every change of `model`'s `fields` (None: every concrete field but the primary
    key and auto_now stamps). `tenant_path` leads from a row to its tenant ("tenant",
    "supplier__tenant", "pk" for the tenant itself, None for a row of no tenant).
    `secret_fields` are recorded as changed, never by value. Calling it again for a model
    replaces its settings; the receivers are connected once."""
    concrete = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
    secret = frozenset(secret_fields)
    if fields is None:
        names = [
            name
            for name, f in concrete.items()
            if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
    else:
        names = list(dict.fromkeys([*fields, *sorted(secret)]))
    unknown = sorted((set(names) | secret) - set(concrete))
    if unknown:
        raise ImproperlyConfigured(f"{model._meta.label} has no field(s) {', '.join(unknown)}")
    if tenant_path not in (None, "pk"):
        model._meta.get_field(tenant_path.split("__")[0])  # FieldDoesNotExist on a typo
    TRACKED[model] = Tracking(tuple(concrete[n] for n in names), tenant_path, secret)
    uid = f"audit_history:{model._meta.label}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}:pre_save")
    post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}:post_save")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}:post_delete")


# --- who --------------------------------------------------------------------------------------


@contextmanager
def audit_actor(user) -> Iterator[None]:
    """Changes inside are recorded as `user`'s (None: the system's)."""
    token = _actor.set(lambda: user)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def request_actor(request) -> Iterator[None]:
    """Changes inside are recorded as the request's user's (as the request knows it when the
    change is written: DRF authenticates inside the view)."""
    token = _actor.set(lambda: getattr(request, "user", None))
    try:
        yield
    finally:
        _actor.reset(token)


def actor_from_kwarg(service):
    """A service that takes `actor=`: what it changes is recorded as that actor's (when given;
    otherwise whoever is known already)."""

    @wraps(service)
    def wrapped(*args, **kwargs):
        actor = kwargs.get("actor")
        if actor is None:
            return service(*args, **kwargs)
        with audit_actor(actor):
            return service(*args, **kwargs)

    return wrapped


def _actor_now() -> tuple[int | None, str]:
    resolve = _actor.get()
    user = resolve() if resolve is not None else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user.pk, user.get_username()[:150]


# --- values -----------------------------------------------------------------------------------


def _python(field: models.Field, value):
    """A value as the field holds it after saving ("1.5" → Decimal("1.5") for a decimal)."""
    if value is None or isinstance(field, models.JSONField):
        return value
    try:
        return field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value


def value_text(field: models.Field, value) -> str | None:
    """A field's value as the history's text; None for no value."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        return f"{value:.{places}f}" if places is not None else str(value)
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _shown(tracking: Tracking, field: models.Field, text: str | None) -> str | None:
    if field.name in tracking.secret and text:
        return SECRET_MASK
    return text


def _empty(text: str | None) -> bool:
    return text in (None, "", "{}", "[]")


# --- the receivers ----------------------------------------------------------------------------


def _before_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    tracking = TRACKED.get(sender)
    if tracking is None or raw:
        return
    fields = tracking.chosen(update_fields)
    if not fields:
        instance.__dict__.pop(_BEFORE, None)
        return
    before = None
    if instance.pk is not None:
        before = (
            sender._base_manager.using(using)
            .filter(pk=instance.pk)
            .values(*(f.attname for f in fields))
            .first()
        )
    instance.__dict__[_BEFORE] = before


def _after_save(sender, instance, created=False, raw=False, using=None, update_fields=None, **_):
    tracking = TRACKED.get(sender)
    if tracking is None or raw or _BEFORE not in instance.__dict__:
        return
    before = instance.__dict__.pop(_BEFORE)
    changes = []
    for field in tracking.chosen(update_fields):
        new = value_text(field, _python(field, getattr(instance, field.attname)))
        if before is None:
            if not _empty(new):
                changes.append((field.name, None, _shown(tracking, field, new)))
            continue
        old = value_text(field, before[field.attname])
        if old != new:
            changes.append((field.name, _shown(tracking, field, old), _shown(tracking, field, new)))
    if before is None:
        _write(instance, using, AuditAction.CREATE, changes)
    elif changes:
        _write(instance, using, AuditAction.UPDATE, changes)


def _after_delete(sender, instance, using=None, **kwargs):
    tracking = TRACKED.get(sender)
    if tracking is None:
        return
    deferred = instance.get_deferred_fields()
    changes = []
    for field in tracking.fields:
        if field.attname in deferred:
            continue  # the row is gone: a deferred value cannot be read any more
        old = value_text(field, getattr(instance, field.attname))
        if not _empty(old):
            changes.append((field.name, _shown(tracking, field, old), None))
    _write(instance, using, AuditAction.DELETE, changes)


def _tenant_id(instance, path: str | None) -> int | None:
    if path is None:
        return None
    if path == "pk":
        return instance.pk
    *hops, last = path.split("__")
    node = instance
    try:
        for hop in hops:
            node = getattr(node, hop)
            if node is None:
                return None
        return getattr(node, f"{last}_id")
    except ObjectDoesNotExist:  # a parent deleted before its child (a cascade)
        return None


def _object_repr(instance) -> str:
    try:
        text = str(instance)
    except ObjectDoesNotExist:
        text = f"{instance._meta.verbose_name} #{instance.pk}"
    return text[:200]


def _write(instance, using, action: str, changes: list[tuple[str, str | None, str | None]]):
    tracking = TRACKED[type(instance)]
    actor_id, actor_name = _actor_now()
    common = {
        "tenant_id": _tenant_id(instance, tracking.tenant_path),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "at": timezone.now(),
        "table": instance._meta.label,
        "object_id": str(instance.pk),
        "object_repr": _object_repr(instance),
        "action": action,
    }
    rows = [
        AuditChange(**common, field=name, old_value=old, new_value=new)
        for name, old, new in changes
    ] or [AuditChange(**common, field="")]
    AuditChange.objects.using(using).bulk_create(rows)


# --- reading it -------------------------------------------------------------------------------


def changes_visible(user) -> QuerySet[AuditChange]:
    """The history the staff page shows `user`: the rows of its staff tenants (every row for a
    superuser) and the rows of no tenant (the countries' legal rows, which every staff member
    may read in the admin)."""
    rows = staff_scope(user, AuditChange)
    if not user.is_superuser and is_operator_staff(user):
        rows = rows | AuditChange.objects.filter(tenant__isnull=True)
    return rows.select_related("tenant")


# How the history names each tracked table to its reader. The models' own verbose names are
# plain English (changing them would alter every migration state), so the page's names live
# here, by model label.
TABLE_NAMES = {
    "warehouse.Tenant": pgettext_lazy("audit table", "Tenant"),
    "warehouse.Supplier": pgettext_lazy("audit table", "Supplier"),
    "warehouse.SupplierFlow": pgettext_lazy("audit table", "Supplier flow"),
    "warehouse.Membership": pgettext_lazy("audit table", "Membership"),
    "warehouse.MappingProfile": pgettext_lazy("audit table", "Mapping profile"),
    "warehouse.DueDateRule": pgettext_lazy("audit table", "Due date rule"),
    "warehouse.CalendarDay": pgettext_lazy("audit table", "Calendar day"),
    "splitting.AllocationRules": pgettext_lazy("audit table", "Allocation rules"),
    "splitting.TerminalProcessor": pgettext_lazy("audit table", "Terminal processor"),
    "splitting.FrontOffice": pgettext_lazy("audit table", "Front office"),
    "debt_collection.DunningLevel": pgettext_lazy("audit table", "Dunning level"),
    "debt_collection.CollectionSettings": pgettext_lazy("audit table", "Collection settings"),
    "debt_collection.Agency": pgettext_lazy("audit table", "Agency"),
    "debt_collection.SupplierPenaltySetting": pgettext_lazy(
        "audit table", "Supplier penalty setting"
    ),
    "debt_collection.DocumentTemplate": pgettext_lazy("audit table", "Document template"),
    "debt_collection.PenaltyRule": pgettext_lazy("audit table", "Penalty rule"),
    "debt_collection.KeyRate": pgettext_lazy("audit table", "Key rate"),
    "debt_collection.PenaltyPolicyPeriod": pgettext_lazy("audit table", "Penalty policy period"),
    "debt_collection.StatutoryRate": pgettext_lazy("audit table", "Statutory rate"),
    "debt_collection.ContactLimit": pgettext_lazy("audit table", "Contact limit"),
}


def table_title(model: type[models.Model]) -> str:
    """A tracked model's name as the history shows it, in the reader's language."""
    name = TABLE_NAMES.get(model._meta.label)
    return str(name) if name is not None else str(model._meta.verbose_name).capitalize()


def tracked_tables() -> list[tuple[str, str]]:
    """(label, name) of every tracked model, by name: the page's table filter."""
    return sorted(((m._meta.label, table_title(m)) for m in TRACKED), key=lambda pair: pair[1])
