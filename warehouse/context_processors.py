"""Template context for every page."""

from django.utils.functional import SimpleLazyObject

from warehouse.selectors import user_roles


def roles(request) -> dict:
    """The signed-in user's roles, for the navigation of every page."""
    return {"roles": SimpleLazyObject(lambda: user_roles(request.user))}
