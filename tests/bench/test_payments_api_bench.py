"""Issue "Payments API throughput": on PostgreSQL, with 200,000 accounts of open items, post
payments through `POST /api/v1/payments` served by gunicorn, from 16 concurrent clients (wrk)
on loopback for 20 s — payments/s and p50/p99 latency. In the same run, pgbench (tpcb-like,
16 clients, 20 s) on the same server gives the yardstick. Goal: ≥ 15 % of pgbench's TPS,
p99 ≤ 100 ms. It also counts the SQL statements one payment takes. BENCH_ACCOUNTS changes the
size; BENCH_WORKERS and BENCH_THREADS the gunicorn workers (threads > 1: gthread)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from psycopg import pq
from rest_framework.authtoken.models import Token

from splitting.core.ledger_check import ledger_check
from splitting.models import Payment
from tests.bench.world import bench_tenant, database_url, free_port, import_file, supplier_files
from warehouse.models import Account, Membership, User

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
PERIOD = "2026-10"
CLIENTS = 16
SECONDS = 20
WARM_UP_SECONDS = 3
ROOT = Path(__file__).resolve().parents[2]

# One wrk script: every request pays a random account a random amount (1.00–300.00) under its
# own external_id and Idempotency-Key; responses are counted by class, and the external ids of
# the 201s are kept so that the test can match them with the payments booked.
WRK_SCRIPT = r"""
local threads, next_id = {}, 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  accounts = {}
  for line in io.lines(args[1]) do accounts[#accounts + 1] = line end
  prefix, token, out = args[2] .. "-" .. tid .. "-", args[3], args[4]
  math.randomseed(os.time() * 97 + tid)
  sent, created, other2xx, client4xx, server5xx, other = 0, 0, 0, 0, 0, 0
  answered = {}
end

function request()
  sent = sent + 1
  local key = prefix .. sent
  local cents = math.random(100, 30000)
  local body = '{"account_number":"' .. accounts[math.random(#accounts)]
    .. '","amount":"' .. string.format("%d.%02d", math.floor(cents / 100), cents % 100)
    .. '","channel":"bank","external_id":"' .. key .. '"}'
  return wrk.format("POST", "/api/v1/payments", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token,
    ["Idempotency-Key"] = key,
  }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    answered[#answered + 1] = string.match(body, '"external_id":"([^"]*)"')
  elseif status >= 200 and status < 300 then other2xx = other2xx + 1
  elseif status >= 400 and status < 500 then client4xx = client4xx + 1
  elseif status >= 500 then server5xx = server5xx + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local f = io.open(threads[1]:get("out"), "w")
  local totals = {sent = 0, created = 0, other2xx = 0, client4xx = 0, server5xx = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, value in pairs(totals) do totals[name] = value + thread:get(name) end
    f:write("prefix ", thread:get("prefix"), " ", thread:get("sent"), "\n")
    for _, id in ipairs(thread:get("answered")) do f:write("id ", id, "\n") end
  end
  for name, value in pairs(totals) do f:write(name, " ", value, "\n") end
  f:write("responses ", summary.requests, "\n", "duration_us ", summary.duration, "\n")
  for name, value in pairs(summary.errors) do f:write("error_", name, " ", value, "\n") end
  f:write("p50_us ", latency:percentile(50), "\n", "p99_us ", latency:percentile(99), "\n")
  f:write("max_us ", latency.max, "\n")
  f:close()
end
"""


def _gunicorn(port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_NAME"}}
    env |= {
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "DEBUG": "False",
        "SECRET_KEY": "bench-payments-api-not-a-secret",
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    args = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application"]
    args += ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--backlog", "256"]
    args += ["--worker-class", "gthread", "--threads", str(THREADS)] if THREADS > 1 else []
    with log.open("wb") as out:
        server = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/payments", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (401/405): up
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise AssertionError(f"gunicorn did not answer within 60 s: {log.read_text()[-2000:]}")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _wrk(port: int, seconds: int, accounts: Path, prefix: str, token: str, folder: Path) -> dict:
    script, out = folder / "payments.lua", folder / f"wrk-{prefix}.txt"
    script.write_text(WRK_SCRIPT)
    done = subprocess.run(
        ["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds}s", "--timeout", "10s"]
        + ["--latency", "-s", str(script), f"http://127.0.0.1:{port}/api/v1/payments"]
        + ["--", str(accounts), prefix, token, str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict = {"ids": set(), "sent_ids": set(), "stdout": done.stdout}
    for line in out.read_text().splitlines():
        name, *values = line.split()
        if name == "id":
            result["ids"].add(values[0])
        elif name == "prefix":
            result["sent_ids"] |= {f"{values[0]}{n}" for n in range(1, int(values[1]) + 1)}
        else:
            result[name] = float(values[0])
    return result


def _pgbench_tps(folder: Path) -> float:
    db = connection.settings_dict
    name = f"{db['NAME']}_pgbench"[:63]
    env = os.environ | {
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"] or "postgres",
        "PGDATABASE": name,
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    admin = dict(host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"], dbname="postgres")
    with psycopg.connect(**admin, password=db.get("PASSWORD") or None, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
        pg.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            ["pgbench", "-i", "-q", "-s", "16"], env=env, capture_output=True, check=True
        )
        run = subprocess.run(
            ["pgbench", "-c", str(CLIENTS), "-j", "2", "-T", str(SECONDS)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        with psycopg.connect(**admin, password=db.get("PASSWORD") or None, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    (folder / "pgbench.txt").write_text(run.stdout)
    found = re.search(r"^tps = ([\d.]+)", run.stdout, re.MULTILINE)
    assert found, run.stdout
    return float(found.group(1))


def _statements_of_one_payment(token: str, account_number: str) -> tuple[list[str], int]:
    """One request through the whole stack in-process: the statements Django sends, and the
    round trips the server sees (libpq's trace: BEGIN and COMMIT included)."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    body = {
        "account_number": account_number,
        "amount": "42.00",
        "channel": "bank",
        "external_id": "count-1",
    }
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile() as trace, CaptureQueriesContext(connection) as captured:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            response = client.post(
                "/api/v1/payments",
                body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="count-1",
            )
        finally:
            pgconn.untrace()
        trace.seek(0)
        sent = trace.read().decode(errors="replace")
    assert response.status_code == 201, response.content
    round_trips = len(re.findall(r"^F\s+\d+\s+(Query|Parse)\b", sent, re.MULTILINE))
    return [q["sql"] for q in captured.captured_queries], round_trips


def _short(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r'"[a-z_]+"\."([a-z_]+)"', r"\1", sql)
    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1)
    sql = re.sub(r"\(\d+(, \d+)+\)", "(…)", sql)
    return sql[:150] + ("…" if len(sql) > 150 else "")


@pytest.mark.django_db(transaction=True)
def test_payments_through_the_api_under_load(tmp_path):
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    assert shutil.which("wrk") and shutil.which("pgbench"), "`make bench` installs wrk, pgbench"
    tenant, generated, layouts = bench_tenant(ACCOUNTS, seed=11)
    for layout, path in supplier_files(generated, layouts, PERIOD, 11, tmp_path):
        assert import_file(tenant, layout, path, PERIOD).status == "posted"
    user = User.objects.create_user(username="bench-bank-gateway")
    Membership.objects.create(user=user, tenant=tenant, role="accountant")
    token = Token.objects.create(user=user).key
    numbers = list(Account.objects.filter(tenant=tenant).values_list("account_number", flat=True))
    accounts_file = tmp_path / "accounts.txt"
    accounts_file.write_text("\n".join(numbers) + "\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    load_before = os.getloadavg()[0]
    port = free_port()
    server = _gunicorn(port, tmp_path / "gunicorn.log")
    try:
        warm = _wrk(port, WARM_UP_SECONDS, accounts_file, "warm", token, tmp_path)
        run = _wrk(port, SECONDS, accounts_file, "run", token, tmp_path)
    finally:
        _stop(server)
    # Counted after the load, in the steady state: the tenant's ledger accounts exist by now.
    statements, round_trips = _statements_of_one_payment(token, numbers[0])
    tps = _pgbench_tps(tmp_path)
    booked = set(
        Payment.objects.filter(tenant=tenant, external_id__startswith="run-").values_list(
            "external_id", flat=True
        )
    )

    seconds = run["duration_us"] / 1e6
    rate = run["created"] / seconds
    kind = f"gthread {WORKERS}×{THREADS}" if THREADS > 1 else f"{WORKERS} sync"
    print("\nstatements of one payment (one API request, as Django sends them):")
    for number, sql in enumerate(statements, 1):
        print(f"  {number:2}. {_short(sql)}")
    print(
        f"  → {len(statements)} statements, BEGIN and COMMIT included ({round_trips} round trips "
        "in libpq's trace; gunicorn runs with CONN_MAX_AGE=60 and no connection health checks)"
    )
    late = len(booked) - int(run["created"])
    print(
        f"{run['created']:,.0f} payments answered 201 in {seconds:.1f} s, {late} more booked "
        f"while wrk stopped; load average before the load {load_before:.1f} (other work on "
        "this machine slows both figures)"
    )
    print(
        f"payments API, {ACCOUNTS:,} accounts × 5 open items, gunicorn {kind} workers, "
        f"{CLIENTS} clients × {SECONDS} s: {rate:,.0f} payments/s, "
        f"p50 {run['p50_us'] / 1000:.0f} ms, p99 {run['p99_us'] / 1000:.0f} ms; "
        f"pgbench tpcb-like {CLIENTS} clients: {tps:,.0f} TPS → {100 * rate / tps:.1f} %; "
        f"{len(statements)} statements ({round_trips} round trips) per payment"
    )
    sys.stdout.flush()

    log = (tmp_path / "gunicorn.log").read_text()[-4000:]
    for load in (warm, run):
        assert load["server5xx"] == 0, (load["stdout"], log)
        assert load["client4xx"] == load["other2xx"] == load["other"] == 0, load["stdout"]
        assert load["error_timeout"] == 0, load["stdout"]
    # Every 201 is one payment; the requests still in flight when wrk stopped may have been
    # booked too (at most one per connection), and nothing else.
    assert len(run["ids"]) == run["created"]
    assert run["ids"] <= booked <= run["sent_ids"]
    assert late <= CLIENTS
    assert ledger_check(tenant) == []
