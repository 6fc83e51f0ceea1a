"""How one payment is spread over an account's open items, and what the operator withholds.

Pure functions over plain values: no Django, no database. Amounts are ints in minor units
(kopecks, cents). Every result is exact (parts plus advance always equal the payment) and
deterministic: it depends neither on the order items are passed in nor on floating point.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from core.money import largest_remainder, percent_of


@dataclass(frozen=True)
class Item:
    """An open item as allocation sees it: what an account still owes one supplier for one
    period."""

    id: int
    supplier_id: int
    period: str  # "YYYY-MM"
    is_penalty: bool
    open_amount: int  # > 0 (credit items are never passed in)


@dataclass(frozen=True)
class Part:
    item_id: int
    supplier_id: int
    period: str
    amount: int  # > 0


@dataclass(frozen=True)
class Credit:
    """A credit item as netting sees it: what one supplier owes the account back for one
    period (a recalculation in the payer's favour)."""

    id: int
    supplier_id: int
    period: str  # "YYYY-MM"
    open_amount: int  # < 0


@dataclass(frozen=True)
class Offset:
    """`amount` of credit `credit_id` set against debt item `item_id` of the same supplier."""

    credit_id: int
    item_id: int
    supplier_id: int
    credit_period: str
    period: str  # the debt item's
    amount: int  # > 0


@dataclass(frozen=True)
class Allocation:
    parts: tuple[Part, ...]  # amount > 0, sorted by (period, is_penalty, supplier_id, item_id)
    advance: int  # what is left over, >= 0

    @property
    def total(self) -> int:
        """What went to items; total + advance is the payment."""
        return sum(p.amount for p in self.parts)

    def by_supplier(self) -> dict[int, int]:
        """Allocated amount per supplier_id, keys in ascending order."""
        result: dict[int, int] = {}
        for part in sorted(self.parts, key=lambda p: p.supplier_id):
            result[part.supplier_id] = result.get(part.supplier_id, 0) + part.amount
        return result


class Order(StrEnum):
    # Oldest period first, pro rata across items within a period; penalty items only after all
    # charge items (penalties themselves oldest period first, pro rata within a period).
    OLDEST_FIRST = "oldest_first"
    # All charge items pro rata at once; then all penalty items pro rata.
    PRO_RATA = "pro_rata"


class AllocationRefused(Exception):
    """The payer's instruction cannot be carried out; `code` is stable for APIs and forms,
    `fields` names what is wrong (e.g. {supplier_id: "..."})."""

    def __init__(self, message: str, code: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}


@dataclass(frozen=True)
class CommissionRule:
    percent: Decimal = Decimal(0)  # 0..100, at most 2 decimals
    fixed: int = 0  # minor units per payment
    minimum: int = 0
    maximum: int | None = None

    def __post_init__(self):
        percent = Decimal(self.percent)
        if not (0 <= percent <= 100) or percent != percent.quantize(Decimal("0.01")):
            raise ValueError(f"percent must be 0..100 with at most 2 decimals: {self.percent}")
        if self.fixed < 0 or self.minimum < 0:
            raise ValueError("fixed and minimum must not be negative")
        if self.maximum is not None and self.maximum < self.minimum:
            raise ValueError("maximum must not be below minimum")
        object.__setattr__(self, "percent", percent)


def _check_items(items: Sequence[Item]) -> None:
    ids = set()
    for item in items:
        if item.open_amount <= 0:
            raise ValueError(f"item {item.id} is not open: {item.open_amount}")
        if item.id in ids:
            raise ValueError(f"item {item.id} is passed twice")
        ids.add(item.id)


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise AllocationRefused(f"bad payment amount: {amount!r}", "bad_amount")


def _groups(items: Iterable[Item], order: Order) -> list[list[Item]]:
    """Items in the order they are paid: a list of groups, each paid pro rata within itself.
    Within a group items are sorted by (supplier_id, id), which fixes the tie-break."""
    if order == Order.OLDEST_FIRST:
        keys = sorted({(item.is_penalty, item.period) for item in items})
        groups = [[i for i in items if (i.is_penalty, i.period) == key] for key in keys]
    elif order == Order.PRO_RATA:
        groups = [[i for i in items if not i.is_penalty], [i for i in items if i.is_penalty]]
    else:
        raise ValueError(f"unknown order: {order!r}")
    return [sorted(g, key=lambda i: (i.supplier_id, i.id)) for g in groups if g]


def _fill(rest: int, groups: Iterable[list[Item]]) -> tuple[dict[Item, int], int]:
    """Pay groups in turn: clear a group fully while the rest covers it; split what remains pro
    rata over the first group it does not cover, and stop. Returns amounts and the rest."""
    paid: dict[Item, int] = {}
    for group in groups:
        if rest == 0:
            break
        open_total = sum(item.open_amount for item in group)
        if rest >= open_total:
            amounts = [item.open_amount for item in group]
        else:
            amounts = largest_remainder(rest, [item.open_amount for item in group])
        paid.update(zip(group, amounts, strict=True))
        rest -= sum(amounts)
    return paid, rest


def _result(paid: Mapping[Item, int], advance: int) -> Allocation:
    items = sorted(
        (item for item, amount in paid.items() if amount > 0),
        key=lambda i: (i.period, i.is_penalty, i.supplier_id, i.id),
    )
    parts = tuple(Part(i.id, i.supplier_id, i.period, paid[i]) for i in items)
    return Allocation(parts=parts, advance=advance)


def allocate(amount: int, items: Sequence[Item], order: Order = Order.OLDEST_FIRST) -> Allocation:
    """The default rule: pay the groups of `order` in turn, the rest is an advance."""
    _check_amount(amount)
    _check_items(items)
    paid, rest = _fill(amount, _groups(items, order))
    return _result(paid, rest)


def allocate_document(
    amount: int,
    items: Sequence[Item],
    document_item_ids: Collection[int],
    order: Order = Order.OLDEST_FIRST,
) -> Allocation:
    """A payment for a document: its items first, pro rata all at once (charges and penalties
    together); any rest goes over the other items by the default rule, then to advance.
    Document ids without an open item (already paid) are ignored."""
    _check_amount(amount)
    _check_items(items)
    wanted = set(document_item_ids)
    document = sorted((i for i in items if i.id in wanted), key=lambda i: (i.supplier_id, i.id))
    others = [i for i in items if i.id not in wanted]
    paid, rest = _fill(amount, [document] if document else [])
    more, rest = _fill(rest, _groups(others, order))
    return _result({**paid, **more}, rest)


def allocate_explicit(amount: int, items: Sequence[Item], split: Mapping[int, int]) -> Allocation:
    """The payer chose how much each supplier gets; within a supplier the amount goes oldest
    period first, charges before penalties. Nothing is left for an advance."""
    _check_amount(amount)
    _check_items(items)
    bad = {
        s: "must be a positive amount"
        for s, a in split.items()
        if isinstance(a, bool) or not isinstance(a, int) or a <= 0
    }
    if bad:
        raise AllocationRefused("split amounts must be positive", "bad_amount", bad)
    open_by_supplier: dict[int, int] = {}
    for item in items:
        open_by_supplier[item.supplier_id] = (
            open_by_supplier.get(item.supplier_id, 0) + item.open_amount
        )
    unknown = {s: "no open items for this supplier" for s in split if s not in open_by_supplier}
    if unknown:
        raise AllocationRefused(
            "split names a supplier with nothing open", "unknown_supplier", unknown
        )
    over = {
        s: f"more than the {open_by_supplier[s]} open"
        for s, a in split.items()
        if a > open_by_supplier[s]
    }
    if over:
        raise AllocationRefused("split exceeds what is open", "split_exceeds_open", over)
    if sum(split.values()) != amount:
        raise AllocationRefused(
            f"split adds up to {sum(split.values())}, not to the payment {amount}",
            "split_not_total",
        )
    paid: dict[Item, int] = {}
    for supplier_id, share in split.items():
        own = [i for i in items if i.supplier_id == supplier_id]
        more, rest = _fill(share, _groups(own, Order.OLDEST_FIRST))
        assert rest == 0  # share <= the supplier's open total
        paid.update(more)
    return _result(paid, 0)


def commission(share: int, rule: CommissionRule) -> int:
    """The operator's commission withheld from one supplier's share of one payment: percent
    rounded half-up to the minor unit, plus fixed, clamped to [minimum, maximum], and never
    more than the share itself."""
    if share <= 0:
        return 0
    value = percent_of(share, rule.percent) + rule.fixed
    value = max(value, rule.minimum)
    if rule.maximum is not None:
        value = min(value, rule.maximum)
    return max(0, min(value, share))


def commission_step(share: int, rule: CommissionRule, *, before_share: int, withheld: int) -> int:
    """The commission one booking of a payment withholds from a supplier's `share`, when the
    same payment already brought the supplier `before_share` (its earlier bookings: the payment
    itself, its advance applied before) and `withheld` was taken from those.

    The rule is one per payment and supplier: the percent, the fixed fee and the minimum and
    maximum apply to the supplier's whole share of the payment, however many bookings it takes
    to arrive. So each booking withholds the rule on the new total less what was withheld:
    `commission(before_share + share) - withheld`. `commission` never falls as the share grows
    and grows by at most what the share grows (the percent is at most 100 % and rounds half-up,
    the fixed fee and the bounds are constants, the share caps it), so the step is between 0 and
    `share` and the steps of a payment add up to `commission(total share)` exactly. Clamped to
    that range all the same, for bookings made under an earlier rule."""
    if share <= 0:
        return 0
    step = commission(before_share + share, rule) - withheld
    return max(0, min(step, share))


def commission_parts(total_commission: int, amounts: Sequence[int]) -> list[int]:
    """Spread one supplier's commission over its parts pro rata, summing exactly; since the
    commission never exceeds the share, no part's commission exceeds its gross amount."""
    if total_commission < 0 or total_commission > sum(amounts):
        raise ValueError("commission must be between 0 and the sum of the amounts")
    if total_commission == 0:
        return [0] * len(amounts)
    return largest_remainder(total_commission, amounts)


def net_credits(credits: Sequence[Credit], items: Sequence[Item]) -> tuple[Offset, ...]:
    """Sets each credit against its own supplier's open debts of the account, as a payment of
    the credit's size would be spread: oldest period first, pro rata across the items of a
    period (largest remainder), charge items before penalty items. Credits are used in the order
    (supplier, period, id), each on what the ones before left open. A credit takes at most what
    its supplier's debts hold; the rest of it stays open. Never across suppliers.

    Invariants: every offset's amount is > 0; per credit the offsets sum to at most
    -open_amount; per debt item to at most its open amount. Offsets come in the order the
    credits are used, and per credit in the order of `Allocation.parts`."""
    _check_items(items)
    ids = set()
    for credit in credits:
        if credit.open_amount >= 0:
            raise ValueError(f"credit {credit.id} is not a credit: {credit.open_amount}")
        if credit.id in ids or credit.id in {item.id for item in items}:
            raise ValueError(f"credit {credit.id} is passed twice")
        ids.add(credit.id)
    open_amounts = {item: item.open_amount for item in items}
    offsets: list[Offset] = []
    for credit in sorted(credits, key=lambda c: (c.supplier_id, c.period, c.id)):
        debts = [
            replace(item, open_amount=amount)
            for item, amount in open_amounts.items()
            if item.supplier_id == credit.supplier_id and amount > 0
        ]
        if not debts:
            continue
        wanted = min(-credit.open_amount, sum(item.open_amount for item in debts))
        paid, rest = _fill(wanted, _groups(debts, Order.OLDEST_FIRST))
        assert rest == 0  # wanted <= what the debts hold
        by_id = {item.id: item for item in open_amounts}
        for part in _result(paid, 0).parts:
            open_amounts[by_id[part.item_id]] -= part.amount
            offsets.append(
                Offset(
                    credit.id,
                    part.item_id,
                    credit.supplier_id,
                    credit.period,
                    part.period,
                    part.amount,
                )
            )
    return tuple(offsets)
