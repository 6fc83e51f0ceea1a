from django.apps import AppConfig


class WiringConfig(AppConfig):
    """The top of the house: listed last in INSTALLED_APPS, so every app is ready when
    `config.wiring.connect` connects their hooks."""

    name = "config"
    label = "wiring"
    verbose_name = "Wiring"

    def ready(self):
        from config import tenant_time, wiring

        wiring.connect()
        tenant_time.connect()  # the signed-in user's tenant time zone, kept in the session
