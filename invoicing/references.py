"""Payment references: one per document (account + period), with a check digit.

Every reference carries the account number and the billing period in clear, so the
statement matcher decodes it without a lookup (payment-standards.md §4, §9.1):

- ``rf``  ISO 11649 creditor reference, body = account + MMYYYY (SEPA; CH with SCOR);
- ``ru``  digits = account + MMYYYY + one ISO 7064 MOD 11-10 check digit (Russian profile);
- ``qrr`` Swiss QR reference, 26 digits = zero-padded account + MMYYYY, + mod-10 recursive
  check digit (CH with a QR-IBAN).

Periods are ``"YYYY-MM"`` strings everywhere in the API; MMYYYY only inside references.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from warehouse.countries import ReferenceScheme, UnknownCountry, country_named

ReferenceKind = Literal["rf", "ru", "qrr"]
Profile = Literal["RU", "SEPA", "CH"]
ALL_KINDS: tuple[ReferenceKind, ...] = ("rf", "ru", "qrr")

RF_BODY_MAX = 21
RU_ACCOUNT_MAX = 19  # keeps every RU reference shorter than the 27 digits of a QRR
QRR_LENGTH = 27
QRR_ACCOUNT_MAX = QRR_LENGTH - 1 - 6

_PERIOD_RE = re.compile(r"(\d{4})-(\d{2})")
_ALNUM_RE = re.compile(r"[0-9A-Z]+")
_RF_RE = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")
_QRR_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)


# Shadows the builtin ReferenceError (weakref proxies only) inside this module, on purpose:
# it is the name callers catch. Import it qualified or under an alias elsewhere.
class ReferenceError(ValueError):
    """A string that is not a valid Unibill payment reference (bad check digit, bad layout)."""


@dataclass(frozen=True)
class ParsedReference:
    kind: ReferenceKind
    account_number: str
    period: str  # "YYYY-MM"


# --- periods -------------------------------------------------------------------------------


def _period_mmyyyy(period: str) -> str:
    """``"2026-06"`` → ``"062026"``."""
    match = _PERIOD_RE.fullmatch(period) if isinstance(period, str) else None
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"period must be 'YYYY-MM' with month 01-12, got {period!r}")
    return match[2] + match[1]


def _period_from_mmyyyy(mmyyyy: str, ref: str) -> str:
    if len(mmyyyy) != 6 or not mmyyyy.isdigit() or not 1 <= int(mmyyyy[:2]) <= 12:
        raise ReferenceError(f"{ref!r}: period part {mmyyyy!r} is not MMYYYY with month 01-12")
    return f"{mmyyyy[2:]}-{mmyyyy[:2]}"


def _compact(ref: str) -> str:
    """Drop spaces and upper-case: references are printed in groups and typed by hand."""
    if not isinstance(ref, str):
        raise ReferenceError(f"reference must be a string, got {type(ref).__name__}")
    return "".join(ref.split()).upper()


# --- RF (ISO 11649, MOD 97-10) -------------------------------------------------------------


def _mod97(chars: str) -> int:
    """ISO 7064 MOD 97-10 over alphanumerics, A=10 … Z=35."""
    return int("".join(str(int(c, 36)) for c in chars)) % 97


def rf_reference(account_number: str, period: str) -> str:
    """``rf_reference("100200300", "2026-06")`` → ``"RF87100200300062026"``."""
    ascii_str = isinstance(account_number, str) and account_number.isascii()
    account = account_number.upper() if ascii_str else ""
    if not _ALNUM_RE.fullmatch(account):
        raise ValueError(f"account number must be letters and digits, got {account_number!r}")
    body = account + _period_mmyyyy(period)
    if len(body) > RF_BODY_MAX:
        raise ValueError(
            f"account number {account_number!r} too long for an RF reference "
            f"(at most {RF_BODY_MAX - 6} characters)"
        )
    check = 98 - _mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def rf_creditor_reference(body: str) -> str:
    """An ISO 11649 reference around any body of 1–21 letters and digits (a wallet's funding
    reference, say); `rf_reference` is the document's, with account and period."""
    compact = _compact(body)
    if not _ALNUM_RE.fullmatch(compact) or len(compact) > RF_BODY_MAX:
        raise ValueError(f"an RF body is 1-{RF_BODY_MAX} letters and digits, got {body!r}")
    return f"RF{98 - _mod97(compact + 'RF00'):02d}{compact}"


def rf_is_valid(ref: str) -> bool:
    """ISO 11649: ``RF`` + 2 check digits + 1–21 alphanumerics, MOD 97-10 of the rotated
    string equal to 1. Spaces and lower case are accepted."""
    try:
        compact = _compact(ref)
    except ReferenceError:
        return False
    if not _RF_RE.fullmatch(compact):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def format_reference(ref: str) -> str:
    """The printed form: RF in groups of 4 from the left (ISO 11649), QRR as 2 + 5×5 digits
    (the Swiss layout); a RU reference is left unbroken, as Russian banks copy it verbatim."""
    compact = _compact(ref)
    if compact.startswith("RF"):
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    if len(compact) == QRR_LENGTH and compact.isdigit():
        return compact[:2] + "".join(" " + compact[i : i + 5] for i in range(2, QRR_LENGTH, 5))
    return compact


# --- RU (ISO 7064 MOD 11-10) ---------------------------------------------------------------


def _mod11_10_state(digits: str) -> int:
    """ISO 7064 hybrid MOD 11,10; the check digit brings the final state to 1.

    Chosen over Luhn: both catch every single-digit error, but Luhn is blind to an added or
    dropped leading zero and to jump transpositions (abc → cba). A leading zero matters here:
    the account is everything before the last 7 digits, so ``0`` + reference would decode to
    another account and still pass Luhn. MOD 11-10 catches it always (its step is a
    permutation of the state).
    """
    state = 10
    for char in digits:
        state = (2 * (((state + int(char)) % 10) or 10)) % 11
    return state


def _mod11_10_check_digit(digits: str) -> str:
    return str((11 - _mod11_10_state(digits)) % 10)


def _mod11_10_is_valid(digits: str) -> bool:
    return (_mod11_10_state(digits[:-1]) + int(digits[-1])) % 10 == 1


def with_check_digit(digits: str) -> str:
    """`digits` followed by its ISO 7064 MOD 11-10 check digit (what a clerk types is checked
    before any lookup)."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"digits only, got {digits!r}")
    return digits + _mod11_10_check_digit(digits)


def check_digit_valid(digits: str) -> bool:
    return len(digits) > 1 and digits.isascii() and digits.isdigit() and _mod11_10_is_valid(digits)


def _digit_account(account_number: str, max_length: int, kind: str) -> str:
    if not isinstance(account_number, str) or not (
        account_number.isascii() and account_number.isdigit()
    ):
        raise ValueError(
            f"{kind} reference needs a digits-only account number, got {account_number!r}"
        )
    if len(account_number) > max_length:
        raise ValueError(
            f"account number {account_number!r} too long for a {kind} reference "
            f"(at most {max_length} digits)"
        )
    return account_number


def ru_reference(account_number: str, period: str) -> str:
    """``ru_reference("100200300", "2026-06")`` → ``"1002003000620265"``: account digits +
    MMYYYY + ISO 7064 MOD 11-10 check digit. The account keeps its leading zeros."""
    body = _digit_account(account_number, RU_ACCOUNT_MAX, "RU") + _period_mmyyyy(period)
    return body + _mod11_10_check_digit(body)


def ru_is_valid(ref: str) -> bool:
    compact = "".join(ref.split()) if isinstance(ref, str) else ""
    return (
        8 <= len(compact) <= RU_ACCOUNT_MAX + 7
        and compact.isascii()
        and compact.isdigit()
        and _mod11_10_is_valid(compact)
    )


# --- QRR (Swiss, mod-10 recursive) ---------------------------------------------------------


def qrr_check_digit(digits: str) -> str:
    """Mod-10 recursive (payment-standards.md §3): ``21000000000313947143000901`` → ``7``."""
    carry = 0
    for char in digits:
        carry = _QRR_TABLE[(carry + int(char)) % 10]
    return str((10 - carry) % 10)


def qrr_reference(account_number: str, period: str) -> str:
    """26 digits = account zero-padded on the left + MMYYYY, then the check digit.

    The padding cannot tell ``"00123"`` from ``"123"``, so an account with a leading zero is
    refused rather than decoded to a different number.
    """
    account = _digit_account(account_number, QRR_ACCOUNT_MAX, "QRR")
    if account.startswith("0"):
        raise ValueError(f"QRR reference cannot carry an account with a leading zero: {account!r}")
    body = (account + _period_mmyyyy(period)).rjust(QRR_LENGTH - 1, "0")
    return body + qrr_check_digit(body)


def qrr_is_valid(ref: str) -> bool:
    """27 digits whose last is the mod-10 recursive check of the first 26; spaces accepted."""
    compact = "".join(ref.split()) if isinstance(ref, str) else ""
    return (
        len(compact) == QRR_LENGTH
        and compact.isascii()
        and compact.isdigit()
        and qrr_check_digit(compact[:-1]) == compact[-1]
    )


# --- decoding and choice per profile -------------------------------------------------------


def reference_parse(ref: str, *, kinds: Collection[ReferenceKind] = ALL_KINDS) -> ParsedReference:
    """Decode any of our references into (kind, account, period); the statement matcher's key.

    ``RF…`` is an RF reference; 27 digits a QRR; other digit strings a RU reference (RU
    accounts are capped so that no RU reference has 27 digits). Raises ``ReferenceError`` for
    a wrong check digit, a layout we do not issue, a month outside 01–12, or a kind outside
    ``kinds``. An importer that knows its profile should pass ``kinds``: a RU reference with a
    stray 27th digit otherwise passes as a QRR one time in ten.
    """
    compact = _compact(ref)
    parsed = _parse(compact, ref, kinds)
    if parsed.kind not in kinds:
        raise ReferenceError(
            f"{ref!r} is a reference of kind {parsed.kind!r}, expected one of {sorted(kinds)}"
        )
    return parsed


def _parse(compact: str, ref: str, kinds: Collection[ReferenceKind]) -> ParsedReference:
    if compact.startswith("RF"):
        if not _RF_RE.fullmatch(compact):
            raise ReferenceError(
                f"{ref!r} is not an RF reference (RF + 2 check digits + 1-21 letters/digits)"
            )
        if not rf_is_valid(compact):
            raise ReferenceError(f"{ref!r}: RF check digits do not match (MOD 97-10)")
        body = compact[4:]
        if len(body) < 7:
            raise ReferenceError(f"{ref!r}: RF body too short to hold an account and MMYYYY")
        return ParsedReference("rf", body[:-6], _period_from_mmyyyy(body[-6:], ref))
    if not (compact.isascii() and compact.isdigit()):
        raise ReferenceError(f"{ref!r} is neither an RF reference nor a digits-only reference")
    if len(compact) == QRR_LENGTH and "qrr" in kinds:
        if not qrr_is_valid(compact):
            raise ReferenceError(f"{ref!r}: QRR check digit does not match (mod-10 recursive)")
        account = compact[:-7].lstrip("0")
        if not account:
            raise ReferenceError(f"{ref!r}: QRR reference carries no account number")
        return ParsedReference("qrr", account, _period_from_mmyyyy(compact[-7:-1], ref))
    if not 8 <= len(compact) <= RU_ACCOUNT_MAX + 7:
        raise ReferenceError(
            f"{ref!r}: a RU reference has 8-{RU_ACCOUNT_MAX + 7} digits, got {len(compact)}"
        )
    if not _mod11_10_is_valid(compact):
        raise ReferenceError(f"{ref!r}: RU check digit does not match (ISO 7064 MOD 11-10)")
    return ParsedReference("ru", compact[:-7], _period_from_mmyyyy(compact[-7:-1], ref))


def reference_for(profile: Profile, account_number: str, period: str, *, qrr: bool = False) -> str:
    """The reference printed on a document, in the scheme the profile's country names: RU →
    ru, SEPA → RF, CH → RF (SCOR), or QRR when ``qrr=True`` (needed with a QR-IBAN)."""
    try:
        scheme = country_named(profile).reference_scheme
    except UnknownCountry:
        raise ValueError(f"unknown payment profile {profile!r} (expected RU, SEPA or CH)") from None
    if qrr and scheme is not ReferenceScheme.SWISS:
        raise ValueError(f"a QRR reference exists only in the CH profile, not {profile!r}")
    if qrr:
        return qrr_reference(account_number, period)
    return _BUILDERS[scheme](account_number, period)


_BUILDERS = {
    ReferenceScheme.NUMERIC: ru_reference,
    ReferenceScheme.CREDITOR: rf_reference,
    ReferenceScheme.SWISS: rf_reference,  # SCOR, unless the caller asks for a QRR
}
