"""Request middleware of the warehouse."""

from warehouse.audit_history import request_actor


class AuditActorMiddleware:
    """Makes the request's user the actor of the change history (`warehouse.audit_history`)
    for everything the request changes. Goes after `AuthenticationMiddleware`; the user is read
    only when a tracked row changes (an API request's user once DRF has authenticated it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_actor(request):
            return self.get_response(request)
