"""The staff page of stuck checkouts (`/staff/checkouts/stuck/`): the online payments of the
user's tenants still waiting for their provider's webhook past the reconcile interval
(`splitting.selectors.stuck_checkouts`), with what the provider answered when last asked, and
"Ask the provider" per row, which asks it now (`checkout_reconcile`) and says what came back.

Who may do what: every operator staff member of a tenant sees its stuck checkouts; operator
admins and accountants (`Permission.POST_PAYMENTS`) ask the provider, since its answer may book
a payment; anyone else gets 403. A checkout of another tenant is 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.money import format_currency
from splitting import selectors
from splitting.access import may_settle
from splitting.channels.checkout_reconcile import checkout_reconcile, reconcile_after
from splitting.channels.providers import provider_config
from splitting.models import Checkout
from splitting.models.channels import CheckOutcome
from warehouse.access import staff_required
from warehouse.selectors import tenants_of

ROWS = 200  # the oldest first; beat keeps asking about the rest

# What "Ask the provider" says, by what the provider answered.
ANSWERS = {
    CheckOutcome.PAID: (
        messages.SUCCESS,
        gettext_lazy("Account %(account)s: the provider says it is paid; %(amount)s is booked."),
    ),
    CheckOutcome.FAILED: (
        messages.WARNING,
        gettext_lazy(
            "Account %(account)s: the provider says %(amount)s was not paid; "
            "the checkout is closed as failed."
        ),
    ),
    CheckOutcome.PENDING: (
        messages.INFO,
        gettext_lazy(
            "Account %(account)s: the provider says %(amount)s is not paid yet; "
            "it will be asked again."
        ),
    ),
    CheckOutcome.NOT_OPENED: (
        messages.WARNING,
        gettext_lazy(
            "Account %(account)s: the checkout of %(amount)s never reached the provider; "
            "it will expire unpaid."
        ),
    ),
    CheckOutcome.ERROR: (
        messages.ERROR,
        gettext_lazy("Account %(account)s: the provider could not be asked: %(detail)s"),
    ),
}


@staff_required
def stuck_checkout_list(request):
    tenants = list(tenants_of(request.user))
    checkouts = list(selectors.stuck_checkouts(tenants)[:ROWS])
    may_ask = {t.pk for t in tenants if selectors.can_take_payments(request.user, t.pk)}
    names = {}
    for checkout in checkouts:
        if checkout.provider not in names:
            config = provider_config(checkout.provider)
            names[checkout.provider] = config.name if config else checkout.provider
        checkout.provider_name = names[checkout.provider]
        checkout.may_ask = checkout.tenant_id in may_ask
    context = {
        "checkouts": checkouts,
        "minutes": int(reconcile_after().total_seconds() // 60),
        "several_tenants": len(tenants) > 1,
        "section": "stuck-checkouts",
    }
    return render(request, "splitting/checkouts/stuck.html", context)


@require_POST
@staff_required
def stuck_checkout_ask(request, pk: int):
    checkout = (
        Checkout.objects.select_related("tenant", "account")
        .filter(pk=pk, tenant__in=tenants_of(request.user))
        .first()
    )
    if checkout is None:
        raise Http404
    may_settle(request.user, checkout.tenant_id)
    outcome = checkout_reconcile(checkout)
    names = {
        "account": checkout.account.account_number,
        "amount": format_currency(checkout.amount, checkout.tenant),
        "detail": checkout.check_detail,
    }
    level, text = ANSWERS.get(outcome, ANSWERS[CheckOutcome.ERROR])
    messages.add_message(request, level, text % names)
    return redirect("stuck-checkouts")
