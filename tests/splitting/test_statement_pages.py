"""The bank statement pages: the statements read and uploading one, the suspense queue, and a
credit's page where staff assign it (to one account or split across several) or refund it —
and who may see and do what there. Credits are parked the way the importer parks them
(`_park`), so these tests do not depend on the statement parsers."""

import itertools
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from integrations.statements.types import Statement, StatementCredit
from splitting.channels import statements
from splitting.channels.statements import _park
from splitting.models import (
    BankCredit,
    CreditStatus,
    Payment,
    StatementImport,
    Transaction,
)
from tests.factories import AccountFactory, MembershipFactory, TenantFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import assert_ledger_clean, charges
from warehouse.models import AuditEvent, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

BOOKED = date(2027, 1, 12)
FIXTURES = Path(__file__).resolve().parent.parent / "integrations" / "files"
_refs = itertools.count(1)


@pytest.fixture
def sign_in(client, world):
    def sign_in(role=Role.ACCOUNTANT, *, tenant=None):
        user = UserFactory()
        MembershipFactory(user=user, tenant=tenant or world.tenant, role=role)
        client.force_login(user)
        return user

    return sign_in


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, url: str, data=None):
    """Posts as a browser does, following the redirect: the page it lands on shows the messages
    (and so uses them up), so `texts` gives this action's only."""
    return client.post(url, data or {}, follow=True)


def statement_of(tenant, **fields) -> StatementImport:
    values = {
        "filename": "statement.xml",
        "sha256": "0" * 64,
        "format": "camt.053",
        "bank_account": tenant.bank_account or "40702810238720001420",
        "created_at": timezone.now(),
    }
    return StatementImport.objects.create(tenant=tenant, **{**values, **fields})


def bank_credit(amount: int, **fields) -> StatementCredit:
    reference = f"REF{next(_refs):05d}"
    values = {
        "dedupe_key": f"40702810238720001420:{reference}",
        "account": "40702810238720001420",
        "amount": amount,
        "currency": "RUB",
        "booked_on": BOOKED,
        "value_on": BOOKED,
        "bank_reference": reference,
        "end_to_end_id": "",
        "structured_reference": "",
        "free_text": "оплата за коммунальные услуги",
        "payer_name": "Иванов Иван Иванович",
        "payer_account": "40817810099910004312",
    }
    return StatementCredit(**{**values, **fields})


def park(tenant, amount: int, *, record=None, **fields) -> BankCredit:
    """A credit no account was found for, booked into suspense as the importer books it."""
    record = record or statement_of(tenant)
    return _park(tenant, record, bank_credit(amount, currency=tenant.currency, **fields))


def foreign_credit() -> BankCredit:
    tenant = TenantFactory(code="elsewhere")
    return park(tenant, 555_55, payer_name="Чужой Плательщик")


# --- the suspense queue -----------------------------------------------------------------------


def test_the_suspense_queue_shows_a_parked_credit_and_not_another_tenants(client, world, sign_in):
    credit = park(world.tenant, 1234_50, payer_name="Петров Пётр", free_text="за квартиру 12")
    foreign = foreign_credit()
    sign_in(Role.COLLECTOR)

    response = client.get("/staff/suspense/")

    content = response.content.decode()
    assert response.status_code == 200
    assert f'href="/staff/suspense/{credit.pk}/"' in content
    assert "Петров Пётр" in content and "за квартиру 12" in content
    assert "1\u00a0234,50\u00a0₽" in content  # the money filter, in the tenant's locale
    assert f'href="/staff/suspense/{foreign.pk}/"' not in content
    assert "Чужой Плательщик" not in content
    assert client.get(f"/staff/suspense/{foreign.pk}/").status_code == 404
    assert_ledger_clean(world.tenant)


def test_the_suspense_queue_filters_by_payer_amount_and_booking_date(client, world, sign_in):
    early = park(world.tenant, 100_00, payer_name="Сидоров", booked_on=BOOKED - timedelta(days=9))
    late = park(world.tenant, 900_00, payer_name="Кузнецова", free_text="кв. 7, январь")
    sign_in()

    def shown(params) -> set[int]:
        response = client.get("/staff/suspense/", params)
        assert response.status_code == 200
        return {int(pk) for pk in re.findall(r'href="/staff/suspense/(\d+)/"', response.text)}

    assert shown({"payer": "Кузнец"}) == {late.pk}
    assert shown({"payer": "январь"}) == {late.pk}
    assert shown({"amount_from": "500", "amount_to": "1000.00"}) == {late.pk}
    assert shown({"amount_to": "100,00"}) == {early.pk}
    assert shown({"booked_to": f"{BOOKED - timedelta(days=1):%Y-%m-%d}"}) == {early.pk}
    assert shown({"tenant": world.tenant.code}) == {early.pk, late.pk}
    bad = client.get("/staff/suspense/", {"amount_from": "1 000"})
    assert "Enter an amount such as 123.45." in bad.content.decode()


def test_the_suspense_queue_takes_a_fixed_number_of_queries(
    client, world, sign_in, django_assert_max_num_queries
):
    record = statement_of(world.tenant)
    for i in range(12):
        park(world.tenant, 10_00 + i, record=record)
    sign_in()

    with django_assert_max_num_queries(10):
        response = client.get("/staff/suspense/")

    assert response.status_code == 200
    assert len(re.findall(r'href="/staff/suspense/\d+/"', response.content.decode())) == 12


def test_a_credit_left_the_queue_once_nothing_of_it_waits(client, world, sign_in):
    credit = park(world.tenant, 50_00)
    sign_in()

    act(client, f"/staff/suspense/{credit.pk}/refund/", {"reason": "unknown payer"})

    response = client.get("/staff/suspense/")
    assert f'href="/staff/suspense/{credit.pk}/"' not in response.content.decode()
    assert client.get(f"/staff/suspense/{credit.pk}/").status_code == 200  # still on record


# --- assigning --------------------------------------------------------------------------------


def test_assigning_from_the_page_pays_the_account_out_of_suspense(client, world, sign_in):
    charges(world, "2026-12", water={"VK-0001": "140.00"})
    credit = park(world.tenant, 140_00)
    account = world.accounts["VK-0001"]
    user = sign_in()

    page = client.get(f"/staff/suspense/{credit.pk}/")
    response = act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": account.account_number, "amount": "140.00"},
    )

    assert 'value="140.00"' in page.content.decode()  # the open amount, pre-filled
    assert response.redirect_chain == [(f"/staff/suspense/{credit.pk}/", 302)]
    assert texts(response) == [
        f"140,00\u00a0₽ is paid to account {account.account_number}; "
        "nothing of the credit waits any more."
    ]
    payment = Payment.objects.get(bank_credit=credit)
    assert (payment.account, payment.amount, payment.from_suspense) == (account, 140_00, True)
    credit.refresh_from_db()
    assert (credit.status, credit.open_amount, credit.account) == (
        CreditStatus.ASSIGNED,
        0,
        account,
    )
    event = AuditEvent.objects.get(action="suspense.assigned")
    assert event.actor == user and event.detail["amount"] == 140_00
    queue = client.get("/staff/suspense/").content.decode()
    assert f'href="/staff/suspense/{credit.pk}/"' not in queue
    detail = client.get(f"/staff/suspense/{credit.pk}/").content.decode()
    assert f'href="/staff/payments/{payment.pk}/"' in detail
    assert f'action="/staff/suspense/{credit.pk}/assign/"' not in detail  # nothing left to give
    assert_ledger_clean(world.tenant)


def test_a_credit_is_split_across_two_accounts(client, world, sign_in):
    credit = park(world.tenant, 300_00)
    first, second = world.accounts["VK-0001"], world.accounts["VK-0002"]
    sign_in(Role.OPERATOR_ADMIN)

    one = act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": first.account_number, "amount": "120,50"},
    )
    credit.refresh_from_db()
    waiting = credit.open_amount
    assert_ledger_clean(world.tenant)
    page = client.get(f"/staff/suspense/{credit.pk}/").content.decode()
    two = act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": second.account_number, "amount": "179.50"},
    )

    assert waiting == 179_50
    assert texts(one) == [
        f"120,50\u00a0₽ is paid to account {first.account_number}; "
        "179,50\u00a0₽ still waits in suspense."
    ]
    assert 'value="179.50"' in page  # the next assignment defaults to what still waits
    assert two.redirect_chain == [(f"/staff/suspense/{credit.pk}/", 302)]
    paid = dict(
        Payment.objects.filter(bank_credit=credit).values_list("account__account_number", "amount")
    )
    assert paid == {first.account_number: 120_50, second.account_number: 179_50}
    credit.refresh_from_db()
    assert (credit.status, credit.open_amount) == (CreditStatus.ASSIGNED, 0)
    assert_ledger_clean(world.tenant)


def test_an_unknown_account_or_too_much_is_a_field_error_and_assigns_nothing(
    client, world, sign_in
):
    credit = park(world.tenant, 80_00)
    sign_in()

    unknown = act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": "77777777", "amount": "80.00"},
    )
    too_much = act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": world.accounts["VK-0001"].account_number, "amount": "80.01"},
    )
    garbled = act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": world.accounts["VK-0001"].account_number, "amount": "80.001"},
    )

    assert unknown.status_code == 200
    assert re.search(
        r'id="id_account_number".*?<p class="field-error">[^<]*has no account 77777777',
        unknown.content.decode(),
        re.S,
    )
    assert "Only 80,00\u00a0₽ of this credit waits in suspense." in too_much.content.decode()
    assert "Enter an amount such as 123.45." in garbled.content.decode()
    assert not Payment.objects.exists()
    credit.refresh_from_db()
    assert (credit.status, credit.open_amount) == (CreditStatus.SUSPENSE, 80_00)
    assert_ledger_clean(world.tenant)


def test_another_tenants_account_number_is_unknown_here(client, world, sign_in):
    credit = park(world.tenant, 80_00)
    other = TenantFactory(code="other-rc")
    AccountFactory(tenant=other, account_number="55500001")
    sign_in()

    response = act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": "55500001", "amount": "80"},
    )

    assert response.status_code == 200 and "has no account 55500001" in response.text
    assert not Payment.objects.exists()


def test_the_suggestions_assign_the_document_of_the_credits_amount_in_one_click(
    client, world, sign_in
):
    charges(world, "2026-12", water={"VK-0001": "140.00", "VK-0002": "80.00"})
    charges(world, "2026-12", heat={"VK-0001": "60.00"})
    month_end_close(tenant=world.tenant, period="2026-12")
    credit = park(world.tenant, 200_00)
    account = world.accounts["VK-0001"]
    sign_in()

    page = client.get(f"/staff/suspense/{credit.pk}/").content.decode()
    form = re.search(r"<form[^>]*assign/\"[^>]*>.*?</form>", page, re.S).group(0)
    values = dict(re.findall(r'name="(account_number|amount)" value="([^"]*)"', form))
    response = act(client, f"/staff/suspense/{credit.pk}/assign/", values)

    assert values == {"account_number": account.account_number, "amount": "200.00"}
    assert "Assign to this account" in form
    assert response.redirect_chain == [(f"/staff/suspense/{credit.pk}/", 302)]
    assert Payment.objects.get(bank_credit=credit).account == account
    assert_ledger_clean(world.tenant)


# --- refunding --------------------------------------------------------------------------------


def test_refunding_from_the_page_books_what_waits_as_sent_back(client, world, sign_in):
    credit = park(world.tenant, 300_00)
    sign_in()
    act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": world.accounts["VK-0001"].account_number, "amount": "100.00"},
    )

    no_reason = act(client, f"/staff/suspense/{credit.pk}/refund/", {"reason": ""})
    response = act(client, f"/staff/suspense/{credit.pk}/refund/", {"reason": "paid twice"})
    again = act(client, f"/staff/suspense/{credit.pk}/refund/", {"reason": "paid twice"})

    assert texts(response) == ["200,00\u00a0₽ is booked as refunded to Иванов Иван Иванович."]
    assert texts(again) == ["nothing of this credit waits in suspense"]
    assert no_reason.status_code == 200 and "This field is required." in no_reason.text
    credit.refresh_from_db()
    assert (credit.status, credit.open_amount, credit.refunded) == (
        CreditStatus.REFUNDED,
        0,
        200_00,
    )
    assert AuditEvent.objects.get(action="suspense.refunded").detail["reason"] == "paid twice"
    assert Transaction.objects.filter(kind="refund").count() == 1
    assert_ledger_clean(world.tenant)


# --- who may do what --------------------------------------------------------------------------


def test_a_collector_sees_the_credit_but_may_not_assign_refund_or_upload(client, world, sign_in):
    credit = park(world.tenant, 80_00)
    sign_in(Role.COLLECTOR)

    page = client.get(f"/staff/suspense/{credit.pk}/")
    statements_page = client.get("/staff/statements/")
    assign = act(
        client,
        f"/staff/suspense/{credit.pk}/assign/",
        {"account_number": world.accounts["VK-0001"].account_number, "amount": "80.00"},
    )
    refund = act(client, f"/staff/suspense/{credit.pk}/refund/", {"reason": "no"})
    upload = act(
        client,
        "/staff/statements/upload/",
        {"tenant": world.tenant.code, "file": SimpleUploadedFile("s.xml", b"<Document/>")},
    )

    assert page.status_code == 200 and "/assign/" not in page.text and "/refund/" not in page.text
    assert statements_page.status_code == 200
    assert 'action="/staff/statements/upload/"' not in statements_page.text
    assert (assign.status_code, refund.status_code, upload.status_code) == (403, 403, 403)
    assert not Payment.objects.exists() and StatementImport.objects.count() == 1
    credit.refresh_from_db()
    assert credit.open_amount == 80_00
    assert_ledger_clean(world.tenant)


def test_an_accountant_of_another_tenant_gets_404_for_this_tenants_credit(client, world, sign_in):
    credit = park(world.tenant, 80_00)
    sign_in(Role.ACCOUNTANT, tenant=TenantFactory(code="elsewhere"))

    assert client.get(f"/staff/suspense/{credit.pk}/").status_code == 404
    assert act(client, f"/staff/suspense/{credit.pk}/refund/", {"reason": "x"}).status_code == 404
    assert (
        act(
            client, f"/staff/suspense/{credit.pk}/assign/", {"account_number": "1", "amount": "1"}
        ).status_code
        == 404
    )
    credit.refresh_from_db()
    assert credit.open_amount == 80_00


def test_an_accountant_may_not_upload_for_a_tenant_where_they_are_a_collector(
    client, world, sign_in
):
    user = sign_in(Role.ACCOUNTANT, tenant=TenantFactory(code="own"))
    MembershipFactory(user=user, tenant=world.tenant, role=Role.COLLECTOR)

    response = act(
        client,
        "/staff/statements/upload/",
        {"tenant": world.tenant.code, "file": SimpleUploadedFile("s.txt", b"garbage")},
    )

    assert response.status_code == 403
    assert not StatementImport.objects.exists()


# --- statements -------------------------------------------------------------------------------


def _one_c_with_amount(amount: str) -> bytes:
    """The 1C fixture with its first Сумма replaced (a 64-bit column holds at most ~9.2e16)."""
    text = (FIXTURES / "statement_1c.txt").read_bytes().decode("cp1251")
    return re.sub(r"Сумма=[\d.]+", f"Сумма={amount}", text, count=1).encode("cp1251")


def test_the_upload_refuses_a_garbage_file_with_a_message_and_writes_nothing(
    client, world, sign_in
):
    sign_in()
    before = Transaction.objects.count()

    responses = [
        act(
            client,
            "/staff/statements/upload/",
            {"tenant": world.tenant.code, "file": SimpleUploadedFile(name, content)},
        )
        for name, content in [
            ("garbage.bin", b"\x00\x01\x02garbage\xff\xfe"),
            ("statement.xml", b"<Document><BkToCstmrStmt><Stmt>"),
            ("statement.sta", b":20:ABC\r\n:25:4070\r\n:61:nonsense\r\n"),
            ("1c.txt", "1CClientBankExchange\r\nнеизвестно\r\n".encode("cp1251")),
            ("huge.txt", _one_c_with_amount("99999999999999999999.00")),
        ]
    ]
    no_file = act(client, "/staff/statements/upload/", {"tenant": world.tenant.code})

    for response in responses:
        assert response.redirect_chain == [("/staff/statements/", 302)]
        [message] = texts(response)
        assert "was not imported:" in message, message
    assert texts(responses[0]) == [
        "garbage.bin was not imported: unknown statement format (garbage.bin): expected "
        "camt.053/054 XML, MT940 or 1CClientBankExchange"
    ]
    assert "beyond any real payment" in texts(responses[-1])[0]
    assert texts(no_file) == ["Statement file: This field is required."]
    assert not StatementImport.objects.exists() and not BankCredit.objects.exists()
    assert Transaction.objects.count() == before
    assert_ledger_clean(world.tenant)


def test_the_upload_reports_what_was_matched_parked_and_already_imported(
    client, world, sign_in, monkeypatch
):
    """The parser is replaced by a statement made here: the page, the service and the message
    are under test, not the file formats."""
    account = world.accounts["VK-0002"]
    statement = Statement(
        format="camt.053",
        account=world.tenant.bank_account,
        statement_id="STMT-1",
        credits=(
            bank_credit(
                80_00, free_text=f"лицевой счёт {account.account_number}", payer_account=""
            ),
            bank_credit(45_00, free_text="подарок", payer_account=""),
        ),
        skipped=3,
    )
    monkeypatch.setattr(statements, "parse_statements", lambda data, filename: [statement])
    user = sign_in()

    first = act(
        client,
        "/staff/statements/upload/",
        {"tenant": world.tenant.code, "file": SimpleUploadedFile("jan.xml", b"<x/>")},
    )
    again = act(
        client,
        "/staff/statements/upload/",
        {"tenant": world.tenant.code, "file": SimpleUploadedFile("jan.xml", b"<x/>")},
    )
    page = client.get("/staff/statements/")

    assert texts(first) == ["jan.xml: 1 matched and posted, 1 in suspense, 0 already imported."]
    assert texts(again) == ["jan.xml: 0 matched and posted, 0 in suspense, 2 already imported."]
    assert Payment.objects.get().account == account
    parked = BankCredit.objects.get(status=CreditStatus.SUSPENSE)
    assert parked.amount == 45_00
    newest, oldest = StatementImport.objects.order_by("-pk")
    assert (newest.duplicates, oldest.matched, oldest.parked, oldest.skipped) == (2, 1, 1, 3)
    assert oldest.actor == user
    content = page.content.decode()
    assert content.index("STMT-1") > 0 and content.count("jan.xml") == 2
    assert user.username in content
    assert_ledger_clean(world.tenant)


def test_the_statements_list_shows_the_tenants_statements_only(client, world, sign_in):
    statement_of(world.tenant, filename="ours.xml")
    statement_of(TenantFactory(code="elsewhere"), filename="theirs.xml")
    sign_in(Role.COLLECTOR)

    response = client.get("/staff/statements/")

    assert response.status_code == 200
    assert "ours.xml" in response.text and "theirs.xml" not in response.text
    assert 'href="/staff/suspense/"' in response.text  # the nav
