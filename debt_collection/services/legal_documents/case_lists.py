"""The case list a court or a collection agency is sent: one spreadsheet row per case with the
account's open debt per supplier, its penalties, the stage and the latest court proceeding."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext

from core.documents.xlsx import (
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    set_widths,
    workbook_bytes,
)
from core.money import to_major
from debt_collection.services.legal_documents.debt_table import penalties_by_item
from warehouse.models import OpenItem
from warehouse.selectors_open_items import open_debt_q


def case_list_xlsx(*, cases, as_of: dt.date) -> bytes:
    """One row per case: account, payer, address, open debt per supplier, penalties as of
    `as_of`, stage, and the latest court proceeding's number, award and collections. Debts are
    one grouped query; penalties are computed per account (the calculation is per account)."""
    from debt_collection.models import CourtProceeding

    cases = list(cases.select_related("account__premises__building"))
    account_ids = [c.account_id for c in cases]
    debts: dict[int, dict[str, int]] = {}
    suppliers: dict[str, str] = {}
    for row in (
        OpenItem.objects.filter(open_debt_q(), account_id__in=account_ids)
        .values("account_id", "supplier__code", "supplier__name")
        .annotate(total=Sum("open_amount"))
        .order_by("supplier__code")
    ):
        suppliers[row["supplier__code"]] = row["supplier__name"]
        debts.setdefault(row["account_id"], {})[row["supplier__code"]] = row["total"]
    latest: dict[int, CourtProceeding] = {}
    for proceeding in CourtProceeding.objects.filter(case__in=cases).order_by("filed_on", "pk"):
        latest[proceeding.case_id] = proceeding
    codes = sorted(suppliers)

    book = new_workbook()
    sheet = add_sheet(book, "cases")
    header = [gettext("Account"), gettext("Payer"), gettext("Address")]
    header += [gettext("Debt: %(supplier)s") % {"supplier": suppliers[code]} for code in codes]
    header += [gettext("Debt total"), gettext("Penalties"), gettext("Stage"), gettext("Court")]
    header += [gettext("Court case number"), gettext("Awarded")]
    header += [gettext("Collected")]
    header_row(sheet, header)

    def money(amount):
        return None if amount is None else to_major(amount)

    for case in cases:
        account = case.account
        per_supplier = debts.get(account.pk, {})
        _, penalty, _ = penalties_by_item(account=account, as_of=as_of)
        proceeding = latest.get(case.pk)
        append_row(
            sheet,
            [
                account.account_number,
                account.payer_name,
                str(account.premises),
                *[money(per_supplier.get(code, 0)) for code in codes],
                money(sum(per_supplier.values())),
                money(penalty),
                case.get_stage_display(),
                proceeding.court_name if proceeding else "",
                proceeding.case_number if proceeding else "",
                money(proceeding.amount_awarded) if proceeding else None,
                money(proceeding.amount_collected) if proceeding else None,
            ],
        )
    number_format(sheet, min_row=2, min_col=4, max_col=len(header))
    set_widths(sheet, [14, 28, 40] + [16] * (len(header) - 3))
    return workbook_bytes(book)
