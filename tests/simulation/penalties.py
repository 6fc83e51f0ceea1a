"""An independent recomputation of a penalty accrual, day by day with exact fractions, from the
policy rows (the rules' steps, the key or statutory rates, moratoria, fixed rates and caps) and
the item's clearings — written apart from `debt_collection.penalties` (which cuts the delay
into segments and sums Decimals) so that the two can disagree."""

import datetime as dt
from fractions import Fraction
from zoneinfo import ZoneInfo

from debt_collection.models import (
    CollectionSettings,
    KeyRate,
    PenaltyPolicyPeriod,
    PenaltyRule,
    StatutoryRate,
    SupplierPenaltySetting,
)
from warehouse.models import Clearing

DAY = dt.timedelta(days=1)


class Law:
    """The policy rows of one country profile, read once per check."""

    def __init__(self, tenant):
        profile = tenant.profile
        self.housing = tenant.country.uses_housing_code_penalties
        if self.housing:
            rows = KeyRate.objects.filter(profile=profile).values_list("valid_from", "rate_percent")
            self.rates = sorted((d, Fraction(str(r))) for d, r in rows)
        else:
            self.rates = sorted(
                (r.valid_from, Fraction(str(r.base_percent)) + Fraction(str(r.margin_percent)))
                for r in StatutoryRate.objects.filter(profile=profile)
            )
        self.policies = list(PenaltyPolicyPeriod.objects.filter(profile=profile))
        self.rules = sorted(
            PenaltyRule.objects.filter(profile=profile), key=lambda r: (r.kind, r.valid_from)
        )
        self.count_payment_day = CollectionSettings.for_tenant(tenant).penalty_count_payment_day
        self.zone = ZoneInfo(tenant.timezone)
        self.settings = {
            s.supplier_id: s for s in SupplierPenaltySetting.objects.filter(supplier__tenant=tenant)
        }

    def kind_of(self, supplier) -> str | None:
        setting = self.settings.get(supplier.pk)
        if setting is not None and setting.exempt:
            return None
        if not self.housing:
            return "statutory"
        repair = (
            setting.capital_repair
            if setting is not None
            else SupplierPenaltySetting.capital_repair_by_code(supplier.code)
        )
        return "capital_repair" if repair else "ordinary"

    def rule(self, kind: str, due: dt.date):
        found = None
        for row in self.rules:
            if row.kind == kind and row.valid_from <= due:
                found = row
        return found

    def table_rate(self, day: dt.date) -> Fraction | None:
        found = None
        for valid_from, rate in self.rates:
            if valid_from <= day:
                found = rate
        return found

    def rate(self, day: dt.date) -> Fraction | None:
        """The annual percent on `day`: a fixed rate in force, or the lower of a cap and the
        table's rate, else the table's rate (never below zero)."""
        for p in self.policies:
            if p.kind not in ("fixed_rate", "rate_cap") or p.rate_percent is None:
                continue
            if not (p.date_from <= day and (p.date_to is None or day <= p.date_to)):
                continue
            fixed = Fraction(str(p.rate_percent))
            if p.kind == "rate_cap":
                table = self.table_rate(day)
                if table is not None and table < fixed:
                    return max(table, Fraction(0))
            return max(fixed, Fraction(0))
        table = self.table_rate(day)
        return None if table is None else max(table, Fraction(0))

    def stopped(self, day: dt.date, due: dt.date) -> bool:
        return any(
            p.kind == "moratorium"
            and (p.debts_due_before is None or due < p.debts_due_before)
            and p.date_from <= day
            and (p.date_to is None or day <= p.date_to)
            for p in self.policies
        )


def divisor(steps, day_number: int):
    current = None
    for first, div in steps:
        if day_number >= int(first):
            current = div
    return current


def recompute(law: Law, item, supplier, through: dt.date) -> int | None:
    """The cumulative penalty of `item` through `through`, or None when no rule or rate
    covers it (the engine skips such items)."""
    kind = law.kind_of(supplier)
    if kind is None:
        return 0
    rule = law.rule(kind, item.due_date)
    if rule is None:
        return None
    moves = sorted(
        (
            (cleared_at.astimezone(law.zone).date(), amount)
            for amount, cleared_at in Clearing.objects.filter(open_item_id=item.pk).values_list(
                "amount", "cleared_at"
            )
            if cleared_at.astimezone(law.zone).date() <= through
        ),
        key=lambda m: (m[0], m[1] < 0),
    )
    paid: list[list] = []
    for day, amount in moves:  # a reversal takes back the latest payments first
        if amount > 0:
            paid.append([amount, day])
            continue
        back = -amount
        while back and paid:
            take = min(back, paid[-1][0])
            paid[-1][0] -= take
            back -= take
            if not paid[-1][0]:
                paid.pop()
    parts, left = [], max(item.amount, 0)
    for amount, day in paid:
        take = min(amount, left)
        if take:
            parts.append((take, day))
        left -= take
    if left > 0:
        parts.append((left, None))
    total = Fraction(0)
    for amount, paid_on in parts:
        reference = paid_on or through
        last = through if paid_on is None else (paid_on if law.count_payment_day else paid_on - DAY)
        part_rate = None if rule.daily_rate else law.rate(reference)
        day = item.due_date + DAY
        while day <= last:
            div = divisor(rule.steps, (day - item.due_date).days)
            if div is not None and not law.stopped(day, item.due_date):
                rate = law.rate(day) if rule.daily_rate else part_rate
                if rate is None:
                    return None
                total += Fraction(amount) * rate / 100 / int(div)
            day += DAY
    return int(total + Fraction(1, 2)) if total >= 0 else -int(-total + Fraction(1, 2))
