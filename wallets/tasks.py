"""Celery tasks of wallets: thin wrappers over its services."""

from celery import shared_task

from wallets.services.coupons import coupons_expire


@shared_task(name="wallets.expire_coupons")
def expire_coupons() -> int:
    """Releases the funds of the coupons whose validity has passed (hourly, from beat)."""
    return coupons_expire()
