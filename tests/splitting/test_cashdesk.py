"""The cash desk: a cashier opens a shift, finds the payer's account (number, a bill's
reference, the bill's payment QR scanned), takes cash with change or a card, prints the
receipt, and closes the shift with the cash counted — through the pages, as a cashier does."""

import re
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from invoicing import qr
from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.qr_scan import payload_scan
from invoicing.references import qrr_reference, rf_reference
from splitting.channels.cashdesk import (
    CashDeskError,
    account_find,
    cash_payment_take,
    shift_close,
    shift_open,
)
from splitting.channels.cashdesk_selectors import shift_totals
from splitting.core.reversals import payment_reverse
from splitting.models import CashDeskPayment, CashShift, Payment, ShiftStatus
from tests.factories import AccountFactory, MembershipFactory, TenantFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import assert_ledger_clean, charges
from warehouse.models import AuditEvent, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

PERIOD = "2026-12"
SENDS = 4


@pytest.fixture
def bills(world):
    """December billed and closed: 00000001 owes vodokanal 140.00 and teplo 60.00, 00000002
    owes vodokanal 80.00; each has its issued payment document."""
    charges(world, PERIOD, water={"VK-0001": "140.00", "VK-0002": "80.00"})
    charges(world, PERIOD, heat={"VK-0001": "60.00"})
    month_end_close(tenant=world.tenant, period=PERIOD)
    return world


@pytest.fixture
def cashier(client, world):
    user = UserFactory(first_name="Анна", last_name="Кассирова")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(user)
    return user


def document_of(world, number: str) -> PaymentDocument:
    return PaymentDocument.objects.get(
        account=world.accounts[number], period=PERIOD, status=DocumentStatus.ISSUED
    )


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def open_shift(client, opening: str = "1000.00") -> CashShift:
    response = client.post("/staff/cashdesk/shift/open/", {"opening_cash": opening})
    assert response.status_code == 302, response.content.decode()
    return CashShift.objects.get(status=ShiftStatus.OPEN)


def payment_form(client, query: str) -> dict[str, str]:
    """The desk page's payment form for the account `query` finds, as the browser sends it."""
    page = client.get("/staff/cashdesk/", {"q": query}).content.decode()
    form = re.search(r'<form[^>]*action="/staff/cashdesk/pay/".*?</form>', page, re.S).group(0)
    values = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    values["amount"] = re.search(r'name="amount" value="([^"]*)"', form).group(1)
    return values


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (make test does)")
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


# --- finding the account ------------------------------------------------------------------------


def test_an_account_is_found_by_number_reference_and_scanned_gost_qr(bills, client, cashier):
    document = document_of(bills, "VK-0001")
    account = bills.accounts["VK-0001"]

    by_number = account_find(tenant=bills.tenant, query=" 00000001 ")
    by_reference = account_find(tenant=bills.tenant, query=document.reference)
    by_qr = account_find(tenant=bills.tenant, query=document.qr_payload)
    by_supplier_number = account_find(tenant=bills.tenant, query="VK-0001")

    assert document.qr_payload.startswith("ST00012|")
    assert (by_number.account, by_number.found_by, by_number.document_reference) == (
        account,
        "account_number",
        "",
    )
    assert (by_reference.account, by_reference.document_reference) == (account, document.reference)
    assert (by_qr.account, by_qr.found_by, by_qr.document_reference) == (
        account,
        "qr",
        document.reference,
    )
    assert by_supplier_number.account == account
    assert account_find(tenant=bills.tenant, query="99999999") is None
    assert account_find(tenant=bills.tenant, query="") is None
    # The page: a scanned QR shows the payer, the address, the debt per supplier, the total.
    open_shift(client)
    page = client.get("/staff/cashdesk/", {"q": document.qr_payload}).content.decode()
    assert "Плательщик 1" in page and str(account.premises) in page
    assert "АО «Водоканал»" in page and "ИП Теплов Пётр Андреевич" in page
    assert "200,00\u00a0₽" in page  # the total due, the payment form's default is the same
    assert 'name="amount" value="200.00"' in page
    assert f'name="document_reference" value="{document.reference}"' in page
    missing = client.get("/staff/cashdesk/", {"q": "12345"}).content.decode()
    assert "No account of this tenant is found" in missing


def test_a_gost_qr_without_a_reference_finds_the_account_and_the_bill_of_its_period(bills):
    document = document_of(bills, "VK-0002")
    payee = qr.GostPayee(
        name="ООО «РЦ»",
        personal_acc="40702810238720001420",
        bank_name="ПАО Сбербанк",
        bic="044525225",
        corresp_acc="0",
        payee_inn="7707083893",
        kpp="0",
    )
    payload = qr.gost_payload(
        payee, sum_minor=8000, purpose="Оплата ЖКУ", pers_acc="00000002", paym_period="122026"
    )

    found = account_find(tenant=bills.tenant, query=payload)

    assert found.account == bills.accounts["VK-0002"]
    assert found.document_reference == document.reference


def test_epc_and_swiss_payloads_give_their_reference():
    rf, qrr = rf_reference("00000001", PERIOD), qrr_reference("12345678", PERIOD)
    epc = qr.epc_payload(
        bic="COBADEFFXXX",
        name="Stadtwerke",
        iban="DE89370400440532013000",
        amount_minor=1234,
        reference=rf,
    )
    swiss = qr.swiss_payload(
        iban="CH4431999123000889012",
        creditor=qr.SwissAddress("Energie AG", "8001", "Zürich", "CH", "Bahnhofstr.", "1"),
        amount_minor=5000,
        currency="CHF",
        debtor=None,
        reference_type="QRR",
        reference=qrr,
        message=None,
    )

    scanned_epc, scanned_swiss = payload_scan(epc), payload_scan(swiss)

    assert (scanned_epc.format, scanned_epc.reference) == ("epc", rf)
    assert (scanned_epc.account_number, scanned_epc.period) == ("00000001", PERIOD)
    assert (scanned_swiss.format, scanned_swiss.reference) == ("swiss", qrr)
    assert (scanned_swiss.account_number, scanned_swiss.period) == ("12345678", PERIOD)
    assert payload_scan("00000001") is None
    assert payload_scan("BCD\n002\n1\nSCT\n\nX\nDE89370400440532013000\nEUR1\n\nRF00BAD") == (
        payload_scan("BCD")
    )


# --- taking payments ----------------------------------------------------------------------------


def test_a_cash_payment_with_change_is_split_to_the_suppliers(bills, client, cashier):
    shift = open_shift(client)
    values = payment_form(client, "00000001")

    response = client.post(
        "/staff/cashdesk/pay/", {**values, "method": "cash", "tendered": "250"}, follow=True
    )

    payment = Payment.objects.get()
    desk = CashDeskPayment.objects.get()
    page = response.content.decode()
    assert response.redirect_chain == [(f"/staff/cashdesk/payments/{payment.pk}/", 302)]
    assert (payment.channel, payment.amount, payment.account) == (
        "cash_desk",
        200_00,
        bills.accounts["VK-0001"],
    )
    assert payment.external_id == f"desk:{shift.pk}:{values['token']}"
    assert (desk.shift, desk.method, desk.tendered, desk.change) == (shift, "cash", 250_00, 50_00)
    assert "Change to give" in page and "50,00\u00a0₽" in page
    assert "АО «Водоканал»" in page and "140,00\u00a0₽" in page and "60,00\u00a0₽" in page
    assert "200,00\u00a0₽ taken for account 00000001" in page and texts(response) == []
    event = AuditEvent.objects.get(action="cashdesk.payment_taken")
    assert event.actor == cashier and event.detail["change"] == 50_00
    assert AuditEvent.objects.filter(action="cashdesk.shift_opened", actor=cashier).exists()
    assert_ledger_clean(bills.tenant)


def test_a_form_sent_twice_takes_one_payment(bills, client, cashier):
    open_shift(client)
    values = {**payment_form(client, "00000001"), "method": "cash", "tendered": "200.00"}

    first = client.post("/staff/cashdesk/pay/", values, follow=True)
    second = client.post("/staff/cashdesk/pay/", values, follow=True)

    payment = Payment.objects.get()
    assert CashDeskPayment.objects.count() == 1
    assert first.redirect_chain == second.redirect_chain
    assert second.redirect_chain == [(f"/staff/cashdesk/payments/{payment.pk}/", 302)]
    assert texts(second) == ["This form was sent before: this is the payment it took."]
    assert AuditEvent.objects.filter(action="cashdesk.payment_taken").count() == 1
    assert_ledger_clean(bills.tenant)


def test_a_card_payment_for_a_bill_pays_that_bill(bills, client, cashier):
    open_shift(client)
    document = document_of(bills, "VK-0002")
    values = payment_form(client, document.reference)

    client.post("/staff/cashdesk/pay/", {**values, "amount": "30,00", "method": "card"})

    desk = CashDeskPayment.objects.select_related("payment").get()
    assert (desk.method, desk.tendered, desk.change, desk.amount) == ("card", None, 0, 30_00)
    assert desk.payment.document_reference == document.reference
    assert desk.payment.account == bills.accounts["VK-0002"]
    assert_ledger_clean(bills.tenant)


def test_less_cash_than_the_amount_is_refused_and_nothing_is_booked(bills, client, cashier):
    open_shift(client)
    values = payment_form(client, "00000001")

    response = client.post(
        "/staff/cashdesk/pay/", {**values, "method": "cash", "tendered": "150.00"}
    )

    assert response.status_code == 200
    assert "Less than the amount." in response.content.decode()
    assert Payment.objects.count() == 0 and CashDeskPayment.objects.count() == 0


def test_the_receipt_is_a_pdf_with_the_amount_the_account_and_the_split(
    bills, client, cashier, tmp_path
):
    open_shift(client)
    values = payment_form(client, "00000001")
    client.post("/staff/cashdesk/pay/", {**values, "method": "cash", "tendered": "250.00"})
    payment = Payment.objects.get()

    response = client.get(f"/staff/cashdesk/payments/{payment.pk}/receipt.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "Квитанция об оплате" in text  # Cyrillic, with the DejaVu fonts
    assert "00000001" in text and "Плательщик 1" in text
    assert "200,00" in text and "250,00" in text and "50,00" in text
    assert "Кассирова" in text and str(payment.pk) in text
    assert "АО «Водоканал», 2026-12" in text and "140,00" in text


def test_closing_the_shift_computes_the_difference_and_gives_the_report(
    bills, client, cashier, tmp_path
):
    shift = open_shift(client, "1000.00")
    cash = payment_form(client, "00000001")
    client.post("/staff/cashdesk/pay/", {**cash, "method": "cash", "tendered": "250.00"})
    card = payment_form(client, "00000002")
    client.post("/staff/cashdesk/pay/", {**card, "method": "card"})

    form = client.get("/staff/cashdesk/shift/close/")
    response = client.post(
        "/staff/cashdesk/shift/close/",
        {
            "counted_cash": "1190.00",
            "reason": "a change error in the morning",
            "seen_difference": "-1000",
            "confirm": "yes",
        },
        follow=True,
    )

    shift.refresh_from_db()
    page = response.content.decode()
    assert form.status_code == 200 and "1\u00a0200,00\u00a0₽" in form.content.decode()
    assert response.redirect_chain == [(f"/staff/cashdesk/shifts/{shift.pk}/", 302)]
    assert (shift.status, shift.closing_cash_counted) == (ShiftStatus.CLOSED, 1190_00)
    assert shift.closed_at is not None
    assert texts(response) == [f"Shift #{shift.pk} is closed. The drawer is short by 10,00\u00a0₽."]
    assert "−10,00\u00a0₽" in page  # the difference, with a real minus sign
    assert "80,00\u00a0₽" in page  # the card payment, not in the drawer
    event = AuditEvent.objects.get(action="cashdesk.shift_closed")
    assert event.actor == cashier
    assert (event.detail["expected_cash"], event.detail["difference"]) == (1200_00, -10_00)
    pdf = client.get(f"/staff/cashdesk/shifts/{shift.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    assert "Отчёт о закрытии смены" in text
    assert "1 200,00" in text and "1 190,00" in text and "−10,00" in text
    assert "платежей: 1" in text
    # Closed: the desk asks for a new shift; a second close lands on the report.
    assert "Open a shift" in client.get("/staff/cashdesk/").content.decode()
    again = client.post("/staff/cashdesk/shift/close/", {"counted_cash": "1.00"})
    assert again.url == f"/staff/cashdesk/shifts/{shift.pk}/"
    assert_ledger_clean(bills.tenant)


def test_cash_handed_back_for_a_reversal_leaves_the_drawer_only_while_the_shift_is_open(
    bills, client, cashier
):
    shift = shift_open(tenant=bills.tenant, cashier=cashier, opening_cash=500_00)
    account = bills.accounts["VK-0001"]
    first = cash_payment_take(shift=shift, account=account, amount=100_00, method="cash")
    second = cash_payment_take(shift=shift, account=account, amount=40_00, method="cash")
    card = cash_payment_take(shift=shift, account=account, amount=25_00, method="card")

    payment_reverse(payment=first.desk_payment.payment, reason="wrong account")
    payment_reverse(payment=card.desk_payment.payment, reason="card refund")
    open_totals = shift_totals(shift)
    desk = client.get("/staff/cashdesk/").content.decode()
    totals = shift_close(shift=shift, counted_cash=540_00)
    payment_reverse(payment=second.desk_payment.payment, reason="after the close")
    shift.refresh_from_db()
    later = shift_totals(shift)

    assert (open_totals.cash_returned, open_totals.returned_count) == (100_00, 1)
    assert open_totals.expected == 500_00 + 140_00 - 100_00
    assert "handed back (1 reversal)" in desk
    assert (totals.expected, totals.difference) == (540_00, 0)
    assert (later.expected, later.cash_returned) == (540_00, 100_00)  # the late one: no cash moved
    report = client.get(f"/staff/cashdesk/shifts/{shift.pk}/").content.decode()
    assert "Handed back for a reversal (1 payment)" in report
    assert_ledger_clean(bills.tenant)


def test_one_open_shift_per_cashier(bills, cashier):
    shift_open(tenant=bills.tenant, cashier=cashier, opening_cash=0)

    with pytest.raises(CashDeskError):
        shift_open(tenant=bills.tenant, cashier=cashier, opening_cash=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        CashShift.objects.create(
            tenant=bills.tenant, cashier=cashier, opened_at=timezone.now(), opening_cash=0
        )


def test_a_closed_shift_takes_no_payment(bills, cashier):
    shift = shift_open(tenant=bills.tenant, cashier=cashier, opening_cash=0)
    shift_close(shift=shift, counted_cash=0)

    with pytest.raises(CashDeskError, match="closed"):
        cash_payment_take(shift=shift, account=bills.accounts["VK-0001"], amount=100, method="cash")
    assert Payment.objects.count() == 0


def test_the_desk_and_the_report_take_a_fixed_number_of_queries(
    bills, client, cashier, django_assert_max_num_queries
):
    shift = shift_open(tenant=bills.tenant, cashier=cashier, opening_cash=0)
    for number in ["VK-0001", "VK-0002", "VK-0003", "VK-0004", "VK-0005"] * 2:
        cash_payment_take(shift=shift, account=bills.accounts[number], amount=1_00, method="cash")

    with django_assert_max_num_queries(16):
        desk = client.get("/staff/cashdesk/", {"q": "00000001"})
    with django_assert_max_num_queries(11):
        report = client.get(f"/staff/cashdesk/shifts/{shift.pk}/")

    assert desk.content.decode().count("/receipt.pdf") == 10
    assert report.content.decode().count("/receipt.pdf") == 10


# --- who may ------------------------------------------------------------------------------------


def test_a_collector_gets_403(bills, client):
    accountant = UserFactory()
    MembershipFactory(user=accountant, tenant=bills.tenant, role=Role.ACCOUNTANT)
    shift = shift_open(tenant=bills.tenant, cashier=accountant, opening_cash=0)
    taken = cash_payment_take(
        shift=shift, account=bills.accounts["VK-0001"], amount=100_00, method="cash"
    )
    collector = UserFactory()
    MembershipFactory(user=collector, tenant=bills.tenant, role=Role.COLLECTOR)
    client.force_login(collector)
    pk = taken.desk_payment.payment_id

    assert client.get("/staff/cashdesk/").status_code == 403
    assert client.post("/staff/cashdesk/shift/open/", {"opening_cash": "1"}).status_code == 403
    assert client.get(f"/staff/cashdesk/payments/{pk}/receipt.pdf").status_code == 403
    assert client.get(f"/staff/cashdesk/shifts/{shift.pk}/").status_code == 403
    assert CashShift.objects.count() == 1


def test_another_tenants_receipt_and_report_are_not_found(bills, client, cashier):
    other = TenantFactory(code="elsewhere")
    stranger = UserFactory()
    MembershipFactory(user=stranger, tenant=other, role=Role.ACCOUNTANT)
    shift = shift_open(tenant=other, cashier=stranger, opening_cash=0)
    account = AccountFactory(tenant=other)
    taken = cash_payment_take(shift=shift, account=account, amount=5_00, method="card")

    receipt = client.get(f"/staff/cashdesk/payments/{taken.desk_payment.payment_id}/receipt.pdf")

    assert receipt.status_code == 404
    assert client.get(f"/staff/cashdesk/shifts/{shift.pk}/").status_code == 404


def test_the_admin_lists_the_cash_desk_rows_of_the_users_tenants_only(bills, client, cashier):
    other = TenantFactory(code="elsewhere")
    stranger = UserFactory()
    MembershipFactory(user=stranger, tenant=other, role=Role.ACCOUNTANT)
    theirs = shift_open(tenant=other, cashier=stranger, opening_cash=0)
    cash_payment_take(
        shift=theirs, account=AccountFactory(tenant=other), amount=7_00, method="card"
    )
    ours = shift_open(tenant=bills.tenant, cashier=cashier, opening_cash=0)
    cash_payment_take(shift=ours, account=bills.accounts["VK-0001"], amount=9_00, method="card")
    cashier.is_staff = True
    cashier.save(update_fields=["is_staff"])

    shifts = client.get("/admin/splitting/cashshift/")
    payments = client.get("/admin/splitting/cashdeskpayment/")

    assert [row.pk for row in shifts.context["cl"].result_list] == [ours.pk]
    assert [row.amount for row in payments.context["cl"].result_list] == [9_00]
    assert client.get(f"/admin/splitting/cashshift/{theirs.pk}/change/").status_code == 302
    assert client.get("/admin/splitting/checkout/").status_code == 200
    assert client.get("/admin/splitting/paymentrequest/").status_code == 200


# --- on PostgreSQL, with real threads -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_form_sent_from_many_threads_at_once_takes_one_payment(postgres, world):
    charges(world, PERIOD, water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    user = UserFactory()
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    shift = shift_open(tenant=world.tenant, cashier=user, opening_cash=0)
    account = world.accounts["VK-0001"]
    barrier = threading.Barrier(SENDS)

    def send(_) -> tuple[int, bool]:
        try:
            barrier.wait()
            outcome = cash_payment_take(
                shift=shift,
                account=account,
                amount=200_00,
                method="cash",
                tendered=250_00,
                token="f" * 32,
            )
            return outcome.desk_payment.payment_id, outcome.created
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=SENDS) as pool:
        results = list(pool.map(send, range(SENDS)))

    assert len({payment for payment, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Payment.objects.count() == 1 and CashDeskPayment.objects.count() == 1
    assert AuditEvent.objects.filter(action="cashdesk.payment_taken").count() == 1
    assert_ledger_clean(world.tenant)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_racing_the_shift_close_is_not_booked(postgres, world):
    """The close holds the shift's row lock while the payment, already past its first check,
    waits for it; once the close commits, the payment finds the shift closed and rolls back."""
    charges(world, PERIOD, water={"VK-0001": "140.00"})
    user = UserFactory()
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    shift = shift_open(tenant=world.tenant, cashier=user, opening_cash=0)
    closing, paid = threading.Event(), []

    def close() -> None:
        try:
            with transaction.atomic():
                CashShift.objects.select_for_update().get(pk=shift.pk)
                closing.set()
                _wait_for_a_lock_wait()
                CashShift.objects.filter(pk=shift.pk).update(
                    status=ShiftStatus.CLOSED, closed_at=timezone.now(), closing_cash_counted=0
                )
        finally:
            connections.close_all()

    def pay() -> None:
        try:
            closing.wait(60)
            cash_payment_take(
                shift=shift, account=world.accounts["VK-0001"], amount=100_00, method="cash"
            )
        except CashDeskError as refused:
            paid.append(refused.code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(close), pool.submit(pay)]:
            future.result()

    assert paid == ["shift_closed"]
    assert Payment.objects.count() == 0 and CashDeskPayment.objects.count() == 0
    assert_ledger_clean(world.tenant)


def _wait_for_a_lock_wait() -> None:
    """Until another session waits on a lock (the payment, blocked on the shift's row). The
    statistics snapshot is cleared each time: it is otherwise kept for the whole transaction."""
    import time

    with connections["default"].cursor() as cursor:
        for _ in range(1200):  # a minute at most: a loaded machine may be slow to get there
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the payment never waited for the shift's lock")
