"""Contact limits: may the creditor call or message a debtor now, given the contacts made
before? Pure Python (dataclasses, datetime, zoneinfo); the only Django import is its
translation functions, so the refusals' reasons are in the project's .po. The services read
the rules (dated `ContactLimit` rows, the tenant's `CollectionSettings`) and the earlier
contacts set-based from the database and pass them in, with the working-day calendar as a
callable.

The law (RU): Федеральный закон от 03.07.2016 № 230-ФЗ «О защите прав и законных интересов
физических лиц при осуществлении деятельности по возврату просроченной задолженности…», ст. 7,
in the wording in force since 01.02.2024 (Федеральный закон от 04.08.2023 № 467-ФЗ). On the
creditor's initiative:
- ч. 3 (telephone conversations, a call carried by an automated agent included): not on
  working days from 22:00 to 08:00 nor on weekends and non-working holidays from 20:00 to
  09:00, local time where the debtor lives or stays; not more than once a day (сутки), twice
  «в течение календарной недели», eight times «в течение календарного месяца»;
- ч. 5 (messages of ст. 4 ч. 1 п. 2 — «телеграфные сообщения, текстовые, голосовые и иные
  сообщения, передаваемые по сетям электросвязи»: SMS, e-mail, messengers, recorded voice
  messages): the same hours; not more than twice a day, four times in a calendar week, sixteen
  times in a calendar month.
  Letters on paper are «почтовые отправления» (ст. 4 ч. 1 п. 3), another way of contact that
  ст. 7 ч. 5 does not limit.

Periods, as the act words them: the week is the calendar week (Monday to Sunday) and the month
the calendar month, not rolling 7 or 30 days; the day is the calendar day (00:00–24:00). All of
them, and the hours, are read in the debtor's local time (`tz`). Wording checked against the
act as quoted by УФССП России по Ульяновской области (ul.aif.ru) and in commentary on ч. 3
(finance.mail.ru, 10.05.2025); the official text is at http://www.kremlin.ru/acts/bank/40955.

Rules are data (`Limits`): one set from the law's row, one from the tenant's settings. Every
set given must hold, so the stricter of the tenant's and the law's always wins and a looser
tenant setting changes nothing. Invariants:
- a contact is refused when `count >= maximum` in its day, calendar week or calendar month
  (so the maximum-th contact is the last allowed);
- hours are half-open: [start, end) — 08:00 is allowed, 22:00 is not; an allowed window with
  start == end allows nothing, a quiet window with start == end is no quiet hours;
- checks run set by set in the order given, and within a set: hours, day, week, month; the
  first broken one is the refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, ngettext

CALL = "call"
MESSAGE = "message"
KINDS = (CALL, MESSAGE)

DAY = "day"
WEEK = "week"
MONTH = "month"
HOURS_WORKING_DAY = "hours_working_day"
HOURS_WEEKEND = "hours_weekend"
QUIET_HOURS = "quiet_hours"
LIMITS = (HOURS_WORKING_DAY, HOURS_WEEKEND, QUIET_HOURS, DAY, WEEK, MONTH)


@dataclass(frozen=True)
class Window:
    """Local times [start, end); a window may wrap midnight (21:00–08:00)."""

    start: dt.time
    end: dt.time

    def contains(self, at: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end

    def text(self) -> tuple[str, str]:
        return f"{self.start:%H:%M}", f"{self.end:%H:%M}"


@dataclass(frozen=True)
class Limits:
    """One set of rules for one kind of contact. `citation` names where they come from and is
    printed in refusals (e.g. "230-ФЗ ст. 7 ч. 3"). None: no such rule in this set.
    `working_day_hours`/`weekend_hours` are when contact is allowed; `quiet_hours` when it is
    not (a tenant's own)."""

    kind: str
    citation: str
    per_day: int | None = None
    per_week: int | None = None
    per_month: int | None = None
    working_day_hours: Window | None = None
    weekend_hours: Window | None = None
    quiet_hours: Window | None = None


@dataclass(frozen=True)
class Contact:
    """An earlier contact: when (an aware datetime) and of which kind."""

    at: dt.datetime
    kind: str


@dataclass(frozen=True)
class Refusal:
    """The limit a contact would break: `limit` is one of LIMITS; `maximum` for the counts,
    `window` for the hours."""

    limit: str
    kind: str
    citation: str
    maximum: int | None = None
    window: Window | None = None

    @property
    def reason(self) -> str:
        """The refusal for people, in the active language, e.g. «не более 2 сообщений в
        сутки (230-ФЗ ст. 7 ч. 5)»."""
        values = {"n": self.maximum, "source": self.citation}
        if self.window is not None:
            values["start"], values["end"] = self.window.text()
        if self.limit == HOURS_WORKING_DAY:
            text = gettext(
                "on working days only from %(start)s to %(end)s, the debtor's local time "
                "(%(source)s)"
            )
        elif self.limit == HOURS_WEEKEND:
            text = gettext(
                "on weekends and non-working holidays only from %(start)s to %(end)s, the "
                "debtor's local time (%(source)s)"
            )
        elif self.limit == QUIET_HOURS:
            text = gettext(
                "not in the quiet hours from %(start)s to %(end)s, the debtor's local time "
                "(%(source)s)"
            )
        else:
            text = _count_text(self.kind, self.limit, self.maximum)
        return text % values


def _count_text(kind: str, limit: str, n: int) -> str:
    if kind == CALL:
        if limit == DAY:
            return ngettext(
                "at most %(n)d call a day (%(source)s)",
                "at most %(n)d calls a day (%(source)s)",
                n,
            )
        if limit == WEEK:
            return ngettext(
                "at most %(n)d call a calendar week (%(source)s)",
                "at most %(n)d calls a calendar week (%(source)s)",
                n,
            )
        return ngettext(
            "at most %(n)d call a calendar month (%(source)s)",
            "at most %(n)d calls a calendar month (%(source)s)",
            n,
        )
    if limit == DAY:
        return ngettext(
            "at most %(n)d message a day (%(source)s)",
            "at most %(n)d messages a day (%(source)s)",
            n,
        )
    if limit == WEEK:
        return ngettext(
            "at most %(n)d message a calendar week (%(source)s)",
            "at most %(n)d messages a calendar week (%(source)s)",
            n,
        )
    return ngettext(
        "at most %(n)d message a calendar month (%(source)s)",
        "at most %(n)d messages a calendar month (%(source)s)",
        n,
    )


def period_start(*, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The earliest moment whose contacts can count at `now`: local midnight of the calendar
    week's Monday or of the month's 1st, whichever is earlier. Read contacts from here on."""
    day = now.astimezone(tz).date()
    first = min(day - dt.timedelta(days=day.weekday()), day.replace(day=1))
    return dt.datetime.combine(first, dt.time(0), tzinfo=tz)


def contact_refusal(
    *,
    limits: Sequence[Limits],
    kind: str,
    now: dt.datetime,
    tz: ZoneInfo,
    contacts: Iterable[Contact],
    is_working_day: Callable[[dt.date], bool],
) -> Refusal | None:
    """Whether a contact of `kind` at `now` (aware) breaks any of `limits`, given the earlier
    `contacts` (any kinds; contacts outside the current day/week/month are ignored). None: the
    contact is allowed; otherwise the first limit it breaks. `is_working_day(local date)` says
    whether the debtor's local date is a working day (a working Saturday is one)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of contact {kind!r}")
    local = now.astimezone(tz)
    day = local.date()
    week_start = day - dt.timedelta(days=day.weekday())
    counts = {DAY: 0, WEEK: 0, MONTH: 0}
    for contact in contacts:
        if contact.kind != kind:
            continue
        on = contact.at.astimezone(tz).date()
        counts[DAY] += on == day
        counts[WEEK] += week_start <= on <= week_start + dt.timedelta(days=6)
        counts[MONTH] += (on.year, on.month) == (day.year, day.month)
    working = None
    for rules in limits:
        if rules.kind != kind:
            continue
        if rules.working_day_hours is not None or rules.weekend_hours is not None:
            if working is None:
                working = is_working_day(day)
            window, name = (
                (rules.working_day_hours, HOURS_WORKING_DAY)
                if working
                else (rules.weekend_hours, HOURS_WEEKEND)
            )
            if window is not None and not window.contains(local.time()):
                return Refusal(name, kind, rules.citation, window=window)
        quiet = rules.quiet_hours
        if quiet is not None and quiet.start != quiet.end and quiet.contains(local.time()):
            return Refusal(QUIET_HOURS, kind, rules.citation, window=quiet)
        for name, maximum in (
            (DAY, rules.per_day),
            (WEEK, rules.per_week),
            (MONTH, rules.per_month),
        ):
            if maximum is not None and counts[name] >= maximum:
                return Refusal(name, kind, rules.citation, maximum=maximum)
    return None
