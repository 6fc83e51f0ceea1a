"""Penalties on open items: charged monthly at period close, and computed day by day for one
account (the calculation a court asks for).

`penalties_charge` is the work of a period's penalty run (`services.penalty_runs`), the step
of month-end before the period's close. For every charges item of the tenant due before the
end of the period that is still open, or was cleared since the last run, it computes the cumulative
penalty through the period's last day and posts the increase over what `PenaltyAccrual`
already holds, through `warehouse.services.penalties.penalties_post`. Penalties are never
computed on penalty items. Set-based: open items, clearings and earlier accruals are read in
three queries for the whole tenant; the engine runs per item in memory."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Max, Q, Sum

from core.documents.xlsx import (
    BOLD,
    DATE_FORMAT,
    add_sheet,
    append_row,
    header_row,
    new_workbook,
    number_format,
    workbook_bytes,
)
from core.errors import ApplicationError
from debt_collection import penalties as engine
from debt_collection.models import (
    CollectionSettings,
    KeyRate,
    PenaltyAccrual,
    PenaltyPolicyPeriod,
    PenaltyRecalculation,
    PenaltyRule,
    PenaltyRuleKind,
    StatutoryRate,
    SupplierPenaltySetting,
)
from warehouse.countries import country_named
from warehouse.models import (
    Account,
    AuditEvent,
    Clearing,
    OpenItem,
    OpenItemKind,
    Supplier,
    Tenant,
)
from warehouse.selectors_open_items import open_debt_q, past_due_q
from warehouse.services.penalties import penalties_post
from warehouse.services.periods import period_parse


@dataclass(frozen=True)
class Policy:
    """Everything the engine needs for one country profile, read once: the rate table, the
    policy periods and the rules (`PenaltyRule` rows by kind, oldest first), each with its
    source."""

    rates: engine.RateTable
    policies: tuple[engine.PolicyPeriod, ...]
    daily: bool  # statutory interest (SEPA, CH) rather than the housing code
    rules: dict[str, tuple[tuple[dt.date, engine.Rule], ...]]

    def rule(self, kind: str, due_date: dt.date) -> engine.Rule:
        """The rule of `kind` in force on the debt's due date."""
        found = None
        for valid_from, rule in self.rules.get(kind, ()):
            if valid_from <= due_date:
                found = rule
        if found is None:
            raise engine.RateMissing(f"no {kind} penalty rule in force on {due_date:%Y-%m-%d}")
        return found


def policy_for(profile: str) -> Policy:
    periods = tuple(
        engine.PolicyPeriod(
            kind=p.kind,
            date_from=p.date_from,
            date_to=p.date_to,
            name=p.name,
            rate_percent=p.rate_percent,
            debts_due_before=p.debts_due_before,
            source=p.source,
        )
        for p in PenaltyPolicyPeriod.objects.filter(profile=profile)
    )
    rules: dict[str, list] = defaultdict(list)
    for row in PenaltyRule.objects.filter(profile=profile).order_by("valid_from"):
        steps = tuple((int(first), None if div is None else int(div)) for first, div in row.steps)
        rule = engine.Rule(row.kind, steps, daily_rate=row.daily_rate, source=row.source)
        rules[row.kind].append((row.valid_from, rule))
    rules = {kind: tuple(rows) for kind, rows in rules.items()}
    if country_named(profile).uses_housing_code_penalties:  # the key rate's fractions
        rows = KeyRate.objects.filter(profile=profile).values_list(
            "valid_from", "rate_percent", "source"
        )
        return Policy(engine.RateTable.of(rows), periods, daily=False, rules=rules)
    rows = [
        (r.valid_from, r.rate_percent, r.source or r.note)
        for r in StatutoryRate.objects.filter(profile=profile)
    ]
    return Policy(engine.RateTable.of(rows), periods, daily=True, rules=rules)


def supplier_rules(tenant: Tenant) -> dict[int, str | None]:
    """The kind of rule (`PenaltyRuleKind`) of each supplier's debts (None: exempt). Capital
    repair: the supplier's setting, or without one its code
    (`SupplierPenaltySetting.capital_repair_by_code`)."""
    settings = {
        s.supplier_id: s for s in SupplierPenaltySetting.objects.filter(supplier__tenant=tenant)
    }
    rules: dict[int, str | None] = {}
    for supplier in Supplier.objects.filter(tenant=tenant).only("pk", "code"):
        setting = settings.get(supplier.pk)
        if setting is not None and setting.exempt:
            rules[supplier.pk] = None
        elif not tenant.country.uses_housing_code_penalties:
            rules[supplier.pk] = PenaltyRuleKind.STATUTORY
        elif (
            setting.capital_repair
            if setting is not None
            else SupplierPenaltySetting.capital_repair_by_code(supplier.code)
        ):
            rules[supplier.pk] = PenaltyRuleKind.CAPITAL_REPAIR
        else:
            rules[supplier.pk] = PenaltyRuleKind.ORDINARY
    return rules


def period_end(period: str) -> dt.date:
    year, month = period_parse(period)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def movements_by_item(rows, zone: ZoneInfo) -> dict[int, list[engine.Movement]]:
    """(item id, amount, cleared at) rows of clearings → each item's movements for the engine,
    dated in the tenant's time zone `zone`."""
    by_item: dict[int, list[engine.Movement]] = defaultdict(list)
    for item_id, amount, cleared_at in rows:
        by_item[item_id].append(engine.Movement(cleared_at.astimezone(zone).date(), int(amount)))
    return by_item


def charged_so_far(item_ids) -> dict[int, int]:
    """What was charged for each item: the accruals at period closes plus the recalculations."""
    charged: dict[int, int] = defaultdict(int)
    for model, column in ((PenaltyAccrual, "amount"), (PenaltyRecalculation, "difference")):
        rows = (
            model.objects.filter(base_item_id__in=item_ids)
            .values("base_item_id")
            .annotate(total=Sum(column))
            .values_list("base_item_id", "total")
        )
        for item_id, total in rows:
            charged[item_id] += int(total or 0)
    return charged


def penalties_charge(*, tenant: Tenant, period: str, actor=None) -> list:
    """Charges the penalties accrued through the last day of `period` that were not charged
    before; returns the penalty batches posted. Call through `penalty_run`. What was
    charged is read under the tenant row's lock, which `penalties_recalculate` takes too (lock
    order: the tenant, then accounts and their open items), so the two never both post on the
    same reading."""
    settings = CollectionSettings.for_tenant(tenant)
    if not settings.penalties_enabled:
        return []
    list(Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk"))
    through = period_end(period)
    zone = ZoneInfo(tenant.timezone)
    policy = policy_for(tenant.profile)
    rules = supplier_rules(tenant)

    candidates = _charge_candidates(tenant=tenant, period=period, through=through, zone=zone)
    items = list(candidates.values_list("pk", "account_id", "supplier_id", "due_date", "amount"))
    if not items:
        return []
    movements = movements_by_item(
        Clearing.objects.filter(open_item__in=candidates).values_list(
            "open_item_id", "amount", "cleared_at"
        ),
        zone,
    )
    charged = charged_so_far(candidates.values("pk"))
    accrued = _accrue(
        items,
        tenant=tenant,
        period=period,
        through=through,
        policy=policy,
        rules=rules,
        movements=movements,
        charged=charged,
        count_payment_day=settings.penalty_count_payment_day,
    )
    batches = penalties_post(
        tenant=tenant,
        period=period,
        rows=[(a, s, amount) for (a, s), amount in sorted(accrued.postings.items())],
        actor=actor,
    )
    _link_penalty_items(accrued.accruals, batches)
    PenaltyAccrual.objects.bulk_create([a for a, _, _ in accrued.accruals], batch_size=2000)
    _audit_charge(tenant=tenant, period=period, through=through, accrued=accrued, actor=actor)
    return batches


def _charge_candidates(*, tenant: Tenant, period: str, through: dt.date, zone: ZoneInfo):
    """The charges items due before `through` not yet accrued for `period`: once a run has
    been, only those still open or cleared since the last run's date (an item paid in full
    before then has its penalty charged already)."""
    last = PenaltyAccrual.objects.filter(tenant=tenant).aggregate(at=Max("through_date"))["at"]
    candidates = OpenItem.objects.filter(
        past_due_q(through), tenant=tenant, kind=OpenItemKind.CHARGES, amount__gt=0
    ).exclude(
        pk__in=PenaltyAccrual.objects.filter(tenant=tenant, period=period).values("base_item_id")
    )
    if last is not None:
        since = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        cleared = Clearing.objects.filter(tenant=tenant, cleared_at__gte=since)
        candidates = candidates.filter(open_debt_q() | Q(pk__in=cleared.values("open_item_id")))
    return candidates


@dataclass
class _Accrued:
    """What one charge run computed: the accrual rows (each with its account and supplier),
    the increases to post per (account, supplier), and the items skipped for a missing rate."""

    accruals: list = field(default_factory=list)  # (PenaltyAccrual, account id, supplier id)
    postings: defaultdict = field(default_factory=lambda: defaultdict(int))
    skipped: list = field(default_factory=list)  # (item id, reason)


def _accrue(
    items,
    *,
    tenant: Tenant,
    period: str,
    through: dt.date,
    policy: Policy,
    rules: dict[int, str | None],
    movements: dict[int, list[engine.Movement]],
    charged: dict[int, int],
    count_payment_day: bool,
) -> _Accrued:
    """The engine over every item in memory: the cumulative penalty through `through`, and the
    increase over what was charged before. A decrease posts nothing; its accrual says so."""
    accrued = _Accrued()
    for item_id, account_id, supplier_id, due_date, amount in items:
        kind = rules.get(supplier_id)
        if kind is None:
            continue
        try:
            rule = policy.rule(kind, due_date)
            result = engine.penalty_compute(
                due_date=due_date,
                amount=amount,
                movements=movements.get(item_id, ()),
                as_of=through,
                rule=rule,
                rates=policy.rates,
                policies=policy.policies,
                count_payment_day=count_payment_day,
            )
        except engine.RateMissing as exc:
            accrued.skipped.append((item_id, str(exc)))
            continue
        before = charged.get(item_id, 0)
        increase = result.total - before
        if increase == 0:
            continue
        accrual = PenaltyAccrual(
            tenant=tenant,
            base_item_id=item_id,
            period=period,
            through_date=through,
            cumulative=result.total,
            amount=max(increase, 0),
        )
        if increase < 0:
            accrual.note = (
                f"computed {result.total} is below the {before} charged before: nothing posted"
            )
        else:
            accrued.postings[(account_id, supplier_id)] += increase
        accrued.accruals.append((accrual, account_id, supplier_id))
    return accrued


def _link_penalty_items(accruals: list, batches: list) -> None:
    """Each posted accrual names the penalty item its batch made for its account and supplier."""
    items_of = dict(
        ((account_id, supplier_id), pk)
        for pk, account_id, supplier_id in OpenItem.objects.filter(
            batch__in=[b.pk for b in batches]
        ).values_list("pk", "account_id", "supplier_id")
    )
    for accrual, account_id, supplier_id in accruals:
        if accrual.amount:
            accrual.penalty_item_id = items_of[(account_id, supplier_id)]


def _audit_charge(*, tenant: Tenant, period: str, through: dt.date, accrued: _Accrued, actor):
    accruals, skipped = accrued.accruals, accrued.skipped
    AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        action="penalties.charged",
        detail={
            "period": period,
            "through": through.isoformat(),
            "items": sum(1 for a, _, _ in accruals if a.amount),
            "amount": sum(accrued.postings.values()),
            "below_charged": sum(1 for a, _, _ in accruals if not a.amount),
            "skipped": len(skipped),
            "skipped_reason": skipped[0][1] if skipped else "",
        },
    )


@dataclass(frozen=True)
class ItemCalculation:
    open_item_id: int
    period: str
    supplier_code: str
    supplier_name: str
    rule: str
    base_amount: int
    due_date: dt.date
    paid: tuple[tuple[dt.date, int], ...]  # the parts paid, as the engine counts them
    unpaid: int
    lines: tuple[engine.Line, ...]
    exact: Decimal
    penalty: int  # minor units, rounded half up
    charged: int  # charged so far at period closes


@dataclass(frozen=True)
class AccountPenalty:
    account: Account
    as_of: dt.date
    count_payment_day: bool
    items: tuple[ItemCalculation, ...]
    total: int

    @property
    def charged(self) -> int:
        return sum(item.charged for item in self.items)


def account_penalty_calculation(*, account: Account, as_of: dt.date) -> AccountPenalty:
    """The penalty of each of the account's charge items (per period and supplier) through
    `as_of`, day by day in lines, and the total. Items with nothing accrued are left out."""
    if not isinstance(as_of, dt.date):
        raise ApplicationError("as_of is a date", code="bad_date")
    tenant = account.tenant
    settings = CollectionSettings.for_tenant(tenant)
    zone = ZoneInfo(tenant.timezone)
    policy = policy_for(tenant.profile)
    rules = supplier_rules(tenant)
    items = list(
        OpenItem.objects.filter(
            past_due_q(as_of), account=account, kind=OpenItemKind.CHARGES, amount__gt=0
        ).order_by("period", "supplier_id", "pk")
    )
    movements = movements_by_item(
        Clearing.objects.filter(open_item__in=[i.pk for i in items]).values_list(
            "open_item_id", "amount", "cleared_at"
        ),
        zone,
    )
    charged = charged_so_far([i.pk for i in items])
    suppliers = {s.pk: s for s in Supplier.objects.filter(tenant=tenant)}
    result = []
    for item in items:
        kind = rules.get(item.supplier_id)
        if kind is None:
            continue
        try:
            rule = policy.rule(kind, item.due_date)
            computed = engine.penalty_compute(
                due_date=item.due_date,
                amount=item.amount,
                movements=movements.get(item.pk, ()),
                as_of=as_of,
                rule=rule,
                rates=policy.rates,
                policies=policy.policies,
                count_payment_day=settings.penalty_count_payment_day,
            )
        except engine.RateMissing as exc:
            raise ApplicationError(
                f"{exc}: add the rate in the admin (key rates / statutory rates)",
                code="rate_missing",
            ) from exc
        if not computed.lines:
            continue
        supplier = suppliers[item.supplier_id]
        result.append(
            ItemCalculation(
                open_item_id=item.pk,
                period=item.period,
                supplier_code=supplier.code,
                supplier_name=supplier.name,
                rule=rule.code,
                base_amount=item.amount,
                due_date=item.due_date,
                paid=tuple((p.paid_on, p.amount) for p in computed.parts if p.paid_on),
                unpaid=sum(p.amount for p in computed.parts if p.paid_on is None),
                lines=computed.lines,
                exact=computed.exact,
                penalty=computed.total,
                charged=charged.get(item.pk, 0),
            )
        )
    return AccountPenalty(
        account=account,
        as_of=as_of,
        count_payment_day=settings.penalty_count_payment_day,
        items=tuple(result),
        total=sum(i.penalty for i in result),
    )


def minor_display(amount: Decimal | int) -> Decimal:
    """Minor units (exact) → major units rounded half up to the minor unit, e.g. 23384.6 →
    233.85."""
    return (Decimal(amount) / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def penalty_calculation_xlsx(calculation: AccountPenalty) -> bytes:
    """The calculation as a spreadsheet: one block per period and supplier, its lines, and the
    totals — the table that goes with a court claim."""
    account = calculation.account
    book = new_workbook()
    sheet = add_sheet(book, "penalties")
    append_row(sheet, [f"{account.account_number} · {account.payer_name} · {account.tenant.name}"])
    append_row(sheet, [f"as of {calculation.as_of.isoformat()}"])
    header = [
        "period",
        "supplier",
        "debt",
        "due date",
        "from",
        "to",
        "days",
        "base",
        "rate %",
        "fraction",
        "penalty",
        "note",
        "basis of the rate",
    ]
    header_row(sheet, header)
    for item in calculation.items:
        for line in item.lines:
            append_row(
                sheet,
                [
                    item.period,
                    item.supplier_code,
                    minor_display(item.base_amount),
                    item.due_date,
                    line.date_from,
                    line.date_to,
                    line.days,
                    minor_display(line.base),
                    line.rate_percent,
                    line.fraction,
                    minor_display(line.amount),
                    line.note,
                    line.rate_source,
                ],
            )
        append_row(
            sheet,
            [item.period, item.supplier_code, "total"] + [None] * 7 + [minor_display(item.penalty)],
        )
        sheet.cell(row=sheet.max_row, column=3).font = BOLD
    append_row(
        sheet,
        [
            "total",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            minor_display(calculation.total),
        ],
    )
    sheet.cell(row=sheet.max_row, column=1).font = BOLD
    for column in (3, 8, 11):
        number_format(sheet, min_row=4, min_col=column, max_col=column)
    number_format(sheet, min_row=4, min_col=4, max_col=6, fmt=DATE_FORMAT)
    return workbook_bytes(book)
