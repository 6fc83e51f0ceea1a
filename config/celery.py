"""The Celery app. With no REDIS_URL the settings make every task run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("unibill")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="unibill.ping")
def ping(value: str = "pong") -> str:
    """Round-trip probe used by health checks and the worker test."""
    return value
