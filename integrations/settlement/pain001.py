"""Supplier payouts as an ISO 20022 pain.001.001.03 CustomerCreditTransferInitiation.

One group header and one payment information block (one execution date, one debit account)
with one credit transfer per payout; `EndToEndId` is the registry id, so the credit that comes
back in the supplier's statement closes the loop.

Accounts: an IBAN when the party has one, otherwise `Othr/Id` with the RU settlement account
(scheme BBAN). Agents: a SWIFT BIC goes in `BIC`; a 9-digit Bank of Russia BIK is not a SWIFT BIC
(the XSD's BICIdentifier pattern refuses it) and goes in `ClrSysMmbId` (clearing system RUCBC)
with the bank's name. The SEPA service level and `ChrgBr=SLEV` are used only when every payout
is in EUR; other currencies get no service level and shared charges (SHAR).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from core.money import format_minor

from .types import Party, Payout

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
XSD_PATH = Path(__file__).resolve().parent.parent / "xsd" / "pain.001.001.03.xsd"

SWIFT_BIC_RE = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")
RU_BIC_RE = re.compile(r"\d{9}")
IBAN_RE = re.compile(r"[A-Z]{2}\d{2}[A-Za-z0-9]{1,30}")
RU_CLEARING_SYSTEM = "RUCBC"  # ISO external clearing system code: Bank of Russia BIK
# XML 1.0 refuses most control characters; lxml raises on them.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACE_RE = re.compile(r"\s+")


# EPC217-08 (SEPA requirements for an extended character set): what every SEPA bank takes is
# the basic Latin set below; text outside it is converted, not sent (banks refuse `ä`, `&`, `<`).
EPC_LATIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
_EPC_SPELLED = {
    "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o",
    "Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Þ": "TH", "þ": "th", "&": "+", "_": "-",
    '"': "'", "«": "'", "»": "'", "„": "'", "“": "'", "”": "'", "‘": "'", "’": "'",
    ";": ",", "–": "-", "—": "-", "[": "(", "]": ")", "{": "(", "}": ")",
}  # fmt: skip
# Cyrillic names in Latin letters as passports write them (ICAO Doc 9303).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def epc_latin(value: str) -> str:
    """`value` in the EPC basic Latin set: letters lose their diacritics (`ä` → `a`), `ß` is
    `ss`, `&` is `+`, quotes are `'`; any other character outside the set is `.`."""
    out = []
    for char in value:
        if char in EPC_LATIN:
            out.append(char)
            continue
        if char in _EPC_SPELLED:
            out.append(_EPC_SPELLED[char])
            continue
        if unicodedata.combining(char):
            continue
        lower = char.lower()
        if lower in _CYRILLIC:
            latin = _CYRILLIC[lower]
            out.append(latin.capitalize() if char != lower else latin)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if c in EPC_LATIN)
        out.append(base or ".")
    return "".join(out)


def _text(value: str, limit: int, *, sepa: bool = False) -> str:
    """One line of XML-safe text, cut to `limit` characters ("" when nothing is left); in the
    EPC basic Latin set for SEPA."""
    value = _SPACE_RE.sub(" ", _CONTROL_RE.sub("", value)).strip()
    if sepa:
        value = epc_latin(value)
    return value[:limit].rstrip()


def _id(value: str, what: str) -> str:
    if not 1 <= len(value) <= 35 or _CONTROL_RE.search(value) or value != value.strip():
        raise ValueError(f"{what} {value!r}: 1-35 characters without leading/trailing spaces")
    return value


def _sub(parent, tag: str, text: str | None = None, **attrib):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", attrib)
    if text is not None:
        element.text = text
    return element


def _path(parent, path: str, text: str | None = None):
    """Creates the chain of elements `A/B/C` under `parent` and returns the last one."""
    element = parent
    for tag in path.split("/"):
        element = _sub(element, tag)
    if text is not None:
        element.text = text
    return element


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def _account(parent, tag: str, party: Party, role: str) -> None:
    """`<tag><Id><IBAN>` or `<tag><Id><Othr><Id>…<SchmeNm><Cd>BBAN`."""
    iban = _compact(party.iban)
    account = re.sub(r"\s+", "", party.bank_account)
    if iban:
        if not IBAN_RE.fullmatch(iban) or len(iban) > 34:
            raise ValueError(f"{role} {party.name!r}: IBAN {party.iban!r} is malformed")
        _path(parent, f"{tag}/Id/IBAN", iban)
    elif account:
        if len(account) > 34:
            raise ValueError(f"{role} {party.name!r}: account {party.bank_account!r} too long")
        othr = _path(parent, f"{tag}/Id/Othr")
        _sub(othr, "Id", account)
        _path(othr, "SchmeNm/Cd", "BBAN")
    else:
        raise ValueError(f"{role} {party.name!r} has neither an IBAN nor a bank account")


def _agent(parent, tag: str, party: Party, role: str, *, required: bool, sepa: bool) -> None:
    """`<tag><FinInstnId>` with the BIC, the RU BIK as a clearing member id, or (debtor agent
    only) `Othr/Id=NOTPROVIDED` as the EPC guidelines ask for an IBAN-only debit."""
    bic = _compact(party.bic)
    if SWIFT_BIC_RE.fullmatch(bic):
        _path(parent, f"{tag}/FinInstnId/BIC", bic)
    elif RU_BIC_RE.fullmatch(bic):
        fin = _path(parent, f"{tag}/FinInstnId")
        member = _sub(fin, "ClrSysMmbId")
        _path(member, "ClrSysId/Cd", RU_CLEARING_SYSTEM)
        _sub(member, "MmbId", bic)
        name = _text(party.bank_name, 140, sepa=sepa)
        if name:
            _sub(fin, "Nm", name)
    elif bic:
        raise ValueError(
            f"{role} {party.name!r}: {party.bic!r} is neither a SWIFT BIC nor a 9-digit RU BIK"
        )
    elif required:
        _path(parent, f"{tag}/FinInstnId/Othr/Id", "NOTPROVIDED")


def _party(parent, tag: str, party: Party, limit: int, *, sepa: bool) -> None:
    element = _sub(parent, tag)
    name = _text(party.name, limit, sepa=sepa)
    if name:
        _sub(element, "Nm", name)
    inn = _compact(party.inn)
    if inn:  # RU taxpayer number, the way RU banks identify a legal entity
        othr = _path(element, "Id/OrgId/Othr")
        _sub(othr, "Id", inn[:35])
        _path(othr, "SchmeNm/Prtry", "INN")


def payout_pain001(
    *,
    payouts: Sequence[Payout],
    debtor: Party,
    message_id: str,
    created_at: datetime,
    execution_date: date,
) -> bytes:
    """The payouts as one pain.001.001.03 document (UTF-8 bytes with an XML declaration).
    Raises ValueError on data the XSD or a bank would refuse (no payouts, an id over 35
    characters, a party without an account, a malformed IBAN or BIC)."""
    if not payouts:
        raise ValueError("a pain.001 needs at least one payout")
    message_id = _id(message_id, "message id")
    if created_at.tzinfo is None:
        raise ValueError("created_at must be aware")
    count = str(len(payouts))
    total = format_minor(sum(p.amount for p in payouts))
    sepa = all(p.currency == "EUR" for p in payouts)

    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    initiation = _sub(root, "CstmrCdtTrfInitn")

    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", created_at.replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", count)
    _sub(header, "CtrlSum", total)
    _party(header, "InitgPty", debtor, 70, sepa=sepa)

    info = _sub(initiation, "PmtInf")
    _sub(info, "PmtInfId", message_id)
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "NbOfTxs", count)
    _sub(info, "CtrlSum", total)
    if sepa:
        _path(info, "PmtTpInf/SvcLvl/Cd", "SEPA")
    _sub(info, "ReqdExctnDt", execution_date.isoformat())
    _party(info, "Dbtr", debtor, 70, sepa=sepa)
    _account(info, "DbtrAcct", debtor, "debtor")
    _agent(info, "DbtrAgt", debtor, "debtor", required=True, sepa=sepa)
    _sub(info, "ChrgBr", "SLEV" if sepa else "SHAR")

    for payout in payouts:
        tx = _sub(info, "CdtTrfTxInf")
        _path(tx, "PmtId/EndToEndId", _id(payout.end_to_end_id, "end-to-end id"))
        _path(tx, "Amt/InstdAmt", format_minor(payout.amount)).set("Ccy", payout.currency)
        _agent(tx, "CdtrAgt", payout.creditor, "creditor", required=False, sepa=sepa)
        _party(tx, "Cdtr", payout.creditor, 70, sepa=sepa)
        _account(tx, "CdtrAcct", payout.creditor, "creditor")
        remittance = _text(payout.remittance, 140, sepa=sepa)
        if remittance:
            _path(tx, "RmtInf/Ustrd", remittance)

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


_local = threading.local()


def _schema() -> etree.XMLSchema:
    """The compiled XSD, one per thread (an XMLSchema keeps its error log on itself)."""
    schema = getattr(_local, "schema", None)
    if schema is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        schema = _local.schema = etree.XMLSchema(etree.parse(str(XSD_PATH), parser))
    return schema


def pain001_errors(data: bytes) -> list[str]:
    """The XSD validation errors of a pain.001.001.03 document ([] when it is valid)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        document = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: not well-formed XML: {exc.msg}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
