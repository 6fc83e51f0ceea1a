"""The accounts register on PostgreSQL goes through the COPY path of `bulk_upsert` (COPY into a
staging table, one INSERT … ON CONFLICT): thousands of accounts arrive with every field intact,
and a second import updates the same rows in place."""

import csv
import io
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from core import db as bulk
from warehouse.models import Account, AccountLink, Building, Premises, Tenant
from warehouse.services.accounts import accounts_import

FILES = Path(__file__).parent / "files"
N = 5000
PER_BUILDING = 50

pytestmark = pytest.mark.postgres

HEADER = [
    "account_number",
    "address",
    "premises",
    "payer_name",
    "phone",
    "email",
    "area_m2",
    "residents",
    "delivery_route",
    "links",
]


@pytest.fixture
def tenant(postgres) -> Tenant:
    call_command("setup_tenant", str(FILES / "tenant_ru.yaml"), stdout=StringIO())
    return Tenant.objects.get(code="rc-moskva")


@pytest.fixture
def copies(monkeypatch) -> list[str]:
    """The tables written through the COPY path."""
    seen: list[str] = []
    real = bulk._pg_upsert

    def spy(model, *args, **kwargs):
        seen.append(model.__name__)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(bulk, "_pg_upsert", spy)
    return seen


def _row(i: int, *, suffix: str = "") -> dict:
    """Account i of the register; awkward values for COPY's text format on purpose."""
    return {
        "account_number": f"{i:08d}",
        "address": f"г. Москва, ул. Строителей, д. {i // PER_BUILDING + 1}",
        "premises": str(i % PER_BUILDING + 1),
        "payer_name": (f'ООО "Рога\\Копыта {i}"' if i % 10 == 0 else f"Плательщик №{i}") + suffix,
        "phone": f"+7916{i:07d}" if i % 3 else "",
        "email": f"payer{i}@example.ru" if i % 2 else "",
        "area_m2": "" if i % 7 == 0 else f"{20 + i % 100}.{i % 100:02d}",
        "residents": "" if i % 11 == 0 else str(i % 6),
        "delivery_route": f"R{i % 12:02d}",
        "links": f"vodokanal:VK-{i:06d}" + (f"|teplo:{i}" if i % 4 == 0 else ""),
    }


def _register(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _expected(rows: list[dict]) -> list[tuple]:
    return sorted(
        (
            r["account_number"],
            r["address"],
            r["premises"],
            r["payer_name"],
            r["phone"],
            r["email"],
            Decimal(r["area_m2"]) if r["area_m2"] else None,
            int(r["residents"]) if r["residents"] else None,
            r["delivery_route"],
        )
        for r in rows
    )


def _accounts(tenant) -> list[tuple]:
    return sorted(
        Account.objects.filter(tenant=tenant).values_list(
            "account_number",
            "premises__building__address",
            "premises__number",
            "payer_name",
            "phone",
            "email",
            "area_m2",
            "residents",
            "delivery_route",
        )
    )


def _expected_links(rows: list[dict]) -> list[tuple]:
    links = []
    for r in rows:
        for part in r["links"].split("|"):
            code, _, number = part.partition(":")
            links.append((code, number, r["account_number"]))
    return sorted(links)


def _links(tenant) -> list[tuple]:
    return sorted(
        AccountLink.objects.filter(tenant=tenant).values_list(
            "supplier__code", "external_number", "account__account_number"
        )
    )


def test_5000_accounts_arrive_through_copy_with_every_field(
    tenant, copies, django_assert_max_num_queries
):
    rows = [_row(i) for i in range(1, N + 1)]

    with django_assert_max_num_queries(20):
        result = accounts_import(tenant=tenant, data=_register(rows), filename="register.csv")

    assert (result.created, result.updated, result.links) == (N, 0, N + N // 4)
    assert copies == ["Building", "Premises", "Account", "AccountLink"]
    assert _accounts(tenant) == _expected(rows)
    assert _links(tenant) == _expected_links(rows)
    assert Building.objects.filter(tenant=tenant).count() == N // PER_BUILDING + 1
    assert Premises.objects.filter(tenant=tenant).count() == N
    codes = Account.objects.filter(tenant=tenant).values_list("verification_code", flat=True)
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert not Account.objects.filter(is_active=False).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp._stage_warehouse_account')")
        assert cursor.fetchone() == (None,)  # the staging table is gone


def test_second_import_updates_the_same_rows_in_place(tenant, copies):
    rows = [_row(i) for i in range(1, N + 1)]
    accounts_import(tenant=tenant, data=_register(rows), filename="register.csv")
    ids = dict(Account.objects.filter(tenant=tenant).values_list("account_number", "id"))
    codes = dict(
        Account.objects.filter(tenant=tenant).values_list("account_number", "verification_code")
    )
    link_ids = sorted(AccountLink.objects.filter(tenant=tenant).values_list("id", flat=True))
    premises_ids = sorted(Premises.objects.filter(tenant=tenant).values_list("id", flat=True))
    changed = [_row(i, suffix=" (new)") for i in range(1, N + 1)]
    for r in changed[::5]:
        r["phone"], r["area_m2"], r["residents"] = "+74950000000", "99.99", "7"
    new = [_row(i) for i in range(N + 1, N + 11)]

    result = accounts_import(tenant=tenant, data=_register(changed + new), filename="again.csv")

    assert (result.created, result.updated) == (10, N)
    assert _accounts(tenant) == _expected(changed + new)
    after = dict(Account.objects.filter(tenant=tenant).values_list("account_number", "id"))
    assert {number: after[number] for number in ids} == ids
    assert (
        dict(
            Account.objects.filter(tenant=tenant, account_number__in=ids).values_list(
                "account_number", "verification_code"
            )
        )
        == codes
    )
    assert (
        sorted(
            AccountLink.objects.filter(tenant=tenant, account_id__in=ids.values()).values_list(
                "id", flat=True
            )
        )
        == link_ids
    )
    assert _links(tenant) == _expected_links(changed + new)
    assert set(premises_ids) <= set(Premises.objects.values_list("id", flat=True))
    assert Account.objects.filter(tenant=tenant).count() == N + 10
