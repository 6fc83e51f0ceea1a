"""Due dates by the law's calendar, as a pure engine (no Django): the rows it reads are passed in.

- A period's charges fall due on a day of the following month: the contract's day, or the day
  the law sets from a date on (RU: by the 10th unless the contract says otherwise until
  28.02.2026; by the 15th from 01.03.2026, 177-ФЗ, and the contract can no longer move it).
  The row that applies is the latest whose `valid_from` is on or before the first day of the
  month the payment falls due in: the charges of February 2026 are due in March 2026, when the
  15th is the law, so they are due by 15.03.2026 (a Sunday: 16.03.2026).
- A deadline on a non-working day moves to the next working day (ГК РФ ст. 193); a working
  day is Monday–Friday unless the calendar makes it a holiday or a day off, or a weekend day
  the calendar makes a working day."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)


def month_after(year: int, month: int) -> tuple[int, int]:
    """The month following `year`-`month`: when a period's charges fall due."""
    return (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass(frozen=True)
class DueRule:
    valid_from: dt.date
    day: int | None  # None: the contract's day
    move_off_non_working_days: bool = True
    documents_by_day: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Calendar:
    """The days that differ from the Monday–Friday week: `off` (holidays and days off) and
    `working` (weekend days worked)."""

    off: frozenset[dt.date] = frozenset()
    working: frozenset[dt.date] = frozenset()

    @classmethod
    def of(cls, rows: Iterable[tuple[dt.date, str]]) -> Calendar:
        off, working = set(), set()
        for day, kind in rows:
            (working if kind == "working" else off).add(day)
        return cls(frozenset(off), frozenset(working))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working:
            return True
        return day.weekday() < 5 and day not in self.off

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        for _ in range(60):
            if self.is_working_day(day):
                return day
            day += ONE_DAY
        raise ValueError(f"no working day within 60 days of {day}")


@dataclass(frozen=True)
class DueDates:
    rules: tuple[DueRule, ...]  # sorted by valid_from
    calendar: Calendar = field(default_factory=Calendar)

    def rule_for(self, month_start: dt.date) -> DueRule | None:
        index = bisect.bisect_right([r.valid_from for r in self.rules], month_start) - 1
        return self.rules[index] if index >= 0 else None

    def due_date(self, year: int, month: int, contract_day: int) -> tuple[dt.date, DueRule | None]:
        """The due date of the charges of period `year`-`month`, and the rule that set it."""
        year, month = month_after(year, month)
        rule = self.rule_for(dt.date(year, month, 1))
        day = contract_day if rule is None or rule.day is None else rule.day
        due = dt.date(year, month, day)
        if rule is not None and rule.move_off_non_working_days:
            due = self.calendar.next_working_day(due)
        return due, rule

    def documents_deadline(self, year: int, month: int) -> dt.date | None:
        """The day by which the documents of period `year`-`month` must go out, if a rule says."""
        year, month = month_after(year, month)
        rule = self.rule_for(dt.date(year, month, 1))
        if rule is None or rule.documents_by_day is None:
            return None
        deadline = dt.date(year, month, rule.documents_by_day)
        return (
            self.calendar.next_working_day(deadline) if rule.move_off_non_working_days else deadline
        )
