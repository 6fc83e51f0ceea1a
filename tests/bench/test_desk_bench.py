"""Issue 20 "The operator's desk": with 200,000 accounts on PostgreSQL, the dashboard
(/staff/desk/) and the account card (/staff/desk/accounts/<t>/<n>/) under 20 concurrent staff
users — goal p95 < 100 ms. BENCH_ACCOUNTS changes the size, BENCH_WORKERS the gunicorn workers,
BENCH_THINK_MS the pause of each user between pages, BENCH_SECONDS each run's length.

Set-up (not timed): demo-eu's tenant with N accounts (bulk, as tests/bench/world.py builds it),
its five suppliers' charges for the month before last (overdue now) and for last month (not due
yet, or just due), the older period closed (a payment document per account: the card's bills),
BENCH_PAYMENTS payments posted through `payment_post` on random accounts (allocations, ledger,
outbox: the card's payments and their split) and BENCH_BULK_PAYMENTS more written in bulk,
spread over this month, so the payments table has a month's size for the dashboard's sums
(synthetic rows: no allocations). 20 operator admins signed in (a session cookie each),
ANALYZE, static files collected (DEBUG off).

What is measured: gunicorn on loopback (DEBUG off, persistent connections). Each user fetches,
in turn, the dashboard, the card of a random account and the yardstick — the staff sign-in page
as an anonymous visitor (a template and a CSRF cookie, no query): what the same server answers
with no work of ours, measured in the same run under the same load. First one request at a time
(the service time), then the 20 users with BENCH_THINK_MS (±50 %) between pages, then with no
pause (saturation). p50/p95/p99 and requests/s per page are printed with the machine's load
average; only correctness (every answer 200 with its tenant or account on it) is asserted,
never a timing.

The dashboard keeps a tenant's debt for a minute and its trend's past months for an hour in the
cache (`cabinet.desk.selectors`): with gunicorn's workers each holding its own (local memory)
cache unless REDIS_URL is set, the first dashboard of each worker in each minute reads every
open debt of the tenant — that request is in the figures (it is what p99 shows)."""

import datetime as dt
import http.client
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from splitting.core.payments import payment_post
from splitting.models import Payment, PaymentStatus
from tests.bench.test_cabinet_pages_bench import (
    SERVER_SECRET,
    _gunicorn,
    _report,
    _server_env,
    _stop,
)
from tests.bench.world import bench_tenant, free_port, import_file, supplier_files
from tests.month_end import month_end_close
from warehouse.models import Account, Membership, Role, User

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
THINK_MS = int(os.environ.get("BENCH_THINK_MS", "500"))
ALONE_ROUNDS = int(os.environ.get("BENCH_ALONE_ROUNDS", "100"))
PAYMENTS = int(os.environ.get("BENCH_PAYMENTS", "2000"))
BULK_PAYMENTS = int(os.environ.get("BENCH_BULK_PAYMENTS", "150000"))
USERS = 20
CARDS = 2000  # the accounts whose cards the users open, at random
ROOT = Path(__file__).resolve().parents[2]
YARDSTICK = "/staff/login/"


def _periods(today: dt.date) -> tuple[str, str]:
    """(the month before last, last month) as YYYY-MM."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    before = last.replace(day=1) - dt.timedelta(days=1)
    return f"{before:%Y-%m}", f"{last:%Y-%m}"


class Desk:
    """One simulated staff user: its cookie, the cards it opens, and what it measured."""

    def __init__(self, cookie: str, tenant: str, numbers: list[str], seed: int):
        self.cookie, self.tenant, self.numbers = cookie, tenant, numbers
        self.rng = random.Random(seed)
        self.samples: list[tuple[str, float]] = []
        self.failures: list[str] = []

    def get(self, conn: http.client.HTTPConnection, page: str) -> None:
        if page == "dashboard":
            path, marker, cookie = "/staff/desk/", f'data-tenant="{self.tenant}"', True
        elif page == "account card":
            number = self.rng.choice(self.numbers)
            path, marker, cookie = f"/staff/desk/accounts/{self.tenant}/{number}/", number, True
        else:
            path, marker, cookie = YARDSTICK, "csrfmiddlewaretoken", False
        headers = {"Cookie": f"sessionid={self.cookie}"} if cookie else {}
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200 or marker.encode() not in body:
            self.failures.append(f"{page} {path}: {response.status}")
        self.samples.append((page, elapsed))


PAGES = ("dashboard", "account card", "yardstick")


def _load(port: int, users: list[Desk], seconds: float, think: float) -> float:
    stop = threading.Event()

    def run(user: Desk) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        time.sleep(user.rng.random() * max(think, 0.05))  # the users do not start in step
        try:
            while not stop.is_set():
                for page in PAGES:
                    user.get(conn, page)
                    if think:
                        time.sleep(think * (0.5 + user.rng.random()))
                    if stop.is_set():
                        break
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


def _alone(port: int, users: list[Desk], rounds: int) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    try:
        for n in range(rounds):
            for page in PAGES:
                users[n % len(users)].get(conn, page)
    finally:
        conn.close()
    return time.perf_counter() - started


def _bulk_payments(tenant, account_ids: list[int], count: int, rng: random.Random) -> None:
    """`count` booked payments spread over this month up to now (synthetic: no allocations),
    so the dashboard sums over a month's payments."""
    now = timezone.now()
    start = now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = (now - start).total_seconds()
    rows = []
    for n in range(count):
        at = start + dt.timedelta(seconds=rng.random() * span)
        rows.append(
            Payment(
                tenant=tenant,
                account_id=rng.choice(account_ids),
                amount=rng.randrange(1_000, 300_000),
                channel="bank",
                external_id=f"bench-bulk-{n}",
                status=PaymentStatus.BOOKED,
                received_at=at,
                booked_at=at,
            )
        )
    Payment.objects.bulk_create(rows, batch_size=5000)


def _stage(label: str, started: float) -> float:
    print(f"  set-up: {label} in {time.perf_counter() - started:.0f} s")
    sys.stdout.flush()
    return time.perf_counter()


@pytest.mark.django_db(transaction=True)
def test_dashboard_and_account_card_under_20_users(tmp_path):
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    print()
    clock = time.perf_counter()
    tenant, generated, layouts = bench_tenant(ACCOUNTS, seed=20)
    clock = _stage(f"{ACCOUNTS:,} accounts", clock)
    older, last = _periods(timezone.localdate())
    for period in (older, last):
        for layout, path in supplier_files(generated, layouts, period, 20, tmp_path / period):
            assert import_file(tenant, layout, path, period).status == "posted"
    clock = _stage(f"charges of {older} and {last}", clock)
    closed = month_end_close(tenant=tenant, period=older)
    clock = _stage(f"{older} closed, {closed.issued:,} documents", clock)

    rng = random.Random(20)
    ids = list(Account.objects.filter(tenant=tenant).values_list("pk", flat=True))
    accounts = Account.objects.in_bulk(rng.sample(ids, max(PAYMENTS, CARDS)))
    for n, account in enumerate(accounts.values()):
        if n >= PAYMENTS:
            break
        payment_post(
            tenant=tenant,
            account=account,
            amount=rng.randrange(1_000, 50_000),
            channel="bank",
            external_id=f"bench-desk-{n}",
        )
    clock = _stage(f"{PAYMENTS:,} payments posted", clock)
    _bulk_payments(tenant, ids, BULK_PAYMENTS, rng)
    clock = _stage(f"{BULK_PAYMENTS:,} payments written in bulk", clock)

    numbers = [a.account_number for a in list(accounts.values())[:CARDS]]
    users = []
    for n in range(USERS):
        user = User.objects.create_user(username=f"bench-desk-{n}")
        Membership.objects.create(user=user, tenant=tenant, role=Role.OPERATOR_ADMIN)
        client = Client()
        with override_settings(SECRET_KEY=SERVER_SECRET):  # the server must read the session
            client.force_login(user)
        users.append(Desk(client.cookies["sessionid"].value, tenant.code, numbers, seed=n))
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
        _load(port, users, 5, 0)  # warm-up: URLconf, templates, and each worker's cache
        for user in users:
            assert not user.failures, (user.failures[:3], log.read_text()[-3000:])
            user.samples.clear()
        alone = _alone(port, users, ALONE_ROUNDS)
        reports = [_report(f"1 request at a time, {ALONE_ROUNDS} rounds", users, alone)]
        failures = [f for u in users for f in u.failures]
        for user in users:
            user.samples.clear()
        paced = _load(port, users, SECONDS, THINK_MS / 1000)
        label = f"{USERS} users, {THINK_MS} ms (±50 %) between pages, {SECONDS} s"
        reports.append(_report(label, users, paced))
        failures += [f for u in users for f in u.failures]
        for user in users:
            user.samples.clear()
        flat = _load(port, users, SECONDS, 0)
        label = f"{USERS} users with no pause (saturation), {SECONDS} s"
        reports.append(_report(label, users, flat))
        failures += [f for u in users for f in u.failures]
    finally:
        _stop(server)

    workers = os.environ.get("BENCH_WORKERS", "4")
    print(
        f"operator's desk, {ACCOUNTS:,} accounts × 5 suppliers × 2 periods on PostgreSQL, "
        f"{PAYMENTS + BULK_PAYMENTS:,} payments, "
        f"gunicorn {workers} sync workers, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}:\n" + "\n".join(reports)
    )
    sys.stdout.flush()
    assert failures == [], failures[:5]
