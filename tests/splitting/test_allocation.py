"""The allocation engine and commission arithmetic: examples worked by hand, then properties."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import largest_remainder
from splitting.core.allocation import (
    Allocation,
    AllocationRefused,
    CommissionRule,
    Item,
    Order,
    Part,
    allocate,
    allocate_document,
    allocate_explicit,
    commission,
    commission_parts,
)

PERIODS = [f"2026-{m:02d}" for m in range(1, 7)]


# --- examples -----------------------------------------------------------------------------


def test_largest_remainder_examples():
    # 100/3 = 33 rest 1 each; one unit left over, all remainders equal → earliest index.
    assert largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    # Two units left over, equal remainders → the two earliest.
    assert largest_remainder(2, [1, 1, 1]) == [1, 1, 0]
    # 10 over 1:2:2 → 2, 4, 4 exactly.
    assert largest_remainder(10, [1, 2, 2]) == [2, 4, 4]
    # 7 over 5:0:5 → 3.5 each: floors 3, 3; the unit goes to index 0; weight 0 gets nothing.
    assert largest_remainder(7, [5, 0, 5]) == [4, 0, 3]
    assert largest_remainder(0, [3, 4]) == [0, 0]
    with pytest.raises(ValueError):
        largest_remainder(5, [0, 0])
    with pytest.raises(ValueError):
        largest_remainder(-1, [1])


def test_same_period_two_suppliers_pro_rata():
    # 600.00 and 400.00 open in one period, 500.00 paid: 500 * 6/10 = 300, 500 * 4/10 = 200.
    items = [Item(1, 10, "2026-01", False, 60000), Item(2, 20, "2026-01", False, 40000)]
    result = allocate(50000, items)
    assert result == Allocation(
        parts=(Part(1, 10, "2026-01", 30000), Part(2, 20, "2026-01", 20000)), advance=0
    )
    assert result.by_supplier() == {10: 30000, 20: 20000}
    assert result.total == 50000


def _three_items():
    return [
        Item(1, 1, "2026-01", False, 100),
        Item(2, 2, "2026-02", False, 200),
        Item(3, 1, "2026-01", True, 50),
    ]


def test_oldest_first_example():
    items = _three_items()
    # 250: January's charge 100 cleared, 150 to February's 200, the penalty waits.
    assert allocate(250, items) == Allocation(
        parts=(Part(1, 1, "2026-01", 100), Part(2, 2, "2026-02", 150)), advance=0
    )
    # 400: 100 + 200 + penalty 50 = 350 cleared, 50 advance.
    result = allocate(400, items)
    assert [p.amount for p in result.parts] == [100, 50, 200]  # Jan charge, Jan penalty, Feb
    assert result.advance == 50


def test_pro_rata_example():
    # 150 over the charges 100 and 200 at once: 50 and 100; the penalty waits.
    result = allocate(150, _three_items(), Order.PRO_RATA)
    assert result.parts == (Part(1, 1, "2026-01", 50), Part(2, 2, "2026-02", 100))
    # 320: charges 300 cleared, 20 to the penalty.
    assert allocate(320, _three_items(), Order.PRO_RATA).by_supplier() == {1: 120, 2: 200}


def test_document_example():
    # The document holds February's charge and January's penalty (250 open together):
    # 125 goes pro rata 200:50 → 100 and 25, January's older charge gets nothing.
    items = _three_items()
    result = allocate_document(125, items, {2, 3})
    assert result.parts == (Part(3, 1, "2026-01", 25), Part(2, 2, "2026-02", 100))
    # 300: the document's 250 cleared, 50 of the rest to January's charge.
    result = allocate_document(300, items, {2, 3})
    assert {p.item_id: p.amount for p in result.parts} == {1: 50, 2: 200, 3: 50}
    # Ids with no open item (already paid) are ignored.
    assert allocate_document(100, items, {99}) == allocate(100, items)


def test_explicit_example():
    items = _three_items()
    # Supplier 1 gets 120: its January charge 100 first, then 20 of its penalty.
    result = allocate_explicit(150, items, {1: 120, 2: 30})
    assert {p.item_id: p.amount for p in result.parts} == {1: 100, 2: 30, 3: 20}
    assert result.advance == 0


@pytest.mark.parametrize(
    ("amount", "split", "code", "fields"),
    [
        (200, {2: 201}, "split_exceeds_open", {2}),  # supplier 2 has 200 open
        (100, {1: 50, 2: 40}, "split_not_total", set()),
        (50, {7: 50}, "unknown_supplier", {7}),
        (50, {1: 60, 2: -10}, "bad_amount", {2}),
        (50, {1: 50, 2: 0}, "bad_amount", {2}),
        (-5, {}, "bad_amount", set()),
    ],
)
def test_explicit_refused(amount, split, code, fields):
    with pytest.raises(AllocationRefused) as refused:
        allocate_explicit(amount, _three_items(), split)
    assert refused.value.code == code
    assert set(refused.value.fields) == fields


def test_bad_amount_refused():
    for call in (allocate, lambda a, i: allocate_document(a, i, {1})):
        with pytest.raises(AllocationRefused) as refused:
            call(-1, _three_items())
        assert refused.value.code == "bad_amount"


def test_commission_examples():
    # 1.5% of 123.45: 12345 * 150 = 1851750, + 5000 = 1856750, // 10000 = 185 (above min 50).
    assert commission(12345, CommissionRule(percent=Decimal("1.5"), minimum=50)) == 185
    # Half-up: 1% of 50 is 0.5 → 1; 1% of 49 is 0.49 → 0.
    assert commission(50, CommissionRule(percent=Decimal(1))) == 1
    assert commission(49, CommissionRule(percent=Decimal(1))) == 0
    # 2% of 10000 = 200 + fixed 30 = 230, capped by maximum 210.
    assert commission(10000, CommissionRule(Decimal(2), fixed=30, maximum=210)) == 210
    # Minimum 50 but the share is only 30: never more than the share.
    assert commission(30, CommissionRule(minimum=50)) == 30
    assert commission(0, CommissionRule(minimum=50)) == 0
    assert commission(-10, CommissionRule(fixed=5)) == 0
    for bad in (
        dict(percent=Decimal("1.234")),
        dict(percent=Decimal(101)),
        dict(minimum=10, maximum=5),
    ):
        with pytest.raises(ValueError):
            CommissionRule(**bad)


def test_commission_parts_example():
    # 185 over 8000 and 4345: 185*8000/12345 = 119.89, 185*4345/12345 = 65.11; floors 119 + 65
    # = 184, the leftover unit to the larger remainder (the first).
    assert commission_parts(185, [8000, 4345]) == [120, 65]
    assert commission_parts(0, []) == []
    with pytest.raises(ValueError):
        commission_parts(11, [5, 5])


# --- properties ---------------------------------------------------------------------------


@st.composite
def open_items(draw):
    ids = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=30, unique=True))
    return [
        Item(
            id=item_id,
            supplier_id=draw(st.integers(1, 6)),
            period=draw(st.sampled_from(PERIODS)),
            is_penalty=draw(st.booleans()),
            open_amount=draw(st.integers(1, 10**7)),
        )
        for item_id in ids
    ]


@st.composite
def items_and_amount(draw):
    items = draw(open_items())
    amount = draw(st.integers(0, 2 * sum(i.open_amount for i in items)))
    return items, amount


@st.composite
def explicit_case(draw):
    """Items with a valid split: some of the suppliers with open items, each at most its open."""
    items = draw(open_items())
    open_by_supplier = {}
    for item in items:
        open_by_supplier[item.supplier_id] = open_by_supplier.get(item.supplier_id, 0)
        open_by_supplier[item.supplier_id] += item.open_amount
    chosen = draw(st.lists(st.sampled_from(sorted(open_by_supplier)), unique=True))
    split = {s: draw(st.integers(1, open_by_supplier[s])) for s in chosen}
    return items, split


def paid(result: Allocation) -> dict[int, int]:
    return {p.item_id: p.amount for p in result.parts}


def assert_sound(result: Allocation, items, amount):
    """Properties 1 and 2: exact sum, parts positive and within their items, each item once,
    parts in the documented order."""
    by_id = {i.id: i for i in items}
    assert result.total + result.advance == amount
    assert result.advance >= 0
    ids = [p.item_id for p in result.parts]
    assert len(ids) == len(set(ids))
    for part in result.parts:
        item = by_id[part.item_id]
        assert 0 < part.amount <= item.open_amount
        assert (part.supplier_id, part.period) == (item.supplier_id, item.period)
    keys = [(p.period, by_id[p.item_id].is_penalty, p.supplier_id, p.item_id) for p in result.parts]
    assert keys == sorted(keys)
    assert sum(result.by_supplier().values()) == result.total


def assert_advance_only_when_cleared(result: Allocation, items):
    if result.advance > 0:
        assert paid(result) == {i.id: i.open_amount for i in items}


def assert_oldest_first(result: Allocation, items):
    """Property 5: nothing reaches a later charge while an older charge is left open, nor a
    penalty while any charge is left open, nor a later penalty while an older one is open."""
    amounts = paid(result)

    def left_open(item):
        return amounts.get(item.id, 0) < item.open_amount

    for item in items:
        if not amounts.get(item.id):
            continue
        for other in items:
            if not left_open(other):
                continue
            if not item.is_penalty:
                assert not (not other.is_penalty and other.period < item.period)
            else:
                assert other.is_penalty and other.period >= item.period


@given(items_and_amount(), st.sampled_from(Order))
def test_allocate_sound(case, order):
    items, amount = case
    result = allocate(amount, items, order)
    assert_sound(result, items, amount)
    assert_advance_only_when_cleared(result, items)
    if order == Order.OLDEST_FIRST:
        assert_oldest_first(result, items)
    else:
        amounts = paid(result)
        if any(amounts.get(i.id) for i in items if i.is_penalty):
            assert all(amounts.get(i.id) == i.open_amount for i in items if not i.is_penalty)


@given(items_and_amount(), st.sampled_from(Order), st.randoms(use_true_random=False))
def test_allocate_deterministic_and_order_free(case, order, rnd):
    items, amount = case
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert allocate(amount, items, order) == allocate(amount, items, order)
    assert allocate(amount, shuffled, order) == allocate(amount, items, order)


@given(items_and_amount(), st.data())
def test_allocate_document_sound(case, data):
    items, amount = case
    ids = [i.id for i in items]
    document = set(data.draw(st.lists(st.sampled_from(ids), unique=True)))
    document |= set(data.draw(st.lists(st.integers(10**6 + 1, 10**6 + 5))))  # not open: ignored
    result = allocate_document(amount, items, document)
    assert_sound(result, items, amount)
    assert_advance_only_when_cleared(result, items)
    amounts = paid(result)
    if any(amounts.get(i.id) for i in items if i.id not in document):
        assert all(amounts.get(i.id) == i.open_amount for i in items if i.id in document)
    # The other items are paid exactly as the default rule would pay the rest.
    others = [i for i in items if i.id not in document]
    rest = amount - sum(amounts.get(i.id, 0) for i in items if i.id in document)
    assert paid(allocate(rest, others)) == {k: v for k, v in amounts.items() if k not in document}
    shuffled = data.draw(st.permutations(items))
    assert allocate_document(amount, shuffled, list(reversed(sorted(document)))) == result


@given(explicit_case(), st.data())
def test_allocate_explicit_sound(case, data):
    items, split = case
    amount = sum(split.values())
    result = allocate_explicit(amount, items, split)
    assert_sound(result, items, amount)
    assert result.advance == 0
    assert result.by_supplier() == {s: split[s] for s in sorted(split)}
    for supplier_id in split:
        own = [i for i in items if i.supplier_id == supplier_id]
        assert_oldest_first(result, own)
    assert allocate_explicit(amount, data.draw(st.permutations(items)), split) == result


@given(explicit_case(), st.integers(1, 10**7))
def test_allocate_explicit_refuses_excess_and_wrong_total(case, extra):
    items, split = case
    open_of = {}
    for item in items:
        open_of[item.supplier_id] = open_of.get(item.supplier_id, 0) + item.open_amount
    supplier_id = next(iter(open_of))
    over = {**split, supplier_id: open_of[supplier_id] + extra}
    with pytest.raises(AllocationRefused) as refused:
        allocate_explicit(sum(over.values()), items, over)
    assert refused.value.code == "split_exceeds_open"
    assert supplier_id in refused.value.fields
    with pytest.raises(AllocationRefused) as refused:
        allocate_explicit(sum(split.values()) + extra, items, split)
    assert refused.value.code == "split_not_total"


@given(
    st.integers(0, 10**9),
    st.lists(st.integers(0, 10**7), min_size=1, max_size=30).filter(lambda w: sum(w) > 0),
)
def test_largest_remainder_properties(total, weights):
    parts = largest_remainder(total, weights)
    whole = sum(weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total * weight, whole)) < 1
        if total <= whole:
            assert part <= weight
    # Ties to the earlier index: a unit above the floor never goes to j while a larger
    # remainder, or an equal one at an earlier index, goes without.
    remainders = [total * w % whole for w in weights]
    extra = [part - total * w // whole for part, w in zip(parts, weights, strict=True)]
    assert set(extra) <= {0, 1}
    for i in range(len(weights)):
        for j in range(len(weights)):
            if extra[j] and not extra[i]:
                assert (remainders[i], -i) < (remainders[j], -j)


@given(st.integers(0, 10**6), st.integers(1, 10**6), st.integers(1, 30))
def test_largest_remainder_within_weights(total, weight, n):
    # total <= sum(weights) over equal weights: no part exceeds its weight.
    total = min(total, weight * n)
    assert all(p <= weight for p in largest_remainder(total, [weight] * n))


rules = st.builds(
    CommissionRule,
    percent=st.decimals(0, 100, places=2),
    fixed=st.integers(0, 10**4),
    minimum=st.integers(0, 10**4),
    maximum=st.one_of(st.none(), st.integers(10**4, 10**6)),
)


@given(st.integers(-(10**3), 10**8), rules)
def test_commission_bounds(share, rule):
    c = commission(share, rule)
    assert 0 <= c <= max(share, 0)
    if share >= rule.minimum:
        assert c >= rule.minimum
    if rule.maximum is not None:
        assert c <= rule.maximum
    if share > 0:
        exact = share * rule.percent / 100 + rule.fixed
        bounded = max(exact, rule.minimum)
        if rule.maximum is not None:
            bounded = min(bounded, rule.maximum)
        assert abs(c - min(bounded, share)) <= Decimal("0.5")


@given(st.lists(st.integers(1, 10**7), min_size=1, max_size=30), rules)
def test_commission_parts_sum_and_bounds(amounts, rule):
    total = commission(sum(amounts), rule)
    parts = commission_parts(total, amounts)
    assert sum(parts) == total
    assert all(0 <= c <= gross for c, gross in zip(parts, amounts, strict=True))
