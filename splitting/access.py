"""Who may act on money on the splitting pages."""

from django.core.exceptions import PermissionDenied

from splitting import selectors


def may_settle(user, tenant_id: int) -> None:
    """Operator admins and accountants of the tenant act on money; anyone else gets 403."""
    if not selectors.can_take_payments(user, tenant_id):
        raise PermissionDenied
