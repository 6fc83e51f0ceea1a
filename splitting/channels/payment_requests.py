"""Front-office redirect: another site sends a payer here to pay, and gets them back.

1. The site POSTs a signed request (`X-Unibill-Front-Office: <code>`,
   `X-Unibill-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>." + body)>`) with its own id, the
   amount, a document reference or an account number, a purpose and its return URL; it gets the
   pay URL back. The same request sent again answers the same; the same id with another body
   is refused.
2. The payer pays on our page through one of the providers offered for the amount.
3. Back from the provider, once the payment is booked, the payer goes to the return URL with
   `request, external_id, status, amount, payment, t` and a `signature` over them (same HMAC,
   over "<t>." + the other parameters sorted and URL-encoded).
A request is paid at most once: a new checkout starts only when there is none, or the last one
failed."""

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status

from core.errors import ApplicationError
from core.money import format_minor, to_minor
from integrations.webhooks import webhook_verify
from invoicing.references import ReferenceError, reference_parse
from splitting.channels.checkouts import checkout_start
from splitting.models import (
    Checkout,
    CheckoutStatus,
    FrontOffice,
    PaymentRequest,
    PaymentRequestStatus,
)
from warehouse.models import Account
from warehouse.selectors import accounts_of_reference


class RequestRefused(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST


class RequestConflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT


def payment_request_create(
    *, office_code: str, body: bytes, signature: str
) -> tuple[PaymentRequest, bool]:
    """Checks the signature before reading anything else; (request, created)."""
    office = FrontOffice.objects.select_related("tenant").filter(code=office_code).first()
    if office is None or not office.is_active:
        raise RequestRefused("unknown front office", code="unknown_front_office")
    if not webhook_verify(office.secret, signature, body):
        raise RequestRefused("bad or stale signature", code="bad_signature")
    try:
        data = json.loads(body)
        external_id = str(data["external_id"])[:100]
        amount = to_minor(str(data["amount"]))
        return_url = str(data["return_url"])
    except (ValueError, KeyError, TypeError) as problem:
        raise RequestRefused(f"unreadable request: {problem}", code="bad_request") from None
    if amount <= 0:
        raise RequestRefused("the amount must be positive", code="bad_amount")
    if not return_url.startswith(office.return_url_prefix):
        raise RequestRefused("the return URL is not the front office's", code="bad_return_url")
    reference = str(data.get("reference") or "").replace(" ", "").upper()
    account = _account(office, reference, str(data.get("account_number") or ""))
    fields = {
        "tenant": office.tenant,
        "account": account,
        "amount": amount,
        "reference": reference,
        "purpose": str(data.get("purpose") or "")[:200],
        "return_url": return_url,
    }
    existing = PaymentRequest.objects.filter(front_office=office, external_id=external_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                return (
                    PaymentRequest.objects.create(
                        front_office=office,
                        external_id=external_id,
                        created_at=timezone.now(),
                        **fields,
                    ),
                    True,
                )
        except IntegrityError:
            existing = PaymentRequest.objects.get(front_office=office, external_id=external_id)
    if any(getattr(existing, name) != value for name, value in fields.items()):
        raise RequestConflict(
            f"request {external_id!r} was made with other details", code="request_conflict"
        )
    return existing, False


def _account(office: FrontOffice, reference: str, number: str) -> Account:
    accounts = Account.objects.filter(tenant=office.tenant, account_number=number)
    if reference:
        try:
            key = reference_parse(reference).account_number
        except ReferenceError:
            raise RequestRefused("not a valid reference", code="bad_reference") from None
        accounts = accounts_of_reference(office.tenant, key)
    account = accounts.first()
    if account is None:
        raise RequestRefused("no such account", code="unknown_account")
    return account


def payment_request_checkout(
    *, request: PaymentRequest, provider_code: str, site_url: str, done_path: str
) -> str:
    """Starts (or continues) paying the request with a provider: the URL to send the payer to."""
    with transaction.atomic():
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        payment_request_refresh(request=locked)
        if locked.status == PaymentRequestStatus.PAID:
            raise RequestConflict("this request is paid already", code="already_paid")
        current = locked.checkout
        if (
            current is not None
            and current.status == CheckoutStatus.CREATED
            and current.redirect_url
        ):
            return current.redirect_url
    checkout, redirect_url = checkout_start(
        tenant=request.tenant,
        account=request.account,
        amount=request.amount,
        provider_code=provider_code,
        reference=request.reference,
        return_url=done_path,
        channel="pay_link",
        site_url=site_url,
    )
    with transaction.atomic():
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        if locked.checkout is not None and locked.checkout.status != CheckoutStatus.FAILED:
            raise RequestConflict("a payment of this request is in progress", code="in_progress")
        locked.checkout = checkout
        locked.save(update_fields=["checkout"])
    return redirect_url


def payment_request_refresh(*, request: PaymentRequest) -> PaymentRequest:
    """Takes the request's checkout's outcome over once the provider's webhook booked it."""
    if request.status == PaymentRequestStatus.OPEN and request.checkout_id:
        checkout = Checkout.objects.get(pk=request.checkout_id)
        if checkout.status == CheckoutStatus.SUCCEEDED and checkout.payment_id:
            request.status, request.payment_id = PaymentRequestStatus.PAID, checkout.payment_id
            request.save(update_fields=["status", "payment"])
    return request


def result_signature(secret: str, timestamp: int, params: dict[str, str]) -> str:
    message = f"{timestamp}.{urlencode(sorted(params.items()))}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def payment_request_return_url(request: PaymentRequest, *, now: float | None = None) -> str:
    """The front office's return URL with the signed result."""
    timestamp = int(time.time() if now is None else now)
    params = {
        "request": str(request.uid),
        "external_id": request.external_id,
        "status": request.status,
        "amount": format_minor(request.amount),
        "payment": str(request.payment_id or ""),
        "t": str(timestamp),
    }
    signature = result_signature(request.front_office.secret, timestamp, params)
    separator = "&" if "?" in request.return_url else "?"
    return f"{request.return_url}{separator}{urlencode(params)}&signature={signature}"
