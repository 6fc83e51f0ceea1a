"""The invitation link an invited person opens: a signed-in person accepts; an anonymous
visitor whose e-mail has an account signs in first (and comes back here); anyone else creates
an account, whose username is the e-mail. An unknown, used, revoked or expired link is 404."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from wallets.forms import ROLE_NAMES, InvitationSignUpForm
from wallets.models import CorporateInvitation
from wallets.services.errors import WalletRefused
from wallets.services.payers import corporate_role, invitation_accept, invitation_by_token
from wallets.views.corporate import corporate_page

BACKEND = "cabinet.auth_backends.EmailOrPhoneBackend"
INVALID = "wallets/corporate/invitation_invalid.html"
PAGE = "wallets/corporate/invitation.html"


def _existing_user(email: str):
    return (
        get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .order_by("pk")
        .first()
    )


@sensitive_post_parameters("password1", "password2")
@never_cache
def invitation(request, token: str):
    """A signed-in person accepts; an anonymous visitor whose e-mail has an account signs in
    first (and comes back here), anyone else creates an account: the e-mail is its username."""
    found = invitation_by_token(token)
    if found is None:
        return corporate_page(request, INVALID, None, {}, status=404)
    context = {"invitation": found, "role_name": ROLE_NAMES[found.role], "payer": found.payer}
    if request.user.is_authenticated:
        return _signed_in(request, found, context)
    if _existing_user(found.email) is not None:
        messages.info(
            request,
            _("%(email)s has an account already: sign in, and the invitation opens again.")
            % {"email": found.email},
        )
        login_url = reverse("staff-login")
        return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
    return _sign_up(request, found, context)


def _signed_in(request, found: CorporateInvitation, context: dict):
    current = corporate_role(request.user, found.payer)
    if current is not None:
        messages.info(
            request,
            _("You act for %(payer)s as %(role)s already.")
            % {"payer": found.payer.name, "role": ROLE_NAMES[current]},
        )
        return redirect("corporate-payer", payer=found.payer_id)
    if request.method == "POST":
        return _accept(request, found, request.user)
    context["other_email"] = (request.user.email or "").lower() != found.email
    return corporate_page(request, PAGE, None, context)


def _sign_up(request, found: CorporateInvitation, context: dict):
    """The form for a new account; sent valid, the account is made, accepts and signs in."""
    form = InvitationSignUpForm(request.POST or None, email=found.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=found.email, email=found.email, password=form.cleaned_data["password1"]
                )
                invitation_accept(invitation=found, user=user)
        except IntegrityError:  # the same e-mail signed up a moment ago
            return redirect(request.get_full_path())
        except WalletRefused:
            return corporate_page(request, INVALID, None, {}, status=404)
        login(request, user, backend=BACKEND)
        messages.success(
            request,
            _("Welcome! You act for %(payer)s as %(role)s.")
            % {"payer": found.payer.name, "role": ROLE_NAMES[found.role]},
        )
        return redirect("corporate-payer", payer=found.payer_id)
    context["form"] = form
    return corporate_page(request, PAGE, None, context, status=400 if form.errors else 200)


def _accept(request, found: CorporateInvitation, user):
    try:
        invitation_accept(invitation=found, user=user)
    except WalletRefused:
        return corporate_page(request, INVALID, None, {}, status=404)
    messages.success(
        request,
        _("You act for %(payer)s as %(role)s now.")
        % {"payer": found.payer.name, "role": ROLE_NAMES[found.role]},
    )
    return redirect("corporate-payer", payer=found.payer_id)
