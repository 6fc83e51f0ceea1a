"""Issue 7 "Cabinet": with 200,000 accounts on PostgreSQL, the resident's debt position
(/cabinet/) and a bill page (/cabinet/accounts/<t>/<n>/documents/<period>/) answer in under
100 ms at p95 under 20 concurrent users. BENCH_ACCOUNTS changes the size, BENCH_WORKERS and
BENCH_THREADS the gunicorn workers, BENCH_THINK_MS the pause of each user between pages.

Set-up (not timed): demo-eu's tenant with N accounts, its five suppliers' charges for one
period, the period closed (a payment document per account), 20 residents holding two accounts
each and signed in (a session cookie each), ANALYZE, static files collected (DEBUG off).

What is measured: gunicorn on loopback (DEBUG off, persistent connections). First one user at
a time with no pause (BENCH_ALONE_ROUNDS rounds of both pages: the service time, no queueing).
Then 20 client threads, one per resident, each on its own keep-alive connection with its own
session cookie, fetching its home page and the bill of one of its accounts in turn for
BENCH_SECONDS. Two runs: the users as people use the pages (BENCH_THINK_MS, 500 ms by
default, between pages), and with no pause at all (every user fires its next request the
moment the last one answers: the saturation case). Latency is measured by the client, from
sending the request to the end of the response body; p50/p95/p99 per page and requests/s are
printed. Only correctness (every answer 200 and showing the resident's account) is asserted,
never a timing. The machine's load average is printed with the figures: other work on it
moves them (compare runs made under the same load)."""

import http.client
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from statistics import quantiles

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from invoicing.models import PaymentDocument
from tests.bench.world import bench_tenant, database_url, free_port, import_file, supplier_files
from tests.month_end import month_end_close
from warehouse.models import Account, AccountHolder, User

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
THINK_MS = int(os.environ.get("BENCH_THINK_MS", "500"))
ALONE_ROUNDS = int(os.environ.get("BENCH_ALONE_ROUNDS", "200"))
USERS = 20
PERIOD = "2026-10"
ROOT = Path(__file__).resolve().parents[2]
SERVER_SECRET = "bench-cabinet-pages-not-a-secret"


def _server_env(static_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_NAME"}}
    return env | {
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "DEBUG": "False",
        "SECRET_KEY": SERVER_SECRET,
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(static_root),
    }


def _gunicorn(port: int, env: dict, log: Path) -> subprocess.Popen:
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
            urllib.request.urlopen(f"http://127.0.0.1:{port}/cabinet/login/", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.2)
    _stop(server)
    raise AssertionError(f"gunicorn did not answer within 60 s: {log.read_text()[-2000:]}")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _bill_path(account: Account) -> str:
    try:
        return reverse(
            "cabinet-document", args=[account.tenant.code, account.account_number, PERIOD]
        )
    except NoReverseMatch:  # the cabinet's bill page not built yet: the staff document page
        document = PaymentDocument.objects.get(account=account, period=PERIOD)
        return reverse("document-detail", args=[document.pk])


class User_:
    """One simulated resident: its cookie, its pages, and what it measured."""

    def __init__(self, cookie: str, number: str, bill: str):
        self.cookie, self.number, self.bill = cookie, number, bill
        self.samples: list[tuple[str, float]] = []
        self.failures: list[str] = []

    def get(self, conn: http.client.HTTPConnection, page: str, path: str) -> None:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": f"sessionid={self.cookie}"})
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200 or self.number.encode() not in body:
            self.failures.append(f"{page} {path}: {response.status}")
        self.samples.append((page, elapsed))


def _load(port: int, users: list[User_], seconds: float, think: float) -> float:
    stop = threading.Event()

    def run(user: User_) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rng = random.Random(user.cookie)
        time.sleep(rng.random() * max(think, 0.05))  # the users do not start in step
        try:
            while not stop.is_set():
                user.get(conn, "debt position", "/cabinet/")
                if think:
                    time.sleep(think * (0.5 + rng.random()))
                if stop.is_set():
                    break
                user.get(conn, "bill", user.bill)
                if think:
                    time.sleep(think * (0.5 + rng.random()))
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _alone(port: int, users: list[User_], rounds: int) -> float:
    """One user at a time, no pause: the pages' own service time, with no queueing (the
    figure that moves least when the machine is busy with something else)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    try:
        for n in range(rounds):
            user = users[n % len(users)]
            user.get(conn, "debt position", "/cabinet/")
            user.get(conn, "bill", user.bill)
    finally:
        conn.close()
    return time.perf_counter() - started


def _report(label: str, users: list[User_], elapsed: float) -> str:
    lines = [f"{label}:"]
    pages = sorted({page for u in users for page, _ in u.samples})
    every = [t for u in users for _, t in u.samples]
    for page in [*pages, "all"]:
        times = every if page == "all" else [t for u in users for p, t in u.samples if p == page]
        cut = quantiles(times, n=100, method="inclusive")
        lines.append(
            f"  {page:14} {len(times):6,} requests, {len(times) / elapsed:7.1f}/s  "
            f"p50 {cut[49] * 1000:6.1f} ms  p95 {cut[94] * 1000:6.1f} ms  "
            f"p99 {cut[98] * 1000:6.1f} ms  max {max(times) * 1000:6.1f} ms"
        )
    return "\n".join(lines)


@pytest.mark.django_db(transaction=True)
def test_debt_position_and_bill_pages_under_20_users(tmp_path):
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    tenant, generated, layouts = bench_tenant(ACCOUNTS, seed=13)
    for layout, path in supplier_files(generated, layouts, PERIOD, 13, tmp_path):
        assert import_file(tenant, layout, path, PERIOD).status == "posted"
    started = time.perf_counter()
    closed = month_end_close(tenant=tenant, period=PERIOD)
    seconds = time.perf_counter() - started
    print(f"\nset-up: period closed, {closed.issued:,} documents in {seconds:.0f} s")

    rng = random.Random(13)
    ids = rng.sample(
        list(Account.objects.filter(tenant=tenant).values_list("pk", flat=True)), USERS * 2
    )
    accounts = Account.objects.select_related("tenant").in_bulk(ids)
    users = []
    for n in range(USERS):
        resident = User.objects.create_user(username=f"bench-resident-{n}@example.org")
        mine = [accounts[ids[2 * n]], accounts[ids[2 * n + 1]]]
        for account in mine:
            AccountHolder.objects.create(user=resident, account=account)
        client = Client()
        with override_settings(SECRET_KEY=SERVER_SECRET):  # the server must read the session
            client.force_login(resident)
        users.append(
            User_(client.cookies["sessionid"].value, mine[0].account_number, _bill_path(mine[0]))
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    static_root = tmp_path / "static"
    env = _server_env(static_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = _gunicorn(port, env, log)
    try:
        _load(port, users, 3, 0)  # warm-up: every worker has its URLconf and templates loaded
        for user in users:
            assert not user.failures, (user.failures, log.read_text()[-3000:])
            user.samples.clear()
        alone = _alone(port, users, ALONE_ROUNDS)
        alone_report = _report(f"1 user at a time, {ALONE_ROUNDS} rounds", users, alone)
        alone_failures = [f for u in users for f in u.failures]
        for user in users:
            user.samples.clear()
        think = THINK_MS / 1000
        paced = _load(port, users, SECONDS, think)
        paced_report = _report(
            f"{USERS} users, {THINK_MS} ms (±50 %) between pages, {SECONDS} s", users, paced
        )
        paced_failures = [f for u in users for f in u.failures]
        for user in users:
            user.samples.clear()
        flat = _load(port, users, SECONDS, 0)
        flat_report = _report(f"{USERS} users with no pause (saturation), {SECONDS} s", users, flat)
        flat_failures = [f for u in users for f in u.failures]
    finally:
        _stop(server)

    kind = f"gthread {WORKERS}×{THREADS}" if THREADS > 1 else f"{WORKERS} sync"
    print(
        f"cabinet pages, {ACCOUNTS:,} accounts × 5 suppliers on PostgreSQL, gunicorn {kind} "
        f"workers, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}:\n"
        f"{alone_report}\n{paced_report}\n{flat_report}"
    )
    sys.stdout.flush()
    failures = alone_failures + paced_failures + flat_failures
    assert failures == [], failures[:5]
