"""Seeds that once broke an invariant, run again to the day they failed (issue 19: "a seed that
once failed becomes a regression test"). Each runs `manage.py simulate` in a process of its own,
on a database of its own (SQLite, or PostgreSQL when DATABASE_URL names it), as CI and a
developer run it; the finding's own rule has its focused test beside the code that owns it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (seed, months, accounts, faults, until [and scenario parts left out, as it was found]);
# the id says what it found on the main of its day, the comment where it was fixed
FOUND = [
    pytest.param(
        4,
        3,
        40,
        2,
        "2026-05-10",
        id="seed4-camt-batch-detail-booked-again-alone",  # integrations/statements/camt.py
    ),
    pytest.param(
        3,
        3,
        40,
        1,
        "2025-12-21",
        id="seed3-plan-instalments-paid-by-bill-payments",  # debt_collection/services/plans.py
    ),
    pytest.param(
        1,
        3,
        40,
        1,
        "2024-09-08 --without statement-repeats",
        id="seed1-credit-item-beside-a-debt-of-its-supplier",  # splitting/core/netting.py
    ),
    pytest.param(
        2,
        3,
        40,
        1,
        "2025-04-01 --without statement-repeats",
        id="seed2-commission-withheld-again-on-advances",  # splitting/core/allocation.py
    ),
]


@pytest.mark.parametrize(("seed", "months", "accounts", "faults", "until"), FOUND)
def test_a_seed_that_once_failed_runs_clean_to_its_day(seed, months, accounts, faults, until):
    command = [
        sys.executable,
        "manage.py",
        "simulate",
        "--seed",
        str(seed),
        "--months",
        str(months),
        "--accounts",
        str(accounts),
        "--faults",
        str(faults),
        "--until",
        *until.split(),
        "--drop",
    ]
    env = {k: v for k, v in os.environ.items() if k != "CLOCK_SHIFT_DAYS"}
    env["SIMULATION_DATABASE_SUFFIX"] = f"regression{os.getpid()}"
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"seed {seed}: no invariant broken" in run.stdout
