"""The penalty engine: what one open item owes in penalties on a given day, and the day-by-day
computation a court asks for. Pure Python (dataclasses and Decimal, no Django), so the rules
can be tested on their own and the services feed it rows read set-based from the database.

Rules (payment-standards.md §6.3):
- RU ordinary (ЖК РФ ст. 155 ч. 14): days 1–30 after the due date accrue nothing, days 31–90
  1/300 of the key rate per day, from day 91 1/130. The rate is the one in force on the day of
  actual payment for the part paid that day, and on the calculation date for what is still
  unpaid; one rate per part, for its whole delay.
- RU capital repair (ч. 14.1): 1/300 from day 1, no grace and no 1/130 step.
- SEPA (statutory default interest, e.g. § 288 BGB): (base rate + margin) / 100 / 365 per day
  from day 1, with the rate in force on each day.
Policy periods are data, not code: a moratorium stops accrual on the days it covers (the
numbering of days of delay goes on through it), a fixed-rate period replaces the rate of any
part whose reference day (payment day, or the calculation date) falls inside it, and a rate cap
takes the lower of its rate and the rate of that day. Every line names the row that set its rate
(`Line.rate_source`: the act and its number), as the calculation for a court must.

Amounts are in minor units. Line amounts are exact Decimals; only the item's total is rounded,
half up, to the minor unit — so the lines add up to the total before rounding."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

ONE_DAY = timedelta(days=1)
_CONTEXT = Context(prec=40)


class RateMissing(ValueError):
    """No rate row covers a day the computation needs."""


@dataclass(frozen=True)
class Rule:
    """How a kind of debt accrues: `steps` maps the first day of delay of a step to its daily
    divisor (None: nothing accrues); `daily_rate` takes the rate of each day rather than one
    rate per paid part (statutory interest does, the Russian housing code does not)."""

    code: str
    steps: tuple[tuple[int, int | None], ...]
    daily_rate: bool = False
    source: str = ""  # the act that sets the steps

    def divisor(self, day_number: int) -> int | None:
        current = None
        for first, divisor in self.steps:
            if day_number >= first:
                current = divisor
        return current


RU_ORDINARY = Rule("ru", ((1, None), (31, 300), (91, 130)))
RU_CAPITAL_REPAIR = Rule("ru_capital_repair", ((1, 300),))
SEPA = Rule("sepa", ((1, 365),), daily_rate=True)
RULES = {rule.code: rule for rule in (RU_ORDINARY, RU_CAPITAL_REPAIR, SEPA)}


@dataclass(frozen=True)
class RateTable:
    """Dated rows (valid_from, annual percent[, source]), each valid until the next one."""

    rows: tuple[tuple[date, Decimal], ...]
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, rows: Iterable[tuple]) -> RateTable:
        ordered = sorted(
            (row[0], Decimal(str(row[1])), row[2] if len(row) > 2 else "") for row in rows
        )
        return cls(
            tuple((day, percent) for day, percent, _ in ordered),
            tuple(source for _, _, source in ordered),
        )

    def __post_init__(self):
        object.__setattr__(self, "_days", [row[0] for row in self.rows])

    def _index(self, day: date) -> int:
        index = bisect.bisect_right(self._days, day) - 1
        if index < 0:
            raise RateMissing(f"no rate in force on {day:%Y-%m-%d}")
        return index

    def on(self, day: date) -> Decimal:
        return self.rows[self._index(day)][1]

    def source_on(self, day: date) -> str:
        index = self._index(day)
        return self.sources[index] if index < len(self.sources) else ""

    def changes(self) -> list[date]:
        return [row[0] for row in self.rows]


@dataclass(frozen=True)
class PolicyPeriod:
    """A moratorium (no accrual on its days, for debts due before `debts_due_before` when set)
    or a fixed rate (`rate_percent` for parts whose reference day falls inside). Dates are
    inclusive; `date_to` None is open-ended."""

    kind: str  # "moratorium" | "fixed_rate" | "rate_cap"
    date_from: date
    date_to: date | None
    name: str = ""
    rate_percent: Decimal | None = None
    debts_due_before: date | None = None
    source: str = ""  # the act, e.g. "Постановление Правительства РФ от 18.03.2025 № 329"

    def covers(self, day: date) -> bool:
        return self.date_from <= day and (self.date_to is None or day <= self.date_to)

    def applies_to(self, due_date: date) -> bool:
        return self.debts_due_before is None or due_date < self.debts_due_before


@dataclass(frozen=True)
class Movement:
    """A clearing of the item on a day: positive pays, negative (a reversal) reopens."""

    day: date
    amount: int


@dataclass(frozen=True)
class Part:
    """A part of the debt with its own end of delay: paid on `paid_on`, or still unpaid
    (`paid_on` None) at the calculation date. `rate_percent` is None under a daily rate."""

    amount: int
    paid_on: date | None
    reference_day: date
    rate_percent: Decimal | None
    rate_source: str = ""


@dataclass(frozen=True)
class Line:
    date_from: date
    date_to: date
    days: int
    base: int
    rate_percent: Decimal
    fraction: str  # "1/300" | "1/130" | "1/365"
    amount: Decimal  # minor units, exact
    note: str = ""  # the moratorium that stopped accrual on these days
    rate_source: str = ""  # the row that set the rate: the act and its number

    @property
    def amount_rounded(self) -> Decimal:
        return self.amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemPenalty:
    due_date: date
    amount: int
    as_of: date
    parts: tuple[Part, ...]
    lines: tuple[Line, ...]
    exact: Decimal  # minor units, the sum of the lines
    total: int = field(default=0)  # minor units, rounded half up


def parts_of(amount: int, movements: Sequence[Movement], as_of: date) -> list[tuple[int, date]]:
    """The paid parts as (amount, day), oldest first: movements after `as_of` are ignored; a
    reversal cancels the latest earlier payments first; payments beyond the amount are cut."""
    paid: list[list] = []
    for movement in sorted(
        (m for m in movements if m.day <= as_of), key=lambda m: (m.day, m.amount < 0)
    ):
        if movement.amount > 0:
            paid.append([movement.amount, movement.day])
            continue
        cancel = -movement.amount
        while cancel and paid:
            take = min(cancel, paid[-1][0])
            paid[-1][0] -= take
            cancel -= take
            if paid[-1][0] == 0:
                paid.pop()
    result, left = [], max(amount, 0)
    for part_amount, day in paid:
        take = min(part_amount, left)
        if take:
            result.append((take, day))
        left -= take
    return result


def penalty_compute(
    *,
    due_date: date,
    amount: int,
    movements: Sequence[Movement] = (),
    as_of: date,
    rule: Rule = RU_ORDINARY,
    rates: RateTable,
    policies: Sequence[PolicyPeriod] = (),
    count_payment_day: bool = True,
) -> ItemPenalty:
    """The penalty of one open item of `amount` minor units due on `due_date`, through
    `as_of` inclusive. `count_payment_day`: the day of payment is a day of delay."""
    with localcontext(_CONTEXT):
        paid = parts_of(amount, movements, as_of)
        unpaid = max(amount, 0) - sum(part for part, _ in paid)
        raw = [(part, day) for part, day in paid] + ([(unpaid, None)] if unpaid > 0 else [])
        moratoria = [p for p in policies if p.kind == "moratorium" and p.applies_to(due_date)]
        fixed = [
            p
            for p in policies
            if p.kind in ("fixed_rate", "rate_cap") and p.rate_percent is not None
        ]
        parts = []
        for part_amount, paid_on in raw:
            reference = paid_on or as_of
            rate, source = (None, "") if rule.daily_rate else _rate(reference, rates, fixed)
            parts.append(Part(part_amount, paid_on, reference, rate, source))

        segments = []  # (first day, last day, base, rate, divisor, note)
        for part in parts:
            if part.paid_on is None:
                last = as_of
            else:
                last = part.paid_on if count_payment_day else part.paid_on - ONE_DAY
            first = due_date + ONE_DAY
            if last < first:
                continue
            segments.extend(_segments(part, first, last, due_date, rule, rates, fixed, moratoria))
        lines = _lines(segments)
        exact = sum((line.amount for line in lines), Decimal(0))
        total = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return ItemPenalty(due_date, amount, as_of, tuple(parts), tuple(lines), exact, total)


def _rate(day: date, rates: RateTable, fixed: Sequence[PolicyPeriod]) -> tuple[Decimal, str]:
    """The annual rate for `day` and the row that set it: a fixed rate in force that day, the
    lower of a cap and the table's rate, else the table's rate."""
    for period in fixed:
        if not period.covers(day):
            continue
        label = period.source or period.name
        if period.kind == "rate_cap":
            table = rates.on(day)
            if table < period.rate_percent:
                return max(table, Decimal(0)), f"{rates.source_on(day)} ({label})".strip()
        return max(period.rate_percent, Decimal(0)), label
    return max(rates.on(day), Decimal(0)), rates.source_on(day)


def _segments(part, first, last, due_date, rule, rates, fixed, moratoria):
    """Splits the part's delay [first, last] where anything that changes the daily amount
    changes: a step of the rule, a moratorium edge, a rate change (daily rates only)."""
    cuts = {first, last + ONE_DAY}
    for day_number, _ in rule.steps:
        cuts.add(due_date + timedelta(days=day_number))
    for period in moratoria:
        cuts.add(period.date_from)
        if period.date_to is not None:
            cuts.add(period.date_to + ONE_DAY)
    if rule.daily_rate:
        cuts.update(rates.changes())
        for period in fixed:
            cuts.add(period.date_from)
            if period.date_to is not None:
                cuts.add(period.date_to + ONE_DAY)
    bounds = sorted(day for day in cuts if first <= day <= last + ONE_DAY)
    result = []
    for start, stop in zip(bounds, bounds[1:], strict=False):
        divisor = rule.divisor((start - due_date).days)
        if divisor is None:
            continue
        if rule.daily_rate:
            rate, source = _rate(start, rates, fixed)
        else:
            rate, source = part.rate_percent, part.rate_source
        moratorium = next((p for p in moratoria if p.covers(start)), None)
        note = (moratorium.name or "moratorium") if moratorium else ""
        if moratorium is not None:
            source = moratorium.source or moratorium.name
        result.append((start, stop - ONE_DAY, part.amount, rate, divisor, note, source))
    return result


def _lines(segments) -> list[Line]:
    """Parts that run over the same days at the same rate and step add up into one base; runs
    of days with the same base, rate and step make one line."""
    if not segments:
        return []
    runs: list[list] = []  # [from, to, base, rate, divisor, note, source]
    if _disjoint(segments):
        # One part (the usual case): its segments follow each other; merge equal neighbours.
        for segment in sorted(segments):
            if runs and runs[-1][1] + ONE_DAY == segment[0] and runs[-1][2:] == list(segment[2:]):
                runs[-1][1] = segment[1]
            else:
                runs.append(list(segment))
        return _as_lines(runs)
    cuts = sorted({s[0] for s in segments} | {s[1] + ONE_DAY for s in segments})
    for start, stop in zip(cuts, cuts[1:], strict=False):
        bases: dict[tuple, int] = defaultdict(int)
        for first, last, base, rate, divisor, note, source in segments:
            if first <= start and stop - ONE_DAY <= last:
                bases[(rate, divisor, note, source)] += base
        for (rate, divisor, note, source), base in sorted(
            bases.items(), key=lambda kv: (kv[0][0], kv[0][3])
        ):
            previous = next(
                (
                    run
                    for run in reversed(runs)
                    if run[1] + ONE_DAY == start and run[2:] == [base, rate, divisor, note, source]
                ),
                None,
            )
            if previous is not None:
                previous[1] = stop - ONE_DAY
            else:
                runs.append([start, stop - ONE_DAY, base, rate, divisor, note, source])
    return _as_lines(runs)


def _disjoint(segments) -> bool:
    ordered = sorted(segments)
    return all(a[1] < b[0] for a, b in zip(ordered, ordered[1:], strict=False))


def _as_lines(runs) -> list[Line]:
    lines = []
    for first, last, base, rate, divisor, note, source in sorted(runs, key=lambda r: r[:4]):
        days = (last - first).days + 1
        amount = (
            Decimal(0) if note else Decimal(base) * rate / Decimal(100) * days / Decimal(divisor)
        )
        lines.append(Line(first, last, days, base, rate, f"1/{divisor}", amount, note, source))
    return lines
