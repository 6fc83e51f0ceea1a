"""The warehouse pages: the operator's overview of its tenants and the charge-import pages
(upload, the batch list, a batch with its report, the mapping queue). Views check who may come
in, parse input and call one service; the reads are in `warehouse.selectors`, visibility is
`warehouse.scoping.scope()`.

Import pages: every operator staff member may look; operator admins and accountants of the
batch's tenant may upload, re-run and work the mapping queue (`Permission.IMPORT`), anyone else
gets 403 on those actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.encodings import encoding_name
from core.errors import ApplicationError
from core.money import format_minor
from core.ui.forms import form_errors
from warehouse import selectors
from warehouse.access import staff_required
from warehouse.filters import ImportBatchFilter
from warehouse.forms import ChargeUploadForm, ImportTargetForm, LinkAccountForm, NewAccountForm
from warehouse.models import BatchStatus, SourceFormat
from warehouse.reports import report_xlsx
from warehouse.selectors_imports import (
    FileUnavailable,
    batch_counts,
    batch_message,
    batches_diff,
    previous_version,
    report_rows,
)
from warehouse.services.charges import ImportOutcome, batch_rerun, charges_import
from warehouse.services.import_uploads import upload_keep, upload_kept
from warehouse.services.mapping_queue import unmatched_create_account, unmatched_link
from warehouse.tables import ImportBatchTable

BATCHES_PER_PAGE = 25
QUEUE_PER_PAGE = 50


def _render(request, template: str, context: dict | None = None, *, section: str = ""):
    context = {
        "roles": selectors.user_roles(request.user),
        "section": section,
        **(context or {}),
    }
    return render(request, template, context)


@staff_required
def staff_home(request):
    tenants = selectors.tenant_overview(request.user)
    return _render(request, "warehouse/staff_home.html", {"tenants": tenants}, section="staff")


@staff_required
def staff_tenant(request, code: str):
    tenant = get_object_or_404(selectors.tenants_visible(request.user), code=code)
    detail = selectors.tenant_detail(request.user, tenant)
    suppliers = [
        {
            "supplier": s,
            "fixed": format_minor(s.commission_fixed),
            "min": format_minor(s.commission_min),
            "max": None if s.commission_max is None else format_minor(s.commission_max),
        }
        for s in detail.suppliers
    ]
    context = {
        "tenant": tenant,
        "detail": detail,
        "suppliers": suppliers,
        "batches": selectors.recent_batches(request.user, tenant),
        "may_import": selectors.can_import(request.user, tenant.pk),
    }
    return _render(request, "warehouse/staff_tenant.html", context, section="staff")


def _announce(request, outcome: ImportOutcome) -> None:
    """The outcome of an import as a message on the next page (the batch page, which shows the
    importer's own message and the report)."""
    batch = outcome.batch
    names = {"supplier": batch.supplier.name, "period": batch.period, "version": batch.version}
    if outcome.status == "posted":
        messages.success(
            request, _("Posted: %(supplier)s %(period)s, version %(version)s.") % names
        )
    elif outcome.status == "already_posted":
        messages.info(
            request,
            _("Already posted: the file is identical to version %(version)s; nothing changed.")
            % names,
        )
    else:
        messages.error(request, _("Rejected: nothing was posted; the report lists every problem."))


def _batch_or_404(request, pk: int):
    batch = selectors.batch_get(request.user, pk)
    if batch is None:
        raise Http404
    return batch


@staff_required
def import_list(request):
    filterset = ImportBatchFilter(
        request.GET or None, queryset=selectors.batch_list(request.user), request=request
    )
    table = ImportBatchTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": BATCHES_PER_PAGE}).configure(table)
    context = {
        "filter": filterset,
        "table": table,
        "may_import": selectors.import_tenants(request.user).exists(),
    }
    return _render(request, "warehouse/imports/list.html", context, section="imports")


def _upload_target(request, source) -> tuple[ImportTargetForm, object, object]:
    """The first step's form and its tenant and supplier (None until chosen)."""
    target = ImportTargetForm(source if source.get("tenant") else None, user=request.user)
    tenants = target.fields["tenant"].queryset
    tenant = supplier = None
    if target.is_bound and target.is_valid():
        tenant, supplier = target.cleaned_data["tenant"], target.cleaned_data.get("supplier")
    elif not target.is_bound and tenants.count() == 1:
        tenant = tenants.first()
        target = ImportTargetForm(initial={"tenant": tenant.code}, user=request.user)
    return target, tenant, supplier


@staff_required
def import_upload(request):
    """Step one (GET): the tenant, then its supplier. Step two (POST): the period, the profile
    (the supplier's last used one preselected) and the file. A failed step two keeps the file
    (`kept`, a signed token), through step one too when the supplier must be chosen again."""
    if not selectors.import_tenants(request.user).exists():
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    target, tenant, supplier = _upload_target(request, source)
    kept = upload_kept(token=source.get("kept", ""), user=request.user)
    form = None
    if request.method == "POST":
        form = ChargeUploadForm(
            request.POST,
            request.FILES,
            user=request.user,
            tenant=tenant,
            supplier=supplier,
            kept_name=kept.name if kept else "",
        )
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            content, name = (upload.read(), upload.name) if upload else (kept.data, kept.name)
            try:
                outcome = charges_import(
                    tenant=data["tenant"],
                    supplier=data["supplier"],
                    period=data["period"],
                    data=content,
                    filename=name,
                    profile=data["profile"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                _announce(request, outcome)
                return redirect("import-batch", pk=outcome.batch.pk)
        kept = _keep_file(request, form) or kept
        form.keep(kept.name if kept else "")
    elif supplier is not None:
        initial = {"period": request.GET["period"]} if request.GET.get("period") else {}
        form = ChargeUploadForm(
            user=request.user,
            tenant=tenant,
            supplier=supplier,
            initial=initial,
            kept_name=kept.name if kept else "",
        )
    context = {
        "target": target,
        "tenant": tenant,
        "supplier": supplier,
        "form": form,
        "kept": kept,
        "kept_token": kept.token if kept else "",
    }
    return _render(request, "warehouse/imports/upload.html", context, section="imports")


def _keep_file(request, form: ChargeUploadForm):
    """The newly chosen file of a failed form, kept for the next try (None: none chosen)."""
    upload = form.files.get("file")
    if upload is None:
        return None
    upload.seek(0)
    data = upload.read()
    token = upload_keep(data=data, filename=upload.name, user=request.user)
    return upload_kept(token=token, user=request.user)


@staff_required
def import_batch(request, pk: int):
    batch = _batch_or_404(request, pk)
    report = batch.report or []
    may_import = selectors.can_import(request.user, batch.tenant_id)
    previous = previous_version(batch)
    context = {
        "batch": batch,
        "message": batch_message(batch),
        "counts": batch_counts(batch),
        "amount": format_minor(batch.amount_total),
        "encoding_name": encoding_name(batch.encoding) if batch.encoding else "",
        "report": report_rows(selectors.report_lines(batch)),
        "report_total": len(report),
        "report_shown": min(len(report), selectors.REPORT_LINES_SHOWN),
        "unmatched": selectors.batch_unmatched(batch),
        "previous": previous,
        "may_rerun": may_import
        and batch.status == BatchStatus.REJECTED
        and bool(batch.stored_file),
    }
    return _render(request, "warehouse/imports/batch.html", context, section="imports")


@staff_required
def import_diff(request, pk: int):
    """Two files of a supplier for a period side by side: this batch against the version
    before it (or `?against=<batch>`, another file of the same supplier and period)."""
    batch = _batch_or_404(request, pk)
    against = request.GET.get("against")
    if against and against.isdigit():
        other = selectors.batch_get(request.user, int(against))
        if other is None or (other.supplier_id, other.period) != (batch.supplier_id, batch.period):
            raise Http404
    else:
        other = previous_version(batch)
    diff, unavailable = None, None
    if other is not None:
        try:
            diff = batches_diff(other, batch)
        except FileUnavailable as exc:
            unavailable = exc.args[0]
    groups = []
    if diff is not None:
        groups = [
            (pgettext("line of a file", "added"), "posted", diff.added),
            (pgettext("line of a file", "removed"), "rejected", diff.removed),
            (pgettext("line of a file", "changed"), "validated", diff.changed),
        ]
    context = {
        "batch": batch,
        "other": other,
        "diff": diff,
        "groups": groups,
        "unavailable": unavailable,
        "versions": list(
            selectors.batch_list(request.user)
            .filter(supplier=batch.supplier, period=batch.period)
            .exclude(pk=batch.pk)
            .exclude(source_format=SourceFormat.PENALTY)
        ),
    }
    return _render(request, "warehouse/imports/diff.html", context, section="imports")


@staff_required
def import_report(request, pk: int):
    batch = _batch_or_404(request, pk)
    response = HttpResponse(report_xlsx(batch.report or []), content_type=XLSX_CONTENT_TYPE)
    name = f"{batch.supplier.code}-{batch.period}-batch{batch.pk}-report.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@staff_required
def import_rerun(request, pk: int):
    batch = _batch_or_404(request, pk)
    if not selectors.can_import(request.user, batch.tenant_id):
        raise PermissionDenied
    if batch.status != BatchStatus.REJECTED:
        messages.error(request, _("Only a rejected batch can run again."))
        return redirect("import-batch", pk=batch.pk)
    try:
        outcome = batch_rerun(batch=batch, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("import-batch", pk=batch.pk)
    _announce(request, outcome)
    return redirect("import-batch", pk=outcome.batch.pk)


# --- the mapping queue ------------------------------------------------------------------------


@staff_required
def mapping_queue(request):
    """One row per unknown supplier account number, with the batches it turned up in."""
    page = Paginator(selectors.unmatched_numbers(request.user), QUEUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    batches = selectors.unmatched_batches(request.user, page)
    editable = set(selectors.import_tenants(request.user).values_list("pk", flat=True))
    context = {
        "page": page,
        "entries": [
            {
                "entry": entry,
                "batches": batches[entry.pk],
                "may_edit": entry.tenant_id in editable,
                "link_form": LinkAccountForm(auto_id=f"link-{entry.pk}-%s"),
                "new_form": NewAccountForm(auto_id=f"new-{entry.pk}-%s"),
            }
            for entry in page
        ],
        "ready": [
            batch
            for batch in selectors.batches_ready_to_rerun(request.user)
            if batch.tenant_id in editable
        ],
    }
    return _render(request, "warehouse/imports/mapping_queue.html", context, section="mapping")


def _queue_entry(request, pk: int):
    entry = selectors.unmatched_get(request.user, pk)
    if entry is None:
        raise Http404
    if not selectors.can_import(request.user, entry.tenant_id):
        raise PermissionDenied
    return entry


@require_POST
@staff_required
def mapping_link(request, pk: int):
    entry = _queue_entry(request, pk)
    form = LinkAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("mapping-queue")
    number = form.cleaned_data["account_number"].strip()
    account = selectors.account_in_tenant(request.user, entry.tenant_id, number)
    if account is None:
        messages.error(
            request,
            _("There is no account %(number)s in %(tenant)s.")
            % {"number": number, "tenant": entry.tenant.name},
        )
        return redirect("mapping-queue")
    try:
        unmatched_link(line=entry, account=account, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(supplier)s:%(number)s is linked to account %(account)s.")
            % {
                "supplier": entry.supplier.code,
                "number": entry.supplier_account,
                "account": account.account_number,
            },
        )
    return redirect("mapping-queue")


@require_POST
@staff_required
def mapping_create(request, pk: int):
    entry = _queue_entry(request, pk)
    form = NewAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("mapping-queue")
    try:
        account = unmatched_create_account(line=entry, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Account %(account)s was created and %(supplier)s:%(number)s linked to it.")
            % {
                "account": account.account_number,
                "supplier": entry.supplier.code,
                "number": entry.supplier_account,
            },
        )
    return redirect("mapping-queue")
