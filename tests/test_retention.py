"""Retention, churn, inactivity churn and cohort retention (KPIS.md "Orders"), on tiny order
frames whose numbers are worked out by hand in the comments."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from rich.console import Console

from cxkit.kpi import retention as ret
from cxkit.kpi import stats
from cxkit.kpi.retention import REASONS, RetentionOptions, cohorts, retention
from cxkit.render.matrix import heat_table, matrix_rows

Z = stats.z_value(0.95)
UNDATED = [r for r in REASONS if r != "outside_dates"]  # outside_dates: with --since/--until


def orders(*rows: tuple) -> pl.LazyFrame:
    """(customer, when, state="completed"): when "" is a blank cell, "bad" an unreadable one."""
    cust, at, blank, state = [], [], [], []
    for row in rows:
        c, when, *rest = row
        cust.append(c)
        blank.append(when == "")
        at.append(None if when in ("", "bad") else datetime.fromisoformat(when))
        state.append(rest[0] if rest else "completed")
    return pl.LazyFrame({"customer_id": cust, "ordered_at": at, "ordered_at__blank": blank,
                         "state": state, "amount": [10.0] * len(rows)},
                        schema={"customer_id": pl.String, "ordered_at": pl.Datetime("us"),
                                "ordered_at__blank": pl.Boolean, "state": pl.String,
                                "amount": pl.Float64})


def by_period(result) -> dict:
    return {g.key["period"]: g for g in result.groups}


# ------------------------------------------------------------------------------------------------
# (1) month over month, three months
#   Jan: A (twice), B, C      active 3
#   Feb: A, B, D              active 3; retained {A,B} = 2 -> 2/3 = 66.67; new D; returning 0
#   Mar: A, C, E              active 3; retained {A}   = 1 -> 1/3 = 33.33; new E;
#                             returning 3 - 1 - 1 = 1 (C, back after skipping Feb)
#   pooled: (2 + 1) / (3 + 3) = 50.0, n 6; Wilson(3, 6) = [18.76, 81.24]
#   Mar change 33.33 - 66.67 = -33.33; two-proportion z: pooled 0.5,
#   se = sqrt(0.25 * (1/3 + 1/3)) = 0.4082, z = 0.3333 / 0.4082 = 0.82 < 1.96 -> not significant

BASIC = orders(("A", "2025-01-03"), ("A", "2025-01-20"), ("B", "2025-01-10"), ("C", "2025-01-31"),
               ("A", "2025-02-01"), ("B", "2025-02-14"), ("D", "2025-02-28 23:59"),
               ("A", "2025-03-05"), ("C", "2025-03-06"), ("E", "2025-03-31 12:00"))


def test_month_over_month_retention():
    keep, churn = retention(BASIC, RetentionOptions())
    assert keep.kpi == "retention_rate" and keep.group_keys == ["period"]
    assert [g.key for g in keep.groups] == [{"period": "2025-02"}, {"period": "2025-03"}]
    feb, mar = keep.groups
    assert (feb.value, feb.n, feb.counts) == (pytest.approx(200 / 3), 3,
                                              {"retained": 2, "churned": 1})
    assert feb.extra == {"active": 3, "new": 1, "returning": 0}
    assert (mar.value, mar.n, mar.counts) == (pytest.approx(100 / 3), 3,
                                              {"retained": 1, "churned": 2})
    assert mar.extra == {"active": 3, "new": 1, "returning": 1}
    assert feb.change is None and feb.significant is None and feb.compared
    assert mar.change == pytest.approx(-100 / 3) and mar.significant is False
    assert mar.ci == pytest.approx(stats.wilson(1, 3, Z))
    assert (keep.value, keep.n, keep.counts) == (50.0, 6, {"retained": 3, "churned": 3})
    assert keep.ci == pytest.approx((18.76, 81.24), abs=0.01)
    assert keep.change == mar.change and keep.significant is False
    assert keep.extra == {"latest": {"period": "2025-03", "value": pytest.approx(100 / 3)},
                          "period": "month"}
    assert keep.trend == [{"period": "2025-02", "value": pytest.approx(200 / 3), "n": 3},
                          {"period": "2025-03", "value": pytest.approx(100 / 3), "n": 3}]
    assert "pooled over 2 month pairs" in keep.rule
    # churn mirrors it: 33.33 then 66.67, pooled 50; interval [100 - 81.24, 100 - 18.76]
    assert churn.kpi == "churn_rate"
    assert [g.value for g in churn.groups] == [pytest.approx(100 / 3), pytest.approx(200 / 3)]
    assert churn.groups[0].counts == {"churned": 1, "retained": 2}
    assert churn.groups[1].change == pytest.approx(100 / 3)
    assert churn.ci == pytest.approx((18.76, 81.24), abs=0.01)
    assert (churn.value, churn.n, churn.counts) == (50.0, 6, {"churned": 3, "retained": 3})
    d = keep.to_dict()  # the JSON contract: one decimal, change and significant per period
    assert d["value"] == 50.0 and d["ci"] == [18.8, 81.2]
    assert d["groups"][1] == {"key": {"period": "2025-03"}, "value": 33.3, "n": 3,
                              "ci": [6.1, 79.2], "counts": {"retained": 1, "churned": 2},
                              "active": 3, "new": 1, "returning": 1, "change": -33.3,
                              "significant": False}
    json.dumps(d, allow_nan=False)


# ------------------------------------------------------------------------------------------------
# (2) a gap month: orders in Jan (A, B) and Mar (A, C), none in Feb
#   Feb: n = active(Jan) = 2, retained 0 -> 0.0; active 0
#   Mar: n = active(Feb) = 0 -> value None (never compared with January: A would make it 50 %)
#        active 2: C new, A returning (2 - 0 - 1 = 1)
#   pooled 0 / (2 + 0) = 0.0, n 2

def test_gap_month_is_in_the_range():
    keep, churn = retention(orders(("A", "2025-01-10"), ("B", "2025-01-11"),
                                   ("A", "2025-03-02"), ("C", "2025-03-03")), RetentionOptions())
    feb, mar = by_period(keep)["2025-02"], by_period(keep)["2025-03"]
    assert (feb.value, feb.n, feb.counts) == (0.0, 2, {"retained": 0, "churned": 2})
    assert feb.extra == {"active": 0, "new": 0, "returning": 0}
    assert (mar.value, mar.n, mar.ci) == (None, 0, None)
    assert mar.counts == {"retained": 0, "churned": 0}
    assert mar.extra == {"active": 2, "new": 1, "returning": 1}
    assert mar.change is None and mar.significant is None
    assert (keep.value, keep.n) == (0.0, 2)
    assert keep.extra["latest"] == {"period": "2025-03", "value": None}
    assert [g.value for g in churn.groups] == [100.0, None]
    assert churn.groups[1].ci is None


# ------------------------------------------------------------------------------------------------
# (3) cohort matrix
#   Jan: A B C D   -> cohort 2025-01, size 4
#   Feb: A B E F   -> cohort 2025-02: E F, size 2; Jan cohort k=1: A B = 2 -> 50 %
#   Mar: A G       -> cohort 2025-03: G, size 1; Jan k=2: A = 1 -> 25 %; Feb k=1: 0 -> 0 %
#   Feb k=2 and Mar k=1, k=2 are not observable yet: None (not 0)
#   headline: pooled k=1 over Jan and Feb: (2 + 0) / (4 + 2) = 33.33; n = 4 + 2 = 6, the
#   customers it comes from (Mar's 1 has no +1 month yet: in `customers`, 7 in all)

COHORTS = orders(*[(c, "2025-01-15") for c in "ABCD"], *[(c, "2025-02-15") for c in "ABEF"],
                 ("A", "2025-03-01"), ("G", "2025-03-20"), ("G", "2025-03-21"))


def test_cohort_matrix():
    res = cohorts(COHORTS, RetentionOptions())
    assert res.kpi == "cohort_retention" and res.group_keys == ["cohort"]
    assert [g.key["cohort"] for g in res.groups] == ["2025-01", "2025-02", "2025-03"]
    jan, feb, mar = res.groups
    assert jan.extra == {"retention": [100.0, 50.0, 25.0], "customers": [4, 2, 1]}
    assert feb.extra == {"retention": [100.0, 0.0, None], "customers": [2, 0, None]}
    assert mar.extra == {"retention": [100.0, None, None], "customers": [1, None, None]}
    assert [(g.value, g.n, g.counts) for g in res.groups] == [
        (50.0, 4, {"customers": 4}), (0.0, 2, {"customers": 2}), (None, 1, {"customers": 1})]
    assert mar.ci is None and jan.ci == pytest.approx(stats.wilson(2, 4, Z))
    assert res.value == pytest.approx(100 / 3) and res.n == 6
    assert res.ci == pytest.approx(stats.wilson(2, 6, Z))
    assert res.counts == {"retained": 2, "not_retained": 4}
    assert res.extra == {"period": "month", "periods_since": [0, 1, 2], "customers": 7}
    assert res.dropped == dict.fromkeys(UNDATED, 0)
    out = res.to_dict()
    assert out["groups"][1]["retention"] == [100.0, 0.0, None]
    json.dumps(out, allow_nan=False)


def test_matrix_rows():
    rows = matrix_rows(cohorts(COHORTS, RetentionOptions()))
    assert rows == [
        {"cohort": "2025-01", "customers": 4, "0": 100.0, "1": 50.0, "2": 25.0},
        {"cohort": "2025-02", "customers": 2, "0": 100.0, "1": 0.0, "2": None},
        {"cohort": "2025-03", "customers": 1, "0": 100.0, "1": None, "2": None},
    ]
    # shares round to one decimal: 1 of 3 -> 33.3
    three = orders(("A", "2025-01-01"), ("B", "2025-01-02"), ("C", "2025-01-03"),
                   ("A", "2025-02-01"))
    assert matrix_rows(cohorts(three, RetentionOptions()))[0] == {
        "cohort": "2025-01", "customers": 3, "0": 100.0, "1": 33.3}


def test_heat_table():
    res = cohorts(COHORTS, RetentionOptions())
    console = Console(record=True, width=120)
    console.print(heat_table(res, color=False))
    text = console.export_text()
    assert "Cohort retention by month of first order" in " ".join(text.split())
    assert "% of cohort ordering k months later" in " ".join(text.split())
    for piece in ("cohort", "customers", "+0", "+1", "+2", "2025-01", "25.0%", "0.0%", "100.0%"):
        assert piece in text
    line = next(row for row in text.splitlines() if row.strip().startswith("2025-03"))
    assert line.count("%") == 1  # only k=0 is observable for the last cohort
    plain = Console(record=True, width=120, color_system="truecolor", force_terminal=True)
    plain.print(heat_table(res, color=False))
    assert "\x1b[48;" not in plain.export_text(styles=True)
    colour = Console(record=True, width=120, color_system="truecolor", force_terminal=True)
    colour.print(heat_table(res, color=True))
    styled = colour.export_text(styles=True)
    assert "48;2;0;68;27m100.0%" in styled  # k=0 is the darkest green, white text
    assert "48;2;247;252;245m 0.0%" in styled  # 0 % the lightest


# ------------------------------------------------------------------------------------------------
# (4) rows dropped, first reason that applies
#   1 A  2025-01-05 completed   counted
#   2 B  2025-01-06 cancelled   cancelled
#   3 -  2025-01-07 completed   missing_customer
#   4 C  ""         completed   missing_date
#   5 C  bad        completed   invalid_date
#   6 D  ""         cancelled   missing_date (the date comes first)
#   7 E  2025-01-08 abandoned   abandoned
#   8 F  2025-01-09 pending     pending
#   9 G  2025-01-10 failed      failed
#  10 -  2025-01-11 cancelled   cancelled (the state comes before the customer)

DROPS = orders(("A", "2025-01-05"), ("B", "2025-01-06", "cancelled"), (None, "2025-01-07"),
               ("C", ""), ("C", "bad"), ("D", "", "cancelled"), ("E", "2025-01-08", "abandoned"),
               ("F", "2025-01-09", "pending"), ("G", "2025-01-10", "failed"),
               (None, "2025-01-11", "cancelled"))


def test_drop_reasons():
    want = {"missing_date": 2, "invalid_date": 1, "cancelled": 2, "abandoned": 1, "pending": 1,
            "failed": 1, "missing_customer": 1}
    results = retention(DROPS, RetentionOptions(inactive_after_days=7)) + [
        cohorts(DROPS, RetentionOptions())]
    for res in results:
        assert res.dropped == want and list(res.dropped) == UNDATED
    # only A's order counts: a single month, nothing to compare; a cohort of one, with no +1
    # month yet: no headline (n 0), one customer in the matrix
    assert (results[0].value, results[0].n, results[0].groups) == (None, 0, [])
    assert (results[3].n, results[3].groups[0].extra) == (0, {"retention": [100.0],
                                                              "customers": [1]})
    assert (results[3].value, results[3].extra["customers"]) == (None, 1)
    # --since 2025-01-06: row 1 is now outside the dates; row 2 stays cancelled
    since = retention(DROPS, RetentionOptions(since=date(2025, 1, 6)))[0]
    assert since.dropped == {**want, "outside_dates": 1} and list(since.dropped) == list(REASONS)


# ------------------------------------------------------------------------------------------------
# (5) --since 2025-01-01 --until 2025-02-28
#   A 2024-11-20 (outside; its first order ever), A 2025-02-10
#   B 2025-01-15, B 2025-02-03;  C 2025-02-20;  D 2025-03-05 (outside)
#   in scope: Jan {B}; Feb {A, B, C}
#   Feb: n 1, retained B -> 100.0; active 3; new: C only (A's first order is in Nov 2024);
#        returning 3 - 1 - 1 = 1 (A). 2 rows outside the dates.
#   cohorts: Jan {B}: [100, 100]; Feb {C}: [100, None]; A belongs to Nov 2024: not listed

SCOPED = orders(("A", "2024-11-20"), ("A", "2025-02-10"), ("B", "2025-01-15"), ("B", "2025-02-03"),
                ("C", "2025-02-20"), ("D", "2025-03-05"))
SCOPE = RetentionOptions(since=date(2025, 1, 1), until=date(2025, 2, 28))


def test_since_until_and_first_orders_before_since():
    keep = retention(SCOPED, SCOPE)[0]
    assert [g.key["period"] for g in keep.groups] == ["2025-02"]
    feb = keep.groups[0]
    assert (feb.value, feb.n) == (100.0, 1)
    assert feb.extra == {"active": 3, "new": 1, "returning": 1}
    assert keep.dropped["outside_dates"] == 2
    coh = cohorts(SCOPED, SCOPE)
    assert [(g.key["cohort"], g.extra["retention"]) for g in coh.groups] == [
        ("2025-01", [100.0, 100.0]), ("2025-02", [100.0, None])]
    assert (coh.n, coh.value, coh.extra["customers"]) == (1, 100.0, 2)  # Feb: no +1 yet
    # without the dates A is new in Nov 2024; Dec has no orders, so it is a gap in the range
    every = by_period(retention(SCOPED, RetentionOptions())[0])
    assert list(every) == ["2024-12", "2025-01", "2025-02", "2025-03"]
    assert every["2025-01"].n == 0 and every["2025-02"].extra == {"active": 3, "new": 1,
                                                                  "returning": 1}


def test_until_is_inclusive_of_the_whole_day():
    lf = orders(("A", "2025-01-31 23:59:59"), ("A", "2025-02-28 23:59:59"),
                ("A", "2025-03-01 00:00"))
    keep = retention(lf, RetentionOptions(until=date(2025, 2, 28)))[0]
    assert [(g.key["period"], g.value) for g in keep.groups] == [("2025-02", 100.0)]
    assert keep.dropped["outside_dates"] == 1


# ------------------------------------------------------------------------------------------------
# (6) inactivity churn, 30-day window, as of 2025-03-31 00:00
#   earlier window [2025-01-30 00:00, 2025-03-01 00:00), later window [2025-03-01, 2025-03-31]
#   c1 02-10, 03-15            earlier and later -> still active
#   c2 02-20                   earlier only      -> churned
#   c3 01-29 23:00             before the windows: not counted
#   c4 03-01 00:00             later window (its start): not in the denominator
#   c5 02-28 23:59, 04-02 10:30 (after the as-of: ignored) -> churned
#   c6 02-15 cancelled, 03-10  its earlier order does not count: not in the denominator
#   c7 02-05, 03-31 00:00      the as-of moment is inside the later window -> still active
#   c8 02-01                   -> churned
#   denominator 5 (c1 c2 c5 c7 c8), churned 3 (c2 c5 c8) -> 60.0

INACTIVE = orders(("c1", "2025-02-10"), ("c1", "2025-03-15"), ("c2", "2025-02-20"),
                  ("c3", "2025-01-29 23:00"), ("c4", "2025-03-01 00:00"),
                  ("c5", "2025-02-28 23:59"), ("c5", "2025-04-02 10:30"),
                  ("c6", "2025-02-15", "cancelled"), ("c6", "2025-03-10"),
                  ("c7", "2025-02-05"), ("c7", "2025-03-31 00:00"), ("c8", "2025-02-01"))


def test_inactivity_churn():
    opts = RetentionOptions(as_of=datetime(2025, 3, 31), inactive_after_days=30)
    results = retention(INACTIVE, opts)
    assert [r.kpi for r in results] == ["retention_rate", "churn_rate", "inactivity_churn"]
    res = results[2]
    assert (res.value, res.n, res.counts) == (60.0, 5, {"churned": 3, "still_active": 2})
    assert res.ci == pytest.approx(stats.wilson(3, 5, Z))
    assert res.extra == {"as_of": "2025-03-31T00:00:00", "window_days": 30.0}
    assert "30 days" in res.rule and "2025-03-31T00:00:00" in res.rule
    assert res.dropped["cancelled"] == 1


def test_inactivity_churn_default_as_of_is_the_latest_order():
    # T = 2025-04-02 10:30 (c5); earlier window [02-01 10:30, 03-03 10:30), later to T
    #   c1 02-10 / 03-15 still; c2 02-20 churned; c4 03-01 churned; c5 02-28 / 04-02 still;
    #   c7 02-05 / 03-31 still; c8 02-01 00:00 is before the window; c6 03-10 is later only
    #   -> 2 churned of 5 = 40.0
    res = retention(INACTIVE, RetentionOptions(inactive_after_days=30))[2]
    assert (res.value, res.n, res.counts) == (40.0, 5, {"churned": 2, "still_active": 3})
    assert res.extra["as_of"] == "2025-04-02T10:30:00"
    assert len(retention(INACTIVE, RetentionOptions())) == 2  # no window: no inactivity KPI


# ------------------------------------------------------------------------------------------------
# (7) ISO weeks across the new year
#   2024-12-29 is a Sunday (2024-W52); 2024-12-30 Monday and 2025-01-05 Sunday are 2025-W01;
#   2025-01-06 Monday is 2025-W02.
#   A: W52, W01   B: W52, W02   C: W01, W02
#   W01: n = |{A,B}| = 2, retained A -> 50.0; active {A,C}: new C, returning 0
#   W02: n = |{A,C}| = 2, retained C -> 50.0; active {B,C}: new 0, returning B

def test_week_periods_and_iso_labels():
    lf = orders(("A", "2024-12-29 10:00"), ("A", "2024-12-30 08:00"), ("B", "2024-12-29 23:59"),
                ("B", "2025-01-06 00:00"), ("C", "2025-01-05 23:59"), ("C", "2025-01-06 12:00"))
    keep = retention(lf, RetentionOptions(period="week"))[0]
    assert [(g.key["period"], g.value, g.n, g.extra) for g in keep.groups] == [
        ("2025-W01", 50.0, 2, {"active": 2, "new": 1, "returning": 0}),
        ("2025-W02", 50.0, 2, {"active": 2, "new": 0, "returning": 1}),
    ]
    assert keep.extra["period"] == "week"
    coh = cohorts(lf, RetentionOptions(period="week"))
    assert [(g.key["cohort"], g.extra["customers"]) for g in coh.groups] == [
        ("2024-W52", [2, 1, 1]), ("2025-W01", [1, 1, None])]


@pytest.mark.parametrize("period,when,start,label", [
    ("day", datetime(2025, 3, 9, 23, 59), date(2025, 3, 9), "2025-03-09"),
    ("day", datetime(1969, 12, 31, 12), date(1969, 12, 31), "1969-12-31"),
    ("week", datetime(2025, 3, 9, 23, 59), date(2025, 3, 3), "2025-W10"),
    ("week", datetime(1970, 1, 4), date(1969, 12, 29), "1970-W01"),
    ("week", datetime(2021, 1, 3), date(2020, 12, 28), "2020-W53"),
    ("month", datetime(2025, 12, 31, 23), date(2025, 12, 1), "2025-12"),
    ("quarter", datetime(2025, 8, 15), date(2025, 7, 1), "2025-Q3"),
    ("year", datetime(2025, 8, 15), date(2025, 1, 1), "2025"),
])
def test_period_index_round_trip(period, when, start, label):
    df = pl.DataFrame({"at": [when]}).with_columns(ret.period_index(pl.col("at"), period)
                                                   .alias("i"))
    back = df.select(ret.period_start(pl.col("i"), period)).item()
    assert back == start
    assert ret._labels([df["i"][0]], period) == [label]
    nxt = pl.DataFrame({"at": [when + timedelta(days=400)]}).select(
        ret.period_index(pl.col("at"), period)).item()
    assert nxt > df["i"][0]


# ------------------------------------------------------------------------------------------------
# (8) nothing to measure

def test_empty_input():
    empty = orders()
    keep, churn, gone = retention(empty, RetentionOptions(inactive_after_days=90))
    for res in (keep, churn, gone):
        assert (res.value, res.n, res.ci, res.groups) == (None, 0, None, [])
        assert res.dropped == dict.fromkeys(UNDATED, 0)
        json.dumps(res.to_dict(), allow_nan=False)
    assert keep.trend == [] and keep.extra == {"latest": None, "period": "month"}
    assert gone.extra == {"as_of": None, "window_days": 90.0}
    coh = cohorts(empty, RetentionOptions())
    assert (coh.value, coh.n, coh.groups, coh.ci) == (None, 0, [], None)
    assert matrix_rows(coh) == []
    Console(record=True, width=120).print(heat_table(coh, color=True))
    # only cancelled orders: counted as dropped, nothing measured
    cancelled = orders(("A", "2025-01-01", "cancelled"), ("B", "2025-02-01", "cancelled"))
    res = retention(cancelled, RetentionOptions())[0]
    assert (res.value, res.n, res.dropped["cancelled"]) == (None, 0, 2)


def test_day_only_dates():
    # a loader run with day_only gives Date values: same months as the datetimes
    lf = BASIC.with_columns(pl.col("ordered_at").dt.date())
    assert [g.value for g in retention(lf, RetentionOptions())[0].groups] == [
        pytest.approx(200 / 3), pytest.approx(100 / 3)]


# ------------------------------------------------------------------------------------------------
# Against a plain-Python reading of the definitions, on random orders (also with the customer
# hash forced to collide, which takes the slower exact sort)

def naive(rows, opts: RetentionOptions):
    def index(at: datetime) -> int:
        frame = pl.DataFrame({"at": [at]}, schema={"at": pl.Datetime("us")})
        return frame.select(ret.period_index(pl.col("at"), opts.period)).item()

    def inside(at: datetime) -> bool:
        return ((opts.since is None or at.date() >= opts.since)
                and (opts.until is None or at.date() <= opts.until))

    ok = [(c, at) for c, at, state in rows if c is not None and at is not None
          and state == "completed"]
    first: dict[str, int] = {}
    for c, at in ok:
        first[c] = min(first.get(c, 10**9), index(at))
    active: dict[int, set] = {}
    for c, at in ok:
        if inside(at):
            active.setdefault(index(at), set()).add(c)
    if not active:
        return [], []
    lo, hi = min(active), max(active)
    groups = []
    for p in range(lo + 1, hi + 1):
        now, before = active.get(p, set()), active.get(p - 1, set())
        new = sum(1 for c in now if first[c] == p)
        groups.append((len(before), len(now & before), len(now), new))
    cells = []
    for c0 in range(lo, hi + 1):
        members = {c for c in active.get(c0, set()) if first[c] == c0}
        if members:
            cells.append([len(members & active.get(c0 + k, set())) for k in range(hi - c0 + 1)])
    return groups, cells


def random_rows(seed: int, n: int = 400):
    rng = random.Random(seed)
    start = datetime(2024, 11, 1)
    rows = []
    for _ in range(n):
        c = None if rng.random() < 0.03 else f"C{rng.randrange(60)}"
        at = None if rng.random() < 0.03 else start + timedelta(minutes=rng.randrange(200 * 1440))
        state = "completed" if rng.random() < 0.85 else rng.choice(["cancelled", "failed"])
        rows.append((c, at, state))
    return rows


def check_against_naive(rows, opts):
    lf = pl.LazyFrame({"customer_id": [r[0] for r in rows], "ordered_at": [r[1] for r in rows],
                       "ordered_at__blank": [r[1] is None for r in rows],
                       "state": [r[2] for r in rows]},
                      schema={"customer_id": pl.String, "ordered_at": pl.Datetime("us"),
                              "ordered_at__blank": pl.Boolean, "state": pl.String})
    groups, cells = naive(rows, opts)
    keep = retention(lf, opts)[0]
    assert [(g.n, g.counts["retained"], g.extra["active"], g.extra["new"])
            for g in keep.groups] == groups
    coh = cohorts(lf, opts)
    assert [[x for x in g.extra["customers"] if x is not None] for g in coh.groups] == cells


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("opts", [
    RetentionOptions(),
    RetentionOptions(period="week", since=date(2024, 12, 10), until=date(2025, 4, 20)),
    RetentionOptions(period="day", since=date(2025, 1, 15)),
], ids=["month", "week-scoped", "day-since"])
def test_against_plain_python(seed, opts):
    check_against_naive(random_rows(seed), opts)


def test_colliding_hashes_take_the_exact_path(monkeypatch):
    # keep 2 bits of the first hash: customers collide, the second hash keeps them apart
    def ident():
        c = pl.col(ret.CUST)
        return [(c.hash(1) % 4).alias(ret.H1), (c.hash(2) & pl.lit(2**32 - 1, pl.UInt64))
                .cast(pl.UInt32).alias(ret.H2)]

    monkeypatch.setattr(ret, "_ident", ident)
    check_against_naive(random_rows(3), RetentionOptions())
    check_against_naive(random_rows(4), RetentionOptions(period="week", since=date(2025, 1, 1)))


def test_days_before_1970():
    # negative day indexes: A 12-31, 01-01; B 01-01, 01-02
    #   1970-01-01: n 1 (A), A retained -> 100.0; 1970-01-02: n 2 (A, B), B retained -> 50.0
    #   cohorts 1969-12-31 {A}: 1, 1, 0; 1970-01-01 {B}: 1, 1, (not observable)
    lf = orders(("A", "1969-12-31 18:00"), ("A", "1970-01-01 06:00"), ("B", "1970-01-01 07:00"),
                ("B", "1970-01-02 08:00"))
    keep = retention(lf, RetentionOptions(period="day"))[0]
    assert [(g.key["period"], g.value, g.n) for g in keep.groups] == [
        ("1970-01-01", 100.0, 1), ("1970-01-02", 50.0, 2)]
    coh = cohorts(lf, RetentionOptions(period="day"))
    assert [(g.key["cohort"], g.extra["customers"]) for g in coh.groups] == [
        ("1969-12-31", [1, 1, 0]), ("1970-01-01", [1, 1, None])]


def test_cli_cohorts_value_threshold_and_inactivity_needs_a_window(tmp_path):
    from tests.conftest import run_cli, write_csv

    path = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at"],
                     [["1", "A", "2025-01-05"], ["2", "B", "2025-01-06"],
                      ["3", "A", "2025-02-01"], ["4", "C", "2025-02-02"]])
    # cohort 2025-01 = A, B; A ordered again in February: +1 = 1 / 2 = 50.0
    run = run_cli("retention", str(path), "--cohorts", "--value")
    assert (run.returncode, run.stdout) == (0, "50.0\n")
    run = run_cli("retention", str(path), "--cohorts", "--fail-under", "60", "-f", "csv")
    assert run.returncode == 3 and "cohort_retention 50 is under --fail-under 60" in run.stderr
    assert run.stdout.splitlines()[:2] == ["cohort,customers,0,1", "2025-01,2,100.0,50.0"]
    run = run_cli("retention", str(path), "--kpi", "inactivity_churn")
    assert run.returncode == 2 and "--inactive-after" in run.stderr
