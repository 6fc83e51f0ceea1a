from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    """Billing periods, the unified payment document, references, QR codes, rendering."""

    name = "invoicing"
    verbose_name = "Invoicing"
