"""The coupon API (`/api/v1/`): a corporate payer's system issues coupons from its wallet; the
receiving office's system verifies a coupon and reports its use. Offices authenticate as their
own users (API token or session) and see only the coupons of their fees: any other identifier
answers `unknown_coupon`, as one that does not exist."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.money import format_minor
from splitting.core.idempotency import (
    idempotency_key,
    idempotent_answer,
    request_hash,
    stored_answer,
)
from wallets import selectors
from wallets.models import Coupon, CouponBatch, Fee, Wallet
from wallets.services.coupons import (
    coupon_redeem,
    coupon_state,
    coupons_issue,
    identifier_normalise,
    office_coupon,
)

ERROR = OpenApiResponse(description='{"error", "detail", "fields"}')


class UnknownCoupon(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND


def coupon_body(coupon: Coupon) -> dict:
    return {
        "id": coupon.identifier,
        "state": coupon_state(coupon),
        "fee": {"code": coupon.fee.code, "name": coupon.fee.name},
        "amount": format_minor(coupon.amount),
        "currency": coupon.wallet.currency,
        "office": coupon.office.code,
        "payer": coupon.wallet.payer.name,
        "issued_at": coupon.issued_at.isoformat(),
        "expires_at": coupon.expires_at.isoformat(),
        "used_at": coupon.used_at.isoformat() if coupon.used_at else None,
        "case_reference": coupon.case_reference,
    }


def wallet_body(wallet: Wallet) -> dict:
    return {
        "id": wallet.pk,
        "payer": wallet.payer.name,
        "currency": wallet.currency,
        "funding_reference": wallet.funding_reference,
        "available": format_minor(wallet.available),
        "blocked": format_minor(wallet.blocked),
        "spent": format_minor(wallet.spent),
        "funded": format_minor(wallet.funded),
    }


def _coupon(user, identifier: str) -> Coupon:
    coupon = office_coupon(user, identifier)
    if coupon is None:
        raise UnknownCoupon(
            f"no coupon {identifier_normalise(identifier)!r} for your office",
            code="unknown_coupon",
            extra={"state": "unknown"},
        )
    return coupon


def _wallet(user, pk: int) -> Wallet:
    wallet = selectors.member_wallets(user).filter(pk=pk).first()
    if wallet is None:
        raise ApplicationError(
            "no such wallet", code="not_found", status_code=status.HTTP_404_NOT_FOUND
        )
    return wallet


class IssueIn(serializers.Serializer):
    fee = serializers.SlugField(max_length=50, help_text="the fee's code")
    count = serializers.IntegerField(min_value=1, max_value=500)


class RedeemIn(serializers.Serializer):
    case_reference = serializers.CharField(max_length=100, trim_whitespace=True)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="optional: a replay with the same key returns the first answer",
)


class WalletDetailApi(APIView):
    @extend_schema(responses={200: OpenApiResponse(description="the wallet's balances")})
    def get(self, request, pk: int):
        return Response(wallet_body(_wallet(request.user, pk)))


class CouponIssueApi(APIView):
    @extend_schema(
        request=IssueIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(description="the batch, its coupons and the wallet after"),
            403: ERROR,
            404: ERROR,
            422: OpenApiResponse(description="refused whole, e.g. insufficient_funds"),
        },
    )
    def post(self, request, pk: int):
        key = idempotency_key(request, required=False)
        digest = request_hash({"wallet": pk, **request.data})
        if key:
            replay = stored_answer(request.user, key, digest)
            if replay is not None:
                return replay
        wallet = _wallet(request.user, pk)
        given = IssueIn(data=request.data)
        given.is_valid(raise_exception=True)
        fee = Fee.objects.filter(
            tenant_id=wallet.tenant_id, code=given.validated_data["fee"], active=True
        ).first()
        if fee is None:
            raise ApplicationError(
                "no such fee", code="unknown_fee", extra={"fee": ["No such fee."]}
            )
        batch = coupons_issue(
            wallet=wallet, fee=fee, count=given.validated_data["count"], actor=request.user
        )
        body = batch_body(batch)
        if key:
            return idempotent_answer(request.user, key, digest, body, status.HTTP_201_CREATED)
        return Response(body, status=status.HTTP_201_CREATED)


def batch_body(batch: CouponBatch) -> dict:
    coupons = list(
        Coupon.objects.filter(batch=batch).select_related("fee", "office", "wallet__payer")
    )
    wallet = Wallet.objects.select_related("payer").get(pk=batch.wallet_id)
    return {
        "batch": batch.pk,
        "fee": batch.fee.code,
        "count": batch.count,
        "total": format_minor(batch.total),
        "coupons": [coupon_body(coupon) for coupon in coupons],
        "wallet": wallet_body(wallet),
    }


class CouponDetailApi(APIView):
    @extend_schema(
        responses={
            200: OpenApiResponse(description="state: valid, used, cancelled or expired"),
            404: OpenApiResponse(description="unknown_coupon (state unknown)"),
        }
    )
    def get(self, request, identifier: str):
        return Response(coupon_body(_coupon(request.user, identifier)))


class CouponRedeemApi(APIView):
    @extend_schema(
        request=RedeemIn,
        responses={
            200: OpenApiResponse(description="used now, or before with this case reference"),
            404: OpenApiResponse(description="unknown_coupon"),
            409: OpenApiResponse(
                description="already_used (with the first case_reference), coupon_cancelled, "
                "coupon_expired"
            ),
        },
    )
    def post(self, request, identifier: str):
        coupon = _coupon(request.user, identifier)
        given = RedeemIn(data=request.data)
        given.is_valid(raise_exception=True)
        redemption = coupon_redeem(
            coupon=coupon,
            case_reference=given.validated_data["case_reference"],
            actor=request.user,
        )
        return Response({**coupon_body(redemption.coupon), "replayed": redemption.replayed})


urlpatterns = [
    path("wallets/<int:pk>", WalletDetailApi.as_view(), name="api-wallet"),
    path("wallets/<int:pk>/coupons", CouponIssueApi.as_view(), name="api-wallet-coupons"),
    path("coupons/<str:identifier>", CouponDetailApi.as_view(), name="api-coupon"),
    path("coupons/<str:identifier>/redeem", CouponRedeemApi.as_view(), name="api-coupon-redeem"),
]
