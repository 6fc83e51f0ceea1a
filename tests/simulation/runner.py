"""`simulate`: builds the world on a fresh database, then runs the days under a virtual clock
(time-machine), checking every invariant after each day. A violation stops the run with the
day, the invariant, its values and the command that replays it."""

import contextlib
import datetime as dt
import io
import logging
import time
from dataclasses import dataclass, field

import time_machine
from django.test import override_settings

from tests.simulation.doubles import Outside
from tests.simulation.faults import Faults
from tests.simulation.invariants import Violation, check_all
from tests.simulation.scenario import SANDBOX_WHSEC, Simulation
from tests.simulation.world import world_build

# The first simulated day: a month start drawn from the seed within 2024–2027, so that seeds
# cross the legal calendar's changes (the key rate, the moratoria of penalties) and year ends.
FIRST_MONTH = (2024, 1)
MONTHS_SPAN = 48


def first_day(seed: int) -> dt.date:
    index = FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + seed * 7 % MONTHS_SPAN
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Outcome:
    seed: int
    days: int = 0
    violations: list[Violation] = field(default_factory=list)
    failed_on: dt.date | None = None
    error: str = ""
    stats: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.violations and not self.error


def replay_command(*, seed, months, accounts, tenants, faults, until=None, without=()) -> str:
    command = (
        f"python manage.py simulate --seed {seed} --months {months} --accounts {accounts}"
        f" --tenants {tenants} --faults {faults}"
    ) + "".join(f" --without {part}" for part in without)
    return command + (f" --until {until}" if until else "")


def simulate(
    *,
    seed: int,
    months: int,
    accounts: int = 40,
    tenants: int = 2,
    faults: int = 1,
    until: dt.date | None = None,
    without: tuple[str, ...] = (),
    log=print,
) -> Outcome:
    started = time.monotonic()
    outcome = Outcome(seed=seed)
    start = first_day(seed)
    end = _add_months(start, months)
    outside = Outside().start()
    providers = {
        "sandbox": {
            "adapter": "sandbox",
            "name": "Card (sandbox)",
            "base_url": outside.base,
            "secret": "sim-acquirer-key",
            "webhook_secret": SANDBOX_WHSEC,
            "rules": {"min_amount": 1, "channels": ["cabinet"]},
            "tenants": "*",
        }
    }
    overrides = override_settings(
        PAYMENT_PROVIDERS=providers,
        CELERY_TASK_ALWAYS_EAGER=True,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SMS_BACKEND="console",
        WEBHOOK_TIMEOUT=5.0,
        # A terminal's password is checked on every call; PBKDF2's 0.75 s each (issue 21) would
        # be most of a simulated month. The hash does not change what is simulated.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    logging.disable(logging.CRITICAL)  # the services' logs (a fault's 500 too): the run logs itself
    try:
        # The console SMS backend prints every message: the run's own log is the output.
        with (
            contextlib.redirect_stdout(io.StringIO()),
            overrides,
            time_machine.travel(
                dt.datetime.combine(start, dt.time(3), tzinfo=dt.UTC), tick=False
            ) as clock,
            Faults(seed, faults) as fault_points,
        ):
            world = world_build(seed=seed, accounts=accounts, tenants=tenants, outside=outside)
            sim = Simulation(world, faults=fault_points, log=log, without=without)
            today = start
            while today < end:
                try:
                    sim.day(clock, today)
                except Exception as error:  # a crash is a finding too: report it with its day
                    outcome.failed_on, outcome.error = today, f"{type(error).__name__}: {error}"
                    raise
                outcome.days += 1
                found = check_all(sim, today)
                if found:
                    outcome.violations, outcome.failed_on = found, today
                    break
                if until and today >= until:
                    break
                if today.day == 1:
                    log(
                        f"  {today}: {sum(sim.accepted.values())} payments so far, "
                        f"{time.monotonic() - started:.0f} s"
                    )
                today += dt.timedelta(days=1)
            outcome.stats = dict(sim.stats) | {
                "faults injected mid-transaction": fault_points.injected
            }
    except Exception:
        if not outcome.error:
            raise
        import traceback

        outcome.error += "\n" + traceback.format_exc(limit=-6)
    finally:
        outside.stop()
        logging.disable(logging.NOTSET)
    outcome.seconds = time.monotonic() - started
    return outcome


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
