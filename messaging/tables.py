"""The table of an account's messages on the staff page (`views.account_messages`)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.ui.tables import TABLE_TEMPLATE, badge, when
from messaging.models import Message

BODY_SHOWN = 160  # characters of a message's text in the table (one SMS)


class MessageTable(tables.Table):
    created_at = tables.Column(verbose_name=gettext_lazy("Time"))
    channel = tables.Column(verbose_name=gettext_lazy("Channel"))
    recipient = tables.Column(verbose_name=gettext_lazy("Recipient"))
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    body = tables.Column(verbose_name=gettext_lazy("Text"), orderable=False)
    error = tables.Column(verbose_name=gettext_lazy("Error"), orderable=False)

    class Meta:
        model = Message
        fields = ()
        sequence = ("created_at", "channel", "recipient", "status", "body", "error")
        order_by = ("-created_at",)
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data-table data-table-compact"}
        empty_text = gettext_lazy("No messages to this account yet.")

    def render_created_at(self, value, record):
        sent = format_html('<div class="small muted">{} {}</div>', _("sent"), when(record.sent_at))
        return format_html("{}{}", when(value), sent if record.sent_at else "")

    def render_channel(self, value):
        return value  # the display name

    def render_recipient(self, value):
        return format_html('<span class="mono">{}</span>', value)

    def render_status(self, value, record):
        return badge(record.status, value)

    def render_body(self, value, record):
        subject = format_html("<strong>{}</strong><br>", record.subject) if record.subject else ""
        return format_html("{}{}", subject, Truncator(value).chars(BODY_SHOWN))

    def render_error(self, value):
        return format_html('<span class="small">{}</span>', value)
