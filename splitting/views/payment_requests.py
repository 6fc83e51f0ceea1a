"""Front-office redirect: the signed API call that opens a payment request, and the payer's
pages (pay, then back to the front office with a signed result). No sign-in: the request's
random id is the payer's key, and the page shows masked data only."""

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.http import private_page, public_url
from core.money import format_minor
from integrations.terminals import mask_name
from splitting.channels.checkouts import providers_for
from splitting.channels.payment_requests import (
    payment_request_checkout,
    payment_request_create,
    payment_request_refresh,
    payment_request_return_url,
)
from splitting.models import PaymentRequest, PaymentRequestStatus

REQUEST_BODY = inline_serializer(
    "PaymentRequestIn",
    {
        "external_id": serializers.CharField(),
        "amount": serializers.CharField(help_text='"123.45"'),
        "reference": serializers.CharField(required=False),
        "account_number": serializers.CharField(required=False),
        "purpose": serializers.CharField(required=False),
        "return_url": serializers.URLField(),
    },
)


class PaymentRequestApi(APIView):
    """`POST /api/v1/payment-requests`, signed by the front office (no user sign-in)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=REQUEST_BODY,
        responses={
            201: inline_serializer(
                "PaymentRequestOut",
                {"id": serializers.UUIDField(), "pay_url": serializers.URLField()},
            ),
            200: OpenApiResponse(description="the same request again"),
            400: OpenApiResponse(description="bad signature or request"),
            409: OpenApiResponse(description="the same id with other details"),
        },
    )
    def post(self, request):
        made, created = payment_request_create(
            office_code=request.headers.get("X-Unibill-Front-Office", ""),
            body=request.body,
            signature=request.headers.get("X-Unibill-Signature", ""),
        )
        pay_url = public_url(reverse("payment-request-pay", args=[made.uid]))
        return Response(
            {"id": str(made.uid), "pay_url": pay_url, "status": made.status},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ProviderChoice(forms.Form):
    provider = forms.CharField(max_length=40)


def _request_or_404(uid) -> PaymentRequest:
    found = (
        PaymentRequest.objects.select_related("front_office", "tenant", "account", "checkout")
        .filter(uid=uid)
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
def payment_request_pay(request, uid):
    payment_request = payment_request_refresh(request=_request_or_404(uid))
    error = ""
    if request.method == "POST" and payment_request.status == PaymentRequestStatus.OPEN:
        choice = ProviderChoice(request.POST)
        if choice.is_valid():
            try:
                redirect_url = payment_request_checkout(
                    request=payment_request,
                    provider_code=choice.cleaned_data["provider"],
                    site_url=public_url("/"),
                    done_path=reverse("payment-request-done", args=[payment_request.uid]),
                )
            except ApplicationError as refused:
                error = refused.message
            else:
                return HttpResponseRedirect(redirect_url)
    if payment_request.status == PaymentRequestStatus.PAID:
        return HttpResponseRedirect(payment_request_return_url(payment_request))
    offers = providers_for(payment_request.tenant, payment_request.amount, "pay_link")
    response = render(
        request,
        "splitting/payment_request.html",
        {
            "payment_request": payment_request,
            "payer": mask_name(payment_request.account.payer_name),
            "offers": offers,
            "amount": format_minor(payment_request.amount),
            "error": error,
        },
    )
    return private_page(response)


def payment_request_done(request, uid):
    """Where the checkout's result page sends the payer: back to the front office once paid."""
    payment_request = payment_request_refresh(request=_request_or_404(uid))
    if payment_request.status == PaymentRequestStatus.PAID:
        return HttpResponseRedirect(payment_request_return_url(payment_request))
    return HttpResponseRedirect(reverse("payment-request-pay", args=[payment_request.uid]))
