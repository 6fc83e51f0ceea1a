"""The payment-terminal processors' check/pay protocol (QIWI/OSMP "provider protocol"), as a pure
adapter: parse the processor's GET parameters, render our XML answer. No models, no domain apps.

The processor calls us twice with the same `txn_id`: `command=check` (is the account payable?) and
`command=pay` (post it). The domain endpoint parses with `parse_request`, decides an `Outcome`
(account found? amount acceptable? `txn_id` already paid? A repeated `pay` answers OK with the
stored `prv_txn` and posts nothing) and answers with `render_answer`. Each processor has its own
`CodeTable`: the same `Outcome` is a different number for OSMP and for Sber-Online.

Amounts are integers in minor units (kopecks). Spec: payment-standards.md §7 (shared specs).
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

COMMANDS = ("check", "pay")
TXN_ID_RE = re.compile(r"[0-9]{1,20}")
SUM_RE = re.compile(r"(?P<units>[0-9]+)(?:\.(?P<cents>[0-9]{1,2}))?")
TXN_DATE_RE = re.compile(r"[0-9]{14}")
TXN_DATE_FORMAT = "%Y%m%d%H%M%S"
# 10**15 roubles in kopecks still fits a signed 64-bit column with room to add; a longer sum is
# refused as too large rather than risking an overflow downstream.
MAX_AMOUNT = 10**17 - 1

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
# Characters XML 1.0 cannot carry at all (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/F).
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Outcome(StrEnum):
    """What the domain decided, independent of the processor; a `CodeTable` gives the number."""

    OK = "ok"
    RETRY = "retry"  # temporary error, retry later
    BAD_ACCOUNT_FORMAT = "bad_account_format"
    ACCOUNT_NOT_FOUND = "account_not_found"
    FORBIDDEN = "forbidden"  # payment forbidden by provider
    TECHNICAL = "technical"  # forbidden for technical reasons
    ACCOUNT_INACTIVE = "account_inactive"
    NOT_COMPLETED = "not_completed"  # payment not completed yet (retry)
    AMOUNT_TOO_SMALL = "amount_too_small"
    AMOUNT_TOO_LARGE = "amount_too_large"
    CANNOT_CHECK = "cannot_check"
    OTHER = "other"


@dataclass(frozen=True)
class CodeTable:
    """One processor's result codes. `retry` holds the outcomes the processor retries later
    (it keeps the payment pending); every other code is final."""

    name: str
    codes: Mapping[Outcome, int]
    comments: Mapping[Outcome, str]
    retry: frozenset[Outcome]

    def __post_init__(self) -> None:
        missing = [o.value for o in Outcome if o not in self.codes or o not in self.comments]
        if missing:
            raise ValueError(f"code table {self.name!r} lacks {', '.join(missing)}")
        object.__setattr__(self, "codes", MappingProxyType(dict(self.codes)))
        object.__setattr__(self, "comments", MappingProxyType(dict(self.comments)))

    def code(self, outcome: Outcome) -> int:
        return self.codes[outcome]

    def is_retry(self, outcome: Outcome) -> bool:
        return outcome in self.retry


# QIWI/OSMP, exactly the table of payment-standards.md §7 (confirmed in several implementations).
OSMP = CodeTable(
    name="osmp",
    codes={
        Outcome.OK: 0,
        Outcome.RETRY: 1,
        Outcome.BAD_ACCOUNT_FORMAT: 4,
        Outcome.ACCOUNT_NOT_FOUND: 5,
        Outcome.FORBIDDEN: 7,
        Outcome.TECHNICAL: 8,
        Outcome.ACCOUNT_INACTIVE: 79,
        Outcome.NOT_COMPLETED: 90,
        Outcome.AMOUNT_TOO_SMALL: 241,
        Outcome.AMOUNT_TOO_LARGE: 242,
        Outcome.CANNOT_CHECK: 243,
        Outcome.OTHER: 300,
    },
    comments={
        Outcome.OK: "OK",
        Outcome.RETRY: "Temporary error, retry later",
        Outcome.BAD_ACCOUNT_FORMAT: "Bad account format",
        Outcome.ACCOUNT_NOT_FOUND: "Account not found",
        Outcome.FORBIDDEN: "Payment forbidden by provider",
        Outcome.TECHNICAL: "Payment forbidden for technical reasons",
        Outcome.ACCOUNT_INACTIVE: "Account inactive",
        Outcome.NOT_COMPLETED: "Payment not completed yet",
        Outcome.AMOUNT_TOO_SMALL: "Amount too small",
        Outcome.AMOUNT_TOO_LARGE: "Amount too large",
        Outcome.CANNOT_CHECK: "Cannot check account state",
        Outcome.OTHER: "Other provider error",
    },
    retry=frozenset({Outcome.RETRY, Outcome.NOT_COMPLETED}),
)

# Sberbank "Sber-Online". §7 confirms only 3 = account not found, 5 = inactive, 7 = technical.
# 0, 1, 4, 10, 11 and 300 come from ONE open-source provider implementation (igormelz/lbpay,
# SberOnlineCode.java), not from Sber's own document: verify against the contract's protocol.
# That source has no code for FORBIDDEN, NOT_COMPLETED or CANNOT_CHECK: those three keep their
# OSMP numbers (7, 90, 243) unverified; 90 and 243 are not in that source's list at all.
# It also defines codes no Outcome produces yet: 2 unknown request type, 6 bad transaction id,
# 8 duplicate transaction, 9 bad amount, 12 bad date.
# NB: the same source shows Sber-Online's wire format differs from OSMP too (ACTION=check|payment,
# ACCOUNT, AMOUNT, PAY_ID, PAY_DATE "dd.MM.yyyy_HH:mm:ss"; answer <response><CODE>…<MESSAGE>…),
# so this table only gives the numbers; parse_request/render_answer speak the OSMP envelope.
SBER_ONLINE = CodeTable(
    name="sber-online",
    codes={
        Outcome.OK: 0,
        Outcome.RETRY: 1,
        Outcome.BAD_ACCOUNT_FORMAT: 4,
        Outcome.ACCOUNT_NOT_FOUND: 3,  # §7 [C]
        Outcome.FORBIDDEN: 7,  # unverified: OSMP's number (Sber's 7 also means "forbidden")
        Outcome.TECHNICAL: 7,  # §7 [C]
        Outcome.ACCOUNT_INACTIVE: 5,  # §7 [C]
        Outcome.NOT_COMPLETED: 90,  # unverified: OSMP's number, no Sber code known
        Outcome.AMOUNT_TOO_SMALL: 10,
        Outcome.AMOUNT_TOO_LARGE: 11,
        Outcome.CANNOT_CHECK: 243,  # unverified: OSMP's number, no Sber code known
        Outcome.OTHER: 300,
    },
    comments={
        Outcome.OK: "Операция выполнена",
        Outcome.RETRY: "Временная ошибка, повторите запрос позже",
        Outcome.BAD_ACCOUNT_FORMAT: "Неверный формат лицевого счёта",
        Outcome.ACCOUNT_NOT_FOUND: "Лицевой счёт не найден",
        Outcome.FORBIDDEN: "Приём платежа запрещён поставщиком",
        Outcome.TECHNICAL: "Приём платежа запрещён по техническим причинам",
        Outcome.ACCOUNT_INACTIVE: "Лицевой счёт не активен",
        Outcome.NOT_COMPLETED: "Платёж ещё не завершён",
        Outcome.AMOUNT_TOO_SMALL: "Сумма слишком мала",
        Outcome.AMOUNT_TOO_LARGE: "Сумма слишком велика",
        Outcome.CANNOT_CHECK: "Невозможно проверить состояние счёта",
        Outcome.OTHER: "Внутренняя ошибка поставщика",
    },
    # Only 1 is documented as "retry later" in the source; NOT_COMPLETED follows OSMP (unverified).
    retry=frozenset({Outcome.RETRY, Outcome.NOT_COMPLETED}),
)

TABLES: Mapping[str, CodeTable] = MappingProxyType({"osmp": OSMP, "sber-online": SBER_ONLINE})


@dataclass(frozen=True)
class TerminalRequest:
    """One processor call, validated. `extra` keeps the parameters agreed per contract."""

    command: str  # "check" | "pay"
    txn_id: str  # the processor's id: 1..20 ASCII digits
    account: str
    amount: int  # minor units: sum "5123.45" -> 512345, > 0
    txn_date: datetime | None  # pay only; naive, the processor's local time
    extra: Mapping[str, str] = field(default_factory=dict)


class RequestError(ValueError):
    """A request we refuse before any domain decision. `txn_id` is the request's own id when
    that parameter itself was valid ("" otherwise), so the answer can echo it."""

    def __init__(self, outcome: Outcome, message: str, *, txn_id: str = "") -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.txn_id = txn_id


def parse_request(
    params: Mapping[str, str], *, account_pattern: str = r"^\d{1,32}$"
) -> TerminalRequest:
    """Validate the processor's query parameters (a dict or a Django QueryDict).

    Raises RequestError: missing/unknown `command`, bad `txn_id`, malformed `sum`, missing or bad
    `txn_date` on pay -> OTHER; missing or mismatching `account` -> BAD_ACCOUNT_FORMAT;
    `sum` of zero -> AMOUNT_TOO_SMALL; more than 15 rouble digits -> AMOUNT_TOO_LARGE.
    `account_pattern` must match the whole account; it is applied with re.ASCII so `\\d` means
    0-9 only. `txn_date` on check is ignored (None).
    """
    raw_txn = params.get("txn_id") or ""
    txn_id = raw_txn if TXN_ID_RE.fullmatch(raw_txn) else ""

    def refuse(outcome: Outcome, message: str) -> RequestError:
        return RequestError(outcome, message, txn_id=txn_id)

    command = params.get("command") or ""
    if command not in COMMANDS:
        raise refuse(Outcome.OTHER, f"unknown command {command[:20]!r}")
    if not txn_id:
        what = "missing" if not raw_txn else f"not 1..20 digits: {raw_txn[:40]!r}"
        raise refuse(Outcome.OTHER, f"txn_id {what}")

    account = params.get("account") or ""
    if not account:
        raise refuse(Outcome.BAD_ACCOUNT_FORMAT, "account missing")
    if not re.fullmatch(account_pattern, account, flags=re.ASCII):
        raise refuse(Outcome.BAD_ACCOUNT_FORMAT, f"bad account format: {account[:40]!r}")

    amount = _parse_sum(params.get("sum"), refuse)

    txn_date = None
    if command == "pay":
        raw_date = params.get("txn_date") or ""
        if not raw_date:
            raise refuse(Outcome.OTHER, "txn_date missing")
        try:
            if not TXN_DATE_RE.fullmatch(raw_date):
                raise ValueError
            txn_date = datetime.strptime(raw_date, TXN_DATE_FORMAT)
        except ValueError:
            raise refuse(Outcome.OTHER, f"txn_date not YYYYMMDDHHMMSS: {raw_date[:40]!r}") from None

    known = {"command", "txn_id", "account", "sum", "txn_date"}
    extra = {key: params[key] for key in params if key not in known}
    return TerminalRequest(
        command=command,
        txn_id=txn_id,
        account=account,
        amount=amount,
        txn_date=txn_date,
        extra=MappingProxyType(extra),
    )


def _parse_sum(raw: str | None, refuse) -> int:
    if not raw:
        raise refuse(Outcome.OTHER, "sum missing")
    match = SUM_RE.fullmatch(raw)
    if not match:
        raise refuse(Outcome.OTHER, f"sum not a decimal with at most 2 decimals: {raw[:40]!r}")
    cents = (match["cents"] or "0").ljust(2, "0")
    amount = int(match["units"]) * 100 + int(cents)
    if amount <= 0:
        raise refuse(Outcome.AMOUNT_TOO_SMALL, f"sum must be positive: {raw!r}")
    if amount > MAX_AMOUNT:
        raise refuse(Outcome.AMOUNT_TOO_LARGE, f"sum too large: {raw[:40]!r}")
    return amount


@dataclass(frozen=True)
class TerminalAnswer:
    """What we answer. `amount` (minor units) is echoed as `<sum>`; `fields` are shown by the
    terminal on check (mask personal data: `mask_name`); `comment` overrides the table's."""

    outcome: Outcome
    txn_id: str
    prv_txn: str = ""  # our payment id (pay)
    amount: int | None = None  # echoed sum
    fields: Mapping[str, str] = field(default_factory=dict)
    comment: str = ""


def format_sum(amount: int) -> str:
    """Minor units as the protocol's rouble sum: 512345 -> "5123.45"."""
    sign = "-" if amount < 0 else ""
    units, cents = divmod(abs(amount), 100)
    return f"{sign}{units}.{cents:02d}"


def render_answer(answer: TerminalAnswer, table: CodeTable = OSMP) -> bytes:
    """The UTF-8 XML answer: `<response><osmp_txn_id/>[<prv_txn/>][<sum/>]<result/><comment/>
    [<fields><field1 name="…">…</field1>…</fields>]</response>`. Empty `prv_txn` and a None
    `amount` are left out. Text is escaped; characters XML cannot carry are dropped."""
    root = ET.Element("response")
    _sub(root, "osmp_txn_id", answer.txn_id)
    if answer.prv_txn:
        _sub(root, "prv_txn", answer.prv_txn)
    if answer.amount is not None:
        _sub(root, "sum", format_sum(answer.amount))
    _sub(root, "result", str(table.code(answer.outcome)))
    _sub(root, "comment", answer.comment or table.comments[answer.outcome])
    if answer.fields:
        fields = ET.SubElement(root, "fields")
        for number, (name, value) in enumerate(answer.fields.items(), start=1):
            _sub(fields, f"field{number}", value, name=_xml_text(name))
    return XML_DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8")


def _sub(parent: ET.Element, tag: str, text: str, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    element.text = _xml_text(text)
    return element


def _xml_text(value: str) -> str:
    return _XML_INVALID_RE.sub("", str(value))


def mask_name(full_name: str) -> str:
    """A payer's name as the terminal may show it: the surname's first letter then one asterisk
    per remaining character, then initials. Assumes surname-first order (as ЛС holders are
    stored): "Иванов Пётр Сергеевич" -> "И***** П. С.", "Smith John" -> "S**** J.",
    "Иванов" -> "И*****"; blank -> "". A one-letter surname still gets one asterisk."""
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return ""
    surname, *given = words
    masked = surname[0].upper() + "*" * max(1, len(surname) - 1)
    return " ".join([masked, *(f"{word[0].upper()}." for word in given)])
