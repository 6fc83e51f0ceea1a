"""factory_boy factories for the warehouse core. Simple and deterministic: codes and numbers come
from sequences, bank details and tax ids are fixed values that pass `warehouse.validation`, and
every related row is created in the same tenant as its parent.

    account = AccountFactory(tenant=tenant)                 # building, premises in `tenant`
    link = AccountLinkFactory(account=account)               # a supplier of account.tenant
    MembershipFactory(user=user, tenant=tenant)              # operator admin
    MembershipFactory(user=user, supplier=supplier)          # supplier user of supplier.tenant
    TenantFactory(sepa=True)                                 # EUR, IBAN/BIC
    ImportBatchFactory(supplier=supplier, period="2025-03")  # a rejected batch, no file kept
    UnmatchedLineFactory(batch=batch, supplier_account="X-1")
"""

from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from warehouse.models import (
    Account,
    AccountHolder,
    AccountLink,
    AuditEvent,
    BatchStatus,
    Building,
    CountryProfile,
    ImportBatch,
    MappingProfile,
    Membership,
    Premises,
    Role,
    Service,
    Supplier,
    SupplierServiceCode,
    Tenant,
    UnmatchedLine,
    User,
)

PASSWORD = "unibill-test-password"

RU_BANK = {
    "bank_name": "PAO Sberbank",
    "bic": "044525225",
    "bank_account": "40702810238720001420",
    "corr_account": "30101810400000000225",
    "iban": "",
}
RU_TAX = {"inn": "7707083893", "kpp": "773601001"}
SEPA_BANK = {
    "bank_name": "Commerzbank",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "bank_account": "",
    "corr_account": "",
}


@cache
def _password_hash() -> str:
    """Hashing is slow by design; one hash of PASSWORD serves every user of a test run."""
    return make_password(PASSWORD)


class TenantOwnedFactory(DjangoModelFactory):
    """A factory of a tenant-owned row. When `tenant` is not given but one of the rows named in
    `_tenant_from` is, the new row (and whatever it creates) goes into that row's tenant."""

    _tenant_from: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        if "tenant" not in params:
            for name in cls._tenant_from:
                if params.get(name) is not None:
                    params = {**params, "tenant": params[name].tenant}
                    break
        return super()._generate(strategy, params)


class TenantFactory(DjangoModelFactory):
    class Meta:
        model = Tenant

    class Params:
        sepa = factory.Trait(
            profile=CountryProfile.SEPA,
            currency="EUR",
            locale="de",
            timezone="Europe/Berlin",
            inn="",
            kpp="",
            tax_id="DE123456789",
            **SEPA_BANK,
        )

    code = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.Sequence(lambda n: f"Operator {n}")
    profile = CountryProfile.RU
    currency = "RUB"
    locale = "ru"
    timezone = "Europe/Moscow"
    due_day = 10
    address = "Moscow, Tverskaya 1"
    inn = RU_TAX["inn"]
    kpp = RU_TAX["kpp"]
    bank_name = RU_BANK["bank_name"]
    bic = RU_BANK["bic"]
    bank_account = RU_BANK["bank_account"]
    corr_account = RU_BANK["corr_account"]


class SupplierFactory(TenantOwnedFactory):
    class Meta:
        model = Supplier

    class Params:
        sepa = factory.Trait(inn="", kpp="", tax_id="DE987654321", **SEPA_BANK)

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"supplier-{n}")
    name = factory.Sequence(lambda n: f"Supplier {n}")
    inn = RU_TAX["inn"]
    kpp = RU_TAX["kpp"]
    bank_name = RU_BANK["bank_name"]
    bic = RU_BANK["bic"]
    bank_account = RU_BANK["bank_account"]
    corr_account = RU_BANK["corr_account"]
    commission_percent = 0
    commission_fixed = 0


class ServiceFactory(TenantOwnedFactory):
    class Meta:
        model = Service

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    unit = "m3"


class SupplierServiceCodeFactory(TenantOwnedFactory):
    _tenant_from = ("supplier", "service")

    class Meta:
        model = SupplierServiceCode

    tenant = factory.SubFactory(TenantFactory)
    supplier = factory.SubFactory(SupplierFactory, tenant=factory.SelfAttribute("..tenant"))
    service = factory.SubFactory(ServiceFactory, tenant=factory.SelfAttribute("..tenant"))
    external_code = factory.Sequence(lambda n: f"EXT{n:04d}")


class BuildingFactory(TenantOwnedFactory):
    class Meta:
        model = Building

    tenant = factory.SubFactory(TenantFactory)
    address = factory.Sequence(lambda n: f"Lenina {n}")


class PremisesFactory(TenantOwnedFactory):
    _tenant_from = ("building",)

    class Meta:
        model = Premises

    tenant = factory.SubFactory(TenantFactory)
    building = factory.SubFactory(BuildingFactory, tenant=factory.SelfAttribute("..tenant"))
    number = factory.Sequence(lambda n: str(n + 1))


class AccountFactory(TenantOwnedFactory):
    _tenant_from = ("premises",)

    class Meta:
        model = Account

    tenant = factory.SubFactory(TenantFactory)
    premises = factory.SubFactory(PremisesFactory, tenant=factory.SelfAttribute("..tenant"))
    account_number = factory.Sequence(lambda n: f"{n + 1:08d}")
    payer_name = factory.Sequence(lambda n: f"Payer {n}")
    verification_code = factory.Sequence(lambda n: f"{n % 1_000_000:06d}")


class AccountLinkFactory(TenantOwnedFactory):
    _tenant_from = ("account", "supplier")

    class Meta:
        model = AccountLink

    tenant = factory.SubFactory(TenantFactory)
    supplier = factory.SubFactory(SupplierFactory, tenant=factory.SelfAttribute("..tenant"))
    account = factory.SubFactory(AccountFactory, tenant=factory.SelfAttribute("..tenant"))
    external_number = factory.Sequence(lambda n: f"S{n:07d}")


class UserFactory(DjangoModelFactory):
    """A user who signs in with `PASSWORD`. Pass `is_staff=True` for admin access."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.LazyFunction(_password_hash)
    is_staff = False
    is_superuser = False


class MembershipFactory(DjangoModelFactory):
    """Operator admin by default. Give `supplier=` (role follows) or `role=` for another role."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    supplier = None
    tenant = factory.LazyAttribute(
        lambda m: m.supplier.tenant if m.supplier is not None else TenantFactory()
    )
    role = factory.LazyAttribute(
        lambda m: Role.SUPPLIER if m.supplier is not None else Role.OPERATOR_ADMIN
    )


class AccountHolderFactory(DjangoModelFactory):
    class Meta:
        model = AccountHolder

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)


class AuditEventFactory(TenantOwnedFactory):
    class Meta:
        model = AuditEvent

    tenant = factory.SubFactory(TenantFactory)
    actor = None
    action = "test.event"
    detail = factory.Dict({})


class MappingProfileFactory(TenantOwnedFactory):
    _tenant_from = ("supplier",)

    class Meta:
        model = MappingProfile

    tenant = factory.SubFactory(TenantFactory)
    supplier = factory.SubFactory(SupplierFactory, tenant=factory.SelfAttribute("..tenant"))
    name = factory.Sequence(lambda n: f"profile-{n}")
    columns = factory.Dict({})


class ImportBatchFactory(TenantOwnedFactory):
    """A batch record as the importer leaves it; rejected by default (no version, no rows
    posted). Pass `status=BatchStatus.POSTED, version=1` for a posted one."""

    _tenant_from = ("supplier",)

    class Meta:
        model = ImportBatch

    tenant = factory.SubFactory(TenantFactory)
    supplier = factory.SubFactory(SupplierFactory, tenant=factory.SelfAttribute("..tenant"))
    period = "2025-01"
    source_format = "csv"
    filename = factory.Sequence(lambda n: f"charges-{n}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = BatchStatus.REJECTED
    rows_total = 3
    rows_valid = 2
    rows_rejected = 1
    message = "rejected: 1 problem(s) on 1 line(s); nothing posted"
    report = factory.LazyFunction(
        lambda: [{"line": 2, "column": "amount", "value": "x", "reason": "not an amount"}]
    )


class UnmatchedLineFactory(TenantOwnedFactory):
    _tenant_from = ("batch",)

    class Meta:
        model = UnmatchedLine

    tenant = factory.SubFactory(TenantFactory)
    batch = factory.SubFactory(ImportBatchFactory, tenant=factory.SelfAttribute("..tenant"))
    supplier = factory.SelfAttribute("batch.supplier")
    supplier_account = factory.Sequence(lambda n: f"U{n:06d}")
    lines = factory.LazyFunction(lambda: [2])
