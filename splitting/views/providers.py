"""Online payments: the providers' webhooks (`POST /api/v1/providers/<code>/webhook`), the page
the payer comes back to (`GET /pay/return/<checkout uid>/`), and starting a checkout
(`POST /api/v1/checkouts`, for the cabinet and the tests; the provider sends the payer back to
`settings.PUBLIC_BASE_URL`). Thin: parse, check, call one
service of `splitting.channels.checkouts`."""

from datetime import timedelta

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.http import private_page
from core.money import format_minor, to_minor
from splitting.channels.checkout_reconcile import checkout_reconcile
from splitting.channels.checkouts import checkout_start, provider_event_handle
from splitting.channels.providers import OFFER_CHANNELS
from splitting.models import Checkout, CheckoutStatus
from splitting.selectors import payment_allocations
from splitting.views.api import (
    AMOUNT,
    AMOUNT_ERRORS,
    ERROR,
    SplitIn,
    idempotency_key,
    idempotent_answer,
    request_hash,
    stored_answer,
    the_account,
)
from warehouse.models import Supplier

ASK_AGAIN_AFTER = timedelta(seconds=3)  # the result page asks the provider at most this often


@csrf_exempt
@require_POST
def provider_webhook(request, code: str):
    """200 when acted on or acknowledged; 400 (nothing written) when forged, stale, unreadable
    or not matching its checkout; 404 for a provider not configured."""
    try:
        outcome = provider_event_handle(
            provider_code=code, body=request.body, headers=request.headers
        )
    except ApplicationError as refused:
        return JsonResponse(
            {"error": refused.code, "detail": refused.message}, status=refused.status_code
        )
    body = {"status": outcome.status}
    if outcome.payment is not None:
        body["payment"] = outcome.payment.pk
    return JsonResponse(body)


@never_cache
@require_GET
def checkout_result(request, uid):
    """Where the provider sends the payer back: the checkout's state and, once booked, what
    each supplier got. While no webhook has decided it, the provider is asked (so a lost
    webhook still ends as paid). Reached by its random id only; shows no personal data."""
    checkout = Checkout.objects.select_related("tenant", "payment").filter(uid=uid).first()
    if checkout is None:
        raise Http404
    cancelled = request.GET.get("cancelled") == "1"
    if checkout.status == CheckoutStatus.CREATED and not cancelled and _may_ask(checkout):
        checkout_reconcile(checkout)
        checkout = Checkout.objects.select_related("tenant", "payment").get(pk=checkout.pk)
    lines = []
    if checkout.status == CheckoutStatus.SUCCEEDED and checkout.payment is not None:
        allocations = payment_allocations(checkout.payment)
        names = dict(
            Supplier.objects.filter(
                tenant=checkout.tenant, code__in={line.supplier for line in allocations}
            ).values_list("code", "name")
        )
        lines = [(names.get(line.supplier, line.supplier), line) for line in allocations]
    response = render(
        request,
        "splitting/checkouts/result.html",
        {
            "checkout": checkout,
            "lines": lines,
            "advance": checkout.payment.advance if checkout.payment else 0,
            "cancelled": cancelled,
        },
    )
    return private_page(response)


def _may_ask(checkout: Checkout) -> bool:
    """Not more than once every few seconds, however often the page is refreshed."""
    asked = checkout.checked_at
    return asked is None or timezone.now() - asked >= ASK_AGAIN_AFTER


class CheckoutIn(serializers.Serializer):
    tenant = serializers.SlugField(
        required=False, help_text="tenant code, when the account number is in several tenants"
    )
    account_number = serializers.CharField(max_length=32)
    amount = serializers.RegexField(AMOUNT, error_messages=AMOUNT_ERRORS)
    provider = serializers.SlugField(max_length=40)
    channel = serializers.ChoiceField(choices=OFFER_CHANNELS, default="cabinet")
    document_reference = serializers.CharField(max_length=35, required=False, allow_blank=True)
    split = SplitIn(many=True, required=False)
    return_url = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="a path on this site"
    )

    def validate_amount(self, value):
        if to_minor(value) <= 0:
            raise serializers.ValidationError("the amount must be positive")
        return value

    def validate_split(self, value):
        codes = [part["supplier"] for part in value]
        if len(set(codes)) != len(codes):
            raise serializers.ValidationError("name each supplier once")
        return value

    def validate_return_url(self, value):
        if value and (not value.startswith("/") or value.startswith("//") or "\\" in value):
            raise serializers.ValidationError("a path on this site, such as /cabinet/")
        return value


class CheckoutOut(serializers.Serializer):
    id = serializers.UUIDField()
    redirect_url = serializers.URLField()
    provider = serializers.CharField()
    amount = serializers.CharField(help_text="to be booked")
    fee = serializers.CharField(help_text="the provider's fee, paid on top")
    total = serializers.CharField(help_text="what the payer is charged")
    currency = serializers.CharField()
    status = serializers.CharField()


class CheckoutCreateApi(APIView):
    @extend_schema(
        request=CheckoutIn,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="optional: a replay with the same key returns the first checkout",
            )
        ],
        responses={
            201: CheckoutOut,
            400: ERROR,
            404: ERROR,
            422: OpenApiResponse(description="refused: e.g. the provider's limits"),
            502: OpenApiResponse(description="the provider is not available"),
        },
    )
    def post(self, request):
        key = idempotency_key(request, required=False)
        if key:
            digest = request_hash(request.data)
            replay = stored_answer(request.user, key, digest)
            if replay is not None:
                return replay
        given = CheckoutIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        account = the_account(request.user, data["account_number"], data.get("tenant"))
        checkout, redirect_url = checkout_start(
            tenant=account.tenant,
            account=account,
            amount=to_minor(data["amount"]),
            provider_code=data["provider"],
            reference=data.get("document_reference", ""),
            split={p["supplier"]: to_minor(p["amount"]) for p in data.get("split", [])} or None,
            return_url=data.get("return_url", ""),
            channel=data["channel"],
        )
        body = {
            "id": str(checkout.uid),
            "redirect_url": redirect_url,
            "provider": checkout.provider,
            "amount": format_minor(checkout.amount),
            "fee": format_minor(checkout.fee),
            "total": format_minor(checkout.total),
            "currency": checkout.currency,
            "status": checkout.status,
        }
        if key:
            # Two concurrent first requests with one key each start a checkout; the answer
            # stored first is given to both, the other checkout simply expires unpaid.
            return idempotent_answer(request.user, key, digest, body, status.HTTP_201_CREATED)
        return Response(body, status=status.HTTP_201_CREATED)
