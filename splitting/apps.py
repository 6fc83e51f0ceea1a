from django.apps import AppConfig


class SplittingConfig(AppConfig):
    """Payment intake, the allocation engine, the ledger, supplier settlements."""

    name = "splitting"
    verbose_name = "Splitting"

    def ready(self):
        from splitting.models import (
            Allocation,
            BankCredit,
            BankDebit,
            CashDeskPayment,
            CashShift,
            Checkout,
            FlowFile,
            FrontOffice,
            Payment,
            PaymentRequest,
            Payout,
            PayoutFile,
            Registry,
            StatementImport,
            SupplierEvent,
            TerminalProcessor,
        )
        from warehouse.scoping import ScopePaths, register

        register(Payment, ScopePaths(tenant="tenant", account="account"))
        register(
            Allocation,
            ScopePaths(tenant="tenant", supplier="supplier", account="payment__account"),
        )
        register(Registry, ScopePaths(tenant="tenant", supplier="supplier"))
        register(Payout, ScopePaths(tenant="tenant", supplier="supplier"))
        register(SupplierEvent, ScopePaths(tenant="tenant", supplier="supplier"))
        register(StatementImport, ScopePaths(tenant="tenant"))
        register(BankCredit, ScopePaths(tenant="tenant", account="account"))
        register(TerminalProcessor, ScopePaths(tenant="tenant"))
        register(FrontOffice, ScopePaths(tenant="tenant"))
        register(CashShift, ScopePaths(tenant="tenant"))
        register(CashDeskPayment, ScopePaths(tenant="shift__tenant", account="payment__account"))
        register(Checkout, ScopePaths(tenant="tenant", account="account"))
        register(PaymentRequest, ScopePaths(tenant="tenant", account="account"))
        register(BankDebit, ScopePaths(tenant="tenant"))
        register(PayoutFile, ScopePaths(tenant="tenant"))
        register(FlowFile, ScopePaths(tenant="tenant", supplier="supplier"))

        from splitting import audit_tracking

        audit_tracking.register()
