"""The backlog at each period's end (`cxkit tickets --kpi backlog --period P`) against a plain
Python reading of the rule, on random exports: ties, tickets created on a period's first instant,
tickets never resolved or resolved after the as-of time, a blank segment.

The rule (KPIS.md "Backlog", per period): each period is measured at its end (the next period's
first instant; the last period, the last with a ticket created by the as-of time, at the as-of
time); open there: created in that period or before, and not resolved by then. Ages in hours from
creation; buckets under 24 h, 24-72, 72-168, 168 and over.
"""

from __future__ import annotations

import json
import random
import statistics
from datetime import datetime, time, timedelta

import pytest
from conftest import run_cli, write_csv

BASE = datetime(2025, 1, 6)  # a Monday
BUCKETS = (("under_1d", 0, 24), ("1_3d", 24, 72), ("3_7d", 72, 168), ("over_7d", 168, None))


def _start(t: datetime, period: str) -> datetime:
    day = datetime.combine(t.date(), time())
    return day - timedelta(days=day.weekday()) if period == "week" else day


def _label(s: datetime, period: str) -> str:
    if period == "day":
        return f"{s:%Y-%m-%d}"
    year, week, _ = s.isocalendar()
    return f"{year}-W{week:02d}"


def _stats(ages: list[float]) -> dict:
    counts = {b: sum(1 for a in ages if a >= lo and (hi is None or a < hi))
              for b, lo, hi in BUCKETS}
    if not ages:
        return {"n": 0, "counts": counts, "mean": None, "median": None, "max": None}
    return {"n": len(ages), "counts": counts, "mean": statistics.fmean(ages),
            "median": statistics.median(ages), "max": max(ages)}


def naive(rows, as_of: datetime, period: str) -> dict:
    """(segment or "all", period label) -> the backlog at that period's end."""
    step = timedelta(days=7 if period == "week" else 1)
    counted = [r for r in rows if r[0] <= as_of]
    last = _start(max(c for c, _, _ in counted), period)
    out = {}
    segments = {seg for _, _, seg in counted}
    for seg in [*segments, "all"]:
        members = [r for r in counted if seg == "all" or r[2] == seg]
        s = _start(min(c for c, _, _ in members), period)
        while s <= last:
            at = as_of if s == last else s + step
            ages = [(at - c).total_seconds() / 3600 for c, res, _ in members
                    if (c < at or s == last) and (res is None or res > at)]
            out[(seg, _label(s, period))] = _stats(ages)
            s += step
    return out


def random_export(seed: int):
    rng = random.Random(seed)
    rows = []
    for _ in range(70):
        created = BASE + timedelta(hours=rng.randrange(0, 5 * 168, 3))  # ties; Mondays 00:00
        fate = rng.random()
        resolved = None if fate < 0.35 else created + timedelta(hours=rng.choice(
            [0, 1, 5, 24, 30, 72, 100, 168, 200, 400]) + rng.randrange(3))
        rows.append((created, resolved, rng.choice(["email", "chat", "phone", None])))
    as_of = BASE + timedelta(hours=rng.randrange(3 * 168, 5 * 168))
    return rows, as_of


def _write(tmp_path, rows):
    fmt = "%Y-%m-%d %H:%M"
    header = ("ticket_id", "created_at", "resolved_at", "channel")
    return write_csv(tmp_path / "tickets.csv", header,
                     [(f"T{i}", c.strftime(fmt), r.strftime(fmt) if r else "", seg or "")
                      for i, (c, r, seg) in enumerate(rows)])


def _backlog(path, as_of, period, *more):
    run = run_cli("tickets", path, "--kpi", "backlog", "--period", period, "--as-of",
                  as_of.strftime("%Y-%m-%d %H:%M"), *more, "-f", "json")
    assert run.returncode == 0, run
    return json.loads(run.stdout)


def _same(group: dict, want: dict):
    assert (group["value"], group["counts"]) == (want["n"], want["counts"])
    for mine, theirs in (("mean_age_hours", "mean"), ("median_age_hours", "median"),
                         ("max_age_hours", "max")):
        assert group[mine] == (None if want[theirs] is None else
                               pytest.approx(want[theirs], abs=0.006))  # JSON: 2 decimals


@pytest.mark.parametrize("period", ["week", "day"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_backlog_at_period_ends_against_plain_python(tmp_path, seed, period):
    rows, as_of = random_export(seed)
    want = naive(rows, as_of, period)
    path = _write(tmp_path, rows)
    # per channel and period: every group, blank channel included
    by = _backlog(path, as_of, period, "--by", "channel")
    got = {(g["key"]["channel"], g["key"]["period"]): g for g in by["groups"]}
    assert set(got) == {k for k in want if k[0] != "all"}
    for key, group in got.items():
        _same(group, want[key])
    # per period (the trend's counts, and every age without --by)
    overall = {k[1]: v for k, v in want.items() if k[0] == "all"}
    assert [(t["period"], t["value"]) for t in by["trend"]] == \
        [(p, overall[p]["n"]) for p in sorted(overall)]
    alone = _backlog(path, as_of, period)
    assert [g["key"]["period"] for g in alone["groups"]] == sorted(overall)
    for group in alone["groups"]:
        _same(group, overall[group["key"]["period"]])


def test_median_of_the_end_mixes_open_and_closing_tickets(tmp_path):
    # At the end of the week of 01-06 (01-13 00:00), open: A (01-06 00:00, never resolved,
    # 168 h), B (01-07 00:00, resolved 01-14: 144 h), C (01-08 00:00, never: 120 h), D (01-10
    # 00:00, resolved 01-15: 72 h). Median of 168, 144, 120, 72 = (144 + 120) / 2 = 132: the
    # middle ranks fall on one ticket resolved later (B) and one never resolved (C). As-of 01-14
    # 12:00 (the week of 01-13; B resolved by then): A 204 h, C 156 h, D 108 h, E (01-14 06:00,
    # never) 6 h -> median (108 + 156) / 2 = 132.
    path = write_csv(tmp_path / "t.csv", ("ticket_id", "created_at", "resolved_at"), [
        ("A", "2025-01-06 00:00", ""), ("B", "2025-01-07 00:00", "2025-01-14 00:00"),
        ("C", "2025-01-08 00:00", ""), ("D", "2025-01-10 00:00", "2025-01-15 00:00"),
        ("E", "2025-01-14 06:00", "")])
    weeks = _backlog(path, datetime(2025, 1, 14, 12), "week")["groups"]
    assert [(g["key"]["period"], g["value"], g["median_age_hours"], g["mean_age_hours"],
             g["max_age_hours"]) for g in weeks] == [
        ("2025-W02", 4, 132.0, 126.0, 168.0),  # mean (168 + 144 + 120 + 72) / 4
        ("2025-W03", 4, 132.0, 118.5, 204.0)]  # mean (204 + 156 + 108 + 6) / 4
    assert weeks[0]["counts"] == {"under_1d": 0, "1_3d": 0, "3_7d": 3, "over_7d": 1}
