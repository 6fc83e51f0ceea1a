"""The Russian production calendar (производственный календарь), 2020–2027, as plain data.

Why it is here: ГК РФ ст. 193 moves a deadline that falls on a non-working day to the next
working day, so a due date can only be computed with the list of the days on which the plain
Monday–Friday week does not hold. For every year this module lists exactly those days:

* ``holidays`` – the нерабочие праздничные дни of ТК РФ ст. 112 ч. 1 (1–8 January, 23 February,
  8 March, 1 May, 9 May, 12 June, 4 November), all fourteen of them, whatever the weekday;
* ``days_off`` – weekdays that are not worked although they are no holiday: a holiday falling on
  a Saturday or Sunday moves the day off to the next working day (ТК ст. 112 ч. 2; not for the
  January holidays), and the Government's annual resolution «О переносе выходных дней в … году»
  moves further days off (ТК ст. 112 ч. 5);
* ``working`` – Saturdays and Sundays made working days by that resolution.

A day is a working day when it is Monday–Friday and in neither ``holidays`` nor ``days_off``, or
when it is in ``working``. ``decree_transfers`` lists the resolution's transfers (from → to) so
that every ``days_off`` / ``working`` date can be traced to its reason (the tests do).

``working_days_total`` is the published annual total of working days of a five-day week; the
tests recompute it from the lists. ``source`` is the Government resolution; ``url`` a public page
that reproduces or reports it and was used to check the data; ``verified_by`` further public pages
the lists and the total were checked against (see the notes per year). The official publication
portal (publication.pravo.gov.ru) could not be consulted when this file was written, so no
official-portal URL is given.

The «нерабочие дни с сохранением заработной платы» declared by presidential decrees in 2020–2021
(COVID-19 and others) are NOT days off here: the Supreme Court held that they are not «нерабочие
дни» in the sense of the Civil Code (ст. 193), so deadlines do not move for them. They are listed
separately in ``DECREE_NON_WORKING`` for reference.

How to add a year (the resolution is usually signed in August–October of the year before):
1. find the resolution «О переносе выходных дней в YYYY году» (publication.pravo.gov.ru,
   government.ru/docs, consultant.ru) and copy its transfers into ``decree_transfers``;
2. list the 14 ТК 112 dates, the ``days_off`` (the transfer targets plus the automatic ТК 112
   ч. 2 transfers of weekend holidays that the resolution did not move itself) and the
   ``working`` weekend days (transfer sources that are not holidays) — or read them from the
   xmlcalendar.ru / data.gov.ru files with ``warehouse.calendar_files``;
3. put the published annual total into ``working_days_total`` (any production calendar:
   КонсультантПлюс, Гарант, 1С) and run ``tests/warehouse/test_calendar_data.py``.
Use Python's datetime for weekdays, never a hand count.

This module is pure Python with no Django imports.
"""

from __future__ import annotations

import datetime as dt

# ТК РФ ст. 112 ч. 1: the нерабочие праздничные дни, as (month, day).
TK112_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 7),  # Рождество Христово
    (1, 8),
    (2, 23),  # День защитника Отечества
    (3, 8),  # Международный женский день
    (5, 1),  # Праздник Весны и Труда
    (5, 9),  # День Победы
    (6, 12),  # День России
    (11, 4),  # День народного единства
)

_HOLIDAYS_ALL = ["01-01", "01-02", "01-03", "01-04", "01-05", "01-06", "01-07", "01-08"]
_HOLIDAYS_ALL += ["02-23", "03-08", "05-01", "05-09", "06-12", "11-04"]


def _tk112(year: int) -> list[str]:
    return [f"{year}-{md}" for md in _HOLIDAYS_ALL]


RU_CALENDAR: dict[int, dict] = {
    2020: {
        "source": "Постановление Правительства РФ от 10.07.2019 № 875 "
        "«О переносе выходных дней в 2020 году»",
        "url": "https://glavkniga.ru/situations/k509554",
        "verified_by": [
            # number, date and transfers of the resolution; monthly counts 17/19/21/22/17/21:
            "https://russian-edu.ru/proizvodstvennyj-kalendar-2020/",
            # 248 working days, 118 days off:
            "https://altapress.ru/zhizn/story/proizvodstvenniy-kalendar-gotovimsya-k-dlinnim-vihodnim-v-novom-godu-258888",
            "https://xmlcalendar.ru/data/ru/2020/calendar.xml",
        ],
        "decree_transfers": [("2020-01-04", "2020-05-04"), ("2020-01-05", "2020-05-05")],
        "holidays": _tk112(2020),
        "days_off": ["2020-02-24", "2020-03-09", "2020-05-04", "2020-05-05", "2020-05-11"],
        "working": [],
        "working_days_total": 248,
        "provisional": False,
        "note": "The presidential non-working days of 2020 (COVID-19, 24 June, 1 July) are not "
        "days off here; see DECREE_NON_WORKING.",
    },
    2021: {
        "source": "Постановление Правительства РФ от 10.10.2020 № 1648 "
        "«О переносе выходных дней в 2021 году»",
        "url": "https://dzen.ru/a/X404y6cNRRXnMKUR",
        "verified_by": [
            # the resolution is dated 10 October 2020; transfers 2.01→5.11, 3.01→31.12, 20.02→22.02:
            "https://sport24.ru/news/other/2020-10-16-31-dekabrya-2020-vykhodnoy-ili-net-nerabochiy-den-obyavlen-vykhodnym-dnem-31-dekabrya-2021-vykhodnoy-ili-net",
            "https://www.profiz.ru/sr/blog/opredeltny_vyhodnye/",
            # 247 working days, 118 days off:
            "https://fintolk.pro/news/proizvodstvennyj-kalendar-kakie-dni-budut-vyhodnymi-v-2021-godu/?amp",
            "https://xmlcalendar.ru/data/ru/2021/calendar.xml",
        ],
        "decree_transfers": [
            ("2021-01-02", "2021-11-05"),
            ("2021-01-03", "2021-12-31"),
            ("2021-02-20", "2021-02-22"),
        ],
        "holidays": _tk112(2021),
        "days_off": [
            "2021-02-22",
            "2021-05-03",
            "2021-05-10",
            "2021-06-14",
            "2021-11-05",
            "2021-12-31",
        ],
        "working": ["2021-02-20"],
        "working_days_total": 247,
        "provisional": False,
        "note": "The presidential non-working days 04–07.05.2021 and 30.10–07.11.2021 are not "
        "days off here; see DECREE_NON_WORKING.",
    },
    2022: {
        "source": "Постановление Правительства РФ от 16.09.2021 № 1564 "
        "«О переносе выходных дней в 2022 году»",
        "url": "https://blogkadrovika.ru/proizvodstvennyj-kalendar-2022/",
        "verified_by": [
            "https://otc-soft.ru/proizvodstvennii-kalendar/2022",
            "https://respectrb.ru/print/38046",
            # 247 working days, 118 days off:
            "https://dzen.ru/list/new-year/prazdnichnye-dni-v-2022-godu-v-rossii-kalendar-utverjdennyi-s-perenosami-pravitelstvom-rf",
            "https://xmlcalendar.ru/data/ru/2022/calendar.xml",
        ],
        "decree_transfers": [
            ("2022-01-01", "2022-05-03"),
            ("2022-01-02", "2022-05-10"),
            ("2022-03-05", "2022-03-07"),
        ],
        "holidays": _tk112(2022),
        "days_off": ["2022-03-07", "2022-05-02", "2022-05-03", "2022-05-10", "2022-06-13"],
        "working": ["2022-03-05"],
        "working_days_total": 247,
        "provisional": False,
    },
    2023: {
        "source": "Постановление Правительства РФ от 29.08.2022 № 1505 "
        "«О переносе выходных дней в 2023 году»",
        "url": "https://www.garant.ru/hotlaw/federal/1562946/",
        "verified_by": [
            # monthly counts 17/18/22 for Q1:
            "https://its.1c.ru/calendar/work2023",
            # 247 working days, monthly counts:
            "https://grossoffer.ru/work-calendar/2023",
            "https://xmlcalendar.ru/data/ru/2023/calendar.xml",
        ],
        "decree_transfers": [("2023-01-01", "2023-02-24"), ("2023-01-08", "2023-05-08")],
        "holidays": _tk112(2023),
        "days_off": ["2023-02-24", "2023-05-08", "2023-11-06"],
        "working": [],
        "working_days_total": 247,
        "provisional": False,
    },
    2024: {
        "source": "Постановление Правительства РФ от 10.08.2023 № 1314 "
        "«О переносе выходных дней в 2024 году»",
        # the full text of the resolution:
        "url": "https://normativ.kontur.ru/document?documentId=454126&moduleId=1",
        "verified_by": [
            # 248 working days, 118 days off:
            "https://kutuzov-it.com/prazdnichnye-i-vyhodnye-dni-v-2024-godu/",
            "https://t-l.ru/amp/353659.html",
            "https://xmlcalendar.ru/data/ru/2024/calendar.xml",
        ],
        "decree_transfers": [
            ("2024-01-06", "2024-05-10"),
            ("2024-01-07", "2024-12-31"),
            ("2024-04-27", "2024-04-29"),
            ("2024-11-02", "2024-04-30"),
            ("2024-12-28", "2024-12-30"),
        ],
        "holidays": _tk112(2024),
        "days_off": ["2024-04-29", "2024-04-30", "2024-05-10", "2024-12-30", "2024-12-31"],
        "working": ["2024-04-27", "2024-11-02", "2024-12-28"],
        "working_days_total": 248,
        "provisional": False,
    },
    2025: {
        "source": "Постановление Правительства РФ от 04.10.2024 № 1335 "
        "«О переносе выходных дней в 2025 году»",
        "url": "https://teko.cntd.ru/news/read/reglamentirovan-perenos-vyhodnyh-dney-v-2025-godu/novosti-po-okhrane-truda",
        "verified_by": [
            # 247 working days, 118 days off:
            "http://www.fpur.ru/news/kogda_rabotaem_i_otdykhaem_v_2025_godu/2025-01-08-2512",
            "https://finbizinfo.ru/производственный-календарь-2025",
            "https://xmlcalendar.ru/data/ru/2025/calendar.xml",
        ],
        # 23 February (Sunday) and 8 March (Saturday) are moved by the resolution itself, so the
        # automatic ТК 112 ч. 2 transfer to 24 February / 10 March does not happen.
        "decree_transfers": [
            ("2025-01-04", "2025-05-02"),
            ("2025-01-05", "2025-12-31"),
            ("2025-02-23", "2025-05-08"),
            ("2025-03-08", "2025-06-13"),
            ("2025-11-01", "2025-11-03"),
        ],
        "holidays": _tk112(2025),
        "days_off": ["2025-05-02", "2025-05-08", "2025-06-13", "2025-11-03", "2025-12-31"],
        "working": ["2025-11-01"],
        "working_days_total": 247,
        "provisional": False,
    },
    2026: {
        "source": "Постановление Правительства РФ от 24.09.2025 № 1466 "
        "«О переносе выходных дней в 2026 году»",
        "url": "https://kirov143.ru/2025/09/25/Mishustin-podtverdil-raspisanie-prazdnichnyh-i-vyhodnyh-dney-na-2026-god",
        "verified_by": [
            # transfers 3.01→9.01, 4.01→31.12, signed 24.09.2025:
            "https://www.penzainform.ru/news/social/2025/09/24/stalo_izvestno_v_kakie_dni_rossiyane_budut_otdihat_v_2026_godu.html",
            # 247 working days, 118 days off, January 15, July 23:
            "https://news.mail.ru/economics/69264300/",
            "https://xmlcalendar.ru/data/ru/2026/calendar.xml",
        ],
        "decree_transfers": [("2026-01-03", "2026-01-09"), ("2026-01-04", "2026-12-31")],
        "holidays": _tk112(2026),
        # 9 March: 8 March 2026 is a Sunday; 11 May: 9 May 2026 is a Saturday (ТК 112 ч. 2).
        "days_off": ["2026-01-09", "2026-03-09", "2026-05-11", "2026-12-31"],
        "working": [],
        "working_days_total": 247,
        "provisional": False,
    },
    2027: {
        "source": "ТК РФ ст. 112 only (the Government resolution on transferring days off in "
        "2027 could not be verified)",
        "url": "",
        "verified_by": [],
        "decree_transfers": [],
        "holidays": _tk112(2027),
        # ТК 112 ч. 2: 1 May and 12 June 2027 are Saturdays, 9 May a Sunday.
        "days_off": ["2027-05-03", "2027-05-10", "2027-06-14"],
        "working": [],
        # Computed from the lists, not published: 261 weekdays − 9 weekday holidays − 3.
        "working_days_total": 249,
        "provisional": True,
        "note": "Provisional: ТК 112 holidays and their automatic weekend transfers only. "
        "2 and 3 January 2027 (Saturday, Sunday) are holidays whose days off only a Government "
        "resolution can move (ТК 112 ч. 2 excludes January). Third-party sources report such a "
        "resolution (see reported_decree) but no official or press publication of it could be "
        "checked; replace this entry once it is confirmed.",
        # What third-party sources say; NOT applied to the lists above.
        "reported_decree": {
            "source": "Постановление Правительства РФ от 17.09.2026 № 1187 "
            "«О переносе выходных дней в 2027 году» (reported, not verified)",
            # as cited by third-party code, not opened: consultant.ru and the publication
            # portal's number 0001202609180037 (published 18.09.2026)
            "url": "https://www.consultant.ru/document/cons_doc_LAW_544706/",
            "reported_by": [
                # the file is dated 2026.09.02, before the reported signing: likely the draft
                "https://xmlcalendar.ru/data/ru/2027/calendar.xml",
                "several open-source calendar libraries citing the same number and date",
            ],
            "decree_transfers": [
                ("2027-01-02", "2027-11-05"),
                ("2027-01-03", "2027-12-31"),
                ("2027-02-20", "2027-02-22"),
            ],
            "days_off": [
                "2027-02-22",
                "2027-05-03",
                "2027-05-10",
                "2027-06-14",
                "2027-11-05",
                "2027-12-31",
            ],
            "working": ["2027-02-20"],
            "working_days_total": 247,
        },
    },
}


# Presidential decrees declaring «нерабочие дни с сохранением заработной платы». Listed for
# reference only: they are NOT in RU_CALENDAR's days_off and deadlines are not moved for them by
# default. Ranges are inclusive and as worded in the decree (they include weekends, holidays and
# days off that were non-working anyway).
SUPREME_COURT_POSITION = (
    "Обзор по отдельным вопросам судебной практики, связанным с применением законодательства и "
    "мер по противодействию распространению на территории Российской Федерации новой "
    "коронавирусной инфекции (COVID-19) № 1 (утв. Президиумом Верховного Суда РФ 21.04.2020): "
    "нерабочие дни, объявленные указами Президента РФ № 206 и № 239, относятся к мерам "
    "санитарно-эпидемиологического характера и не могут считаться нерабочими днями в смысле, "
    "придаваемом этому понятию ГК РФ (выходные и нерабочие праздничные дни ст. 111, 112 ТК РФ); "
    "они не переносят срок исполнения обязательства (ст. 193 ГК РФ) и не переносят день "
    "окончания процессуального срока. (The numbers of the questions in the Обзор were not "
    "verified; one commentary cites question 2 of its procedural part.)"
)

DECREE_NON_WORKING: list[dict] = [
    {
        "start": "2020-03-30",
        "end": "2020-04-03",
        "act": "Указ Президента РФ от 25.03.2020 № 206",
        "reason": "COVID-19",
        "court": SUPREME_COURT_POSITION,
    },
    {
        "start": "2020-04-04",
        "end": "2020-04-30",
        "act": "Указ Президента РФ от 02.04.2020 № 239",
        "reason": "COVID-19",
        "court": SUPREME_COURT_POSITION,
    },
    {
        "start": "2020-05-06",
        "end": "2020-05-08",
        "act": "Указ Президента РФ от 28.04.2020 № 294",
        "reason": "COVID-19",
        "court": "Обзор … (COVID-19) № 2 (утв. Президиумом ВС РФ 30.04.2020) extends the "
        "position of Обзор № 1 to these days.",
    },
    {
        "start": "2020-06-24",
        "end": "2020-06-24",
        "act": "Указ Президента РФ от 29.05.2020 № 345 (the decree's date is confirmed by "
        "press reports; its number only by a third-party source)",
        "reason": "Парад Победы",
        "court": "No Supreme Court clarification specific to this day was found; treated like "
        "the COVID-19 days by default.",
    },
    {
        "start": "2020-07-01",
        "end": "2020-07-01",
        "act": "Указ Президента РФ от 01.06.2020 № 354 (date of the vote); the day of the vote "
        "is non-working under ч. 5 ст. 2 Закона РФ о поправке к Конституции РФ от 14.03.2020 "
        "№ 1-ФКЗ",
        "reason": "общероссийское голосование по поправкам к Конституции",
        "court": "No Supreme Court clarification specific to this day was found; treated like "
        "the COVID-19 days by default.",
    },
    {
        "start": "2021-05-04",
        "end": "2021-05-07",
        "act": "Указ Президента РФ от 23.04.2021 № 242",
        "reason": "COVID-19",
        "court": "Ответ Президиума ВС РФ от 28.04.2021: the positions of Обзор № 1 apply to "
        "these days.",
    },
    {
        "start": "2021-10-30",
        "end": "2021-11-07",
        "act": "Указ Президента РФ от 20.10.2021 № 595",
        "reason": "COVID-19",
        "court": "Ответ Президиума ВС РФ от 26.10.2021: the positions of Обзор № 1 apply to "
        "these days.",
    },
]


def tk112_dates(year: int) -> set[dt.date]:
    """The ТК РФ ст. 112 holidays of ``year``."""
    return {dt.date(year, month, day) for month, day in TK112_HOLIDAYS}


def working_days(year: int, entry: dict) -> list[dt.date]:
    """Every working day of ``year`` according to ``entry`` (one year of RU_CALENDAR)."""
    closed = {dt.date.fromisoformat(d) for d in [*entry["holidays"], *entry["days_off"]]}
    opened = {dt.date.fromisoformat(d) for d in entry["working"]}
    day = dt.date(year, 1, 1)
    result = []
    while day.year == year:
        if (day.weekday() < 5 and day not in closed) or day in opened:
            result.append(day)
        day += dt.timedelta(days=1)
    return result


def check_year(year: int, entry: dict) -> None:
    """Raise ValueError unless ``entry`` is a consistent calendar of ``year``.

    Checks: ISO dates within the year, no duplicates, no date in two lists, exactly the
    fourteen ТК 112 holidays, days off on weekdays, working days on weekends, and the
    working-day count equal to ``working_days_total``.
    """
    seen: dict[dt.date, str] = {}
    for key in ("holidays", "days_off", "working"):
        for text in entry[key]:
            try:
                day = dt.date.fromisoformat(text)
            except (TypeError, ValueError):
                raise ValueError(f"{year} {key}: {text!r} is not an ISO date") from None
            if day.year != year:
                raise ValueError(f"{year} {key}: {text} is not in {year}")
            if day in seen:
                raise ValueError(f"{year}: {text} is in both {seen[day]} and {key}")
            seen[day] = key
            if key == "days_off" and day.weekday() >= 5:
                raise ValueError(f"{year} days_off: {text} is a Saturday or Sunday")
            if key == "working" and day.weekday() < 5:
                raise ValueError(f"{year} working: {text} is not a Saturday or Sunday")
    holidays = {dt.date.fromisoformat(d) for d in entry["holidays"]}
    if holidays != tk112_dates(year):
        raise ValueError(f"{year}: holidays are not exactly the ТК РФ ст. 112 dates")
    count = len(working_days(year, entry))
    if count != entry["working_days_total"]:
        raise ValueError(
            f"{year}: {count} working days computed, {entry['working_days_total']} expected"
        )
