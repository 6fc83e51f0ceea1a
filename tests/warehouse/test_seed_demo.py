import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import TestCase

from warehouse.models import Account, AccountHolder, AccountLink, Membership, Supplier, Tenant
from warehouse.services.tabular import read_table

pytestmark = pytest.mark.django_db


def _seed(out: Path, *extra: str) -> str:
    stdout = io.StringIO()
    call_command(
        "seed_demo",
        "--accounts",
        "40",
        "--seed",
        "7",
        "--last-period",
        "2026-10",
        "--out",
        str(out),
        *extra,
        stdout=stdout,
    )
    return stdout.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo for the module, seeded in a transaction rolled back after it; each test runs in
    a savepoint inside it, so what one test changes the next does not see (seeding takes
    seconds: once is enough)."""
    out = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            yield out, _seed(out)
        finally:
            TestCase._rollback_atomics(atomics)


def test_seed_demo_builds_two_tenants_with_suppliers_accounts_and_links(seeded):
    _, output = seeded

    ru, eu = Tenant.objects.get(code="demo-ru"), Tenant.objects.get(code="demo-eu")
    assert (ru.profile, ru.currency, eu.profile, eu.currency) == ("RU", "RUB", "SEPA", "EUR")
    for tenant in (ru, eu):
        assert Supplier.objects.filter(tenant=tenant).count() >= 5
        assert Account.objects.filter(tenant=tenant).count() == 40
        suppliers = Supplier.objects.filter(tenant=tenant).count()
        assert AccountLink.objects.filter(tenant=tenant).count() == 40 * suppliers
    for username in ("operator", "accountant", "collector", "supplier", "resident"):
        assert username in output
    assert "password for all: demo" in output
    assert Membership.objects.filter(user__username="operator").count() == 2
    assert AccountHolder.objects.filter(user__username="resident").count() == 2


def test_seed_demo_writes_three_months_of_every_supplier_in_its_own_layout(seeded):
    tmp_path, _ = seeded

    vodokanal = sorted((tmp_path / "demo-ru" / "vodokanal").iterdir())
    assert [p.name for p in vodokanal] == [
        "vodokanal-2026-08.csv",
        "vodokanal-2026-09.csv",
        "vodokanal-2026-10.csv",
    ]
    raw = vodokanal[0].read_bytes()
    assert raw.decode("cp1251").startswith("ЛицевойСчет;КодУслуги;Объем")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    table = read_table(raw, filename="v.csv")
    assert table.separator == ";" and table.encoding == "cp1251"
    assert table.frame["сумма"].str.contains(",").all()

    heat = read_table(
        (tmp_path / "demo-ru" / "teploset" / "teploset-2026-10.xlsx").read_bytes(),
        filename="t.xlsx",
    )
    assert heat.columns == ["account no", "service", "volume", "rate", "charged"]
    assert len(heat.frame) == 80  # two services for 40 accounts

    for tenant in ("demo-ru", "demo-eu"):
        for supplier in Supplier.objects.filter(tenant__code=tenant):
            files = list((tmp_path / tenant / supplier.code).iterdir())
            assert len(files) == 3, supplier.code


def test_seed_demo_charges_follow_quantity_times_tariff(seeded):
    from decimal import ROUND_HALF_UP, Decimal

    tmp_path, _ = seeded
    table = read_table(
        (tmp_path / "demo-eu" / "power" / "power-2026-09.csv").read_bytes(), filename="p.csv"
    )
    for quantity, tariff, total in table.frame[
        ["consumption_kwh", "price_per_kwh", "total"]
    ].itertuples(index=False):
        expected = (Decimal(quantity) * Decimal(tariff)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(total) == expected


def test_seed_demo_is_deterministic_for_a_seed(seeded, tmp_path):
    shutil.copytree(seeded[0], tmp_path / "first")
    codes_first = list(
        Account.objects.order_by("tenant__code", "account_number").values_list(
            "account_number", "payer_name", "verification_code"
        )
    )
    _seed(tmp_path / "second", "--reset")
    codes_second = list(
        Account.objects.order_by("tenant__code", "account_number").values_list(
            "account_number", "payer_name", "verification_code"
        )
    )

    assert codes_first == codes_second
    first = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*.*"))
    second = sorted(p.relative_to(tmp_path / "second") for p in (tmp_path / "second").rglob("*.*"))
    assert first == second and len(first) == 2 * 1 + 33
    for relative in first:
        assert (tmp_path / "first" / relative).read_bytes() == (
            tmp_path / "second" / relative
        ).read_bytes(), relative


def test_seed_demo_again_without_reset_keeps_the_demo(seeded):
    tmp_path, _ = seeded
    ids = set(Account.objects.values_list("id", flat=True))

    output = _seed(tmp_path)

    assert "already seeded" in output
    assert set(Account.objects.values_list("id", flat=True)) == ids


def test_printed_sign_in_signs_in(client, seeded):
    response = client.post("/staff/login/", {"username": "operator", "password": "demo"})

    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
