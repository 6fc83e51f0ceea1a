"""REST endpoints of the warehouse (`/api/v1/`). Thin: parse, scope, call a selector or one
service. Errors leave as `{"error", "detail", "fields"}` (config.api_errors)."""

from django.http import HttpResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.documents.xlsx import XLSX_CONTENT_TYPE
from core.errors import ApplicationError
from core.money import format_minor
from warehouse import selectors
from warehouse.models import PERIOD_REGEX, MappingProfile, Supplier, Tenant
from warehouse.reports import REPORT_COLUMNS, report_xlsx
from warehouse.scoping import scope
from warehouse.services.charges import charges_import


class BadInput(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST


class NotFoundInput(ApplicationError):
    """A code in the request names nothing the caller may see; `extra` says which field."""

    status_code = status.HTTP_404_NOT_FOUND


class SupplierOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TenantOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    profile = serializers.CharField()
    currency = serializers.CharField()
    locale = serializers.CharField()
    timezone = serializers.CharField()
    due_day = serializers.IntegerField()


class TenantDetailOut(TenantOut):
    suppliers = SupplierOut(many=True)


class TenantListApi(APIView):
    @extend_schema(responses=TenantOut(many=True))
    def get(self, request):
        tenants = scope(request.user, Tenant).order_by("code")
        return Response(TenantOut(tenants, many=True).data)


class TenantDetailApi(APIView):
    @extend_schema(responses=TenantDetailOut)
    def get(self, request, code: str):
        tenant = get_object_or_404(scope(request.user, Tenant), code=code)
        suppliers = scope(request.user, Supplier.objects.filter(tenant=tenant)).order_by("code")
        data = TenantOut(tenant).data | {"suppliers": SupplierOut(suppliers, many=True).data}
        return Response(data)


# --- charge imports ---------------------------------------------------------------------------


class ChargeImportIn(serializers.Serializer):
    file = serializers.FileField()
    tenant = serializers.SlugField(
        required=False, help_text="tenant code; optional when you belong to exactly one tenant"
    )
    supplier = serializers.SlugField(help_text="supplier code")
    period = serializers.RegexField(
        PERIOD_REGEX, max_length=7, error_messages={"invalid": "a period is YYYY-MM"}
    )
    profile = serializers.SlugField(
        required=False, allow_blank=True, help_text="mapping profile name (none: canonical)"
    )


class ImportBatchOut(serializers.Serializer):
    id = serializers.IntegerField()
    tenant = serializers.CharField(source="tenant.code")
    supplier = serializers.CharField(source="supplier.code")
    period = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    rows_total = serializers.IntegerField()
    rows_valid = serializers.IntegerField()
    rows_rejected = serializers.IntegerField()
    rows_unmatched = serializers.IntegerField()
    amount_total = serializers.SerializerMethodField(help_text="major units, 2 decimals")
    message = serializers.CharField()
    encoding = serializers.CharField(help_text="the codec the file was read in; blank for XLSX")
    encoding_note = serializers.CharField(help_text="how it was chosen, when it was guessed")
    created_at = serializers.DateTimeField()
    posted_at = serializers.DateTimeField(allow_null=True)
    report_url = serializers.SerializerMethodField(
        help_text="the per-line report as XLSX; null when there is none"
    )

    def get_amount_total(self, batch) -> str:
        return format_minor(batch.amount_total)

    def get_report_url(self, batch) -> str | None:
        if not batch.rows_rejected and not batch.report:
            return None
        url = reverse("api-import-report", args=[batch.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


REJECTED_BODY = inline_serializer(
    "ChargeImportRejected",
    {
        "error": serializers.CharField(),
        "detail": serializers.CharField(),
        "fields": inline_serializer(
            "ChargeImportReport",
            {
                "batch": serializers.IntegerField(),
                "report": inline_serializer(
                    "ReportLine",
                    {
                        "line": serializers.IntegerField(allow_null=True),
                        "column": serializers.CharField(),
                        "value": serializers.CharField(),
                        "reason": serializers.CharField(),
                    },
                    many=True,
                ),
            },
        ),
    },
)
ERROR_BODY = inline_serializer(
    "Error",
    {
        "error": serializers.CharField(),
        "detail": serializers.CharField(),
        "fields": serializers.DictField(),
    },
)


def _import_tenant(user, code: str | None) -> Tenant:
    """The tenant of an import: the one named (it must be visible: else 404), or the caller's
    only tenant. The caller's role there must allow imports (else 403)."""
    tenant = selectors.tenant_of_caller(user, code)
    if not selectors.can_import(user, tenant.pk):
        raise PermissionDenied("your role does not allow importing charges in this tenant")
    return tenant


class ChargeImportApi(APIView):
    """Imports one supplier's charges for a period, as `import_charges` does."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ChargeImportIn},
        responses={
            201: OpenApiResponse(ImportBatchOut, description="posted"),
            200: OpenApiResponse(ImportBatchOut, description="identical file already posted"),
            400: OpenApiResponse(ERROR_BODY, description="bad input"),
            403: OpenApiResponse(ERROR_BODY, description="your role may not import"),
            404: OpenApiResponse(ERROR_BODY, description="unknown tenant, supplier or profile"),
            422: OpenApiResponse(REJECTED_BODY, description="rejected, with the per-line report"),
        },
    )
    def post(self, request):
        given = ChargeImportIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        tenant = _import_tenant(request.user, data.get("tenant"))
        supplier = Supplier.objects.filter(tenant=tenant, code=data["supplier"]).first()
        if supplier is None:
            raise NotFoundInput(
                f"no supplier {data['supplier']!r} in {tenant.code}",
                code="not_found",
                extra={"supplier": ["No such supplier in this tenant."]},
            )
        profile = None
        if data.get("profile"):
            profile = MappingProfile.objects.filter(
                tenant=tenant, supplier=supplier, name=data["profile"]
            ).first()
            if profile is None:
                raise NotFoundInput(
                    f"no mapping profile {data['profile']!r} for {supplier.code}",
                    code="not_found",
                    extra={"profile": ["No such mapping profile for this supplier."]},
                )
        upload = data["file"]
        outcome = charges_import(
            tenant=tenant,
            supplier=supplier,
            period=data["period"],
            data=upload.read(),
            filename=upload.name,
            profile=profile,
            actor=request.user,
        )
        batch = outcome.batch
        if outcome.status == "rejected":
            return Response(
                {
                    "error": "file_rejected",
                    "detail": outcome.message,
                    "fields": {
                        "batch": batch.pk,
                        "report": [
                            {name: row.get(name) for name in REPORT_COLUMNS} for row in batch.report
                        ],
                    },
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        code = status.HTTP_201_CREATED if outcome.status == "posted" else status.HTTP_200_OK
        return Response(ImportBatchOut(batch, context={"request": request}).data, status=code)


class ImportBatchApi(APIView):
    @extend_schema(responses={200: ImportBatchOut, 404: OpenApiResponse(ERROR_BODY)})
    def get(self, request, pk: int):
        batch = selectors.batch_visible(request.user, pk)
        if batch is None:
            raise NotFound()
        return Response(ImportBatchOut(batch, context={"request": request}).data)


class ImportReportApi(APIView):
    @extend_schema(
        operation_id="v1_imports_report_retrieve",
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, 404: OpenApiResponse(ERROR_BODY)},
    )
    def get(self, request, pk: int):
        batch = selectors.batch_visible(request.user, pk)
        if batch is None:
            raise NotFound()
        response = HttpResponse(report_xlsx(batch.report or []), content_type=XLSX_CONTENT_TYPE)
        name = f"{batch.supplier.code}-{batch.period}-batch{batch.pk}-report.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


urlpatterns = [
    path("tenants", TenantListApi.as_view(), name="api-tenants"),
    path("tenants/<slug:code>", TenantDetailApi.as_view(), name="api-tenant"),
    path("imports/charges", ChargeImportApi.as_view(), name="api-import-charges"),
    path("imports/<int:pk>", ImportBatchApi.as_view(), name="api-import"),
    path("imports/<int:pk>/report.xlsx", ImportReportApi.as_view(), name="api-import-report"),
]
