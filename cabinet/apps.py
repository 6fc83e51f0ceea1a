from django.apps import AppConfig


class CabinetConfig(AppConfig):
    """The resident's and the supplier's portals."""

    name = "cabinet"
    verbose_name = "Cabinet"
