"""Real-browser tests: Playwright drives Debian's chromium (`/usr/bin/chromium`, which `make
test` installs with apt-get when it is missing) against pytest-django's live server, signed
in through the login page as a person is. Each step's screenshot is kept in
`var/screenshots/<test>/` (or `$E2E_SCREENSHOTS/<test>/`) for people to look at.

The live server needs a transactional database, whose teardown empties the ledger: only
PostgreSQL's TRUNCATE may (SQLite's DELETE meets the entries' no-delete trigger), so these tests
are marked `postgres`. Playwright's sync API runs an event loop in the test's thread, so Django
is told the ORM calls made there are safe (`DJANGO_ALLOW_ASYNC_UNSAFE`); those calls get
their own database connection, which the `browser` fixture closes."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}


def screenshots_root() -> Path:
    return Path(os.environ.get("E2E_SCREENSHOTS") or settings.BASE_DIR / "var" / "screenshots")


@pytest.fixture
def browser(monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()
            # While Playwright's loop runs, Django keeps this thread's database connections
            # apart (asgiref's Local acts as a context var): close them here, or the test
            # database cannot be dropped at the end.
            connections.close_all()


@pytest.fixture
def page(browser, live_server, settings):
    # Links the pages print (pay links, plan links) lead to this live server.
    settings.PUBLIC_BASE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


class Screenshots:
    """`shot("step")` saves the page as `NN-step.png`; `pdf("name", bytes)` saves a PDF the
    page offers and its first page as a PNG, so the printout is looked at too."""

    def __init__(self, page, folder: Path):
        self.page = page
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def _path(self, name: str, suffix: str) -> Path:
        self.count += 1
        return self.folder / f"{self.count:02d}-{name}{suffix}"

    def shot(self, name: str) -> Path:
        path = self._path(name, ".png")
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def pdf(self, name: str, content: bytes) -> Path:
        path = self._path(name, ".pdf")
        path.write_bytes(content)
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "110", "-f", "1", "-singlefile", str(path)]
                + [str(path.with_suffix(""))],
                check=True,
            )
        return path


@pytest.fixture
def screenshots(page, request) -> Screenshots:
    return Screenshots(page, screenshots_root() / request.node.name)


@pytest.fixture
def sign_in(page):
    """Signs in through the login page, as a person does."""

    def sign_in(username: str, password: str, *, next_url: str = "/staff/") -> None:
        page.goto(f"/staff/login/?next={next_url}")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]:has-text('Sign in')")
        page.wait_for_url(f"**{next_url}")

    return sign_in


SANDBOX_KEY = "sandbox-e2e-key"
SANDBOX_WHSEC = "sandbox-e2e-webhook-secret"


@pytest.fixture
def sandbox(settings, live_server):
    base = live_server.url
    settings.PUBLIC_BASE_URL = base  # the provider sends the payer back here
    settings.SANDBOX_ACQUIRER = {
        "enabled": True,
        "api_key": SANDBOX_KEY,
        "webhook_secret": SANDBOX_WHSEC,
        "webhook_url": f"{base}/api/v1/providers/sandbox/webhook",
    }
    settings.PAYMENT_PROVIDERS = {
        "sandbox": {
            "adapter": "sandbox",
            "name": "Card",
            "base_url": f"{base}/sandbox-acquirer",
            "secret": SANDBOX_KEY,
            "webhook_secret": SANDBOX_WHSEC,
            "rules": {"min_amount": 100, "channels": ["cabinet", "pay_link"]},
            "tenants": "*",
        }
    }
    return base
