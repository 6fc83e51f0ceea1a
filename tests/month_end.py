"""Month-end as the operator runs it: the period's penalty run, then its close. Tests that need
closed periods close them through here; `tests/invoicing/test_period_close.py` and the penalty
tests check the order itself (a close without its run is refused)."""

from debt_collection.services.penalty_runs import penalty_run
from invoicing.services.closing import period_close
from warehouse.services.periods import period_is_locked


def month_end_close(*, tenant, period: str, actor=None, **options):
    """`penalty_run` (unless the period is already locked: a resumed close) then `period_close`;
    returns the close's result."""
    if not period_is_locked(tenant, period):
        penalty_run(tenant=tenant, period=period, actor=actor)
    return period_close(tenant=tenant, period=period, actor=actor, **options)
