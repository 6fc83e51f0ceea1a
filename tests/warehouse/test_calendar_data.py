"""The production calendar data (warehouse.calendar_data) and its file parsers (calendar_files).

Plain tests, no database. The samples below are modelled on real files: the xmlcalendar.ru
calendar.xml of 2020, 2024 and 2025 (github.com/xmlcalendar/data) and the data.gov.ru
production-calendar CSV (its 2020 row as published; 2024 and 2025 written in the same form).
"""

import calendar
import datetime as dt

import pytest

from warehouse.calendar_data import (
    DECREE_NON_WORKING,
    RU_CALENDAR,
    TK112_HOLIDAYS,
    check_year,
    tk112_dates,
    working_days,
)
from warehouse.calendar_files import MAX_BYTES, parse_datagov_csv, parse_xmlcalendar

YEARS = sorted(RU_CALENDAR)
LISTS = ("holidays", "days_off", "working")
D = dt.date.fromisoformat


def _dates(year, key):
    return {D(text) for text in RU_CALENDAR[year][key]}


def test_years_2020_to_2027_are_present():
    assert sorted(RU_CALENDAR) == list(range(2020, 2028))


@pytest.mark.parametrize("year", YEARS)
def test_working_days_reproduce_the_published_total(year):
    entry = RU_CALENDAR[year]
    assert len(working_days(year, entry)) == entry["working_days_total"]
    check_year(year, entry)


@pytest.mark.parametrize("year", YEARS)
def test_dates_are_iso_in_their_year_sorted_and_in_one_list_only(year):
    entry = RU_CALENDAR[year]
    seen = []
    for key in LISTS:
        texts = entry[key]
        assert texts == sorted(set(texts)), key
        for text in texts:
            assert D(text).isoformat() == text
            assert D(text).year == year
        seen += texts
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("year", YEARS)
def test_weekdays_of_the_lists(year):
    assert all(day.weekday() >= 5 for day in _dates(year, "working"))
    assert all(day.weekday() < 5 for day in _dates(year, "days_off"))


@pytest.mark.parametrize("year", YEARS)
def test_holidays_are_exactly_the_tk112_dates(year):
    assert len(TK112_HOLIDAYS) == 14
    assert _dates(year, "holidays") == tk112_dates(year)


def _automatic_transfers(year, moved_by_decree):
    """ТК 112 ч. 2: a weekend holiday (not 1–8 January) gives the next working day off."""
    holidays = tk112_dates(year)
    result = set()
    for holiday in sorted(holidays):
        if holiday.month == 1 or holiday.weekday() < 5 or holiday in moved_by_decree:
            continue
        day = holiday + dt.timedelta(days=1)
        while day.weekday() >= 5 or day in holidays or day in result:
            day += dt.timedelta(days=1)
        result.add(day)
    return result


@pytest.mark.parametrize("year", YEARS)
def test_days_off_and_working_days_follow_from_the_transfers(year):
    entry = RU_CALENDAR[year]
    sources = {D(a) for a, _ in entry["decree_transfers"]}
    targets = {D(b) for _, b in entry["decree_transfers"]}
    assert all(source.weekday() >= 5 for source in sources)
    assert _dates(year, "days_off") == targets | _automatic_transfers(year, sources)
    assert _dates(year, "working") == sources - tk112_dates(year)


@pytest.mark.parametrize(
    ("iso", "kind"),
    [
        ("2026-03-09", "days_off"),  # 8 March 2026 is a Sunday
        ("2026-01-09", "days_off"),
        ("2026-12-31", "days_off"),
        ("2025-05-02", "days_off"),
        ("2025-05-08", "days_off"),
        ("2025-06-13", "days_off"),
        ("2025-11-03", "days_off"),
        ("2025-12-31", "days_off"),
        ("2025-11-01", "working"),
        ("2024-12-28", "working"),
        ("2024-11-02", "working"),
        ("2024-04-27", "working"),
        ("2024-12-30", "days_off"),
        ("2022-03-05", "working"),
        ("2021-02-20", "working"),
        ("2021-11-05", "days_off"),
        ("2020-05-11", "days_off"),  # 9 May 2020 is a Saturday
        ("2023-01-01", "holidays"),
    ],
)
def test_spot_checks(iso, kind):
    assert iso in RU_CALENDAR[D(iso).year][kind]


def test_spot_check_weekdays():
    assert D("2026-03-08").weekday() == 6
    assert D("2020-05-09").weekday() == 5
    assert D("2024-12-28").weekday() == 5
    assert D("2025-11-01").weekday() == 5


@pytest.mark.parametrize(
    "iso",
    [
        "2025-02-24",  # 23 February 2025 (Sunday) was moved to 8 May by the resolution
        "2025-03-10",  # 8 March 2025 (Saturday) was moved to 13 June
        "2020-03-30",  # presidential non-working days are not days off
        "2020-06-24",
        "2020-07-01",
        "2021-05-04",
        "2021-11-01",
    ],
)
def test_working_days_that_look_like_days_off(iso):
    day = D(iso)
    assert day.weekday() < 5
    assert day in working_days(day.year, RU_CALENDAR[day.year])


@pytest.mark.parametrize(
    ("year", "months"),
    [
        (2020, [17, 19, 21, 22, 17, 21]),  # russian-edu.ru, from the resolution № 875
        (2021, [15, 19, 22, 22, 19, 21]),
        (2023, [17, 18, 22, 20, 20, 21]),  # its.1c.ru, grossoffer.ru
    ],
)
def test_published_monthly_counts_of_the_first_half(year, months):
    counts = [0] * 12
    for day in working_days(year, RU_CALENDAR[year]):
        counts[day.month - 1] += 1
    assert counts[:6] == months


def test_published_monthly_extremes():
    def month_counts(year):
        counts = [0] * 12
        for day in working_days(year, RU_CALENDAR[year]):
            counts[day.month - 1] += 1
        return counts

    assert month_counts(2025)[0] == 17  # news.mail.ru: January 2025 had 17 working days
    assert max(month_counts(2025)) == month_counts(2025)[6] == month_counts(2025)[9] == 23
    assert min(month_counts(2026)) == month_counts(2026)[0] == 15
    assert max(month_counts(2026)) == month_counts(2026)[6] == 23
    assert month_counts(2024)[11] == 21


def test_2027_is_provisional_and_the_reported_decree_is_consistent():
    entry = RU_CALENDAR[2027]
    assert entry["provisional"] is True
    assert all(RU_CALENDAR[year]["provisional"] is False for year in range(2020, 2027))
    reported = {**entry, **entry["reported_decree"], "holidays": entry["holidays"]}
    check_year(2027, reported)
    sources = {D(a) for a, _ in reported["decree_transfers"]}
    targets = {D(b) for _, b in reported["decree_transfers"]}
    assert _dates(2027, "days_off") == _automatic_transfers(2027, set())
    assert {D(d) for d in reported["days_off"]} == targets | _automatic_transfers(2027, sources)


def test_decree_non_working_days_are_listed_apart():
    assert len(DECREE_NON_WORKING) == 7
    for item in DECREE_NON_WORKING:
        start, end = D(item["start"]), D(item["end"])
        assert start <= end
        assert item["act"].startswith("Указ Президента РФ от ")
        assert item["court"]
        # the ranges overlap real holidays and days off (e.g. 04.11 and 05.11.2021) but every
        # range has weekdays that stay working days in RU_CALENDAR
        worked = set(working_days(start.year, RU_CALENDAR[start.year]))
        span = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        assert any(day in worked for day in span), item["act"]
    acts = " ".join(item["act"] for item in DECREE_NON_WORKING)
    for number in ("№ 206", "№ 239", "№ 294", "№ 345", "№ 354", "№ 242", "№ 595"):
        assert number in acts


# --- xmlcalendar.ru -----------------------------------------------------------------------

XML_HOLIDAYS = """
    <holidays>
        <holiday id="1" title="Новогодние каникулы"/>
        <holiday id="2" title="Рождество Христово"/>
        <holiday id="3" title="День защитника Отечества"/>
        <holiday id="4" title="Международный женский день"/>
        <holiday id="5" title="Праздник Весны и Труда"/>
        <holiday id="6" title="День Победы"/>
        <holiday id="7" title="День России"/>
        <holiday id="8" title="День народного единства"/>
        {extra}
    </holidays>"""

XML_JANUARY = "\n".join(
    f'        <day d="01.0{n}" t="1" h="{2 if n == 7 else 1}"/>' for n in range(1, 9)
)


def _xml(year, days, extra_holidays="", date="2024.09.27"):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<calendar year="{year}" lang="ru" date="{date}">'
        + XML_HOLIDAYS.format(extra=extra_holidays)
        + f"\n    <days>\n{XML_JANUARY}\n{days}\n    </days>\n</calendar>\n"
    ).encode()


XML_2025_DAYS = """
        <day d="02.23" t="1" h="3"/>
        <day d="03.07" t="2"/>
        <day d="03.08" t="1" h="4"/>
        <day d="04.30" t="2"/>
        <day d="05.01" t="1" h="5"/>
        <day d="05.02" t="1" f="01.04"/>
        <day d="05.08" t="1" f="02.23"/>
        <day d="05.09" t="1" h="6"/>
        <day d="06.11" t="2"/>
        <day d="06.12" t="1" h="7"/>
        <day d="06.13" t="1" f="03.08"/>
        <day d="11.01" t="3"/>
        <day d="11.03" t="1" f="11.01"/>
        <day d="11.04" t="1" h="8"/>
        <day d="12.31" t="1" f="01.05"/>"""

# A published 2024 file gives the working Saturdays 27.04 and 28.12 only through f=…, and
# repeats a day.
XML_2024_DAYS = """
        <day d="02.22" t="2"/>
        <day d="02.23" t="1" h="3"/>
        <day d="03.07" t="2"/>
        <day d="03.08" t="1" h="4"/>
        <day d="04.29" t="1" f="04.27"/>
        <day d="04.30" t="1" f="11.02"/>
        <day d="05.01" t="1" h="5"/>
        <day d="05.08" t="2"/>
        <day d="05.09" t="1" h="6"/>
        <day d="05.10" t="1" f="01.06"/>
        <day d="06.11" t="2"/>
        <day d="06.12" t="1" h="7"/>
        <day d="11.02" t="2"/>
        <day d="11.04" t="1" h="8"/>
        <day d="12.30" t="1" f="12.28"/>
        <day d="12.31" t="1" f="01.07"/>
        <day d="12.31" t="1" f="01.07"/>"""

XML_2020_EXTRA = """<holiday id="9" title="Нерабочая неделя (Указ Президента от 25.03.2020 №206)"/>
        <holiday id="11" title="Нерабочие дни (Указ Президента от 28.04.2020 №294)"/>"""

XML_2020_DAYS = """
        <day d="02.23" t="1" h="3" />
        <day d="02.24" t="1" />
        <day d="03.08" t="1" h="4" />
        <day d="03.09" t="1" />
        <day d="03.30" t="1" h="9"/>
        <day d="03.31" t="1" h="9"/>
        <day d="04.01" t="1" h="9"/>
        <day d="04.02" t="1" h="9"/>
        <day d="04.03" t="1" h="9"/>
        <day d="05.01" t="1" h="5" />
        <day d="05.02" t="1" h="11"/>
        <day d="05.04" t="1" />
        <day d="05.05" t="1" />
        <day d="05.06" t="1" h="11"/>
        <day d="05.07" t="1" h="11"/>
        <day d="05.08" t="1" h="11" />
        <day d="05.09" t="1" h="6" />
        <day d="05.11" t="1" />
        <day d="06.11" t="2" />
        <day d="06.12" t="1" h="7" />
        <day d="11.03" t="2" />
        <day d="11.04" t="1" h="8" />
        <day d="12.31" t="2" />"""


def _same_as_data(parsed, year):
    entry = RU_CALENDAR[year]
    for key in (*LISTS, "working_days_total"):
        assert parsed[key] == entry[key], key


@pytest.mark.parametrize(
    ("year", "days"), [(2025, XML_2025_DAYS), (2024, XML_2024_DAYS)], ids=["2025", "2024"]
)
def test_xmlcalendar_agrees_with_the_data(year, days):
    parsed = parse_xmlcalendar(_xml(year, days), year=year)
    _same_as_data(parsed, year)
    assert parsed["decree_non_working"] == []


def test_xmlcalendar_keeps_presidential_non_working_days_out_of_days_off():
    parsed = parse_xmlcalendar(_xml(2020, XML_2020_DAYS, XML_2020_EXTRA))
    _same_as_data(parsed, 2020)
    assert parsed["decree_non_working"] == [
        "2020-03-30",
        "2020-03-31",
        "2020-04-01",
        "2020-04-02",
        "2020-04-03",
        "2020-05-06",
        "2020-05-07",
        "2020-05-08",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<calendar year='2025'><days><day d='01.01' t='1'>", "not well-formed"),
        (b"<?xml version='1.0'?><root/>", "root element"),
        (b"<calendar year='next'><days/></calendar>", "is not a year"),
        (
            b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]><calendar year="2025"/>',
            "DTD",
        ),
        (_xml(2025, '<day d="02.30" t="1"/>'), r"line \d+: <day d='02.30'>: no such date"),
        (_xml(2025, '<day d="31.12" t="1"/>'), "no such date"),
        (_xml(2025, '<day d="1.5" t="1"/>'), "is not MM.DD"),
        (_xml(2025, '<day d="05.02" t="7"/>'), "is not 1, 2 or 3"),
        (_xml(2025, '<day d="05.02" t="3"/>'), "t=3 .* on a weekday"),
        (_xml(2025, '<day d="05.01" t="2"/>'), "ТК 112 holiday marked t=2"),
        (_xml(2025, '<day d="05.02" t="1" h="99"/>'), "names no <holiday id>"),
        (_xml(2025, '<day d="05.02" t="1" f="01.09"/>'), "is a weekday"),
        (_xml(2025, '<day d="11.01" t="3"/><day d="11.01" t="1"/>'), "makes it working"),
        (_xml(2025, XML_2025_DAYS.replace('<day d="06.12" t="1" h="7"/>', "")), "missing"),
        (b'<calendar year="2025"><holidays/><days/></calendar>', "no <day>"),
    ],
)
def test_xmlcalendar_rejects_malformed_files(data, message):
    with pytest.raises(ValueError, match=message):
        parse_xmlcalendar(data)


def test_xmlcalendar_rejects_the_wrong_year_and_oversized_files():
    with pytest.raises(ValueError, match="the file is for 2025, not 2026"):
        parse_xmlcalendar(_xml(2025, XML_2025_DAYS), year=2026)
    with pytest.raises(ValueError, match="more than"):
        parse_xmlcalendar(b" " * (MAX_BYTES + 1))


# --- data.gov.ru CSV ----------------------------------------------------------------------

CSV_HEADER = (
    "Год/Месяц,Январь,Февраль,Март,Апрель,Май,Июнь,Июль,Август,Сентябрь,Октябрь,Ноябрь,Декабрь,"
    "Всего рабочих дней,Всего праздничных и выходных дней,"
    "Количество рабочих часов при 40-часовой рабочей неделе,"
    "Количество рабочих часов при 36-часовой рабочей неделе,"
    "Количество рабочих часов при 24-часовой рабочей неделе"
)
CSV_ROWS = {
    2020: (
        '2020,"1,2,3,4,5,6,7,8,11,12,18,19,25,26","1,2,8,9,15,16,22,23,24+,29",'
        '"1,7,8,9+,14,15,21,22,28,29","4,5,11,12,18,19,25,26,30*",'
        '"1,2,3,4+,5+,8*,9,10,11+,16,17,23,24,30,31","6,7,11*,12,13,14,20,21,27,28",'
        '"4,5,11,12,18,19,25,26","1,2,8,9,15,16,22,23,29,30","5,6,12,13,19,20,26,27",'
        '"3,4,10,11,17,18,24,25,31","1,3*,4,7,8,14,15,21,22,28,29","5,6,12,13,19,20,26,27,31*",'
        "248,118,1979,1780.6,1185.4"
    ),
    2024: (
        '2024,"1,2,3,4,5,6,7,8,13,14,20,21,27,28","3,4,10,11,17,18,22*,23,24,25",'
        '"2,3,7*,8,9,10,16,17,23,24,30,31","6,7,13,14,20,21,28,29+,30+",'
        '"1,4,5,8*,9,10+,11,12,18,19,25,26","1,2,8,9,11*,12,15,16,22,23,29,30",'
        '"6,7,13,14,20,21,27,28","3,4,10,11,17,18,24,25,31","1,7,8,14,15,21,22,28,29",'
        '"5,6,12,13,19,20,26,27","2*,3,4,9,10,16,17,23,24,30","1,7,8,14,15,21,22,29,30+,31+",'
        "248,118,1979,1780.6,1185.4"
    ),
    2025: (
        '2025,"1,2,3,4,5,6,7,8,11,12,18,19,25,26","1,2,8,9,15,16,22,23",'
        '"1,2,7*,8,9,15,16,22,23,29,30","5,6,12,13,19,20,26,27,30*",'
        '"1,2+,3,4,8+,9,10,11,17,18,24,25,31","1,7,8,11*,12,13+,14,15,21,22,28,29",'
        '"5,6,12,13,19,20,26,27","2,3,9,10,16,17,23,24,30,31","6,7,13,14,20,21,27,28",'
        '"4,5,11,12,18,19,25,26","2,3+,4,8,9,15,16,22,23,29,30","6,7,13,14,20,21,27,28,31+",'
        "247,118,1973,1775.4,1182.6"
    ),
}


def _csv(rows=None, header=CSV_HEADER):
    rows = CSV_ROWS if rows is None else rows
    return ("\ufeff" + header + "\n" + "\n".join(rows.values()) + "\n").encode()


@pytest.mark.parametrize("year", sorted(CSV_ROWS))
def test_datagov_csv_agrees_with_the_data(year):
    parsed = parse_datagov_csv(_csv(), year)
    _same_as_data(parsed, year)
    assert parsed["decree_non_working"] == []


def test_datagov_csv_in_cp1251_and_with_semicolons():
    totals = CSV_ROWS[2025].rsplit('"', 1)[1].lstrip(",").split(",")
    row = ";".join(["2025", *_month_cells(2025), *totals])
    data = (CSV_HEADER.replace(",", ";") + "\r\n" + row + "\r\n").encode("cp1251")
    _same_as_data(parse_datagov_csv(data, 2025), 2025)


def _month_cells(year):
    """The twelve month cells of CSV_ROWS[year], unquoted."""
    row = CSV_ROWS[year]
    return row.split('"')[1::2]


def _row_with(year, month, cell):
    cells = _month_cells(year)
    cells[month - 1] = cell
    totals = CSV_ROWS[year].rsplit('"', 1)[1]
    return f"{year}," + ",".join(f'"{c}"' for c in cells) + totals


@pytest.mark.parametrize(
    ("data", "year", "message"),
    [
        (b"", 2025, "empty"),
        (_csv(header=CSV_HEADER.replace("Январь", "Янв")), 2025, "line 1: the header"),
        (_csv(header=CSV_HEADER.replace(",Всего рабочих дней", ",Итого")), 2025, "no 'Всего"),
        (_csv(), 2023, "no row for 2023"),
        (_csv({1: CSV_ROWS[2025], 2: CSV_ROWS[2025]}), 2025, "line 3: 2025 appears twice"),
        (_csv({1: "2025,1,2"}), 2025, "line 2: 3 cells, the header has 18"),
        (_csv({1: CSV_ROWS[2025].replace("2025,", "year,", 1)}), 2025, "is not a year"),
        (_csv({1: _row_with(2025, 3, "1,2,7x")}), 2025, r"line 2, Март 2025: '7x' is not a day"),
        (_csv({1: _row_with(2025, 2, "1,2,30")}), 2025, "Февраль 2025: there is no day 30"),
        (_csv({1: _row_with(2025, 2, "1,2,2*")}), 2025, "listed twice"),
        (_csv({1: _row_with(2025, 6, "1,7,8,11*,13+,14")}), 2025, "holiday 12 is not listed"),
        (_csv({1: _row_with(2025, 3, "1,2,8*,9")}), 2025, r"holiday 8 is marked \*"),
        (_csv({1: _row_with(2025, 3, "1+,2,8,9")}), 2025, r"1\+ .* is a weekend day"),
        (
            _csv({1: CSV_ROWS[2025].replace(",247,118,", ",248,117,")}),
            2025,
            "Всего рабочих дней is 248, but the month cells give 247",
        ),
        (
            _csv({1: CSV_ROWS[2025].replace(",247,118,", ",247,117,")}),
            2025,
            "Всего праздничных и выходных дней is 117",
        ),
        (b"x" * (MAX_BYTES + 1), 2025, "more than"),
    ],
)
def test_datagov_csv_rejects_malformed_files(data, year, message):
    with pytest.raises(ValueError, match=message):
        parse_datagov_csv(data, year)


def test_csv_sample_rows_cover_every_day_of_their_months():
    # every listed day exists and every weekend day is either listed or a working day
    for year in CSV_ROWS:
        for month, cell in enumerate(_month_cells(year), start=1):
            last = calendar.monthrange(year, month)[1]
            numbers = {int(token.rstrip("*+")) for token in cell.split(",")}
            assert max(numbers) <= last
