from django.apps import AppConfig


class WalletsConfig(AppConfig):
    """Prepaid corporate wallets and payment coupons, built on splitting (payments, ledger,
    settlement): splitting never imports this app; it takes part in splitting's work through
    the hooks that `config/wiring.py` connects."""

    name = "wallets"
    label = "wallets"
    verbose_name = "Wallets"

    def ready(self):
        from wallets import models
        from warehouse.scoping import ScopePaths, register

        # Operator staff see their tenants' wallets and coupons; corporate payers and offices
        # reach theirs through their own memberships (`wallets.selectors`).
        for model in (models.CorporatePayer, models.Wallet, models.CouponBatch):
            register(model, ScopePaths(tenant="tenant"))
        for model in (models.CorporateMember, models.CorporateInvitation):
            register(model, ScopePaths(tenant="payer__tenant"))
        register(models.WalletMovement, ScopePaths(tenant="wallet__tenant"))
        register(models.Office, ScopePaths(tenant="tenant", supplier="supplier"))
        register(models.Fee, ScopePaths(tenant="tenant", supplier="office__supplier"))
        register(models.Coupon, ScopePaths(tenant="tenant", supplier="office__supplier"))
