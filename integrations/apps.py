from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Adapters to the outside world; imports no domain app and no model."""

    name = "integrations"
    verbose_name = "Integrations"
