"""Settlement exact in every direction: a day whose reversals exceed its payments leaves the
supplier owing back what it had been paid, the next payouts recover it, and the payouts add up
to exactly what was collected for the supplier net of commission; `check_ledger` fails on a
negative payable and on a payout nobody collected for. Payouts are booked only by a confirmed
POST, with their payment-order file in the same transaction."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse

from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.core.ledger_check import ledger_check
from splitting.core.payables import Position, position, supplier_claims
from splitting.core.reversals import payment_reverse
from splitting.models import (
    Allocation,
    BankCredit,
    BankDebit,
    BankDebitStatus,
    ClaimRepayment,
    CreditStatus,
    Payment,
    Payout,
    PayoutFile,
    PayoutStatus,
    Registry,
    RegistryStatus,
    SupplierEvent,
    TransactionKind,
)
from splitting.settlement.payouts import day_settle, registry_settle
from splitting.settlement.registries import registries_build
from tests.factories import MembershipFactory, UserFactory
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=MOSCOW)


def _settle_day(world, day: int):
    """At 01:00 the next morning, as the night job would: build the day, settle it."""
    with time_machine.travel(_at(day + 1, 1), tick=False):
        registries_build(tenant=world.tenant, day=_at(day).date())
        result = day_settle(tenant=world.tenant, day=_at(day).date())
    assert_ledger_clean()
    return result


def _collected_net(supplier) -> int:
    rows = Allocation.objects.filter(supplier=supplier).aggregate(
        gross=Sum("amount"), commission=Sum("commission")
    )
    return (rows["gross"] or 0) - (rows["commission"] or 0)


def _paid_out(supplier) -> int:
    return (
        Payout.objects.filter(supplier=supplier)
        .exclude(status=PayoutStatus.RETURNED)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )


@pytest.fixture
def billed(world):
    with time_machine.travel(_at(1, 9), tick=False):
        charges(
            world,
            "2026-11",
            water={n: "900.00" for n in ("VK-0001", "VK-0002", "VK-0003", "VK-0004")},
            heat={n: "500.00" for n in ("VK-0001", "VK-0002", "VK-0003", "VK-0004")},
        )
    return world


def _pay(world, day: int, number: str, amount: int):
    with time_machine.travel(_at(day), tick=False):
        return pay(world, number, amount)


def _reverse(payment, day: int):
    with time_machine.travel(_at(day, 15), tick=False):
        return payment_reverse(payment=payment, reason="chargeback")


def _a_day_of_reversals_larger_than_its_payments(world):
    """Day 1: two payments, paid out. Day 2: one small payment and both day-1 payments
    reversed. Then two days of payments."""
    first = _pay(world, 1, "VK-0001", 60_000)
    second = _pay(world, 1, "VK-0002", 40_000)
    _settle_day(world, 1)
    _pay(world, 2, "VK-0003", 5_000)
    _reverse(first, 2)
    _reverse(second, 2)
    return first, second


@pytest.mark.postgres
def test_reversals_larger_than_a_days_payments_are_recovered_and_payouts_sum_to_the_net(billed):
    world = billed
    _a_day_of_reversals_larger_than_its_payments(world)
    water = world.supplier

    owed_back = position(world.tenant.pk, water.pk)
    day2 = _settle_day(world, 2)

    assert owed_back.payable == 0 and owed_back.recoverable > 0, "set aside at the reversal"
    mine = next(s for s in day2.settled if s.registry.supplier_id == water.pk)
    assert mine.registry.net < 0 and mine.payout is None
    assert mine.registry.status == RegistryStatus.NETTED
    assert _paid_out(water) > _collected_net(water), "day 1 was paid; its money came back"

    _pay(world, 3, "VK-0003", 30_000)
    day3 = _settle_day(world, 3)
    _pay(world, 4, "VK-0004", 90_000)
    day4 = _settle_day(world, 4)

    recovered = sum(
        s.recovered for s in day3.settled + day4.settled if s.registry.supplier_id == water.pk
    )
    assert recovered == owed_back.recoverable, "the next payouts recovered all of it"
    for supplier in (world.supplier, world.other):
        assert _paid_out(supplier) == _collected_net(supplier), supplier.code
        assert position(world.tenant.pk, supplier.pk) == Position(payable=0, recoverable=0)
    assert supplier_claims(world.tenant) == []


@pytest.mark.postgres
def test_an_unrecovered_overpayment_becomes_a_claim_on_the_supplier_after_the_tenants_days(
    billed,
):
    world = billed
    world.tenant.claim_after_days = 10
    world.tenant.save(update_fields=["claim_after_days"])
    _a_day_of_reversals_larger_than_its_payments(world)
    _settle_day(world, 2)
    owed = position(world.tenant.pk, world.supplier.pk).recoverable

    early = supplier_claims(world.tenant, today=_at(12).date())
    late = supplier_claims(world.tenant, today=_at(13).date())

    water = [c for c in early if c.supplier.code == "vodokanal"]
    assert [(c.amount, c.since, c.due_by, c.overdue) for c in water] == [
        (owed, _at(2).date(), _at(12).date(), False)
    ]
    assert {c.supplier.code: c.overdue for c in late} == {"vodokanal": True, "teplo": True}


def test_check_ledger_fails_when_a_payable_is_forced_negative(billed):
    world = billed
    _pay(world, 1, "VK-0001", 60_000)
    payable = position(world.tenant.pk, world.supplier.pk).payable
    from django.db import transaction

    with transaction.atomic():
        ledger.transaction_post(
            tenant_id=world.tenant.pk,
            kind=TransactionKind.PAYOUT,
            legs=[
                Leg(ledger.payable(world.supplier.pk), payable + 100),
                Leg(ledger.BANK, -(payable + 100)),
            ],
            memo="a payout booked behind the settlement's back",
        )

    rules = {v.rule for v in ledger_check(world.tenant)}
    assert "no supplier payable below zero" in rules
    assert "bank account equals the payouts not returned" in rules


def test_check_ledger_fails_on_a_payout_nobody_collected_for(billed):
    world = billed
    _pay(world, 1, "VK-0001", 60_000)
    _settle_day(world, 1)
    payout = Payout.objects.filter(supplier=world.supplier).get()
    Payout.objects.filter(pk=payout.pk).update(amount=payout.amount + 5_000)

    rules = {v.rule for v in ledger_check(world.tenant)}
    assert "no supplier paid out more than was collected for it" in rules


def test_settling_again_pays_nothing_more_and_a_registry_that_nets_below_zero_pays_nothing(
    billed,
):
    world = billed
    first, _ = _a_day_of_reversals_larger_than_its_payments(world)
    with time_machine.travel(_at(3, 1), tick=False):
        registries_build(tenant=world.tenant, day=_at(2).date())
    registry = Registry.objects.get(supplier=world.supplier, day=_at(2).date())

    once = registry_settle(registry=registry)
    twice = registry_settle(registry=registry)

    assert once.payout is None and twice.payout is None
    assert (once.taken, once.recovered) == (0, 0)
    assert Payout.objects.filter(registry=registry).count() == 0
    assert_ledger_clean()


def test_a_writer_that_refuses_the_bank_details_books_nothing(billed):
    world = billed
    _pay(world, 1, "VK-0001", 60_000)
    world.supplier.bank_account = ""  # a 1C payment order cannot be written without it
    world.supplier.save(update_fields=["bank_account"])
    with time_machine.travel(_at(2, 1), tick=False):
        registries_build(tenant=world.tenant, day=_at(1).date())
        result = day_settle(tenant=world.tenant, day=_at(1).date(), file_format="1c")

    refused = [registry.supplier.code for registry, _ in result.refused]
    assert refused == ["vodokanal"]
    registry = Registry.objects.get(supplier=world.supplier)
    assert registry.status == RegistryStatus.BUILT and registry.taken == 0
    assert not Payout.objects.filter(supplier=world.supplier).exists()
    assert Payout.objects.filter(supplier=world.other).count() == 1, "teplo is paid"
    assert list(PayoutFile.objects.values_list("format", flat=True)) == ["1c"]
    assert_ledger_clean()


# --- the pages: booked by a confirmed POST only ---------------------------------------------


@pytest.fixture
def operator_admin(world):
    user = UserFactory()
    MembershipFactory(user=user, tenant=world.tenant, role=Role.OPERATOR_ADMIN)
    return user


@pytest.fixture
def supplier_user(world):
    user = UserFactory()
    MembershipFactory(user=user, supplier=world.supplier)
    return user


@pytest.fixture
def built(billed):
    world = billed
    _pay(world, 1, "VK-0001", 60_000)
    with time_machine.travel(_at(2, 1), tick=False):
        registries_build(tenant=world.tenant, day=_at(1).date())
    return world


def test_a_get_or_an_unconfirmed_post_books_no_payout(built, client, operator_admin):
    world = built
    registry = Registry.objects.get(supplier=world.supplier)
    client.force_login(operator_admin)
    url = reverse("registry-payout", args=[registry.pk])

    page = client.get(url)
    unconfirmed = client.post(url, {"file_format": "1c"})
    lines = client.get(reverse("registry-download", args=[registry.pk, "1c"]))

    assert page.status_code == 200 and unconfirmed.status_code == 200
    assert lines.status_code == 200
    assert b"confirm" in page.content.lower()
    assert not Payout.objects.exists()

    confirmed = client.post(url, {"file_format": "1c", "confirm": "on"})

    assert confirmed.status_code == 302
    payout = Payout.objects.get()
    assert payout.file is not None and payout.file.format == "1c"
    order = client.get(reverse("payout-file", args=[payout.file.pk]))
    assert order.status_code == 200 and payout.end_to_end_id.encode() in order.content
    assert_ledger_clean()


def test_the_day_page_settles_every_supplier_into_one_file(built, client, operator_admin):
    world = built
    client.force_login(operator_admin)
    url = reverse("registries-day")
    query = {"tenant": world.tenant.code, "day": _at(1).strftime("%Y-%m-%d")}

    page = client.get(url, query)
    done = client.post(url, {**query, "file_format": "1c", "confirm": "on"})

    assert page.status_code == 200
    assert world.supplier.name.encode() in page.content
    assert done.status_code == 302
    payouts = list(Payout.objects.all())
    assert len(payouts) == 2 and len({p.file_id for p in payouts}) == 1
    assert Counter(r.status for r in Registry.objects.all()) == {RegistryStatus.PAID: 2}


def test_the_payout_pages_refuse_a_supplier_user(built, client, supplier_user):
    world = built
    registry = Registry.objects.get(supplier=world.supplier)
    client.force_login(supplier_user)

    answer = client.post(
        reverse("registry-payout", args=[registry.pk]), {"file_format": "1c", "confirm": "on"}
    )

    assert answer.status_code == 403
    assert not Payout.objects.exists()


# --- the bank's word: a debit confirms a payout, a return reopens it ----------------------------


def _camt053(world, *entries: str, statement_id: str = "S-1") -> bytes:
    """A camt.053.001.02 statement of the tenant's account with `entries`."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>2026-12-04T06:00:00+03:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>{statement_id}</Id><CreDtTm>2026-12-04T06:00:00+03:00</CreDtTm>
   <Acct><Id><Othr><Id>{world.tenant.bank_account}</Id></Othr></Id><Ccy>RUB</Ccy></Acct>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="RUB">0.00</Amt>
    <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-03</Dt></Dt></Bal>
   {"".join(entries)}
  </Stmt>
 </BkToCstmrStmt>
</Document>""".encode()


def _entry(reference: str, direction: str, amount: int, end_to_end_id: str, extra: str = "") -> str:
    return f"""<Ntry><Amt Ccy="RUB">{amount // 100}.{amount % 100:02d}</Amt>
    <CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-03</Dt></BookgDt>
    <AcctSvcrRef>{reference}</AcctSvcrRef><BkTxCd/>
    <NtryDtls><TxDtls><Refs><EndToEndId>{end_to_end_id}</EndToEndId></Refs>
    <RltdPties><Cdtr><Nm>АО «Водоканал»</Nm></Cdtr></RltdPties>
    <RmtInf><Ustrd>{end_to_end_id}</Ustrd></RmtInf>{extra}</TxDtls></NtryDtls></Ntry>"""


def _import(world, data: bytes, name: str):
    from splitting.channels.statements import statement_import

    with time_machine.travel(_at(4, 9), tick=False):
        return statement_import(tenant=world.tenant, data=data, filename=name)


RETURN = "<RtrInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Счёт закрыт</AddtlInf></RtrInf>"


def test_a_statement_debit_confirms_the_payout_a_return_reopens_it_and_again_changes_nothing(
    built,
):
    world = built
    world.supplier.webhook_url = "http://127.0.0.1:9/unibill"  # events written, none delivered
    world.supplier.save(update_fields=["webhook_url"])
    with time_machine.travel(_at(2, 1), tick=False):
        payouts = day_settle(tenant=world.tenant, day=_at(1).date()).payouts
    payout = next(p for p in payouts if p.supplier_id == world.supplier.pk)
    fee = 3_500

    statement = _camt053(
        world,
        _entry("B-1", "DBIT", payout.amount, payout.end_to_end_id),
        _entry("B-2", "DBIT", fee, "NOTPROVIDED"),
    )
    first = _import(world, statement, "s1.xml")
    again = _import(world, statement, "s1-again.xml")

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.CONFIRMED
    assert payout.confirmed_by.bank_reference == "B-1"
    assert (first.statement.payouts_confirmed, first.statement.debits_unmatched) == (1, 1)
    assert (again.statement.payouts_confirmed, again.statement.debits_unmatched) == (0, 0)
    assert BankDebit.objects.count() == 2
    assert BankDebit.objects.get(status=BankDebitStatus.UNMATCHED).amount == fee

    payable_before = position(world.tenant.pk, payout.supplier_id).payable
    returned = _camt053(
        world,
        _entry("B-3", "CRDT", payout.amount, payout.end_to_end_id, RETURN),
        statement_id="S-2",
    )
    back = _import(world, returned, "s2.xml")
    _import(world, returned, "s2-again.xml")

    payout.refresh_from_db()
    registry = payout.registry
    assert back.statement.payouts_returned == 1 and back.matched == 0 and back.parked == 0
    assert payout.status == PayoutStatus.RETURNED
    assert payout.return_reason.startswith("AC04")
    assert registry.status == RegistryStatus.BUILT and registry.paid == 0
    after = position(world.tenant.pk, payout.supplier_id)
    assert after.payable == payable_before + payout.amount
    assert_ledger_clean()

    with time_machine.travel(_at(5, 9), tick=False):
        again_paid = registry_settle(registry=registry).payout
    assert again_paid.amount == payout.amount
    assert again_paid.end_to_end_id == f"{registry.number}-2"
    assert_ledger_clean()
    told = SupplierEvent.objects.filter(supplier=world.supplier, event__startswith="payout.")
    assert [(e.event, e.body["payout"]["end_to_end_id"]) for e in told.order_by("pk")] == [
        ("payout.sent", payout.end_to_end_id),
        ("payout.confirmed", payout.end_to_end_id),
        ("payout.returned", payout.end_to_end_id),
        ("payout.sent", again_paid.end_to_end_id),
    ]


def test_a_suppliers_transfer_from_suspense_pays_back_what_it_owes(built, client, operator_admin):
    world = built
    _settle_day(world, 1)
    payment = Payment.objects.get()
    _reverse(payment, 2)
    owed = position(world.tenant.pk, world.supplier.pk).recoverable
    assert owed > 0
    transfer = _camt053(
        world,
        _entry("B-9", "CRDT", owed, "NOTPROVIDED").replace("АО «Водоканал»", "Оператор"),
    )
    _import(world, transfer, "repaid.xml")
    credit = BankCredit.objects.get(bank_reference="B-9")
    assert credit.status == CreditStatus.SUSPENSE
    client.force_login(operator_admin)

    page = client.get(reverse("payout-list"))
    too_much = client.post(
        reverse("claim-repay"),
        {"supplier": world.supplier.pk, "credit": credit.pk, "amount": f"{owed / 100 + 1:.2f}"},
    )
    done = client.post(
        reverse("claim-repay"),
        {"supplier": world.supplier.pk, "credit": credit.pk, "amount": f"{owed / 100:.2f}"},
    )

    assert page.status_code == 200 and world.supplier.name.encode() in page.content
    assert too_much.status_code == 302 and done.status_code == 302
    assert ClaimRepayment.objects.get().amount == owed
    assert position(world.tenant.pk, world.supplier.pk).recoverable == 0
    credit.refresh_from_db()
    assert (credit.open_amount, credit.status) == (0, CreditStatus.ASSIGNED)
    assert [c.supplier for c in supplier_claims(world.tenant)] == [world.other], "teplo still"
    assert_ledger_clean()
