"""Tables and the filter of the bank statement pages (django-tables2, django-filter): the
statements read and the suspense queue. Amounts are entered in major units ("123.45") and
shown with `core.money.format_currency`, in the row's tenant's locale."""

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.money import format_currency, to_minor
from core.ui.tables import TABLE_TEMPLATE, when
from splitting.models import BankCredit, StatementImport
from splitting.tables import NOWRAP, NUM
from warehouse.filters import tenant_filter

COUNT = {"th": {"class": "num"}, "td": {"class": "num"}}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_SHOWN = 60  # characters of the remittance text in the queue


class StatementImportTable(tables.Table):
    created_at = tables.Column(verbose_name=_("When"))
    tenant = tables.Column(accessor="tenant__code", verbose_name=_("Tenant"), attrs=NOWRAP)
    filename = tables.Column(verbose_name=_("File"))
    format = tables.Column(verbose_name=_("Format"), attrs=NOWRAP)
    bank_account = tables.Column(verbose_name=_("Account"))
    credits = tables.Column(verbose_name=_("Credits"), attrs=COUNT)
    matched = tables.Column(verbose_name=_("Matched"), attrs=COUNT)
    parked = tables.Column(verbose_name=_("In suspense"), attrs=COUNT)
    duplicates = tables.Column(verbose_name=_("Already imported"), attrs=COUNT)
    skipped = tables.Column(verbose_name=_("Skipped"), attrs=COUNT)
    actor = tables.Column(accessor="actor__username", verbose_name=_("Who"), default="—")

    class Meta:
        model = StatementImport
        fields = ()
        sequence = (
            "created_at",
            "tenant",
            "filename",
            "format",
            "bank_account",
            "credits",
            "matched",
            "parked",
            "duplicates",
            "skipped",
            "actor",
        )
        order_by = ("-created_at",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = _("No bank statement was imported yet.")

    def render_created_at(self, value):
        return when(value)

    def render_filename(self, value, record):
        if not record.statement_id:
            return value
        return format_html('{}<div class="small muted mono">{}</div>', value, record.statement_id)

    def render_bank_account(self, value):
        return format_html('<span class="mono small">{}</span>', value)

    def order_created_at(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}created_at", f"{prefix}pk"), True


class SuspenseTable(tables.Table):
    id = tables.Column(verbose_name=_("Credit"))
    booked_on = tables.Column(verbose_name=_("Booked on"), attrs=NOWRAP)
    tenant = tables.Column(accessor="tenant__code", verbose_name=_("Tenant"), attrs=NOWRAP)
    amount = tables.Column(verbose_name=_("Amount"), attrs=NUM)
    open_amount = tables.Column(verbose_name=_("Open"), attrs=NUM)
    payer_name = tables.Column(verbose_name=_("Payer"), default="—")
    payer_account = tables.Column(verbose_name=_("Payer account"), default="—")
    free_text = tables.Column(verbose_name=_("Reference / text"), empty_values=(), orderable=False)

    class Meta:
        model = BankCredit
        fields = ()
        sequence = (
            "id",
            "booked_on",
            "tenant",
            "amount",
            "open_amount",
            "payer_name",
            "payer_account",
            "free_text",
        )
        order_by = ("booked_on",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = _("Nothing waits in suspense.")

    def render_id(self, value):
        return format_html('<a href="{}">#{}</a>', reverse("suspense-credit", args=[value]), value)

    def render_booked_on(self, value):
        return value.strftime("%Y-%m-%d")

    def render_amount(self, value, record):
        return format_currency(value, record.tenant)

    def render_open_amount(self, value, record):
        return format_currency(value, record.tenant)

    def render_payer_name(self, value, record):
        if not record.payer_inn:
            return value
        return format_html('{}<div class="small muted mono">{}</div>', value, record.payer_inn)

    def render_payer_account(self, value):
        return format_html('<span class="mono small">{}</span>', value)

    def render_free_text(self, record):
        text = Truncator(" ".join(record.free_text.split())).chars(TEXT_SHOWN)
        if not record.structured_reference:
            return format_html('<span class="small" title="{}">{}</span>', record.free_text, text)
        return format_html(
            '<span class="mono small">{}</span><div class="small muted" title="{}">{}</div>',
            record.structured_reference,
            record.free_text,
            text,
        )

    def order_booked_on(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}booked_on", f"{prefix}pk"), True

    def order_id(self, queryset, is_descending):
        return queryset.order_by(("-" if is_descending else "") + "pk"), True


class AmountField(forms.CharField):
    """An amount in major units ("123.45" or "123,45") → minor units (at most 15 digits before
    the decimal point, so it fits a 64-bit column)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            if len(value) > 20:
                raise ValueError(value)
            return to_minor(value)
        except ValueError:
            raise ValidationError(_("Enter an amount such as 123.45."), code="invalid") from None


class AmountFilter(django_filters.Filter):
    field_class = AmountField


class SuspenseFilter(django_filters.FilterSet):
    tenant = tenant_filter()
    booked_from = django_filters.DateFilter(
        field_name="booked_on", lookup_expr="gte", label=_("Booked from"), widget=DATE
    )
    booked_to = django_filters.DateFilter(
        field_name="booked_on", lookup_expr="lte", label=_("Booked to"), widget=DATE
    )
    amount_from = AmountFilter(
        field_name="amount",
        lookup_expr="gte",
        label=_("Amount from"),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "placeholder": "0.00", "size": 10, "maxlength": 20}
        ),
    )
    amount_to = AmountFilter(
        field_name="amount",
        lookup_expr="lte",
        label=_("Amount to"),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "placeholder": "0.00", "size": 10, "maxlength": 20}
        ),
    )
    payer = django_filters.CharFilter(
        method="filter_payer", label=_("Payer or text"), max_length=100
    )

    class Meta:
        model = BankCredit
        fields = ["tenant", "booked_from", "booked_to", "amount_from", "amount_to", "payer"]

    def filter_payer(self, queryset, name, value):
        """The payer's name, account or INN, or the remittance text and reference."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(payer_name__icontains=value)
            | Q(payer_account__icontains=value)
            | Q(payer_inn__icontains=value)
            | Q(free_text__icontains=value)
            | Q(structured_reference__icontains=value)
        )
