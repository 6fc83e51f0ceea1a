"""Legal pages of debt collection: generating and downloading documents, editing their templates,
the court and enforcement steps of a case, collection agencies and their hand-over reports, and
the XLSX of the case list. Views check who may come in, parse the form and call one service.

Who may do what: operator staff of a tenant see its documents, proceedings, agencies and reports;
collectors and operator admins (`selectors.can_work_cases`) generate documents, record court
steps and hand cases over; operator admins edit templates and agencies. Another tenant's rows
are a 404; supplier users and residents get 403 (`staff_required`), anonymous users sign in."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.errors import ApplicationError
from core.money import to_minor
from core.permissions import Permission, allows
from core.ui.forms import form_errors
from debt_collection import selectors
from debt_collection.filters import CaseFilter
from debt_collection.models import (
    Agency,
    AgencyHandover,
    CaseStage,
    CourtProceeding,
    DebtCase,
    DocumentKind,
    LegalDocument,
)
from debt_collection.services import agencies as agency_services
from debt_collection.services import court as court_services
from debt_collection.services.legal_documents import case_lists, generation
from debt_collection.services.legal_documents import templates as document_templates
from warehouse.access import staff_required
from warehouse.models import Tenant
from warehouse.scoping import role_in
from warehouse.selectors import staff_scope, staff_tenant_of, tenants_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoneyField(forms.Field):
    """An amount typed in major units (`1234.50` or `1234,50`) → minor units."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 20})

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if len(value) > 20:
            raise forms.ValidationError(_("Enter an amount like 1234.50."))
        try:
            amount = to_minor(value.replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            raise forms.ValidationError(_("Enter an amount like 1234.50.")) from None
        if amount < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return amount


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, label=gettext_lazy("Document"))
    addressee = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("Addressee (court)"),
        help_text=gettext_lazy("The court the application goes to; for a claim letter, optional."),
    )
    state_fee = MoneyField(required=False, label=gettext_lazy("State fee"))
    document_date = forms.DateField(
        required=False, label=gettext_lazy("Document date"), widget=DATE
    )


class FileForm(forms.Form):
    court_name = forms.CharField(max_length=300, label=gettext_lazy("Court"))
    filed_on = forms.DateField(label=gettext_lazy("Filed on"), widget=DATE)
    amount_claimed = MoneyField(label=gettext_lazy("Amount claimed"))
    state_fee = MoneyField(required=False, label=gettext_lazy("State fee"))
    case_number = forms.CharField(
        max_length=60, required=False, label=gettext_lazy("Court case number")
    )
    hearing_on = forms.DateField(required=False, label=gettext_lazy("Hearing on"), widget=DATE)


class DecideForm(forms.Form):
    decided_on = forms.DateField(label=gettext_lazy("Decided on"), widget=DATE)
    amount_awarded = MoneyField(label=gettext_lazy("Amount awarded"))
    case_number = forms.CharField(
        max_length=60, required=False, label=gettext_lazy("Court case number")
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("Needed when more was awarded than claimed."),
    )


class EnforceForm(forms.Form):
    opened_on = forms.DateField(label=gettext_lazy("Enforcement opened on"), widget=DATE)
    writ_number = forms.CharField(max_length=60, label=gettext_lazy("Writ number"))
    bailiff_office = forms.CharField(max_length=300, label=gettext_lazy("Bailiff office"))


class CollectForm(forms.Form):
    amount = MoneyField(
        required=False,
        label=gettext_lazy("Collected"),
        help_text=gettext_lazy("Leave empty to take the booked payments since enforcement."),
    )


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=gettext_lazy("Closed on"), widget=DATE)


class AgencyForm(forms.Form):
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    commission_percent = forms.CharField(max_length=7, label=gettext_lazy("Commission, %"))
    contact = forms.CharField(max_length=300, required=False, label=gettext_lazy("Contact"))

    def clean_commission_percent(self):
        text = self.cleaned_data["commission_percent"].strip().replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter a percent like 15 or 12.5.")) from None
        if not value.is_finite() or not (0 <= value <= 100) or value.as_tuple().exponent < -2:
            raise forms.ValidationError(_("A percent from 0 to 100, at most 2 decimals."))
        return value


class HandoverForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=gettext_lazy("Agency"))
    handed_on = forms.DateField(label=gettext_lazy("Handed over on"), widget=DATE)
    cases = forms.ModelMultipleChoiceField(
        queryset=DebtCase.objects.none(), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, agencies, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if cases is not None:
            self.fields["cases"].queryset = cases


class TemplateForm(forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 22}),
        label=gettext_lazy("Text"),
        max_length=20000,
    )


PROCEEDING_FORMS = {
    "decide": DecideForm,
    "enforce": EnforceForm,
    "collect": CollectForm,
    "close": CloseForm,
}


# --- access -----------------------------------------------------------------------------------


def _case_or_404(request, pk: int) -> DebtCase:
    case = selectors.case_of(request.user, pk)
    if case is None:
        raise Http404
    return case


def _may_work(request, tenant) -> None:
    if not selectors.can_work_cases(request.user, tenant):
        raise PermissionDenied


def _may_administer(request, tenant) -> None:
    if not allows(role_in(request.user, tenant), Permission.ADMINISTER_COLLECTIONS):
        raise PermissionDenied


def _tenant_from(request) -> Tenant:
    """The tenant named by `?tenant=code` (or the form's `tenant`): `staff_tenant_of`."""
    return staff_tenant_of(request.user, request.GET.get("tenant") or request.POST.get("tenant"))


def _case_page(case: DebtCase) -> str:
    return reverse("case-detail", args=[case.pk]) + "#legal"


def _report(request, exc: ApplicationError) -> None:
    messages.error(request, exc.message)


# --- documents --------------------------------------------------------------------------------


@require_POST
@staff_required
def document_create(request, pk: int):
    case = _case_or_404(request, pk)
    _may_work(request, case.tenant)
    form = DocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_case_page(case))
    data = form.cleaned_data
    try:
        document = generation.document_generate(
            case=case,
            kind=data["kind"],
            actor=request.user,
            addressee=data["addressee"],
            state_fee=data["state_fee"] or 0,
            document_date=data["document_date"],
        )
    except ApplicationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("%(title)s is ready to download.") % {"title": document.title})
    return redirect(_case_page(case))


@staff_required
def document_download(request, pk: int):
    document = staff_scope(request.user, LegalDocument).filter(pk=pk).first()
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = document.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name, content_type=DOCX)


@staff_required
def template_list(request):
    tenant = _tenant_from(request)
    language = document_templates.document_language(tenant)
    rows = [
        (kind, document_templates.template_for(tenant=tenant, kind=kind, language=language))
        for kind in DocumentKind
    ]
    context = {
        "tenant": tenant,
        "tenants": tenants_of(request.user),
        "rows": rows,
        "may_edit": allows(role_in(request.user, tenant), Permission.ADMINISTER_COLLECTIONS),
        "section": "collections",
    }
    return render(request, "debt_collection/legal/templates.html", context)


@staff_required
def template_edit(request, kind: str):
    if kind not in DocumentKind.values:
        raise Http404
    tenant = _tenant_from(request)
    _may_administer(request, tenant)
    language = document_templates.document_language(tenant)
    current = document_templates.template_for(tenant=tenant, kind=kind, language=language)
    form = TemplateForm(
        request.POST or None, initial={"title": current.title, "body": current.body}
    )
    if request.method == "POST":
        if request.POST.get("reset"):
            document_templates.template_reset(
                tenant=tenant, kind=kind, language=language, actor=request.user
            )
            messages.success(request, _("The default text is back."))
            return redirect(reverse("legal-templates") + f"?tenant={tenant.code}")
        if form.is_valid():
            try:
                document_templates.template_save(
                    tenant=tenant,
                    kind=kind,
                    language=language,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error("body", exc.message)
            else:
                messages.success(request, _("The template is saved."))
                return redirect(reverse("legal-templates") + f"?tenant={tenant.code}")
    context = {
        "tenant": tenant,
        "kind": DocumentKind(kind),
        "form": form,
        "own": current.tenant_id is not None,
        "placeholders": PLACEHOLDERS,
        "section": "collections",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "debt_collection/legal/template_edit.html", context, status=status)


PLACEHOLDERS = [
    ("creditor", gettext_lazy("the tenant's name")),
    ("creditor_tax_ids", gettext_lazy("INN/KPP or tax id")),
    ("creditor_address", gettext_lazy("the tenant's address")),
    ("creditor_bank", gettext_lazy("bank details")),
    ("debtor", gettext_lazy("the payer's name")),
    ("debtor_address", gettext_lazy("the premises' address")),
    ("account", gettext_lazy("account number")),
    ("periods", gettext_lazy("first – last period claimed")),
    ("debt_total", gettext_lazy("debt")),
    ("penalty_total", gettext_lazy("penalties")),
    ("state_fee", gettext_lazy("state fee")),
    ("claim_total", gettext_lazy("debt + penalties + fee")),
    ("date", gettext_lazy("document date")),
    ("addressee", gettext_lazy("the court typed by the agent")),
    ("table", gettext_lazy("a paragraph of its own: the per-period table")),
    ("has_penalty", gettext_lazy("true when there are penalties, for {% if %}")),
    ("has_state_fee", gettext_lazy("true when a state fee is claimed")),
]


# --- court and enforcement --------------------------------------------------------------------


@require_POST
@staff_required
def court_file(request, pk: int):
    case = _case_or_404(request, pk)
    _may_work(request, case.tenant)
    form = FileForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_case_page(case))
    data = form.cleaned_data
    try:
        court_services.court_file(
            case=case,
            court_name=data["court_name"],
            filed_on=data["filed_on"],
            amount_claimed=data["amount_claimed"],
            state_fee=data["state_fee"] or 0,
            case_number=data["case_number"],
            hearing_on=data["hearing_on"],
            actor=request.user,
        )
    except ApplicationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("The claim is filed; the case is in court."))
    return redirect(_case_page(case))


@require_POST
@staff_required
def proceeding_action(request, pk: int, action: str):
    proceeding = (
        staff_scope(request.user, CourtProceeding)
        .select_related("case", "tenant")
        .filter(pk=pk)
        .first()
    )
    if proceeding is None or action not in PROCEEDING_FORMS:
        raise Http404
    _may_work(request, proceeding.tenant)
    form = PROCEEDING_FORMS[action](request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_case_page(proceeding.case))
    data = form.cleaned_data
    try:
        if action == "decide":
            court_services.court_decide(
                proceeding=proceeding,
                decided_on=data["decided_on"],
                amount_awarded=data["amount_awarded"],
                case_number=data["case_number"],
                note=data["note"],
                actor=request.user,
            )
        elif action == "enforce":
            court_services.enforcement_open(
                proceeding=proceeding,
                opened_on=data["opened_on"],
                writ_number=data["writ_number"],
                bailiff_office=data["bailiff_office"],
                actor=request.user,
            )
        elif action == "collect":
            court_services.collection_record(
                proceeding=proceeding, amount=data["amount"], actor=request.user
            )
        else:
            court_services.proceeding_close(
                proceeding=proceeding, closed_on=data["closed_on"], actor=request.user
            )
    except ApplicationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Recorded."))
    return redirect(_case_page(proceeding.case))


# --- agencies ---------------------------------------------------------------------------------


def _handover_cases(tenant):
    return (
        DebtCase.objects.filter(tenant=tenant)
        .exclude(stage__in=[CaseStage.CLOSED, CaseStage.AGENCY])
        .select_related("account")
    )


@require_POST
@staff_required
def case_handover(request, pk: int):
    """Hands one case over from its page."""
    case = _case_or_404(request, pk)
    _may_work(request, case.tenant)
    form = HandoverForm(request.POST, agencies=Agency.objects.filter(tenant=case.tenant))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_case_page(case))
    try:
        handover = agency_services.handover_create(
            agency=form.cleaned_data["agency"],
            cases=[case],
            handed_on=form.cleaned_data["handed_on"],
            actor=request.user,
        )
    except ApplicationError as exc:
        _report(request, exc)
        return redirect(_case_page(case))
    messages.success(request, _("Handed over to %(agency)s.") % {"agency": handover.agency.name})
    return redirect(_case_page(case))


@staff_required
def agency_list(request):
    tenant = _tenant_from(request)
    agencies = Agency.objects.filter(tenant=tenant)
    may_work = selectors.can_work_cases(request.user, tenant)
    may_administer = allows(role_in(request.user, tenant), Permission.ADMINISTER_COLLECTIONS)
    agency_form = AgencyForm()
    handover_form = HandoverForm(
        agencies=agencies,
        cases=_handover_cases(tenant),
        initial={"handed_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "agency":
            if not may_administer:
                raise PermissionDenied
            agency_form = AgencyForm(request.POST)
            if agency_form.is_valid():
                try:
                    agency_services.agency_create(
                        tenant=tenant, actor=request.user, **agency_form.cleaned_data
                    )
                except ApplicationError as exc:
                    agency_form.add_error("name", exc.message)
                else:
                    messages.success(request, _("The agency is added."))
                    return redirect(reverse("legal-agencies") + f"?tenant={tenant.code}")
        else:
            if not may_work:
                raise PermissionDenied
            handover_form = HandoverForm(
                request.POST, agencies=agencies, cases=_handover_cases(tenant)
            )
            if handover_form.is_valid():
                try:
                    handover = agency_services.handover_create(
                        agency=handover_form.cleaned_data["agency"],
                        cases=list(handover_form.cleaned_data["cases"]),
                        handed_on=handover_form.cleaned_data["handed_on"],
                        actor=request.user,
                    )
                except ApplicationError as exc:
                    handover_form.add_error(None, exc.message)
                else:
                    return redirect("legal-handover", pk=handover.pk)
        status = 400
    context = {
        "tenant": tenant,
        "tenants": tenants_of(request.user),
        "agencies": agencies,
        "handovers": AgencyHandover.objects.filter(tenant=tenant).select_related("agency")[:50],
        "candidates": _handover_cases(tenant).order_by("account__account_number")[:200],
        "agency_form": agency_form,
        "handover_form": handover_form,
        "may_work": may_work,
        "may_administer": may_administer,
        "section": "collections",
    }
    return render(request, "debt_collection/legal/agencies.html", context, status=status)


def _handover_or_404(request, pk: int) -> AgencyHandover:
    handover = (
        staff_scope(request.user, AgencyHandover)
        .select_related("agency", "tenant")
        .filter(pk=pk)
        .first()
    )
    if handover is None:
        raise Http404
    return handover


@staff_required
def handover_detail(request, pk: int):
    handover = _handover_or_404(request, pk)
    report = agency_services.handover_report(handover=handover)
    context = {"handover": handover, "report": report, "section": "collections"}
    return render(request, "debt_collection/legal/handover.html", context)


@staff_required
def handover_download(request, pk: int):
    handover = _handover_or_404(request, pk)
    data = agency_services.handover_xlsx(agency_services.handover_report(handover=handover))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    name = f"handover-{handover.pk}-{handover.handed_on:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the case list ----------------------------------------------------------------------------


@staff_required
def cases_download(request):
    """The queue's cases (its filters: tenant, stage, agent…) as XLSX, up to 5000 rows."""
    on = timezone.localdate()
    rows = selectors.queue_annotated(selectors.cases_of(request.user), on=on)
    filterset = CaseFilter(request.GET or None, queryset=rows, request=request)
    if not filterset.is_valid():
        return HttpResponse(form_errors(filterset.form), status=400, content_type="text/plain")
    cases = DebtCase.objects.filter(pk__in=filterset.qs.values("pk")[:5000]).order_by(
        "tenant", "account__account_number"
    )
    try:
        data = case_lists.case_list_xlsx(cases=cases, as_of=on)
    except ApplicationError as exc:  # e.g. a penalty rate is missing
        return HttpResponse(exc.message, status=409, content_type="text/plain")
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="cases-{on:%Y%m%d}.xlsx"'
    return response
