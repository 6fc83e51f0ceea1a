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

Every change made here writes an `AuditEvent` in the same transaction as the change."""

import codecs

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import format_minor
from core.permissions import Permission, roles_with
from warehouse.countries import country_named
from warehouse.models import (
    Account,
    AccountHolder,
    AccountLink,
    AuditEvent,
    Building,
    CalendarDay,
    ClosedPeriod,
    DueDateRule,
    ImportBatch,
    MappingProfile,
    Membership,
    Premises,
    Role,
    Service,
    SourceFormat,
    Supplier,
    SupplierServiceCode,
    Tenant,
    UnmatchedLine,
    User,
)
from warehouse.scoping import SCOPE_PATHS, scope
from warehouse.services.charge_rows import CANONICAL
from warehouse.validation import bank_details_errors, inn_error, kpp_error

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


class BankDetailsForm(TenantScopedForm):
    """Bank details and tax ids checked against the tenant's country profile."""

    def country_profile(self) -> str | None:
        raise NotImplementedError

    def clean_iban(self):
        return (self.cleaned_data.get("iban") or "").replace(" ", "").upper()

    def clean_bic(self):
        return (self.cleaned_data.get("bic") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        profile = self.country_profile()
        if profile:
            self._check_bank_details(profile, cleaned)
            self._check_tax_ids(profile, cleaned)
        return cleaned

    def _check_bank_details(self, profile, cleaned):
        errors = bank_details_errors(
            profile,
            iban=cleaned.get("iban", ""),
            bic=cleaned.get("bic", ""),
            bank_account=cleaned.get("bank_account", ""),
            corr_account=cleaned.get("corr_account", ""),
        )
        country = country_named(profile)
        for field, reason in errors:
            if country.uses_iban and field == "bic" and not cleaned.get("bic"):
                continue  # a BIC is optional with an IBAN (as in tenant_setup)
            self.add_error({"account": "bank_account"}.get(field, field), reason)
        unused = ("bank_account", "corr_account") if country.uses_iban else ("iban",)
        for field in unused:
            if cleaned.get(field):
                self.add_error(
                    field, _("not used by the %(profile)s profile") % {"profile": profile}
                )

    def _check_tax_ids(self, profile, cleaned):
        if not country_named(profile).uses_ru_bank_details:  # INN and KPP are Russian
            return
        inn, kpp = cleaned.get("inn", ""), cleaned.get("kpp", "")
        reason = inn_error(inn)
        if reason:
            self.add_error("inn", reason)
        if kpp or len(inn) == 10:  # a legal entity (10-digit INN) has a KPP
            reason = kpp_error(kpp)
            if reason:
                self.add_error("kpp", reason)


class TenantForm(BankDetailsForm):
    def country_profile(self):
        return self.cleaned_data.get("profile")


class SupplierForm(BankDetailsForm):
    def country_profile(self):
        tenant = self.cleaned_data.get("tenant")
        if tenant is None and self.instance.tenant_id:
            tenant = self.instance.tenant
        return tenant.profile if tenant else None


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


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    form = TenantForm
    tenant_path = "pk"
    superuser_actions = frozenset({ADD, DELETE})
    list_display = ("code", "name", "profile", "currency", "locale", "due_day")
    search_fields = ("code", "name")
    fieldsets = (
        (None, {"fields": ("code", "name", "profile", "currency", "locale", "timezone")}),
        (gettext_lazy("Billing"), {"fields": ("due_day", "address")}),
        (gettext_lazy("Tax ids"), {"fields": ("inn", "kpp", "tax_id")}),
        BANK_FIELDSET,
    )


class SupplierServiceCodeInline(TenantScopedInline):
    model = SupplierServiceCode
    fields = ("external_code", "service")


@admin.register(Supplier)
class SupplierAdmin(TenantScopedAdmin):
    form = SupplierForm
    inlines = [SupplierServiceCodeInline]
    list_display = ("code", "name", "tenant", "inn", "commission_percent", "registry_format")
    list_filter = (TENANT_FILTER, "registry_format")
    list_select_related = ("tenant",)
    search_fields = ("code", "name", "inn", "tax_id")
    fieldsets = (
        (None, {"fields": ("tenant", "code", "name")}),
        (gettext_lazy("Tax ids"), {"fields": ("inn", "kpp", "tax_id")}),
        BANK_FIELDSET,
        (
            gettext_lazy("Contract"),
            {
                "fields": (
                    "commission_percent",
                    "commission_fixed",
                    "commission_min",
                    "commission_max",
                )
            },
        ),
        (
            gettext_lazy("Integration"),
            {"fields": ("webhook_url", "webhook_secret", "registry_format")},
        ),
    )


@admin.register(Service)
class ServiceAdmin(TenantScopedAdmin):
    list_display = ("code", "name", "unit", "tenant")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant",)
    search_fields = ("code", "name")


@admin.register(Building)
class BuildingAdmin(TenantScopedAdmin):
    list_display = ("address", "tenant")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant",)
    search_fields = ("address",)


@admin.register(Premises)
class PremisesAdmin(TenantScopedAdmin):
    list_display = ("__str__", "number", "tenant")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant", "building")
    search_fields = ("building__address", "number")
    autocomplete_fields = ("building",)


class AccountLinkInline(TenantScopedInline):
    model = AccountLink
    fields = ("supplier", "external_number")


@admin.register(Account)
class AccountAdmin(TenantScopedAdmin):
    inlines = [AccountLinkInline]
    list_display = ("account_number", "payer_name", "premises", "tenant", "is_active")
    list_filter = (TENANT_FILTER, "is_active")
    list_select_related = ("tenant", "premises__building")
    search_fields = ("account_number", "payer_name")
    autocomplete_fields = ("premises",)
    fieldsets = (
        (None, {"fields": ("tenant", "account_number", "premises", "payer_name")}),
        (
            gettext_lazy("Contact and consent"),
            {"fields": ("phone", "email", "sms_consent", "email_consent")},
        ),
        (
            gettext_lazy("Billing"),
            {
                "fields": (
                    "area_m2",
                    "residents",
                    "delivery_route",
                    "verification_code",
                    "is_active",
                )
            },
        ),
    )


@admin.register(AccountLink)
class AccountLinkAdmin(TenantScopedAdmin):
    list_display = ("external_number", "supplier", "account", "tenant")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant", "supplier", "account")
    search_fields = ("external_number", "account__account_number")
    autocomplete_fields = ("account",)


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    # Roles are granted by operator admins only: an accountant must not promote themselves.
    role_actions = {
        Role.OPERATOR_ADMIN: ROLE_ACTIONS[Role.OPERATOR_ADMIN],
        Role.ACCOUNTANT: frozenset({VIEW}),
        Role.COLLECTOR: frozenset({VIEW}),
    }
    list_display = ("user", "tenant", "role", "supplier")
    list_filter = (TENANT_FILTER, "role")
    list_select_related = ("user", "tenant", "supplier")
    search_fields = ("user__username", "user__email")


@admin.register(AccountHolder)
class AccountHolderAdmin(TenantScopedAdmin):
    tenant_path = "account__tenant"
    list_display = ("user", "account", "linked_at")
    list_select_related = ("user", "account")
    search_fields = ("user__username", "account__account_number")
    autocomplete_fields = ("account",)


@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    """The audit log is read-only, for everyone."""

    list_display = ("created_at", "action", "tenant", "actor")
    list_filter = (TENANT_FILTER, "action")
    list_select_related = ("tenant", "actor")
    search_fields = ("action",)
    readonly_fields = ("created_at", "tenant", "actor", "action", "detail")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People are managed by superusers only; roles are granted through memberships."""

    fieldsets = (*DjangoUserAdmin.fieldsets, (gettext_lazy("Contact"), {"fields": ("phone",)}))

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request)


# --- charge imports ---------------------------------------------------------------------------


class ReadOnlyAdmin(TenantScopedAdmin):
    """Rows that only a service writes: everyone who may see them may look, nobody edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MappingProfileForm(TenantScopedForm):
    """The same rules as `profiles_setup` applies to a profile file: canonical column names,
    a header name or a 1-based position for each, mappings for the maps, a known encoding."""

    class Meta:
        widgets = {
            name: forms.Textarea(attrs={"rows": 4, "cols": 70, "class": "vLargeTextField"})
            for name in ("columns", "service_map", "constants")
        }

    def clean_columns(self):
        columns = self.cleaned_data.get("columns") or {}
        if not isinstance(columns, dict):
            raise forms.ValidationError(
                _("columns map canonical names to header names or 1-based positions")
            )
        problems = []
        for key, value in columns.items():
            if key not in CANONICAL:
                problems.append(
                    _("%(key)s is not a canonical column (%(names)s)")
                    % {"key": key, "names": ", ".join(CANONICAL)}
                )
            elif not (isinstance(value, str) and value.strip()) and not (
                isinstance(value, int) and not isinstance(value, bool) and value >= 1
            ):
                problems.append(
                    _("%(key)s: a header name or a 1-based column position") % {"key": key}
                )
        if problems:
            raise forms.ValidationError(problems)
        return columns

    def _mapping(self, name):
        value = self.cleaned_data.get(name) or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_('must be a mapping, e.g. {"key": "value"}'))
        return {str(k): str(v) for k, v in value.items()}

    def clean_service_map(self):
        return self._mapping("service_map")

    def clean_constants(self):
        constants = self._mapping("constants")
        unknown = [key for key in constants if key not in CANONICAL]
        if unknown:
            raise forms.ValidationError(
                _("not canonical columns: %(keys)s") % {"keys": ", ".join(unknown)}
            )
        return constants

    def clean_encoding(self):
        encoding = (self.cleaned_data.get("encoding") or "").strip()
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError as exc:
                raise forms.ValidationError(_("unknown encoding")) from exc
        return encoding

    def clean_decimal_mark(self):
        mark = self.cleaned_data.get("decimal_mark") or ""
        if mark not in ("", ".", ","):
            raise forms.ValidationError(_("the decimal mark is . or , (blank: detect)"))
        return mark

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source_format") == SourceFormat.SQL and not (
            cleaned.get("sql_url") and cleaned.get("sql_query")
        ):
            self.add_error("sql_url", _("a SQL profile needs an SQLAlchemy URL and a query"))
        return cleaned  # a supplier of another tenant: TenantScopedForm refuses it


@admin.register(MappingProfile)
class MappingProfileAdmin(TenantScopedAdmin):
    form = MappingProfileForm
    list_display = ("name", "supplier", "source_format", "tenant")
    list_filter = (TENANT_FILTER, "source_format")
    list_select_related = ("tenant", "supplier")
    search_fields = ("name", "supplier__code", "supplier__name")
    fieldsets = (
        (None, {"fields": ("tenant", "supplier", "name", "source_format")}),
        (
            gettext_lazy("Layout"),
            {
                "fields": (
                    "columns",
                    "has_header",
                    "skip_rows",
                    "sheet",
                    "encoding",
                    "separator",
                    "decimal_mark",
                    "date_format",
                )
            },
        ),
        (gettext_lazy("Values"), {"fields": ("service_map", "constants")}),
        (gettext_lazy("SQL pull"), {"fields": ("sql_url", "sql_query")}),
    )


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Batches are written by the importer only; the staff page shows the report."""

    list_display = (
        "id",
        "created_at",
        "tenant",
        "supplier",
        "period",
        "version",
        "status",
        "rows_total",
        "rows_rejected",
        "rows_unmatched",
        "amount",
    )
    list_filter = (TENANT_FILTER, "status", "period")
    list_select_related = ("tenant", "supplier")
    search_fields = ("filename", "sha256", "supplier__code", "supplier__name")
    date_hierarchy = "created_at"
    fields = (
        "tenant",
        "supplier",
        "period",
        "version",
        "status",
        "profile",
        "source_format",
        "filename",
        "sha256",
        "stored_file",
        "rows_total",
        "rows_valid",
        "rows_rejected",
        "rows_unmatched",
        "amount",
        "message",
        "report_summary",
        "superseded_by",
        "created_by",
        "created_at",
        "posted_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("report")

    @admin.display(description=gettext_lazy("amount"))
    def amount(self, obj):
        return f"{format_minor(obj.amount_total)} {obj.tenant.currency}"

    @admin.display(description=gettext_lazy("report"))
    def report_summary(self, obj):
        return format_html(
            '{} <a href="{}">{}</a>',
            _("%(n)s problem(s)") % {"n": len(obj.report or [])},
            reverse("import-batch", args=[obj.pk]),
            _("open the batch page"),
        )


@admin.register(UnmatchedLine)
class UnmatchedLineAdmin(TenantScopedAdmin):
    """The mapping queue is worked on its staff page (linking writes the account link and the
    audit row together); here it can be looked at, and a junk entry deleted."""

    list_display = ("supplier_account", "supplier", "batch", "resolved_account", "resolved_at")
    list_filter = (TENANT_FILTER, ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("tenant", "supplier", "batch", "resolved_account")
    search_fields = ("supplier_account", "supplier__code")
    fields = ("tenant", "supplier", "supplier_account", "batch", "lines", "resolved_account")
    readonly_fields = (*fields, "resolved_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdmin):
    """Periods are closed by invoicing (`period_lock`), never by hand."""

    list_display = ("period", "tenant", "closed_at", "closed_by")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant", "closed_by")
    fields = ("tenant", "period", "closed_at", "closed_by")
    readonly_fields = fields


@admin.register(DueDateRule)
class DueDateRuleAdmin(NationalRowAdmin):
    list_display = ("profile", "valid_from", "day", "documents_by_day", "source")
    list_filter = ("profile",)


@admin.register(CalendarDay)
class CalendarDayAdmin(NationalRowAdmin):
    list_display = ("profile", "day", "kind", "source")
    list_filter = ("profile", "kind")
    date_hierarchy = "day"
