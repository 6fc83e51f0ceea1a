"""The refusals of the wallet operations (`core.errors.ApplicationError`, so the API's handler
answers them with their status and code). A refused operation has written nothing."""

from rest_framework import status

from core.errors import ApplicationError


class WalletRefused(ApplicationError):
    """The operation is not allowed as asked (422); nothing was written."""


class NotPermitted(ApplicationError):
    """The person's role for the payer does not allow the operation (403)."""

    status_code = status.HTTP_403_FORBIDDEN


class CouponConflict(ApplicationError):
    """The coupon is not valid any more: used, cancelled or expired (409)."""

    status_code = status.HTTP_409_CONFLICT
