"""Phone numbers as people write them, read with Google's libphonenumber (`phonenumbers`) in the
tenant's region and stored in E.164.

A number written with its country code (`+49 171 …`, `00 41 79 …`) is read as it says; one
written the national way is read in the region: in DE `0171 1234567` is +491711234567, in RU
`8 (916) 123-45-67` and `916 123 45 67` are +79161234567, in CH `079 123 45 67` is
+41791234567. A number that is not a valid number of its country is refused with a reason,
never guessed into another country (a ten-digit Russian `916…` is not India's +916…).

The region is the tenant's `phone_region`, else its country profile's (RU, CH), else the
`PHONE_REGION` setting — what a resident signing up, who has no tenant yet, is read in too."""

import phonenumbers
from django.conf import settings

E164 = phonenumbers.PhoneNumberFormat.E164


class PhoneError(ValueError):
    """Not a phone number (the message says why)."""


def phone_e164(text: str, region: str | None) -> str:
    """`text` in E.164, read in `region` when written without a country code; PhoneError."""
    text = (text or "").strip()
    if not text:
        raise PhoneError("the phone is empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise PhoneError(
                "the phone needs its country code (+7, +49, +41…)"
                if not region
                else f"not a phone number of {region} nor one with a country code"
            ) from exc
        raise PhoneError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        where = phonenumbers.region_code_for_number(number) or region or "any country"
        raise PhoneError(f"not a valid phone number of {where}")
    return phonenumbers.format_number(number, E164)


def phone_or_none(text: str, region: str | None) -> str | None:
    try:
        return phone_e164(text, region)
    except PhoneError:
        return None


def default_region() -> str:
    return getattr(settings, "PHONE_REGION", "RU")


def tenant_region(tenant) -> str:
    """The region a tenant's numbers written without a country code are read in."""
    return tenant.region or default_region()
