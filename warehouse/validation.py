"""Checks of identifiers that arrive from outside: bank details, tax ids, phones, e-mails.

Each check returns a reason (str) when the value is wrong and None when it is right, so an
importer can collect every problem of a file before it refuses it."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as ru_inn

from warehouse.countries import country_named
from warehouse.phones import PhoneError, phone_e164

# Bank of Russia control key (Положение ЦБ РФ № 579-П, прил.): weights 7-1-3 over 23 digits.
_RU_KEY_WEIGHTS = ((7, 1, 3) * 8)[:23]
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_RU_BIC = re.compile(r"^04\d{7}$")
_RU_ACCOUNT = re.compile(r"^\d{20}$")
_RU_KPP = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


def _ru_key_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, _RU_KEY_WEIGHTS, strict=True)) % 10


def ru_account_key_prefix(bic: str, *, correspondent: bool) -> str:
    """The three digits put in front of an account for its key: the BIC's last three for a
    settlement account, "0" and the BIC's 5th–6th digits for a correspondent account."""
    return "0" + bic[4:6] if correspondent else bic[-3:]


def ru_account_key_ok(bic: str, account: str, *, correspondent: bool = False) -> bool:
    return _ru_key_sum(ru_account_key_prefix(bic, correspondent=correspondent) + account) == 0


def ru_account_with_key(bic: str, account: str, *, correspondent: bool = False) -> str:
    """Returns `account` with its 9th digit (the key) set so that the control key holds."""
    body = account[:8] + "0" + account[9:]
    prefix = ru_account_key_prefix(bic, correspondent=correspondent)
    # The key digit sits at position 3 + 8 = 11 of the 23 digits, whose weight is 3.
    remainder = _ru_key_sum(prefix + body)
    key = (remainder * 3) % 10  # 3 × 3 ≡ −1 (mod 10), so this digit cancels the remainder
    return body[:8] + str(key) + body[9:]


def ru_bic_error(bic: str) -> str | None:
    if not _RU_BIC.match(bic or ""):
        return "BIC must be 9 digits starting with 04"
    return None


def ru_settlement_account_error(bic: str, account: str) -> str | None:
    if not _RU_ACCOUNT.match(account or ""):
        return "settlement account must be 20 digits"
    if ru_bic_error(bic) is None and not ru_account_key_ok(bic, account):
        return "settlement account fails the Bank of Russia control key for this BIC"
    return None


def ru_corr_account_error(bic: str, account: str) -> str | None:
    if not _RU_ACCOUNT.match(account or ""):
        return "correspondent account must be 20 digits"
    if not account.startswith("301"):
        return "correspondent account must start with 301"
    if ru_bic_error(bic) is None and not ru_account_key_ok(bic, account, correspondent=True):
        return "correspondent account fails the Bank of Russia control key for this BIC"
    return None


def inn_error(value: str) -> str | None:
    try:
        ru_inn.validate(value or "")
    except StdnumError as exc:
        return f"invalid INN: {exc.message}"
    return None


def kpp_error(value: str) -> str | None:
    if not _RU_KPP.match(value or ""):
        return "KPP must be 9 characters: 4 digits, 2 digits or capital letters, 3 digits"
    return None


def iban_error(value: str, *, countries: tuple[str, ...] | None = None) -> str | None:
    try:
        iban = IBAN(value or "")
    except SchwiftyException as exc:
        return f"invalid IBAN: {exc}"
    if countries and iban.country_code not in countries:
        return f"IBAN must be from {', '.join(countries)}"
    return None


def bic_error(value: str) -> str | None:
    try:
        BIC(value or "")
    except SchwiftyException as exc:
        return f"invalid BIC: {exc}"
    return None


def phone_error(value: str) -> str | None:
    if not _E164.match(value):
        return "phone must be in E.164 format, e.g. +79161234567"
    try:
        phone_e164(value, None)
    except PhoneError as exc:
        return str(exc)
    return None


def email_error(value: str) -> str | None:
    try:
        validate_email(value)
    except ValidationError:
        return "invalid e-mail address"
    return None


def bank_details_errors(profile: str, *, iban="", bic="", bank_account="", corr_account=""):
    """All problems of one set of bank details under a country profile, as (field, reason)."""
    errors = []
    country = country_named(profile)
    if country.uses_ru_bank_details:
        checks = {
            "bic": ru_bic_error(bic),
            "account": ru_settlement_account_error(bic, bank_account),
            "corr_account": ru_corr_account_error(bic, corr_account),
        }
    else:
        checks = {
            "iban": iban_error(iban, countries=country.iban_countries),
            "bic": bic_error(bic),
        }
    for field, reason in checks.items():
        if reason:
            errors.append((field, reason))
    return errors
