"""`manage.py simulate --seed S --months M [--accounts N] [--tenants K] [--faults LEVEL]
[--until YYYY-MM-DD] [--keep]`: the deterministic simulation of tests/simulation on a database
of its own (a file under var/simulation for SQLite, a database `sim_<seed>` on PostgreSQL),
dropped afterwards unless the run failed, stopped --until a day, or --keep."""

import datetime as dt
import hashlib
import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.backends.signals import connection_created

from tests.simulation.runner import first_day, replay_command, simulate


class Command(BaseCommand):
    help = "Runs the deterministic simulation: every invariant checked after every simulated day."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--months", type=int, default=3)
        parser.add_argument("--accounts", type=int, default=40)
        parser.add_argument("--tenants", type=int, default=2, choices=[1, 2])
        parser.add_argument("--faults", type=int, default=1, choices=[0, 1, 2])
        parser.add_argument("--until", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
        parser.add_argument(
            "--drop", action="store_true", help="drop the database even after --until or a failure"
        )
        parser.add_argument(
            "--without",
            action="append",
            default=[],
            choices=["statement-repeats"],
            help="leave a part of the scenario out (to bisect a finding)",
        )

    def handle(self, *args, **options):
        seed, until = options["seed"], options["until"]
        args = {k: options[k] for k in ("seed", "months", "accounts", "tenants", "faults")}
        args["without"] = tuple(options["without"])
        database = _database_create(seed)
        self.stdout.write(
            f"simulation seed {seed}: {options['months']} months from {first_day(seed)}, "
            f"{options['accounts']} accounts × {options['tenants']} tenants, faults "
            f"{options['faults']}, on {connection.vendor} ({database})"
        )
        outcome = simulate(**args, until=until, log=self.stdout.write)
        keep = not options["drop"] and (options["keep"] or until is not None or not outcome.ok)
        for name, count in sorted(outcome.stats.items()):
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write(f"  simulated days: {outcome.days} in {outcome.seconds:.1f} s")
        if keep:
            self.stdout.write(f"database kept for inspection: {database}")
        elif connection.vendor == "sqlite":
            connection.close()
            Path(database).unlink(missing_ok=True)
        else:
            connection.creation.destroy_test_db(database, verbosity=0)
        if outcome.ok:
            self.stdout.write(self.style.SUCCESS(f"seed {seed}: no invariant broken"))
            return
        day = outcome.failed_on
        self.stderr.write(f"seed {seed} FAILED on {day}:")
        for violation in outcome.violations:
            self.stderr.write(f"  {violation}")
        if outcome.error:
            self.stderr.write(f"  crash: {outcome.error}")
        self.stderr.write("replay: " + replay_command(**args, until=day))
        sys.stdout.flush()
        raise CommandError(f"seed {seed} broke an invariant on {day}", returncode=1)


def _database_create(seed: int) -> str:
    """A fresh database for this run, migrated: Django's test-database machinery, named for
    the seed so that a kept one is easy to find."""
    test = connection.settings_dict["TEST"]
    suffix = os.environ.get("SIMULATION_DATABASE_SUFFIX", "")  # runs side by side (the tests)
    if connection.vendor != "sqlite":
        test["NAME"] = f"sim_{seed}{suffix}"
        connection_created.connect(_fast_postgres)
        return connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    # SQLite: the migrated empty database is kept as a template (named for the migrations it
    # holds) and copied, so that each run does not migrate again.
    folder = settings.VAR_DIR / "simulation"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"seed-{seed}{suffix}.sqlite3"
    template = folder / f"template-{_migrations_key()}.sqlite3"
    if not template.exists():
        test["NAME"] = str(folder / f"template-{os.getpid()}.sqlite3")
        built = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        connection.close()
        os.replace(built, template)
    shutil.copyfile(template, target)
    connection.close()
    settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = str(target)
    connection_created.connect(_fast_sqlite)
    return str(target)


def _fast_postgres(sender, connection, **kwargs):
    """A throwaway database: commits do not wait for the WAL flush (a crash loses the last
    transactions of the run, never their consistency)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


def _fast_sqlite(sender, connection, **kwargs):
    """A throwaway database: no fsync per commit (a crash loses the run, never real data)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")


def _migrations_key() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(settings.BASE_DIR).glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]
