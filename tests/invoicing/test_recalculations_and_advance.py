"""A recalculation of an earlier period prints as «Перерасчёт за сентябрь 2026» per supplier,
apart from the period's own charges; the account's unused advance is shown and taken off what
is to pay; a supplier in credit says so (issue 19)."""

from dataclasses import replace

from invoicing.document_view import ServiceLine, sample_document_view
from invoicing.rendering import build_sheet
from invoicing.rendering.html import render_html


def _with_corrections(profile: str, prepaid: int = 0):
    view = sample_document_view(profile)
    first = view.suppliers[0]
    lines = first.lines + (
        ServiceLine(
            "CW", "Холодное водоснабжение", "recalculation", 12345, corrects_period="2026-09"
        ),
        ServiceLine("SEWER", "Водоотведение", "recalculation", -345, corrects_period="2026-09"),
        ServiceLine(
            "CW", "Холодное водоснабжение", "recalculation", -5000, corrects_period="2026-08"
        ),
    )
    due = first.opening + sum(line.amount for line in lines) - first.payments
    suppliers = (replace(first, lines=lines, amount_due=due), *view.suppliers[1:])
    total = sum(block.amount_due for block in suppliers)
    return replace(
        view,
        suppliers=suppliers,
        prepaid=prepaid,
        amount_due=max(total - prepaid, 0),
        advance=max(prepaid - total, 0),
    )


def test_a_correction_prints_per_supplier_and_corrected_month():
    sheet = build_sheet(_with_corrections("RU"))
    rows = [(row.name, row.supplier, row.amount) for row in sheet.recalculations]
    water = "АО «Городской водоканал»"
    assert rows[0] == ("Холодное водоснабжение", water, -2000)  # the period's own, per service
    # Then one row per supplier and corrected month, its services summed, oldest first (the
    # label reads «Перерасчёт за …» once the Russian translation is in the catalogue).
    assert [(supplier, amount) for _, supplier, amount in rows[1:]] == [
        (water, -5000),
        (water, 12000),
    ]
    assert rows[1][0].endswith(" август 2026") and rows[2][0].endswith(" сентябрь 2026")


def test_totals_still_add_up_with_corrections_and_an_advance():
    view = _with_corrections("RU", prepaid=10000)
    sheet = build_sheet(view)
    totals = sheet.supplier_totals
    assert totals.opening + totals.accrued - totals.payments == totals.amount_due
    assert totals.amount_due == view.suppliers_due
    assert view.amount_due - view.advance == view.suppliers_due - view.prepaid
    assert sheet.services_total.total == totals.accrued - sheet.penalties_total


def test_an_unused_advance_is_shown_and_taken_off_what_is_to_pay():
    view = _with_corrections("SEPA", prepaid=10000)
    html = render_html(view)
    assert "pd-prepaid" in html
    assert view.amount_due == view.suppliers_due - 10000


def test_an_advance_larger_than_the_bill_leaves_nothing_to_pay():
    view = _with_corrections("SEPA", prepaid=10**9)
    sheet = build_sheet(view)
    assert view.amount_due == 0 and sheet.in_advance
    assert view.advance == 10**9 - view.suppliers_due


def test_a_supplier_in_credit_says_so():
    view = sample_document_view("RU")
    first = view.suppliers[0]
    credit = replace(first, amount_due=-1500)
    sheet = build_sheet(replace(view, suppliers=(credit, *view.suppliers[1:])))
    assert sheet.suppliers[0].credit == 1500
    assert sheet.suppliers[1].credit == 0
