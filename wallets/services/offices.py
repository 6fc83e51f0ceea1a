"""The offices' systems: each signs in to the coupon API with a token of its own service user."""

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from wallets.models import Office
from wallets.services.booking import audit


def office_service_username(office: Office) -> str:
    return f"office-{office.tenant.code}-{office.code}"[:150]


@transaction.atomic
def office_api_token_issue(*, office: Office, actor) -> str:
    """A new API token for the office's system, replacing any earlier one (which stops working
    at once). The system signs in as the office's service user — a clerk of the office without
    a password — so it sees exactly the coupons the office's clerks see."""
    user, created = get_user_model().objects.get_or_create(
        username=office_service_username(office),
        defaults={"first_name": office.name[:150], "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    office.users.add(user)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit(office.tenant_id, actor, "wallet.office_token_issued", office=office.code, user=user.pk)
    return token.key
