"""Corporate payers and the people who act for them: creating a payer (and its wallet),
inviting people by e-mail, accepting and revoking invitations, and the members' roles. Admins
manage people; a payer always keeps one admin."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from invoicing.references import rf_creditor_reference
from wallets.models import (
    CorporateInvitation,
    CorporateMember,
    CorporatePayer,
    CorporateRole,
    Wallet,
)
from wallets.services.booking import audit
from wallets.services.errors import NotPermitted, WalletRefused
from warehouse.models import Tenant
from warehouse.scoping import staff_tenant_ids

INVITATION_DAYS = 7


def corporate_role(user, payer: CorporatePayer) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        CorporateMember.objects.filter(payer=payer, user=user)
        .values_list("role", flat=True)
        .first()
    )


def require_role(user, payer: CorporatePayer, roles) -> str:
    role = corporate_role(user, payer)
    if role not in roles:
        raise NotPermitted(
            "your role for this payer does not allow this", code="role_not_permitted"
        )
    return role


def _funding_reference(tenant: Tenant) -> str:
    """A new RF reference, body W + 10 random digits: never one of a document's (those start
    with an account number and end with a period), and hard to mistype into another wallet's."""
    while True:
        reference = rf_creditor_reference(f"W{secrets.randbelow(10**10):010d}")
        if not Wallet.objects.filter(tenant=tenant, funding_reference=reference).exists():
            return reference


@transaction.atomic
def payer_create(*, tenant: Tenant, name: str, tax_id: str, actor, **contacts) -> CorporatePayer:
    """The payer and its wallet in the tenant's currency."""
    if CorporatePayer.objects.filter(tenant=tenant, tax_id=tax_id).exists():
        raise WalletRefused(
            f"a corporate payer with tax id {tax_id} exists",
            code="payer_exists",
            extra={"tax_id": ["A payer with this tax id exists."]},
        )
    now = timezone.now()
    payer = CorporatePayer.objects.create(
        tenant=tenant, name=name, tax_id=tax_id, created_at=now, **contacts
    )
    wallet = Wallet.objects.create(
        tenant=tenant,
        payer=payer,
        currency=tenant.currency,
        funding_reference=_funding_reference(tenant),
        created_at=now,
    )
    audit(tenant.pk, actor, "wallet.payer_created", payer=payer.pk, wallet=wallet.pk, name=name)
    return payer


# --- invitations ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    invitation: CorporateInvitation
    token: str  # shown once, in the e-mail's link


@transaction.atomic
def invitation_create(*, payer: CorporatePayer, email: str, role: str, actor) -> Invitation:
    """Admins of the payer invite people (operator staff invite the first admin)."""
    if not (actor.is_superuser or payer.tenant_id in staff_tenant_ids(actor)):
        require_role(actor, payer, (CorporateRole.ADMIN,))
    if role not in CorporateRole.values:
        raise WalletRefused(
            gettext("no role %(role)r") % {"role": role},
            code="bad_role",
            extra={"role": [gettext("Pick a role.")]},
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = CorporateInvitation.objects.create(
        payer=payer,
        email=email.strip().lower(),
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    audit(
        payer.tenant_id,
        actor,
        "wallet.user_invited",
        payer=payer.pk,
        email=invitation.email,
        role=role,
    )
    return Invitation(invitation, token)


def invitation_by_token(token: str) -> CorporateInvitation | None:
    invitation = (
        CorporateInvitation.objects.select_related("payer")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    if invitation.expires_at <= timezone.now():
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: CorporateInvitation, user) -> CorporateMember:
    locked = CorporateInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at or locked.revoked_at or locked.expires_at <= timezone.now():
        raise WalletRefused(
            gettext("this invitation is no longer valid"), code="invitation_invalid"
        )
    if CorporateMember.objects.filter(payer_id=locked.payer_id, user=user).exists():
        raise WalletRefused(
            "you are a member of this payer already; an admin changes roles on the people page",
            code="already_member",
        )
    now = timezone.now()
    member = CorporateMember.objects.create(
        payer_id=locked.payer_id, user=user, role=locked.role, added_at=now
    )
    locked.accepted_at, locked.accepted_by = now, user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    audit(
        locked.payer.tenant_id,
        user,
        "wallet.invitation_accepted",
        payer=locked.payer_id,
        role=locked.role,
    )
    return member


@transaction.atomic
def invitation_revoke(*, invitation: CorporateInvitation, actor) -> CorporateInvitation:
    """An admin withdraws a pending invitation; its link stops working."""
    locked = (
        CorporateInvitation.objects.select_for_update()
        .select_related("payer")
        .get(pk=invitation.pk)
    )
    require_role(actor, locked.payer, (CorporateRole.ADMIN,))
    if locked.accepted_at or locked.revoked_at:
        raise WalletRefused(
            "this invitation was accepted or revoked already", code="invitation_closed"
        )
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit(
        locked.payer.tenant_id,
        actor,
        "wallet.invitation_revoked",
        payer=locked.payer_id,
        email=locked.email,
    )
    return locked


# --- members --------------------------------------------------------------------------------


@transaction.atomic
def member_role_set(*, member: CorporateMember, role: str | None, actor) -> None:
    """Grants another role, or removes the person (`role=None`). The last admin stays."""
    require_role(actor, member.payer, (CorporateRole.ADMIN,))
    admins = CorporateMember.objects.select_for_update().filter(
        payer=member.payer, role=CorporateRole.ADMIN
    )
    if member.role == CorporateRole.ADMIN and role != CorporateRole.ADMIN and admins.count() == 1:
        raise WalletRefused(gettext("a payer keeps at least one admin"), code="last_admin")
    if role is None:
        member.delete()
    else:
        if role not in CorporateRole.values:
            raise WalletRefused(gettext("no role %(role)r") % {"role": role}, code="bad_role")
        member.role = role
        member.save(update_fields=["role"])
    audit(
        member.payer.tenant_id,
        actor,
        "wallet.member_role_set",
        payer=member.payer_id,
        user=member.user_id,
        role=role or "removed",
    )
