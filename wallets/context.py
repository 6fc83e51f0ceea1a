"""The navigation entries of corporate payers' people and offices' clerks. Lazy: only a page
for a signed-in user who is neither staff, a supplier's user nor a resident reads it."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wallets.models import CorporateMember, Office


def _entries(user) -> list[tuple[str, str, str]]:
    if not user.is_authenticated:
        return []
    corporate, office = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(
            Exists(CorporateMember.objects.filter(user=OuterRef("pk"))),
            Exists(Office.objects.filter(users=OuterRef("pk"), active=True)),
        )
        .get()
    )
    entries = []
    if corporate:
        entries.append(("corporate-home", "corporate", _("Coupons and wallet")))
    if office:
        entries.append(("office-home", "office", _("Check coupons")))
    return entries


def wallet_nav(request) -> dict:
    return {"wallet_nav": SimpleLazyObject(lambda: _entries(request.user))}
