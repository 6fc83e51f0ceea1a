"""Coupons in the suppliers' settlement: a coupon used at an office of a supplier is listed in
that supplier's daily registry next to its payments (no commission), travels in every registry
file and is paid out with them; the operator's own offices' coupons are in no registry."""

import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils import timezone
from lxml import etree

from integrations.settlement.one_c import one_c_amount, read_1c
from integrations.settlement.one_c_registry import read_registry_1c
from integrations.settlement.pain001 import pain001_errors
from integrations.settlement.registry_files import read_registry_csv
from splitting.models import Payout, Registry, SupplierEvent
from splitting.selectors import supplier_balance
from splitting.settlement.orders import orders_file
from splitting.settlement.payouts import payout_create
from splitting.settlement.registries import registries_build, registry_file
from tests.factories import UserFactory
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from tests.wallets.wallet_helpers import fund
from wallets.models import CorporateMember, Coupon, Fee, Office
from wallets.services.coupons import coupon_redeem, coupons_issue
from wallets.services.payers import payer_create

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
TAX_ID = "7701234567"


def _today():
    return timezone.now().astimezone(MOSCOW).date()


@pytest.fixture
def used(world):
    return _coupons_used(world)


def _coupons_used(world):
    """vodokanal's office and the operator's desk each take one coupon of a funded wallet:
    (the vodokanal coupon, the desk's coupon)."""
    tenant, clerk, issuer = world.tenant, UserFactory(), UserFactory()
    office = Office.objects.create(tenant=tenant, code="vk", name="VK", supplier=world.supplier)
    desk = Office.objects.create(tenant=tenant, code="desk", name="Operator's desk")
    fees = [
        Fee.objects.create(tenant=tenant, code=code, name=code, amount=amount, office=where)
        for code, amount, where in (("conn", 150_000, office), ("cert", 25_000, desk))
    ]
    payer = payer_create(tenant=tenant, name="ООО Застройщик", tax_id=TAX_ID, actor=UserFactory())
    CorporateMember.objects.create(payer=payer, user=issuer, role="issuer", added_at=timezone.now())
    wallet = payer.wallets.get()
    fund(SimpleNamespace(tenant=tenant, wallet=wallet), "5000.00")
    coupons = []
    for fee, case in zip(fees, ("CASE-17", "DESK-1"), strict=True):
        coupon = coupons_issue(wallet=wallet, fee=fee, count=1, actor=issuer).coupons.get()
        coupons.append(coupon_redeem(coupon=coupon, case_reference=case, actor=clerk).coupon)
    return coupons


def _water(world) -> Registry:
    built = registries_build(tenant=world.tenant, day=_today())
    return next(r for r in built if r.supplier_id == world.supplier.pk)


def test_a_payment_and_a_coupon_of_the_day_are_one_registry(world, used):
    charges(world, "2026-11", water={"VK-0001": "140.00"})
    pay(world, "VK-0001", 14_000)
    coupon, own = used

    registry = _water(world)

    # 1.20 % of 140.00 on the payment, nothing on the coupon
    assert (registry.count, registry.gross, registry.commission) == (2, 14_000 + 150_000, 168)
    assert registry.net == 164_000 - 168
    coupon.refresh_from_db()
    own.refresh_from_db()
    assert (coupon.registry, own.registry) == (registry, None)
    assert not Registry.objects.exclude(pk=registry.pk).exists()


def test_a_day_of_coupons_alone_gets_a_registry_built_once(world, used):
    first = registries_build(tenant=world.tenant, day=_today())

    again = registries_build(tenant=world.tenant, day=_today())

    assert [r.pk for r in again] == [r.pk for r in first]
    registry = Registry.objects.get()
    assert (registry.supplier, registry.count, registry.gross, registry.net) == (
        world.supplier,
        1,
        150_000,
        150_000,
    )
    assert list(Coupon.objects.filter(registry=registry)) == [used[0]]


def test_every_registry_file_carries_the_coupon_and_the_payout_pays_it(world, used):
    charges(world, "2026-11", water={"VK-0001": "140.00"})
    pay(world, "VK-0001", 14_000)
    coupon = used[0]
    registry = _water(world)

    header, lines = read_registry_csv(registry_file(registry=registry, file_format="csv")[0])
    xlsx, _ = registry_file(registry=registry, file_format="xlsx")
    one_c, _ = registry_file(registry=registry, file_format="1c")
    one_c_order = bytes(payout_create(registry=registry, file_format="1c").file.content)
    pain, _ = orders_file(
        registry.tenant,
        list(Payout.objects.filter(registry=registry)),
        day=registry.day,
        file_format="pain001",
        created_at=registry.created_at,
    )

    assert (header["count"], header["gross"], header["net"]) == (2, 164_000, registry.net)
    line = next(line for line in lines if line["payment_id"].startswith("coupon:"))
    assert line == {
        "account_number": TAX_ID,
        "period": f"{coupon.used_at.astimezone(MOSCOW):%Y-%m}",
        "document_reference": "CASE-17",
        "payment_id": f"coupon:{coupon.identifier}",
        "booked_at": coupon.used_at,
        "amount": 150_000,
        "commission": 0,
        "net": 150_000,
        "sign": "+",
    }
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert f"coupon:{coupon.identifier}" in [c.value for row in sheet.iter_rows() for c in row]
    registry_lines = read_registry_1c(one_c)
    assert f"coupon:{coupon.identifier}" in [
        line.payment_id for line in registry_lines.registry.lines
    ]
    assert one_c_amount(read_1c(one_c_order).documents[0]["Сумма"]) == registry.net
    assert pain001_errors(pain) == []
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    amount = etree.fromstring(pain).findtext(".//p:InstdAmt", namespaces=ns)
    assert amount == f"{registry.net // 100}.{registry.net % 100:02d}"
    assert Payout.objects.get(registry=registry).amount == registry.net
    balance = supplier_balance(world.supplier)
    assert (balance.collected, balance.paid_out, balance.payable) == (164_000, registry.net, 0)
    assert_ledger_clean()


def test_a_coupon_used_at_the_suppliers_office_is_an_event_for_the_supplier(world):
    world.supplier.webhook_url = "http://127.0.0.1:9/unibill"  # written, not delivered here
    world.supplier.save(update_fields=["webhook_url"])
    vodokanal_coupon, _desk_coupon = _coupons_used(world)

    told = SupplierEvent.objects.filter(event="coupon.redeemed")
    assert [e.supplier_id for e in told] == [world.supplier.pk], "the desk has no supplier"
    body = told.get().body["coupon"]
    assert body["identifier"] == vodokanal_coupon.identifier
    assert (body["amount"], body["case_reference"], body["payer_tax_id"]) == (
        "1500.00",
        "CASE-17",
        TAX_ID,
    )
