"""ISO 20022 camt.053 (BankToCustomerStatement) and camt.054 (BankToCustomerDebitCreditNotification)
→ the booked credits and debits.

Elements are matched on their local names, so any version of the message is read (the entry
structure is the same; V08 wraps the debtor in `Pty` and the status in `Cd`). A document in one of
the namespaces whose XSD we hold (camt.053/054 .001.02 and .001.08, in `integrations/xsd/`) is
validated first; other versions are read without validation.

Hardening: a document with a DOCTYPE is refused before and after parsing (no DTD, so no external
entities and no entity expansion), and the parser never loads a DTD, resolves entities or touches
the network.

Taken: status BOOK, not `RvslInd=true`; `CdtDbtInd=CRDT` is a credit, `DBIT` a debit; every other
entry counts in `skipped`. An entry with several `NtryDtls/TxDtls` (a batch booking) becomes one
credit (or debit) per detail with the detail's own amount and the 1-based detail index in the
dedupe key; the detail amounts must net to the entry amount (a detail in the other direction
counts against it, and in `skipped`). A single-detail entry, or one without details, is one
credit (or debit) for the entry amount.

Dedupe key (`keys.entry_key`): our account, booking date, direction, amount and the most specific
reference: the transaction's `Refs/AcctSvcrRef`, `TxId`, `EndToEndId` (not NOTPROVIDED),
`InstrId`, then the entry's `AcctSvcrRef`, `NtryRef` (in Swiss camt.054 the same QR-IBAN every
day, hence the date and amount); a batch detail adds its index unless it has a reference of its
own (then the key with the index is an `alternate_keys` one, as stored before). An entry with
no reference at all is taken with a digest of counterparty and remittance text for a reference,
and a warning. A key repeated in the file gets its ordinal, with a warning. A debit's key has
"D:" in front.
`legacy_key` is the key before issue 18: the account, the entry's `AcctSvcrRef`/`NtryRef` (else
the detail's `AcctSvcrRef`) and the detail index.

A credit is flagged a return (`is_return`) when its detail has `RtrInf` (its reason code and
additional information become `return_reason`) or its bank transaction code is a return's
(PMNT, ICDT or RCDT, RRTN/RPCR/ARET); a reversal (`RvslInd=true`) stays skipped.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from .keys import KeyRegister, digest, entry_key
from .types import AMOUNT_MAX, Statement, StatementCredit, StatementDebit, StatementError

XSD_DIR = Path(__file__).resolve().parent.parent / "xsd"
NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
VALIDATED_MESSAGES = ("camt.053.001.02", "camt.053.001.08", "camt.054.001.02", "camt.054.001.08")
# message element under Document → (format, name of the per-account block)
MESSAGES = {
    "BkToCstmrStmt": ("camt.053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn"),
}
SCHEMA_ERRORS_SHOWN = 5
NOT_PROVIDED = "NOTPROVIDED"
OPPOSITE = {"CRDT": "DBIT", "DBIT": "CRDT"}  # the entry directions taken, and their opposite
DEBIT_KEY_PREFIX = "D:"
# bank transaction codes (Domn/Cd, Fmly/Cd, Fmly/SubFmlyCd) of a credit that returns a payment:
# reversal due to payment return, due to a payment cancellation request, an ACH return
RETURN_DOMAIN = "PMNT"
RETURN_FAMILIES = ("ICDT", "RCDT")
RETURN_SUB_FAMILIES = ("RRTN", "RPCR", "ARET")

_DTD_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_AMOUNT_RE = re.compile(r"\d+(?:\.\d+)?")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SPACE_RE = re.compile(r"\s+")
DTD_REFUSED = "DTDs and entities are not accepted"

_local = threading.local()


# -- parsing -----------------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _refuse_dtd(data: bytes) -> None:
    """Refuses a DOCTYPE or ENTITY declaration before the parser sees it (UTF-8/ASCII-compatible
    and BOM-marked UTF-16 text; anything else is caught after parsing by `docinfo`)."""
    texts = [data]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        texts.append(data.decode("utf-16", errors="ignore").encode("utf-8"))
    if any(_DTD_RE.search(text) for text in texts):
        raise StatementError(DTD_REFUSED)


def _parse_xml(data: bytes) -> etree._Element:
    if not isinstance(data, bytes):
        raise TypeError("parse_camt takes the file's bytes")
    _refuse_dtd(data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        detail = re.sub(r", line \d+, column \d+$", "", error.msg or "")
        raise StatementError(f"not well-formed XML: {detail}", line=error.lineno) from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise StatementError(DTD_REFUSED)
    return root


def _schema(message: str) -> etree.XMLSchema:
    """The compiled XSD of `message`, cached per thread (an XMLSchema keeps its error log)."""
    schemas = getattr(_local, "schemas", None)
    if schemas is None:
        schemas = _local.schemas = {}
    schema = schemas.get(message)
    if schema is None:
        xsd = etree.parse(str(XSD_DIR / f"{message}.xsd"), _parser())
        schema = schemas[message] = etree.XMLSchema(xsd)
    return schema


def _validate(root: etree._Element, message: str) -> None:
    schema = _schema(message)
    if schema.validate(root):
        return
    errors = [f"line {error.line}: {error.message}" for error in schema.error_log]
    shown = "; ".join(errors[:SCHEMA_ERRORS_SHOWN])
    more = (
        f" (and {len(errors) - SCHEMA_ERRORS_SHOWN} more)"
        if len(errors) > SCHEMA_ERRORS_SHOWN
        else ""
    )
    raise StatementError(f"the file does not match the {message} schema: {shown}{more}")


# -- element helpers (namespace-agnostic) ------------------------------------------------------


def _name(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element, name: str) -> list:
    if element is None:
        return []
    return [child for child in element if _name(child) == name]


def _child(element, *path: str):
    """The first element along `path` below `element`, or None."""
    for name in path:
        if element is None:
            return None
        element = next((child for child in element if _name(child) == name), None)
    return element


def _text(element, *path: str) -> str:
    found = _child(element, *path)
    if found is None or found.text is None:
        return ""
    return _SPACE_RE.sub(" ", found.text).strip()


def _where(element) -> str:
    """`Stmt[1]/Ntry[3]/Amt`: the element's path below the message element."""
    parts: list[str] = []
    while element is not None:
        parent = element.getparent()
        if parent is None or parent.getparent() is None:
            break  # stop below Document/<message>
        name = _name(element)
        same = _children(parent, name)
        parts.append(f"{name}[{same.index(element) + 1}]" if len(same) > 1 else name)
        element = parent
    return "/".join(reversed(parts))


def _error(message: str, element) -> StatementError:
    return StatementError(message, line=element.sourceline, path=_where(element))


# -- values ------------------------------------------------------------------------------------


def _amount(element) -> tuple[int, str]:
    """`<Amt Ccy="EUR">51.23</Amt>` → (5123, "EUR"); more than two decimals is refused."""
    text = (element.text or "").strip()
    currency = (element.get("Ccy") or "").strip().upper()
    if not _AMOUNT_RE.fullmatch(text):
        raise _error(f"not an amount: {text!r}", element)
    if not currency:
        raise _error("amount without a currency (Ccy)", element)
    try:
        cents = Decimal(text) * 100
    except InvalidOperation as error:  # pragma: no cover - the regex admits only decimals
        raise _error(f"not an amount: {text!r}", element) from error
    if cents != cents.to_integral_value():
        raise _error(f"amount {text} has more than 2 decimals", element)
    if cents > AMOUNT_MAX:
        raise _error(f"amount {text} is beyond any real payment", element)
    return int(cents), currency


def _date(element) -> date | None:
    """`<BookgDt><Dt>` or `<BookgDt><DtTm>` → the calendar date as written."""
    if element is None:
        return None
    inner = _child(element, "Dt")
    if inner is None:
        inner = _child(element, "DtTm")
    if inner is None or not inner.text:
        return None
    match = _DATE_RE.match(inner.text.strip())
    try:
        if not match:
            raise ValueError
        return date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise _error(f"not a date: {inner.text.strip()!r}", inner) from error


def _account(element) -> str:
    """`Acct`/`DbtrAcct` → `Id/IBAN` or `Id/Othr/Id` ("" when neither)."""
    iban = _text(element, "Id", "IBAN").replace(" ", "").upper()
    return iban or _text(element, "Id", "Othr", "Id")


def _status(entry) -> str:
    """V02 `<Sts>BOOK</Sts>`; V08 `<Sts><Cd>BOOK</Cd></Sts>` (or `<Prtry>`)."""
    status = _child(entry, "Sts")
    if status is None:
        return ""
    return (_text(status, "Cd") or _text(status, "Prtry") or _text(entry, "Sts")).upper()


def _party_name(parties, role: str) -> str:
    """V02 `Dbtr/Nm` (or `Cdtr/Nm`), V04+ `Dbtr/Pty/Nm`."""
    party = _child(parties, role)
    return _text(party, "Nm") or _text(party, "Pty", "Nm")


def _remittance(detail) -> tuple[str, str]:
    """(first `Strd/CdtrRefInf/Ref`, `Ustrd` lines joined with a space)."""
    info = _child(detail, "RmtInf")
    structured = next(
        (ref for strd in _children(info, "Strd") if (ref := _text(strd, "CdtrRefInf", "Ref"))),
        "",
    )
    free = " ".join(line for ustrd in _children(info, "Ustrd") if (line := _text(ustrd)))
    return structured, free


def _end_to_end(detail) -> str:
    value = _text(detail, "Refs", "EndToEndId")
    return "" if value.upper() == NOT_PROVIDED else value


def _specific_reference(entry, detail) -> str:
    """The transaction's `Refs/AcctSvcrRef`, `TxId`, `EndToEndId` (not NOTPROVIDED), `InstrId`,
    then the entry's `AcctSvcrRef`, `NtryRef`: the first given, "" when none is."""
    return _transaction_reference(detail) or next(
        (
            value
            for value in (_text(entry, "AcctSvcrRef"), _text(entry, "NtryRef"))
            if value and value.upper() != NOT_PROVIDED
        ),
        "",
    )


def _transaction_reference(detail) -> str:
    """The transaction's own reference (`Refs/AcctSvcrRef`, `TxId`, `EndToEndId`, `InstrId`),
    "" when it has none: such a reference names the transaction in whatever entry it comes."""
    refs = _child(detail, "Refs")
    for value in (
        _text(refs, "AcctSvcrRef"),
        _text(refs, "TxId"),
        _end_to_end(detail),
        _text(refs, "InstrId"),
    ):
        if value and value.upper() != NOT_PROVIDED:
            return value
    return ""


# -- statement walk ----------------------------------------------------------------------------


def _return(entry, detail) -> tuple[bool, str]:
    """(is this credit a return of a payment of ours, the reason). `TxDtls/RtrInf` says so with
    its reason; else the bank transaction code (the detail's, else the entry's) of a return."""
    info = _child(detail, "RtrInf")
    if info is not None:
        code = _text(info, "Rsn", "Cd") or _text(info, "Rsn", "Prtry")
        more = " ".join(line for extra in _children(info, "AddtlInf") if (line := _text(extra)))
        return True, ": ".join(part for part in (code, more) if part)
    codes = _child(detail, "BkTxCd", "Domn")
    if codes is None:
        codes = _child(entry, "BkTxCd", "Domn")
    is_return = (
        _text(codes, "Cd").upper() == RETURN_DOMAIN
        and _text(codes, "Fmly", "Cd").upper() in RETURN_FAMILIES
        and _text(codes, "Fmly", "SubFmlyCd").upper() in RETURN_SUB_FAMILIES
    )
    return is_return, ""


class _Reader:
    def __init__(self, account: str):
        self.account = account
        self.credits: list[StatementCredit] = []
        self.debits: list[StatementDebit] = []
        self.skipped = 0
        self.keys = KeyRegister()
        self.warnings: list[str] = []

    def entry(self, entry) -> None:
        direction = _text(entry, "CdtDbtInd").upper()
        reversal = _text(entry, "RvslInd").lower() in ("true", "1")
        if direction not in OPPOSITE or _status(entry) != "BOOK" or reversal:
            self.skipped += 1
            return
        take = self._credit if direction == "CRDT" else self._debit
        amount_element = _child(entry, "Amt")
        if amount_element is None:
            raise _error("entry without Amt", entry)
        amount, currency = _amount(amount_element)
        value_on = _date(_child(entry, "ValDt"))
        booked_on = _date(_child(entry, "BookgDt")) or value_on
        if booked_on is None:
            raise _error("booked entry without BookgDt or ValDt", entry)
        reference = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
        details = [tx for box in _children(entry, "NtryDtls") for tx in _children(box, "TxDtls")]
        common = {"currency": currency, "booked_on": booked_on, "value_on": value_on}

        if len(details) <= 1:
            if amount <= 0:
                self.skipped += 1
                return
            detail = details[0] if details else None
            take(entry, detail, reference, None, amount, common)
            return

        net = 0
        for index, detail in enumerate(details, start=1):
            detail_amount_element = _child(detail, "Amt")
            if detail_amount_element is None:
                detail_amount_element = _child(detail, "AmtDtls", "TxAmt", "Amt")
            if detail_amount_element is None:
                raise _error("a batch entry's TxDtls has no amount (Amt or AmtDtls/TxAmt)", detail)
            detail_amount, detail_currency = _amount(detail_amount_element)
            if detail_currency != currency:
                raise _error(
                    f"batch detail in {detail_currency} on an entry in {currency}",
                    detail_amount_element,
                )
            if _text(detail, "CdtDbtInd").upper() == OPPOSITE[direction]:
                net -= detail_amount
                self.skipped += 1
                continue
            net += detail_amount
            if detail_amount == 0:
                self.skipped += 1
                continue
            take(entry, detail, reference, index, detail_amount, common)
        if net != amount:
            raise _error(
                f"batch details add up to {net / 100:.2f}, the entry to {amount / 100:.2f}", entry
            )

    def _key(self, entry, detail, reference, index, kind, amount, common) -> tuple:
        """(dedupe key, bank reference, legacy key, alternate keys); a debit's keys start with
        "D:".

        The key's reference is the most specific one: the transaction's `Refs/AcctSvcrRef`,
        `TxId`, `EndToEndId`, `InstrId`, then the entry's `AcctSvcrRef`, `NtryRef`; without any,
        a digest of the counterparty and the remittance text, with a warning."""
        legacy_reference = reference or _text(detail, "Refs", "AcctSvcrRef")
        specific = _specific_reference(entry, detail)
        where = _where(entry) + (f"/TxDtls[{index}]" if index is not None else "")
        if specific:
            key_reference = specific
        else:
            role = "Dbtr" if kind == "credit" else "Cdtr"
            parties = _child(detail, "RltdPties")
            text = _text(entry, "AddtlNtryInf") if detail is None else " ".join(_remittance(detail))
            key_reference = "NOREF-" + digest(
                _party_name(parties, role),
                _account(_child(parties, f"{role}Acct")),
                text.strip(),
                length=16,
            )
            self.warnings.append(
                f"{where}: no bank reference; duplicate check by date, amount and text"
            )
        key = entry_key(
            account=self.account,
            booked_on=common["booked_on"],
            direction="C" if kind == "credit" else "D",
            amount=amount,
            reference=key_reference,
        )
        # A batch detail's position tells it apart only when its reference is the entry's: a
        # transaction's own reference names it in any entry (a bank that books it in a batch
        # in one file and alone in the next). Keys stored with the position still match.
        alternates = ()
        if index is not None:
            if _transaction_reference(detail):
                alternates = (f"{key}:{index}",)
            else:
                key = f"{key}:{index}"
        key, repeated = self.keys.unique(key)
        if repeated:
            alternates = ()
        if repeated and specific:
            self.warnings.append(
                f"{where}: reference {specific!r}, date and amount repeat an earlier {kind}; "
                "told apart by its position in the file"
            )
        legacy = (
            f"{self.account}:{legacy_reference}" + (f":{index}" if index is not None else "")
            if legacy_reference
            else ""
        )
        if kind == "debit":
            key = f"{DEBIT_KEY_PREFIX}{key}"
            legacy = f"{DEBIT_KEY_PREFIX}{legacy}" if legacy else ""
            alternates = tuple(f"{DEBIT_KEY_PREFIX}{a}" for a in alternates)
        return key, legacy_reference or specific, legacy, alternates

    def _credit(self, entry, detail, reference, index, amount, common) -> None:
        key, reference, legacy, alternates = self._key(
            entry, detail, reference, index, "credit", amount, common
        )
        if detail is None:
            structured, free = "", _text(entry, "AddtlNtryInf")
        else:
            structured, free = _remittance(detail)
        parties = _child(detail, "RltdPties")
        is_return, return_reason = _return(entry, detail)
        self.credits.append(
            StatementCredit(
                dedupe_key=key,
                account=self.account,
                amount=amount,
                bank_reference=reference,
                end_to_end_id=_end_to_end(detail),
                structured_reference=structured,
                free_text=free,
                payer_name=_party_name(parties, "Dbtr"),
                payer_account=_account(_child(parties, "DbtrAcct")),
                is_return=is_return,
                return_reason=return_reason,
                legacy_key=legacy,
                alternate_keys=alternates,
                **common,
            )
        )

    def _debit(self, entry, detail, reference, index, amount, common) -> None:
        key, reference, legacy, alternates = self._key(
            entry, detail, reference, index, "debit", amount, common
        )
        free = _text(entry, "AddtlNtryInf") if detail is None else _remittance(detail)[1]
        parties = _child(detail, "RltdPties")
        self.debits.append(
            StatementDebit(
                dedupe_key=key,
                account=self.account,
                amount=amount,
                bank_reference=reference,
                end_to_end_id=_end_to_end(detail),
                free_text=free,
                counterparty_name=_party_name(parties, "Cdtr"),
                counterparty_account=_account(_child(parties, "CdtrAcct")),
                document_number="",
                legacy_key=legacy,
                alternate_keys=alternates,
                **common,
            )
        )


def parse_camt(data: bytes) -> Statement:
    """Reads a camt.053 statement or camt.054 notification (any version; .001.02 and .001.08
    are validated against their XSD) and returns its booked credits and debits. Raises
    StatementError for a DOCTYPE, malformed XML, another document, a schema violation, several
    accounts in one file (`parse_camt_accounts` reads those), an amount with more than 2
    decimals, or a batch whose details do not add up. An entry without any reference is taken
    with a fallback key and a warning."""
    statements = parse_camt_accounts(data)
    if len(statements) > 1:
        accounts = ", ".join(statement.account for statement in statements)
        raise StatementError(f"one account per file, this one has {len(statements)}: {accounts}")
    return statements[0]


def parse_camt_accounts(data: bytes) -> list[Statement]:
    """As `parse_camt`, one statement per account: banks send a customer's accounts in one
    camt.053 (a `Stmt` each), in the order of their first `Stmt`."""
    root = _parse_xml(data)
    message = root[0] if len(root) and _name(root) == "Document" else None
    while message is not None and not isinstance(message.tag, str):
        message = message.getnext()
    kind = MESSAGES.get(_name(message)) if message is not None else None
    if kind is None:
        inner = f"/{_name(message)}" if message is not None else ""
        raise StatementError(
            f"unknown statement format: XML {_name(root)}{inner} is not camt.053 or camt.054"
        )
    statement_format, block_name = kind

    namespace = etree.QName(root).namespace or ""
    version = namespace.removeprefix(NS_PREFIX)
    if namespace.startswith(NS_PREFIX) and version in VALIDATED_MESSAGES:
        _validate(root, version)

    blocks = _children(message, block_name)
    if not blocks:
        raise StatementError(f"{_name(message)} has no {block_name}")
    by_account: dict[str, list] = {}
    for block in blocks:
        account = _account(_child(block, "Acct"))
        if not account:
            raise _error("no account (Acct/Id/IBAN or Acct/Id/Othr/Id)", block)
        by_account.setdefault(account, []).append(block)
    encoding = (root.getroottree().docinfo.encoding or "utf-8").lower()
    statements = []
    for account, own_blocks in by_account.items():
        reader = _Reader(account)
        for block in own_blocks:
            for entry in _children(block, "Ntry"):
                reader.entry(entry)
        statements.append(
            Statement(
                format=statement_format,
                account=account,
                statement_id=",".join(_text(block, "Id") for block in own_blocks),
                credits=tuple(reader.credits),
                skipped=reader.skipped,
                debits=tuple(reader.debits),
                warnings=tuple(reader.warnings),
                encoding=encoding,
            )
        )
    return statements
