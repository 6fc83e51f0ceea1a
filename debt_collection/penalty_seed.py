"""The rates and policy periods the penalty engine reads, as the migration seeds them.

Staff maintain these rows in the admin from here on: a new key-rate decision, a new base rate
every half year, a moratorium. The seed is what was known when it was written:

- RU rules: ЖК РФ ст. 155 ч. 14 (1/300 from day 31, 1/130 from day 91) and ч. 14.1 (capital
  repair: 1/300 from day 1), as amended by 307-ФЗ of 03.11.2015, in force 01.01.2016.
- RU key rates: decisions of the Bank of Russia board, 2018-12-17 … 2025-12-22. The last row
  stays in force until staff add the next one.
- RU policy periods (payment-standards.md §6.3): Постановление № 424 (moratorium 06.04.2020 –
  31.12.2020, "до 1 января 2021"), № 474 (the key rate of 27.02.2022, 9.5 %, from 28.02.2022),
  its wording by № 1681 (the lower of 9.5 % and the rate of the day, from 23.09.2022), its
  extensions to 2023 (№ 2479) and 2024, № 329 of 18.03.2025 (9.5 % for 01.01.2025 –
  31.12.2026) and № 497 (moratorium 01.04.2022–01.10.2022 for debts due before 01.04.2022 —
  courts differ; check with counsel).
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


CBR_KEY_RATE_URL = "https://www.cbr.ru/hd_base/KeyRate/"

RU_RULES = [
    {
        "kind": "ordinary",
        "valid_from": date(2016, 1, 1),
        "steps": [[1, None], [31, 300], [91, 130]],
        "source": "Жилищный кодекс РФ, ст. 155 ч. 14 (в ред. Федерального закона от 03.11.2015 "
        "№ 307-ФЗ)",
        "url": "https://www.consultant.ru/document/cons_doc_LAW_51057/",
    },
    {
        "kind": "capital_repair",
        "valid_from": date(2016, 1, 1),
        "steps": [[1, 300]],
        "source": "Жилищный кодекс РФ, ст. 155 ч. 14.1 (в ред. Федерального закона от 03.11.2015 "
        "№ 307-ФЗ)",
        "url": "https://www.consultant.ru/document/cons_doc_LAW_51057/",
    },
]

RU_POLICIES = [
    {
        "name": "Постановление № 424",
        "kind": "moratorium",
        "date_from": date(2020, 4, 6),
        "date_to": date(2020, 12, 31),
        "source": "Постановление Правительства РФ от 02.04.2020 № 424",
        "note": "no penalties for housing services and capital repair from its publication "
        "(06.04.2020) «до 1 января 2021 года»: the last day without penalties is 31.12.2020",
    },
    {
        "name": "Постановление № 474",
        "kind": "fixed_rate",
        "date_from": date(2022, 2, 28),
        "date_to": date(2022, 9, 22),
        "rate_percent": Decimal("9.50"),
        "source": "Постановление Правительства РФ от 26.03.2022 № 474",
        "note": "penalties at the key rate in force on 27.02.2022 (9.5 %)",
    },
    {
        "name": "Постановление № 1681",
        "kind": "rate_cap",
        "date_from": date(2022, 9, 23),
        "date_to": date(2022, 12, 31),
        "rate_percent": Decimal("9.50"),
        "source": "Постановление Правительства РФ от 23.09.2022 № 1681 (изменения в № 474)",
        "note": "the lower of the key rate of 27.02.2022 (9.5 %) and the rate in force on the day "
        "of payment",
    },
    {
        "name": "Постановление № 2479",
        "kind": "rate_cap",
        "date_from": date(2023, 1, 1),
        "date_to": date(2023, 12, 31),
        "rate_percent": Decimal("9.50"),
        "source": "Постановление Правительства РФ от 28.12.2022 № 2479",
        "note": "№ 474 in the wording of № 1681, extended to 01.01.2024",
    },
    {
        "name": "Продление № 474 на 2024 год",
        "kind": "rate_cap",
        "date_from": date(2024, 1, 1),
        "date_to": date(2024, 12, 31),
        "rate_percent": Decimal("9.50"),
        "source": "Постановление Правительства РФ о продлении на 2024 год (сообщение "
        "Правительства РФ от 30.12.2023; номер акта не сверен)",
        "url": "https://www.interfax.ru/russia/938627",
        "note": "in 2024 penalties use the key rate of 27.02.2022, 9.5 %",
    },
    {
        "name": "Постановление № 329",
        "kind": "fixed_rate",
        "date_from": date(2025, 1, 1),
        "date_to": date(2026, 12, 31),
        "rate_percent": Decimal("9.50"),
        "source": "Постановление Правительства РФ от 18.03.2025 № 329",
        "note": "9.5 % (the key rate of 27.02.2022) «до 1 января 2027 года», for relations from "
        "01.01.2025",
    },
    {
        "name": "Постановление № 497",
        "kind": "moratorium",
        "date_from": date(2022, 4, 1),
        "date_to": date(2022, 10, 1),
        "debts_due_before": date(2022, 4, 1),
        "source": "Постановление Правительства РФ от 28.03.2022 № 497",
        "note": "bankruptcy moratorium: no penalties on debts that arose before it "
        "(court practice; check with counsel)",
    },
]


def rates_seed(model) -> None:
    """Idempotent: rows already there (as staff may have edited them) are left alone, but for
    the corrections of `legal_rows_correct`. `model(name)` gives a model class of this app, so
    the migrations can pass their historical ones."""
    KeyRate, Statutory = model("KeyRate"), model("StatutoryRate")  # noqa: N806
    Policy = model("PenaltyPolicyPeriod")  # noqa: N806
    Rule = model("PenaltyRule")  # noqa: N806
    for day, rate in RU_KEY_RATES:
        KeyRate.objects.get_or_create(
            profile="RU",
            valid_from=date.fromisoformat(day),
            defaults={
                "rate_percent": Decimal(rate),
                "note": "Bank of Russia key rate",
                "source": f"Банк России: ключевая ставка с {date.fromisoformat(day):%d.%m.%Y}",
                "url": CBR_KEY_RATE_URL,
            },
        )
    for row in RU_RULES:
        row = dict(row)
        Rule.objects.get_or_create(
            profile="RU", kind=row.pop("kind"), valid_from=row.pop("valid_from"), defaults=row
        )
    for profile, source in (("SEPA", "§ 288 BGB"), ("CH", "Art. 104 OR")):
        Rule.objects.get_or_create(
            profile=profile,
            kind="statutory",
            valid_from=date(2000, 1, 1),
            defaults={"steps": [[1, 365]], "daily_rate": True, "source": source},
        )
    for row in RU_POLICIES:
        row = dict(row)
        Policy.objects.get_or_create(profile="RU", name=row.pop("name"), defaults=row)
    legal_rows_correct(model)
    for day, base in DE_BASE_RATES:
        Statutory.objects.get_or_create(
            profile="SEPA",
            valid_from=date.fromisoformat(day),
            defaults={
                "base_percent": Decimal(base),
                "margin_percent": Decimal(5),
                "note": "Bundesbank base rate (§ 247 BGB) + 5 points (§ 288 (1) BGB)",
                "source": "Deutsche Bundesbank: Basiszinssatz nach § 247 BGB",
                "url": "https://www.bundesbank.de/de/bundesbank/organisation/agb-und-regelungen/basiszinssatz-607820",
            },
        )
    Statutory.objects.get_or_create(
        profile="CH",
        valid_from=date(2000, 1, 1),
        defaults={
            "base_percent": Decimal(5),
            "margin_percent": Decimal(0),
            "note": "Art. 104 OR: 5 % a year",
            "source": "Obligationenrecht Art. 104 Abs. 1",
            "url": "https://www.fedlex.admin.ch/eli/cc/27/317_321_377/de#art_104",
        },
    )


def legal_rows_correct(model) -> None:
    """Puts right what the first seed had wrong (payment-standards.md §6.3, corrected): № 424
    ran one day too long (to 01.01.2021 instead of 31.12.2020), and № 474 was one fixed rate
    through 2024 where № 1681 made it the lower of 9.5 % and the rate of the day from
    23.09.2022, and № 329 was missing. Rows staff changed otherwise are left alone; rows with
    no source get theirs."""
    Policy = model("PenaltyPolicyPeriod")  # noqa: N806
    Policy.objects.filter(
        profile="RU", name="Постановление № 424", date_to=date(2021, 1, 1)
    ).update(date_to=date(2020, 12, 31))
    Policy.objects.filter(
        profile="RU", name="Постановление № 474", date_to=date(2024, 12, 31)
    ).update(date_to=date(2022, 9, 22))
    for row in RU_POLICIES:
        Policy.objects.filter(profile="RU", name=row["name"], source="").update(
            source=row["source"], url=row.get("url", "")
        )
    KeyRate = model("KeyRate")  # noqa: N806
    for rate in KeyRate.objects.filter(profile="RU", source=""):
        rate.source = f"Банк России: ключевая ставка с {rate.valid_from:%d.%m.%Y}"
        rate.url = CBR_KEY_RATE_URL
        rate.save(update_fields=["source", "url"])
