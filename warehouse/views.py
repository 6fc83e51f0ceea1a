"""The warehouse pages: the landing page, staff sign-in, the operator's overview of its tenants,
and small home pages for supplier users and residents. Views check who may come in and render;
the reads are in `warehouse.selectors`, visibility is `warehouse.scoping.scope()`."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render, resolve_url

from warehouse import selectors
from warehouse.money import format_minor
from warehouse.scoping import is_operator_staff


def home_url_name(user) -> str | None:
    """Where a signed-in user belongs: staff first, then supplier, then resident."""
    roles = selectors.user_roles(user)
    if roles.staff:
        return "staff-home"
    if roles.supplier:
        return "supplier-home"
    if roles.resident:
        return "resident-home"
    return None


def staff_required(view):
    """Signed-in operator staff only: anonymous users go to sign in, everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_operator_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _render(request, template: str, context: dict | None = None, *, section: str = ""):
    context = {
        "roles": selectors.user_roles(request.user),
        "section": section,
        **(context or {}),
    }
    return render(request, template, context)


def home(request):
    if request.user.is_authenticated:
        target = home_url_name(request.user)
        if target:
            return redirect(target)
    return _render(request, "warehouse/landing.html", section="home")


class StaffLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return resolve_url(home_url_name(self.request.user) or "home")


staff_login = StaffLoginView.as_view()
staff_logout = LogoutView.as_view()


@staff_required
def staff_home(request):
    tenants = selectors.tenant_overview(request.user)
    return _render(request, "warehouse/staff_home.html", {"tenants": tenants}, section="staff")


@staff_required
def staff_tenant(request, code: str):
    tenant = get_object_or_404(selectors.tenants_visible(request.user), code=code)
    detail = selectors.tenant_detail(request.user, tenant)
    suppliers = [
        {
            "supplier": s,
            "fixed": format_minor(s.commission_fixed),
            "min": format_minor(s.commission_min),
            "max": None if s.commission_max is None else format_minor(s.commission_max),
        }
        for s in detail.suppliers
    ]
    context = {"tenant": tenant, "detail": detail, "suppliers": suppliers}
    return _render(request, "warehouse/staff_tenant.html", context, section="staff")


@login_required
def supplier_home(request):
    suppliers = list(selectors.supplier_overview(request.user))
    if not suppliers:
        raise PermissionDenied
    return _render(
        request, "warehouse/supplier_home.html", {"suppliers": suppliers}, section="supplier"
    )


@login_required
def resident_home(request):
    accounts = selectors.resident_accounts(request.user)
    return _render(request, "warehouse/resident_home.html", {"accounts": accounts}, section="my")
