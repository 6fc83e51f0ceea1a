from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    """Billing periods, the unified payment document, references, QR codes, rendering."""

    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from invoicing.models import BillingPeriod, DocumentLine, PaymentDocument
        from warehouse.scoping import ScopePaths, register

        register(BillingPeriod, ScopePaths(tenant="tenant"))
        register(PaymentDocument, ScopePaths(tenant="tenant", account="account"))
        register(
            DocumentLine,
            ScopePaths(tenant="document__tenant", supplier="supplier", account="document__account"),
        )
