"""`make demo PORT=…` takes a card payment end to end with no other setting: the demo server
is started as `make demo` starts it — `manage.py runserver --noreload 127.0.0.1:<port>` with
only `PORT` in its environment (no PUBLIC_BASE_URL, no SANDBOX_ACQUIRER_* settings) — and a
resident's checkout, paid on the sandbox acquirer's card page, is booked by the acquirer's
webhook, which reaches that same server because every address is derived from PORT.

The server is a separate process on the test's own PostgreSQL database (what the test commits
there, it reads), so this is a `postgres` test like the other live-server ones."""

import os
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from integrations.providers.sandbox import CARD_SUCCEEDS
from splitting.models import Checkout, Payment
from tests.factories import AccountHolderFactory, UserFactory
from tests.splitting.helpers import assert_ledger_clean, charges
from tests.splitting.test_providers import pay_by_card

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# What the demo's server must work out by itself: none of these may leak in from outside.
DERIVED = ("PUBLIC_BASE_URL", "SANDBOX_ACQUIRER_URL", "SANDBOX_ACQUIRER_WEBHOOK_URL", "HOST")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    where = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{where}/{db['NAME']}"


@pytest.fixture
def demo_server(postgres):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in DERIVED and not k.startswith("SANDBOX_")}
    env.update(PORT=str(port), DATABASE_URL=database_url(), DEBUG="true")
    server = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "runserver",
            "--noreload",
            "--skip-checks",
            f"127.0.0.1:{port}",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/sandbox-acquirer/v1/checkouts/none", timeout=30)
                break
            except requests.RequestException:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the demo server did not start:\n{server.communicate()[0]}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def token(world):
    charges(world, "2026-11", water={"VK-0001": "140.00"}, heat={"VK-0001": "60.00"})
    user = UserFactory()
    AccountHolderFactory(user=user, account=world.accounts["VK-0001"])
    return Token.objects.create(user=user).key


def test_the_demo_on_another_port_takes_a_card_payment_end_to_end(token, demo_server):
    started = requests.post(
        f"{demo_server}/api/v1/checkouts",
        json={"account_number": "00000001", "amount": "200.00", "provider": "sandbox"},
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    assert started.status_code == 201, started.text
    checkout_page = started.json()["redirect_url"]

    with requests.Session() as browser:
        landed = pay_by_card(browser, checkout_page, CARD_SUCCEEDS)

    # The acquirer, the payer's way back and the webhook all went to this port.
    assert checkout_page.startswith(f"{demo_server}/sandbox-acquirer/pay/sbx_")
    assert landed.url == f"{demo_server}/pay/return/{started.json()['id']}/"
    assert "Payment received" in landed.text
    checkout = Checkout.objects.get()
    acquirer = requests.get(
        f"{demo_server}/sandbox-acquirer/v1/checkouts/{checkout.provider_id}",
        headers={"Authorization": "Bearer sandbox-demo-api-key"},
        timeout=30,
    ).json()
    assert acquirer["webhooks"] == [{"type": "checkout.completed", "outcome": "200"}]
    payment = Payment.objects.get()
    assert checkout.status == "succeeded" and checkout.payment_id == payment.pk
    assert checkout.check_count == 0  # booked by the webhook, not by asking the acquirer
    assert payment.amount == 20_000
    assert_ledger_clean()
