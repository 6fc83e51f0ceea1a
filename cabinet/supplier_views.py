"""The supplier's cabinet (/supplier/): the payments in its favour (live list, filters, totals per
day), its payouts (its registries are splitting's page under /supplier/registries/, already
scoped to the supplier), its share of the tenants' debt with aging, and CSV/XLSX downloads of
each. Only users with a supplier membership come in (anyone else: 403); a user working for
several suppliers picks one with `?supplier=<id>` — an id not theirs is a 404."""

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cabinet import supplier_selectors as sel
from core.documents.csv import CSV_CONTENT_TYPE, csv_text
from core.documents.xlsx import (
    XLSX_CONTENT_TYPE,
    add_sheet,
    append_row,
    new_workbook,
    workbook_bytes,
)
from core.money import to_major
from splitting.models import Allocation, Channel

PER_PAGE = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PaymentShareFilter(django_filters.FilterSet):
    """Dates are days of the tenant's time zone."""

    date_from = django_filters.DateFilter(
        label=gettext_lazy("From"), method="filter_from", widget=DATE
    )
    date_to = django_filters.DateFilter(label=gettext_lazy("To"), method="filter_to", widget=DATE)
    channel = django_filters.ChoiceFilter(
        field_name="payment__channel",
        choices=Channel.choices,
        label=gettext_lazy("Channel"),
        empty_label=gettext_lazy("Any channel"),
    )

    class Meta:
        model = Allocation
        fields = []

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.supplier = supplier

    def filter_from(self, queryset, name, value):
        return queryset.filter(booked_at__gte=sel.day_bounds(self.supplier, value)[0])

    def filter_to(self, queryset, name, value):
        return queryset.filter(booked_at__lt=sel.day_bounds(self.supplier, value)[1])


def _supplier(request):
    suppliers = sel.suppliers_of(request.user)
    if not suppliers:
        raise PermissionDenied
    raw = request.GET.get("supplier")
    if raw is None:
        return suppliers[0], suppliers
    try:
        wanted = int(raw)
    except ValueError as exc:
        raise Http404 from exc
    chosen = next((s for s in suppliers if s.pk == wanted), None)
    if chosen is None:
        raise Http404
    return chosen, suppliers


def _base(request, supplier, suppliers, tab: str) -> dict:
    return {
        "section": "supplier",
        "tab": tab,
        "supplier": supplier,
        "suppliers": suppliers,
        "supplier_query": f"supplier={supplier.pk}" if len(suppliers) > 1 else "",
        "tenant": supplier.tenant,
    }


def _filtered(request, supplier):
    filterset = PaymentShareFilter(
        request.GET or None,
        queryset=sel.allocations_of(request.user, supplier),
        supplier=supplier,
    )
    if filterset.is_bound and not filterset.is_valid():
        return filterset, sel.allocations_of(request.user, supplier).none()
    return filterset, filterset.qs


def _htmx(request) -> bool:
    """An htmx request for a fragment (not htmx restoring a page from history: that needs the
    whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@login_required
def payments(request):
    """The payments page; an htmx request gets its live part alone (polled every 20 s, swapped
    in after filtering). Without JavaScript the filters are a plain GET form."""
    supplier, suppliers = _supplier(request)
    filterset, shares = _filtered(request, supplier)
    if _htmx(request) and filterset.is_bound and not filterset.is_valid():
        response = HttpResponse(status=204)  # the whole page shows the errors next to the fields
        response["HX-Redirect"] = f"{request.path}?{request.GET.urlencode()}"
        return response
    page = Paginator(shares, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate(timezone=sel._zone(supplier))
    start, end = sel.day_bounds(supplier, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_base(request, supplier, suppliers, "payments"),
        "filter": filterset,
        "page": page,
        "days": sel.totals_per_day(shares, supplier)[:31],
        "totals": sel.totals(shares),
        "today": sel.totals(
            sel.allocations_of(request.user, supplier).filter(
                booked_at__gte=start, booked_at__lt=end
            )
        ),
        "query": query.urlencode(),
        # Only the first page follows new payments (they push the others' rows along).
        "live_url": "" if page.number > 1 else request.get_full_path(),
    }
    if _htmx(request):
        response = render(request, "cabinet/supplier/_payments_live.html", context)
    else:
        response = render(request, "cabinet/supplier/payments.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def debt(request):
    supplier, suppliers = _supplier(request)
    today = timezone.localdate(timezone=sel._zone(supplier))
    page = Paginator(sel.aging_rows(request.user, supplier, today), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        **_base(request, supplier, suppliers, "debt"),
        "today": today,
        "page": page,
        "rows": sel.aging_materialise(supplier, page.object_list),
        "totals": sel.aging_totals(request.user, supplier, today),
        "buckets": sel.aging_buckets_of(supplier),
    }
    return render(request, "cabinet/supplier/debt.html", context)


@login_required
def payouts(request):
    supplier, suppliers = _supplier(request)
    page = Paginator(sel.payouts_of(request.user, supplier), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {**_base(request, supplier, suppliers, "payouts"), "page": page}
    return render(request, "cabinet/supplier/payouts.html", context)


# --- downloads ----------------------------------------------------------------------------------


def _export_rows(request, supplier, what: str) -> tuple[list[str], object]:
    zone = sel._zone(supplier)
    if what in ("payments", "days"):
        _filterset, shares = _filtered(request, supplier)
        if what == "days":
            header = [_("Day"), _("Payments"), _("Gross"), _("Commission"), _("Net")]
            rows = (
                [
                    r["day"].isoformat(),
                    r["count"],
                    to_major(r["gross"]),
                    to_major(r["commission"]),
                    to_major(r["net"]),
                ]
                for r in sel.totals_per_day(shares, supplier)
            )
            return header, rows
        header = [
            _("Booked at"),
            _("Account"),
            _("Payer"),
            _("Channel"),
            _("Payment"),
            _("Period"),
            _("Amount"),
            _("Commission"),
            _("Net"),
            _("Registry"),
        ]
        rows = (
            [
                timezone.localtime(a.booked_at, zone).strftime("%Y-%m-%d %H:%M:%S"),
                a.payment.account.account_number,
                a.payment.account.payer_name,
                a.payment.channel,
                a.payment.external_id,
                a.period,
                to_major(a.amount),
                to_major(a.commission),
                to_major(a.amount - a.commission),
                a.registry.number if a.registry_id else "",
            ]
            for a in shares.select_related("registry").iterator(chunk_size=2000)
        )
        return header, rows
    if what == "debt":
        today = timezone.localdate(timezone=zone)
        header = [
            _("Account"),
            _("Your account number"),
            _("Payer"),
            _("Not yet due"),
            *(bucket.title for bucket in sel.aging_buckets_of(supplier)),
            _("Total"),
        ]

        def debt_rows():
            grouped = list(sel.aging_rows(request.user, supplier, today))
            for start in range(0, len(grouped), 2000):
                for r in sel.aging_materialise(supplier, grouped[start : start + 2000]):
                    yield [
                        r.account_number,
                        r.supplier_number,
                        r.payer_name,
                        to_major(r.not_due),
                        *(to_major(amount) for amount in r.buckets),
                        to_major(r.total),
                    ]

        return header, debt_rows()
    header = [_("Paid at"), _("Registry"), _("Registry day"), _("Amount"), _("EndToEndId")]
    rows = (
        [
            timezone.localtime(p.created_at, zone).strftime("%Y-%m-%d %H:%M:%S"),
            p.registry.number,
            p.registry.day.isoformat(),
            to_major(p.amount),
            p.end_to_end_id,
        ]
        for p in sel.payouts_of(request.user, supplier)
    )
    return header, rows


@login_required
def export(request, what: str, file_format: str):
    supplier, _suppliers = _supplier(request)
    header, rows = _export_rows(request, supplier, what)
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"{supplier.code}-{what}-{stamp}.{file_format}"
    if file_format == "csv":
        text = csv_text(header, rows)
        response = HttpResponse(text.encode("utf-8-sig"), content_type=CSV_CONTENT_TYPE)
    else:
        book = new_workbook(write_only=True)
        sheet = add_sheet(book, what)
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
        response = HttpResponse(workbook_bytes(book), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
