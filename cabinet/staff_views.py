"""The staff side of the cabinet: the queue of residents' requests (assign, answer, close) and the
meter readings import and export. Operator staff of a request's tenant see it (`staff_scope`);
reading imports are for those who may import charges (operator admin, accountant)."""

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from cabinet.models import MeterReading, ReadingStatus, RequestKind, RequestStatus, ServiceRequest
from cabinet.requests_views import MultipleFileField, timeline
from cabinet.services.readings import readings_export, readings_import
from cabinet.services.requests import request_answer, request_assign, request_close
from core.documents.csv import CSV_CONTENT_TYPE
from core.errors import ApplicationError
from core.permissions import Permission, roles_with
from core.ui.tables import TABLE_TEMPLATE
from warehouse.access import staff_required
from warehouse.filters import tenant_filter
from warehouse.models import Supplier, Tenant, User
from warehouse.selectors import import_tenants, staff_scope

REQUESTS_PER_PAGE = 50


def _staff_users(request):
    tenants = staff_scope(request.user, Tenant)
    return (
        User.objects.filter(
            memberships__tenant__in=tenants,
            memberships__role__in=roles_with(Permission.VIEW_STAFF_PAGES),
        )
        .distinct()
        .order_by("username")
    )


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=RequestStatus.choices, label=gettext_lazy("Status"), empty_label=gettext_lazy("Any")
    )
    kind = django_filters.ChoiceFilter(
        choices=RequestKind.choices, label=gettext_lazy("Kind"), empty_label=gettext_lazy("Any")
    )
    tenant = tenant_filter()
    assigned_to = django_filters.ModelChoiceFilter(
        queryset=_staff_users, label=gettext_lazy("Assignee"), empty_label=gettext_lazy("Anyone")
    )

    class Meta:
        model = ServiceRequest
        fields = ["status", "kind", "tenant", "assigned_to"]


class RequestTable(tables.Table):
    id = tables.Column(verbose_name=gettext_lazy("Request"))
    created_at = tables.Column(verbose_name=gettext_lazy("Filed"))
    tenant = tables.Column(accessor="tenant__code", verbose_name=gettext_lazy("Tenant"))
    account = tables.Column(
        accessor="account__account_number", verbose_name=gettext_lazy("Account")
    )
    kind = tables.Column(verbose_name=gettext_lazy("Kind"))
    subject = tables.Column(verbose_name=gettext_lazy("Subject"))
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    assigned_to = tables.Column(
        accessor="assigned_to__username", verbose_name=gettext_lazy("Assignee"), default="—"
    )

    class Meta:
        model = ServiceRequest
        fields = ()
        sequence = (
            "id",
            "created_at",
            "tenant",
            "account",
            "kind",
            "subject",
            "status",
            "assigned_to",
        )
        order_by = ("-created_at",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = gettext_lazy("No requests match.")

    def render_id(self, value):
        return format_html('<a href="{}">#{}</a>', reverse("staff-request", args=[value]), value)

    def render_created_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def render_status(self, value, record):
        return format_html(
            '<span class="badge badge-{}">{}</span>',
            record.status,
            record.get_status_display(),
        )


@staff_required
def request_queue(request):
    rows = staff_scope(request.user, ServiceRequest).select_related(
        "tenant", "account", "assigned_to"
    )
    filterset = RequestFilter(request.GET or None, queryset=rows, request=request)
    table = RequestTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": REQUESTS_PER_PAGE}).configure(table)
    context = {"filter": filterset, "table": table, "section": "requests"}
    return render(request, "cabinet/requests/staff_queue.html", context)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Assignee"))

    def __init__(self, *args, tenant_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            User.objects.filter(
                memberships__tenant_id=tenant_id,
                memberships__role__in=roles_with(Permission.VIEW_STAFF_PAGES),
            )
            .distinct()
            .order_by("username")
        )


class AnswerForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(
        label=gettext_lazy("Internal note (the resident does not see it)"), required=False
    )
    files = MultipleFileField(label=gettext_lazy("Files"), required=False)


def _request_or_404(request, pk: int) -> ServiceRequest:
    found = (
        staff_scope(request.user, ServiceRequest)
        .select_related("tenant", "account__premises__building", "created_by", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _detail(request, service_request, *, assign_form=None, answer_form=None, status=200):
    context = {
        "req": service_request,
        "timeline": timeline(service_request),
        "notes": service_request.messages.filter(internal=True).select_related("author"),
        "first_files": service_request.attachments.filter(message__isnull=True),
        "assign_form": assign_form or AssignForm(tenant_id=service_request.tenant_id),
        "answer_form": answer_form or AnswerForm(),
        "closed": service_request.status == RequestStatus.CLOSED,
        "section": "requests",
    }
    return render(request, "cabinet/requests/staff_detail.html", context, status=status)


@staff_required
def request_detail(request, pk: int):
    return _detail(request, _request_or_404(request, pk))


@require_POST
@staff_required
def request_assign_view(request, pk: int):
    service_request = _request_or_404(request, pk)
    form = AssignForm(request.POST, tenant_id=service_request.tenant_id)
    if not form.is_valid():
        return _detail(request, service_request, assign_form=form, status=400)
    try:
        request_assign(
            request=service_request, assignee=form.cleaned_data["assignee"], actor=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request assigned."))
    return redirect("staff-request", pk=pk)


@require_POST
@staff_required
def request_answer_view(request, pk: int):
    service_request = _request_or_404(request, pk)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            request_answer(
                request=service_request,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                internal=form.cleaned_data["internal"],
                actor=request.user,
            )
        except ApplicationError as exc:
            form.add_error(
                "files" if exc.code.startswith(("attachment", "internal")) else None, exc.message
            )
        else:
            messages.success(
                request, _("Note saved.") if form.cleaned_data["internal"] else _("Answer sent.")
            )
            return redirect("staff-request", pk=pk)
    return _detail(request, service_request, answer_form=form, status=400)


@require_POST
@staff_required
def request_close_view(request, pk: int):
    service_request = _request_or_404(request, pk)
    try:
        request_close(request=service_request, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request closed."))
    return redirect("staff-request", pk=pk)


# --- meter readings ---------------------------------------------------------------------------


class ImportForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), to_field_name="code", label=gettext_lazy("Tenant")
    )
    file = forms.FileField(
        label=gettext_lazy("Readings file (CSV)"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = import_tenants(user).order_by("code")
        # The column names are the file's literal header: shown as code, never translated.
        code = {
            name: format_html("<code>{}</code>", name)
            for name in ("account_number", "serial", "value", "date")
        }
        self.fields["file"].help_text = format_html(
            _("Columns: {account_number} or {serial}, {value}, {date} (YYYY-MM-DD)."),
            **code,
        )


class ExportForm(forms.Form):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.none(), label=gettext_lazy("Supplier")
    )
    period = forms.RegexField(
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        label=gettext_lazy("Period"),
        help_text=gettext_lazy("YYYY-MM"),
        error_messages={"invalid": gettext_lazy("Enter the period as YYYY-MM.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = (
            staff_scope(user, Supplier).select_related("tenant").order_by("tenant__code", "code")
        )
        self.fields["supplier"].label_from_instance = lambda s: f"{s.tenant.code} · {s.name}"


@staff_required
def readings_page(request):
    import_form = ImportForm(user=request.user)
    export_form = ExportForm(request.GET or None, user=request.user)
    report = None
    status = 200
    if request.method == "POST":
        import_form = ImportForm(request.POST, request.FILES, user=request.user)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            try:
                report = readings_import(
                    tenant=import_form.cleaned_data["tenant"],
                    data=upload.read(),
                    filename=upload.name,
                    actor=request.user,
                )
            except ApplicationError as exc:
                import_form.add_error("file", exc.message)
                status = 400
        else:
            status = 400
    elif request.GET and export_form.is_valid():
        supplier = export_form.cleaned_data["supplier"]
        period = export_form.cleaned_data["period"]
        response = HttpResponse(
            readings_export(supplier=supplier, period=period),
            content_type=CSV_CONTENT_TYPE,
        )
        filename = f"readings-{supplier.tenant.code}-{supplier.code}-{period}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    context = {
        "import_form": import_form,
        "export_form": export_form,
        "report": report,
        "recent": _recent_readings(request.user),
        "section": "readings",
    }
    return render(request, "cabinet/readings/staff.html", context, status=status)


RECENT_READINGS = 30


def _recent_readings(user):
    """The latest accepted readings of the staff's tenants (refusals are never stored as
    readings; rows kept as refused from before are left out)."""
    return (
        staff_scope(user, MeterReading)
        .filter(status=ReadingStatus.ACCEPTED)
        .select_related("meter__service", "meter__supplier", "meter__tenant")
        .order_by("-submitted_at", "-id")[:RECENT_READINGS]
    )
