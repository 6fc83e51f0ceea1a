"""Small helpers the splitting pages share: who may act, and a form's errors as one message."""

from django.core.exceptions import PermissionDenied

from splitting import selectors


def may_settle(user, tenant_id: int) -> None:
    """Operator admins and accountants of the tenant act on money; anyone else gets 403."""
    if not selectors.can_take_payments(user, tenant_id):
        raise PermissionDenied


def form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)
