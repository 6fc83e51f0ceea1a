"""The accounting export of a tenant's month: the general journal, the account turnover and the
trial balance (XLSX, CSV) tie to the ledger's entries; the commission act (DOCX, PDF) to the
supplier's registries; the 1C file carries the month's payouts. The world: October with charges,
a payment and a payout (the opening balances), November with a payment at 00:30 on the 1st in
Moscow (still October in UTC), charges, payments, payouts and a reversal of money already paid
out, December with one more payment (after the period)."""

import csv
import io
import subprocess
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import Client
from django.utils import translation
from docx import Document

from core.errors import ApplicationError
from core.money import format_currency
from integrations.settlement.one_c import one_c_amount, read_1c
from integrations.settlement.one_c_operations import BankOperation, operations_1c
from integrations.settlement.types import Party
from splitting.core.ledger_check import ledger_totals
from splitting.core.reversals import payment_reverse
from splitting.models import Entry, Payout, Registry, Transaction
from splitting.settlement import accounting
from splitting.settlement.accounting_files import accounting_file
from splitting.settlement.commission_act_files import commission_act_file
from splitting.settlement.payouts import payout_create
from splitting.settlement.registries import registries_build
from tests.factories import MembershipFactory, TenantFactory
from tests.splitting.helpers import assert_ledger_clean, charges, pay
from warehouse.models import Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
NOVEMBER = "2026-11"


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=MOSCOW)


def _settle(world, day) -> list[Payout]:
    """Builds the day's registries and pays out each that nets above zero."""
    payouts = []
    for registry in registries_build(tenant=world.tenant, day=day):
        if registry.net > 0:
            payout = payout_create(registry=registry)
            if payout is not None:
                payouts.append(payout)
    return payouts


@pytest.fixture
def months(world, clock):
    """October, November and early December of the world; returns the world with `late` (the
    payment at 00:30 on 1 November) and `reversed_payment`."""
    clock.move_to(_at(2026, 10, 15, 12, 0))
    charges(
        world,
        "2026-10",
        water={"VK-0001": "140.00", "VK-0002": "80.00"},
        heat={"VK-0001": "60.00"},
    )
    pay(world, "VK-0001", 20_000)
    _settle(world, _at(2026, 10, 15, 12, 0).date())

    clock.move_to(_at(2026, 11, 1, 0, 30))  # 31 October 21:30 UTC
    world.late = pay(world, "VK-0002", 5_000)

    clock.move_to(_at(2026, 11, 10, 12, 0))
    charges(
        world,
        NOVEMBER,
        water={"VK-0001": "150.00", "VK-0002": "90.00", "VK-0003": "70.00"},
        heat={"VK-0002": "55.00", "VK-0003": "45.00"},
    )
    pay(world, "VK-0001", 15_000)
    reversed_payment = pay(world, "VK-0003", 11_500)
    pay(world, "VK-0002", 3_000)
    _settle(world, _at(2026, 11, 10, 12, 0).date())

    clock.move_to(_at(2026, 11, 12, 12, 0))
    payment_reverse(payment=reversed_payment, reason="returned by the bank")
    pay(world, "VK-0001", 2_000)
    _settle(world, _at(2026, 11, 12, 12, 0).date())

    clock.move_to(_at(2026, 12, 2, 12, 0))
    pay(world, "VK-0002", 1_000)
    world.reversed_payment = reversed_payment
    return world


def _ledger_by_code(tenant, start, end) -> dict[str, tuple[int, int, int, int]]:
    """Independently of the export: code → (opening, debit, credit, closing) from the rows."""
    figures = defaultdict(lambda: [0, 0, 0])
    entries = Entry.objects.filter(ledger_account__tenant=tenant).select_related(
        "transaction", "ledger_account"
    )
    for entry in entries:
        at, row = entry.transaction.posted_at, figures[entry.ledger_account.code]
        if at < start:
            row[0] += entry.amount
        elif at < end:
            row[1 if entry.amount > 0 else 2] += abs(entry.amount)
    return {
        code: (o, d, c, o + d - c) for code, (o, d, c) in figures.items() if (o, d, c) != (0, 0, 0)
    }


def _minor(value) -> int:
    """A number read back from a file (float from XLSX, text from CSV) → minor units."""
    return int((Decimal(str(value)) * 100).to_integral_value())


# --- the period ----------------------------------------------------------------------------------


def test_a_period_is_the_month_in_the_tenants_time_zone(world):
    period = accounting.period_of(world.tenant, "2026-11")

    assert (period.first_day.isoformat(), period.last_day.isoformat()) == (
        "2026-11-01",
        "2026-11-30",
    )
    assert period.start == _at(2026, 11, 1) and period.end == _at(2026, 12, 1)
    with pytest.raises(ApplicationError) as refused:
        accounting.period_of(world.tenant, "2026-13")
    assert refused.value.code == "bad_period"


def test_a_booking_at_half_past_midnight_on_the_first_is_the_new_months(months):
    world = months
    late = set(Transaction.objects.filter(payment=world.late).values_list("pk", flat=True))

    november = accounting.journal_lines(
        tenant=world.tenant, period=accounting.period_of(world.tenant, NOVEMBER)
    )
    october = accounting.journal_lines(
        tenant=world.tenant, period=accounting.period_of(world.tenant, "2026-10")
    )

    assert late and late <= {line.transaction_id for line in november}
    assert not late & {line.transaction_id for line in october}


# --- turnover and the trial balance --------------------------------------------------------------


def test_the_trial_balance_ties_to_the_ledgers_entries(months):
    world = months
    period = accounting.period_of(world.tenant, NOVEMBER)
    expected = _ledger_by_code(world.tenant, period.start, period.end)

    balance = accounting.trial_balance(tenant=world.tenant, period=period)

    got = {row.code: (row.opening, row.debit, row.credit, row.closing) for row in balance.rows}
    assert got == expected
    assert any(code.startswith("recoverable:") for code in got)  # the reversal after a payout
    assert balance.balanced
    in_period = Entry.objects.filter(
        transaction__tenant=world.tenant,
        transaction__posted_at__gte=period.start,
        transaction__posted_at__lt=period.end,
    )
    debits = in_period.filter(amount__gt=0).aggregate(t=Sum("amount"))["t"]
    assert balance.debit == balance.credit == debits
    opening = sum(o for o, _, _, _ in expected.values() if o > 0)
    closing = sum(c for _, _, _, c in expected.values() if c > 0)
    assert (balance.opening_debit, balance.opening_credit) == (opening, opening)
    assert (balance.closing_debit, balance.closing_credit) == (closing, closing)


def test_the_last_months_closing_balances_are_check_ledgers_totals(months):
    world = months
    december = accounting.period_of(world.tenant, "2026-12")

    rows = accounting.turnovers(tenant=world.tenant, period=december)

    totals = ledger_totals(world.tenant, "", "ledger_account__code")
    assert {row.code: row.closing for row in rows if row.closing} == {
        code: total for (code,), total in totals.items() if total
    }
    november = accounting.turnovers(
        tenant=world.tenant, period=accounting.period_of(world.tenant, NOVEMBER)
    )
    closing = {row.code: row.closing for row in november}
    assert {row.code: row.opening for row in rows if row.opening} == {
        code: amount for code, amount in closing.items() if amount
    }
    assert_ledger_clean(world.tenant)


def test_the_turnover_reads_the_ledger_in_three_queries(months, django_assert_num_queries):
    world = months
    period = accounting.period_of(world.tenant, NOVEMBER)

    with django_assert_num_queries(3):  # the entries' sums, the accounts' codes, the suppliers
        rows = accounting.turnovers(tenant=world.tenant, period=period)

    assert len(rows) > 8


def test_ledger_accounts_have_human_names(world):
    suppliers = {world.supplier.pk: "АО «Водоканал»"}

    with translation.override("en"):
        names = [
            accounting.ledger_account_name(code, suppliers)
            for code in (
                f"payable:{world.supplier.pk}",
                f"recoverable:{world.supplier.pk}",
                f"receivable:{world.supplier.pk}",
                "clearing:bank",
                "commission",
                "wallet:7",
            )
        ]

    assert names == [
        "Payable to АО «Водоканал»",
        "Recoverable from АО «Водоканал»",
        "Receivable from residents for АО «Водоканал»",
        "Clearing: Bank transfer",
        "Commission income",
        "wallet:7",
    ]


# --- the files of the tables ---------------------------------------------------------------------


def test_the_trial_balance_xlsx_and_csv_read_back_with_the_ledgers_figures(months):
    world = months
    period = accounting.period_of(world.tenant, NOVEMBER)
    expected = _ledger_by_code(world.tenant, period.start, period.end)

    xlsx = accounting_file(
        tenant=world.tenant, period=NOVEMBER, name="trial-balance", file_format="xlsx"
    )
    text = accounting_file(
        tenant=world.tenant, period=NOVEMBER, name="trial-balance", file_format="csv"
    )

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    from_xlsx = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == 8  # the header
    for table in (from_xlsx, rows[1:]):
        *accounts, total = table
        got = {}
        for code, _name, *amounts in accounts:
            od, oc, d, c, cd, cc = (_minor(a) for a in amounts)
            got[code] = (od - oc, d, c, cd - cc)
        assert got == expected
        totals = [_minor(a) for a in total[2:]]
        assert totals[0] == totals[1] and totals[2] == totals[3] and totals[4] == totals[5]
        assert totals[2] == sum(d for _, d, _, _ in expected.values())
    assert xlsx.filename == f"{world.tenant.code}-{NOVEMBER}-trial-balance.xlsx"


def test_the_journal_lists_every_entry_of_the_period_once(months):
    world = months
    period = accounting.period_of(world.tenant, NOVEMBER)
    entries = Entry.objects.filter(
        transaction__tenant=world.tenant,
        transaction__posted_at__gte=period.start,
        transaction__posted_at__lt=period.end,
    )

    text = accounting_file(tenant=world.tenant, period=NOVEMBER, name="journal", file_format="csv")
    xlsx = accounting_file(tenant=world.tenant, period=NOVEMBER, name="journal", file_format="xlsx")

    header, *rows = csv.reader(io.StringIO(text.content.decode("utf-8-sig")), delimiter=";")
    assert len(header) == 10 and len(rows) == entries.count()
    assert sum(_minor(row[6]) for row in rows) == sum(_minor(row[7]) for row in rows)
    assert sum(_minor(row[6]) - _minor(row[7]) for row in rows) == 0
    assert {row[8] for row in rows} >= {"00000001", "00000002", "00000003"}
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    debits = [row[6].value for row in sheet.iter_rows(min_row=3)]
    assert (
        sum(_minor(v) for v in debits)
        == entries.filter(amount__gt=0).aggregate(t=Sum("amount"))["t"]
    )


def test_the_turnover_csv_has_a_row_per_account_with_its_movement(months):
    world = months
    period = accounting.period_of(world.tenant, NOVEMBER)
    expected = _ledger_by_code(world.tenant, period.start, period.end)

    text = accounting_file(tenant=world.tenant, period=NOVEMBER, name="turnover", file_format="csv")

    _header, *rows = csv.reader(io.StringIO(text.content.decode("utf-8-sig")), delimiter=";")
    assert {row[0]: tuple(_minor(v) for v in row[2:]) for row in rows} == expected


# --- the commission act --------------------------------------------------------------------------


def test_the_commission_act_adds_up_the_suppliers_registries_of_the_month(months):
    world = months
    period = accounting.period_of(world.tenant, NOVEMBER)
    registries = Registry.objects.filter(
        supplier=world.supplier, day__gte=period.first_day, day__lte=period.last_day
    )
    sums = registries.aggregate(g=Sum("gross"), c=Sum("commission"), n=Sum("net"))

    act = accounting.commission_act(tenant=world.tenant, supplier=world.supplier, period=period)

    assert (act.gross, act.commission, act.net) == (sums["g"], sums["c"], sums["n"])
    assert [r.number for r in act.registries] == list(
        registries.order_by("day").values_list("number", flat=True)
    )
    october = Registry.objects.get(supplier=world.supplier, day__month=10)
    assert october.number not in [r.number for r in act.registries]
    assert act.number == f"A202611-{world.tenant.pk}-{world.supplier.pk}"
    assert act.issued_on == period.last_day


def test_the_commission_act_files_print_its_figures_in_cyrillic(months, tmp_path):
    world = months
    period = accounting.period_of(world.tenant, NOVEMBER)
    act = accounting.commission_act(tenant=world.tenant, supplier=world.supplier, period=period)

    docx = commission_act_file(
        tenant=world.tenant, supplier=world.supplier, period=NOVEMBER, file_format="docx"
    )
    pdf = commission_act_file(
        tenant=world.tenant, supplier=world.supplier, period=NOVEMBER, file_format="pdf"
    )

    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for figure in (act.gross, act.commission, act.net):
        assert format_currency(figure, world.tenant) in text
    assert act.number in text and "АО «Водоканал»" in text and "40702810800001400002" in text
    path = tmp_path / "act.pdf"
    path.write_bytes(pdf.content)
    printed = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "АО «Водоканал»" in printed and "ООО «Расчётный центр»" in printed
    assert act.number in printed
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    assert "DejaVuSans" in fonts.stdout


def test_a_supplier_without_a_registry_in_the_month_has_no_act(months):
    world = months

    with pytest.raises(ApplicationError) as refused:
        commission_act_file(
            tenant=world.tenant, supplier=world.supplier, period="2026-09", file_format="pdf"
        )

    assert refused.value.code == "no_registries"


# --- the 1C file ---------------------------------------------------------------------------------


def test_the_1c_file_has_one_payment_order_per_payout_of_the_month(months):
    world = months
    period = accounting.period_of(world.tenant, NOVEMBER)
    payouts = list(
        Payout.objects.filter(
            tenant=world.tenant, created_at__gte=period.start, created_at__lt=period.end
        ).order_by("created_at", "pk")
    )

    export = accounting_file(
        tenant=world.tenant, period=NOVEMBER, name="operations-1c", file_format="txt"
    )

    parsed = read_1c(export.content)
    assert parsed.header["ВерсияФормата"] == "1.03"
    assert (parsed.header["ДатаНачала"], parsed.header["ДатаКонца"]) == ("01.11.2026", "30.11.2026")
    assert parsed.header["РасчСчет"] == world.tenant.bank_account
    assert len(payouts) >= 2
    assert [d["СекцияДокумент"] for d in parsed.documents] == ["Платежное поручение"] * len(payouts)
    assert [(d["Номер"], one_c_amount(d["Сумма"])) for d in parsed.documents] == [
        (str(p.pk), p.amount) for p in payouts
    ]
    assert [d["ПолучательИНН"] for d in parsed.documents] == [p.supplier.inn for p in payouts]
    assert export.content.decode("cp1251").startswith("1CClientBankExchange\r\n")


def _ru_party(name: str) -> Party:
    return Party(
        name=name,
        bic="044525225",
        bank_name="ПАО Сбербанк",
        bank_account="40702810238720001420",
        corr_account="30101810400000000225",
        inn="7707083893",
        kpp="773601001",
    )


def test_a_1c_operations_file_of_a_quiet_month_is_valid_and_a_debit_carries_its_day():
    day = datetime(2026, 11, 3).date()
    operator, supplier = _ru_party("Оператор"), _ru_party("Поставщик")
    created, first = datetime(2026, 12, 1, 9, 0), day.replace(day=1)

    empty = operations_1c(
        operations=[],
        account_holder=operator,
        start=first,
        end=day,
        created_at=created,
    )
    debited = operations_1c(
        operations=[
            BankOperation("17", day, 12_345, "RUB", supplier, "выплата", debited_on=day),
            BankOperation("18", day, 500, "RUB", supplier, "выплата"),
        ],
        account_holder=operator,
        start=first,
        end=day,
        created_at=created,
    )

    assert read_1c(empty).documents == []
    documents = read_1c(debited).documents
    assert [(d["Номер"], d["Сумма"], d.get("ДатаСписано")) for d in documents] == [
        ("17", "123.45", "03.11.2026"),
        ("18", "5.00", None),
    ]
    with pytest.raises(ValueError, match="not in the period"):
        operations_1c(
            operations=[BankOperation("19", day, 100, "RUB", supplier, "x")],
            account_holder=operator,
            start=day.replace(day=4),
            end=day.replace(day=30),
            created_at=created,
        )


def test_an_operator_without_russian_bank_details_gets_no_1c_file(db):
    tenant = TenantFactory(sepa=True)

    with pytest.raises(ApplicationError) as refused:
        accounting_file(tenant=tenant, period=NOVEMBER, name="operations-1c", file_format="txt")

    assert refused.value.code == "no_1c"


# --- the command and the pages -------------------------------------------------------------------


def test_export_accounting_writes_every_file_of_the_month(months, tmp_path):
    world = months
    folder = tmp_path / "export"

    call_command(
        "export_accounting",
        "--tenant",
        world.tenant.code,
        "--period",
        NOVEMBER,
        "--out",
        str(folder),
        stdout=io.StringIO(),
    )

    stem = f"{world.tenant.code}-{NOVEMBER}"
    names = {p.name for p in folder.iterdir()}
    kinds = ("journal", "turnover", "trial-balance")
    tables = {f"{stem}-{n}.{f}" for n in kinds for f in ("xlsx", "csv")}
    acts = {f"{stem}-act-{s}.{f}" for s in ("teplo", "vodokanal") for f in ("docx", "pdf")}
    assert names == tables | acts | {f"{stem}-operations-1c.txt"}
    with pytest.raises(CommandError):
        call_command(
            "export_accounting",
            "--tenant",
            world.tenant.code,
            "--period",
            "11-2026",
            "--out",
            str(tmp_path),
            stdout=io.StringIO(),
        )


def _client(world, role=Role.OPERATOR_ADMIN, tenant=None) -> Client:
    membership = MembershipFactory(tenant=tenant or world.tenant, role=role)
    client = Client()
    client.force_login(membership.user)
    return client


def test_the_page_links_every_file_and_each_suppliers_act(months):
    world = months
    client = _client(world)

    page = client.get("/staff/accounting/", {"tenant": world.tenant.code, "period": NOVEMBER})

    assert page.status_code == 200
    html = page.content.decode()
    base = f"/staff/accounting/{world.tenant.code}/{NOVEMBER}/"
    for name in ("journal.xlsx", "journal.csv", "trial-balance.xlsx", "operations-1c.txt"):
        assert base + name in html
    assert base + "acts/vodokanal.pdf" in html and base + "acts/teplo.docx" in html
    download = client.get(base + "trial-balance.xlsx")
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('-trial-balance.xlsx"')
    act = client.get(base + "acts/vodokanal.docx")
    assert act.status_code == 200 and act.content.startswith(b"PK")


def test_a_collector_sees_the_page_but_not_the_files(months):
    world = months
    client = _client(world, role=Role.COLLECTOR)
    base = f"/staff/accounting/{world.tenant.code}/{NOVEMBER}/"

    page = client.get("/staff/accounting/", {"tenant": world.tenant.code, "period": NOVEMBER})
    download = client.get(base + "journal.csv")

    assert page.status_code == 200 and base + "journal.csv" not in page.content.decode()
    assert download.status_code == 403


def test_another_tenants_staff_get_no_file(months):
    world = months
    client = _client(world, tenant=TenantFactory())

    download = client.get(f"/staff/accounting/{world.tenant.code}/{NOVEMBER}/journal.csv")

    assert download.status_code == 404


def test_a_bad_month_or_file_in_the_address_is_told_not_a_500(months):
    world = months
    client = _client(world)
    base = f"/staff/accounting/{world.tenant.code}/"

    bad_month = client.get(base + "2026-13/journal.csv", follow=True)
    bad_file = client.get(base + f"{NOVEMBER}/ledger.csv", follow=True)
    no_supplier = client.get(base + f"{NOVEMBER}/acts/nobody.pdf")

    assert bad_month.status_code == 200 and "2026-13" in bad_month.content.decode()
    assert bad_file.status_code == 200 and "ledger.csv" in bad_file.content.decode()
    assert no_supplier.status_code == 404
