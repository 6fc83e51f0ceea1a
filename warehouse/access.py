"""Who may open a page and who may act, shared by the pages and APIs of every app (no app
imports another's views). What a role may do is `core.permissions`' table; this module reads
the memberships."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from core.permissions import Permission, roles_with
from warehouse.models import Membership
from warehouse.scoping import is_operator_staff


def staff_required(view):
    """Signed-in operator staff only: anonymous users go to sign in, everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_operator_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def has_permission(user, tenant_id: int, permission: Permission) -> bool:
    """Whether `user` (a person or a system user) holds `permission` in the tenant: a superuser
    always, anyone else by the role of their membership there."""
    if not (user.is_authenticated and user.is_active):
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, tenant_id=tenant_id, role__in=roles_with(permission)
        ).exists()
    )
