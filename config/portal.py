"""The front door, on the top layer because it knows every kind of user: the landing page, where
a signed-in user belongs (staff, supplier, resident, a corporate payer's people, an office's
clerks — in that order), and the staff sign-in, which says why a sign-in is held back by the
rate limit (`cabinet.ratelimit`) rather than that the password is wrong."""

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url

from cabinet.staff_login import rate_limit_refusal
from core.permissions import Permission
from wallets.selectors import corporate_home_for, office_home_for
from warehouse.selectors import user_permissions, user_roles

# Where a user who is neither staff, a supplier's user nor a resident belongs; first wins.
OTHER_HOMES = (corporate_home_for, office_home_for)


# Where operator staff land, by what their roles let them do; first wins: the operator admin
# and the accountant on the desk, the collector on the case queue, other staff on the tenants.
STAFF_HOMES = (
    (Permission.POST_PAYMENTS, "staff-desk"),
    (Permission.IMPORT, "staff-desk"),
    (Permission.MANAGE_DEBT, "case-queue"),
)


def home_url_name(user) -> str | None:
    """Where a signed-in user belongs: staff first (their own work, `STAFF_HOMES`), then
    supplier, then resident, then the wallets' people."""
    roles = user_roles(user)
    if roles.staff:
        granted = user_permissions(user)
        return next((name for need, name in STAFF_HOMES if need in granted), "staff-home")
    if roles.supplier:
        return "supplier-home"
    if roles.resident:
        return "resident-home"
    return next((name for home in OTHER_HOMES if (name := home(user))), None)


def home(request):
    if request.user.is_authenticated:
        target = home_url_name(request.user)
        if target:
            return redirect(target)
    context = {"roles": user_roles(request.user), "section": "home"}
    return render(request, "portal/landing.html", context)


class StaffLoginForm(AuthenticationForm):
    """Django's form, asking the rate limit first, so a refused sign-in says why and for how
    long rather than that the password is wrong."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username and password and self.request is not None:
            refusal = rate_limit_refusal(self.request, username)
            if refusal:
                raise ValidationError(refusal, code="refused")
        return super().clean()


class StaffLoginView(LoginView):
    form_class = StaffLoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return resolve_url(home_url_name(self.request.user) or "home")


staff_login = StaffLoginView.as_view()
staff_logout = LogoutView.as_view()
