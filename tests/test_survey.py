"""NPS, CSAT and CES on small fixtures, every expected number worked out by hand."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.errors import UsageError
from cxkit.io import LoadOptions, load
from cxkit.kpi.grouping import Scope
from cxkit.kpi.survey import Ces, Csat, Nps, compute

ROLE = {"nps": "nps_score", "csat": "csat_score", "ces": "ces_score"}


def kpi(tmp_path, text: str, measure, by=(), period=None, since=None, until=None, **kw):
    """Write `text` as a CSV, load it as a user would, and compute the measure."""
    path = tmp_path / "responses.csv"
    path.write_text(text, encoding="utf-8")
    scope = Scope(by=list(by), period=period, since=since, until=until)
    loaded = load(
        LoadOptions([str(path)], by=list(by), **kw),
        (measure.role, "responded_at"), (measure.role,), {}, "responded_at",
        need_date=scope.uses_date,
    )
    scope.by, scope.day_format = loaded.by, loaded.day_format
    return compute(loaded.lf, measure, scope)


NPS_CSV = """date,channel,nps
2025-01-05,email,10
2025-01-06,email,9
2025-01-07,web,9
2025-01-08,web,8
2025-01-09,email,7
2025-02-03,web,6
2025-02-04,email,3
2025-02-05,web,0
2025-02-06,email,
2025-02-07,web,x
2025-02-08,web,11
2025-02-09,web,7.5
2025-02-10,email,10 - Extremely likely
"""


def test_nps_counts_value_interval_and_drops(tmp_path):
    r = kpi(tmp_path, NPS_CSV, Nps())
    # valid: 10,9,9,8,7,6,3,0,10 -> promoters 4 (10,9,9,10), passives 2 (8,7), detractors 3
    # n = 9, NPS = 100 * (4 - 3) / 9 = 11.11
    assert r.n == 9
    assert r.counts == {"promoters": 4, "passives": 2, "detractors": 3}
    assert r.value == pytest.approx(11.111, abs=1e-3)
    # dropped: "" missing; "x" and 7.5 invalid; 11 out of range
    assert r.dropped == {"missing": 1, "invalid": 2, "out_of_range": 1}
    # adjusted Wald: n' = 12, p' = 4.75/12 = 0.395833, d' = 3.75/12 = 0.3125
    # A = 8.3333, var' = 0.708333 - 0.0069444 = 0.701389, SE' = 100*sqrt(0.701389/12) = 24.1764
    # interval = 8.3333 -+ 1.959964 * 24.1764 = [-39.05, 55.72]
    assert r.ci == (pytest.approx(-39.051, abs=1e-2), pytest.approx(55.718, abs=1e-2))
    assert r.to_dict()["value"] == 11.1


def test_nps_by_segment(tmp_path):
    r = kpi(tmp_path, NPS_CSV, Nps(), by=["channel"])
    groups = {g.key["channel"]: g for g in r.groups}
    # email: 10, 9, 7, 3, 10 -> P 3, Pa 1, D 1, n 5 -> NPS 40
    assert groups["email"].counts == {"promoters": 3, "passives": 1, "detractors": 1}
    assert groups["email"].value == pytest.approx(40.0)
    # web: 9, 8, 6, 0 -> P 1, Pa 1, D 2, n 4 -> NPS -25
    assert groups["web"].n == 4
    assert groups["web"].value == pytest.approx(-25.0)
    # the overall figure is not an average of segments: still 11.11 over n = 9
    assert r.n == 9


def test_nps_by_month_with_change(tmp_path):
    r = kpi(tmp_path, NPS_CSV, Nps(), period="month")
    trend = {t["period"]: (t["value"], t["n"]) for t in r.trend}
    # January: 10, 9, 9, 8, 7 -> P 3, D 0, n 5 -> 60; February: 6, 3, 0, 10 -> P 1, D 3 -> -50
    assert trend == {"2025-01": (pytest.approx(60.0), 5), "2025-02": (pytest.approx(-50.0), 4)}
    assert r.change == pytest.approx(-110.0)
    # significance: Jan p' = 3.75/8, d' = 0.75/8 -> A1 = 37.5, var' = 0.5625 - 0.140625
    #   SE1 = 100*sqrt(0.421875/8) = 22.964; Feb p' = 1.75/7 = 0.25, d' = 3.75/7 = 0.535714
    #   A2 = -28.571, var' = 0.785714 - 0.081633 = 0.704082, SE2 = 100*sqrt(0.704082/7) = 31.715
    #   z = 66.071 / sqrt(22.964^2 + 31.715^2) = 66.071 / 39.156 = 1.687 < 1.96 -> not significant
    assert r.significant is False
    feb = [g for g in r.groups if g.key["period"] == "2025-02"][0]
    assert feb.change == pytest.approx(-110.0)
    assert feb.significant is False


def test_significant_change_between_periods(tmp_path):
    # January: 40 promoters, 10 detractors, n 50; February: 10 promoters, 40 detractors, n 50
    rows = ["date,nps"] + ["2025-01-10,10"] * 40 + ["2025-01-11,0"] * 10
    rows += ["2025-02-10,10"] * 10 + ["2025-02-11,0"] * 40
    r = kpi(tmp_path, "\n".join(rows) + "\n", Nps(), period="month")
    # A1: p' = 40.75/53 = 0.768868, d' = 10.75/53 = 0.202830 -> A1 = 56.604
    #   var' = 0.971698 - 0.320399 = 0.651299, SE1 = 100*sqrt(0.651299/53) = 11.0854
    # A2 = -56.604, SE2 = 11.0854 (mirror); z = 113.208 / 15.677 = 7.22 > 1.96
    assert r.change == pytest.approx(-120.0)
    assert r.significant is True


def test_since_until_and_dropped_dates(tmp_path):
    text = "date,nps\n2025-01-31,10\n2025-02-01,10\n2025-02-28,0\n2025-03-01,9\n,9\nsoon,9\n"
    r = kpi(tmp_path, text, Nps(), since=date(2025, 2, 1), until=date(2025, 2, 28))
    # kept: 2025-02-01 (10) and 2025-02-28 (0, the --until day is included) -> P 1, D 1, NPS 0
    assert r.n == 2 and r.value == pytest.approx(0.0)
    assert r.dropped["outside_dates"] == 2  # 2025-01-31 and 2025-03-01
    assert r.dropped["missing_date"] == 1
    assert r.dropped["invalid_date"] == 1  # "soon"


def test_week_and_quarter_labels(tmp_path):
    text = "date,nps\n2024-12-30,10\n2025-01-05,0\n2025-01-06,9\n2025-04-01,8\n"
    r = kpi(tmp_path, text, Nps(), period="week")
    # 2024-12-30 is the Monday of ISO week 2025-W01, which runs to Sunday 2025-01-05
    assert [(t["period"], t["n"]) for t in r.trend] == [
        ("2025-W01", 2), ("2025-W02", 1), ("2025-W14", 1)]
    r = kpi(tmp_path, text, Nps(), period="quarter")
    assert [(t["period"], t["n"]) for t in r.trend] == [
        ("2024-Q4", 1), ("2025-Q1", 2), ("2025-Q2", 1)]


CSAT_CSV = """csat
5
4
4
3
2
1
5
4
Very satisfied
Très insatisfait
Offered
6
"""


def test_csat_top_two_boxes_wilson_and_mean(tmp_path):
    r = kpi(tmp_path, CSAT_CSV, Csat())
    # numbers 5,4,4,3,2,1,5,4 + labels 5 (very satisfied), 1 (très insatisfait): n = 10
    # satisfied (4-5): 5,4,4,5,4,5 = 6 -> CSAT = 60 %
    assert r.n == 10 and r.counts == {"satisfied": 6, "not_satisfied": 4}
    assert r.value == pytest.approx(60.0)
    # mean = (5+4+4+3+2+1+5+4+5+1)/10 = 34/10 = 3.4
    assert r.extra["mean_score"] == pytest.approx(3.4)
    # Wilson 6/10: centre = (0.6 + 0.19208)/1.38415 = 0.57225,
    # half = 1.96 * sqrt(0.024 + 0.0096037)/1.38415 = 0.25957 -> [31.27, 83.18]
    assert r.ci == (pytest.approx(31.27, abs=0.02), pytest.approx(83.18, abs=0.02))
    # "Offered" means no answer (missing); 6 is off the 1-5 scale
    assert r.dropped == {"missing": 1, "invalid": 0, "out_of_range": 1}


def test_csat_other_scale_and_cut(tmp_path):
    text = "satisfaction\n10\n9\n8\n7\n0\n"
    r = kpi(tmp_path, text, Csat("0-10"))
    # satisfied = 9-10 on 0-10: 10, 9 -> 2 of 5 = 40 %
    assert r.value == pytest.approx(40.0)
    r = kpi(tmp_path, text, Csat("0-10", satisfied_from=7))
    # 7-10: 10, 9, 8, 7 -> 4 of 5 = 80 %
    assert r.value == pytest.approx(80.0)
    with pytest.raises(UsageError):
        Csat("1-5", satisfied_from=9)


def test_ces_effort_scale(tmp_path):
    text = "effort\n1\n2\n2\n3\n5\n\n"
    r = kpi(tmp_path, text, Ces())
    # mean 2.6, sd 1.51658, t(0.975, 4) = 2.77645 -> half 1.88308 -> [0.717, 4.483]
    assert r.value == pytest.approx(2.6)
    assert r.ci == (pytest.approx(0.7169, abs=1e-3), pytest.approx(4.4831, abs=1e-3))
    # low effort = 1-2: 1, 2, 2 -> 3 of 5 = 60 %
    assert r.extra["pct_low_effort"] == pytest.approx(60.0)
    assert r.dropped["missing"] == 1


def test_ces_ease_scale(tmp_path):
    text = "ces\n7\n6\n5\n4\n1\nStrongly agree\n"
    r = kpi(tmp_path, text, Ces("1-7"))
    # 7,6,5,4,1,7: mean = 30/6 = 5.0; low effort = 5-7: 7,6,5,7 -> 4/6 = 66.67 %
    assert r.value == pytest.approx(5.0)
    assert r.extra["pct_low_effort"] == pytest.approx(66.667, abs=1e-3)


def test_empty_after_header_gives_null_not_nan(tmp_path):
    r = kpi(tmp_path, "nps\n", Nps())
    d = r.to_dict()
    assert d["value"] is None and d["ci"] is None and d["n"] == 0


def test_benchmark_status(tmp_path):
    from cxkit.kpi.benchmarks import assess

    # NPS above 50 is excellent in e-commerce (KPIS.md); 11.1 is above 0 -> good
    assert assess("nps", 55.0, "ecommerce")["status"] == "excellent"
    assert assess("nps", 11.1, "ecommerce")["status"] == "good"
    assert assess("nps", -5.0, "ecommerce")["status"] == "below"
    # CSAT above 80 % is the SaaS mark; CES below 3 is low effort in retail
    assert assess("csat", 80.0, "saas")["status"] == "below"
    assert assess("csat", 85.0, "saas")["status"] == "good"
    assert assess("ces", 2.9, "retail")["status"] == "good"
    assert assess("ces", 3.0, "retail")["status"] == "below"


# --- properties -------------------------------------------------------------------------------

answers = st.lists(
    st.one_of(st.integers(-2, 12).map(str), st.sampled_from(["", "x", "7.5", "9.0"])),
    min_size=0, max_size=60,
)


def _nps_of(values: list[str], seed: int | None = None):
    lf = pl.LazyFrame({"nps_score": values}, schema={"nps_score": pl.String})
    if seed is not None:
        lf = lf.collect().sample(fraction=1.0, shuffle=True, seed=seed).lazy()
    return compute(lf, Nps(), Scope())


@settings(max_examples=80, deadline=None)
@given(answers)
def test_nps_properties(values):
    r = _nps_of(values)
    assert r.n + sum(r.dropped.values()) == len(values)  # every row used or dropped, with why
    assert sum(r.counts.values()) == r.n
    if r.n:
        assert -100 <= r.value <= 100
        assert -100 <= r.ci[0] <= r.ci[1] <= 100
    else:
        assert r.value is None


@settings(max_examples=40, deadline=None)
@given(answers, st.integers(0, 10_000))
def test_nps_row_order_does_not_matter(values, seed):
    a, b = _nps_of(values), _nps_of(values, seed)
    assert a.to_dict() == b.to_dict()


def test_periods_outside_since_until_are_not_listed(tmp_path):
    text = "date,nps\n2025-01-15,10\n2025-02-10,10\n2025-02-20,0\n2025-03-05,9\n"
    r = kpi(tmp_path, text, Nps(), period="month", since=date(2025, 2, 1), until=date(2025, 2, 28))
    # only February is in range: 10 and 0 -> P 1, D 1, NPS 0; January and March are dropped
    assert [(t["period"], t["n"]) for t in r.trend] == [("2025-02", 2)]
    assert [g.key["period"] for g in r.groups] == ["2025-02"]
    assert r.dropped["outside_dates"] == 2


def test_clipped_interval_is_a_float(tmp_path):
    r = kpi(tmp_path, "nps\n10\n10\n", Nps())
    # all promoters, n = 2: the upper bound 104.4 is clipped to 100 and printed as 100.0
    assert r.to_dict()["ci"][1] == 100.0 and isinstance(r.to_dict()["ci"][1], float)


def test_report_condenses_every_score_in_one_query_as_each_alone():
    # two channels, two days, NPS and CSAT as text (an export read from CSV), a blank CSAT:
    #   web   2025-01-01  nps 9  csat 5
    #   web   2025-01-01  nps 9  csat 4
    #   web   2025-01-02  nps 3  csat null
    #   shop  2025-01-01  nps 10 csat 5
    # condensed per (channel, day, value): nps web/01 "9" x2, web/02 "3" x1, shop/01 "10" x1;
    # csat web/01 "5" x1 and "4" x1, web/02 null x1, shop/01 "5" x1
    from cxkit.kpi.grouping import DAY_KEY, RAW, WEIGHT, condense_long, condense_query

    lf = pl.LazyFrame({"channel": ["web", "web", "web", "shop"],
                       DAY_KEY: ["2025-01-01", "2025-01-01", "2025-01-02", "2025-01-01"],
                       "nps_score": ["9", "9", "3", "10"], "csat_score": ["5", "4", None, "5"]})
    scope = Scope(by=["channel"], period="day", day_format="%Y-%m-%d")
    both = condense_long(lf, ["nps_score", "csat_score"], scope)
    keys = ["channel", DAY_KEY, RAW]
    rows = {v: sorted(both[v].select(*keys, WEIGHT).rows(), key=str) for v in both}
    nps = [("web", "2025-01-01", "9", 2), ("web", "2025-01-02", "3", 1),
           ("shop", "2025-01-01", "10", 1)]
    csat = [("web", "2025-01-01", "5", 1), ("web", "2025-01-01", "4", 1),
            ("web", "2025-01-02", None, 1), ("shop", "2025-01-01", "5", 1)]
    assert rows == {"nps_score": sorted(nps, key=str), "csat_score": sorted(csat, key=str)}
    for v in ("nps_score", "csat_score"):  # the same frame, columns and types, as one alone
        alone = condense_query(lf, v, scope).collect()
        assert both[v].schema == alone.schema
        assert both[v].sort(keys, nulls_last=True).equals(alone.sort(keys, nulls_last=True))


def test_report_reads_scores_of_different_types_each_alone(tmp_path):
    # NPS as numbers and CSAT as labels in one Parquet file: the columns cannot share one
    # unpivoted column, so each is condensed on its own. NPS 10 9 3 -> P2 D1 n3 = 33.3;
    # CSAT "Very satisfied" (5), "Satisfied" (4), "Dissatisfied" (2) -> 2/3 = 66.7
    from cxkit.kpi.report_build import condense_surveys

    lf = pl.LazyFrame({"nps_score": [10, 9, 3],
                       "csat_score": ["Very satisfied", "Satisfied", "Dissatisfied"]})

    class Opts:
        period, since, until = "month", None, None

    frames = condense_surveys(lf, {"nps_score", "csat_score"}, [], False, None, Opts())
    assert frames["nps_score"].schema["__raw"] == pl.Int64
    assert frames["csat_score"].schema["__raw"] == pl.String
    from cxkit.kpi.survey import result_of, summed

    for measure, value in ((Nps(), 33.3), (Csat(), 66.7)):
        got = result_of(summed(None, measure, Scope(), frames[measure.role]), measure, Scope())
        assert (round(got.value, 1), got.n) == (value, 3)


def test_report_broken_down_by_a_score_column_condenses_each_alone():
    # --by csat_score: the score is also a segment, so it cannot be unpivoted beside itself.
    # CSAT 5 2 4 -> one answer in each segment; NPS 9 (csat 5), 3 (csat 2), 10 (csat 4)
    from cxkit.kpi.report_build import condense_surveys

    lf = pl.LazyFrame({"nps_score": ["9", "3", "10"], "csat_score": ["5", "2", "4"]})

    class Opts:
        period, since, until = "month", None, None

    frames = condense_surveys(lf, {"nps_score", "csat_score"}, ["csat_score"], False, None,
                              Opts())
    assert sorted(frames["nps_score"].select("csat_score", "__raw").rows()) == [
        ("2", "3"), ("4", "10"), ("5", "9")]
    assert sorted(frames["csat_score"]["__raw"].to_list()) == ["2", "4", "5"]


@pytest.mark.parametrize("period", ["day", "week", "month", "quarter", "year"])
def test_period_start_is_the_truncation_on_every_day_of_its_table(period):
    # grouping.period_start reads months, quarters and years from a table of every day of
    # 1800-2200: on each of those 146,462 days (401 x 365 + 97 leap days) it is dt.truncate's
    # answer (by hand: 2024-02-29 is in 2024-02 / 2024-Q1 / 2024 and in the ISO week of
    # Monday 2024-02-26); outside the
    # table a month, quarter or year is null (the loader reads no year before 1900 or past
    # the year after next)
    from datetime import date

    import polars as pl

    from cxkit.kpi.grouping import PERIODS, period_start

    days = pl.DataFrame({"d": pl.date_range(date(1800, 1, 1), date(2200, 12, 31), eager=True)})
    assert days.height == 146_462
    got = days.select(period_start(pl.col("d"), period))["d"]
    assert got.equals(days.select(pl.col("d").dt.truncate(PERIODS[period]))["d"])
    leap = {"day": date(2024, 2, 29), "week": date(2024, 2, 26), "month": date(2024, 2, 1),
            "quarter": date(2024, 1, 1), "year": date(2024, 1, 1)}[period]
    assert pl.select(period_start(pl.lit(date(2024, 2, 29)), period)).item() == leap
    outside = pl.DataFrame({"d": [date(1799, 12, 31), date(2201, 1, 1), None]})
    tabled = period not in ("day", "week")
    assert outside.select(period_start(pl.col("d"), period))["d"].to_list() == (
        [None, None, None] if tabled else
        outside.select(pl.col("d").dt.truncate(PERIODS[period]))["d"].to_list())
