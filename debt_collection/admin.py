"""Django admin of debt collection. Tenant-owned rows go through warehouse's scoped admin (a
staff user sees their tenants' rows, their role decides what they may do). Rates, policy
periods and contact limits are national rows shared by every tenant: any operator staff may
look, only a superuser edits them — each change audited (untenanted)."""

from django import forms
from django.contrib import admin
from django.template import TemplateSyntaxError

from debt_collection.models import (
    Agency,
    CaseEvent,
    CollectionSettings,
    ContactLimit,
    CourtProceeding,
    DebtCase,
    DunningLevel,
    DunningStep,
    Instalment,
    KeyRate,
    LegalDocument,
    PaymentPlan,
    PenaltyAccrual,
    PenaltyPolicyPeriod,
    PenaltyRule,
    PromiseToPay,
    StatutoryRate,
    SupplierPenaltySetting,
)
from debt_collection.services.dunning.rendering import CONTEXT_NAMES, template_compile
from messaging.models import MessageTemplate
from warehouse.admin import (
    TENANT_FILTER,
    NationalRowAdmin,
    ReadOnlyAdmin,
    TenantScopedAdmin,
    TenantScopedForm,
)


@admin.register(KeyRate)
class KeyRateAdmin(NationalRowAdmin):
    list_display = ("profile", "valid_from", "rate_percent", "source", "note")
    list_filter = ("profile",)


@admin.register(PenaltyPolicyPeriod)
class PenaltyPolicyPeriodAdmin(NationalRowAdmin):
    list_display = ("profile", "name", "kind", "date_from", "date_to", "rate_percent", "source")
    list_filter = ("profile", "kind")


@admin.register(PenaltyRule)
class PenaltyRuleAdmin(NationalRowAdmin):
    list_display = ("profile", "kind", "valid_from", "steps", "daily_rate", "source")
    list_filter = ("profile", "kind")


@admin.register(StatutoryRate)
class StatutoryRateAdmin(NationalRowAdmin):
    list_display = ("profile", "valid_from", "base_percent", "margin_percent", "source", "note")
    list_filter = ("profile",)


@admin.register(ContactLimit)
class ContactLimitAdmin(NationalRowAdmin):
    list_display = (
        "profile",
        "kind",
        "valid_from",
        "per_day",
        "per_week",
        "per_month",
        "working_day_from",
        "working_day_until",
        "weekend_from",
        "weekend_until",
        "citation",
    )
    list_filter = ("profile", "kind")


@admin.register(SupplierPenaltySetting)
class SupplierPenaltySettingAdmin(TenantScopedAdmin):
    tenant_path = "supplier__tenant"
    list_display = ("supplier", "capital_repair", "exempt")


@admin.register(PenaltyAccrual)
class PenaltyAccrualAdmin(ReadOnlyAdmin):
    list_display = ("base_item", "period", "through_date", "cumulative", "amount", "note")
    list_filter = ("period",)


# --- dunning (H3) -------------------------------------------------------------------------------


class MessageTemplateForm(TenantScopedForm):
    """Refuses a subject or body that Django's template engine cannot compile, so a broken
    template never reaches a dunning run."""

    class Meta:
        model = MessageTemplate
        fields = "__all__"
        help_texts = {"body": "Django template; variables: " + ", ".join(CONTEXT_NAMES)}

    def _compiles(self, name: str) -> str:
        text = self.cleaned_data.get(name) or ""
        try:
            template_compile(text)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(f"not a valid template: {exc}") from exc
        return text

    def clean_subject(self):
        return self._compiles("subject")

    def clean_body(self):
        return self._compiles("body")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(TenantScopedAdmin):
    form = MessageTemplateForm
    list_display = ("code", "channel", "subject", "tenant")
    list_filter = ("channel",)


@admin.register(DunningLevel)
class DunningLevelAdmin(TenantScopedAdmin):
    list_display = (
        "position",
        "name",
        "days_past_due",
        "min_debt",
        "action",
        "wait_days",
        "template",
        "tenant",
    )
    list_filter = ("action",)
    ordering = ("tenant", "position")


@admin.register(DunningStep)
class DunningStepAdmin(ReadOnlyAdmin):
    list_display = ("run_date", "account", "level", "cycle", "outcome", "overdue", "message")
    list_filter = ("outcome", "run_date")
    list_select_related = ("account", "level", "message")
    raw_id_fields = ("account", "message", "case")


# --- settings, cases and what agents did: cases are worked on their pages, not here ---------


@admin.register(CollectionSettings)
class CollectionSettingsAdmin(TenantScopedAdmin):
    list_display = (
        "tenant",
        "quiet_hours_start",
        "quiet_hours_end",
        "max_messages_per_week",
        "max_calls_per_day",
        "max_calls_per_week",
        "penalties_enabled",
        "plan_interest_percent",
    )
    list_select_related = ("tenant",)


@admin.register(Agency)
class AgencyAdmin(TenantScopedAdmin):
    list_display = ("name", "tenant", "commission_percent")
    list_filter = (TENANT_FILTER,)
    list_select_related = ("tenant",)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "outcome", "note", "actor")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DebtCase)
class DebtCaseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "tenant", "account", "stage", "assigned_to", "debt_at_open", "opened_at")
    list_filter = (TENANT_FILTER, "stage")
    list_select_related = ("tenant", "account", "assigned_to")
    search_fields = ("account__account_number", "account__payer_name")
    date_hierarchy = "opened_at"
    inlines = [CaseEventInline]


@admin.register(PromiseToPay)
class PromiseToPayAdmin(ReadOnlyAdmin):
    list_display = ("case", "account", "amount", "due_date", "status")
    list_filter = (TENANT_FILTER, "status")
    list_select_related = ("case", "account")


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    can_delete = False
    fields = ("number", "due_date", "amount", "principal_part", "interest_part", "reference")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentPlan)
class PaymentPlanAdmin(ReadOnlyAdmin):
    list_display = ("case", "account", "principal", "interest", "months", "status")
    list_filter = (TENANT_FILTER, "status")
    list_select_related = ("case", "account")
    inlines = [InstalmentInline]


@admin.register(CourtProceeding)
class CourtProceedingAdmin(ReadOnlyAdmin):
    list_display = ("case", "stage", "court_name", "case_number", "amount_claimed", "filed_on")
    list_filter = (TENANT_FILTER, "stage")
    list_select_related = ("case",)


@admin.register(LegalDocument)
class LegalDocumentAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "title", "document_date", "created_at")
    list_filter = (TENANT_FILTER, "kind")
    list_select_related = ("case",)
