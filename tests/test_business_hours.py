"""cxkit.kpi.business_hours: hand-worked durations, parsing, holiday files, a slow reference."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from cxkit.errors import DataError, InputError, UsageError
from cxkit.kpi.business_hours import (
    Schedule,
    business_hours_between,
    parse_schedule,
    read_holidays,
)

OFFICE = parse_schedule("Mon-Fri 09:00-18:00")


def hours(start, end, schedule: Schedule = OFFICE) -> float | None:
    """Business hours between two datetimes (or None), through a one-row LazyFrame."""
    frame = pl.LazyFrame({"s": [start], "e": [end]}, schema={"s": pl.Datetime, "e": pl.Datetime})
    out = frame.select(h=business_hours_between(pl.col("s"), pl.col("e"), schedule)).collect()
    return out["h"][0]


# 2025-06-03 is a Tuesday; 2025-06-06 Friday, 2025-06-07 Saturday, 2025-06-09 Monday.
TUE = date(2025, 6, 3)


def at(day: date, hh: int, mm: int = 0, plus_days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm) + timedelta(days=plus_days)


def test_inside_one_working_day():
    # Tue 10:00 -> 12:30 = 2.5 h
    assert hours(at(TUE, 10), at(TUE, 12, 30)) == pytest.approx(2.5)


def test_across_a_night():
    # Tue 17:00 -> 18:00 (1 h) + Wed 09:00 -> 10:00 (1 h) = 2 h
    assert hours(at(TUE, 17), at(TUE, 10, plus_days=1)) == pytest.approx(2.0)


def test_across_a_weekend():
    # Fri 17:00 -> 18:00 (1 h) + Sat, Sun (0) + Mon 09:00 -> 10:00 (1 h) = 2 h; calendar 65 h
    fri, mon = at(TUE, 17, plus_days=3), at(TUE, 10, plus_days=6)
    assert (mon - fri) == timedelta(hours=65)
    assert hours(fri, mon) == pytest.approx(2.0)


def test_start_before_opening_end_after_closing():
    # Tue 07:00 -> 20:00: only 09:00 -> 18:00 counts = 9 h
    assert hours(at(TUE, 7), at(TUE, 20)) == pytest.approx(9.0)


def test_start_on_a_saturday():
    # Sat 12:00 -> Mon 09:30: Sat and Sun count 0, Mon 09:00 -> 09:30 = 0.5 h
    assert hours(at(TUE, 12, plus_days=4), at(TUE, 9, 30, plus_days=6)) == pytest.approx(0.5)


def test_across_a_dst_change_uses_the_wall_clock():
    # Paris moves from CET (+1) to CEST (+2) on Sun 2025-03-30: Fri 17:00 -> Mon 10:00 is 65 h of
    # wall clock but 64 h of elapsed time; business hours are Fri 1 h + Mon 1 h = 2 h either way
    frame = pl.DataFrame({"s": [datetime(2025, 3, 28, 17)], "e": [datetime(2025, 3, 31, 10)]})
    paris = frame.with_columns(pl.all().dt.replace_time_zone("Europe/Paris"))
    assert (paris["e"] - paris["s"])[0] == timedelta(hours=64)
    local = paris.select(pl.all().dt.replace_time_zone(None))
    out = local.select(business_hours_between(pl.col("s"), pl.col("e"), OFFICE))
    assert out.item() == pytest.approx(2.0)
    # tz-aware values passed as they are read the same wall clock
    aware = paris.select(business_hours_between(pl.col("s"), pl.col("e"), OFFICE))
    assert aware.item() == pytest.approx(2.0)


def test_a_holiday():
    # Thu 2025-06-05 17:00 -> Mon 10:00 with Fri a holiday: Thu 1 h + Fri 0 + Mon 1 h = 2 h
    # without the holiday: Thu 1 h + Fri 9 h + Mon 1 h = 11 h
    thu, mon = at(TUE, 17, plus_days=2), at(TUE, 10, plus_days=6)
    holiday = parse_schedule("Mon-Fri 09:00-18:00", [date(2025, 6, 6)])
    assert hours(thu, mon, holiday) == pytest.approx(2.0)
    assert hours(thu, mon) == pytest.approx(11.0)
    # starting or ending on the holiday itself
    assert hours(at(TUE, 12, plus_days=3), mon, holiday) == pytest.approx(1.0)
    assert hours(thu, at(TUE, 12, plus_days=3), holiday) == pytest.approx(1.0)


def test_a_saturday_holiday_changes_nothing():
    # Fri 17:00 -> Mon 10:00 = 2 h with or without Sat 2025-06-07 as a holiday
    saturday = parse_schedule("Mon-Fri 09:00-18:00", [date(2025, 6, 7)])
    assert hours(at(TUE, 17, plus_days=3), at(TUE, 10, plus_days=6), saturday) == 2.0


def test_several_weeks():
    # Mon 09:00 -> Mon two weeks later 09:00 = 10 working days x 9 h = 90 h
    mon = at(TUE, 9, plus_days=-1)
    assert hours(mon, mon + timedelta(weeks=2)) == pytest.approx(90.0)


def test_before_the_epoch_and_far_after():
    # 1969-12-29 is a Monday: Mon 09:00 -> Fri 1970-01-02 18:00 = 5 x 9 = 45 h
    assert hours(datetime(1969, 12, 29, 9), datetime(1970, 1, 2, 18)) == pytest.approx(45.0)
    # 1899-12-29 Fri 17:00 -> 1900-01-01 Mon 10:00 = 1 + 1 = 2 h; 2199-12-31 is a Tuesday
    assert hours(datetime(1899, 12, 29, 17), datetime(1900, 1, 1, 10)) == pytest.approx(2.0)
    assert hours(datetime(2199, 12, 30, 17), datetime(2199, 12, 31, 10)) == pytest.approx(2.0)


def test_nulls_and_negative_durations():
    assert hours(None, at(TUE, 10)) is None
    assert hours(at(TUE, 10), None) is None
    # end before start: the negative calendar difference, not minus the working time
    # Wed 10:00 -> Tue 17:00 = -17 h (the working time between them is only 2 h)
    assert hours(at(TUE, 10, plus_days=1), at(TUE, 17)) == pytest.approx(-17.0)
    assert hours(at(TUE, 10), at(TUE, 10)) == 0.0


def test_reversed_times_outside_working_hours_stay_negative():
    # Sat 15:00 -> Sat 12:00: no working time between them (F(end) - F(start) = 0), but the end
    # is 3 h before the start: -3 h, so the ticket KPIs drop it as negative
    assert hours(at(TUE, 15, plus_days=4), at(TUE, 12, plus_days=4)) == pytest.approx(-3.0)
    # Tue 20:00 -> Tue 19:00, both after closing: -1 h, not 0
    assert hours(at(TUE, 20), at(TUE, 19)) == pytest.approx(-1.0)
    # Mon 10:00 -> the Friday before 17:00, across a weekend: -65 h of calendar time (minus
    # the working time between them would be -2 h)
    assert hours(at(TUE, 10, plus_days=6), at(TUE, 17, plus_days=3)) == pytest.approx(-65.0)


def test_mon_sat_schedule():
    # Mon-Sat 08:30-17:00 (8.5 h a day): Fri 16:00 -> Mon 09:30 = 1 + 8.5 (Sat) + 0 + 1 = 10.5 h
    schedule = parse_schedule("Mon-Sat 08:30-17:00")
    assert schedule.hours_per_day == 8.5
    assert hours(at(TUE, 16, plus_days=3), at(TUE, 9, 30, plus_days=6), schedule) == 10.5


def test_sun_thu_schedule():
    # Sun-Thu 08:00-16:00: Thu 15:00 -> Sun 09:00 = Thu 1 h + Fri, Sat 0 + Sun 1 h = 2 h
    schedule = parse_schedule("Sun-Thu 08:00-16:00")
    assert schedule.days == frozenset({7, 1, 2, 3, 4})
    assert hours(at(TUE, 15, plus_days=2), at(TUE, 9, plus_days=5), schedule) == 2.0
    # Fri 10:00 -> Sat 12:00 is all weekend: 0 h
    assert hours(at(TUE, 10, plus_days=3), at(TUE, 12, plus_days=4), schedule) == 0.0


@pytest.mark.parametrize(("text", "days", "window"), [
    ("Mon-Fri 09:00-18:00", {1, 2, 3, 4, 5}, (540, 1080)),
    ("mon-fri 9:00-18:00", {1, 2, 3, 4, 5}, (540, 1080)),
    ("Mon-Sat 08:30-17:00", {1, 2, 3, 4, 5, 6}, (510, 1020)),
    ("Mon,Wed,Fri 09:00-17:00", {1, 3, 5}, (540, 1020)),
    ("Mon-Fri 9-18", {1, 2, 3, 4, 5}, (540, 1080)),
    ("Sun-Thu 08:00-16:00", {7, 1, 2, 3, 4}, (480, 960)),
    ("lun-ven 9h-18h", {1, 2, 3, 4, 5}, (540, 1080)),
    ("Mon - Wed, Sat 9h30 - 12:00", {1, 2, 3, 6}, (570, 720)),
    ("Mon-Sun 00:00-24:00", {1, 2, 3, 4, 5, 6, 7}, (0, 1440)),
])
def test_parse_schedule(text, days, window):
    schedule = parse_schedule(text)
    assert schedule.days == frozenset(days)
    assert (schedule.open_minute, schedule.close_minute) == window
    assert schedule.text == text


def test_describe():
    assert OFFICE.describe() == "Mon-Fri 09:00-18:00"
    assert OFFICE.hours_per_day == 9.0
    hols = [date(2025, 12, 25), date(2025, 1, 1), date(2025, 12, 25), date(2025, 5, 1)]
    with_hols = parse_schedule("mon-fri 9-18", hols)
    assert with_hols.holidays == (date(2025, 1, 1), date(2025, 5, 1), date(2025, 12, 25))
    assert with_hols.describe() == "Mon-Fri 09:00-18:00, 3 holidays"
    assert parse_schedule("Sun-Thu 8-16", [date(2025, 1, 1)]).describe() == (
        "Sun-Thu 08:00-16:00, 1 holiday")
    assert parse_schedule("Mon,Wed,Fri 9-17").describe() == "Mon,Wed,Fri 09:00-17:00"
    assert parse_schedule("Mon-Sun 0-24").describe() == "Mon-Sun 00:00-24:00"


@pytest.mark.parametrize("text", [
    "", "9-18", "Mon-Fri", "Mon-Fxi 09:00-18:00", "Mon-Fri 18:00-09:00", "Mon-Fri 22:00-06:00",
    "Mon-Fri 09:00-09:00", "Mon-Fri 25:00-26:00", "Mon-Fri 09:75-18:00", "Mon-Tue-Wed 9-18",
    "Mon,,Fri 9-18",
])
def test_parse_errors(text):
    with pytest.raises(UsageError) as info:
        parse_schedule(text)
    assert info.value.message.startswith(f"--business-hours '{text}': ")
    assert "Mon-Fri 09:00-18:00" in info.value.hint


def test_read_holidays_plain(tmp_path):
    path = tmp_path / "holidays.txt"
    path.write_text("# France 2025\n2025-12-25\n\n2025-01-01\n2025-12-25\n  2025-05-01  \n")
    assert read_holidays(str(path)) == [date(2025, 1, 1), date(2025, 5, 1), date(2025, 12, 25)]


def test_read_holidays_csv_with_header_and_names(tmp_path):
    path = tmp_path / "holidays.csv"
    path.write_text('\ufeffdate,name\n2025-07-14,Fête nationale\n"2025-05-08","Victoire 1945"\n',
                    encoding="utf-8")
    assert read_holidays(str(path)) == [date(2025, 5, 8), date(2025, 7, 14)]
    empty = tmp_path / "empty.csv"
    empty.write_text("date,name\n")
    assert read_holidays(str(empty)) == []


@pytest.mark.parametrize("bad", ["2025-13-01", "25/12/2025", "christmas", "2025-02-30"])
def test_read_holidays_bad_line(tmp_path, bad):
    path = tmp_path / "holidays.csv"
    path.write_text(f"date,name\n2025-12-25,Noël\n\n{bad},oops\n")
    with pytest.raises(DataError) as info:
        read_holidays(str(path))
    assert str(path) in info.value.message
    assert "line 4" in info.value.message
    assert f"'{bad}'" in info.value.message
    assert "YYYY-MM-DD" in info.value.hint


def test_read_holidays_missing(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError) as info:
        read_holidays(str(path))
    assert str(path) in info.value.message and "--holidays" in info.value.message
    assert info.value.exit_code == 66


def reference_hours(start: datetime, end: datetime, schedule: Schedule) -> float:
    """Slow, obvious reference: walk day by day, add each working day's overlap with the window;
    end before start: the negative calendar difference."""
    if end < start:
        return (end - start) / timedelta(hours=1)
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if day.isoweekday() in schedule.days and day not in schedule.holidays:
            midnight = datetime(day.year, day.month, day.day)
            lo = max(start, midnight + timedelta(minutes=schedule.open_minute))
            hi = min(end, midnight + timedelta(minutes=schedule.close_minute))
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total / timedelta(hours=1)


@pytest.mark.parametrize("text", ["Mon-Fri 09:00-18:00", "Sun-Thu 08:00-16:00",
                                  "Mon,Wed,Sat 07:15-19:45", "Mon-Sun 0-24"])
def test_matches_a_slow_reference(text):
    rng = random.Random(20250603)
    base = datetime(1969, 11, 1)  # spans the 1970 epoch and a few years after
    span_minutes = 4 * 365 * 24 * 60
    hols = sorted({(base + timedelta(days=rng.randrange(4 * 365))).date() for _ in range(60)})
    schedule = parse_schedule(text, hols)
    starts, ends = [], []
    for _ in range(2000):
        s = base + timedelta(minutes=rng.randrange(span_minutes), seconds=rng.randrange(60))
        e = s + timedelta(minutes=rng.randrange(-30 * 24 * 60, 60 * 24 * 60))
        starts.append(s)
        ends.append(e)
    frame = pl.LazyFrame({"s": starts, "e": ends})
    got = frame.select(h=business_hours_between(pl.col("s"), pl.col("e"), schedule)).collect()
    expected = [reference_hours(s, e, schedule) for s, e in zip(starts, ends, strict=True)]
    assert got["h"].dtype == pl.Float64
    assert got["h"].to_list() == pytest.approx(expected, abs=1e-9)


def test_a_million_rows_quickly():
    n = 1_000_000
    start = pl.datetime_range(datetime(2020, 1, 1), datetime(2020, 1, 1) + timedelta(minutes=n - 1),
                              interval="1m", eager=True)
    schedule = parse_schedule("Mon-Fri 09:00-18:00", [date(2020, 1, 1), date(2021, 12, 24)])
    frame = pl.LazyFrame({"s": start}).with_columns(e=pl.col("s") + pl.duration(hours=49))
    began = time.perf_counter()
    out = frame.with_columns(h=business_hours_between(pl.col("s"), pl.col("e"), schedule)).collect()
    elapsed = time.perf_counter() - began
    assert out.height == n and out["h"].null_count() == 0
    assert elapsed < 2.0, f"{elapsed:.2f} s for {n} rows"


# ------------------------------------------------------------------------------------------------
# DST changes inside the working window (--timezone): the clock's real hours


def tz_hours(start, end, schedule: Schedule, zone: str = "Europe/Paris") -> float | None:
    frame = pl.LazyFrame({"s": [start], "e": [end]}, schema={"s": pl.Datetime, "e": pl.Datetime})
    return frame.select(h=business_hours_between(pl.col("s"), pl.col("e"), schedule, zone)) \
        .collect()["h"][0]


ALWAYS = parse_schedule("Mon-Sun 00:00-24:00")


def test_round_the_clock_desk_across_dst_changes():
    # Paris: 2025-03-30 02:00 -> 03:00 (spring), 2025-10-26 03:00 -> 02:00 (autumn).
    # Sat 12:00 -> Sun 12:00 is 24 h on the wall clock, 23 h of real time in spring and 25 h in
    # autumn; a desk open round the clock works what the clock really ran.
    assert tz_hours(datetime(2025, 3, 29, 12), datetime(2025, 3, 30, 12), ALWAYS) == 23.0
    assert tz_hours(datetime(2025, 10, 25, 12), datetime(2025, 10, 26, 12), ALWAYS) == 25.0
    # across both changes they cancel: 2025-03-29 12:00 -> 2025-11-01 12:00 = 217 days = 5208 h
    assert tz_hours(datetime(2025, 3, 29, 12), datetime(2025, 11, 1, 12), ALWAYS) == 5208.0
    # without a zone the wall clock is all there is: 24 h
    assert hours(datetime(2025, 3, 29, 12), datetime(2025, 3, 30, 12), ALWAYS) == 24.0


def test_a_change_outside_the_window_changes_nothing():
    # an office 09:00-18:00 never works the 02:00-03:00 hour: the same with or without a zone;
    # Fri 2025-03-28 17:00 -> Mon 2025-03-31 10:00 = 1 h Friday + 1 h Monday = 2 h
    start, end = datetime(2025, 3, 28, 17), datetime(2025, 3, 31, 10)
    assert tz_hours(start, end, OFFICE) == hours(start, end) == 2.0


def test_a_night_window_that_holds_the_change():
    # Sundays 01:00-02:30: on 2025-03-30 the clock jumps from 02:00 to 03:00, so only 01:00-02:00
    # is worked (1 h); on 2025-10-26 02:00-03:00 happens twice, so 01:00-02:30 is 1.5 + 0.5 = 2 h
    night = parse_schedule("Sun 01:00-02:30")
    assert tz_hours(datetime(2025, 3, 30, 0), datetime(2025, 3, 30, 4), night) == 1.0
    assert tz_hours(datetime(2025, 10, 26, 0), datetime(2025, 10, 26, 4), night) == 2.0
    # New York changes on other dates (2025-03-09, 2025-11-02): Paris' dates are plain there
    assert tz_hours(datetime(2025, 3, 30, 0), datetime(2025, 3, 30, 4), night,
                    "America/New_York") == 1.5


def test_times_in_the_skipped_hour_are_invalid(tmp_path, capsys):
    # Ticket 2 is created at 02:30 on 2025-03-30, a time Paris' clocks skip; ticket 3's solved
    # time is unreadable. Both are invalid times, not unresolved tickets. Ticket 1: 12:00 ->
    # 14:00 = 2 h, ticket 4: Sat 23:00 -> Sun 05:00 = 6 h on the wall clock, 5 h of real time,
    # ticket 5: 15:00 -> 16:00 = 1 h.
    from conftest import cxkit_in_process, cxkit_json

    path = tmp_path / "dst.csv"
    path.write_text("id,created_at,solved_at,status\n"
                    "1,2025-03-30 12:00,2025-03-30 14:00,solved\n"
                    "2,2025-03-30 02:30,2025-03-30 09:00,solved\n"
                    "3,2025-03-30 10:00,soon,solved\n"
                    "4,2025-03-29 23:00,2025-03-30 05:00,solved\n"
                    "5,2025-03-30 15:00,2025-03-30 16:00,solved\n")
    for extra in ((), ("--business-hours", "Mon-Sun 00:00-24:00")):
        r, _ = cxkit_json(capsys, "tickets", path, "--timezone", "Europe/Paris",
                          "--kpi", "resolution_time", *extra)
        assert (r["value"], r["n"]) == (2.67, 3), extra  # (2 + 5 + 1) / 3
        assert r["dropped"] == {"invalid_time": 2, "unresolved": 0, "negative": 0}
    # without a zone every wall time exists: 02:30 -> 09:00 = 6.5 h; (2 + 6.5 + 6 + 1) / 4
    # = 3.875, an exact binary number rounded half to even: 3.88
    r, _ = cxkit_json(capsys, "tickets", path, "--kpi", "resolution_time")
    assert (r["value"], r["n"], r["dropped"]["invalid_time"]) == (3.88, 4, 1)
    assert cxkit_in_process(capsys, "tickets", path, "--timezone", "Europe/Paris").returncode == 0
