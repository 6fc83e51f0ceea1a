"""The rates and policy periods the penalty engine reads, as the migration seeds them.

Staff maintain these rows in the admin from here on: a new key-rate decision, a new base rate
every half year, a moratorium. The seed is what was known when it was written:

- RU key rates: decisions of the Bank of Russia board, 2018-12-17 … 2025-12-22. The last row
  stays in force until staff add the next one (the worked example of payment-standards §6.3
  assumes 16 % in November 2026).
- RU policy periods: Постановление № 424 (moratorium 06.04.2020–01.01.2021, all debts),
  № 474 (fixed rate 9.5 %, the key rate of 27.02.2022, from 28.02.2022 to 31.12.2024 as
  extended by № 2479 and the 2023 announcement) and № 497 (moratorium 01.04.2022–01.10.2022
  for debts due before 01.04.2022 — courts differ; check with counsel).
- SEPA: the Bundesbank base rate (§ 247 BGB) with a 5-point margin (§ 288 (1) BGB, consumers;
  9 points between businesses: edit `margin_percent`).
- CH: 5 % a year (Art. 104 OR), no base rate.
"""

from datetime import date
from decimal import Decimal

RU_KEY_RATES = [
    ("2018-12-17", "7.75"),
    ("2019-06-17", "7.50"),
    ("2019-07-29", "7.25"),
    ("2019-09-09", "7.00"),
    ("2019-10-28", "6.50"),
    ("2019-12-16", "6.25"),
    ("2020-02-10", "6.00"),
    ("2020-04-27", "5.50"),
    ("2020-06-22", "4.50"),
    ("2020-07-27", "4.25"),
    ("2021-03-22", "4.50"),
    ("2021-04-26", "5.00"),
    ("2021-06-15", "5.50"),
    ("2021-07-26", "6.50"),
    ("2021-09-13", "6.75"),
    ("2021-10-25", "7.50"),
    ("2021-12-20", "8.50"),
    ("2022-02-14", "9.50"),
    ("2022-02-28", "20.00"),
    ("2022-04-11", "17.00"),
    ("2022-05-04", "14.00"),
    ("2022-05-27", "11.00"),
    ("2022-06-14", "9.50"),
    ("2022-07-25", "8.00"),
    ("2022-09-19", "7.50"),
    ("2023-07-24", "8.50"),
    ("2023-08-15", "12.00"),
    ("2023-09-18", "13.00"),
    ("2023-10-30", "15.00"),
    ("2023-12-18", "16.00"),
    ("2024-07-29", "18.00"),
    ("2024-09-16", "19.00"),
    ("2024-10-28", "21.00"),
    ("2025-06-09", "20.00"),
    ("2025-07-28", "18.00"),
    ("2025-09-15", "17.00"),
    ("2025-10-27", "16.50"),
    ("2025-12-22", "16.00"),
]

DE_BASE_RATES = [
    ("2016-07-01", "-0.88"),
    ("2023-01-01", "1.62"),
    ("2023-07-01", "3.12"),
    ("2024-01-01", "3.62"),
    ("2024-07-01", "3.37"),
    ("2025-01-01", "2.27"),
    ("2025-07-01", "1.27"),
]


def rates_seed(KeyRate, Policy, Statutory) -> None:  # noqa: N803 (model classes)
    """Idempotent: rows already there (as staff may have edited them) are left alone. Takes the
    model classes so the migration can pass its historical ones."""
    for day, rate in RU_KEY_RATES:
        KeyRate.objects.get_or_create(
            profile="RU",
            valid_from=date.fromisoformat(day),
            defaults={"rate_percent": Decimal(rate), "note": "Bank of Russia key rate"},
        )
    policies = [
        {
            "kind": "moratorium",
            "date_from": date(2020, 4, 6),
            "date_to": date(2021, 1, 1),
            "name": "Постановление № 424",
            "note": "02.04.2020: no penalties for housing services and capital repair",
        },
        {
            "kind": "fixed_rate",
            "date_from": date(2022, 2, 28),
            "date_to": date(2024, 12, 31),
            "rate_percent": Decimal("9.50"),
            "name": "Постановление № 474",
            "note": "26.03.2022: the key rate of 27.02.2022; extended by № 2479 to 2023 and "
            "to 2024; ordinary rules from 01.01.2025 (one source: verify)",
        },
        {
            "kind": "moratorium",
            "date_from": date(2022, 4, 1),
            "date_to": date(2022, 10, 1),
            "debts_due_before": date(2022, 4, 1),
            "name": "Постановление № 497",
            "note": "bankruptcy moratorium: no penalties on debts that arose before it "
            "(court practice; check with counsel)",
        },
    ]
    for row in policies:
        Policy.objects.get_or_create(profile="RU", name=row.pop("name"), defaults=row)
    for day, base in DE_BASE_RATES:
        Statutory.objects.get_or_create(
            profile="SEPA",
            valid_from=date.fromisoformat(day),
            defaults={
                "base_percent": Decimal(base),
                "margin_percent": Decimal(5),
                "note": "Bundesbank base rate (§ 247 BGB) + 5 points (§ 288 (1) BGB)",
            },
        )
    Statutory.objects.get_or_create(
        profile="CH",
        valid_from=date(2000, 1, 1),
        defaults={
            "base_percent": Decimal(5),
            "margin_percent": Decimal(0),
            "note": "Art. 104 OR: 5 % a year",
        },
    )
