"""Why it moved: change drivers (Kitagawa), experiment comparisons, corrections, power and alerts.

Published values are named beside the test that checks them; everything else is worked by hand in
the comments. KPIS.md "Why it moved" is the spec.
"""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path

import polars as pl
import pytest
from conftest import cxkit_in_process, cxkit_json

from cxkit.kpi import stats
from cxkit.kpi.explain import kitagawa

DATA = Path(__file__).parent / "data"
Z95 = stats.z_value(0.95)


def answers(path: Path, spec: list[tuple[str, str, int, int]], header=("date", "channel", "nps"),
            extra: dict | None = None) -> Path:
    """A survey CSV from (date, segment, score, how many) tuples."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for date, seg, score, count in spec:
            w.writerows([(date, seg, score)] * count)
    return path


def nps_block(date: str, seg: str, promoters: int, passives: int, detractors: int):
    return [(date, seg, 10, promoters), (date, seg, 8, passives), (date, seg, 3, detractors)]


# KPIS.md's two-segment example. Segment A: 100 answers, NPS 50 (60 P, 30 passives, 10 D) in May,
# 50 answers, NPS 40 (25 P, 20 passives, 5 D) in June. Segment B: NPS 0 both months, 100 answers
# (30 P, 40 passives, 30 D), then 150 (45 P, 60 passives, 45 D).
#   May:  NPS = 0.5 x 50 + 0.5 x 0 = 25;  June: NPS = 0.25 x 40 + 0.75 x 0 = 10;  change -15
#   A: mix  = (0.25 - 0.50) x (50 + 40) / 2 = -0.25 x 45 = -11.25
#      rate = (40 - 50) x (0.50 + 0.25) / 2 = -10 x 0.375 = -3.75
#   B: mix  = (0.75 - 0.50) x (0 + 0) / 2 = 0;  rate = (0 - 0) x ... = 0
#   -11.25 - 3.75 = -15 = 10 - 25
TWO = (nps_block("2025-05-10", "A", 60, 30, 10) + nps_block("2025-05-10", "B", 30, 40, 30)
       + nps_block("2025-06-10", "A", 25, 20, 5) + nps_block("2025-06-10", "B", 45, 60, 45))


@pytest.fixture
def two(tmp_path):
    return answers(tmp_path / "two.csv", TWO)


def test_kitagawa_two_segment_worked_example():
    (mix_a, rate_a), (mix_b, rate_b) = kitagawa([100, 100], [50.0, 0.0], [50, 150], [40.0, 0.0])
    assert (mix_a, rate_a) == (pytest.approx(-11.25), pytest.approx(-3.75))
    assert (mix_b, rate_b) == (0.0, 0.0)
    assert mix_a + rate_a + mix_b + rate_b == pytest.approx(10 - 25)


def test_two_segment_example_through_the_cli(capsys, two):
    data, _ = cxkit_json(capsys, "nps", two, "--period", "month", "--explain", "channel")
    assert data["kpi"] == "nps_change"
    assert data["periods"] == ["2025-05", "2025-06"]
    assert data["value"] == -15.0 and data["values"] == [25.0, 10.0] and data["n"] == [200, 200]
    # promoters 90/200 = 45 % -> 70/200 = 35 %; detractors 40/200 = 20 % -> 50/200 = 25 %
    assert data["promoters_change"] == -10.0 and data["detractors_change"] == 5.0
    (drv,) = data["drivers"]
    assert (drv["dimension"], drv["mix"], drv["rate"]) == ("channel", -11.25, -3.75)
    a = next(s for s in drv["segments"] if s["key"] == {"channel": "A"})
    assert a["n"] == [100, 50] and a["share"] == [50.0, 25.0] and a["value"] == [50.0, 40.0]
    assert (a["mix"], a["rate"], a["change"]) == (-11.25, -3.75, -10.0)
    # A's own test: adjusted Wald of (60, 10, 100) vs (25, 5, 50)
    own = stats.nps_diff((60, 10, 100), (25, 5, 50), Z95)
    assert a["ci"] == [round(own.ci[0], 1), round(own.ci[1], 1)]
    assert a["p"] == round(own.p, 3)
    # Holm over two segments: A's p x 2 (B's p is 1.0, so A's stays the smaller one)
    assert a["p_adjusted"] == round(min(1, 2 * own.p), 3)
    # the overall test: (90, 40, 200) vs (70, 50, 200)
    overall = stats.nps_diff((90, 40, 200), (70, 50, 200), Z95)
    assert data["adjusted_change"] == round(overall.diff, 2)
    assert data["p"] == round(overall.p, 3)
    assert data["summary"].startswith("NPS fell 15 points from 2025-05 to 2025-06")
    assert "from fewer answers coming from A" in data["summary"]
    assert "A's NPS falling 10 points" in data["summary"]


def ucb_counts():
    df = pl.read_csv(DATA / "ucb_admissions_1973.csv")
    sums = (df.group_by("gender", "dept")
            .agg(pl.col("freq").sum().alias("n"),
                 pl.col("freq").filter(pl.col("admit") == "Admitted").sum().alias("admitted"))
            .sort("dept"))
    return {g: sums.filter(pl.col("gender") == g) for g in ("Male", "Female")}


def test_ucb_admissions_1973_decomposition():
    # Bickel, Hammel & O'Connell (1975): 1,198 of 2,691 men admitted (44.52 %), 557 of 1,835
    # women (30.35 %): a gap of -14.165 points, which Kitagawa's split (women - men, department
    # as segment) gives as composition -17.767 + rate +3.603 (../shared/data/README.md)
    c = ucb_counts()
    n1, n2 = c["Male"]["n"].to_list(), c["Female"]["n"].to_list()
    v1 = (100 * c["Male"]["admitted"] / c["Male"]["n"]).to_list()
    v2 = (100 * c["Female"]["admitted"] / c["Female"]["n"]).to_list()
    assert (sum(n1), sum(n2)) == (2691, 1835)
    split = kitagawa(n1, v1, n2, v2)
    mix, rate = sum(m for m, _ in split), sum(r for _, r in split)
    assert mix == pytest.approx(-17.767, abs=5e-4)
    assert rate == pytest.approx(3.603, abs=5e-4)
    gap = 100 * 557 / 1835 - 100 * 1198 / 2691
    assert mix + rate == pytest.approx(gap, abs=1e-12) and gap == pytest.approx(-14.165, abs=5e-4)


def test_ucb_admissions_1973_through_cxkit_csat(capsys, tmp_path):
    # the same table as answers: men in January, women in February (the "periods"), admitted as
    # a CSAT of 5 and rejected as 1, so CSAT % is the admitted share; --explain dept
    df = pl.read_csv(DATA / "ucb_admissions_1973.csv")
    rows = df.select(
        pl.when(pl.col("gender") == "Male").then(pl.lit("2025-01-15"))
        .otherwise(pl.lit("2025-02-15")).alias("date"),
        pl.col("dept"),
        pl.when(pl.col("admit") == "Admitted").then(5).otherwise(1).alias("csat"),
        pl.col("freq"),
    ).select(pl.exclude("freq").repeat_by(pl.col("freq")).explode())
    path = tmp_path / "ucb.csv"
    rows.write_csv(path)
    data, _ = cxkit_json(capsys, "csat", path, "--period", "month", "--explain", "dept")
    assert data["n"] == [2691, 1835]
    assert data["value"] == -14.2  # -14.165 at one decimal
    (drv,) = data["drivers"]
    assert (drv["mix"], drv["rate"]) == (-17.77, 3.6)
    a = next(s for s in drv["segments"] if s["key"] == {"dept": "A"})
    # department A: 512 / 825 men = 62.06 %, 89 / 108 women = 82.41 %: women's rate is higher
    assert a["value"] == [62.1, 82.4] and a["n"] == [825, 108]
    assert a["change"] == 20.3 and a["p"] < 0.001
    # the largest contribution in the direction of the gap: fewer women applied to A
    assert "from fewer answers coming from A" in data["summary"]


def test_segment_present_in_one_period_only():
    # A in both periods: 100 answers at 20, then 80 at 30; C only in period 2: 20 answers at 50
    #   period 1: KPI 20;  period 2: 0.8 x 30 + 0.2 x 50 = 34;  change 14
    #   A: mix = (0.8 - 1.0) x (20 + 30) / 2 = -5, rate = (30 - 20) x (1.0 + 0.8) / 2 = 9
    #   C: rate 0, its one value (50) on both sides: mix = (0.2 - 0) x (50 + 50) / 2 = 10
    (mix_a, rate_a), (mix_c, rate_c) = kitagawa([100, 0], [20.0, None], [80, 20], [30.0, 50.0])
    assert (mix_a, rate_a) == (pytest.approx(-5.0), pytest.approx(9.0))
    assert (mix_c, rate_c) == (pytest.approx(10.0), 0.0)
    assert mix_a + rate_a + mix_c + rate_c == pytest.approx(34 - 20)


def test_segment_present_in_one_period_only_through_the_cli(capsys, tmp_path):
    # January: A 10 P 10 D (NPS 0, n 20); February: A the same, C (new) 10 promoters (NPS 100)
    #   overall 0 -> 10 x 100 / 30 = 33.3; C: mix = (1/3 - 0) x 100 = 33.33, rate 0
    spec = (nps_block("2025-01-05", "A", 10, 0, 10) + nps_block("2025-02-05", "A", 10, 0, 10)
            + nps_block("2025-02-05", "C", 10, 0, 0))
    path = answers(tmp_path / "new.csv", spec)
    data, _ = cxkit_json(capsys, "nps", path, "--period", "month", "--explain", "channel")
    assert data["value"] == 33.3
    c = next(s for s in data["drivers"][0]["segments"] if s["key"] == {"channel": "C"})
    assert (c["mix"], c["rate"], c["n"], c["share"]) == (33.33, 0.0, [0, 10], [0.0, 33.3])
    assert c["value"] == [None, 100.0] and c["change"] is None
    assert c["p"] is None and c["p_adjusted"] is None
    assert c["reason"] == "no answers in 2025-01"
    a = next(s for s in data["drivers"][0]["segments"] if s["key"] == {"channel": "A"})
    assert a["p"] == a["p_adjusted"] == 1.0  # the only tested segment: Holm leaves it


def test_nps_difference_worked_example():
    # KPIS.md: 20.0 -> 26.0; 540 P and 300 D of 1,200, then 675 and 324 of 1,350
    #   n' = 1,203: p' = 540.75/1203 = 0.449501, d' = 300.75/1203 = 0.250000, A1 = 19.9501
    #     var' = 0.699501 - 0.199501^2 = 0.659700, SE1 = 100 sqrt(0.659700/1203) = 2.34175
    #   n' = 1,353: p' = 675.75/1353 = 0.499446, d' = 324.75/1353 = 0.240022, A2 = 25.9424
    #     var' = 0.739468 - 0.259424^2 = 0.672167, SE2 = 100 sqrt(0.672167/1353) = 2.22891
    #   diff 5.9923, SE = sqrt(2.34175^2 + 2.22891^2) = 3.23292
    #   interval 5.9923 -+ 1.959964 x 3.23292 = [-0.344, 12.329]; z = 1.8535, p = 0.0638
    d = stats.nps_diff((540, 300, 1200), (675, 324, 1350), Z95)
    assert round(d.diff, 2) == 5.99
    assert (round(d.ci[0], 2), round(d.ci[1], 2)) == (-0.34, 12.33)
    assert round(d.p, 3) == 0.064
    assert d.se == pytest.approx(3.23292, abs=1e-5)
    # MDE = (1.959964 + 0.841621) x 3.23292 = 2.801585 x 3.23292 = 9.0573
    assert stats.mde(d.se, 0.95) == pytest.approx(9.0573, abs=1e-3)


def worked_groups(tmp_path, third: bool = False) -> Path:
    spec = (nps_block("2025-01-10", "A", 540, 360, 300)
            + nps_block("2025-01-10", "B", 675, 351, 324))
    if third:  # C = A's answers again
        spec += nps_block("2025-01-10", "C", 540, 360, 300)
    return answers(tmp_path / "ab.csv", spec, header=("date", "variant", "nps"))


def test_versus_worked_example_through_the_cli(capsys, tmp_path):
    data, _ = cxkit_json(capsys, "nps", worked_groups(tmp_path), "--by", "variant",
                         "--versus", "A")
    groups = {g["key"]["variant"]: g for g in data["groups"]}
    assert groups["A"]["versus"] == {"control": "A"}
    assert groups["B"]["versus"] == {"control": "A", "diff": 5.99, "ci": [-0.34, 12.33],
                                     "p": 0.064, "p_adjusted": 0.064, "significant": False,
                                     "mde": 9.06}
    assert data["experiment"] == {"by": "variant", "control": "A", "correction": "holm",
                                  "power": 0.8}
    run = cxkit_in_process(capsys, "nps", worked_groups(tmp_path), "--by", "variant",
                           "--versus", "A", "--value")
    assert (run.returncode, run.stdout) == (0, "5.99\n")


def test_the_same_worked_example_as_two_periods(capsys, tmp_path):
    spec = nps_block("2025-01-10", "x", 540, 360, 300) + nps_block("2025-02-10", "x", 675, 351, 324)
    data, _ = cxkit_json(capsys, "nps", answers(tmp_path / "p.csv", spec), "--period", "month",
                         "--compare", "2025-01,2025-02")
    # the raw change 26.0 - 20.0 = 6.0; interval and p those of the adjusted difference
    assert (data["value"], data["adjusted_change"], data["ci"], data["p"]) == (
        6.0, 5.99, [-0.3, 12.3], 0.064)
    assert data["significant"] is False and data["drivers"] == []


def test_versus_corrections_and_several_groups(capsys, tmp_path):
    path = worked_groups(tmp_path, third=True)
    holm, _ = cxkit_json(capsys, "nps", path, "--by", "variant", "--versus", "a")  # any case
    bh, _ = cxkit_json(capsys, "nps", path, "--by", "variant", "--versus", "A",
                       "--correction", "bh")
    none, _ = cxkit_json(capsys, "nps", path, "--by", "variant", "--versus", "A",
                         "--correction", "none")
    b = {d["experiment"]["correction"]: next(g for g in d["groups"]
                                              if g["key"]["variant"] == "B")["versus"]
         for d in (holm, bh, none)}
    c = next(g for g in holm["groups"] if g["key"]["variant"] == "C")["versus"]
    # C is A again: diff 0, p 1. B: p 0.0638. Holm: B 2 x 0.0638 = 0.128, C max(1 x 1, .128) = 1
    # BH: C 2/2 x 1 = 1; B min(2/1 x 0.0638, 1) = 0.128; none: 0.064
    assert c["diff"] == 0.0 and c["p"] == 1.0 and c["p_adjusted"] == 1.0
    assert (b["holm"]["p_adjusted"], b["bh"]["p_adjusted"], b["none"]["p_adjusted"]) == (
        0.128, 0.128, 0.064)
    run = cxkit_in_process(capsys, "nps", path, "--by", "variant", "--versus", "A", "--value")
    assert run.returncode == 2 and "no single number" in run.stderr


def test_versus_value_that_is_not_a_group(capsys, tmp_path):
    run = cxkit_in_process(capsys, "nps", worked_groups(tmp_path), "--by", "variant",
                           "--versus", "control")
    assert run.returncode == 2
    assert "no group 'control' in variant; its groups are: A, B" in run.stderr
    assert "Traceback" not in run.stderr


def test_sample_ratio_check(capsys, tmp_path):
    # 1,200 vs 1,350 against 50/50: expected 1,275 each, chi2 = 2 x 75^2 / 1275 = 8.8235, df 1
    #   p = erfc(sqrt(8.8235 / 2)) = 0.00297: not below 0.001, so not flagged
    data, err = cxkit_json(capsys, "nps", worked_groups(tmp_path), "--by", "variant",
                           "--versus", "A", "--expected-split", "50/50")
    assert data["srm"]["chi2"] == 8.82 and data["srm"]["p"] == 0.003
    assert data["srm"]["mismatch"] is False and "warnings" not in data
    # against 60/40: expected 1,530 and 1,020: chi2 = 330^2/1530 + 330^2/1020 = 177.9: flagged
    data, err = cxkit_json(capsys, "nps", worked_groups(tmp_path), "--by", "variant",
                           "--versus", "A", "--expected-split", "60/40")
    assert data["srm"]["mismatch"] is True and data["srm"]["chi2"] == 177.94
    assert "sample ratio mismatch" in err and "sample ratio mismatch" in data["warnings"][0]
    run = cxkit_in_process(capsys, "nps", worked_groups(tmp_path), "--by", "variant",
                           "--versus", "A", "--expected-split", "30/30/40")
    assert run.returncode == 2 and "3 shares for the 2 groups of variant (A, B)" in run.stderr


def test_chi_square_survival_and_srm():
    assert stats.chi2_sf(3.841459, 1) == pytest.approx(0.05, abs=1e-7)  # the 95 % point, df 1
    assert stats.chi2_sf(5.991465, 2) == pytest.approx(0.05, abs=1e-7)
    for x in (0.3, 4.0, 40.0):  # df 2: exactly exp(-x/2)
        assert stats.chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12)
    assert stats.chi2_sf(11.0705, 5) == pytest.approx(0.05, abs=1e-5)  # tables: 95 % point, df 5
    # 5,000 vs 5,200 against 50/50: chi2 = 2 x 100^2 / 5100 = 3.9216, p = 0.0477
    chi2, df, p = stats.srm_test([5000, 5200], [50, 50])
    assert (round(chi2, 4), df, round(p, 4)) == (3.9216, 1, 0.0477)


def test_holm_and_bh_by_hand():
    # p = .01 .04 .03 .005 (m = 4). Holm, ascending: .005 x 4 = .02, .01 x 3 = .03,
    # .03 x 2 = .06, .04 x 1 = .04 -> running max .06. BH, descending: .04 x 4/4 = .04,
    # .03 x 4/3 = .04, .01 x 4/2 = .02, .005 x 4/1 = .02 (running min)
    p = [0.01, 0.04, 0.03, 0.005, None]
    assert stats.p_adjust(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02, None])
    assert stats.p_adjust(p, "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02, None])
    assert stats.p_adjust(p, "none") == p


# R's p.adjust on the 50 p-values of Rosetta Code's task "P-value correction" (the task's
# reference answers are R 3.x output of p.adjust(p, "holm") and p.adjust(p, "BH"), 7 significant
# digits, as the task page and its solutions print them).
R_P = [4.533744e-01, 7.296024e-01, 9.936026e-02, 9.079658e-02, 1.801962e-01,
       8.752257e-01, 2.922222e-01, 9.115421e-01, 4.355806e-01, 5.324867e-01,
       4.926798e-01, 5.802978e-01, 3.485442e-01, 7.883130e-01, 2.729308e-01,
       8.502518e-01, 4.268138e-01, 6.442008e-01, 3.030266e-01, 5.001555e-02,
       3.194810e-01, 7.892933e-01, 9.991834e-01, 1.745691e-01, 9.037516e-01,
       1.198578e-01, 3.966083e-01, 1.403837e-02, 7.328671e-01, 6.793476e-02,
       4.040730e-03, 3.033349e-04, 1.125147e-02, 2.375072e-02, 5.818542e-04,
       3.075482e-04, 8.251272e-03, 1.356534e-03, 1.360696e-02, 3.764588e-04,
       1.801145e-05, 2.504456e-07, 3.310253e-02, 9.427839e-03, 8.791153e-04,
       2.177831e-04, 9.693054e-04, 6.610250e-05, 2.900813e-02, 5.735490e-03]
R_BH = [6.126681e-01, 8.521710e-01, 1.987205e-01, 1.891595e-01, 3.217789e-01,
        9.301450e-01, 4.870370e-01, 9.301450e-01, 6.049731e-01, 6.826753e-01,
        6.482629e-01, 7.253722e-01, 5.280973e-01, 8.769926e-01, 4.705703e-01,
        9.241867e-01, 6.049731e-01, 7.856107e-01, 4.887526e-01, 1.136717e-01,
        4.991891e-01, 8.769926e-01, 9.991834e-01, 3.217789e-01, 9.301450e-01,
        2.304958e-01, 5.832475e-01, 3.899547e-02, 8.521710e-01, 1.476843e-01,
        1.683638e-02, 2.562902e-03, 3.516084e-02, 6.250189e-02, 3.636589e-03,
        2.562902e-03, 2.946883e-02, 6.166064e-03, 3.899547e-02, 2.688991e-03,
        4.502862e-04, 1.252228e-05, 7.881555e-02, 3.142613e-02, 4.846527e-03,
        2.562902e-03, 4.846527e-03, 1.101708e-03, 7.252032e-02, 2.205958e-02]
R_HOLM = [1.0] * 27 + [4.632662e-01, 1.0, 1.0,
                       1.575885e-01, 1.395341e-02, 3.938014e-01, 7.600230e-01, 2.501973e-02,
                       1.395341e-02, 3.052971e-01, 5.426136e-02, 4.626366e-01, 1.656419e-02,
                       8.825610e-04, 1.252228e-05, 9.930759e-01, 3.394022e-01, 3.692284e-02,
                       1.023581e-02, 3.974152e-02, 3.172920e-03, 8.992520e-01, 2.179486e-01]


@pytest.mark.parametrize("method, expected", [("holm", R_HOLM), ("bh", R_BH)])
def test_p_adjust_matches_r(method, expected):
    got = stats.p_adjust(R_P, method)
    for g, e in zip(got, expected, strict=True):
        assert g == pytest.approx(e, rel=5e-7, abs=1e-12)  # R printed 7 significant digits


def test_newcombe_published_examples():
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (score, no
    # continuity correction): 56/70 - 48/80 -> 0.0524, 0.3339; 9/10 - 3/10 -> 0.1705, 0.8090;
    # 6/7 - 2/7 -> 0.0582, 0.8062; 5/56 - 0/29 -> -0.0381, 0.1926 (p2 - p1: second minus first)
    for (k1, n1, k2, n2), (lo, hi) in (((48, 80, 56, 70), (0.0524, 0.3339)),
                                       ((3, 10, 9, 10), (0.1705, 0.8090)),
                                       ((2, 7, 6, 7), (0.0582, 0.8062)),
                                       ((0, 29, 5, 56), (-0.0381, 0.1926))):
        got = stats.newcombe(k1, n1, k2, n2, Z95)
        assert (round(got[0] / 100, 4), round(got[1] / 100, 4)) == (lo, hi)


def test_welch_difference_by_hand():
    # mean 5, sd 2, n 10 vs mean 6, sd 3, n 15: v1 = 4/10 = 0.4, v2 = 9/15 = 0.6, SE = 1
    #   df = 1 / (0.4^2/9 + 0.6^2/14) = 1 / (0.017778 + 0.025714) = 22.99
    #   t = 1: two-sided p = 0.3277; t(0.975, 22.99) = 2.0687 -> interval 1 -+ 2.0687
    d = stats.welch_diff(5, 2, 10, 6, 3, 15, 0.95)
    assert d.diff == 1 and d.se == pytest.approx(1.0)
    assert d.p == pytest.approx(0.3277, abs=1e-4)
    assert d.ci == (pytest.approx(-1.0687, abs=1e-4), pytest.approx(3.0687, abs=1e-4))
    assert stats.p_t(2.0, 5) == pytest.approx(0.10194, abs=1e-5)  # t tables: 2 x 0.05097
    assert stats.p_normal(1.959964) == pytest.approx(0.05, abs=1e-7)


def test_sample_size_by_hand():
    # NPS with 45 % promoters, 25 % detractors: var = 0.45 + 0.25 - 0.2^2 = 0.66 (x 100^2)
    #   n = 2 x (1.959964 + 0.841621)^2 x 6600 / 5^2 = 2 x 7.84888 x 264 = 4144.2 -> 4,145
    sd = 100 * math.sqrt(0.66)
    assert stats.sample_size(sd, 5, 0.95, 0.8, [1, 1]) == [4145, 4145]
    # 1 control : 2 treatment: N = 7.84888 x 6600 x (1/(1/3) + 1/(2/3)) / 25 = 7.84888 x 1188
    #   = 9324.5 in all -> control 9324.5 / 3 = 3108.2 -> 3,109; treatment 6216.3 -> 6,217
    assert stats.sample_size(sd, 5, 0.95, 0.8, [1, 2]) == [3109, 6217]


def _aa_rate(draw, test, reps: int, rng: random.Random) -> float:
    rejected = sum(test(draw(rng), draw(rng)) < 0.05 for _ in range(reps))
    return rejected / reps


@pytest.mark.parametrize("kpi", ["nps", "csat", "ces"])
def test_aa_simulation_rejects_at_alpha(kpi):
    # two groups drawn from one distribution: the test must reject about 5 % of the time; with
    # 2,000 runs the binomial standard error is sqrt(0.05 x 0.95 / 2000) = 0.0049, so the rate
    # must fall within 0.05 -+ 3 x 0.0049 = [0.0354, 0.0646]
    rng, reps, n = random.Random(20250517), 2000, 300
    scores = [10, 9, 8, 7, 6, 3, 0] if kpi == "nps" else [1, 2, 3, 4, 5]
    weights = [30, 15, 20, 10, 10, 10, 5] if kpi == "nps" else [10, 15, 20, 30, 25]

    def draw(r):
        return r.choices(scores, weights, k=n)

    def test(a, b):
        if kpi == "nps":
            def triple(x):
                return sum(s >= 9 for s in x), sum(s <= 6 for s in x), len(x)

            return stats.nps_diff(triple(a), triple(b), Z95).p
        if kpi == "csat":
            return stats.proportion_diff(sum(s >= 4 for s in a), n, sum(s >= 4 for s in b), n,
                                         Z95).p
        m1, s1 = stats.mean_sd(sum(a), sum(s * s for s in a), n)
        m2, s2 = stats.mean_sd(sum(b), sum(s * s for s in b), n)
        return stats.welch_diff(m1, s1, n, m2, s2, n, 0.95).p

    rate = _aa_rate(draw, test, reps, rng)
    assert 0.05 - 3 * 0.0049 <= rate <= 0.05 + 3 * 0.0049, rate


# --- the CLI: formats, thresholds, alerts, bad input ------------------------------------------


def test_explain_every_format(capsys, two, tmp_path):
    csv_run = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                               "--format", "csv")
    lines = csv_run.stdout.splitlines()
    assert lines[0].startswith("dimension,segment,kpi,period_1,period_2,n_1,n_2,share_1,share_2")
    assert len(lines) == 3  # one row per segment
    assert lines[1].startswith("channel,A,nps_change,2025-05,2025-06,100,50,50.0,25.0,50.0,40.0,"
                               "-10.0,")
    assert ",-11.25,-3.75,-15.0," in lines[1]
    tsv = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                           "--format", "tsv").stdout
    assert tsv.splitlines()[1].split("\t")[:2] == ["channel", "A"]
    nd = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                          "--format", "ndjson").stdout
    assert [json.loads(line)["segment"] for line in nd.splitlines()] == ["A", "B"]
    md = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                          "--format", "markdown").stdout
    assert md.startswith("| dimension | segment |") and md.count("\n") == 4
    table = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                             "--format", "table").stdout
    assert "NPS change 2025-05 → 2025-06  -15.0" in table
    assert "channel  explains" in table and "█" in table  # the waterfall
    assert "NPS fell 15 points" in table
    value = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                             "--value")
    assert (value.returncode, value.stdout) == (0, "-15.0\n")
    out = tmp_path / "change.json"
    run = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                           "-o", out)
    assert run.returncode == 0 and json.loads(out.read_text())["kpi"] == "nps_change"


def test_dimensions_are_ranked_by_what_they_explain(capsys, tmp_path):
    # channel A falls from NPS 50 to 0 while B stays at 30; region splits A and B evenly, so
    # every region moves alike: channel locates the change, region does not
    spec = []
    for seg, region in (("A", "north"), ("A", "south"), ("B", "north"), ("B", "south")):
        jan = (60, 20, 20) if seg == "A" else (50, 30, 20)
        feb = (30, 40, 30) if seg == "A" else (50, 30, 20)
        for date, (p, pa, d) in (("2025-01-05", jan), ("2025-02-05", feb)):
            spec += [(date, seg, region, s, k) for s, k in ((10, p), (8, pa), (3, d))]
    path = tmp_path / "two_dims.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("date", "channel", "region", "nps"))
        for date, seg, region, score, count in spec:
            w.writerows([(date, seg, region, score)] * count)
    data, _ = cxkit_json(capsys, "nps", path, "--period", "month", "--explain", "region",
                         "--explain", "channel")
    # A: 40 -> 0, B: 30 -> 30; overall 35 -> 15 = -20; region: north and south each -20
    assert data["value"] == -20.0
    assert [d["dimension"] for d in data["drivers"]] == ["channel", "region"]
    assert data["drivers"][1]["explained"] == 0.0
    # channel A: rate = -40 x 0.5 = -20, mix 0: all of it
    assert data["drivers"][0]["explained"] == 10.0
    assert "20 from A's NPS falling 40 points" in data["summary"]


def significant_drop(tmp_path) -> Path:
    # January: A NPS 50 (120 P, 60 passives, 20 D of 200), B NPS 30 (100 P, 40 D of 200)
    # February: A NPS 0 (60 P, 80 passives, 60 D), B unchanged -> overall 40 -> 15 (-25)
    spec = (nps_block("2025-01-10", "A", 120, 60, 20) + nps_block("2025-01-10", "B", 100, 60, 40)
            + nps_block("2025-02-10", "A", 60, 80, 60) + nps_block("2025-02-10", "B", 100, 60, 40))
    return answers(tmp_path / "drop.csv", spec)


def test_fail_on_drop_exits_3_naming_the_change_and_the_segment(capsys, tmp_path):
    path = significant_drop(tmp_path)
    run = cxkit_in_process(capsys, "nps", path, "--period", "month", "--explain", "channel",
                           "--fail-on-drop", "--format", "json")
    assert run.returncode == 3
    assert json.loads(run.stdout)["value"] == -25.0  # still printed
    assert "NPS fell 25 points from 2025-01 to 2025-02 (95% CI -" in run.stderr
    assert "significantly worse (--fail-on-drop)" in run.stderr
    assert "channel 'A' explains most: -25 points, its NPS fell 50 points" in run.stderr
    # without --explain: the KPI's own output, the same check on its last two periods
    plain = cxkit_in_process(capsys, "nps", path, "--period", "month", "--fail-on-drop",
                             "--format", "csv")
    assert plain.returncode == 3 and plain.stdout.startswith("period,kpi,value")
    assert "explains most" not in plain.stderr
    # a significant rise is no drop, but it is a change
    rise = answers(tmp_path / "rise.csv", nps_block("2025-01-10", "A", 60, 80, 60)
                   + nps_block("2025-02-10", "A", 120, 60, 20))
    assert cxkit_in_process(capsys, "nps", rise, "--period", "month",
                            "--fail-on-drop").returncode == 0
    moved = cxkit_in_process(capsys, "nps", rise, "--period", "month", "--fail-on-change")
    assert moved.returncode == 3 and "significantly better (--fail-on-change)" in moved.stderr


def test_fail_on_drop_ignores_noise(capsys, two):
    run = cxkit_in_process(capsys, "nps", two, "--period", "month", "--fail-on-drop")
    assert run.returncode == 0  # -15 with p 0.052: not significant at 95 %
    loose = cxkit_in_process(capsys, "nps", two, "--period", "month", "--fail-on-drop",
                             "--confidence", "90")
    assert loose.returncode == 3 and "90% CI" in loose.stderr


def test_ces_rise_is_the_bad_direction(capsys, tmp_path):
    # January: 50 answers of 1 and 50 of 3 (mean 2); February: 50 of 3 and 50 of 5 (mean 4)
    spec = [("2025-01-05", "x", 1, 50), ("2025-01-05", "x", 3, 50),
            ("2025-02-05", "x", 3, 50), ("2025-02-05", "x", 5, 50)]
    path = answers(tmp_path / "ces.csv", spec, header=("date", "channel", "ces"))
    run = cxkit_in_process(capsys, "ces", path, "--period", "month", "--fail-on-drop")
    assert run.returncode == 3 and "CES rose 2 from 2025-01 to 2025-02" in run.stderr
    # on the 1-7 ease scale higher is better: the same rise is good news
    ease = cxkit_in_process(capsys, "ces", path, "--period", "month", "--scale", "1-7",
                            "--fail-on-drop")
    assert ease.returncode == 0


def test_fail_under_on_a_change(capsys, two):
    run = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                           "--fail-under", "-10", "--value")
    assert run.returncode == 3 and run.stdout == "-15.0\n"
    ok = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "channel",
                          "--fail-under", "-20", "--value")
    assert ok.returncode == 0


def test_too_few_answers_are_null_with_the_reason(capsys, tmp_path):
    # CES: segment y has one answer in January, so no standard deviation there: no test
    spec = [("2025-01-05", "x", 1, 5), ("2025-01-05", "x", 3, 5), ("2025-01-05", "y", 2, 1),
            ("2025-02-05", "x", 2, 5), ("2025-02-05", "x", 4, 5), ("2025-02-05", "y", 2, 3),
            ("2025-02-05", "y", 3, 3)]
    path = answers(tmp_path / "few.csv", spec, header=("date", "channel", "ces"))
    data, _ = cxkit_json(capsys, "ces", path, "--period", "month", "--explain", "channel")
    y = next(s for s in data["drivers"][0]["segments"] if s["key"] == {"channel": "y"})
    assert y["p"] is None and y["ci"] is None
    assert y["reason"] == "fewer than 2 answers in 2025-01: no test"
    assert y["change"] == 0.5  # 2 -> 2.5: the values are there, the test is not
    # one month only: nothing to compare
    one = answers(tmp_path / "one.csv", [("2025-01-05", "x", 9, 3)])
    data, _ = cxkit_json(capsys, "nps", one, "--period", "month", "--explain", "channel")
    assert data["value"] is None and data["ci"] is None and data["drivers"] == []
    assert data["reason"] == "fewer than two months with answers (2025-01): nothing to compare"
    run = cxkit_in_process(capsys, "nps", one, "--period", "month", "--fail-on-drop")
    assert run.returncode == 0 and "change not checked (--fail-on-drop)" in run.stderr


def test_compare_picks_the_periods(capsys, tmp_path):
    spec = (nps_block("2025-01-10", "A", 10, 0, 0) + nps_block("2025-02-10", "A", 0, 0, 10)
            + nps_block("2025-03-10", "A", 10, 0, 0))
    path = answers(tmp_path / "three.csv", spec)
    last, _ = cxkit_json(capsys, "nps", path, "--period", "month", "--explain", "channel")
    assert last["periods"] == ["2025-02", "2025-03"] and last["value"] == 200.0
    picked, _ = cxkit_json(capsys, "nps", path, "--period", "month", "--compare",
                           "2025-01,2025-03")
    assert picked["periods"] == ["2025-01", "2025-03"] and picked["value"] == 0.0
    bad = cxkit_in_process(capsys, "nps", path, "--period", "month", "--compare",
                           "2024-12,2025-03")
    assert bad.returncode == 2
    assert "no answers in period 2024-12" in bad.stderr
    assert "periods with answers: 2025-01, 2025-02, 2025-03" in bad.stderr


@pytest.mark.parametrize("args, words", [
    (("--explain", "channel"), "--explain needs --period"),
    (("--fail-on-drop",), "--fail-on-drop needs --period"),
    (("--period", "month", "--explain", "channel", "--by", "channel"), "--explain with --by"),
    (("--versus", "A"), "--versus needs one --by COL"),
    (("--by", "channel", "--expected-split", "50/50"), "--expected-split needs"),
    (("--plan",), "--plan and --mde go together"),
    (("--mde", "5"), "--plan and --mde go together"),
    (("--plan", "--mde", "-1"), "--mde -1: must be a positive number"),
    (("--compare", "2025-05", "--period", "month"), "expected two periods P1,P2"),
    (("--by", "channel", "--versus", "A", "--expected-split", "50/x"), "one positive share"),
    (("--period", "month", "--explain", "channel", "--versus", "A", "--by", "x"), "--explain"),
])
def test_bad_input_is_a_usage_error(capsys, two, args, words):
    run = cxkit_in_process(capsys, "nps", two, *args)
    assert run.returncode == 2, run
    assert words in run.stderr and "Traceback" not in run.stderr


def test_unknown_explain_column_is_named_as_such(capsys, two):
    run = cxkit_in_process(capsys, "nps", two, "--period", "month", "--explain", "plan")
    assert run.returncode == 65
    assert "no column 'plan' (given with --explain)" in run.stderr


def test_versus_every_format(capsys, tmp_path):
    path = worked_groups(tmp_path)
    rows = cxkit_in_process(capsys, "nps", path, "--by", "variant", "--versus", "A",
                            "--format", "csv").stdout.splitlines()
    assert rows[0] == ("variant,kpi,value,ci_low,ci_high,n,promoters,passives,detractors,control,"
                       "diff,diff_ci_low,diff_ci_high,p,p_adjusted,diff_significant,mde,reason")
    # A: A' = 19.9501 -+ 1.959964 x 2.34175 = 19.95 -+ 4.59 = [15.4, 24.5]; the control: no diff
    assert rows[1] == "A,nps,20.0,15.4,24.5,1200,540,360,300,A,,,,,,,,"
    assert rows[2].startswith("B,nps,26.0,") and rows[2].endswith(
        ",A,5.99,-0.34,12.33,0.064,0.064,false,9.06,")
    table = cxkit_in_process(capsys, "nps", path, "--by", "variant", "--versus", "A",
                             "--format", "table").stdout
    assert "vs A" in table and "control" in table and "+5.99" in table
    md = cxkit_in_process(capsys, "nps", path, "--by", "variant", "--versus", "A",
                          "--format", "markdown").stdout
    assert md.startswith("| variant | kpi |")


def test_versus_within_periods(capsys, tmp_path):
    spec = (nps_block("2025-01-10", "A", 540, 360, 300)
            + nps_block("2025-01-10", "B", 675, 351, 324)
            + nps_block("2025-02-10", "A", 540, 360, 300)
            + nps_block("2025-02-10", "B", 540, 360, 300))
    path = answers(tmp_path / "ab2.csv", spec, header=("date", "variant", "nps"))
    data, _ = cxkit_json(capsys, "nps", path, "--by", "variant", "--versus", "A", "--period",
                         "month")
    b = {g["key"]["period"]: g["versus"] for g in data["groups"] if g["key"]["variant"] == "B"}
    assert b["2025-01"]["diff"] == 5.99 and b["2025-02"]["diff"] == 0.0


def test_plan(capsys, tmp_path):
    # 45 % promoters, 30 % passives, 25 % detractors: sd = 100 sqrt(0.66) = 81.24 -> 4,145 each
    path = answers(tmp_path / "base.csv", nps_block("2025-01-10", "x", 45, 30, 25))
    data, _ = cxkit_json(capsys, "nps", path, "--plan", "--mde", "5")
    assert data["kpi"] == "nps_plan" and data["value"] == 4145 and data["total"] == 8290
    assert data["sd"] == 81.24 and data["alpha"] == 0.05
    assert [g["n"] for g in data["per_group"]] == [4145, 4145]
    run = cxkit_in_process(capsys, "nps", path, "--plan", "--mde", "5", "--value")
    assert run.stdout == "4145\n"
    table = cxkit_in_process(capsys, "nps", path, "--plan", "--mde", "5", "--format", "table")
    assert "4,145 answers per group (8,290 in all)" in table.stdout
    # three groups, control A: two comparisons, planned at alpha 0.05 / 2 (Bonferroni bound)
    three = worked_groups(tmp_path, third=True)
    data, _ = cxkit_json(capsys, "nps", three, "--by", "variant", "--versus", "A", "--plan",
                         "--mde", "5")
    assert data["alpha"] == 0.025 and data["baseline"]["source"] == \
        "the control group variant = A"
    # A: P 45 %, D 25 %: sd 81.24; z(0.9875) = 2.241403: n = 2 x 3.083024^2 x 6600 / 25 = 5019
    assert data["value"] == 5019
    csv_rows = cxkit_in_process(capsys, "nps", three, "--by", "variant", "--versus", "A",
                                "--plan", "--mde", "5", "--format", "csv").stdout.splitlines()
    assert csv_rows[0] == "group,share,n,kpi,mde,power,alpha,sd,baseline,reason"
    assert len(csv_rows) == 4


def test_the_survey_kpi_is_unchanged_by_the_refactor(capsys, tmp_path):
    # compute() = result_of(summed()): the plain command prints what it printed before
    path = answers(tmp_path / "base.csv", nps_block("2025-01-10", "x", 45, 30, 25))
    data, _ = cxkit_json(capsys, "nps", path)
    assert (data["kpi"], data["value"], data["n"]) == ("nps", 20.0, 100)
