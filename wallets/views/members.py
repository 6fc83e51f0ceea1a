"""The payer's people, for its admins: the members and their roles, the invitations pending,
inviting someone by e-mail (the link goes out in the e-mail, or is shown when mail fails),
changing a role or removing a member, and revoking an invitation."""

from smtplib import SMTPException
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import public_url
from wallets.forms import ROLE_NAMES, InviteForm, MemberRoleForm
from wallets.models import CorporateInvitation, CorporateMember, CorporateRole
from wallets.selectors import corporate_home_for
from wallets.services.errors import NotPermitted, WalletRefused
from wallets.services.payers import invitation_create, invitation_revoke, member_role_set
from wallets.views.corporate import Access, corporate_page, payer_access

ADMINS = (CorporateRole.ADMIN,)


def _people_page(request, access: Access, invite_form=None, *, status=200):
    members = [
        {
            "member": member,
            "role_name": ROLE_NAMES[member.role],
            "form": MemberRoleForm(initial={"role": member.role}, prefix=f"m{member.pk}"),
        }
        for member in access.payer.members.select_related("user").order_by(
            "user__email", "user__username"
        )
    ]
    pending = [
        {"invitation": invitation, "role_name": ROLE_NAMES[invitation.role]}
        for invitation in access.payer.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("invited_by")
    ]
    context = {
        "members": members,
        "pending": pending,
        "invite_form": invite_form or InviteForm(payer=access.payer),
    }
    return corporate_page(request, "wallets/corporate/people.html", access, context, status=status)


@login_required
def people(request, payer: int):
    access = payer_access(request, payer, ADMINS)
    return _people_page(request, access)


def _invitation_mail(request, access: Access, invitation: CorporateInvitation, token: str):
    link = public_url(reverse("corporate-invitation", kwargs={"token": token}))
    zone = ZoneInfo(access.tenant.timezone)
    body = _(
        "Hello,\n\n%(inviter)s invites you to act for %(payer)s on Unibill as %(role)s.\n\n"
        "Accept the invitation here (the link works until %(until)s):\n%(link)s\n\n"
        "If you do not expect this, ignore this e-mail."
    ) % {
        "inviter": request.user.get_full_name() or request.user.email or request.user.username,
        "payer": access.payer.name,
        "role": ROLE_NAMES[invitation.role],
        "until": invitation.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "link": link,
    }
    subject = _("Invitation to %(payer)s on Unibill") % {"payer": access.payer.name}
    return subject, body, link


@require_POST
@login_required
def invite(request, payer: int):
    access = payer_access(request, payer, ADMINS)
    form = InviteForm(request.POST, payer=access.payer)
    if not form.is_valid():
        return _people_page(request, access, form, status=400)
    try:
        created = invitation_create(
            payer=access.payer,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
    except WalletRefused as exc:
        form.add_error(None, exc.message)
        return _people_page(request, access, form, status=400)
    subject, body, link = _invitation_mail(request, access, created.invitation, created.token)
    try:
        send_mail(subject, body, None, [created.invitation.email])
    except (SMTPException, OSError):
        messages.warning(
            request,
            _(
                "The invitation is saved but the e-mail could not be sent. Send the person this "
                "link yourself: %(link)s"
            )
            % {"link": link},
        )
    else:
        messages.success(
            request,
            _("%(email)s is invited as %(role)s; the e-mail is on its way.")
            % {"email": created.invitation.email, "role": ROLE_NAMES[created.invitation.role]},
        )
    return redirect("corporate-people", payer=access.payer.pk)


@require_POST
@login_required
def member_role(request, payer: int, member: int):
    """Changes a member's role, or removes them (the button named "remove")."""
    access = payer_access(request, payer, ADMINS)
    target = get_object_or_404(
        CorporateMember.objects.select_related("payer", "user"), pk=member, payer=access.payer
    )
    if "remove" in request.POST:
        role = None
    else:
        form = MemberRoleForm(request.POST, prefix=f"m{target.pk}")
        if not form.is_valid():
            messages.error(request, _("Pick a role."))
            return redirect("corporate-people", payer=access.payer.pk)
        role = form.cleaned_data["role"]
    name = target.user.email or target.user.username
    try:
        member_role_set(member=target, role=role, actor=request.user)
    except NotPermitted as exc:
        raise PermissionDenied from exc
    except WalletRefused as exc:
        if exc.code == "last_admin":
            messages.error(
                request,
                _("%(name)s is the last admin: make someone else admin first.") % {"name": name},
            )
        else:
            messages.error(request, exc.message)
        return redirect("corporate-people", payer=access.payer.pk)
    if role is None:
        messages.success(request, _("%(name)s is removed.") % {"name": name})
    else:
        messages.success(
            request, _("%(name)s is now %(role)s.") % {"name": name, "role": ROLE_NAMES[role]}
        )
    return _after_role_change(request, access, target, role)


def _after_role_change(request, access: Access, target: CorporateMember, role: str | None):
    """Where an admin goes next: on to their other pages when they removed themselves, to the
    payer's page when they gave up admin, else back to the people."""
    if target.user_id == request.user.pk and role is None:
        return redirect(corporate_home_for(request.user) or "home")
    if target.user_id == request.user.pk and role != CorporateRole.ADMIN:
        return redirect("corporate-payer", payer=access.payer.pk)
    return redirect("corporate-people", payer=access.payer.pk)


@require_POST
@login_required
def invitation_revoke_view(request, payer: int, pk: int):
    access = payer_access(request, payer, ADMINS)
    invitation = get_object_or_404(CorporateInvitation, pk=pk, payer=access.payer)
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except WalletRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The invitation of %(email)s is revoked.") % {"email": invitation.email}
        )
    return redirect("corporate-people", payer=access.payer.pk)
