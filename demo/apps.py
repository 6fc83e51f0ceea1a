from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo seeding command; no models."""

    name = "demo"
    verbose_name = "Demo"
