"""The contact limits the engine (`debt_collection.contact_limits`) reads, as the migration
`0005_contact_limits` seeds them. Staff maintain the rows in the admin from here on: a change
of the law is a new row with its own `valid_from`.

- RU: Федеральный закон от 03.07.2016 № 230-ФЗ, ст. 7 in the wording in force since
  01.02.2024 (Федеральный закон от 04.08.2023 № 467-ФЗ): ч. 3 for telephone conversations
  (1 a day, 2 a calendar week, 8 a calendar month), ч. 5 for messages of ст. 4 ч. 1 п. 2
  (2, 4, 16); both only 08:00–22:00 on working days and 09:00–20:00 on weekends and
  non-working holidays, the debtor's local time.
- SEPA, CH: no rows (no such statutory limits are modelled); tenants set their own.
"""

from datetime import date, time

ACT = "Федеральный закон от 03.07.2016 № 230-ФЗ (ред. Федерального закона от 04.08.2023 № 467-ФЗ)"
URL = "http://www.kremlin.ru/acts/bank/40955"

# (profile, kind, valid_from, per day, per calendar week, per calendar month, citation)
ROWS = (
    ("RU", "call", date(2024, 2, 1), 1, 2, 8, "230-ФЗ ст. 7 ч. 3"),
    ("RU", "message", date(2024, 2, 1), 2, 4, 16, "230-ФЗ ст. 7 ч. 5"),
)


def contact_limits_seed(model_of) -> None:
    """Writes the rows (idempotent). `model_of(name)` gives a model: the migration's historical
    one or the real one."""
    ContactLimit = model_of("ContactLimit")
    for profile, kind, valid_from, per_day, per_week, per_month, citation in ROWS:
        ContactLimit.objects.update_or_create(
            profile=profile,
            kind=kind,
            valid_from=valid_from,
            defaults={
                "per_day": per_day,
                "per_week": per_week,
                "per_month": per_month,
                "working_day_from": time(8, 0),
                "working_day_until": time(22, 0),
                "weekend_from": time(9, 0),
                "weekend_until": time(20, 0),
                "citation": citation,
                "source": f"{ACT}, {citation.removeprefix('230-ФЗ ')}",
                "url": URL,
            },
        )
