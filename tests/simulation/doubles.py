"""The outside world on loopback, speaking its real wire format: the card acquirer the sandbox
adapter calls (`/v1/checkouts`, `/v1/refunds`) and the suppliers' webhook endpoints, which can
be "down" (503) for days. Each is a real HTTP server on 127.0.0.1 in a thread."""

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class AcquirerDouble:
    """Answers the sandbox adapter's calls as the acquirer does; keeps the checkouts it opened."""

    checkouts: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    _keys: dict[str, dict] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, body: dict, key: str) -> tuple[int, dict]:
        with self.lock:
            if key and key in self._keys:  # the acquirer honours Idempotency-Key
                return 200, self._keys[key]
            if path == "/v1/checkouts":
                number = f"sbx_sim_{len(self.checkouts) + 1}"
                self.checkouts[number] = body
                answer = {"id": number, "url": f"http://acquirer.invalid/pay/{number}"}
            elif path == "/v1/refunds":
                number = f"sbxref_{len(self.refunds) + 1}"
                self.refunds[number] = body
                answer = {"id": number}
            else:
                return 404, {"error": "not found"}
            if key:
                self._keys[key] = answer
            return 200, answer


@dataclass
class SupplierReceiver:
    """The suppliers' billing systems receiving our webhooks; `down` makes them answer 503."""

    down: set[str] = field(default_factory=set)
    received: int = 0
    refused: int = 0
    seen: set[tuple[str, str]] = field(default_factory=set)  # (supplier, body as JSON)
    doubled: list[tuple[str, str]] = field(default_factory=list)  # the same body twice
    money: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, supplier: str, body: dict) -> int:
        with self.lock:
            if supplier in self.down:
                self.refused += 1
                return 503
            self.received += 1
            key = (supplier, json.dumps(body, sort_keys=True))
            if key in self.seen:
                self.doubled.append(key)
            self.seen.add(key)
            if body.get("event") in MONEY_EVENTS:
                self.money[supplier] += Decimal(body.get("amount") or "0")
            return 200


# The events that carry a supplier's money: their amounts add up to its allocations.
MONEY_EVENTS = ("payment.booked", "advance.applied", "payment.reversed")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 - the http.server hook's name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        world = self.server.world
        if self.path.startswith("/supplier/"):
            code = world.receiver.answer(self.path.split("/")[2], body)
            answer = {}
        else:
            code, answer = world.acquirer.answer(
                self.path, body, self.headers.get("Idempotency-Key", "")
            )
        data = json.dumps(answer).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@dataclass
class Outside:
    """The loopback server of both doubles."""

    acquirer: AcquirerDouble = field(default_factory=AcquirerDouble)
    receiver: SupplierReceiver = field(default_factory=SupplierReceiver)
    server: ThreadingHTTPServer | None = None

    def start(self) -> "Outside":
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.world = self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def supplier_url(self, code: str) -> str:
        return f"{self.base}/supplier/{code}/"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
