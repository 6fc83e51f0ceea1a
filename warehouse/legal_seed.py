"""The legal calendar rows as the migration seeds them (operator admins maintain them in the admin
from then on, and `calendar_load` adds a year's production calendar from a published file):

- RU due dates: ЖК РФ ст. 155 ч. 1 — by the 10th of the following month unless the management
  contract sets another day (the tenant's due day), documents by the 1st; from 01.03.2026
  (Федеральный закон от 24.06.2025 № 177-ФЗ) by the 15th, which the contract can no longer
  move, documents by the 5th. A deadline on a non-working day moves (ГК РФ ст. 193).
- The Russian production calendar 2020–2027 (`warehouse.calendar_data`, each year with the
  Government's resolution on transferring days off; 2027 provisional)."""

import datetime as dt

from warehouse.calendar_data import RU_CALENDAR

RU_DUE_DATE_RULES = [
    {
        "valid_from": dt.date(2005, 3, 1),
        "day": None,
        "documents_by_day": 1,
        "source": "Жилищный кодекс РФ, ст. 155 ч. 1, 2 (ред. до 01.03.2026): до 10-го числа, "
        "если иной срок не установлен договором; ГК РФ ст. 193",
        "url": "https://www.consultant.ru/document/cons_doc_LAW_51057/",
        "note": "the tenant's due day is the contract's day (10 unless the contract says "
        "otherwise)",
    },
    {
        "valid_from": dt.date(2026, 3, 1),
        "day": 15,
        "documents_by_day": 5,
        "source": "Федеральный закон от 24.06.2025 № 177-ФЗ (ЖК РФ ст. 155 ч. 1, 2 в ред. с "
        "01.03.2026); ГК РФ ст. 193",
        "url": "https://www.consultant.ru/document/cons_doc_LAW_51057/",
        "note": "by the 15th of the following month; neither the management contract nor the "
        "owners' meeting may change it. The charges of February 2026 are due in March 2026, "
        "when this row is in force: by 15.03.2026, a Sunday, so 16.03.2026.",
    },
]


def legal_calendar_seed(model) -> None:
    """Idempotent: rows already there (as admins may have edited them) are left alone.
    `model(name)` gives a model class of warehouse (the migration passes historical ones)."""
    Rule, Day = model("DueDateRule"), model("CalendarDay")  # noqa: N806
    for row in RU_DUE_DATE_RULES:
        row = dict(row)
        Rule.objects.get_or_create(profile="RU", valid_from=row.pop("valid_from"), defaults=row)
    for year, entry in RU_CALENDAR.items():
        calendar_year_save(Day, "RU", year, entry, entry["source"], entry.get("url", ""))


def calendar_year_save(Day, profile: str, year: int, entry: dict, source: str, url: str) -> int:  # noqa: N803
    """Writes one year of a production calendar (`holidays`, `days_off`, `working` as ISO dates
    or dates); days already there are left alone. Returns how many were added."""
    existing = set(
        Day.objects.filter(profile=profile, day__year=year).values_list("day", flat=True)
    )
    rows = []
    for key, kind in (("holidays", "holiday"), ("days_off", "day_off"), ("working", "working")):
        for value in entry.get(key, ()):
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
            if day not in existing:
                existing.add(day)
                rows.append(Day(profile=profile, day=day, kind=kind, source=source, url=url))
    Day.objects.bulk_create(rows)
    return len(rows)
