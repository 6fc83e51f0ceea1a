"""Reading back a payment QR a cashier's scanner typed in: which account, and which payment
document, it is for. The three payloads `invoicing.qr` builds are recognised:

- GOST R 56042 ``ST0001x|…``: the account is ``PersAcc``; the document's reference, when the
  ``Purpose`` carries one of ours; otherwise the period ``PaymPeriod`` (MMYYYY);
- EPC069-12 ``BCD``: the remittance line (element 10) is an RF reference;
- Swiss QR-bill ``SPC``: element 29 is a QRR or SCOR (RF) reference.

A reference is kept only when its check digits hold (`invoicing.references`); the account and
period it encodes come with it. Nothing here looks anything up: `splitting.channels.cashdesk`
finds the account and the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from invoicing.qr import gost_parse
from invoicing.references import ReferenceError as BadReference
from invoicing.references import reference_parse

PayloadFormat = Literal["gost", "epc", "swiss"]

_TOKEN_RE = re.compile(r"RF\d{2}[0-9A-Z]+|\d{8,27}", re.IGNORECASE)
# PaymPeriod as billers write it: MMYYYY (the standard), MMYY, MM.YYYY, MM/YYYY, MM.YY
_PERIOD_RE = re.compile(r"(0[1-9]|1[0-2])[./-]?(\d{4}|\d{2})")
EPC_REFERENCE_LINE = 9  # 0-based: BCD, version, charset, SCT, BIC, name, IBAN, amount, purpose
SWISS_REFERENCE_TYPE, SWISS_REFERENCE = 27, 28  # 0-based elements of SPC 0200


@dataclass(frozen=True)
class ScannedPayload:
    format: PayloadFormat
    account_number: str = ""  # as the payload names it (GOST PersAcc) or its reference encodes
    reference: str = ""  # one of our references, compact, check digits verified
    period: str = ""  # "YYYY-MM" when the payload says which


def payload_scan(text: str) -> ScannedPayload | None:
    """What a scanned payment QR names; None when `text` is not one of the three payloads (a
    typed account number or reference, say). A payload whose fields are unreadable gives a
    `ScannedPayload` with empty fields rather than an error: the cashier sees "not found"."""
    text = text.strip().lstrip("\ufeff")
    if text.startswith("ST0001"):
        return _gost(text)
    lines = [line.strip() for line in text.splitlines()]
    if lines and lines[0] == "BCD":
        return _with_reference("epc", _element(lines, EPC_REFERENCE_LINE))
    if lines and lines[0] == "SPC":
        kind = _element(lines, SWISS_REFERENCE_TYPE)
        reference = _element(lines, SWISS_REFERENCE) if kind in ("QRR", "SCOR") else ""
        return _with_reference("swiss", reference)
    return None


def _element(lines: list[str], index: int) -> str:
    return lines[index] if index < len(lines) else ""


def _parsed(candidate: str):
    try:
        return reference_parse(candidate)
    except (BadReference, ValueError):
        return None


def _with_reference(kind: PayloadFormat, candidate: str) -> ScannedPayload:
    compact = "".join(candidate.split()).upper()
    parsed = _parsed(compact) if compact else None
    if parsed is None:
        return ScannedPayload(kind)
    return ScannedPayload(kind, parsed.account_number, compact, parsed.period)


def gost_period(text: str) -> str:
    """A GOST payload's `PaymPeriod` → "YYYY-MM" ("" when it is none of the forms billers use):
    `112026`, `1126`, `11.2026`, `11/2026`, `11.26` are all November 2026."""
    match = _PERIOD_RE.fullmatch((text or "").strip())
    if not match:
        return ""
    year = match[2] if len(match[2]) == 4 else f"20{match[2]}"
    return f"{year}-{match[1]}"


def _gost(text: str) -> ScannedPayload:
    try:
        fields = gost_parse(text)
    except ValueError:
        return ScannedPayload("gost")
    account = (fields.get("PersAcc") or fields.get("PersonalAccount") or "").strip()
    period = gost_period(fields.get("PaymPeriod", ""))
    for token in _TOKEN_RE.findall(fields.get("Purpose", "")):
        parsed = _parsed(token.upper())
        # A number in the purpose is a reference of ours only if it names this account.
        if parsed is not None and (not account or parsed.account_number == account):
            return ScannedPayload("gost", parsed.account_number, token.upper(), parsed.period)
    return ScannedPayload("gost", account, "", period)
