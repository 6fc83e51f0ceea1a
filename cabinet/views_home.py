"""The resident's home page — the debt position of every linked account — and linking and
unlinking accounts."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cabinet import ratelimit
from cabinet.forms_auth import TOO_MANY, LinkForm
from cabinet.linking import account_link, account_unlink
from cabinet.position import debt_position, resident_account
from core.errors import ApplicationError
from warehouse.selectors import user_roles

SECTION = "my"
resident_required = login_required(login_url="cabinet-login")


def _account_url(name: str, account, suffix: str) -> str:
    """A page of another cabinet area, by name when it exists, else by its documented path."""
    try:
        return reverse(name, args=[account.tenant.code, account.account_number])
    except NoReverseMatch:
        return (
            f"/cabinet/accounts/{quote(account.tenant.code)}/"
            f"{quote(account.account_number)}/{suffix}"
        )


@resident_required
def home(request):
    position = debt_position(request.user)
    user_roles(request.user, resident=bool(position.accounts))  # the navigation need not ask
    rows = [
        {
            "item": item,
            "pay_url": _account_url("cabinet-pay", item.account, "pay/"),
            "bills_url": _account_url("cabinet-documents", item.account, "documents/"),
        }
        for item in position.accounts
    ]
    response = render(
        request,
        "cabinet/home.html",
        {
            "position": position,
            "rows": rows,
            "accounts": [item.account for item in position.accounts],
            "section": SECTION,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@resident_required
def link(request):
    tenants = None
    status = 200
    form = LinkForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("tenant"):
            # The second step of an ambiguous number: offer the same operators again.
            from warehouse.models import Tenant

            tenants = list(Tenant.objects.filter(code=request.POST["tenant"]))
            form = LinkForm(request.POST, tenants=tenants or None)
        ip = ratelimit.client_ip(request)
        user_key = str(request.user.pk)
        if ratelimit.CODE_PER_IP.blocked(ip) or ratelimit.CODE_PER_USER.blocked(user_key):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            ratelimit.CODE_PER_IP.hit(ip)
            ratelimit.CODE_PER_USER.hit(user_key)
            data = form.cleaned_data
            try:
                outcome = account_link(
                    user=request.user,
                    account_number=data["account_number"],
                    code=data["code"],
                    tenant=data.get("tenant"),
                    ip=ip,
                )
            except ApplicationError as error:
                if error.code == "link_choose_tenant":
                    form = LinkForm(request.POST, tenants=error.extra["tenants"])
                    form.is_valid()
                    if "tenant" not in form.errors:
                        form.add_error("tenant", _("Choose the operator of your bill."))
                elif error.code == "link_locked":
                    form.add_error(
                        None,
                        _("Too many wrong codes: linking is locked for an hour. Try again later."),
                    )
                    status = 429
                else:
                    form.add_error(
                        "code", _("The account number or the verification code is wrong.")
                    )
            else:
                account = outcome.holder.account
                if outcome.created:
                    messages.success(
                        request,
                        _("Account %(number)s of %(tenant)s is linked.")
                        % {"number": account.account_number, "tenant": account.tenant.name},
                    )
                else:
                    messages.info(request, _("This account is already linked to you."))
                return redirect("cabinet-home")
    return render(
        request, "cabinet/auth/link.html", {"form": form, "section": SECTION}, status=status
    )


@resident_required
@require_POST
def unlink(request, tenant: str, number: str):
    account = resident_account(request.user, tenant, number)
    account_unlink(user=request.user, account=account)
    messages.success(
        request, _("Account %(number)s is no longer linked.") % {"number": account.account_number}
    )
    return redirect("cabinet-home")
