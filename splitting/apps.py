from django.apps import AppConfig


class SplittingConfig(AppConfig):
    """Payment intake, the allocation engine, the ledger, supplier settlements, wallets."""

    name = "splitting"
    verbose_name = "Splitting"

    def ready(self):
        from splitting.models import (
            Allocation,
            BankCredit,
            CashDeskPayment,
            CashShift,
            Checkout,
            FrontOffice,
            Payment,
            PaymentRequest,
            Payout,
            Registry,
            StatementImport,
            SupplierEvent,
            TerminalProcessor,
        )
        from splitting.services.payments import charges_book
        from warehouse import hooks
        from warehouse.scoping import ScopePaths, register

        hooks.on_charges_posted(charges_book)
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
        self._register_wallets(register, ScopePaths)
        from splitting.wallets import portal_views

        hooks.on_home(portal_views.home_for)
        from splitting.wallets import office_views

        hooks.on_home(office_views.office_home_for)

    @staticmethod
    def _register_wallets(register, ScopePaths):
        """Operator staff see their tenants' wallets and coupons; corporate payers and offices
        reach theirs through their own memberships (`splitting.wallets.selectors`)."""
        from splitting.wallets import models as wallets

        for model in (wallets.CorporatePayer, wallets.Wallet, wallets.CouponBatch):
            register(model, ScopePaths(tenant="tenant"))
        for model in (wallets.CorporateMember, wallets.CorporateInvitation):
            register(model, ScopePaths(tenant="payer__tenant"))
        register(wallets.WalletMovement, ScopePaths(tenant="wallet__tenant"))
        register(wallets.Office, ScopePaths(tenant="tenant", supplier="supplier"))
        register(wallets.Fee, ScopePaths(tenant="tenant", supplier="office__supplier"))
        register(wallets.Coupon, ScopePaths(tenant="tenant", supplier="office__supplier"))
