"""Celery tasks of invoicing: thin wrappers over services."""

from celery import shared_task
from django.db import OperationalError

from invoicing.services.closing import issue_chunk


@shared_task(
    bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True
)
def issue_documents_chunk(self, billing_period_id: int, account_ids: list[int]) -> int:
    """Issues one chunk of a period's documents. A retry skips the documents already issued."""
    return issue_chunk(billing_period_id, account_ids)
