"""Working-time durations between two timestamps (`--business-hours`, `--holidays`).

A `Schedule` is a weekly window ("Mon-Fri 09:00-18:00") plus whole-day holidays.
`business_hours_between` counts the hours of two Datetime columns that fall inside the window, as
one vectorised Polars expression. Method: F(t) is the working time from a fixed Monday (the epoch
1970-01-05) up to t, in integer microseconds:

    F(t) = (working days strictly before date(t)) * window + time of t inside today's window

where working days before day n (days since the epoch Monday) are full_weeks * len(days) plus the
working weekdays before n's weekday, minus the working-day holidays before n (a search_sorted in
the sorted holiday list). The answer is (F(end) - F(start)) in hours; when end < start it is
the negative calendar-hours difference instead (an invalid duration the ticket KPIs drop).

Timestamps are read as LOCAL wall-clock time: naive values as they are, time-zone-aware values
through `.dt.replace_time_zone(None)` (the wall clock in their own zone). A DST change outside the
window changes nothing: 09:00-18:00 is 9 working hours on any day. With a time zone, a DST change
inside the window (a 24-hour or night-shift desk) counts what the clock really ran: the hour
that spring skips is not worked, the hour autumn repeats is worked twice. G(t), the sum of those
corrections up to t, comes from the zone's transitions (a search_sorted, like the holidays), and
the working time is F(t) - G(t).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from cxkit.errors import DataError, InputError, UsageError

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_ALIASES = {  # lower-case name -> ISO weekday; English and French, short and long
    **{name.lower(): i for i, name in enumerate(DAY_NAMES, 1)},
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), 1)},
    **{name: i for i, name in enumerate(("lun", "mar", "mer", "jeu", "ven", "sam", "dim"), 1)},
    **{name: i for i, name in enumerate(
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"), 1)},
}
_TIME = r"\d{1,2}(?:[:h]\d{2}|h)?"
_SPEC = re.compile(rf"^(?P<days>.+?)\s+(?P<open>{_TIME})\s*-\s*(?P<close>{_TIME})$", re.IGNORECASE)
_EXAMPLE = 'write it as "Mon-Fri 09:00-18:00" (days, then opening-closing time)'
_EPOCH_MONDAY = 4  # 1970-01-05, in days since 1970-01-01
_US_PER_DAY = 86_400_000_000
_US_PER_MINUTE = 60_000_000


@dataclass(frozen=True)
class Schedule:
    """Working days (ISO 1=Mon..7=Sun), a daily window [open, close) in minutes, holidays."""

    days: frozenset[int]
    open_minute: int
    close_minute: int
    holidays: tuple[date, ...] = ()
    text: str = ""

    @property
    def hours_per_day(self) -> float:
        return (self.close_minute - self.open_minute) / 60

    def describe(self) -> str:
        """E.g. "Mon-Fri 09:00-18:00, 3 holidays"; runs of days may wrap ("Sun-Thu")."""
        runs = []
        for day in range(1, 8):  # a run starts on a working day whose previous day is not one
            if day in self.days and (day - 2) % 7 + 1 not in self.days:
                end = day
                while end % 7 + 1 in self.days:
                    end = end % 7 + 1
                runs.append(DAY_NAMES[day - 1] + ("" if end == day else "-" + DAY_NAMES[end - 1]))
        days = ",".join(runs) if runs else "Mon-Sun"  # no run start: all seven days work
        text = f"{days} {_clock(self.open_minute)}-{_clock(self.close_minute)}"
        if self.holidays:
            n = len(self.holidays)
            text += f", {n} holiday{'s' if n > 1 else ''}"
        return text


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _minute(text: str, spec: str) -> int:
    hours, _, minutes = text.lower().replace("h", ":").partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if int(minutes or 0) >= 60 or value > 24 * 60:
        raise UsageError(f"--business-hours '{spec}': '{text}' is not a time of day", _EXAMPLE)
    return value


def parse_schedule(text: str, holidays: Sequence[date] = ()) -> Schedule:
    """Read "Mon-Fri 09:00-18:00", "Mon,Wed,Fri 9-17", "Sun-Thu 08:00-16:00", "lun-ven 9h-18h"."""
    match = _SPEC.match(text.strip())
    if match is None:
        raise UsageError(f"--business-hours '{text}': expected days then a time range", _EXAMPLE)
    days: set[int] = set()
    for item in re.sub(r"\s+", "", match["days"]).split(","):
        names = item.split("-")
        unknown = [n for n in names if n.lower() not in _DAY_ALIASES]
        if len(names) > 2 or unknown or not item:
            bad = unknown[0] if unknown else item
            raise UsageError(f"--business-hours '{text}': '{bad}' is not a day or a day range",
                             _EXAMPLE + "; days are Mon Tue Wed Thu Fri Sat Sun")
        first, last = (_DAY_ALIASES[n.lower()] for n in (names[0], names[-1]))
        days.update((first - 1 + k) % 7 + 1 for k in range((last - first) % 7 + 1))  # may wrap
    open_minute, close_minute = _minute(match["open"], text), _minute(match["close"], text)
    if close_minute <= open_minute:
        raise UsageError(
            f"--business-hours '{text}': the window closes at or before it opens "
            "(windows across midnight are not supported)", _EXAMPLE)
    return Schedule(frozenset(days), open_minute, close_minute, tuple(sorted(set(holidays))), text)


def read_holidays(path: str) -> list[date]:
    """Dates from a file: one YYYY-MM-DD per line, or a CSV whose first column holds them.

    Blank lines and lines starting with '#' are skipped; a first line that does not start with a
    digit is a header; further columns (a name) are ignored. Returns sorted unique dates.
    """
    file = Path(path)
    if not file.is_file():
        problem = "is a folder" if file.is_dir() else "no such file"
        raise InputError(f"--holidays '{path}': {problem}", "pass a file with one date per line")
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except PermissionError as exc:
        raise InputError(f"--holidays '{path}': permission denied", "check the file's "
                         "permissions") from exc
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"--holidays '{path}': cannot be read as text ({exc})",
                         "pass a text or CSV file with one date per line") from exc
    found: set[date] = set()
    seen_content = False
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        value = re.split(r"[,;\t]", line, maxsplit=1)[0].strip().strip('"').strip("'")
        header = not seen_content and not value[:1].isdigit()
        seen_content = True
        if header:
            continue
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            found.add(date.fromisoformat(value))
        except ValueError:
            raise DataError(f"{path}, line {number}: '{value}' is not a date (--holidays)",
                            "write one date per line as YYYY-MM-DD, e.g. 2025-12-25") from None
    return sorted(found)


def business_hours_between(start: pl.Expr, end: pl.Expr, schedule: Schedule,
                           timezone: str | None = None) -> pl.Expr:
    """Float64 working hours from `start` to `end` (Datetime expressions, local wall clock).

    Null when either side is null. When end < start the answer is the negative calendar-hours
    difference, whatever the schedule: a reply or resolution before creation is an invalid row
    (KPIS.md "Tickets"), and the working time between two reversed times can be 0 (both on a
    weekend), which would be averaged in as an instant answer. Time-zone-aware inputs are read
    on their wall clock (`replace_time_zone(None)`, a no-op on naive values); their order and
    the negative difference are those of the instants.
    """
    calendar = (end - start).dt.total_microseconds() / 3_600_000_000
    working_us = _working_us(end, schedule) - _working_us(start, schedule)
    shifts = _dst_shifts(schedule, timezone) if timezone else None
    if shifts is not None:
        working_us = working_us - (_shifted_us(end, shifts) - _shifted_us(start, shifts))
    return pl.when(calendar < 0).then(calendar).otherwise(working_us / 3_600_000_000)


def _shifted_us(t: pl.Expr, shifts: tuple[pl.Series, pl.Series]) -> pl.Expr:
    """G(t): the summed DST corrections of the transitions whose wall time is before t."""
    at, cumulative = shifts
    us = t.dt.replace_time_zone(None).dt.epoch("us")
    index = pl.lit(at).search_sorted(us, side="right").cast(pl.Int64)
    return pl.lit(pl.concat([pl.Series([0], dtype=pl.Int64), cumulative])).gather(index)


@lru_cache(maxsize=8)
def _transitions(timezone: str, first_year: int = 1970, last_year: int = 2100
                 ) -> tuple[tuple[int, int], ...]:
    """(wall-clock microseconds of the change, offset change in microseconds) for each DST
    change of the zone, found day by day at noon, then to the minute by bisection."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    zone, utc = ZoneInfo(timezone), ZoneInfo("UTC")
    epoch = datetime(1970, 1, 1, tzinfo=utc)

    def offset(minute: int) -> timedelta:  # minutes since the epoch, UTC
        instant = epoch + timedelta(minutes=minute)
        return instant.astimezone(zone).utcoffset() or timedelta(0)

    out = []
    noon = int((datetime(first_year, 1, 1, 12, tzinfo=utc) - epoch).total_seconds() // 60)
    last = int((datetime(last_year, 12, 31, 12, tzinfo=utc) - epoch).total_seconds() // 60)
    before = offset(noon)
    for day in range(noon, last, 24 * 60):
        after = offset(day + 24 * 60)
        if after != before:
            low, high = day, day + 24 * 60  # the change is in (low, high], whole minutes
            while high - low > 1:
                mid = (low + high) // 2
                low, high = (mid, high) if offset(mid) == before else (low, mid)
            delta = after - before
            wall = high + int(before.total_seconds() // 60)  # the wall clock just before it
            out.append((wall * 60_000_000, round(delta.total_seconds() * 1_000_000)))
            before = after
    return tuple(out)


def _dst_shifts(schedule: Schedule, timezone: str) -> tuple[pl.Series, pl.Series] | None:
    """The transitions whose changed clock time falls inside working time, as (wall time at
    which the correction is complete, cumulative correction); None when no change is inside.

    Spring (+1 h at 02:00): the wall hour 02:00-03:00 never happens; if it is working time the
    wall-clock count has one hour too many, so the correction is +(overlap). Autumn (-1 h at
    03:00, back to 02:00): 02:00-03:00 happens twice, the correction is -(overlap)."""
    at, amounts = [], []
    for wall_us, delta in _transitions(timezone):
        lo, hi = (wall_us, wall_us + delta) if delta > 0 else (wall_us + delta, wall_us)
        frame = pl.DataFrame({"t": [lo, hi]}, schema={"t": pl.Int64}).select(
            pl.col("t").cast(pl.Datetime("us")))
        worked = frame.select(_working_us(pl.col("t"), schedule)).to_series()
        overlap = int(worked[1] - worked[0])
        if overlap:
            at.append(hi)
            amounts.append(overlap if delta > 0 else -overlap)
    if not at:
        return None
    return (pl.Series(at, dtype=pl.Int64),
            pl.Series(amounts, dtype=pl.Int64).cum_sum())


def _working_us(t: pl.Expr, schedule: Schedule) -> pl.Expr:
    """F(t): working microseconds from the epoch Monday 1970-01-05 00:00 up to t (Int64)."""
    us = t.dt.replace_time_zone(None).dt.epoch("us")
    day = us // _US_PER_DAY - _EPOCH_MONDAY  # floor division: right before 1970 too
    time_of_day = us - (us // _US_PER_DAY) * _US_PER_DAY
    weekday = day % 7  # 0=Mon .. 6=Sun; Polars' % follows the divisor's sign
    working = sorted(d - 1 for d in schedule.days)
    days_before = (day // 7) * len(working)
    for d in working:  # working weekdays earlier in the same week
        days_before = days_before + (weekday > d).cast(pl.Int64)
    holiday_days = [(h - date(1970, 1, 5)).days for h in schedule.holidays
                    if h.isoweekday() in schedule.days]
    is_working = weekday.is_in(working)
    if holiday_days:
        hols = pl.Series(holiday_days, dtype=pl.Int64)
        days_before = days_before - pl.lit(hols).search_sorted(day).cast(pl.Int64)
        is_working = is_working & ~day.is_in(hols.implode())
    open_us = schedule.open_minute * _US_PER_MINUTE
    close_us = schedule.close_minute * _US_PER_MINUTE
    today = pl.when(is_working).then(time_of_day.clip(open_us, close_us) - open_us).otherwise(0)
    return days_before * (close_us - open_us) + today
