"""REST endpoints of the warehouse (`/api/v1/`). Thin: parse, scope, call a selector."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from warehouse.models import Supplier, Tenant
from warehouse.scoping import scope


class SupplierOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    registry_format = serializers.CharField()


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


urlpatterns = [
    path("tenants", TenantListApi.as_view(), name="api-tenants"),
    path("tenants/<slug:code>", TenantDetailApi.as_view(), name="api-tenant"),
]
