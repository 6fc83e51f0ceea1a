"""The wallet's printed documents, checked as a reader would: the coupon's QR, rasterised and read
by zbar, is exactly its identifier; the batch file has a page per coupon; a RU coupon shows the
amount, fee and number in Russian; the funding instruction's QR is the profile's payment QR
without an amount; the statement's balances agree with the wallet and its XLSX holds numbers
that add up."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.documents.xlsx import MONEY_FORMAT
from invoicing.qr import gost_parse
from invoicing.references import format_reference
from tests.factories import TenantFactory
from tests.invoicing.test_rendering import pdf_info, pdf_text, printed_qr
from tests.splitting.helpers import assert_ledger_clean
from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.documents.coupons import coupon_pdf, coupons_pdf
from wallets.documents.funding import funding_instruction_pdf
from wallets.documents.statement_pdf import wallet_statement_pdf
from wallets.documents.statement_xlsx import wallet_statement_xlsx
from wallets.models import MovementKind
from wallets.selectors import wallet_statement
from wallets.services.coupons import coupon_cancel, coupon_redeem, coupons_issue, identifier_format
from wallets.services.payers import payer_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = coupon_world()
    fund(world, "50000.00")
    return world


@pytest.fixture
def busy(world):
    """Funded 50,000.00; three coupons of 1,500.00 issued, one cancelled, one used."""
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=3, actor=world.issuer)
    first, second, _ = batch.coupons.all()
    coupon_cancel(coupon=first, actor=world.issuer)
    coupon_redeem(coupon=second, case_reference="CASE-77", actor=world.clerk)
    return world


def _today(world):
    return timezone.localtime(timezone.now(), ZoneInfo(world.tenant.timezone)).date()


def test_the_qr_on_a_coupon_pdf_decodes_to_exactly_its_identifier(world, tmp_path):
    coupon = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    coupon = coupon.coupons.get()

    assert printed_qr(coupon_pdf(coupon), tmp_path) == coupon.identifier


def test_a_ru_coupon_prints_amount_fee_number_and_last_valid_day_in_russian(world, tmp_path):
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    coupon = batch.coupons.get()

    text = pdf_text(coupon_pdf(coupon), tmp_path)

    issued = timezone.localtime(coupon.issued_at, ZoneInfo("Europe/Moscow")).date()
    last_day = issued + timedelta(days=world.fee.validity_days)
    for expected in (
        "Платёжный купон",
        "1 500,00 ₽",
        "Vehicle registration",
        identifier_format(coupon.identifier),
        "ООО Лизинг-Плюс",
        "ИНН 7701234567",
        "Registration office 1",
        f"Действителен по (включительно) {last_day:%d.%m.%Y}",
    ):
        assert expected in text


def test_a_batch_pdf_has_one_page_per_coupon_in_order(world, tmp_path):
    batch = coupons_issue(wallet=world.wallet, fee=world.own_fee, count=3, actor=world.issuer)
    coupons = list(batch.coupons.all())

    pdf = coupons_pdf(batch.coupons.all())

    assert pdf_info(pdf, tmp_path)["Pages"].strip() == "3"
    assert identifier_format(coupons[1].identifier) in pdf_text(pdf, tmp_path, page=2)


def test_the_ru_funding_instruction_has_a_gost_qr_without_amount_quoting_the_reference(
    world, tmp_path
):
    reference = world.wallet.funding_reference
    pdf = funding_instruction_pdf(world.wallet)

    fields = gost_parse(printed_qr(pdf, tmp_path))
    assert "Sum" not in fields
    assert reference in fields["Purpose"]
    assert (fields["PayeeINN"], fields["PersonalAcc"]) == (
        world.tenant.inn,
        world.tenant.bank_account,
    )
    text = pdf_text(pdf, tmp_path)
    assert format_reference(reference) in text
    assert world.tenant.bank_account in text


def test_the_sepa_funding_instruction_has_an_epc_qr_with_the_rf_reference_and_no_amount(
    tmp_path,
):
    tenant = TenantFactory(sepa=True)
    payer = payer_create(tenant=tenant, name="Autohaus Müller GmbH", tax_id="DE1", actor=None)
    wallet = payer.wallets.get()

    lines = printed_qr(funding_instruction_pdf(wallet), tmp_path).split("\n")

    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert (lines[6], lines[7], lines[9]) == (tenant.iban, "", wallet.funding_reference)


def test_the_statement_balances_agree_with_the_wallet_and_the_period_before_and_after(busy):
    wallet = busy.refresh()
    today = _today(busy)

    statement = wallet_statement(wallet, today - timedelta(days=1), today)
    later = wallet_statement(wallet, today + timedelta(days=1), today + timedelta(days=7))

    assert (statement.opening_available, statement.opening_blocked) == (0, 0)
    assert (statement.closing_available, statement.closing_blocked) == (
        wallet.available,
        wallet.blocked,
    )
    assert [line.kind for line in statement.lines] == [
        MovementKind.FUNDING,
        MovementKind.BLOCK,
        MovementKind.RELEASE,
        MovementKind.REDEEM,
    ]
    totals = {total.kind: (total.count, total.coupons, total.amount) for total in statement.totals}
    assert totals == {
        MovementKind.FUNDING: (1, 0, 5_000_000),
        MovementKind.BLOCK: (1, 3, 450_000),
        MovementKind.RELEASE: (1, 1, 150_000),
        MovementKind.REDEEM: (1, 1, 150_000),
    }
    assert (later.opening_available, later.opening_blocked, later.lines) == (
        wallet.available,
        wallet.blocked,
        (),
    )
    assert_ledger_clean(busy.tenant)


def test_the_statement_pdf_shows_the_movements_and_closing_balance(busy, tmp_path):
    today = _today(busy)

    text = pdf_text(wallet_statement_pdf(busy.wallet, today, today), tmp_path)

    assert "Выписка по кошельку" in text
    assert "CASE-77" in text
    assert "47 000,00" in text  # closing available: 50,000 − 3 × 1,500 + 1,500 released


def test_the_statement_xlsx_holds_numbers_that_add_up_to_the_closing_balances(busy):
    wallet = busy.refresh()
    today = _today(busy)

    sheet = load_workbook(BytesIO(wallet_statement_xlsx(wallet, today, today))).active
    rows = list(sheet.iter_rows(min_row=8, max_col=7))
    opening_row = rows[0]
    closing_index = next(n for n, row in enumerate(rows) if row[1].value == "Остаток на конец")
    movements, closing = rows[1:closing_index], rows[closing_index]

    assert len(movements) == 4
    for row in [opening_row, *movements, closing]:
        for cell in row[3:7]:
            if cell.value is not None:
                assert isinstance(cell.value, int | float)
                assert cell.number_format == MONEY_FORMAT

    def total(column: int) -> Decimal:
        return sum((Decimal(str(row[column].value or 0)) for row in movements), Decimal(0))

    assert Decimal(str(closing[5].value)) == Decimal(wallet.available) / 100
    assert Decimal(str(closing[6].value)) == Decimal(wallet.blocked) / 100
    assert Decimal(str(opening_row[5].value)) + total(3) == Decimal(str(closing[5].value))
    assert Decimal(str(opening_row[6].value)) + total(4) == Decimal(str(closing[6].value))
    assert Decimal(str(movements[-1][5].value)) == Decimal(str(closing[5].value))
