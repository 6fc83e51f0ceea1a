"""Read next year's production calendar from the two common public file formats.

Both parsers return one year in the shape of ``warehouse.calendar_data.RU_CALENDAR`` (without
``source``/``url``, which the caller supplies)::

    {"holidays": [...], "days_off": [...], "working": [...], "working_days_total": 247,
     "decree_non_working": [...]}

``working_days_total`` is computed from the lists (and, for the CSV, checked against the file's
own total). ``decree_non_working`` lists weekdays that the file marks non-working by a
presidential decree (xmlcalendar.ru does this for 2020–2021); they are kept OUT of ``days_off``
(see ``DECREE_NON_WORKING`` in calendar_data) and are always empty for the CSV.

A file that does not parse, or parses into an inconsistent calendar, raises ``ValueError`` naming
the line, element or cell; nothing partial is returned.

Formats
-------
xmlcalendar.ru (https://xmlcalendar.ru/data/ru/YYYY/calendar.xml)::

    <calendar year="2025" lang="ru" date="2024.09.27">
      <holidays><holiday id="1" title="Новогодние каникулы"/>…</holidays>
      <days>
        <day d="01.01" t="1" h="1"/>        d is MONTH.DAY
        <day d="05.02" t="1" f="01.04"/>    f: the weekend day the day off was moved from
        <day d="03.07" t="2"/>              shortened working day (any weekday or a weekend)
        <day d="11.01" t="3"/>              working Saturday/Sunday
      </days>
    </calendar>

t=1 is non-working: a holiday on a ТК 112 date; with ``h`` pointing to another (decree) holiday,
a decree non-working day; otherwise a day off. t=2 on a Saturday/Sunday and t=3 make the weekend
day a working day. A weekend day named by ``f`` that is not a holiday is a working day too (some
published files give the working Saturday only through ``f``).

data.gov.ru open data, «Производственный календарь» (one row per year)::

    Год/Месяц,Январь,…,Декабрь,Всего рабочих дней,Всего праздничных и выходных дней,
        Количество рабочих часов при 40-часовой рабочей неделе,…
    2020,"1,2,3,4,5,6,7,8,11,12,18,19,25,26","1,2,8,9,15,16,22,23,24+,29",…,248,118,1979,…

Each month cell lists the month's non-working days, weekends included; ``+`` marks a
transferred day off, ``*`` a shortened pre-holiday WORKING day (listed although worked). A
Saturday or Sunday absent from the list, or marked ``*``, is a working day.

Pure Python (stdlib only; defusedxml is not installed, so the XML is read with expat directly,
with a size limit and DTDs/entities refused).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from xml.parsers import expat

from warehouse.calendar_data import check_year, tk112_dates, working_days

MAX_BYTES = 1_000_000

MONTHS_RU = (
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)
CSV_YEAR = "Год/Месяц"
CSV_TOTAL_WORKING = "Всего рабочих дней"
CSV_TOTAL_OFF = "Всего праздничных и выходных дней"

_DAY_RE = re.compile(r"^(\d{2})\.(\d{2})$")
_CSV_TOKEN_RE = re.compile(r"^(\d{1,2})([*+]?)$")


def _check_size(data: bytes | str, what: str) -> None:
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > MAX_BYTES:
        raise ValueError(f"{what}: file is {size} bytes, more than the {MAX_BYTES} allowed")
    if size == 0:
        raise ValueError(f"{what}: file is empty")


def _result(year: int, holidays, days_off, working, decree, what: str) -> dict:
    entry = {
        "holidays": sorted(d.isoformat() for d in holidays),
        "days_off": sorted(d.isoformat() for d in days_off),
        "working": sorted(d.isoformat() for d in working),
        "working_days_total": 0,
        "decree_non_working": sorted(d.isoformat() for d in decree),
    }
    entry["working_days_total"] = len(working_days(year, entry))
    try:
        check_year(year, entry)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None
    return entry


# --- xmlcalendar.ru -----------------------------------------------------------------------


def _read_xml(data: bytes | str) -> list[tuple[str, dict[str, str], int]]:
    """The elements of the document as (tag, attributes, line), in document order."""
    elements: list[tuple[str, dict[str, str], int]] = []
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        elements.append((tag, attrs, parser.CurrentLineNumber))

    def refuse_dtd(*_args) -> None:
        raise ValueError(f"xmlcalendar: line {parser.CurrentLineNumber}: DTDs are not accepted")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ValueError(f"xmlcalendar: not well-formed XML: {exc}") from None
    return elements


def parse_xmlcalendar(data: bytes | str, *, year: int | None = None) -> dict:
    """Parse an xmlcalendar.ru ``calendar.xml``; ``year``, if given, must match the file's.

    Pass the file's bytes: expat then honours the encoding in the XML declaration.
    """
    what = "xmlcalendar"
    _check_size(data, what)
    elements = _read_xml(data)
    if not elements or elements[0][0] != "calendar":
        raise ValueError(f"{what}: the root element is not <calendar>")
    _, root, root_line = elements[0]
    try:
        file_year = int(root.get("year", ""))
    except ValueError:
        raise ValueError(
            f"{what}: line {root_line}: <calendar year={root.get('year')!r}> is not a year"
        ) from None
    if not 1900 <= file_year <= 2200:
        raise ValueError(f"{what}: <calendar year={file_year}> is out of range")
    if year is not None and file_year != year:
        raise ValueError(f"{what}: the file is for {file_year}, not {year}")

    titles: dict[str, str] = {}
    for tag, attrs, line in elements:
        if tag == "holiday":
            if not attrs.get("id"):
                raise ValueError(f"{what}: line {line}: <holiday> without id")
            titles[attrs["id"]] = attrs.get("title", "")

    def date_of(text: str | None, line: int, attr: str) -> dt.date:
        match = _DAY_RE.match(text or "")
        if not match:
            raise ValueError(f"{what}: line {line}: <day {attr}={text!r}> is not MM.DD")
        try:
            return dt.date(file_year, int(match[1]), int(match[2]))
        except ValueError:
            raise ValueError(
                f"{what}: line {line}: <day {attr}={text!r}>: no such date in {file_year}"
            ) from None

    tk = tk112_dates(file_year)
    kinds: dict[dt.date, tuple[str, int]] = {}  # date -> (kind, line)
    sources: list[tuple[dt.date, int]] = []

    def put(day: dt.date, kind: str, line: int) -> None:
        previous = kinds.get(day)
        if previous and previous[0] != kind:
            raise ValueError(
                f"{what}: line {line}: {day.isoformat()} is {kind}, but line {previous[1]} "
                f"makes it {previous[0]}"
            )
        kinds.setdefault(day, (kind, line))

    day_count = 0
    for tag, attrs, line in elements:
        if tag != "day":
            continue
        day_count += 1
        day = date_of(attrs.get("d"), line, "d")
        weekend = day.weekday() >= 5
        kind = attrs.get("t")
        h = attrs.get("h")
        if h is not None and h not in titles:
            raise ValueError(f"{what}: line {line}: <day h={h!r}> names no <holiday id>")
        if kind == "1":
            if day in tk:
                put(day, "holiday", line)
            elif h is not None:
                put(day, "decree", line)
            else:
                put(day, "day_off", line)
            if attrs.get("f") is not None:
                sources.append((date_of(attrs["f"], line, "f"), line))
        elif kind in ("2", "3"):
            if day in tk:
                raise ValueError(
                    f"{what}: line {line}: {day.isoformat()} is a ТК 112 holiday marked t={kind}"
                )
            if kind == "3" and not weekend:
                raise ValueError(
                    f"{what}: line {line}: t=3 (working weekend day) on a weekday {day.isoformat()}"
                )
            put(day, "working" if weekend else "short", line)
        else:
            raise ValueError(f"{what}: line {line}: <day t={kind!r}> is not 1, 2 or 3")
    if day_count == 0:
        raise ValueError(f"{what}: no <day> elements")

    for source, line in sources:
        if source.weekday() < 5:
            raise ValueError(
                f"{what}: line {line}: f={source.strftime('%m.%d')} is a weekday; a day off "
                "can only be moved from a Saturday or Sunday"
            )
        if source not in tk:
            put(source, "working", line)

    missing = sorted(d.isoformat() for d in tk if d not in kinds)
    if missing:
        raise ValueError(f"{what}: ТК 112 holidays missing from <days>: {', '.join(missing)}")
    pick = {k: {d for d, (kind, _) in kinds.items() if kind == k} for k in ("holiday", "working")}
    days_off = {d for d, (kind, _) in kinds.items() if kind == "day_off" and d.weekday() < 5}
    decree = {d for d, (kind, _) in kinds.items() if kind == "decree" and d.weekday() < 5}
    return _result(file_year, pick["holiday"], days_off, pick["working"], decree, what)


# --- data.gov.ru CSV ----------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def parse_datagov_csv(data: bytes | str, year: int) -> dict:
    """Parse the data.gov.ru production-calendar CSV and return the row of ``year``."""
    what = "data.gov.ru CSV"
    _check_size(data, what)
    text = _decode(data)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if "," not in first_line and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ValueError(f"{what}: line {reader.line_num}: {exc}") from None
    if not rows:
        raise ValueError(f"{what}: file is empty")
    header = [cell.strip() for cell in rows[0][1]]
    if header[:13] != [CSV_YEAR, *MONTHS_RU]:
        raise ValueError(
            f"{what}: line 1: the header must start with {CSV_YEAR!r} and the twelve months, "
            f"got {header[:13]!r}"
        )
    for name in (CSV_TOTAL_WORKING, CSV_TOTAL_OFF):
        if name not in header:
            raise ValueError(f"{what}: line 1: no {name!r} column")

    found: tuple[int, list[str]] | None = None
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValueError(f"{what}: line {line}: {len(row)} cells, the header has {len(header)}")
        try:
            row_year = int(row[0].strip())
        except ValueError:
            raise ValueError(f"{what}: line {line}: {row[0]!r} is not a year") from None
        if row_year == year:
            if found:
                raise ValueError(
                    f"{what}: line {line}: {year} appears twice (also line {found[0]})"
                )
            found = (line, row)
    if found is None:
        raise ValueError(f"{what}: no row for {year}")
    line, row = found
    cells = dict(zip(header, (cell.strip() for cell in row), strict=True))

    tk = tk112_dates(year)
    holidays: set[dt.date] = set()
    days_off: set[dt.date] = set()
    working: set[dt.date] = set()
    for month, name in enumerate(MONTHS_RU, start=1):
        where = f"{what}: line {line}, {name} {year}"
        closed: dict[int, str] = {}
        for token in cells[name].split(","):
            token = token.strip()
            match = _CSV_TOKEN_RE.match(token)
            if not match:
                raise ValueError(f"{where}: {token!r} is not a day (N, N* or N+)")
            number, mark = int(match[1]), match[2]
            if not 1 <= number <= calendar.monthrange(year, month)[1]:
                raise ValueError(f"{where}: there is no day {number}")
            if closed.get(number, mark) != mark:
                raise ValueError(f"{where}: day {number} is listed twice, differently")
            closed[number] = mark
        for number in range(1, calendar.monthrange(year, month)[1] + 1):
            day = dt.date(year, month, number)
            weekend = day.weekday() >= 5
            mark = closed.get(number)
            if mark == "*":  # a shortened working day
                if day in tk:
                    raise ValueError(f"{where}: holiday {number} is marked * (a working day)")
                if weekend:
                    working.add(day)
            elif mark is None:  # not listed: a working day
                if day in tk:
                    raise ValueError(f"{where}: holiday {number} is not listed as non-working")
                if weekend:
                    working.add(day)
            elif day in tk:
                holidays.add(day)
            elif mark == "+" and weekend:
                raise ValueError(f"{where}: {number}+ (a transferred day off) is a weekend day")
            elif not weekend:
                days_off.add(day)

    entry = _result(year, holidays, days_off, working, set(), f"{what}: line {line}")
    total = entry["working_days_total"]
    days_in_year = dt.date(year, 12, 31).timetuple().tm_yday
    for name, expected in ((CSV_TOTAL_WORKING, total), (CSV_TOTAL_OFF, days_in_year - total)):
        try:
            stated = int(cells[name])
        except ValueError:
            raise ValueError(
                f"{what}: line {line}: {name} {cells[name]!r} is not a number"
            ) from None
        if stated != expected:
            raise ValueError(
                f"{what}: line {line}: {name} is {stated}, but the month cells give {expected}"
            )
    return entry
