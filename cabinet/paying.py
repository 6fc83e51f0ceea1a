"""Paying: the resident's `/cabinet/accounts/<tenant>/<number>/pay/` and the personal pay
link's `/pay/<token>/online/` (no sign-in, masked data only) share one form and one flow:

1. how much — the whole amount due, another amount, or chosen amounts per supplier (the
   explicit split, when the tenant's rules take it);
2. how — only the providers whose rules allow that amount on the channel, each with its fee
   and the total; choosing one starts the checkout (`splitting.channels.checkouts.checkout_start`)
   and sends the payer to the provider, who sends them back to splitting's result page
   (`/pay/return/<uid>/`: the result and the allocation per supplier).

Amount rules: a whole-account amount above what is due is taken (the payment books the rest
as an advance, as every channel does); an amount per supplier above what is open for that
supplier is refused at its field, since a split leaves nothing for an advance."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cabinet.selectors import PayPosition, held_account, pay_position
from core.errors import ApplicationError
from core.http import private_page
from core.money import format_minor, to_minor
from invoicing.models import DocumentStatus
from invoicing.selectors import document_by_pay_token
from invoicing.services.pay_links import TAN_SESSION_KEY as PAY_LINK_TAN_SESSION_KEY
from invoicing.services.pay_links import mask_name
from splitting.channels.checkouts import CheckoutRefused, ProviderOffer, checkout_start
from splitting.channels.checkouts import providers_for as offers_for
from splitting.channels.providers import provider_config
from splitting.core.payments import allocation_rules
from warehouse.models import Account

ALL, PART, SPLIT = "all", "part", "split"


def _minor(value: str) -> int | None:
    value = (value or "").strip().replace(" ", "").replace("\u00a0", "")
    if not value:
        return None
    try:
        return to_minor(value)
    except ValueError:
        raise forms.ValidationError(_("Enter an amount such as 120.50.")) from None


class PayForm(forms.Form):
    """How much, and (second step) through which provider. Amounts are typed in major units
    ("120.50" or "120,50") and kept in minor units in `cleaned_data`."""

    mode = forms.ChoiceField(
        label=gettext_lazy("What to pay"),
        widget=forms.RadioSelect,
        initial=ALL,
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy("More than the amount due is kept as an advance."),
    )
    provider = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, position: PayPosition, split_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.position = position
        modes = [
            (ALL, _("The whole amount due")),
            (PART, _("Another amount")),
        ]
        if split_allowed and position.suppliers:
            modes.append((SPLIT, _("Chosen amounts per supplier")))
        self.fields["mode"].choices = modes
        self.split_names: list[str] = []
        if split_allowed:
            for supplier in position.suppliers:
                name = f"split_{supplier.code}"
                self.fields[name] = forms.CharField(
                    label=supplier.name,
                    required=False,
                    max_length=20,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                    help_text=_("open: %(amount)s") % {"amount": format_minor(supplier.open)},
                )
                self.split_names.append(name)

    def split_fields(self):
        return [self[name] for name in self.split_names]

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        data["split"] = None
        if mode == ALL:
            if self.position.total_due <= 0:
                raise forms.ValidationError(_("Nothing is due now; choose another amount."))
            data["to_pay"] = self.position.total_due
        elif mode == PART:
            try:
                amount = _minor(data.get("amount", ""))
            except forms.ValidationError as error:
                self.add_error("amount", error)
                return data
            if amount is None:
                self.add_error("amount", _("Enter the amount to pay."))
            elif amount <= 0:
                self.add_error("amount", _("The amount must be more than zero."))
            else:
                data["to_pay"] = amount
        elif mode == SPLIT:
            split = {}
            for name in self.split_names:
                code = name.removeprefix("split_")
                try:
                    part = _minor(self.data.get(self.add_prefix(name), ""))
                except forms.ValidationError as error:
                    self.add_error(name, error)
                    continue
                if part is None or part == 0:
                    continue
                open_now = self.position.open_of(code)
                if part < 0:
                    self.add_error(name, _("The amount must be more than zero."))
                elif part > open_now:
                    self.add_error(
                        name,
                        _("More than the %(open)s open for this supplier.")
                        % {"open": format_minor(open_now)},
                    )
                else:
                    split[code] = part
            if not self.errors and not split:
                raise forms.ValidationError(_("Enter an amount for at least one supplier."))
            if split and not self.errors:
                data["split"] = split
                data["to_pay"] = sum(split.values())
        return data


@dataclass(frozen=True)
class Payer:
    """Who and what the page shows: the full account for its holder, masked on a pay link."""

    account: Account
    channel: str  # "cabinet" or "pay_link"
    reference: str  # an issued document's reference, or "" (the account number)
    return_url: str  # a path on this site, or ""
    masked_name: str = ""
    back_url: str = ""


def _offers(payer: Payer, amount: int) -> list[ProviderOffer]:
    return offers_for(payer.account.tenant, amount, payer.channel)


def _pay_page(request, payer: Payer, template: str, extra: dict):
    account = payer.account
    position = pay_position(account)
    split_allowed = allocation_rules(account.tenant).allow_explicit_split
    form = PayForm(
        request.POST if request.method == "POST" else None,
        position=position,
        split_allowed=split_allowed,
    )
    offers, to_pay, error = None, None, ""
    if request.method == "POST" and form.is_valid():
        to_pay = form.cleaned_data["to_pay"]
        offers = _offers(payer, to_pay)
        chosen = form.cleaned_data.get("provider")
        if chosen:
            offer = next((o for o in offers if o.code == chosen), None)
            if offer is None:
                error = _("This payment method does not take this amount; choose another.")
            else:
                try:
                    _checkout, redirect_url = checkout_start(
                        tenant=account.tenant,
                        account=account,
                        amount=to_pay,
                        provider_code=offer.code,
                        reference=payer.reference,
                        split=form.cleaned_data["split"],
                        return_url=payer.return_url,
                        channel=payer.channel,
                    )
                except CheckoutRefused as refused:
                    error = _field_errors(form, refused)
                except ApplicationError as failed:
                    error = failed.message
                else:
                    return HttpResponseRedirect(redirect_url)
    split_lines = []
    if form.is_bound and not form.errors and form.cleaned_data.get("split"):
        names = {s.code: s.name for s in position.suppliers}
        split_lines = [(names[c], a) for c, a in form.cleaned_data["split"].items()]
    context = {
        "payer": payer,
        "account": account,
        "tenant": account.tenant,
        "position": position,
        "form": form,
        "confirm": offers is not None and not form.errors,
        "offers": [(o, _provider_name(o.code), o.fee, to_pay + o.fee) for o in offers or []],
        "to_pay": to_pay,
        "split_lines": split_lines,
        "error": error,
        **extra,
    }
    return private_page(render(request, template, context))


def _provider_name(code: str) -> str:
    config = provider_config(code)
    return config.name if config else code


def _field_errors(form: PayForm, refused: CheckoutRefused) -> str:
    """The checkout's refusal, put next to the supplier fields it names when it names some."""
    split = (refused.extra or {}).get("split") or {}
    placed = False
    for code, messages in split.items():
        name = f"split_{code}"
        if name in form.fields:
            form.add_error(name, " ".join(messages))
            placed = True
    return "" if placed else refused.message


@never_cache
@login_required(login_url="cabinet-login")
@require_http_methods(["GET", "POST"])
def pay(request, tenant: str, number: str):
    """The holder's paying page (sign-in required; another person's account is a 404)."""
    account = held_account(request.user, tenant, number)
    payer = Payer(
        account=account,
        channel="cabinet",
        reference="",
        return_url=reverse("cabinet-documents", args=[tenant, number]),
        back_url=reverse("cabinet-documents", args=[tenant, number]),
    )
    return _pay_page(request, payer, "cabinet/pay/pay.html", {"section": "my"})


@never_cache
@require_http_methods(["GET", "POST"])
def pay_link_pay(request, token: str):
    """The personal pay link's paying page: no sign-in; the link must be valid and, when the
    tenant asks for it, its TAN already entered on `/pay/<token>` — else back there."""
    document = document_by_pay_token(token)
    if document is None:
        raise Http404
    link = reverse("pay-link", args=[token])
    if document.pay_expires_at < timezone.now():
        return redirect(link)
    passed = set(request.session.get(PAY_LINK_TAN_SESSION_KEY, []))
    if document.tenant.tan_required and document.pk not in passed:
        return redirect(link)
    account = document.account
    account.tenant = document.tenant
    payer = Payer(
        account=account,
        channel="pay_link",
        reference=document.reference if document.status == DocumentStatus.ISSUED else "",
        # The token is never stored in clear, so the checkout keeps no way back to it.
        return_url="",
        masked_name=mask_name(account.payer_name),
        back_url=link,
    )
    response = _pay_page(request, payer, "cabinet/pay/pay.html", {"pay_link": True})
    response["X-Robots-Tag"] = "noindex"
    return response
