"""The demo seeded once per frozen day (module scope, rolled back after the module): the seed
replays the demo's months up to that day (`demo.month`), so each day gives another picture."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.test.utils import override_settings

ACCOUNTS = "12"

# The days the demo is seeded on (UTC instants; the demo tenants are in Moscow and Berlin):
# the 1st before its documents are out, the 15th (a due day), the 31st of a year's last month,
# and a January (the New Year holidays, the year's first period).
DAYS = {
    "the-1st": dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC),
    "the-15th": dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC),
    "the-31st": dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC),
    "a-january": dt.datetime(2027, 1, 20, 9, 0, tzinfo=dt.UTC),
}

# The sandbox acquirer the stuck checkout is opened with (the seed reaches it on a loopback
# server of its own; off in the tests' settings otherwise).
SANDBOX = {
    "SANDBOX_ACQUIRER": {
        "enabled": True,
        "api_key": "sandbox-demo-test-key",
        "webhook_secret": "sandbox-demo-test-whsec",
        "webhook_url": "http://127.0.0.1:9/api/v1/providers/sandbox/webhook",
    },
    "PAYMENT_PROVIDERS": {
        "sandbox": {
            "adapter": "sandbox",
            "name": "Card (sandbox)",
            "base_url": "http://127.0.0.1:9/sandbox-acquirer",
            "secret": "sandbox-demo-test-key",
            "webhook_secret": "sandbox-demo-test-whsec",
            "rules": {"min_amount": 100, "channels": ["cabinet", "pay_link"]},
            "tenants": "*",
        }
    },
}


def seed(out, *extra) -> str:
    stdout = io.StringIO()
    call_command(
        "seed_demo", "--accounts", ACCOUNTS, "--seed", "3", "--out", str(out), *extra, stdout=stdout
    )
    return stdout.getvalue()


@pytest.fixture(scope="module", params=list(DAYS))
def seeded_on(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """(the frozen instant, the seed's output) for each day of DAYS."""
    now = DAYS[request.param]
    out = tmp_path_factory.mktemp(f"demo-{request.param}")
    with (
        django_db_blocker.unblock(),
        time_machine.travel(now, tick=False),
        override_settings(**SANDBOX),
    ):
        atomics = TestCase._enter_atomics()
        try:
            yield now, seed(out), out
        finally:
            TestCase._rollback_atomics(atomics)
