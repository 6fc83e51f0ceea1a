"""Collection agencies: handing cases over, what was recovered through them and their commission.

Recovered on a hand-over line = the booked payments of the case's account since the hand-over
(`recovery_start`), up to the debt handed over. Commission = recovered × the agency's percent,
rounded half-up to a minor unit per line; the report's total is the sum of the lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
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
from core.errors import ApplicationError
from core.money import percent_of, to_major
from debt_collection.models import (
    Agency,
    AgencyHandover,
    AgencyHandoverLine,
    CaseEvent,
    CaseEventKind,
    CaseStage,
    DebtCase,
)
from splitting.models import Payment, PaymentStatus
from warehouse.models import AuditEvent, Tenant
from warehouse.selectors_open_items import account_balance


def agency_create(
    *, tenant: Tenant, name: str, commission_percent: Decimal, contact: str = "", actor=None
) -> Agency:
    name = name.strip()
    if not name:
        raise ApplicationError(gettext("name the agency"), code="no_name")
    if not (Decimal(0) <= commission_percent <= Decimal(100)):
        raise ApplicationError(
            gettext("the commission is a percent from 0 to 100"), code="bad_percent"
        )
    try:
        with transaction.atomic():
            agency = Agency.objects.create(
                tenant=tenant,
                name=name[:200],
                commission_percent=commission_percent.quantize(Decimal("0.01")),
                contact=contact.strip()[:300],
            )
            AuditEvent.objects.create(
                tenant=tenant,
                actor=actor,
                action="collections.agency_create",
                detail={"agency": agency.pk, "percent": str(agency.commission_percent)},
            )
    except IntegrityError:
        raise ApplicationError(
            gettext("an agency of that name exists"), code="agency_exists", status_code=409
        ) from None
    return agency


def case_debt(case: DebtCase) -> int:
    """What the account owes now: its open debts after its credits (never below 0), warehouse's
    balance — unlike splitting's `account_position`, the payments' unused advances not netted."""
    return account_balance(case.account).total_due


@transaction.atomic
def handover_create(
    *, agency: Agency, cases: list[DebtCase], handed_on: dt.date, note: str = "", actor=None
) -> AgencyHandover:
    """Hands the cases to the agency with each one's current debt; they go to the AGENCY stage.
    All or nothing: a case of another tenant, closed, already with an agency or without debt
    refuses the whole hand-over."""
    if not cases:
        raise ApplicationError(gettext("choose the cases to hand over"), code="no_cases")
    today = timezone.localdate(timezone=ZoneInfo(agency.tenant.timezone or "UTC"))
    if handed_on > today:
        raise ApplicationError(
            gettext("a hand-over cannot be dated in the future"), code="date_in_future"
        )
    locked = list(
        DebtCase.objects.select_for_update()
        .filter(pk__in=[c.pk for c in cases])
        .order_by("pk")
        .select_related("account")
    )
    if len(locked) != len({c.pk for c in cases}):
        raise ApplicationError(gettext("a case is not there"), code="unknown_case", status_code=404)
    debts = {}
    for case in locked:
        if case.tenant_id != agency.tenant_id:
            raise ApplicationError(
                gettext("a case of another tenant"), code="wrong_tenant", status_code=404
            )
        if case.stage in (CaseStage.CLOSED, CaseStage.AGENCY):
            raise ApplicationError(
                f"case {case.pk} is {case.get_stage_display().lower()}",
                code="case_not_open",
                status_code=409,
            )
        debts[case.pk] = case_debt(case)
        if debts[case.pk] <= 0:
            raise ApplicationError(
                f"case {case.pk} ({case.account.account_number}) owes nothing", code="no_debt"
            )
    now = timezone.now()
    handover = AgencyHandover.objects.create(
        tenant_id=agency.tenant_id,
        agency=agency,
        handed_on=handed_on,
        note=note.strip()[:300],
        created_by=actor,
        created_at=now,
    )
    AgencyHandoverLine.objects.bulk_create(
        AgencyHandoverLine(handover=handover, case=case, debt_handed=debts[case.pk])
        for case in locked
    )
    for case in locked:
        old = case.stage
        case.stage = CaseStage.AGENCY
        case.save(update_fields=["stage"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.STAGE,
            note=agency.name,
            detail={
                "from": old,
                "to": CaseStage.AGENCY,
                "handover": handover.pk,
                "debt": debts[case.pk],
            },
            actor=actor,
            at=now,
        )
    AuditEvent.objects.create(
        tenant_id=agency.tenant_id,
        actor=actor,
        action="collections.agency_handover",
        detail={"handover": handover.pk, "agency": agency.pk, "cases": sorted(debts)},
    )
    return handover


def commission_of(recovered: int, percent: Decimal) -> int:
    """The agency's commission on what it recovered, rounded half up to the minor unit."""
    return percent_of(recovered, percent)


@dataclass(frozen=True)
class HandoverRow:
    line: AgencyHandoverLine
    recovered: int
    commission: int


@dataclass
class HandoverReport:
    handover: AgencyHandover
    rows: list[HandoverRow] = field(default_factory=list)

    @property
    def handed(self) -> int:
        return sum(r.line.debt_handed for r in self.rows)

    @property
    def recovered(self) -> int:
        return sum(r.recovered for r in self.rows)

    @property
    def commission(self) -> int:
        return sum(r.commission for r in self.rows)


def recovery_start(handover: AgencyHandover) -> dt.datetime:
    """From the start of the hand-over day; a hand-over recorded on its own day counts from
    the moment it was recorded, so that day's earlier payments stay with the tenant."""
    zone = ZoneInfo(handover.tenant.timezone or "UTC")
    if handover.created_at.astimezone(zone).date() == handover.handed_on:
        return handover.created_at
    return dt.datetime.combine(handover.handed_on, dt.time(), tzinfo=zone)


def handover_report(*, handover: AgencyHandover) -> HandoverReport:
    """Per case: debt handed over, recovered since the hand-over and the commission on it."""
    since = recovery_start(handover)
    lines = list(
        handover.lines.select_related("case__account__premises__building").order_by(
            "case__account__account_number"
        )
    )
    paid = dict(
        Payment.objects.filter(
            account_id__in=[line.case.account_id for line in lines],
            status=PaymentStatus.BOOKED,
            booked_at__gte=since,
        )
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    percent = handover.agency.commission_percent
    report = HandoverReport(handover=handover)
    for line in lines:
        recovered = min(paid.get(line.case.account_id, 0), line.debt_handed)
        report.rows.append(HandoverRow(line, recovered, commission_of(recovered, percent)))
    return report


def handover_xlsx(report: HandoverReport) -> bytes:
    book = new_workbook()
    sheet = add_sheet(book, "hand-over")
    handover = report.handover
    append_row(sheet, [gettext("Agency"), handover.agency.name])
    append_row(sheet, [gettext("Handed over on"), handover.handed_on])
    append_row(sheet, [gettext("Commission, %"), float(handover.agency.commission_percent)])
    append_row(sheet, [])
    header = [gettext("Case"), gettext("Account"), gettext("Payer"), gettext("Address")]
    header += [gettext("Debt handed"), gettext("Recovered"), gettext("Commission")]
    header_row(sheet, header, freeze=False)
    for row in report.rows:
        case = row.line.case
        append_row(
            sheet,
            [
                case.pk,
                case.account.account_number,
                case.account.payer_name,
                str(case.account.premises),
                to_major(row.line.debt_handed),
                to_major(row.recovered),
                to_major(row.commission),
            ],
        )
    totals = [to_major(report.handed), to_major(report.recovered), to_major(report.commission)]
    append_row(sheet, [gettext("Total"), "", "", "", *totals], bold=True)
    number_format(sheet, min_row=6, min_col=5, max_col=7)
    set_widths(sheet, (8, 14, 28, 40, 14, 14, 14))
    return workbook_bytes(book)
