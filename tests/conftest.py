import os

import pytest
from django.db import connection


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
    """A transactional test's flush empties every table, the penalty rates the migrations seeded
    included; pytest-django runs those tests last, so each of them gets the rates back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if not transactional and not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    from debt_collection.models import KeyRate, PenaltyPolicyPeriod, StatutoryRate
    from debt_collection.penalty_seed import rates_seed

    if not KeyRate.objects.exists():
        rates_seed(KeyRate, PenaltyPolicyPeriod, StatutoryRate)


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language (a Russian page's, say) active in the thread, and choice
    labels are lazy: each test starts in the default language whatever ran before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
