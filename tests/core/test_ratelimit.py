"""The one rate-limit mechanism (core.ratelimit): a lockout policy read over a log of attempts
(account linking) or a counter on a row (the pay link's TAN), and fixed windows in the cache
(sign-in, code entry) — each keeping its attempts where it must."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from cabinet import ratelimit as cabinet_limits
from cabinet.linking import LINK_LOCKOUT
from core import ratelimit
from core.ratelimit import CacheLimit, Lockout
from invoicing.services.pay_links import TAN_LOCKOUT

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOUR = Lockout(attempts=3, window=timedelta(hours=1))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_a_log_locks_at_the_last_attempt_until_the_oldest_counted_leaves_the_window():
    log = [START + timedelta(minutes=m) for m in (50, 20, 10)]  # newest first
    assert HOUR.until_of_log(log[:2]) is None
    assert HOUR.until_of_log(log) == START + timedelta(minutes=70)
    assert HOUR.since(START + timedelta(minutes=70)) == START + timedelta(minutes=10)


def test_a_counter_locks_at_the_last_failure_and_starts_again():
    failures, until = 0, None
    for _ in range(2):
        failures, until = HOUR.after_failure(failures, START)
        assert until is None
    failures, until = HOUR.after_failure(failures, START)
    assert (failures, until) == (0, START + timedelta(hours=1))
    assert Lockout.locked(until, START + timedelta(minutes=59))
    assert not Lockout.locked(until, until)
    assert not Lockout.locked(None, START)


def test_the_limits_users_are_told_of_are_unchanged():
    assert (LINK_LOCKOUT.attempts, LINK_LOCKOUT.window) == (5, timedelta(hours=1))
    assert (TAN_LOCKOUT.attempts, TAN_LOCKOUT.window) == (5, timedelta(hours=1))
    assert (cabinet_limits.SIGN_IN_PER_USER.limit, cabinet_limits.SIGN_IN_PER_USER.window) == (
        5,
        15 * 60,
    )


def test_a_cache_window_blocks_at_its_limit_until_it_ends(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    limit = CacheLimit("tries", limit=2, window=600)
    assert [limit.hit(" Olga@Example.org"), limit.hit("olga@example.org")] == [1, 2]
    assert limit.blocked("OLGA@example.org") and not limit.blocked("someone-else")
    clock[0] += 120
    assert limit.retry_after("olga@example.org") == 480 and ratelimit.minutes(480) == 8
    limit.clear("olga@example.org")
    assert not limit.blocked("olga@example.org")


def test_the_cabinets_limits_keep_their_cache_keys():
    """Counts made before the move still count after it: the keys are the cabinet's."""
    key = cabinet_limits.CODE_PER_IP._key("10.0.0.1")
    assert key.startswith("cabinet:rl:code-ip:")
    cabinet_limits.CODE_PER_IP.hit("10.0.0.1")
    assert cache.get(key) == 1
