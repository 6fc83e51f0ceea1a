"""A card checkout the payer never finished, for the staff's page of stuck checkouts: opened
through the normal path (`checkout_start`) with the sandbox acquirer, which the seed reaches on a
loopback server of its own (the site is not running while it seeds)."""

import contextlib
import copy
import logging
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings

from splitting.channels.checkouts import ProviderUnavailable, checkout_start
from splitting.channels.providers import provider_config
from splitting.models import Checkout

log = logging.getLogger(__name__)

PROVIDER = "sandbox"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 — the base class's name
        return


@contextlib.contextmanager
def _loopback():
    """The site on 127.0.0.1 (a free port) in a thread, for as long as the block runs."""
    server = make_server("127.0.0.1", 0, get_wsgi_application(), WSGIServer, _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def demo_stuck_checkout(*, tenant, account, amount: int, reference: str) -> Checkout | None:
    """Opens a card checkout of `amount` for the account's bill and leaves it `created` (the
    payer closed the card page). None when the sandbox acquirer is not configured."""
    acquirer = getattr(settings, "SANDBOX_ACQUIRER", {})
    if provider_config(PROVIDER) is None or not acquirer.get("enabled"):
        return None
    with _loopback() as base:
        providers = copy.deepcopy(settings.PAYMENT_PROVIDERS)
        providers[PROVIDER]["base_url"] = f"{base}/sandbox-acquirer"
        with override_settings(PAYMENT_PROVIDERS=providers):
            try:
                checkout, _url = checkout_start(
                    tenant=tenant,
                    account=account,
                    amount=amount,
                    provider_code=PROVIDER,
                    reference=reference,
                    site_url=getattr(settings, "PUBLIC_BASE_URL", "") or base,
                )
            except ProviderUnavailable as error:
                log.warning("demo: the stuck checkout was not opened: %s", error)
                return None
    return checkout
