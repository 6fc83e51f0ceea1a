from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: shared templates (tables, badges, charts) and template tags."""

    name = "core"
    verbose_name = "Core"
