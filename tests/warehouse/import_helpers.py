"""The small world the import-page tests share: a tenant whose water supplier sends service 101
for two linked accounts, an operator who may import, and an upload helper."""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import (
    AccountFactory,
    AccountLinkFactory,
    MembershipFactory,
    ServiceFactory,
    SupplierFactory,
    SupplierServiceCodeFactory,
    TenantFactory,
    UserFactory,
)
from warehouse.models import Role

GOOD = b"supplier_account,service_code,amount\nW-1,101,123.45\nW-2,101,10.00\n"


def staff(tenant, role=Role.OPERATOR_ADMIN, user=None):
    user = user or UserFactory(is_staff=True)
    MembershipFactory(user=user, tenant=tenant, role=role)
    return user


def make_world(code="north"):
    tenant = TenantFactory(code=code, name=f"{code.title()} Housing")
    water = SupplierFactory(tenant=tenant, code=f"{code}-water", name=f"{code.title()} Water")
    service = ServiceFactory(tenant=tenant, code="cold-water", name="Cold water")
    SupplierServiceCodeFactory(tenant=tenant, supplier=water, service=service, external_code="101")
    first = AccountFactory(tenant=tenant, account_number="1001")
    second = AccountFactory(tenant=tenant, account_number="1002")
    AccountLinkFactory(account=first, supplier=water, external_number="W-1")
    AccountLinkFactory(account=second, supplier=water, external_number="W-2")
    return SimpleNamespace(
        tenant=tenant,
        water=water,
        service=service,
        first=first,
        second=second,
        operator=staff(tenant),
    )


def upload(client, world, content: bytes | None, *, period="2025-03", name="water.csv", **extra):
    data = {"tenant": world.tenant.code, "supplier": world.water.pk, "period": period, **extra}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("import-upload"), data)
