"""Django admin for the warehouse core, scoped to the staff user's tenants.

Who may enter: a user needs `is_staff` to reach the admin at all; past that, their role in a
tenant (`Membership`) decides what they may do with that tenant's rows:

    superuser       everything, in every tenant
    operator_admin  view, add, change, delete
    accountant      view, change
    collector       view
    supplier users and residents: nothing

Which rows: `scoping.scope()` decides, narrowed to the tenants where the user holds a staff
role (a staff user who is also a supplier user of another tenant does not get that tenant's
rows here). Foreign-key choices are narrowed the same way, and a form refuses a row whose
tenant the user may not write to or whose related rows belong to another tenant.

Every change made here writes an `AuditEvent` in the same transaction as the change.

This module holds that machinery — `TenantScopedAdmin`, `ReadOnlyAdmin`, `NationalRowAdmin`
and their forms and inlines — which the other apps' admins build on; the warehouse's own model
admins are registered by area in the modules beside it (imported at the end): `tenants`
(tenants and suppliers), `reference` (services, buildings, premises), `accounts` (accounts and
their links and holders), `access` (people, memberships, the audit log), `imports` (mapping
profiles, batches, the mapping queue, closed periods) and `legal_rows` (dated national rows)."""

from django import forms
from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import Permission, roles_with
from warehouse.models import Account, AccountHolder, AuditEvent, Membership, Role, Tenant, User
from warehouse.scoping import SCOPE_PATHS, scope

admin.site.site_header = gettext_lazy("Unibill administration")
admin.site.site_title = gettext_lazy("Unibill admin")

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.OPERATOR_ADMIN: frozenset({VIEW, ADD, CHANGE, DELETE}),
    Role.ACCOUNTANT: frozenset({VIEW, CHANGE}),
    Role.COLLECTOR: frozenset({VIEW}),
}


def staff_roles(request) -> dict[int, str]:
    """The user's staff role in each tenant ({tenant_id: role}), read once per request."""
    roles = getattr(request, "_unibill_staff_roles", None)
    if roles is None:
        roles = dict(
            Membership.objects.filter(
                user=request.user, role__in=roles_with(Permission.VIEW_STAFF_PAGES)
            ).values_list("tenant_id", "role")
        )
        request._unibill_staff_roles = roles
    return roles


def admin_scope(request, queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` the admin shows to `request.user`: `scope()`, narrowed to the
    tenants where the user is staff. Models without scope paths show nothing to non-superusers,
    except the two that are scoped through a scoped relation (User, AccountHolder)."""
    user = request.user
    if user.is_superuser:
        return scope(user, queryset)
    model = queryset.model
    if model is AccountHolder:
        return queryset.filter(account__in=admin_scope(request, Account.objects.all()))
    if model is User:
        memberships = admin_scope(request, Membership.objects.all())
        accounts = admin_scope(request, Account.objects.all())
        return queryset.filter(
            Q(memberships__in=memberships) | Q(held_accounts__account__in=accounts)
        ).distinct()
    paths = SCOPE_PATHS.get(model)
    if paths is None:
        return queryset.none()
    return scope(user, queryset).filter(**{f"{paths.tenant}__in": list(staff_roles(request))})


def _tenant_id_along(obj, path: str) -> int | None:
    """Follows `path` ("pk", "tenant", "account__tenant") from `obj` to a tenant id."""
    if obj is None:
        return None
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def _of_other_tenant(value, tenant_id) -> bool:
    """Whether a form value is a tenant-owned row of a tenant other than `tenant_id`."""
    return isinstance(value, Model) and getattr(value, "tenant_id", tenant_id) != tenant_id


class RoleAccess:
    """Permissions by role, shared by the model admins and their inlines."""

    role_actions: dict[str, frozenset[str]] = ROLE_ACTIONS
    superuser_actions: frozenset[str] = frozenset()  # actions no role grants

    def allowed(self, request, action: str, tenant_ids=None) -> bool:
        """Whether the user may do `action` in one of `tenant_ids` (None: in any tenant)."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        if action in self.superuser_actions:
            return False
        roles = staff_roles(request)
        candidates = roles.values() if tenant_ids is None else [roles.get(t) for t in tenant_ids]
        return any(action in self.role_actions.get(role, ()) for role in candidates)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._choices(db_field, request, kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._choices(db_field, request, kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _choices(self, db_field, request, using) -> QuerySet:
        queryset = self.get_field_queryset(using, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(using).all()
        return admin_scope(request, queryset)


class TenantScopedForm(forms.ModelForm):
    """Refuses a row in a tenant the user may not write to, and related rows of another
    tenant. `TenantScopedAdmin.get_form` binds `request` and `model_admin`."""

    request = None
    model_admin = None

    def clean(self):
        cleaned = super().clean()
        if self.model_admin is not None:
            self.model_admin.check_tenant(self)
        return cleaned


class TenantInlineFormSet(BaseInlineFormSet):
    """Rows of an inline belong to the parent's tenant: the tenant is set from the parent and
    the rows a form points at must be of that tenant too."""

    def clean(self):
        super().clean()
        tenant_id = self.instance.tenant_id
        own = {self.fk.name, self.model._meta.pk.name}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            form.instance.tenant_id = tenant_id
            for name, value in list(form.cleaned_data.items()):
                if name not in own and _of_other_tenant(value, tenant_id):
                    form.add_error(name, _("belongs to another tenant"))


class TenantScopedInline(RoleAccess, admin.TabularInline):
    """An inline whose permissions follow the parent row's tenant."""

    formset = TenantInlineFormSet
    extra = 0
    parent_tenant_path = "tenant"

    def get_queryset(self, request):
        return admin_scope(request, super().get_queryset(request))

    def _parent(self, request, action, obj):
        tenant = _tenant_id_along(obj, self.parent_tenant_path)
        return self.allowed(request, action, None if tenant is None else [tenant])

    def has_view_permission(self, request, obj=None):
        return self._parent(request, VIEW, obj)

    def has_add_permission(self, request, obj):
        return self._parent(request, ADD, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent(request, CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent(request, DELETE, obj)


class TenantScopedAdmin(RoleAccess, admin.ModelAdmin):
    """A model admin that shows a staff user only their tenants' rows and lets their role decide
    what they may do with them. `tenant_path` leads from a row to its tenant."""

    form = TenantScopedForm
    tenant_path = "tenant"
    list_per_page = 50

    # --- visibility -------------------------------------------------------------------------
    def get_queryset(self, request):
        return admin_scope(request, super().get_queryset(request))

    # --- permissions ------------------------------------------------------------------------
    def _obj_allowed(self, request, action, obj):
        if obj is None:
            return self.allowed(request, action)
        return self.allowed(request, action, [_tenant_id_along(obj, self.tenant_path)])

    def has_module_permission(self, request):
        return self.allowed(request, VIEW)

    def has_view_permission(self, request, obj=None):
        return self._obj_allowed(request, VIEW, obj)

    def has_add_permission(self, request):
        return self.allowed(request, ADD)

    def has_change_permission(self, request, obj=None):
        return self._obj_allowed(request, CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._obj_allowed(request, DELETE, obj)

    # --- forms ------------------------------------------------------------------------------
    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and self.tenant_path == "tenant" and "tenant" not in fields:
            fields += ("tenant",)  # a row never moves to another tenant
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request, "model_admin": self})

    def check_tenant(self, form) -> None:
        """The user's role must allow this add/change in the row's (new) tenant, and every row
        the form points at must be of that tenant."""
        source, _sep, rest = self.tenant_path.partition("__")
        if self.tenant_path == "pk":
            tenant_id = form.instance.pk
        elif source in form.fields:
            value = form.cleaned_data.get(source)
            if value is None:
                return  # the field reports its own error
            tenant_id = _tenant_id_along(value, rest) if rest else value.pk
        else:
            tenant_id = _tenant_id_along(form.instance, self.tenant_path)
        if tenant_id is None:
            return
        action = CHANGE if form.instance.pk else ADD
        if not self.allowed(form.request, action, [tenant_id]):
            form.add_error(
                source if source in form.fields else None,
                _("Your role does not allow this in that tenant."),
            )
            return
        for name, value in list(form.cleaned_data.items()):
            if name != source and _of_other_tenant(value, tenant_id):
                form.add_error(name, _("belongs to another tenant"))

    # --- audit ------------------------------------------------------------------------------
    def _audit(self, request, obj, verb: str, fields=()) -> None:
        if isinstance(obj, Tenant):
            # A deleted tenant takes its audit rows with it; its deletion is logged untenanted.
            tenant_id = None if verb == "deleted" else obj.pk
        else:
            tenant_id = getattr(obj, "tenant_id", None) or _tenant_id_along(obj, self.tenant_path)
        AuditEvent.objects.create(
            tenant_id=tenant_id,
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{verb}",
            detail={"object_id": str(obj.pk), "object": str(obj)[:200], "fields": list(fields)},
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._audit(request, obj, "changed" if change else "added", form.changed_data)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._audit(request, obj, "added")
        for obj, fields in formset.changed_objects:
            self._audit(request, obj, "changed", fields)
        for obj in formset.deleted_objects:
            self._audit(request, obj, "deleted")

    def delete_model(self, request, obj):
        self._audit(request, obj, "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted")
        super().delete_queryset(request, queryset)


TENANT_FILTER = ("tenant", admin.RelatedOnlyFieldListFilter)
BANK_FIELDSET = (
    gettext_lazy("Bank details"),
    {"fields": ("bank_name", "iban", "bic", "bank_account", "corr_account")},
)


class NationalRowAdmin(admin.ModelAdmin):
    """Rows of a country profile, not of a tenant."""

    def _staff(self, request) -> bool:
        user = request.user
        return (
            user.is_active and user.is_staff and (user.is_superuser or bool(staff_roles(request)))
        )

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def _audit(self, request, obj, verb: str, fields=()) -> None:
        AuditEvent.objects.create(
            tenant=None,
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{verb}",
            detail={"object_id": str(obj.pk), "object": str(obj)[:200], "fields": list(fields)},
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._audit(request, obj, "changed" if change else "added", form.changed_data)

    def delete_model(self, request, obj):
        self._audit(request, obj, "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted")
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(TenantScopedAdmin):
    """Rows that only a service writes: everyone who may see them may look, nobody edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The warehouse's model admins register themselves on import, by area.
from warehouse.admin import (  # noqa: E402, F401
    access,
    accounts,
    imports,
    legal_rows,
    reference,
    tenants,
)
