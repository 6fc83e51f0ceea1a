"""Residents sign in with their e-mail or phone; staff keep signing in with their username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from cabinet import ratelimit
from warehouse import phones
from warehouse.models import Tenant


def phone_normalize(text: str) -> str | None:
    """`+7 (916) 123-45-67`, `8 916 123-45-67` → `+79161234567`: the number in E.164, read in
    the PHONE_REGION setting when written without a country code (a resident signing up has no
    tenant yet); None when it is not a valid phone number."""
    return phones.phone_or_none(text, phones.default_region())


def phone_readings(text: str) -> set[str]:
    """Every E.164 number `text` may be: read in the PHONE_REGION setting and in each tenant's
    region (a German resident signs in with `0171 …` as their bills print it)."""
    if not any(ch.isdigit() for ch in text or "") or "@" in text:
        return set()
    regions = {phones.default_region()} | {
        tenant.region for tenant in Tenant.objects.only("profile", "phone_region", "iban")
    }
    return {p for region in regions if region and (p := phones.phone_or_none(text, region))}


def users_by_login(login: str):
    """The active users whose username, e-mail or phone is `login` (at most a few)."""
    login = (login or "").strip()
    if not login:
        return get_user_model().objects.none()
    match = Q(username=login)
    if "@" in login:
        match |= Q(email__iexact=login)
    readings = phone_readings(login)
    if readings:
        match |= Q(phone__in=readings)
    return get_user_model().objects.filter(match, is_active=True)


class EmailOrPhoneBackend(ModelBackend):
    """Accepts a username, an e-mail or a phone number as the login. When an e-mail or phone
    belongs to more than one user, none of them is signed in by it (ambiguous).

    Sign-ins that come with a request (every sign-in page: the cabinet's and the staff one)
    are rate-limited here, per client address and per login: failures count, and while a
    limit holds even the right password is refused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        if request is None:
            return self._check(username, password)
        ip = ratelimit.client_ip(request)
        if ratelimit.sign_in_blocked(ip, username):
            raise PermissionDenied("too many sign-in attempts")  # stops the backend chain
        user = self._check(username, password)
        if user is None:
            ratelimit.SIGN_IN_PER_IP.hit(ip)
            ratelimit.SIGN_IN_PER_USER.hit(username)
        else:
            ratelimit.SIGN_IN_PER_USER.clear(username)
        return user

    def _check(self, username: str, password: str):
        users = list(users_by_login(username)[:2])
        exact = [u for u in users if u.username == username.strip()]
        candidates = exact or users
        if len(candidates) != 1:
            get_user_model()().set_password(password)  # same time as a real check
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
