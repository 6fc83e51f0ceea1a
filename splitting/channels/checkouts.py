"""Online payments through a provider (`settings.PAYMENT_PROVIDERS`,
`splitting.channels.providers`): starting a checkout and handling the provider's webhooks,
which book the payment through `payment_post` on the "provider" channel.

Never a transaction around a call to the provider: `checkout_start` records the checkout and
commits, calls the provider, then records its answer. The webhook is verified before anything
is read from the database; a booked payment is idempotent by the provider's payment id, so a
replayed webhook posts nothing new. Money the provider has taken is never refused: when the
payer's split or document no longer fits at booking time, the payment is booked by the
tenant's ordinary rules instead (and logged)."""

import logging
from datetime import timedelta
from typing import NamedTuple

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework import status

from core.errors import ApplicationError
from core.http import public_url
from integrations.providers import (
    CheckoutRequest,
    ProviderError,
    ProviderEvent,
    ProviderRules,
    WebhookRejected,
)
from invoicing.models import DocumentStatus, PaymentDocument
from splitting import hooks
from splitting.channels.providers import provider_config, providers_of
from splitting.core import allocation as engine
from splitting.core.netting import debt_items
from splitting.core.payments import (
    PaymentConflict,
    PaymentOutcome,
    PaymentRefused,
    allocation_rules,
    payment_post,
)
from splitting.models import Channel, Checkout, CheckoutStatus, Payment, PaymentStatus
from warehouse.models import Account, OpenItem, Supplier, Tenant

log = logging.getLogger(__name__)


class CheckoutRefused(ApplicationError):
    """The checkout cannot be started as asked (422)."""


class ProviderUnavailable(ApplicationError):
    status_code = status.HTTP_502_BAD_GATEWAY


class ProviderEventRefused(ApplicationError):
    """A webhook that is not acted on: forged, stale, unreadable, or not matching its checkout."""

    status_code = status.HTTP_400_BAD_REQUEST


class ProviderOffer(NamedTuple):
    code: str
    rules: ProviderRules
    fee: int  # minor units the payer pays on top of the amount


class EventOutcome(NamedTuple):
    status: str  # booked | replayed | failed | ignored
    checkout: Checkout | None = None
    payment: Payment | None = None


def providers_for(tenant: Tenant, amount: int, channel: str = "cabinet") -> list[ProviderOffer]:
    """The providers the tenant offers for `amount` on `channel`, each with its fee."""
    return [
        ProviderOffer(config.code, config.rules, config.rules.fee(amount))
        for config in providers_of(tenant)
        if config.rules.allows(amount, channel)
    ]


def checkout_start(
    *,
    tenant: Tenant,
    account: Account,
    amount: int,
    provider_code: str,
    reference: str = "",
    split: dict[str, int] | None = None,
    return_url: str = "",
    channel: str = "cabinet",
    site_url: str = "",
) -> tuple[Checkout, str]:
    """Opens a checkout of `amount` minor units (plus the provider's fee) for the account with
    the provider; the URL to send the payer to. `reference` is an issued document's reference
    of the account, or empty for the account number; `site_url` the address the provider sends
    the payer back to (ours: `settings.PUBLIC_BASE_URL` unless given)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise CheckoutRefused("the amount must be positive", code="bad_amount")
    if account.tenant_id != tenant.pk:
        raise CheckoutRefused("the account belongs to another tenant", code="foreign_account")
    if not account.is_active:
        raise CheckoutRefused("the account is closed", code="account_inactive")
    config = provider_config(provider_code)
    if config is None or not config.serves(tenant):
        raise CheckoutRefused(
            f"no payment provider {provider_code!r} here",
            code="unknown_provider",
            extra={"provider": ["Not offered."]},
        )
    if not config.rules.allows(amount, channel):
        raise CheckoutRefused(
            f"{provider_code} does not take this amount on {channel}",
            code="provider_not_allowed",
            extra={"amount": [_limits(config.rules)]},
        )
    reference = _reference(tenant, account, reference)
    if split:
        _check_split(tenant, account, amount, split)
    now = timezone.now()
    with transaction.atomic(durable=True):
        checkout = Checkout.objects.create(
            tenant=tenant,
            account=account,
            provider=provider_code,
            channel=channel,
            amount=amount,
            fee=config.rules.fee(amount),
            currency=tenant.currency,
            reference=reference,
            split=dict(split) if split else None,
            return_url=return_url,
            created_at=now,
            updated_at=now,
        )
    path = reverse("checkout-result", args=[checkout.uid])
    result_url = site_url.rstrip("/") + path if site_url else public_url(path)
    try:
        made = config.client().create_checkout(
            CheckoutRequest(
                amount=checkout.total,
                currency=checkout.currency,
                reference=checkout.reference,
                description=tenant.name[:200],
                success_url=result_url,
                cancel_url=f"{result_url}?cancelled=1",
                idempotency_key=f"unibill-checkout-{checkout.uid}",
            )
        )
    except ProviderError as failure:
        log.warning("checkout %s: %s did not open it: %s", checkout.uid, provider_code, failure)
        _update(checkout, status=CheckoutStatus.FAILED, detail=str(failure)[:200])
        raise ProviderUnavailable(
            "the payment provider is not available now; try again later",
            code="provider_unavailable",
        ) from None
    _update(checkout, provider_id=made.provider_id, redirect_url=made.redirect_url)
    return checkout, made.redirect_url


def _limits(rules: ProviderRules) -> str:
    upper = "" if rules.max_amount is None else f" up to {rules.max_amount}"
    return f"from {rules.min_amount}{upper} minor units"


def _reference(tenant: Tenant, account: Account, reference: str) -> str:
    if not reference or reference == account.account_number:
        return account.account_number
    if _issued_document(tenant, account, reference) is None and not _apps_reference(
        tenant, account, reference
    ):
        raise CheckoutRefused(
            f"no issued document {reference!r} of this account",
            code="unknown_document",
            extra={"document_reference": ["No such document."]},
        )
    return reference


def _apps_reference(tenant: Tenant, account: Account, reference: str) -> bool:
    """Whether an app above names the reference this account's (an instalment of its payment
    plan, `splitting.hooks.reference_resolvers`): its payment is then told the reference."""
    found = hooks.reference_resolve(tenant=tenant, reference=reference)
    return found is not None and found.account is not None and found.account.pk == account.pk


def _issued_document(tenant: Tenant, account: Account, reference: str):
    return (
        PaymentDocument.objects.filter(
            tenant=tenant, account=account, reference=reference, status=DocumentStatus.ISSUED
        )
        .only("pk")
        .first()
    )


def _check_split(tenant: Tenant, account: Account, amount: int, split: dict[str, int]) -> None:
    """The split as `payment_post` will take it, against what is open now (read, not locked:
    the booking checks again, and falls back to the ordinary rules if it no longer fits)."""
    if not allocation_rules(tenant).allow_explicit_split:
        raise CheckoutRefused("this operator does not take split payments", code="no_split")
    suppliers = dict(
        Supplier.objects.filter(tenant=tenant, code__in=list(split)).values_list("code", "pk")
    )
    unknown = sorted(set(split) - suppliers.keys())
    if unknown:
        raise CheckoutRefused(
            f"unknown supplier {unknown[0]!r}",
            code="unknown_supplier",
            extra={"split": {code: ["No such supplier."] for code in unknown}},
        )
    items = debt_items(
        list(OpenItem.objects.filter(account=account, open_amount__gt=0).order_by("pk"))
    )
    try:
        engine.allocate_explicit(amount, items, {suppliers[c]: part for c, part in split.items()})
    except engine.AllocationRefused as refused:
        codes = {pk: code for code, pk in suppliers.items()}
        fields = {codes.get(k, str(k)): [v] for k, v in (refused.fields or {}).items()}
        raise CheckoutRefused(
            str(refused), code=refused.code, extra={"split": fields} if fields else {}
        ) from None


def _update(checkout: Checkout, **fields) -> None:
    fields["updated_at"] = timezone.now()
    Checkout.objects.filter(pk=checkout.pk).update(**fields)
    for name, value in fields.items():
        setattr(checkout, name, value)


def provider_event_handle(
    *, provider_code: str, body: bytes, headers, now: float | None = None
) -> EventOutcome:
    """Acts on one webhook of a provider. Raises ProviderEventRefused (nothing written) for a
    forged, stale or unreadable one and for one that does not match its checkout."""
    config = provider_config(provider_code)
    if config is None:
        raise ProviderEventRefused(
            f"no payment provider {provider_code!r}",
            code="unknown_provider",
            status_code=status.HTTP_404_NOT_FOUND,
        )
    try:
        event = config.client().parse_webhook(body, headers, now)
    except WebhookRejected as rejected:
        log.warning("%s webhook rejected: %s", provider_code, rejected)
        raise ProviderEventRefused(str(rejected), code="webhook_rejected") from None
    return provider_event_apply(provider_code=provider_code, event=event)


def provider_event_apply(*, provider_code: str, event: ProviderEvent) -> EventOutcome:
    """Acts on what a provider said about a checkout — its verified webhook, or its answer when
    asked (`splitting.channels.checkout_reconcile`): books the payment (once: by the provider's
    payment id) or fails the checkout. Raises ProviderEventRefused (nothing written) for an
    event that does not match its checkout."""
    if event.kind in ("unknown", "refunded"):
        # Refunds are started here and booked when made; their webhook only confirms them.
        log.info("%s webhook %r acknowledged, not acted on", provider_code, event.raw_type)
        return EventOutcome("ignored")
    checkout = (
        Checkout.objects.select_related("tenant", "account")
        .filter(provider=provider_code, provider_id=event.provider_id)
        .first()
    )
    if checkout is None:
        log.warning(
            "%s webhook %r for checkout %r, which is not ours: acknowledged",
            provider_code,
            event.raw_type,
            event.provider_id,
        )
        return EventOutcome("ignored")
    mismatch = _mismatch(checkout, event)
    if mismatch:
        log.error("%s webhook for checkout %s refused: %s", provider_code, checkout.uid, mismatch)
        raise ProviderEventRefused(mismatch, code="event_mismatch")
    if event.kind == "payment_failed":
        return _failed(checkout, event.raw_type)
    external_id = f"{provider_code}:{event.payment_id or event.provider_id}"[:100]
    outcome = _book(checkout, external_id)
    _paid(checkout, outcome.payment)
    return EventOutcome("booked" if outcome.created else "replayed", checkout, outcome.payment)


def _mismatch(checkout: Checkout, event) -> str:
    if event.amount != checkout.total:
        return f"amount {event.amount}, the checkout charges {checkout.total}"
    if event.currency and event.currency != checkout.currency.upper():
        return f"currency {event.currency}, the checkout's is {checkout.currency}"
    if event.reference and event.reference != checkout.reference:
        return f"reference {event.reference!r}, the checkout's is {checkout.reference!r}"
    return ""


def _failed(checkout: Checkout, raw_type: str) -> EventOutcome:
    with transaction.atomic(durable=True):
        row = Checkout.objects.select_for_update().get(pk=checkout.pk)
        if row.status == CheckoutStatus.CREATED:
            row.status, row.detail, row.updated_at = CheckoutStatus.FAILED, raw_type, timezone.now()
            row.save(update_fields=["status", "detail", "updated_at"])
        elif row.status == CheckoutStatus.SUCCEEDED:
            log.warning("checkout %s is paid; %s ignored", row.uid, raw_type)
    return EventOutcome("failed", row)


def _book(checkout: Checkout, external_id: str) -> PaymentOutcome:
    """The payment, booked as the payer asked; by the ordinary rules if that no longer fits."""
    booked = Payment.objects.filter(
        tenant=checkout.tenant, channel=Channel.PROVIDER, external_id=external_id
    ).first()
    if booked is not None and (booked.account_id, booked.amount) == (
        checkout.account_id,
        checkout.amount,
    ):
        return PaymentOutcome(booked, created=False)  # a replay; a conflict goes on to refuse
    document = quoted = ""
    if checkout.reference != checkout.account.account_number:
        if _issued_document(checkout.tenant, checkout.account, checkout.reference):
            document = checkout.reference
        else:
            quoted = checkout.reference  # an app's (an instalment's), accepted at the start
    asked = {"document_reference": document, "split": checkout.split or None}
    plain = {"document_reference": "", "split": None}
    last = None
    for options in (asked, plain) if any(asked.values()) else (plain,):
        try:
            return payment_post(
                tenant=checkout.tenant,
                account=checkout.account,
                amount=checkout.amount,
                channel=Channel.PROVIDER,
                external_id=external_id,
                reference=quoted,
                **options,
            )
        except PaymentConflict as conflict:
            log.error("checkout %s: %s", checkout.uid, conflict.message)
            raise ProviderEventRefused(
                conflict.message, code=conflict.code, status_code=status.HTTP_409_CONFLICT
            ) from None
        except PaymentRefused as refused:
            log.warning(
                "checkout %s: %s not booked %s: %s",
                checkout.uid,
                external_id,
                "as the payer asked" if options is asked else "by the tenant's rules",
                refused.message,
            )
            last = refused
    log.error("checkout %s: %s cannot be booked: %s", checkout.uid, external_id, last.message)
    raise ProviderEventRefused(
        last.message, code=last.code, status_code=status.HTTP_422_UNPROCESSABLE_ENTITY
    )


def _paid(checkout: Checkout, payment: Payment) -> None:
    with transaction.atomic(durable=True):
        row = Checkout.objects.select_for_update().get(pk=checkout.pk)
        if row.payment_id not in (None, payment.pk):
            log.error(
                "checkout %s paid twice: payments %s and %s", row.uid, row.payment_id, payment.pk
            )
            return
        if row.status != CheckoutStatus.SUCCEEDED or row.payment_id is None:
            row.status, row.payment, row.detail = CheckoutStatus.SUCCEEDED, payment, ""
            row.updated_at = timezone.now()
            row.save(update_fields=["status", "payment", "detail", "updated_at"])
    checkout.status, checkout.payment = row.status, row.payment


__all__ = [
    "CheckoutRefused",
    "EventOutcome",
    "ProviderEventRefused",
    "ProviderOffer",
    "ProviderUnavailable",
    "checkout_start",
    "provider_event_apply",
    "provider_event_handle",
    "providers_for",
]


def checkout_refund(*, payment: Payment, actor=None, reason: str = "") -> Payment:
    """Pays an online payment back through its provider, then reverses it in our books. The
    provider is called with no transaction open; only when it has accepted the refund is the
    payment reversed (every supplier's share and the open items restored)."""
    from splitting.core.reversals import payment_reverse

    payment.refresh_from_db(fields=["status"])
    if payment.status != PaymentStatus.BOOKED:
        raise CheckoutRefused("the payment is already reversed", code="already_reversed")
    checkout = Checkout.objects.filter(payment=payment, status=CheckoutStatus.SUCCEEDED).first()
    if checkout is None:
        raise CheckoutRefused(
            "this payment was not made through a provider's checkout", code="not_online"
        )
    config = provider_config(checkout.provider)
    if config is None:
        raise CheckoutRefused(f"no payment provider {checkout.provider!r}", code="unknown_provider")
    provider_payment = payment.external_id.removeprefix(f"{checkout.provider}:")
    try:
        refund_id = config.client().refund(
            provider_payment, checkout.total, f"unibill-refund-{payment.pk}"
        )
    except ProviderError as failure:
        log.warning(
            "refund of payment %s refused by %s: %s", payment.pk, checkout.provider, failure
        )
        raise ProviderUnavailable(
            f"the provider did not refund: {failure}", code="refund_failed"
        ) from None
    return payment_reverse(
        payment=payment,
        actor=actor,
        reason=f"refunded by {checkout.provider} ({refund_id}) {reason}",
    )


def checkouts_expire(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Checkouts the payer abandoned: still open after a day, their provider is asked once more
    (`checkout_reconcile`: a paid one is booked, a failed one failed), and those it says are
    not paid — or that never reached it — are failed as expired. One the provider could not be
    asked about stays open, on the stuck checkouts' page, until it can be. A late webhook of an
    expired one that was paid after all still books it — money taken is never refused."""
    from splitting.channels.checkout_reconcile import checkout_reconcile
    from splitting.models.channels import CheckOutcome

    expired = 0
    candidates = Checkout.objects.filter(
        status=CheckoutStatus.CREATED, created_at__lt=timezone.now() - older_than
    ).select_related("tenant", "account")
    for checkout in candidates.order_by("created_at", "pk").iterator():
        if checkout_reconcile(checkout) not in (CheckOutcome.PENDING, CheckOutcome.NOT_OPENED):
            continue
        expired += Checkout.objects.filter(pk=checkout.pk, status=CheckoutStatus.CREATED).update(
            status=CheckoutStatus.FAILED, detail="expired", updated_at=timezone.now()
        )
    return expired
