"""The case queue (django-tables2). Rows come from `selectors.queue_annotated`, so `overdue`
and `oldest_due` sort in the database; days past due is shown from `oldest_due`."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.money import format_currency
from core.ui.tables import TABLE_TEMPLATE, badge, when
from debt_collection.models import DebtCase
from debt_collection.selectors import days_past_due

NUM = {"th": {"class": "num"}, "td": {"class": "num nowrap"}}


class CaseTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={"input": {"name": "cases", "form": "bulk-assign"}, "th__input": {"hidden": True}},
        orderable=False,
    )
    account = tables.Column(accessor="account__account_number", verbose_name=_("Account"))
    payer = tables.Column(accessor="account__payer_name", verbose_name=_("Payer"))
    overdue = tables.Column(verbose_name=_("Overdue"), attrs=NUM)
    days = tables.Column(
        accessor="oldest_due", verbose_name=_("Days past due"), attrs=NUM, empty_values=()
    )
    stage = tables.Column(verbose_name=_("Stage"))
    last_contact_at = tables.Column(verbose_name=_("Last contact"), empty_values=())
    assigned_to = tables.Column(verbose_name=_("Agent"), empty_values=())
    callback_at = tables.Column(verbose_name=_("Callback"), empty_values=())

    class Meta:
        model = DebtCase
        fields = ()
        sequence = (
            "select",
            "account",
            "payer",
            "overdue",
            "days",
            "stage",
            "last_contact_at",
            "assigned_to",
            "callback_at",
        )
        order_by = ("-overdue",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact case-queue"}
        empty_text = _("No cases match.")

    def __init__(self, *args, selectable=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        if not selectable:
            self.columns.hide("select")

    def render_account(self, value, record):
        return format_html(
            '<a class="mono" href="{}">{}</a><div class="small muted">{}</div>',
            reverse("case-detail", args=[record.pk]),
            value,
            record.tenant.code,
        )

    def render_overdue(self, value, record):
        return format_currency(value, record.tenant)

    def render_days(self, value, record):
        return days_past_due(value, self.today)

    def render_stage(self, value, record):
        flag = (
            format_html(' <span class="badge badge-rejected">{}</span>', _("promise broken"))
            if record.promise_broken
            else ""
        )
        return format_html("{}{}", badge(record.stage, value), flag)

    def render_last_contact_at(self, value):
        return when(value)

    def render_assigned_to(self, value):
        if value is None:
            return format_html('<span class="muted">{}</span>', _("unassigned"))
        return value.get_full_name() or value.username

    def render_callback_at(self, value):
        if value is None:
            return "—"
        due = value <= timezone.now()
        return format_html('<span class="{}">{}</span>', "callback-due" if due else "", when(value))

    def order_days(self, queryset, is_descending):
        # more days past due = an older due date
        direction = "" if is_descending else "-"
        return queryset.order_by(f"{direction}oldest_due", "pk"), True

    def order_account(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}account__account_number", "pk"), True

    def order_overdue(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}overdue", "pk"), True
