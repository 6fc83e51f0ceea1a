"""Django admin of messaging: the outbox, read-only (messages are written by `message_queue`
and their status by sending). Message templates are edited in debt collection's admin, which
checks them against the dunning context they are rendered with."""

from django.contrib import admin

from messaging.models import Message
from warehouse.admin import TENANT_FILTER, ReadOnlyAdmin


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "tenant", "account", "channel", "recipient", "status", "source")
    list_filter = (TENANT_FILTER, "channel", "status", "source")
    list_select_related = ("tenant", "account")
    search_fields = ("account__account_number", "recipient", "provider_id")
    date_hierarchy = "created_at"
