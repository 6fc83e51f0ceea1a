"""The processor's side of the OSMP check/pay protocol: a tiny client for tests and for checking an
installation by hand. Real HTTP GET with query parameters and HTTP Basic auth (urllib only).

Transport failures (an HTTP status other than 200, such as 401 on wrong credentials, or no
connection at all) raise `TransportError`; a protocol answer, whatever its `result`, is a
`ProcessorReply`. An unreadable answer body raises `AnswerError`.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

from .osmp import TXN_DATE_FORMAT, format_sum


@dataclass(frozen=True)
class ProcessorReply:
    """The answer as the processor reads it. `sum` is the text as sent ("" when absent)."""

    result: int
    comment: str
    prv_txn: str
    sum: str
    fields: dict[str, str]
    raw: bytes = field(repr=False)
    txn_id: str = ""  # the echoed <osmp_txn_id>


class AnswerError(ValueError):
    """The body is not an OSMP answer (not XML, a DOCTYPE, no integer <result>)."""


class TransportError(Exception):
    """No protocol answer: `status` is the HTTP status (401 for wrong credentials), or None when
    the server could not be reached; `body` is what the server sent, if anything."""

    def __init__(self, message: str, *, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


def parse_answer(xml: bytes) -> ProcessorReply:
    """Read an answer rendered by `render_answer` (or any OSMP provider)."""
    if b"<!DOCTYPE" in xml.upper() or b"<!ENTITY" in xml.upper():
        raise AnswerError("answer carries a DOCTYPE/ENTITY declaration")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise AnswerError(f"answer is not XML: {exc}") from None
    if root.tag != "response":
        raise AnswerError(f"root element is <{root.tag}>, not <response>")
    result_text = (root.findtext("result") or "").strip()
    try:
        result = int(result_text)
    except ValueError:
        raise AnswerError(f"<result> is not an integer: {result_text!r}") from None
    fields = {}
    fields_element = root.find("fields")
    if fields_element is not None:
        for element in fields_element:
            fields[element.get("name", element.tag)] = element.text or ""
    return ProcessorReply(
        result=result,
        comment=root.findtext("comment") or "",
        prv_txn=root.findtext("prv_txn") or "",
        sum=root.findtext("sum") or "",
        fields=fields,
        raw=xml,
        txn_id=root.findtext("osmp_txn_id") or "",
    )


class TerminalClient:
    """`TerminalClient("https://unibill.example/terminals/osmp/", "qiwi", "secret")`."""

    def __init__(self, base_url: str, username: str, password: str, *, timeout: float = 10.0):
        self.base_url = base_url
        self.timeout = timeout
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._authorization = f"Basic {token}"

    def check(self, txn_id: str, account: str, amount_minor: int) -> ProcessorReply:
        return self._call(
            {"command": "check", "txn_id": txn_id, "account": account, "sum": amount_minor}
        )

    def pay(
        self, txn_id: str, account: str, amount_minor: int, txn_date: datetime
    ) -> ProcessorReply:
        return self._call(
            {
                "command": "pay",
                "txn_id": txn_id,
                "account": account,
                "sum": amount_minor,
                "txn_date": txn_date.strftime(TXN_DATE_FORMAT),
            }
        )

    def url(self, params: dict[str, str | int]) -> str:
        """The GET URL for `params` (`sum` in minor units), keeping any query already in
        `base_url`."""
        query = {k: format_sum(v) if k == "sum" else str(v) for k, v in params.items()}
        parts = urllib.parse.urlsplit(self.base_url)
        existing = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        encoded = urllib.parse.urlencode([*existing, *query.items()])
        return urllib.parse.urlunsplit(parts._replace(query=encoded))

    def _call(self, params: dict[str, str | int]) -> ProcessorReply:
        request = urllib.request.Request(
            self.url(params), headers={"Authorization": self._authorization}, method="GET"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read() or b""
            raise TransportError(
                f"HTTP {exc.code} {exc.reason}", status=exc.code, body=body
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(f"no answer from {self.base_url}: {exc}") from exc
        if status != 200:
            raise TransportError(f"HTTP {status}", status=status, body=body)
        return parse_answer(body)
