"""`demo_seed`: the deterministic demo. Two tenants (demo-ru, demo-eu) set up from their tenant
files, their accounts registers imported, three months of each supplier's charge exports written
in the supplier's own layout, and the demo users. Everything goes through the same services
that operators use (tenant_setup, accounts_import)."""

import datetime as dt
import itertools
import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from demo.generate import accounts_register_csv, demo_accounts, write_tenant_files
from demo.layouts import layouts_for, profile_name, profiles_document
from warehouse.models import (
    Account,
    AccountHolder,
    Clearing,
    ImportBatch,
    MappingProfile,
    Membership,
    Role,
    Supplier,
    SupplierServiceCode,
    Tenant,
)
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import charges_import
from warehouse.services.profiles import profiles_setup
from warehouse.services.tenants import tenant_setup

DEMO_DIR = Path(__file__).resolve().parent / "data"
DEMO_TENANTS = ("demo-ru", "demo-eu")
DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class SignIn:
    username: str
    role: str
    sees: str


@dataclass
class DemoResult:
    accounts: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    sign_ins: list[SignIn] = field(default_factory=list)
    batches: int = 0


def demo_periods(last: str, months: int) -> list[str]:
    year, month = map(int, last.split("-"))
    periods = []
    for _ in range(months):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(periods)


def default_last_period(today: dt.date | None = None) -> str:
    """The last complete month: the demo's newest charges are the month before this one."""
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def demo_exists() -> bool:
    return Tenant.objects.filter(code__in=DEMO_TENANTS).exists()


def demo_seed(
    *,
    accounts: int,
    months: int,
    seed: int,
    last_period: str,
    out: Path,
    import_charges: bool = True,
    progress=None,
) -> DemoResult:
    progress = progress or (lambda message: None)
    result = DemoResult(periods=demo_periods(last_period, months))
    _remove_demo()
    # The supplier files are pure functions of the seed: a worker process writes them while
    # this one loads the database.
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        pending = [
            pool.submit(write_tenant_files, code, accounts, seed, result.periods, out / code)
            for code in DEMO_TENANTS
        ]
        for code in DEMO_TENANTS:
            progress(f"{code}: tenant, suppliers and services")
            tenant = tenant_setup(
                data=(DEMO_DIR / f"{code}.yaml").read_bytes(), filename=f"{code}.yaml"
            ).tenant
            progress(f"{code}: {accounts} accounts")
            generated = demo_accounts(code, accounts, seed)
            register = accounts_register_csv(generated)
            (out / code).mkdir(parents=True, exist_ok=True)
            (out / code / "accounts.csv").write_bytes(register)
            codes = iter(generated.verification_codes)
            accounts_import(
                tenant=tenant,
                data=register,
                filename="accounts.csv",
                verification_codes=lambda codes=codes: next(codes),
            )
            result.accounts[code] = accounts
        progress("supplier charge files")
        for future in pending:
            result.files.extend(future.result())
    if import_charges:
        for code in DEMO_TENANTS:
            _import_demo_charges(code, out / code, result, progress)
    _users()
    result.sign_ins = SIGN_INS
    return result


def _import_demo_charges(code: str, folder: Path, result: DemoResult, progress) -> None:
    """Each supplier's files go through its mapping profile and the import pipeline."""
    tenant = demo_profiles(code)
    for layout, period, path in demo_charge_files(code, folder):
        progress(f"{code}: importing {path.name}")
        demo_charges_import(tenant, layout, period, path)
        result.batches += 1


def demo_profiles(code: str) -> Tenant:
    """The tenant's mapping profiles, one per supplier layout, before its files are imported."""
    tenant = Tenant.objects.get(code=code)
    profiles_setup(tenant=tenant, data=json.dumps(profiles_document(code)).encode())
    return tenant


def demo_charge_files(code: str, folder: Path) -> list[tuple]:
    """(layout, period, path) of every supplier file of the tenant, supplier by supplier."""
    files = []
    for layout in layouts_for(code):
        for path in sorted((folder / layout.supplier).iterdir()):
            period = path.stem.rsplit("-", 2)[-2] + "-" + path.stem.rsplit("-", 1)[-1]
            files.append((layout, period, path))
    return files


def demo_charges_import(tenant: Tenant, layout, period: str, path: Path) -> None:
    """One supplier file through its mapping profile and the import pipeline."""
    supplier = Supplier.objects.get(tenant=tenant, code=layout.supplier)
    profile = MappingProfile.objects.get(tenant=tenant, name=profile_name(layout))
    outcome = charges_import(
        tenant=tenant,
        supplier=supplier,
        period=period,
        data=path.read_bytes(),
        filename=path.name,
        profile=profile,
    )
    if not outcome.ok:
        raise RuntimeError(f"demo file {path} was rejected: {outcome.batch.report[:5]}")


@transaction.atomic(durable=True)
def _remove_demo() -> None:
    """`seed_demo --reset` starts from a clean demo: the demo tenants and users go first, the
    rows that protect others before them."""
    for tenant in Tenant.objects.filter(code__in=DEMO_TENANTS):
        with connection.cursor() as cursor:
            for table in ("warehouse_charge", "warehouse_openitem"):
                cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
        Clearing.objects.filter(tenant=tenant).delete()
        ImportBatch.objects.filter(tenant=tenant).delete()
        SupplierServiceCode.objects.filter(tenant=tenant).delete()
        Account.objects.filter(tenant=tenant).delete()
        tenant.delete()
    get_user_model().objects.filter(
        username__in=["operator", "accountant", "collector", "supplier", "resident"]
    ).delete()


@transaction.atomic(durable=True)
def _users() -> None:
    user_model = get_user_model()
    tenants = list(Tenant.objects.filter(code__in=DEMO_TENANTS).order_by("code"))

    def make(username, first, last, *, staff):
        user = user_model(
            username=username,
            first_name=first,
            last_name=last,
            is_staff=staff,
            email=f"{username}@demo.unibill.local",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    staff = {
        Role.OPERATOR_ADMIN: make("operator", "Olga", "Operator", staff=True),
        Role.ACCOUNTANT: make("accountant", "Anna", "Accountant", staff=True),
        Role.COLLECTOR: make("collector", "Kirill", "Collector", staff=True),
    }
    Membership.objects.bulk_create(
        Membership(user=user, tenant=tenant, role=role)
        for (role, user), tenant in itertools.product(staff.items(), tenants)
    )
    supplier_user = make("supplier", "Sergei", "Supplier", staff=False)
    water = Supplier.objects.get(tenant__code="demo-ru", code="vodokanal")
    Membership.objects.create(
        user=supplier_user, tenant=water.tenant, role=Role.SUPPLIER, supplier=water
    )
    resident = make("resident", "Roman", "Resident", staff=False)
    held = [Account.objects.filter(tenant=t).order_by("account_number").first() for t in tenants]
    AccountHolder.objects.bulk_create(AccountHolder(user=resident, account=a) for a in held if a)


SIGN_INS = [
    SignIn("operator", "operator admin", "both demo tenants, admin and staff pages"),
    SignIn("accountant", "accountant", "both demo tenants"),
    SignIn("collector", "collector", "both demo tenants (read-only in admin)"),
    SignIn("supplier", "supplier user", "АО «Городской водоканал» (vodokanal) in demo-ru"),
    SignIn("resident", "resident", "one account in each demo tenant"),
]
