"""The account number as a payment reference carries it (payment-standards.md §4): the import
accepts any unique account number (`NL-1`, `12-345/6`, `ЛС-00017`), and the reference holds its
letters and digits only, as the tenant's scheme allows them — digits for the Russian numeric
reference and the Swiss QRR, Latin letters and digits for an ISO 11649 RF reference. Each
account keeps that key (`Account.reference_key`, unique per tenant), so a decoded reference
finds its account; the import refuses a number whose key would be empty, too long, or another
account's, with its line — never the period close later."""

import re
import unicodedata

from warehouse.countries import ReferenceScheme

RF_KEY_MAX = 15  # an RF body holds 21 characters: the key and MMYYYY
NUMERIC_KEY_MAX = 19  # a RU reference stays shorter than a QRR's 27 digits
QRR_KEY_MAX = 20  # 26 digits: the key and MMYYYY
QR_IID_RANGE = range(30000, 32000)  # a QR-IBAN's institution id (IBAN characters 5–9)

_NOT_DIGIT = re.compile(r"[^0-9]")
_NOT_LATIN = re.compile(r"[^0-9A-Z]")


def is_qr_iban(iban: str) -> bool:
    """A QR-IBAN has its institution id (IBAN characters 5–9) in 30000–31999."""
    compact = "".join(iban.split()).upper()
    return (
        compact[:2] in ("CH", "LI") and compact[4:9].isdigit() and int(compact[4:9]) in QR_IID_RANGE
    )


def key_kind(tenant) -> str:
    """Which reference the tenant's documents carry: "numeric", "rf" or "qrr"."""
    scheme = tenant.country.reference_scheme
    if scheme is ReferenceScheme.NUMERIC:
        return "numeric"
    if scheme is ReferenceScheme.SWISS and is_qr_iban(tenant.iban):
        return "qrr"
    return "rf"


def reference_key(kind: str, number: str) -> str:
    """The account number as a reference of `kind` carries it. ValueError, with the reason a
    person can act on, when it cannot."""
    text = unicodedata.normalize("NFKC", number or "").strip().upper()
    if kind == "rf":
        key = _NOT_LATIN.sub("", text)
        limit, what = RF_KEY_MAX, "Latin letters and digits"
    else:
        key = _NOT_DIGIT.sub("", text)
        limit, what = (QRR_KEY_MAX if kind == "qrr" else NUMERIC_KEY_MAX), "digits"
    if not key:
        raise ValueError(f"a payment reference carries the number's {what}: it has none")
    if len(key) > limit:
        raise ValueError(
            f"a payment reference carries at most {limit} {what} of the number, it has {len(key)}"
        )
    if kind == "qrr" and key.startswith("0"):
        raise ValueError("a Swiss QR reference cannot carry a number that starts with 0")
    return key
