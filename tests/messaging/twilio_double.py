"""A local double of Twilio's Programmable Messaging API for the tests: a real HTTP server on
loopback that answers what the real `twilio` client sends —
`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded To, From, Body and
StatusCallback, HTTP Basic auth with the account SID and auth token — with Twilio's JSON, and
records every request. It can be told to fail the next requests with a 500 (Twilio's error
JSON, code 20500) or to refuse the next ones as Twilio refuses an invalid number (400, code
21211).

    with TwilioDouble(account_sid="AC…", auth_token="…") as twilio:
        TwilioSms("AC…", "…", "+15005550006", api_url=twilio.url)
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

ACCOUNT_SID = "AC" + "0" * 30 + "d1"
AUTH_TOKEN = "double-auth-token-0123456789abcdef"
FROM = "+15005550006"
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-zA-Z]+)/Messages\.json$")
CALLS_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-zA-Z]+)/Calls\.json$")


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]
    authorized: bool


def _error(status: int, code: int, message: str) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class TwilioDouble:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[Recorded] = []
        self.messages: dict[str, dict] = {}
        self._failures: list[tuple[int, dict]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> TwilioDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- what the test tells it ----------------------------------------------------------

    def fail_next(self, count: int = 1) -> None:
        """The next `count` message requests get Twilio's 500."""
        with self._lock:
            self._failures += [(500, _error(500, 20500, "Internal Server Error"))] * count

    def refuse_next(self, count: int = 1) -> None:
        """The next `count` message requests are refused as an invalid "To" number."""
        with self._lock:
            self._failures += [
                (400, _error(400, 21211, "The 'To' number is not a valid phone number."))
            ] * count

    @property
    def sends(self) -> list[Recorded]:
        return [r for r in self.requests if MESSAGES_PATH.match(r.path) and r.method == "POST"]

    # -- the API ---------------------------------------------------------------------------

    def _authorized(self, headers: dict[str, str]) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return headers.get("authorization", "") == f"Basic {expected}"

    @property
    def calls(self) -> list[Recorded]:
        return [r for r in self.requests if CALLS_PATH.match(r.path) and r.method == "POST"]

    def _answer(self, method: str, path: str, record: Recorded) -> tuple[int, dict]:
        match = MESSAGES_PATH.match(path)
        if not record.authorized:
            return 401, _error(401, 20003, "Authenticate")
        if method == "POST" and CALLS_PATH.match(path):
            return self._call(record)
        if method != "POST" or match is None:
            return 404, _error(404, 20404, f"The requested resource {path} was not found")
        if match["sid"] != self.account_sid:
            return 403, _error(403, 20003, "Authenticate")
        with self._lock:
            if self._failures:
                return self._failures.pop(0)
        params = record.params
        if not params.get("To") or not params.get("Body") or not params.get("From"):
            return 400, _error(400, 21604, "A 'To' phone number, 'From' and 'Body' are required.")
        sid = "SM" + secrets.token_hex(16)
        now = formatdate(usegmt=True)
        message = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": params["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": params["From"],
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": params["To"],
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        with self._lock:
            self.messages[sid] = message
        return 201, message

    def _call(self, record: Recorded) -> tuple[int, dict]:
        """`POST …/Calls.json`: To, From and Twiml (or Url) → 201 with the call, queued."""
        params = record.params
        if not params.get("To") or not params.get("From"):
            return 400, _error(400, 21201, "No 'To' number is specified")
        if not (params.get("Twiml") or params.get("Url")):
            return 400, _error(400, 21205, "Url or Twiml is required")
        sid = "CA" + secrets.token_hex(16)
        return 201, {
            "account_sid": self.account_sid,
            "sid": sid,
            "status": "queued",
            "to": params["To"],
            "from": params["From"],
            "direction": "outbound-api",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
        }

    def _handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self._serve("POST")

            def do_GET(self):
                self._serve("GET")

            def _serve(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path.split("?", 1)[0]
                record = Recorded(
                    method=method,
                    path=path,
                    headers=headers,
                    params=dict(parse_qsl(raw, keep_blank_values=True)),
                    authorized=double._authorized(headers),
                )
                with double._lock:
                    double.requests.append(record)
                status, payload = double._answer(method, path, record)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


@pytest.fixture
def twilio_double():
    with TwilioDouble() as double:
        yield double


@pytest.fixture
def twilio_settings(settings, twilio_double):
    """Unibill configured for Twilio, its client pointed at the double."""
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = twilio_double.account_sid
    settings.TWILIO_AUTH_TOKEN = twilio_double.auth_token
    settings.TWILIO_FROM = FROM
    settings.TWILIO_API_URL = twilio_double.url
    settings.TWILIO_STATUS_CALLBACK_URL = "https://unibill.example/api/v1/sms/status"
    return settings
