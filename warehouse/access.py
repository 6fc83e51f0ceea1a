"""Who may open a page: shared by the pages of every app (no app imports another's views)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

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


def roles(request) -> dict:
    """Context processor: the signed-in user's roles, for the navigation of every page."""
    from warehouse.selectors import user_roles

    return {"roles": SimpleLazyObject(lambda: user_roles(request.user))}
