"""Payment QR payloads per country profile, built and validated as strings, and their images.

- GOST R 56042-2014 ``ST00012`` (Russia), payment-standards.md §1;
- EPC069-12 "SCT QR" / GiroCode (SEPA), §2;
- Swiss QR-bill ``SPC 0200`` (CH, LI), §3.

The builders refuse rather than repair: a value too long, a separator inside a value or a bad
check digit raises ``ValueError`` naming the field, because a QR that a banking app rejects is
found only by the payer. Amounts are integer minor units (kopecks, cents, Rappen).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import segno
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from invoicing.references import qrr_is_valid, rf_is_valid
from warehouse import account_keys

# --- GOST R 56042-2014 ---------------------------------------------------------------------

GOST_HEADER = "ST00012|"  # version 0001, charset 2 = UTF-8, separator "|"
GOST_SEPARATOR = "|"
_GOST_CHARSETS = {"1": "cp1251", "2": "utf-8", "3": "koi8-r"}

# Maximum lengths of §1; ``None`` = no limit set by the libraries. Exact lengths are checked
# separately (PersonalAcc, BIC). The keys are the spelling we emit.
GOST_FIELD_LIMITS: dict[str, int | None] = {
    # mandatory block, in this order
    "Name": 160,
    "PersonalAcc": 20,
    "BankName": 45,
    "BIC": 9,
    "CorrespAcc": 20,
    # additional fields
    "Sum": 18,
    "Purpose": 210,
    "PayeeINN": 12,
    "PayerINN": 12,
    "DrawerStatus": 2,
    "KPP": 9,
    "CBC": 20,
    "OKTMO": 11,
    "PaytReason": 2,
    "TaxPeriod": 10,
    "DocNo": 15,
    "DocDate": 10,
    "TaxPaytKind": 2,
    # other fields
    **dict.fromkeys(
        [
            "LastName",
            "FirstName",
            "MiddleName",
            "PayerAddress",
            "Phone",
            "PayerIdType",
            "PayerIdNum",
            "PersonalAccount",
            "PersAcc",
            "Contract",
            "Flat",
            "PaymTerm",
            "PaymPeriod",
            "Category",
            "ServiceName",
            "CounterId",
            "CounterVal",
            "QuittId",
            "QuittDate",
            "DocIdx",
            "PensAcc",
            "ChildFio",
            "BirthDate",
            "InstNum",
            "ClassNum",
            "SpecFio",
            "RuleId",
            "ExecId",
            "RegType",
            "UIN",
            "AddAmount",
            "TechCode",
        ]
    ),
}
GOST_MANDATORY = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
_GOST_CANONICAL = {key.lower(): key for key in GOST_FIELD_LIMITS} | {"taxpaykind": "TaxPaytKind"}
_GOST_DIGIT_FIELDS = {
    "PersonalAcc",
    "BIC",
    "CorrespAcc",
    "Sum",
    "PayeeINN",
    "PayerINN",
    "AddAmount",
}


@dataclass(frozen=True)
class GostPayee:
    """The payee's bank details: the mandatory block plus INN and KPP (``"0"`` if none)."""

    name: str
    personal_acc: str  # 20-digit расчётный счёт
    bank_name: str
    bic: str  # 9-digit БИК
    corresp_acc: str  # ≤20 digits, "0" if none
    payee_inn: str
    kpp: str


def _gost_check(key: str, value: str) -> None:
    if not isinstance(value, str) or value == "":
        raise ValueError(f"GOST field {key}: must be a non-empty string, got {value!r}")
    if GOST_SEPARATOR in value:
        raise ValueError(f"GOST field {key}: must not contain the separator {GOST_SEPARATOR!r}")
    if "\r" in value or "\n" in value:
        raise ValueError(f"GOST field {key}: must not contain a line break")
    limit = GOST_FIELD_LIMITS.get(key)
    if limit is not None and len(value) > limit:
        raise ValueError(f"GOST field {key}: at most {limit} characters, got {len(value)}")
    if key in _GOST_DIGIT_FIELDS and not (value.isascii() and value.isdigit()):
        raise ValueError(f"GOST field {key}: digits only, got {value!r}")
    if key in ("PersonalAcc", "BIC") and len(value) != limit:
        raise ValueError(f"GOST field {key}: exactly {limit} digits, got {len(value)}")


def gost_payload(
    payee: GostPayee,
    *,
    sum_minor: int | None,
    purpose: str,
    pers_acc: str,
    paym_period: str,
    last_name: str | None = None,
    payer_address: str | None = None,
    category: str | None = None,
    extra: Mapping[str, str] | None = None,
    tech_code: str = "02",
) -> str:
    """``ST00012|Name=…|…|TechCode=02``: mandatory block first, in its order (Sberbank's app
    needs it), then PayeeINN, KPP, Sum, Purpose, PersAcc, PaymPeriod, the payer, ``extra``
    (further GOST keys, in the given order) and TechCode (``02`` = ЖКУ).

    ``sum_minor`` is in kopecks; ``None`` leaves the amount to the payer. ``paym_period`` is
    MMYYYY. ``pers_acc`` is our ЛС/ЕЛС (the payer's account at the supplier).
    """
    if sum_minor is not None and (
        isinstance(sum_minor, bool) or not isinstance(sum_minor, int) or sum_minor < 0
    ):
        raise ValueError(f"GOST field Sum: a non-negative integer of kopecks, got {sum_minor!r}")
    if not re.fullmatch(r"(0[1-9]|1[0-2])\d{4}", paym_period or ""):
        raise ValueError(f"GOST field PaymPeriod: MMYYYY with month 01-12, got {paym_period!r}")
    if not re.fullmatch(r"0[1-9]|1[0-5]", tech_code or ""):
        raise ValueError(f"GOST field TechCode: 01-15, got {tech_code!r}")
    fields: list[tuple[str, str | None]] = [
        ("Name", payee.name),
        ("PersonalAcc", payee.personal_acc),
        ("BankName", payee.bank_name),
        ("BIC", payee.bic),
        ("CorrespAcc", payee.corresp_acc),
        ("PayeeINN", payee.payee_inn),
        ("KPP", payee.kpp),
        ("Sum", None if sum_minor is None else str(sum_minor)),
        ("Purpose", purpose),
        ("PersAcc", pers_acc),
        ("PaymPeriod", paym_period),
        ("LastName", last_name),
        ("PayerAddress", payer_address),
        ("Category", category),
    ]
    seen = {key.lower() for key, _ in fields} | {"techcode"}
    for raw_key, value in (extra or {}).items():
        key = _GOST_CANONICAL.get(str(raw_key).lower())
        if key is None:
            raise ValueError(f"GOST field {raw_key}: not a GOST R 56042 key")
        if key.lower() in seen:
            raise ValueError(f"GOST field {key}: set twice (named argument and extra)")
        seen.add(key.lower())
        fields.append((key, value))
    fields.append(("TechCode", tech_code))

    pairs = []
    for key, value in fields:
        if value is None:
            continue
        _gost_check(key, value)
        pairs.append(f"{key}={value}")
    return GOST_HEADER + GOST_SEPARATOR.join(pairs)


def gost_parse(payload: str | bytes) -> dict[str, str]:
    """Fields of an ``ST0001x`` payload, keyed in our spelling whatever the case on input
    (``persAcc`` → ``PersAcc``, ``TaxPayKind`` → ``TaxPaytKind``); unknown keys kept as they
    are. Bytes are decoded with the charset the header declares."""
    if isinstance(payload, bytes):
        header = payload[:8].decode("ascii", errors="replace")
        charset = _GOST_CHARSETS.get(header[6:7])
        if charset is None or not header.startswith("ST0001"):
            raise ValueError(f"not a GOST R 56042 payload: header {header!r}")
        payload = header + payload[8:].decode(charset)
    header = payload[:8]
    if len(header) < 8 or not header.startswith("ST0001") or header[6] not in _GOST_CHARSETS:
        raise ValueError(f"not a GOST R 56042 payload: header {header!r}")
    separator = header[7]
    fields: dict[str, str] = {}
    for pair in payload[8:].split(separator):
        if not pair:
            continue  # a trailing separator occurs in the wild
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise ValueError(f"GOST payload: {pair!r} is not Key=Value")
        key = _GOST_CANONICAL.get(key.lower(), key)
        if key in fields:
            raise ValueError(f"GOST payload: field {key} occurs twice")
        fields[key] = value
    return fields


# --- EPC069-12 (SEPA) ----------------------------------------------------------------------

EPC_MAX_BYTES = 331
_BIC_RE = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_MAX_AMOUNT_MINOR = 99_999_999_999  # 999 999 999.99


@functools.lru_cache(maxsize=1024)
def _iban(iban: str, field: str) -> IBAN:
    """Validated once per IBAN: an operator's IBAN is on every one of its documents."""
    try:
        return IBAN(iban)
    except (SchwiftyException, ValueError, TypeError) as exc:
        raise ValueError(f"{field}: invalid IBAN {iban!r} ({exc})") from exc


def _amount_minor(amount_minor: int, field: str) -> int:
    if (
        isinstance(amount_minor, bool)
        or not isinstance(amount_minor, int)
        or not 1 <= amount_minor <= _MAX_AMOUNT_MINOR
    ):
        raise ValueError(
            f"{field}: integer minor units from 1 to {_MAX_AMOUNT_MINOR}, got {amount_minor!r}"
        )
    return amount_minor


def _text(value: str | None, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{field}: must be a string, got {type(value).__name__}")
    if "\r" in value or "\n" in value:
        raise ValueError(f"{field}: must not contain a line break")
    if len(value) > limit:
        raise ValueError(f"{field}: at most {limit} characters, got {len(value)}")
    return value


def epc_payload(
    *,
    bic: str | None,
    name: str,
    iban: str,
    amount_minor: int | None,
    reference: str | None = None,
    text: str | None = None,
    purpose: str | None = None,
) -> str:
    """EPC QR version 002, charset 1 (UTF-8), LF-separated, trailing empty lines dropped.

    ``amount_minor`` is euro cents (``None`` = payer enters it), emitted shortest as
    ``EUR51.23``, ``EUR12.3``, ``EUR12``. ``reference`` must be a valid RF reference (we issue
    only RF); it and ``text`` are mutually exclusive.
    """
    bic = (bic or "").replace(" ", "").upper()
    if bic and not _BIC_RE.fullmatch(bic):
        raise ValueError(f"EPC bic: 8 or 11 letters/digits, got {bic!r}")
    if not name:
        raise ValueError("EPC name: required")
    name = _text(name, "EPC name", 70)
    iban_compact = _iban(iban, "EPC iban").compact
    if amount_minor is None:
        amount = ""
    else:
        cents = _amount_minor(amount_minor, "EPC amount")
        amount = f"EUR{cents // 100}.{cents % 100:02d}".rstrip("0").rstrip(".")
    if purpose and not re.fullmatch(r"[A-Z0-9]{4}", purpose):
        raise ValueError(f"EPC purpose: a 4-character purpose code, got {purpose!r}")
    if reference and text:
        raise ValueError("EPC reference and text: mutually exclusive, give one")
    if reference:
        reference = "".join(reference.split()).upper()
        if len(reference) > 35 or not rf_is_valid(reference):
            raise ValueError(f"EPC reference: not a valid ISO 11649 RF reference: {reference!r}")
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        bic,
        name,
        iban_compact,
        amount,
        purpose or "",
        reference or "",
        _text(text, "EPC text", 140),
    ]
    while not lines[-1]:
        lines.pop()
    payload = "\n".join(lines)
    size = len(payload.encode("utf-8"))
    if size > EPC_MAX_BYTES:
        raise ValueError(f"EPC payload: at most {EPC_MAX_BYTES} bytes, got {size}")
    return payload


# --- Swiss QR-bill SPC 0200 ----------------------------------------------------------------

SWISS_SEPARATOR = "\r\n"
QR_IID_RANGE = account_keys.QR_IID_RANGE

# Characters the SIX implementation guidelines (2.3) allow under coding type 1: Basic Latin,
# Latin-1 Supplement, Latin Extended-A, Ș ș Ț ț and €.
_SWISS_CHARS_RE = re.compile("[\u0020-\u007e\u00a0-\u017f\u0218-\u021b\u20ac]*")


@dataclass(frozen=True)
class SwissAddress:
    """A structured (``S``) address; combined ``K`` addresses are being retired."""

    name: str
    postcode: str
    town: str
    country: str  # ISO 3166 alpha-2
    street: str = ""
    building_number: str = ""


# Limits of the SIX implementation guidelines for a structured address.
_SWISS_ADDRESS_LIMITS = (
    ("name", 70),
    ("street", 70),
    ("building_number", 16),
    ("postcode", 16),
    ("town", 35),
)


def _swiss_text(value: str, field: str, limit: int) -> str:
    value = _text(value, field, limit)
    if not _SWISS_CHARS_RE.fullmatch(value):
        bad = next(c for c in value if not _SWISS_CHARS_RE.fullmatch(c))
        raise ValueError(f"{field}: character {bad!r} is outside the QR-bill character set")
    return value


def _swiss_address(address: SwissAddress | None, field: str) -> list[str]:
    if address is None:
        return [""] * 7
    for attr in ("name", "postcode", "town"):
        if not getattr(address, attr):
            raise ValueError(f"{field}.{attr}: required")
    if not re.fullmatch(r"[A-Z]{2}", address.country or ""):
        raise ValueError(f"{field}.country: ISO 3166 two-letter code, got {address.country!r}")
    values = {
        attr: _swiss_text(getattr(address, attr), f"{field}.{attr}", limit)
        for attr, limit in _SWISS_ADDRESS_LIMITS
    }
    return [
        "S",
        values["name"],
        values["street"],
        values["building_number"],
        values["postcode"],
        values["town"],
        address.country,
    ]


def is_qr_iban(iban: str) -> bool:
    """A QR-IBAN has its institution id (IBAN characters 5–9) in 30000–31999."""
    return account_keys.is_qr_iban(iban)


def swiss_payload(
    *,
    iban: str,
    creditor: SwissAddress,
    amount_minor: int | None,
    currency: Literal["CHF", "EUR"],
    debtor: SwissAddress | None,
    reference_type: Literal["QRR", "SCOR", "NON"],
    reference: str | None,
    message: str | None,
) -> str:
    """The 31 elements of an SPC 0200 QR-bill, CR LF separated, ending with the trailer ``EPD``.

    Pairing rule: a QR-IBAN takes a QRR reference and nothing else; an ordinary IBAN takes
    SCOR (a valid RF reference) or NON (no reference). ``amount_minor`` ``None`` leaves the
    amount to the payer; ``debtor`` ``None`` leaves the debtor block empty.
    """
    if creditor is None:
        raise ValueError("Swiss creditor: required")
    iban_compact = _iban(iban, "Swiss iban").compact
    if iban_compact[:2] not in ("CH", "LI"):
        raise ValueError(f"Swiss iban: CH or LI only, got {iban_compact[:2]}")
    if currency not in ("CHF", "EUR"):
        raise ValueError(f"Swiss currency: CHF or EUR, got {currency!r}")
    if reference_type not in ("QRR", "SCOR", "NON"):
        raise ValueError(f"Swiss reference_type: QRR, SCOR or NON, got {reference_type!r}")
    qr_iban = is_qr_iban(iban_compact)
    if qr_iban and reference_type != "QRR":
        raise ValueError(f"Swiss reference_type: a QR-IBAN requires QRR, got {reference_type}")
    if not qr_iban and reference_type == "QRR":
        raise ValueError("Swiss reference_type: QRR requires a QR-IBAN (IID 30000-31999)")
    reference = "".join((reference or "").split()).upper()
    if reference_type == "QRR" and not qrr_is_valid(reference):
        raise ValueError(f"Swiss reference: not a valid 27-digit QRR reference: {reference!r}")
    if reference_type == "SCOR" and not rf_is_valid(reference):
        raise ValueError(f"Swiss reference: not a valid ISO 11649 RF reference: {reference!r}")
    if reference_type == "NON" and reference:
        raise ValueError("Swiss reference: must be empty with reference_type NON")
    if amount_minor is None:
        amount = ""
    else:
        minor = _amount_minor(amount_minor, "Swiss amount")
        amount = f"{minor // 100}.{minor % 100:02d}"
    elements = [
        "SPC",
        "0200",
        "1",
        iban_compact,
        *_swiss_address(creditor, "Swiss creditor"),
        *[""] * 7,  # ultimate creditor: reserved
        amount,
        currency,
        *_swiss_address(debtor, "Swiss debtor"),
        reference_type,
        reference,
        _swiss_text(message or "", "Swiss message", 140),
        "EPD",
    ]
    return SWISS_SEPARATOR.join(elements)


@dataclass(frozen=True)
class SwissBill:
    """The elements of an SPC 0200 payload that a QR-bill's payment part prints."""

    iban: str
    creditor: SwissAddress
    amount_minor: int | None
    currency: str
    debtor: SwissAddress | None
    reference_type: str
    reference: str
    message: str


def _swiss_address_of(elements: list[str]) -> SwissAddress | None:
    kind, name, street, number, postcode, town, country = elements
    if not kind:
        return None
    return SwissAddress(name, postcode, town, country, street, number)


def swiss_parse(payload: str) -> SwissBill:
    """The inverse of `swiss_payload`: ``swiss_payload(**vars(swiss_parse(p))) == p`` for
    every payload it builds."""
    elements = payload.split(SWISS_SEPARATOR)
    if elements[:2] != ["SPC", "0200"] or len(elements) < 31 or elements[30] != "EPD":
        raise ValueError("not a Swiss QR-bill SPC 0200 payload")
    amount = elements[18]
    units, _, cents = amount.partition(".")
    return SwissBill(
        iban=elements[3],
        creditor=_swiss_address_of(elements[4:11]),
        amount_minor=int(units) * 100 + int(cents.ljust(2, "0")) if amount else None,
        currency=elements[19],
        debtor=_swiss_address_of(elements[20:27]),
        reference_type=elements[27],
        reference=elements[28],
        message=elements[29],
    )


# --- QR images -----------------------------------------------------------------------------

QR_ERROR = "m"
# Any mask gives a valid symbol (the decoder reads it from the format information); letting
# segno score all 8 is most of the encoding time (~58 codes/s against ~250 with a fixed mask).
QR_MASK = 0
QR_ENCODING = "utf-8"  # GOST ST00012, EPC charset 1 and SPC coding type 1 are all UTF-8


def qr_matrix(payload: str) -> segno.QRCode:
    """The QR symbol for a payload: byte mode, UTF-8 without ECI (the payload declares its
    charset), level M without boosting, fixed mask. ``.matrix`` holds the module rows."""
    return segno.make(
        payload,
        error=QR_ERROR,
        boost_error=False,
        mask=QR_MASK,
        mode="byte",
        encoding=QR_ENCODING,
        micro=False,
    )


def qr_png(payload: str, scale: int = 4) -> bytes:
    """PNG bytes, ``scale`` pixels per module, with the standard 4-module quiet zone."""
    buffer = io.BytesIO()
    qr_matrix(payload).save(buffer, kind="png", scale=scale)
    return buffer.getvalue()


def qr_svg(payload: str) -> str:
    """An SVG document without XML declaration and without width/height (only a viewBox), so
    the page sets the printed size (46 mm for a QR-bill)."""
    buffer = io.BytesIO()
    qr_matrix(payload).save(buffer, kind="svg", xmldecl=False, omitsize=True, nl=False)
    return buffer.getvalue().decode("utf-8")
