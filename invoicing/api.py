"""REST endpoints of invoicing (`/api/v1/`): an account's payment documents, one document by its
payment reference, and its PDF.

Who sees a document: a superuser, the operator staff of its tenant and the holders of its
account — the rule `scope()` applies to `PaymentDocument`. A supplier user gets a 404 even for
an account linked to its supplier: the document is the payer's bill of every supplier (its
total, reference, QR payload, and in the PDF the personal pay link and TAN), and what belongs
to the supplier alone — its charges, its open items, its payments — it has elsewhere."""

import re
from collections import defaultdict

from django.db.models import Sum
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from core.documents.names import file_stem
from core.errors import ApplicationError
from core.http import public_url
from core.money import format_minor
from core.permissions import Permission, roles_with
from invoicing import selectors
from invoicing.models import DocumentLine, DocumentStatus, PaymentDocument
from invoicing.rendering.pdf import render_pdf
from invoicing.selectors import document_view
from warehouse.models import Account, AccountHolder, Membership
from warehouse.scoping import scope

REFERENCE = re.compile(r"[0-9A-Z]{1,35}")


class BadInput(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST


def paid_state(document: PaymentDocument, open_periods: dict[str, int], today) -> tuple:
    """`invoicing.selectors.paid_state`, or (None, None) for a superseded document, which asks
    for nothing any more."""
    if document.status != DocumentStatus.ISSUED:
        return None, None
    return selectors.paid_state(document, open_periods, today)


def _sees_all_of(user, account: Account) -> tuple[bool, bool]:
    """(staff, holder): whether `user` sees the account's documents as the tenant's staff (or
    a superuser), and whether they hold the account. A supplier user is neither."""
    if user.is_superuser:
        return True, False
    staff = Membership.objects.filter(
        user=user, tenant_id=account.tenant_id, role__in=roles_with(Permission.VIEW_STAFF_PAGES)
    ).exists()
    holder = AccountHolder.objects.filter(user=user, account=account).exists()
    return staff, holder


def _document_account(user, number: str, tenant_code: str | None) -> tuple[Account, bool, bool]:
    """The one account of this number whose documents `user` may see, with `_sees_all_of`: 404
    when none (also to a supplier user linked to it), 400 when several tenants have it and no
    tenant is named."""
    accounts = scope(user, Account).filter(account_number=number).select_related("tenant")
    if tenant_code:
        accounts = accounts.filter(tenant__code=tenant_code)
    seen = ((account, *_sees_all_of(user, account)) for account in accounts)
    found = [(account, staff, holder) for account, staff, holder in seen if staff or holder]
    if not found:
        raise NotFound("no such account")
    if len(found) > 1:
        raise BadInput(
            "several tenants have this account number: name the tenant",
            code="tenant_required",
            extra={"tenant": ["This parameter is required."]},
        )
    return found[0]


def _lines(documents: list[PaymentDocument]) -> dict[int, list[dict]]:
    """Per document, what it asks of each supplier (opening + charges − payments), one query."""
    rows = (
        DocumentLine.objects.filter(document_id__in=[d.pk for d in documents])
        .values("document_id", "supplier__code")
        .annotate(amount=Sum("amount"))
        .order_by("document_id", "supplier__code")
    )
    lines: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        lines[row["document_id"]].append(
            {"supplier": row["supplier__code"], "amount": format_minor(row["amount"])}
        )
    return lines


class Linker:
    """The links of a document body, as the caller may open them."""

    def __init__(self, request, account: Account, *, staff: bool, holder: bool):
        self.request, self.account, self.staff, self.holder = request, account, staff, holder

    def __call__(self, document: PaymentDocument) -> dict:
        query = f"?tenant={self.account.tenant.code}"
        if document.status != DocumentStatus.ISSUED:
            query += f"&id={document.pk}"
        pdf = reverse("api-document-pdf", args=[document.reference]) + query
        html = None
        if self.staff:
            html = reverse("document-detail", args=[document.pk])
        elif self.holder and document.status == DocumentStatus.ISSUED:
            # The cabinet's bill page (by URL name: invoicing does not import cabinet).
            html = reverse(
                "cabinet-document",
                kwargs={
                    "tenant": self.account.tenant.code,
                    "number": self.account.account_number,
                    "period": document.period,
                },
            )
        absolute = self.request.build_absolute_uri
        return {"pdf": absolute(pdf), "html": absolute(html) if html else None}


def document_body(document: PaymentDocument, lines: list[dict], state: tuple, links) -> dict:
    paid, open_now = state
    return {
        "id": document.pk,
        "reference": document.reference,
        "number": document.number,
        "period": document.period,
        "account_number": document.account.account_number,
        "tenant": document.tenant.code,
        "issued_at": serializers.DateTimeField().to_representation(document.issued_at),
        "due_date": document.due_date.isoformat(),
        "amount_due": format_minor(document.amount_due),
        "advance": format_minor(document.advance),
        "status": document.status,
        "paid_state": paid,
        "open": None if open_now is None else format_minor(open_now),
        "lines": lines,
        "links": links(document),
    }


class DocumentLineOut(serializers.Serializer):
    supplier = serializers.CharField(help_text="supplier code")
    amount = serializers.CharField(help_text="opening + charges − payments of this supplier")


class DocumentLinksOut(serializers.Serializer):
    pdf = serializers.URLField(help_text="the PDF, opened with the same authentication")
    html = serializers.URLField(
        allow_null=True, help_text="the page: staff's, or the holder's cabinet bill"
    )


class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="the payment reference")
    number = serializers.CharField()
    period = serializers.CharField()
    account_number = serializers.CharField()
    tenant = serializers.CharField()
    issued_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    amount_due = serializers.CharField()
    advance = serializers.CharField(help_text="credit carried forward")
    status = serializers.ChoiceField(choices=DocumentStatus.choices)
    paid_state = serializers.ChoiceField(
        choices=["paid", "partly", "due", "overdue"],
        allow_null=True,
        help_text="null for a superseded document",
    )
    open = serializers.CharField(
        allow_null=True, help_text="what of the document's debt is still open"
    )
    lines = DocumentLineOut(many=True)
    links = DocumentLinksOut()


ERROR = OpenApiResponse(description='{"error", "detail", "fields"}')
TENANT_QUERY = OpenApiParameter(
    "tenant", OpenApiTypes.STR, description="tenant code, when you see more than one tenant"
)
ID_QUERY = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    description="a superseded version of the reference, by its id (as the account's list has it)",
)


class AccountDocumentsApi(APIView):
    @extend_schema(
        parameters=[TENANT_QUERY],
        responses={200: DocumentOut(many=True), 400: ERROR, 404: ERROR},
        description="The account's payment documents, newest period first (a superseded one "
        "after the document that replaced it).",
    )
    def get(self, request, account_number: str):
        account, staff, holder = _document_account(
            request.user, account_number, request.query_params.get("tenant")
        )
        documents = list(
            scope(request.user, PaymentDocument)
            .filter(account=account)
            .defer("view")
            .order_by("-period", "status", "-issued_at", "-pk")
        )
        for document in documents:
            document.account, document.tenant = account, account.tenant
        links = Linker(request, account, staff=staff, holder=holder)
        lines = _lines(documents)
        open_by_period, today = selectors.open_by_period(account.pk), timezone.localdate()
        return Response(
            [
                document_body(d, lines[d.pk], paid_state(d, open_by_period, today), links)
                for d in documents
            ]
        )


def _the_document(request, reference: str, *, with_view: bool) -> PaymentDocument:
    """The document of this reference `user` may see — the issued one, or with `?id=` a
    superseded version. Spaces and lower case are forgiven (a reference is typed from print);
    an unknown or invisible one is a 404."""
    compact = "".join(reference.split()).upper()
    if not REFERENCE.fullmatch(compact):
        raise NotFound("no such document")
    documents = (
        scope(request.user, PaymentDocument)
        .filter(reference=compact)
        .select_related("tenant", "account")
    )
    if request.query_params.get("tenant"):
        documents = documents.filter(tenant__code=request.query_params["tenant"])
    version = request.query_params.get("id")
    if version is None:
        documents = documents.filter(status=DocumentStatus.ISSUED)
    elif version.isascii() and version.isdigit():
        documents = documents.filter(pk=int(version))
    else:
        raise BadInput("id is a document id", code="invalid", extra={"id": ["A whole number."]})
    found = list((documents if with_view else documents.defer("view"))[:2])
    if not found:
        raise NotFound("no such document")
    if len(found) > 1:
        raise BadInput(
            "several tenants have this reference: name the tenant",
            code="tenant_required",
            extra={"tenant": ["This parameter is required."]},
        )
    return found[0]


class DocumentApi(APIView):
    @extend_schema(
        parameters=[TENANT_QUERY, ID_QUERY],
        responses={200: DocumentOut, 400: ERROR, 404: ERROR},
    )
    def get(self, request, reference: str):
        document = _the_document(request, reference, with_view=False)
        staff, holder = _sees_all_of(request.user, document.account)
        links = Linker(request, document.account, staff=staff, holder=holder)
        state = paid_state(
            document, selectors.open_by_period(document.account_id), timezone.localdate()
        )
        return Response(document_body(document, _lines([document])[document.pk], state, links))


class JsonErrors(BaseContentNegotiation):
    """The PDF is a plain response; errors are JSON whatever the client accepts (no 406)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DocumentPdfApi(APIView):
    content_negotiation_class = JsonErrors

    @extend_schema(
        parameters=[TENANT_QUERY, ID_QUERY],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            400: ERROR,
            404: ERROR,
        },
    )
    def get(self, request, reference: str):
        document = _the_document(request, reference, with_view=True)
        pdf = render_pdf(document_view(document, base_url=public_url("/")))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{file_stem(document.number)}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path(
        "accounts/<str:account_number>/documents",
        AccountDocumentsApi.as_view(),
        name="api-account-documents",
    ),
    path("documents/<str:reference>.pdf", DocumentPdfApi.as_view(), name="api-document-pdf"),
    path("documents/<str:reference>", DocumentApi.as_view(), name="api-document"),
]
