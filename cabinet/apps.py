from django.apps import AppConfig


class CabinetConfig(AppConfig):
    """The resident's and the supplier's portals."""

    name = "cabinet"
    verbose_name = "Cabinet"

    def ready(self):
        from cabinet.staff_login import rate_limit_refusal
        from warehouse import hooks

        hooks.on_sign_in_check(rate_limit_refusal)
