"""The public page of an instalment's pay link, `/pay/plan/<token>/`: no sign-in, masked data
only (the payer as `I. Iv***`, the account's last digits), and a button per payment provider
that starts an online checkout for the instalment's amount."""

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import ApplicationError
from core.http import private_page, public_url
from debt_collection.models import PlanStatus
from debt_collection.selectors import instalment_by_token
from debt_collection.services.plans import instalment_checkout
from invoicing.services.pay_links import mask_name
from splitting.channels.checkouts import providers_for


class ProviderChoice(forms.Form):
    provider = forms.CharField(max_length=40)


@never_cache
@require_http_methods(["GET", "POST"])
def plan_pay(request, token: str):
    instalment = instalment_by_token(token)
    if instalment is None:
        raise Http404
    plan = instalment.plan
    payable = plan.status == PlanStatus.ACTIVE and instalment.paid_at is None
    error = ""
    if request.method == "POST" and payable:
        choice = ProviderChoice(request.POST)
        if choice.is_valid():
            try:
                redirect_url = instalment_checkout(
                    instalment=instalment,
                    provider_code=choice.cleaned_data["provider"],
                    site_url=public_url("/"),
                    return_path=request.path,
                )
            except ApplicationError as refused:
                error = refused.message
            else:
                return HttpResponseRedirect(redirect_url)
        else:
            error = "Choose a payment method."
    offers = providers_for(plan.tenant, instalment.amount, "pay_link") if payable else []
    response = render(
        request,
        "debt_collection/plans/pay.html",
        {
            "instalment": instalment,
            "plan": plan,
            "tenant": plan.tenant,
            "payer": mask_name(plan.account.payer_name),
            "account_tail": plan.account.account_number[-3:],
            "payable": payable,
            "offers": offers,
            "error": error,
        },
    )
    return private_page(response)
