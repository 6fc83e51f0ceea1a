"""Every page in tenant time. The site runs with `USE_TZ` and `TIME_ZONE` UTC; without an
activated zone, each `|date`, `timezone.localtime()` and table cell (`core.ui.tables.when`)
prints UTC, while the views that pass a tenant's zone explicitly print local time — so one page
said 21:30 and the next 00:30 for the same payment. `TenantTimeMiddleware` activates, for the
request, the time zone of the signed-in user's tenant:

- staff and supplier users: the tenant of their membership;
- residents: the tenant of the account they hold;
- a corporate payer's people and an office's clerks: their payer's or office's tenant;
- a user of several tenants in different zones (the demo's operator, say): the tenant created
  first (lowest id) — one zone per request; a page about one tenant's data may override it with
  `timezone.override(tenant_zone(tenant))`.

The zone is found when the user signs in (`user_logged_in`, connected by `connect()` from
`config.apps`) and kept in the session, so a page costs no query for it. A session from before
(no zone kept) looks it up the first time a page converts a time (`_UserZone` resolves on first
use) and keeps it then. A user with no tenant (a superuser) keeps `settings.TIME_ZONE`; a
membership granted during a session counts from the next sign-in.

It lives in `config/` because it reads the user's tenants (warehouse) for every app's pages."""

import datetime as dt
import zoneinfo

from django.contrib.auth.signals import user_logged_in
from django.db.models import Q
from django.utils import timezone

SESSION_KEY = "_tenant_time_zone"


def tenant_zone(tenant) -> zoneinfo.ZoneInfo:
    """The zone a tenant's times are shown in."""
    try:
        return zoneinfo.ZoneInfo(tenant.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def user_zone_name(user) -> str:
    """The zone name of the user's first tenant (lowest id) among their memberships and held
    accounts; "" when they have none."""
    from wallets.models import CorporateMember, Office
    from warehouse.models import AccountHolder, Tenant

    if not getattr(user, "is_authenticated", False):
        return ""
    held = AccountHolder.objects.filter(user=user).values("account__tenant_id")
    # A corporate payer's people and an office's clerks belong to their payer's/office's tenant.
    paying = CorporateMember.objects.filter(user=user).values("payer__tenant_id")
    clerking = Office.objects.filter(users=user).values("tenant_id")
    name = (
        Tenant.objects.filter(
            Q(memberships__user=user) | Q(pk__in=held) | Q(pk__in=paying) | Q(pk__in=clerking)
        )
        .order_by("pk")
        .values_list("timezone", flat=True)
        .first()
    )
    return name or ""


def _remember_zone(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = user_zone_name(user)


def connect() -> None:
    """Keeps the user's zone in the session at sign-in (called once, from `config.apps`)."""
    user_logged_in.connect(_remember_zone, dispatch_uid="config.tenant_time")


class _UserZone(dt.tzinfo):
    """A tzinfo that finds the user's zone the first time a time is converted with it, and
    then behaves exactly as that `ZoneInfo`."""

    def __init__(self, request):
        self._request = request
        self._zone: zoneinfo.ZoneInfo | None = None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        if self._zone is None:
            self._zone = _resolve(self._request)
        return self._zone

    def utcoffset(self, when):
        return self.zone.utcoffset(when)

    def dst(self, when):
        return self.zone.dst(when)

    def tzname(self, when):
        return self.zone.tzname(when)

    def fromutc(self, when):
        local = self.zone.fromutc(when.replace(tzinfo=self.zone))
        return local.replace(tzinfo=self)

    def __str__(self):
        return str(self.zone.key)

    def __repr__(self):
        return f"<tenant time {self.zone.key}>"

    def __reduce__(self):  # a pickled aware value (a cache, a session) keeps the real zone
        return zoneinfo.ZoneInfo, (self.zone.key,)


def _resolve(request) -> zoneinfo.ZoneInfo:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return timezone.get_default_timezone()
    session = getattr(request, "session", None)
    name = session.get(SESSION_KEY) if session is not None else None
    if name is None:
        name = user_zone_name(user)
        # Kept only in a signed-in browser's session: an API call (token, no session) must not
        # create a session to keep it in.
        if session is not None and session.session_key:
            session[SESSION_KEY] = name
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


class TenantTimeMiddleware:
    """Activates the signed-in user's tenant time zone for the request (after
    `AuthenticationMiddleware`); anonymous requests stay in `settings.TIME_ZONE`. Nothing is
    read — not even the user — until a page converts a time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(_UserZone(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
