"""The account search's results table."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.ui.tables import TABLE_TEMPLATE
from warehouse.models import Account


class AccountSearchTable(tables.Table):
    account_number = tables.Column(verbose_name=_("Account"))
    payer_name = tables.Column(verbose_name=_("Payer"))
    address = tables.Column(
        verbose_name=_("Address"),
        accessor="premises__building__address",
        order_by=("premises__building__address", "premises__number"),
    )
    phone = tables.Column(verbose_name=_("Phone"), orderable=False)
    tenant = tables.Column(verbose_name=_("Tenant"), accessor="tenant__name")

    class Meta:
        model = Account
        fields = ()
        sequence = ("account_number", "payer_name", "address", "phone", "tenant")
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table desk-results"}
        empty_text = _("No account matches.")

    def render_account_number(self, value, record):
        url = reverse("staff-account-card", args=[record.tenant.code, value])
        return format_html('<a href="{}"><strong>{}</strong></a>', url, value)

    def render_address(self, value, record):
        return format_html("{}, {}", value, record.premises.number)

    def render_phone(self, value):
        return format_html('<span class="mono">{}</span>', value)
