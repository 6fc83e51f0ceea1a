"""Dates and billing periods as a tenant's documents print them, in the same language as their
amounts (`core.money.display_language`): RU `05.03.2026` and `03.2026` as the ЕПД prints them,
German `05.03.2026` and `März 2026`, English `5 March 2026` and `March 2026`."""

from datetime import date

from django.utils import translation
from django.utils.dateformat import format as date_pattern
from django.utils.translation import pgettext_lazy

from core.money import Owner, country_of, display_language

_MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
}


def month_name(month: int, language: str) -> str:
    """1 → "Januar" (de) / "January" (en)."""
    return _MONTHS[language].split()[month - 1]


def format_date(value: date, owner: Owner) -> str:
    language = display_language(owner)
    if country_of(owner).dates_in_words(language):
        return f"{value.day} {month_name(value.month, language)} {value.year}"
    return value.strftime("%d.%m.%Y")


def format_period(owner) -> str:
    """The owner's `period` (YYYY-MM, a document view's): RU `ММ.ГГГГ`, de/en the month's name."""
    year, month = owner.period.split("-")
    language = display_language(owner)
    if language == "ru":
        return f"{month}.{year}"
    return f"{month_name(int(month), language)} {year}"


# --- pages: in the reader's language -----------------------------------------------------------

# A month standing alone, as a period is named ("ноябрь 2026", "November 2026"): the
# nominative, which Django's own month names give in Russian only capitalised and its
# `E` format only in the genitive («ноября»).
MONTH_NAMES = (
    pgettext_lazy("month, nominative", "January"),
    pgettext_lazy("month, nominative", "February"),
    pgettext_lazy("month, nominative", "March"),
    pgettext_lazy("month, nominative", "April"),
    pgettext_lazy("month, nominative", "May"),
    pgettext_lazy("month, nominative", "June"),
    pgettext_lazy("month, nominative", "July"),
    pgettext_lazy("month, nominative", "August"),
    pgettext_lazy("month, nominative", "September"),
    pgettext_lazy("month, nominative", "October"),
    pgettext_lazy("month, nominative", "November"),
    pgettext_lazy("month, nominative", "December"),
)
# A day as the reader's language writes it in a table; others take Django's short format.
_DAY_PATTERNS = {"ru": "d.m.Y", "de": "d.m.Y", "en": "j M Y"}


def period_label(period) -> str:
    """A billing period ("2026-11", or a date in it) named in the active language:
    ru «ноябрь 2026», en "November 2026", de "November 2026". Anything else comes back as
    given (an empty value, a text that is no period)."""
    if isinstance(period, date):
        year, month = period.year, period.month
    else:
        try:
            year_text, month_text = str(period).split("-")
            year, month = int(year_text), int(month_text)
        except ValueError:
            return "" if period is None else str(period)
        if not 1 <= month <= 12:
            return str(period)
    return f"{MONTH_NAMES[month - 1]} {year}"


def day_label(value) -> str:
    """A date in the active language's table form: ru/de `05.11.2026`, en `5 Nov 2026`; a
    datetime by its date; empty for None."""
    if value is None or value == "":
        return ""
    pattern = _DAY_PATTERNS.get((translation.get_language() or "en").split("-")[0])
    if pattern is None:
        from django.utils.formats import date_format

        return date_format(value, "SHORT_DATE_FORMAT")
    return date_pattern(value, pattern)
