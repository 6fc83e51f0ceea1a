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

_XML = "xmlcalendar"
_CSV = "data.gov.ru CSV"
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


def _xml_date(text: str | None, line: int, attr: str, year: int) -> dt.date:
    """A ``MM.DD`` attribute of a <day> as a date of ``year``."""
    match = _DAY_RE.match(text or "")
    if not match:
        raise ValueError(f"{_XML}: line {line}: <day {attr}={text!r}> is not MM.DD")
    try:
        return dt.date(year, int(match[1]), int(match[2]))
    except ValueError:
        raise ValueError(
            f"{_XML}: line {line}: <day {attr}={text!r}>: no such date in {year}"
        ) from None


def _xml_year(elements: list[tuple[str, dict[str, str], int]], year: int | None) -> int:
    """The year of the root <calendar>, which must be ``year`` when one is asked for."""
    if not elements or elements[0][0] != "calendar":
        raise ValueError(f"{_XML}: the root element is not <calendar>")
    _, root, root_line = elements[0]
    try:
        file_year = int(root.get("year", ""))
    except ValueError:
        raise ValueError(
            f"{_XML}: line {root_line}: <calendar year={root.get('year')!r}> is not a year"
        ) from None
    if not 1900 <= file_year <= 2200:
        raise ValueError(f"{_XML}: <calendar year={file_year}> is out of range")
    if year is not None and file_year != year:
        raise ValueError(f"{_XML}: the file is for {file_year}, not {year}")
    return file_year


def _xml_holiday_titles(elements: list[tuple[str, dict[str, str], int]]) -> dict[str, str]:
    """The <holiday> titles by id, which a <day h=…> must name."""
    titles: dict[str, str] = {}
    for tag, attrs, line in elements:
        if tag == "holiday":
            if not attrs.get("id"):
                raise ValueError(f"{_XML}: line {line}: <holiday> without id")
            titles[attrs["id"]] = attrs.get("title", "")
    return titles


def _put(kinds: dict[dt.date, tuple[str, int]], day: dt.date, kind: str, line: int) -> None:
    """Records ``day`` as ``kind``; the first line that gave a kind wins, a different kind for
    the same day is an error."""
    previous = kinds.get(day)
    if previous and previous[0] != kind:
        raise ValueError(
            f"{_XML}: line {line}: {day.isoformat()} is {kind}, but line {previous[1]} "
            f"makes it {previous[0]}"
        )
    kinds.setdefault(day, (kind, line))


def _xml_day_kind(day: dt.date, t: str | None, h: str | None, line: int, tk) -> str:
    """What a <day t=… h=…> makes of ``day``: holiday, decree, day_off, working or short."""
    if t == "1":
        if day in tk:
            return "holiday"
        return "decree" if h is not None else "day_off"
    if t in ("2", "3"):
        if day in tk:
            raise ValueError(
                f"{_XML}: line {line}: {day.isoformat()} is a ТК 112 holiday marked t={t}"
            )
        weekend = day.weekday() >= 5
        if t == "3" and not weekend:
            raise ValueError(
                f"{_XML}: line {line}: t=3 (working weekend day) on a weekday {day.isoformat()}"
            )
        return "working" if weekend else "short"
    raise ValueError(f"{_XML}: line {line}: <day t={t!r}> is not 1, 2 or 3")


def _xml_days(elements, year: int, titles: dict[str, str], tk):
    """The kind of each <day> by date (with its line), and the days named by ``f`` (a day off
    moved from that weekend day), with their lines."""
    kinds: dict[dt.date, tuple[str, int]] = {}  # date -> (kind, line)
    sources: list[tuple[dt.date, int]] = []
    day_count = 0
    for tag, attrs, line in elements:
        if tag != "day":
            continue
        day_count += 1
        day = _xml_date(attrs.get("d"), line, "d", year)
        t, h = attrs.get("t"), attrs.get("h")
        if h is not None and h not in titles:
            raise ValueError(f"{_XML}: line {line}: <day h={h!r}> names no <holiday id>")
        _put(kinds, day, _xml_day_kind(day, t, h, line, tk), line)
        if t == "1" and attrs.get("f") is not None:
            sources.append((_xml_date(attrs["f"], line, "f", year), line))
    if day_count == 0:
        raise ValueError(f"{_XML}: no <day> elements")
    return kinds, sources


def _xml_moved_from(kinds: dict[dt.date, tuple[str, int]], sources, tk) -> None:
    """A weekend day a day off was moved from is a working day (unless it is a holiday)."""
    for source, line in sources:
        if source.weekday() < 5:
            raise ValueError(
                f"{_XML}: line {line}: f={source.strftime('%m.%d')} is a weekday; a day off "
                "can only be moved from a Saturday or Sunday"
            )
        if source not in tk:
            _put(kinds, source, "working", line)


def parse_xmlcalendar(data: bytes | str, *, year: int | None = None) -> dict:
    """Parse an xmlcalendar.ru ``calendar.xml``; ``year``, if given, must match the file's.

    Pass the file's bytes: expat then honours the encoding in the XML declaration.
    """
    _check_size(data, _XML)
    elements = _read_xml(data)
    file_year = _xml_year(elements, year)
    titles = _xml_holiday_titles(elements)
    tk = tk112_dates(file_year)
    kinds, sources = _xml_days(elements, file_year, titles, tk)
    _xml_moved_from(kinds, sources, tk)

    missing = sorted(d.isoformat() for d in tk if d not in kinds)
    if missing:
        raise ValueError(f"{_XML}: ТК 112 holidays missing from <days>: {', '.join(missing)}")
    pick = {k: {d for d, (kind, _) in kinds.items() if kind == k} for k in ("holiday", "working")}
    days_off = {d for d, (kind, _) in kinds.items() if kind == "day_off" and d.weekday() < 5}
    decree = {d for d, (kind, _) in kinds.items() if kind == "decree" and d.weekday() < 5}
    return _result(file_year, pick["holiday"], days_off, pick["working"], decree, _XML)


# --- data.gov.ru CSV ----------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """The file's rows with their line numbers; the delimiter is `;` when the first line has
    semicolons and no commas, otherwise `,`."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if "," not in first_line and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ValueError(f"{_CSV}: line {reader.line_num}: {exc}") from None
    if not rows:
        raise ValueError(f"{_CSV}: file is empty")
    return rows


def _csv_header(row: list[str]) -> list[str]:
    """The header: the year column, the twelve months, and the two totals somewhere after."""
    header = [cell.strip() for cell in row]
    if header[:13] != [CSV_YEAR, *MONTHS_RU]:
        raise ValueError(
            f"{_CSV}: line 1: the header must start with {CSV_YEAR!r} and the twelve months, "
            f"got {header[:13]!r}"
        )
    for name in (CSV_TOTAL_WORKING, CSV_TOTAL_OFF):
        if name not in header:
            raise ValueError(f"{_CSV}: line 1: no {name!r} column")
    return header


def _csv_year_row(rows, header: list[str], year: int) -> tuple[int, list[str]]:
    """The one row of ``year`` with its line; every non-blank row is checked on the way."""
    found: tuple[int, list[str]] | None = None
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValueError(f"{_CSV}: line {line}: {len(row)} cells, the header has {len(header)}")
        try:
            row_year = int(row[0].strip())
        except ValueError:
            raise ValueError(f"{_CSV}: line {line}: {row[0]!r} is not a year") from None
        if row_year == year:
            if found:
                raise ValueError(
                    f"{_CSV}: line {line}: {year} appears twice (also line {found[0]})"
                )
            found = (line, row)
    if found is None:
        raise ValueError(f"{_CSV}: no row for {year}")
    return found


def _csv_closed_days(cell: str, year: int, month: int, where: str) -> dict[int, str]:
    """The days a month cell lists as non-working, with their mark ("", "*" or "+")."""
    closed: dict[int, str] = {}
    for token in cell.split(","):
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
    return closed


def _csv_sort_month(year: int, month: int, closed: dict[int, str], where: str, tk, days) -> None:
    """Sorts each day of the month into ``days`` ("holidays", "days_off", "working"): listed
    ones are non-working unless marked ``*``; an unlisted or ``*`` weekend day is working."""
    for number in range(1, calendar.monthrange(year, month)[1] + 1):
        day = dt.date(year, month, number)
        weekend = day.weekday() >= 5
        mark = closed.get(number)
        if mark == "*":  # a shortened working day
            if day in tk:
                raise ValueError(f"{where}: holiday {number} is marked * (a working day)")
            if weekend:
                days["working"].add(day)
        elif mark is None:  # not listed: a working day
            if day in tk:
                raise ValueError(f"{where}: holiday {number} is not listed as non-working")
            if weekend:
                days["working"].add(day)
        elif day in tk:
            days["holidays"].add(day)
        elif mark == "+" and weekend:
            raise ValueError(f"{where}: {number}+ (a transferred day off) is a weekend day")
        elif not weekend:
            days["days_off"].add(day)


def _csv_check_totals(entry: dict, cells: dict[str, str], year: int, line: int) -> None:
    """The file's own totals of working and non-working days must match the month cells."""
    total = entry["working_days_total"]
    days_in_year = dt.date(year, 12, 31).timetuple().tm_yday
    for name, expected in ((CSV_TOTAL_WORKING, total), (CSV_TOTAL_OFF, days_in_year - total)):
        try:
            stated = int(cells[name])
        except ValueError:
            raise ValueError(
                f"{_CSV}: line {line}: {name} {cells[name]!r} is not a number"
            ) from None
        if stated != expected:
            raise ValueError(
                f"{_CSV}: line {line}: {name} is {stated}, but the month cells give {expected}"
            )


def parse_datagov_csv(data: bytes | str, year: int) -> dict:
    """Parse the data.gov.ru production-calendar CSV and return the row of ``year``."""
    _check_size(data, _CSV)
    rows = _csv_rows(_decode(data))
    header = _csv_header(rows[0][1])
    line, row = _csv_year_row(rows, header, year)
    cells = dict(zip(header, (cell.strip() for cell in row), strict=True))

    tk = tk112_dates(year)
    days: dict[str, set[dt.date]] = {"holidays": set(), "days_off": set(), "working": set()}
    for month, name in enumerate(MONTHS_RU, start=1):
        where = f"{_CSV}: line {line}, {name} {year}"
        closed = _csv_closed_days(cells[name], year, month, where)
        _csv_sort_month(year, month, closed, where, tk, days)

    entry = _result(
        year, days["holidays"], days["days_off"], days["working"], set(), f"{_CSV}: line {line}"
    )
    _csv_check_totals(entry, cells, year, line)
    return entry
