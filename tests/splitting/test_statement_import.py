"""Bank statements through `import_statement`: credits matched by structured reference, by a
reference or account number in the free text, by a payer seen before; the rest parked in
suspense; a second import changes nothing; staff assign (or split) and refund what waits."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from integrations.statements import parse_statement
from invoicing.models import PaymentDocument
from splitting.channels.statements import (
    StatementRejected,
    statement_import,
    suspense_assign,
    suspense_refund,
)
from splitting.core.reversals import payment_reverse
from splitting.models import BankCredit, CreditStatus, Payment, StatementImport
from tests.factories import TenantFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import assert_ledger_clean, charges
from warehouse.models import OpenItem

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

OUR_ACCOUNT = "40702810238720001420"  # the world's tenant's settlement account


def _document(number, amount, text, *, payer="40817810099910004312", to=OUR_ACCOUNT):
    return (
        "СекцияДокумент=Платежное поручение\n"
        f"Номер={number}\nДата=20.11.2026\nСумма={amount}\nДатаПоступило=20.11.2026\n"
        f"ПлательщикСчет={payer}\nПлательщик1=Петров Пётр Петрович\nПлательщикИНН=772012345678\n"
        f"ПолучательСчет={to}\nПолучатель1=ООО «Расчётный центр»\n"
        f"НазначениеПлатежа={text}\nКонецДокумента\n"
    )


def one_c(*documents) -> bytes:
    text = (
        "1CClientBankExchange\nВерсияФормата=1.03\nКодировка=Windows\nОтправитель=Банк\n"
        f"ДатаНачала=20.11.2026\nДатаКонца=20.11.2026\nРасчСчет={OUR_ACCOUNT}\n"
        "СекцияРасчСчет\nДатаНачала=20.11.2026\nДатаКонца=20.11.2026\n"
        f"РасчСчет={OUR_ACCOUNT}\nНачальныйОстаток=0.00\nКонецРасчСчет\n"
        + "".join(documents)
        + "КонецФайла\n"
    )
    return text.replace("\n", "\r\n").encode("cp1251")


@pytest.fixture
def billed(world):
    charges(
        world,
        "2026-11",
        water={"VK-0001": "140.00", "VK-0002": "80.00", "VK-0003": "55.00"},
        heat={"VK-0001": "60.00", "VK-0002": "20.00"},
    )
    month_end_close(tenant=world.tenant, period="2026-11", allow_missing=True)
    return world


def _reference(world, number):
    return PaymentDocument.objects.get(account=world.accounts[number]).reference


def _open(world, number):
    return sum(
        OpenItem.objects.filter(account=world.accounts[number]).values_list(
            "open_amount", flat=True
        )
    )


def test_credits_are_matched_posted_or_parked_and_a_second_import_changes_nothing(billed):
    world = billed
    data = one_c(
        _document(1, "200.00", f"Оплата ЖКУ, платёжный документ {_reference(world, 'VK-0001')}"),
        _document(
            2, "50.00", "Оплата за ноябрь, лицевой счёт 00000002", payer="40817810000000000002"
        ),
        _document(3, "12.34", "Оплата без указания счёта", payer="40817810000000000003"),
        _document(4, "99.00", "Возврат", to="40702810900000000009"),
    )

    first = statement_import(tenant=world.tenant, data=data, filename="stmt.txt")
    again = statement_import(tenant=world.tenant, data=data, filename="stmt.txt")

    assert (first.matched, first.parked, first.duplicates) == (2, 1, 0)
    assert first.statement.skipped == 1
    assert (again.matched, again.parked, again.duplicates) == (0, 0, 3)
    assert Payment.objects.count() == 2
    rules = {
        c.bank_reference.split("/")[0]: (c.match_rule, c.status) for c in BankCredit.objects.all()
    }
    assert rules == {
        "1": ("free_text_reference", CreditStatus.MATCHED),
        "2": ("free_text_account", CreditStatus.MATCHED),
        "3": ("", CreditStatus.SUSPENSE),
    }
    assert _open(world, "VK-0001") == 0
    assert _open(world, "VK-0002") == 5_000
    paid = Payment.objects.get(account=world.accounts["VK-0001"])
    assert paid.document_reference == _reference(world, "VK-0001")
    assert BankCredit.objects.get(status=CreditStatus.SUSPENSE).open_amount == 1_234
    assert_ledger_clean()


def test_a_payer_seen_before_paying_exactly_a_documents_amount_is_matched(billed):
    world = billed
    statement_import(
        tenant=world.tenant,
        data=one_c(_document(10, "10.00", "лицевой счёт 00000003", payer="40817810000000000077")),
        filename="a.txt",
    )

    outcome = statement_import(
        tenant=world.tenant,
        data=one_c(_document(11, "45.00", "коммуналка", payer="40817810000000000077")),
        filename="b.txt",
    )

    assert outcome.matched == 1
    credit = BankCredit.objects.get(bank_reference__startswith="11/")
    assert credit.match_rule == "payer_history"
    assert credit.account == world.accounts["VK-0003"]
    assert _open(world, "VK-0003") == 0
    assert_ledger_clean()


def test_staff_split_a_waiting_credit_across_accounts_and_refund_the_rest(billed):
    world = billed
    statement_import(
        tenant=world.tenant,
        data=one_c(_document(20, "300.00", "за двоих", payer="40817810000000000055")),
        filename="c.txt",
    )
    credit = BankCredit.objects.get()

    suspense_assign(credit=credit, account=world.accounts["VK-0001"], amount=20_000, actor=None)
    suspense_assign(credit=credit, account=world.accounts["VK-0002"], amount=5_000, actor=None)
    assert_ledger_clean()
    refunded = suspense_refund(credit=credit, actor=None, reason="the rest is not ours")

    assert refunded.status == CreditStatus.REFUNDED and refunded.refunded == 5_000
    assert Payment.objects.filter(from_suspense=True).count() == 2
    assert (_open(world, "VK-0001"), _open(world, "VK-0002")) == (0, 5_000)
    assert_ledger_clean()


def test_reversing_a_payment_made_from_suspense_puts_the_money_back_in_the_queue(billed):
    world = billed
    statement_import(tenant=world.tenant, data=one_c(_document(30, "60.00", "?")), filename="d.txt")
    credit = BankCredit.objects.get()
    suspense_assign(credit=credit, account=world.accounts["VK-0002"], amount=6_000, actor=None)

    payment_reverse(payment=Payment.objects.get())

    credit.refresh_from_db()
    assert (credit.status, credit.open_amount) == (CreditStatus.SUSPENSE, 6_000)
    assert_ledger_clean()


def test_assigning_more_than_waits_is_refused(billed):
    world = billed
    statement_import(tenant=world.tenant, data=one_c(_document(40, "10.00", "?")), filename="e")
    credit = BankCredit.objects.get()

    with pytest.raises(Exception, match="waits"):
        suspense_assign(credit=credit, account=world.accounts["VK-0001"], amount=1_001, actor=None)

    credit.refresh_from_db()
    assert credit.open_amount == 1_000
    assert Payment.objects.count() == 0


def _command(*args):
    out = io.StringIO()
    try:
        call_command("import_statement", *args, stdout=out)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


def test_import_statement_command_reports_and_refuses_a_bad_file_whole(billed, tmp_path):
    world = billed
    good = tmp_path / "stmt.txt"
    good.write_bytes(one_c(_document(50, "10.00", "лицевой счёт 00000003")))
    evil = tmp_path / "evil.xml"
    evil.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<Document><BkToCstmrStmt>&e;</BkToCstmrStmt></Document>"
    )
    other = tmp_path / "other.txt"
    other.write_bytes(
        one_c(_document(51, "10.00", "x")).replace(OUR_ACCOUNT.encode(), b"4070281" + b"0" * 13)
    )

    status, out = _command(str(good), "--tenant", world.tenant.code)
    assert status == 0 and "1 matched" in out
    status, message = _command(str(evil), "--tenant", world.tenant.code)
    assert status == 1 and "refused" in message
    status, message = _command(str(other), "--tenant", world.tenant.code)
    assert status == 1 and "not of" in message
    assert StatementImport.objects.count() == 1


CAMT = Path(__file__).resolve().parents[1] / "integrations" / "files" / "camt053_v08.xml"


def test_a_camt_credit_with_the_documents_structured_reference_pays_that_document(billed):
    world = billed
    reference = _reference(world, "VK-0002")
    data = (
        CAMT.read_text()
        .replace("<IBAN>DE02120300000000202051</IBAN>", f"<Othr><Id>{OUR_ACCOUNT}</Id></Othr>")
        .replace("EUR", "RUB")
        .replace("RF87100200300062026", reference)
    )

    outcome = statement_import(tenant=world.tenant, data=data.encode(), filename="camt.xml")

    assert outcome.matched == 1
    credit = BankCredit.objects.get()
    assert (credit.match_rule, credit.payer_name) == ("reference", "Ivan Ivanov")
    payment = Payment.objects.get()
    assert payment.document_reference == reference and payment.amount == 5_123
    assert payment.account == world.accounts["VK-0002"]
    assert_ledger_clean()


FILES = Path(__file__).resolve().parents[1] / "integrations" / "files"


@pytest.mark.parametrize(
    ("name", "iban", "matched", "parked"),
    [
        # RF87100200300062026 in the :86: text → account 100200300; the NONREF one names it too
        ("statement.mt940", "DE89370400440532013000", 2, 0),
        # "Kundennr 100200305" names an account; the other credit names nothing known
        ("camt054_v08.xml", "DE02120300000000202051", 1, None),
    ],
)
def test_mt940_and_camt054_import_match_park_and_import_again_as_nothing_new(
    name, iban, matched, parked
):
    from tests.factories import AccountFactory, TenantFactory

    tenant = TenantFactory(sepa=True, iban=iban)
    for number in ("100200300", "100200305"):
        AccountFactory(tenant=tenant, account_number=number)
    data = (FILES / name).read_bytes()

    first = statement_import(tenant=tenant, data=data, filename=name)
    again = statement_import(tenant=tenant, data=data, filename=name)

    assert first.matched == matched
    if parked is not None:
        assert first.parked == parked
    assert first.statement.credits == first.matched + first.parked
    assert (again.matched, again.parked, again.duplicates) == (0, 0, first.statement.credits)
    assert Payment.objects.count() == first.matched
    assert_ledger_clean(tenant)


@pytest.fixture
def ch_world(db):
    """A Swiss operator whose QR-IBAN the notifications of tests/integrations/files are of."""
    return TenantFactory(
        profile="CH",
        currency="CHF",
        locale="de",
        timezone="Europe/Zurich",
        iban="CH5800791123000889012",
        bank_account="",
        inn="",
        kpp="",
    )


def test_swiss_qr_notifications_of_two_days_with_the_same_entry_reference_book_both_days(
    ch_world,
):
    monday = (FILES / "camt054_v08_qr_monday.xml").read_bytes()
    tuesday = (FILES / "camt054_v08_qr_tuesday.xml").read_bytes()

    first = statement_import(tenant=ch_world, data=monday, filename="mon.xml")
    second = statement_import(tenant=ch_world, data=tuesday, filename="tue.xml")
    again = [
        statement_import(tenant=ch_world, data=data, filename=f"again-{n}.xml")
        for n, data in enumerate((monday, tuesday))
    ]

    booked = first.matched + first.parked, second.matched + second.parked
    assert booked[0] > 0 and booked[1] > 0, "Tuesday's credits are not Monday's"
    assert [o.matched + o.parked for o in again] == [0, 0]
    assert [o.duplicates for o in again] == list(booked)
    assert BankCredit.objects.count() == sum(booked)


def test_credits_imported_before_the_new_keys_are_still_recognised_by_their_old_key(ch_world):
    """A database from before the keys named the day and the amount: its credits carry the old
    key. The same file again books nothing; the next day's file, with the same old keys (the
    Swiss NtryRef of every day), books its credits."""
    monday = (FILES / "camt054_v08_qr_monday.xml").read_bytes()
    tuesday = (FILES / "camt054_v08_qr_tuesday.xml").read_bytes()
    first = statement_import(tenant=ch_world, data=monday, filename="mon.xml")
    for credit in parse_statement(monday, "mon.xml").credits:
        BankCredit.objects.filter(dedupe_key=credit.dedupe_key).update(dedupe_key=credit.legacy_key)

    again = statement_import(tenant=ch_world, data=monday, filename="mon-again.xml")
    next_day = statement_import(tenant=ch_world, data=tuesday, filename="tue.xml")

    assert again.matched + again.parked == 0
    assert again.duplicates == first.matched + first.parked
    assert next_day.matched + next_day.parked > 0


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_of_statements_imports_each_and_a_bad_member_refuses_the_whole_zip(ch_world):
    monday = (FILES / "camt054_v08_qr_monday.xml").read_bytes()
    tuesday = (FILES / "camt054_v08_qr_tuesday.xml").read_bytes()

    with pytest.raises(StatementRejected, match=r"days\.zip/broken\.xml"):
        statement_import(
            tenant=ch_world,
            data=_zip({"mon.xml": monday, "broken.xml": b"<Document/>"}),
            filename="days.zip",
        )
    assert not BankCredit.objects.exists()

    both = statement_import(
        tenant=ch_world, data=_zip({"mon.xml": monday, "tue.xml": tuesday}), filename="days.zip"
    )
    assert [s.filename for s in both.statements] == ["days.zip/mon.xml", "days.zip/tue.xml"]
    assert both.matched + both.parked == BankCredit.objects.count() > 0


def test_an_mt940_with_old_mac_line_ends_reads_as_the_same_statement(billed):
    data = (FILES / "statement.mt940").read_bytes()
    cr_only = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")

    assert parse_statement(cr_only, "cr.sta") == parse_statement(data, "crlf.sta")


CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "statements"


@pytest.mark.django_db
def test_a_camt_of_two_accounts_books_the_tenants_and_names_the_other():
    """Issue 18: a bank's camt.053 of all a customer's accounts is no refusal."""
    tenant = TenantFactory(sepa=True, iban="DE89370400440532013000")
    data = (CORPUS / "camt053_v08_two_accounts.xml").read_bytes()

    outcome = statement_import(tenant=tenant, data=data, filename="both.xml")

    record = StatementImport.objects.get()
    assert (record.bank_account, record.credits) == ("DE89370400440532013000", 1)
    assert record.warnings.endswith("left out: DE75512108001245126199")
    assert [c.amount for c in BankCredit.objects.all()] == [1100]
    assert outcome.parked == 1
    assert_ledger_clean(tenant)


@pytest.mark.django_db
def test_a_camt_of_accounts_none_of_them_the_tenants_is_refused():
    tenant = TenantFactory(sepa=True, iban="DE02120300000000202051")
    data = (CORPUS / "camt053_v08_two_accounts.xml").read_bytes()

    with pytest.raises(StatementRejected, match="not of"):
        statement_import(tenant=tenant, data=data, filename="both.xml")
    assert not StatementImport.objects.exists()


def _camt_of(world_iban: str, day, entries) -> bytes:
    from tests.simulation.wire import camt053

    return camt053(
        iban=world_iban, currency="EUR", day=day, entries=entries, msg=f"M{len(entries)}"
    )


def test_a_transaction_booked_in_a_batch_then_alone_in_the_next_file_is_booked_once(db):
    """Found by the simulation (seed 4, 3 months, faults 2): a credit inside a batch entry got
    its position in its key, so the same transaction (its own AcctSvcrRef) repeated alone in
    the next day's statement was booked a second time."""
    from datetime import date

    from tests.simulation.wire import Credit

    tenant = TenantFactory(
        profile="SEPA",
        currency="EUR",
        iban="DE89370400440532013000",
        bank_account="",
        inn="",
        kpp="",
    )
    day = date(2026, 5, 9)
    first = Credit(
        "b4x75", 24743, "Anna Müller", "DE75512108001245126199", text="Miete", booked=day
    )
    second = Credit(
        "b4x76", 17115, "Lukas Weber", "DE75512108001245126199", text="Miete", booked=day
    )

    batch = statement_import(
        tenant=tenant, data=_camt_of(tenant.iban, day, [[first, second]]), filename="a.xml"
    )
    alone = statement_import(
        tenant=tenant, data=_camt_of(tenant.iban, date(2026, 5, 10), [[first]]), filename="b.xml"
    )

    assert batch.matched + batch.parked == 2
    assert alone.matched + alone.parked == 0
    assert BankCredit.objects.filter(tenant=tenant).count() == 2


def test_a_batch_detail_stored_with_its_position_is_still_recognised(db):
    """Keys stored before (issue 18) carry the detail's position; the same file again books
    nothing."""
    from datetime import date

    from tests.simulation.wire import Credit

    tenant = TenantFactory(
        profile="SEPA",
        currency="EUR",
        iban="DE89370400440532013000",
        bank_account="",
        inn="",
        kpp="",
    )
    day = date(2026, 5, 9)
    credits = [
        Credit(f"b{n}", 1000 + n, "Anna Müller", "DE75512108001245126199", text="x", booked=day)
        for n in (1, 2)
    ]
    data = _camt_of(tenant.iban, day, [credits])
    statement_import(tenant=tenant, data=data, filename="a.xml")
    for n, row in enumerate(BankCredit.objects.filter(tenant=tenant).order_by("pk"), 1):
        row.dedupe_key = f"{row.dedupe_key}:{n}"  # as issue 18 stored them
        row.save(update_fields=["dedupe_key"])

    again = statement_import(tenant=tenant, data=data, filename="a-again.xml")

    assert again.matched + again.parked == 0
    assert BankCredit.objects.filter(tenant=tenant).count() == 2
