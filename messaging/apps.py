from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """Messages to accounts, their templates, sending and delivery status (SMS, e-mail)."""

    name = "messaging"
    verbose_name = "Messaging"

    def ready(self):
        from messaging.models import Message, MessageTemplate
        from warehouse.scoping import ScopePaths, register

        register(Message, ScopePaths(tenant="tenant", account="account"))
        register(MessageTemplate, ScopePaths(tenant="tenant"))
