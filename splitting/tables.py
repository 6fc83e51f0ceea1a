"""Tables of the splitting pages (django-tables2): payments, registries, the delivery log.
Amounts are formatted with `core.money.format_currency`, in the row's tenant's locale."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.money import format_currency
from core.ui.tables import TABLE_TEMPLATE, badge, when
from splitting.models import Payment, Registry, SupplierEvent

NUM = {"th": {"class": "num"}, "td": {"class": "num nowrap"}}
NOWRAP = {"td": {"class": "nowrap"}}


class PaymentTable(tables.Table):
    id = tables.Column(verbose_name=_("Payment"))
    booked_at = tables.Column(verbose_name=_("Booked"))
    tenant = tables.Column(accessor="tenant__code", verbose_name=_("Tenant"), attrs=NOWRAP)
    account = tables.Column(accessor="account__account_number", verbose_name=_("Account"))
    channel = tables.Column(verbose_name=_("Channel"))
    external_id = tables.Column(verbose_name=_("External id"))
    amount = tables.Column(verbose_name=_("Amount"), attrs=NUM)
    commission = tables.Column(verbose_name=_("Commission"), attrs=NUM)
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = Payment
        fields = ()
        sequence = (
            "id",
            "booked_at",
            "tenant",
            "account",
            "channel",
            "external_id",
            "amount",
            "commission",
            "status",
        )
        order_by = ("-booked_at",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = _("No payments match.")

    def render_id(self, value):
        return format_html('<a href="{}">#{}</a>', reverse("payment-detail", args=[value]), value)

    def render_booked_at(self, value):
        return when(value)

    def render_account(self, value, record):
        return format_html(
            '<span class="mono">{}</span><div class="small muted">{}</div>',
            value,
            record.account.payer_name,
        )

    def render_channel(self, value):
        return value  # the display name

    def render_external_id(self, value, record):
        reference = record.document_reference
        if not reference:
            return format_html('<span class="mono small">{}</span>', value)
        return format_html(
            '<span class="mono small">{}</span><div class="small muted">{} {}</div>',
            value,
            _("ref."),
            reference,
        )

    def render_amount(self, value, record):
        return format_currency(value, record.tenant)

    def render_commission(self, value, record):
        return format_currency(value, record.tenant)

    def render_status(self, value, record):
        return badge(record.status, value)

    def order_id(self, queryset, is_descending):
        return queryset.order_by(("-" if is_descending else "") + "pk"), True

    def order_booked_at(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}booked_at", f"{prefix}pk"), True


class RegistryTable(tables.Table):
    """`settle_tenants`: the tenants where the user may book payouts (their rows get the
    "Create payout" button and the payment-order files while unpaid)."""

    number = tables.Column(verbose_name=_("Registry"))
    day = tables.Column(verbose_name=_("Day"), attrs=NOWRAP)
    supplier = tables.Column(accessor="supplier__name", verbose_name=_("Supplier"))
    count = tables.Column(
        verbose_name=_("Lines"), attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )
    gross = tables.Column(verbose_name=_("Collected"), attrs=NUM)
    commission = tables.Column(verbose_name=_("Commission"), attrs=NUM)
    net = tables.Column(verbose_name=_("Net"), attrs=NUM)
    status = tables.Column(verbose_name=_("Status"))
    files = tables.TemplateColumn(
        template_name="splitting/registries/_files.html",
        verbose_name=_("Files"),
        orderable=False,
        empty_values=(),
        attrs=NOWRAP,
    )
    actions = tables.TemplateColumn(
        template_name="splitting/registries/_actions.html",
        verbose_name="",
        orderable=False,
        empty_values=(),
    )

    class Meta:
        model = Registry
        fields = ()
        sequence = (
            "number",
            "day",
            "supplier",
            "count",
            "gross",
            "commission",
            "net",
            "status",
            "files",
            "actions",
        )
        order_by = ("-day",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = _("No registries match.")

    def __init__(self, *args, settle_tenants=frozenset(), next_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.settle_tenants = settle_tenants
        self.next_url = next_url
        if not settle_tenants:
            self.columns.hide("actions")

    def render_number(self, value, record):
        return format_html(
            '<span class="mono">{}</span><div class="small muted">{}</div>',
            value,
            record.tenant.name,
        )

    def render_day(self, value):
        return value.strftime("%Y-%m-%d")

    def render_supplier(self, value, record):
        return format_html('{} <span class="code">{}</span>', value, record.supplier.code)

    def render_gross(self, value, record):
        return format_currency(value, record.tenant)

    def render_commission(self, value, record):
        return format_currency(value, record.tenant)

    def render_net(self, value, record):
        return format_currency(value, record.tenant)

    def render_status(self, value, record):
        """The badge; once settled, what was paid and what recovered, and what the bank said."""
        if record.status == "built":
            return badge(record.status, value)
        notes = [_("paid %(amount)s") % {"amount": format_currency(record.paid, record.tenant)}]
        if record.recovered:
            notes.append(
                _("recovered %(amount)s")
                % {"amount": format_currency(record.recovered, record.tenant)}
            )
        if record.withheld:
            notes.append(
                _("offset by reversals %(amount)s")
                % {"amount": format_currency(record.withheld, record.tenant)}
            )
        payouts = list(record.payouts.all())
        if payouts:
            notes.append(payouts[-1].get_status_display())
        return format_html(
            '{}<div class="small muted">{}</div>',
            badge(record.status, value),
            " · ".join(str(n) for n in notes),
        )

    def order_day(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}day", "supplier__code", "pk"), True


class SupplierEventTable(tables.Table):
    id = tables.Column(verbose_name=_("Event"))
    created_at = tables.Column(verbose_name=_("Written"))
    supplier = tables.Column(accessor="supplier__name", verbose_name=_("Supplier"))
    event = tables.Column(verbose_name=_("Type"), attrs=NOWRAP)
    payment = tables.Column(accessor="payment_id", verbose_name=_("Payment"))
    status = tables.Column(verbose_name=_("Status"))
    attempts = tables.Column(
        verbose_name=_("Attempts"), attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )
    last_attempt_at = tables.Column(verbose_name=_("Last attempt"), empty_values=())
    next_attempt_at = tables.Column(verbose_name=_("Next attempt"))

    class Meta:
        model = SupplierEvent
        fields = ()
        sequence = (
            "id",
            "created_at",
            "supplier",
            "event",
            "payment",
            "status",
            "attempts",
            "last_attempt_at",
            "next_attempt_at",
        )
        order_by = ("-created_at",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = _("No supplier events match.")

    def render_id(self, value):
        return format_html('<a href="{}">#{}</a>', reverse("webhook-detail", args=[value]), value)

    def render_created_at(self, value):
        return when(value)

    def render_supplier(self, value, record):
        return format_html('{} <span class="code">{}</span>', value, record.supplier.code)

    def render_event(self, value):
        return format_html('<span class="mono small">{}</span>', value)

    def render_payment(self, value):
        return format_html('<a href="{}">#{}</a>', reverse("payment-detail", args=[value]), value)

    def render_status(self, value, record):
        return badge(record.status, value)

    def render_last_attempt_at(self, value, record):
        if value is None:
            return "—"
        outcome = (
            f"HTTP {record.last_status_code}"
            if record.last_status_code is not None
            else record.last_error or "—"
        )
        return format_html(
            '{}<div class="small muted mono" title="{}">{}</div>',  # the wire's own words
            when(value),
            record.last_error,
            outcome[:60],
        )

    def render_next_attempt_at(self, value, record):
        if record.status != "pending":
            return "—"
        return when(value)

    def order_created_at(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}created_at", f"{prefix}pk"), True
