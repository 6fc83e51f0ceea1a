"""Bank statements (ISO 20022 camt.053/camt.054, SWIFT MT940, 1CClientBankExchange) → the booked
credits and debits as `Statement`/`StatementCredit`/`StatementDebit`. Pure adapters: no models,
no domain apps."""

from __future__ import annotations

import re

from .camt import parse_camt
from .mt940 import parse_mt940
from .one_c_statement import parse_1c_statement
from .types import Statement, StatementCredit, StatementDebit, StatementError

__all__ = [
    "Statement",
    "StatementCredit",
    "StatementDebit",
    "StatementError",
    "detect_format",
    "parse_1c_statement",
    "parse_camt",
    "parse_mt940",
    "parse_statement",
]

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_MT940_TAG_RE = re.compile(rb"(?m)^:(20|25|61):")
_ONE_C_MAGIC = "1CClientBankExchange"


def detect_format(data: bytes) -> str:
    """ "xml", "mt940", "1c" or "" from the content alone."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or data[:2] in _UTF16_BOMS:
        return "xml"
    if head.startswith(_ONE_C_MAGIC.encode("ascii")):
        return "1c"
    tags = {match.group(1) for match in _MT940_TAG_RE.finditer(data)}
    if b"20" in tags and tags & {b"25", b"61"}:
        return "mt940"
    return ""


def parse_statement(data: bytes, filename: str = "") -> Statement:
    """Reads a statement file, recognised by its content (`filename` only names it in the
    error): XML whose root is `Document` with `BkToCstmrStmt` or `BkToCstmrDbtCdtNtfctn`
    (camt.053/054), MT940 (`:20:` with `:25:` or `:61:`) or 1CClientBankExchange. Raises
    StatementError("unknown statement format…") for anything else, and the parser's
    StatementError for a recognised but bad file."""
    kind = detect_format(data)
    if kind == "xml":
        return parse_camt(data)
    if kind == "1c":
        return parse_1c_statement(data)
    if kind == "mt940":
        return parse_mt940(data)
    named = f" ({filename})" if filename else ""
    raise StatementError(
        f"unknown statement format{named}: expected camt.053/054 XML, MT940 or 1CClientBankExchange"
    )
