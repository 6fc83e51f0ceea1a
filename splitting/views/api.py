"""REST endpoints of splitting (`/api/v1/`): payments, their reversal, account and supplier
balances. Thin: parse, check permission, call one service or selector."""

from django.db import IntegrityError
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.money import format_minor, to_minor
from core.permissions import Permission, allows
from splitting import selectors
from splitting.core.idempotency import (
    idempotency_key,
    idempotent_answer,
    request_hash,
    stored_answer,
)
from splitting.core.payments import IdempotencyRequest, payment_post
from splitting.core.reversals import payment_reverse
from splitting.models import Channel, Payment
from warehouse.models import Account, Supplier, Tenant
from warehouse.scoping import scope
from warehouse.selectors import tenant_not_found, tenant_of_caller, tenant_required

AMOUNT = r"^\d{1,13}\.\d{2}$"
AMOUNT_ERRORS = {"invalid": 'an amount in major units with exactly 2 decimals, e.g. "1234.50"'}


class BadInput(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST


class SplitIn(serializers.Serializer):
    supplier = serializers.SlugField(help_text="supplier code")
    amount = serializers.RegexField(AMOUNT, error_messages=AMOUNT_ERRORS)


class PaymentIn(serializers.Serializer):
    tenant = serializers.SlugField(
        required=False, help_text="tenant code; optional when you belong to exactly one tenant"
    )
    account_number = serializers.CharField(max_length=32)
    amount = serializers.RegexField(AMOUNT, error_messages=AMOUNT_ERRORS)
    channel = serializers.ChoiceField(choices=Channel.choices)
    external_id = serializers.CharField(max_length=100)
    document_reference = serializers.CharField(max_length=35, required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False)
    split = SplitIn(many=True, required=False)

    def validate_split(self, value):
        codes = [part["supplier"] for part in value]
        if len(set(codes)) != len(codes):
            raise serializers.ValidationError("name each supplier once")
        if any(to_minor(part["amount"]) <= 0 for part in value):
            raise serializers.ValidationError("every amount must be positive")
        return value

    def validate_amount(self, value):
        if to_minor(value) <= 0:
            raise serializers.ValidationError("the amount must be positive")
        return value


class AllocationOut(serializers.Serializer):
    supplier = serializers.CharField()
    period = serializers.CharField()
    amount = serializers.CharField()
    commission = serializers.CharField()


class PaymentOut(serializers.Serializer):
    id = serializers.IntegerField()
    tenant = serializers.CharField()
    account_number = serializers.CharField()
    amount = serializers.CharField(help_text="to a supplier user: its share")
    channel = serializers.CharField()
    external_id = serializers.CharField()
    document_reference = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    booked_at = serializers.DateTimeField()
    reversed_at = serializers.DateTimeField(allow_null=True)
    allocations = AllocationOut(many=True, help_text="to a supplier user: its own lines only")
    commission = serializers.CharField(help_text="to a supplier user: of its share")
    advance = serializers.CharField(
        help_text='the part no open item took, kept as an advance (to a supplier user: "0.00")'
    )


def payment_body(
    payment: Payment,
    lines: list[selectors.AllocationLine] | None = None,
    *,
    supplier_id: int | None = None,
) -> dict:
    """The payment as the API shows it; `lines` when they are at hand (a new payment). With
    `supplier_id` (a supplier user asks), that supplier's share only: its lines, and amount and
    commission of those lines — what its webhook said of the payment."""
    if lines is None:
        lines = selectors.payment_allocations(payment, supplier_id)
    amount, commission, advance = payment.amount, payment.commission, payment.advance
    if supplier_id is not None:
        amount, commission, advance = (
            sum(line.amount for line in lines),
            sum(line.commission for line in lines),
            0,
        )
    return {
        "id": payment.pk,
        "tenant": payment.tenant.code,
        "account_number": payment.account.account_number,
        "amount": format_minor(amount),
        "channel": payment.channel,
        "external_id": payment.external_id,
        "document_reference": payment.document_reference,
        "status": payment.status,
        "received_at": _iso(payment.received_at),
        "booked_at": _iso(payment.booked_at),
        "reversed_at": _iso(payment.reversed_at) if payment.reversed_at else None,
        "allocations": [
            {
                "supplier": line.supplier,
                "period": line.period,
                "amount": format_minor(line.amount),
                "commission": format_minor(line.commission),
            }
            for line in lines
        ],
        "commission": format_minor(commission),
        "advance": format_minor(advance),
    }


def _iso(moment) -> str:
    """As DRF renders datetimes, so that a stored answer and a fresh one read the same."""
    return serializers.DateTimeField().to_representation(moment)


def _payment_tenant(user, code: str | None) -> Tenant:
    """The tenant a payment is posted in, in one query: the one named, or the caller's only
    tenant where their role may post payments (operator admin, accountant)."""
    if user.is_superuser:
        return tenant_of_caller(user, code)
    tenants: dict[int, Tenant] = {}
    may_post = False
    for tenant, role in selectors.tenants_with_roles(user):
        if code and tenant.code != code:
            continue
        tenants[tenant.pk] = tenant
        may_post = may_post or allows(role, Permission.POST_PAYMENTS)
    if code and not tenants:
        raise tenant_not_found(code)
    if len(tenants) != 1:
        raise tenant_required()
    if not may_post:
        raise PermissionDenied("your role does not allow posting payments in this tenant")
    return next(iter(tenants.values()))


def the_account(user, number: str, tenant_code: str | None, field: str = "field") -> Account:
    """The one account of this number the caller may see: 404 when none, 400 when several
    tenants have it and the request does not name the tenant."""
    found = selectors.visible_accounts(user, number, tenant_code)
    if not found:
        raise NotFound("no such account")
    if len(found) > 1:
        raise BadInput(
            "several tenants have this account number: name the tenant",
            code="tenant_required",
            extra={"tenant": [f"This {field} is required."]},
        )
    return found[0]


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="a unique key per payment: a replay returns the first answer",
)
ERROR = OpenApiResponse(description='{"error", "detail", "fields"}')


class PaymentCreateApi(APIView):
    @extend_schema(
        request=PaymentIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: PaymentOut,
            200: OpenApiResponse(PaymentOut, description="the channel sent this payment before"),
            400: ERROR,
            403: ERROR,
            404: ERROR,
            409: OpenApiResponse(description="the key or external id was used differently"),
            422: OpenApiResponse(description="refused: e.g. a split above what is open"),
        },
    )
    def post(self, request):
        key = idempotency_key(request, required=True)
        digest = request_hash(request.data)
        replay = stored_answer(request.user, key, digest, render_payment=_payment_answer)
        if replay is not None:
            return replay
        given = PaymentIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        tenant = _payment_tenant(request.user, data.get("tenant"))
        account = selectors.account_of_number(tenant, data["account_number"])
        if account is None:
            raise ApplicationError(
                f"no account {data['account_number']!r}",
                code="unknown_account",
                extra={"account_number": ["No such account."]},
                status_code=status.HTTP_404_NOT_FOUND,
            )
        try:
            outcome = payment_post(
                tenant=tenant,
                account=account,
                amount=to_minor(data["amount"]),
                channel=data["channel"],
                external_id=data["external_id"],
                document_reference=data.get("document_reference", ""),
                split={p["supplier"]: to_minor(p["amount"]) for p in data.get("split", [])} or None,
                received_at=data.get("received_at"),
                idempotency=IdempotencyRequest(request.user.pk, key, digest),
            )
        except IntegrityError:
            # The same key, answered meanwhile by a concurrent request.
            replay = stored_answer(request.user, key, digest, render_payment=_payment_answer)
            if replay is None:
                raise
            return replay
        payment = outcome.payment
        payment.tenant, payment.account = tenant, account
        if outcome.created:
            return Response(payment_body(payment, outcome.lines), status=status.HTTP_201_CREATED)
        # The channel sent this payment before, under another key (or a concurrent replay of
        # this one): answer as first answered, when this key was kept; else as it stands.
        replay = stored_answer(request.user, key, digest, render_payment=_payment_answer)
        if replay is not None:
            return replay
        return idempotent_answer(
            request.user,
            key,
            digest,
            payment_body(payment),
            200,
            payment_id=payment.pk,
            render_payment=_payment_answer,
        )


def _payment_answer(payment_id: int) -> dict:
    """A replayed payment request's answer, rendered from the payment the key names."""
    return payment_body(selectors.payment_with_parties(payment_id))


class PaymentDetailApi(APIView):
    @extend_schema(responses={200: PaymentOut, 404: ERROR})
    def get(self, request, pk: int):
        seen = selectors.payment_visible(request.user, pk)
        if seen is None:
            raise NotFound("no such payment")
        return Response(payment_body(seen.payment, supplier_id=seen.supplier_id))


class ReverseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PaymentReverseApi(APIView):
    @extend_schema(
        request=ReverseIn,
        responses={200: PaymentOut, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request, pk: int):
        seen = selectors.payment_visible(request.user, pk)
        if seen is None:
            raise NotFound("no such payment")
        if not selectors.can_take_payments(request.user, seen.payment.tenant_id):
            raise PermissionDenied("your role does not allow reversing payments")
        given = ReverseIn(data=request.data)
        given.is_valid(raise_exception=True)
        payment = payment_reverse(
            payment=seen.payment, actor=request.user, reason=given.validated_data.get("reason", "")
        )
        return Response(payment_body(payment))


class SupplierPositionOut(serializers.Serializer):
    supplier = serializers.CharField()
    open = serializers.CharField()
    overdue = serializers.CharField()


class AccountBalanceOut(serializers.Serializer):
    account_number = serializers.CharField()
    tenant = serializers.CharField()
    as_of = serializers.DateField()
    total_due = serializers.CharField()
    overdue = serializers.CharField()
    advance = serializers.CharField()
    suppliers = SupplierPositionOut(many=True)


TENANT_QUERY = OpenApiParameter(
    "tenant", OpenApiTypes.STR, description="tenant code, when you see more than one tenant"
)


class AccountBalanceApi(APIView):
    @extend_schema(
        parameters=[TENANT_QUERY],
        responses={200: AccountBalanceOut, 404: ERROR},
        description="To a supplier user: its own supplier line alone, the totals of that line.",
    )
    def get(self, request, account_number: str):
        account = the_account(
            request.user, account_number, request.query_params.get("tenant"), "parameter"
        )
        today = timezone.localdate()
        supplier_id = selectors.supplier_share_of(request.user, account.tenant_id, account.pk)
        if supplier_id is None:
            balance = selectors.account_position(account, as_of=today)
        else:
            balance = selectors.supplier_account_position(account, supplier_id, as_of=today)
        return Response(
            {
                "account_number": account.account_number,
                "tenant": account.tenant.code,
                "as_of": balance.as_of.isoformat(),
                "total_due": format_minor(balance.total_due),
                "overdue": format_minor(balance.overdue),
                "advance": format_minor(balance.advance),
                "suppliers": [
                    {
                        "supplier": position.supplier.code,
                        "open": format_minor(position.open),
                        "overdue": format_minor(position.overdue),
                    }
                    for position in balance.suppliers
                ],
            }
        )


class SupplierBalanceOut(serializers.Serializer):
    supplier = serializers.CharField()
    tenant = serializers.CharField()
    currency = serializers.CharField()
    collected = serializers.CharField(help_text="in the supplier's favour, net of reversals")
    commission = serializers.CharField(help_text="commission withheld")
    paid_out = serializers.CharField()
    payable = serializers.CharField(help_text="collected, net of commission, not yet paid out")


class SupplierBalanceApi(APIView):
    @extend_schema(parameters=[TENANT_QUERY], responses={200: SupplierBalanceOut, 404: ERROR})
    def get(self, request, code: str):
        suppliers = scope(request.user, Supplier).filter(code=code).select_related("tenant")
        if request.query_params.get("tenant"):
            suppliers = suppliers.filter(tenant__code=request.query_params["tenant"])
        visible = [s for s in suppliers[:5] if selectors.can_see_supplier_money(request.user, s)]
        if not visible:
            raise NotFound("no such supplier")
        if len(visible) > 1:
            raise BadInput(
                "several tenants have this supplier code: name the tenant",
                code="tenant_required",
                extra={"tenant": ["This parameter is required."]},
            )
        balance = selectors.supplier_balance(visible[0])
        return Response(
            {
                "supplier": balance.supplier.code,
                "tenant": balance.supplier.tenant.code,
                "currency": balance.supplier.tenant.currency,
                "collected": format_minor(balance.collected),
                "commission": format_minor(balance.commission),
                "paid_out": format_minor(balance.paid_out),
                "payable": format_minor(balance.payable),
                "owes_back": format_minor(balance.owes_back),
            }
        )


urlpatterns = [
    path("payments", PaymentCreateApi.as_view(), name="api-payments"),
    path("payments/<int:pk>", PaymentDetailApi.as_view(), name="api-payment"),
    path("payments/<int:pk>/reverse", PaymentReverseApi.as_view(), name="api-payment-reverse"),
    path(
        "accounts/<str:account_number>/balance",
        AccountBalanceApi.as_view(),
        name="api-account-balance",
    ),
    path(
        "suppliers/<slug:code>/balance", SupplierBalanceApi.as_view(), name="api-supplier-balance"
    ),
]
