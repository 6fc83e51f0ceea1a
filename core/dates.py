"""Dates and billing periods as a tenant's documents print them, in the same language as their
amounts (`core.money.display_language`): RU `05.03.2026` and `03.2026` as the ЕПД prints them,
German `05.03.2026` and `März 2026`, English `5 March 2026` and `March 2026`."""

from datetime import date

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
