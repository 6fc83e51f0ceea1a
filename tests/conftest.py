import datetime as dt
import os

import pytest
import time_machine
from django.db import connection

# A fixed "today" for the tests that depend on the date: a Friday in November 2026, the month
# the worked example of payment-standards.md §6.3 is paid in. Moscow 12:00 is 09:00 UTC.
FROZEN_NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


# The servers on loopback that tests send to: SMTP (aiosmtpd) and SFTP (asyncssh).
pytest_plugins = ["tests.smtp_server", "tests.integrations.sftp_server"]


def pytest_addoption(parser):
    parser.addoption(
        "--clock-shift-days",
        type=int,
        default=int(os.environ.get("CLOCK_SHIFT_DAYS") or 0),
        help="run the whole suite with the clock moved this many days (CI runs it at +400): a "
        "test that passes only in one month fails here. Env: CLOCK_SHIFT_DAYS.",
    )


def pytest_configure(config):
    from django.conf import settings

    # The demo's file cache for the sandbox acquirer would outlive a test run (and be shared by
    # xdist workers); tests keep the acquirer's state in the process's own cache.
    settings.CACHES.pop("sandbox_acquirer", None)
    days = config.getoption("--clock-shift-days")
    if days:
        shifted = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        config._clock_shift = time_machine.travel(shifted, tick=True)
        config._clock_shift.start()


def pytest_unconfigure(config):
    shift = getattr(config, "_clock_shift", None)
    if shift is not None:
        shift.stop()


def pytest_report_header(config):
    days = config.getoption("--clock-shift-days")
    return f"clock shifted by {days} days: today is {dt.date.today()}" if days else None


@pytest.fixture
def clock():
    """The shared frozen clock: a test that reads "today" takes this fixture and starts at
    FROZEN_NOW (a Friday, 20.11.2026, 12:00 in Moscow); `clock.move_to(...)` moves it, and
    `clock.shift(...)` moves it by a timedelta. Time does not tick."""
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path_factory):
    """Files the code keeps (received imports, reports) go to a temporary folder, never var/."""
    folder = tmp_path_factory.mktemp("files")
    settings.MEDIA_ROOT = str(folder / "media")
    settings.VAR_DIR = folder / "var"


@pytest.fixture
def postgres(db):
    """Marks a test that needs PostgreSQL. With no PostgreSQL DATABASE_URL it fails loudly:
    CI runs the suite once on PostgreSQL, where these tests must run."""
    if connection.vendor != "postgresql":
        pytest.fail(
            "this test needs PostgreSQL: run with DATABASE_URL=postgres://… "
            f"(current database: {connection.vendor})"
        )


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests run when DATABASE_URL points at PostgreSQL and are deselected (and
    counted in the summary) on the SQLite run, as DESIGN.md "Running it" describes."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))
    if on_postgres:
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _seeded_rows_after_a_flush(request):
    """A transactional test's flush empties every table, the legal rows the migrations seeded
    (penalty rates, contact limits, due-date rules, the production calendar) included;
    pytest-django runs those tests last, so each of them gets the rows back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if not transactional and not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    from debt_collection import models
    from debt_collection.penalty_seed import rates_seed

    if not models.KeyRate.objects.exists():
        rates_seed(lambda name: getattr(models, name))
    from debt_collection.contact_limit_seed import contact_limits_seed

    if not models.ContactLimit.objects.exists():
        contact_limits_seed(lambda name: getattr(models, name))
    from warehouse import models as warehouse_models
    from warehouse.legal_seed import legal_calendar_seed

    if not warehouse_models.DueDateRule.objects.exists():
        legal_calendar_seed(lambda name: getattr(warehouse_models, name))


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language (a Russian page's, say) active in the thread, and choice
    labels are lazy: each test starts in the default language whatever ran before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
