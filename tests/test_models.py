"""Predictive CLV models (cxkit/kpi/models): the customer summary, BG/NBD, Gamma-Gamma and the
`clv_predicted` KPI, on the CDNOW sample (published figures, tests/data/README.md) and on small
hand-checked frames built with the canonical columns of `cxkit.io.orders.load_orders`."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.special import hyp2f1

from cxkit.kpi.models import bgnbd, gamma_gamma, predict, summary
from cxkit.kpi.models.predict import PredictOptions

CDNOW = Path(__file__).resolve().parent / "data" / "cdnow_sample.csv"
CAL = date(1997, 9, 30)  # the calibration end of the published CDNOW analyses (39 weeks)

# Golden values, as published (tests/data/README.md), asserted to the digits printed there.
# BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
# the Pareto/NBD Model", Marketing Science 24(2), 275-284 (CDNOW 1/10 sample, 39 weeks).
BGNBD_PUBLISHED = {"r": (0.243, 3), "alpha": (4.414, 3), "a": (0.793, 3), "b": (2.426, 3)}
BGNBD_LL_PUBLISHED = (-9582.4, 1)
# same paper: E[X(39) | x = 2, t_x = 30.43, T = 38.86] for a customer of the sample
BGNBD_CONDITIONAL_PUBLISHED = ((39, 2, 30.43, 38.86), 1.226)
# Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer
# Base Analysis", Journal of Marketing Research 42(4), 415-430 (946 repeat buyers).
GG_PUBLISHED = {"p": (6.25, 2), "q": (3.74, 2), "gamma": (15.44, 2)}
# the calibration summary derived from the file (same-day purchases merged)
SUMMARY_DERIVED = {"customers": 2357, "repeat_buyers": 946, "repeat_occasions": 2457}


def cdnow() -> pl.LazyFrame:
    """The CDNOW sample as the loader's canonical frame (every transaction completed)."""
    return pl.scan_csv(CDNOW, schema_overrides={"customer_id": pl.String}).select(
        "customer_id", pl.col("ordered_at").str.to_date(), pl.col("amount").cast(pl.Float64),
        pl.lit("completed").alias("state"))


def orders(rows: list[tuple]) -> pl.LazyFrame:
    """(customer, 'YYYY-MM-DD HH:MM', amount[, state]) -> the canonical orders frame."""
    data = {"customer_id": [r[0] for r in rows],
            "ordered_at": [datetime.fromisoformat(r[1]) if r[1] else None for r in rows],
            "amount": [r[2] for r in rows],
            "state": [r[3] if len(r) > 3 else "completed" for r in rows]}
    return pl.LazyFrame(data, schema={"customer_id": pl.String, "ordered_at": pl.Datetime("us"),
                                      "amount": pl.Float64, "state": pl.String})


def published(value: float, digits: int) -> float:
    return round(value, digits) + 0.0


@pytest.fixture(scope="module")
def cd_summary() -> summary.Summary:
    return summary.build(cdnow(), CAL, "week")


@pytest.fixture(scope="module")
def cd_bgnbd(cd_summary) -> bgnbd.BgNbdFit:
    rows = cd_summary.fit_rows()
    return bgnbd.fit(rows["x"], rows["t_x"], rows["T"], rows["weight"])


@pytest.fixture(scope="module")
def cd_predict() -> predict.Prediction:
    return predict.predict(cdnow(), PredictOptions(calibration_end=CAL))


# --- the CDNOW sample: published figures ----------------------------------------------------

def test_cdnow_summary_matches_the_published_one(cd_summary):
    s = cd_summary
    assert s.n == SUMMARY_DERIVED["customers"]
    assert s.repeat_buyers == SUMMARY_DERIVED["repeat_buyers"]
    assert s.repeat_occasions == SUMMARY_DERIVED["repeat_occasions"]
    assert s.customers["T"].max() == pytest.approx(272 / 7)  # first buyers of 1997-01-01
    assert s.first_after_calibration == 0
    assert sum(s.dropped.values()) == 0
    # fitted on distinct (x, t_x, T), not one row per customer
    rows = s.fit_rows()
    assert rows.height < s.n and rows["weight"].sum() == s.n


def test_cdnow_bgnbd_reproduces_the_published_estimates(cd_bgnbd):
    fit = cd_bgnbd
    assert fit.converged and not fit.at_bound
    for name, (value, digits) in BGNBD_PUBLISHED.items():
        assert published(getattr(fit, name), digits) == value, name
    assert published(fit.log_likelihood, BGNBD_LL_PUBLISHED[1]) == BGNBD_LL_PUBLISHED[0]


def test_cdnow_conditional_expectation_is_the_published_one(cd_bgnbd):
    (t, x, t_x, T), value = BGNBD_CONDITIONAL_PUBLISHED
    at_published = bgnbd.BgNbdFit(*(v for v, _ in BGNBD_PUBLISHED.values()),
                                  log_likelihood=0.0, n=0)
    for fit in (at_published, cd_bgnbd):
        assert round(float(bgnbd.conditional_expected(fit, t, x, t_x, T)), 3) == value


def test_cdnow_gamma_gamma_reproduces_the_published_estimates(cd_summary):
    rows = cd_summary.spend_rows()
    assert rows["weight"].sum() == SUMMARY_DERIVED["repeat_buyers"]
    fit = gamma_gamma.fit(rows["x"], rows["spend"], rows["weight"])
    assert fit.converged and not fit.at_bound
    for name, (value, digits) in GG_PUBLISHED.items():
        assert published(getattr(fit, name), digits) == value, name


def test_cdnow_prediction_has_the_documented_json_shape(cd_predict):
    out = cd_predict.result.to_dict()
    assert out["kpi"] == "clv_predicted" and out["n"] == 2357
    assert out["value"] is not None and out["value"] > 0
    model = out["model"]
    assert model["time_unit"] == "week" and model["calibration_end"] == "1997-09-30"
    assert {k: model["bg_nbd"][k] for k in BGNBD_PUBLISHED} == \
        {k: v for k, (v, _) in BGNBD_PUBLISHED.items()}
    assert round(model["bg_nbd"]["log_likelihood"], 1) == BGNBD_LL_PUBLISHED[0]
    gg = model["gamma_gamma"]
    assert {k: round(gg[k], 2) for k in GG_PUBLISHED} == {k: v for k, (v, _) in
                                                         GG_PUBLISHED.items()}
    assert gg["n"] == 946 and gg["excluded_zero_spend"] == 0
    hold = out["holdout"]
    assert (hold["start"], hold["end"], hold["periods"]) == ("1997-10-01", "1998-06-30", 39)
    # distinct (customer, day) after 1997-09-30: 6,696 occasions - 2,357 first - 2,457 repeat
    assert hold["actual_repeat_purchases"] == 1882
    assert sum(p["actual"] for p in hold["per_period"]) == 1882
    assert sum(p["predicted"] for p in hold["per_period"]) == \
        pytest.approx(hold["predicted_repeat_purchases"], abs=0.01)
    assert 0.8 < hold["predicted_conditional"] / 1882 < 1.0
    assert (out["horizon"], out["discount"], out["margin"]) == (52, 0.0, 1.0)
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert "margin 100% (revenue, not profit): pass --margin" in out["rule"]
    assert out["counts"]["repeat_buyers"] == 946


def test_cdnow_customer_scores(cd_predict):
    c = cd_predict.customers
    assert c.height == 2357 and c["customer_id"].n_unique() == 2357
    assert c["clv"].is_sorted(descending=True)
    assert c["p_alive"].min() > 0 and c["p_alive"].max() == 1.0
    assert (c.filter(pl.col("repeat_purchases") == 0)["p_alive"] == 1.0).all()
    clv = c["expected_purchases"] * c["expected_spend"]
    assert np.allclose(c["clv"].to_numpy(), clv.to_numpy())
    assert cd_predict.result.value == pytest.approx(c["clv"].mean())
    assert c["holdout_purchases"].sum() == 1882


def test_day_unit_alpha_is_seven_times_the_week_alpha(cd_bgnbd, cd_summary):
    days = summary.build(cdnow(), CAL, "day")
    rows = days.fit_rows()
    fit = bgnbd.fit(rows["x"], rows["t_x"], rows["T"], rows["weight"])
    assert fit.alpha == pytest.approx(7 * cd_bgnbd.alpha, rel=1e-4)
    for name in ("r", "a", "b"):
        assert getattr(fit, name) == pytest.approx(getattr(cd_bgnbd, name), rel=1e-4)
    # the same data in days: the likelihood differs by the Jacobian, Σx ln 7
    shift = cd_summary.repeat_occasions * math.log(7)
    assert fit.log_likelihood == pytest.approx(cd_bgnbd.log_likelihood - shift, abs=1e-3)


def test_euler_form_matches_equation_10_and_9(cd_bgnbd):
    r, alpha, a, b = cd_bgnbd.params
    for x, t_x, T, t in [(0, 0, 38.86, 39), (2, 30.43, 38.86, 39), (7, 20, 30, 52),
                         (25, 35, 38, 5)]:
        z = t / (alpha + T + t)
        direct = (a + b + x - 1) / (a - 1) * (
            1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
        if x > 0:
            direct /= 1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        assert bgnbd.conditional_expected(cd_bgnbd, t, x, t_x, T) == pytest.approx(direct,
                                                                                  rel=1e-10)
    for t in (1.0, 39.0, 78.0):
        direct = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r *
                                          hyp2f1(r, b, a + b - 1, t / (alpha + t)))
        assert bgnbd.expected(cd_bgnbd, t) == pytest.approx(direct, rel=1e-10)


def test_discounted_expectation_without_discount_is_the_expectation(cd_bgnbd):
    x, t_x, T = np.array([0, 2, 5]), np.array([0, 30.43, 20.0]), np.array([38.86, 38.86, 30])
    ends = np.arange(1, 53, dtype=float)
    flat = bgnbd.discounted_expected(cd_bgnbd, ends, np.ones(52), x, t_x, T)
    assert np.allclose(flat, bgnbd.conditional_expected(cd_bgnbd, 52, x, t_x, T))


def test_gradients_are_those_of_the_likelihoods(cd_summary):
    rows = cd_summary.fit_rows()
    x, t_x, T, w = (rows[c].to_numpy() for c in ("x", "t_x", "T", "weight"))
    params = np.array([0.3, 5.0, 0.8, 2.0])
    _, grad = bgnbd._loglik(params, bgnbd._Rows(x.astype(float), t_x, T, w.astype(float)))
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6 * params[i]
        num = (bgnbd.log_likelihood(params + step, x, t_x, T, w) -
               bgnbd.log_likelihood(params - step, x, t_x, T, w)) / (2 * step[i])
        assert grad[i] == pytest.approx(num, rel=1e-5)
    sr = cd_summary.spend_rows()
    xs, m, ws = (sr[c].to_numpy().astype(float) for c in ("x", "spend", "weight"))
    params = np.array([5.0, 3.0, 14.0])
    _, grad = gamma_gamma._terms(params, xs, m)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6 * params[i]
        num = (gamma_gamma.log_likelihood(params + step, xs, m, ws) -
               gamma_gamma.log_likelihood(params - step, xs, m, ws)) / (2 * step[i])
        assert grad[i] @ ws == pytest.approx(num, rel=1e-5)


# --- hand-checked small cases ---------------------------------------------------------------

def test_one_purchase_customer():
    s = summary.build(orders([("c1", "2024-01-01 10:00", 20.0),
                              ("c2", "2024-01-15 10:00", 5.0)]), date(2024, 1, 29), "week")
    c1 = s.customers.filter(pl.col("customer_id") == "c1").row(0, named=True)
    assert (c1["x"], c1["t_x"], c1["T"], c1["spend"]) == (0, 0.0, 4.0, None)
    fit = bgnbd.BgNbdFit(0.5, 4.0, 0.8, 2.5, 0.0, 0)
    assert bgnbd.p_alive(fit, 0, 0.0, 4.0) == 1.0  # no repeat purchase: no chance to drop out
    r, alpha, a, b = fit.params
    t, T = 10.0, 4.0
    z = t / (alpha + T + t)
    hand = (a + b - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** r *
                                    hyp2f1(r, b, a + b - 1, z))
    assert bgnbd.conditional_expected(fit, t, 0, 0.0, T) == pytest.approx(hand, rel=1e-12)


def test_customer_who_bought_every_week():
    start = datetime(2024, 1, 1, 9)
    rows = [("w", (start + timedelta(weeks=k)).isoformat(sep=" ", timespec="minutes"), 10.0)
            for k in range(10)]
    s = summary.build(orders(rows), None, "week")  # calibration end: the last purchase
    w = s.customers.row(0, named=True)
    assert (w["x"], w["t_x"], w["T"], w["spend"]) == (9, 9.0, 9.0, 10.0)
    assert s.calibration_end == date(2024, 3, 4) and s.holdout.height == 0
    fit = bgnbd.BgNbdFit(0.5, 4.0, 0.8, 2.5, 0.0, 0)
    # bought in the last week: ((α+T)/(α+t_x))^(r+x) = 1, P(alive) = 1 / (1 + a/(b+x-1))
    assert bgnbd.p_alive(fit, 9, 9.0, 9.0) == pytest.approx(1 / (1 + 0.8 / (2.5 + 8)))
    # silent for ten more weeks: less likely alive
    assert bgnbd.p_alive(fit, 9, 9.0, 19.0) < bgnbd.p_alive(fit, 9, 9.0, 9.0)


def test_same_day_orders_are_one_occasion():
    s = summary.build(orders([
        ("m", "2024-01-01 09:00", 10.0), ("m", "2024-01-01 18:30", 5.0),  # first occasion: 15
        ("m", "2024-01-08 08:00", 30.0), ("m", "2024-01-08 23:59", 20.0),  # repeat: 50
        ("m", "2024-01-22 12:00", 40.0),  # repeat: 40
        ("m", "2024-02-05 10:00", 7.0), ("m", "2024-02-05 11:00", 8.0),  # holdout, week 2
    ]), date(2024, 1, 28), "week")
    m = s.customers.row(0, named=True)
    assert (m["x"], m["t_x"], m["T"]) == (2, 3.0, 27 / 7)
    assert m["spend"] == pytest.approx(45.0)  # (50 + 40) / 2: the first occasion left out
    assert m["holdout"] == 1
    assert s.holdout["actual"].to_list() == [0, 1]
    assert s.holdout["start"].to_list() == [date(2024, 1, 29), date(2024, 2, 5)]
    assert s.holdout["end"].to_list() == [date(2024, 2, 4), date(2024, 2, 5)]


def test_rows_dropped_by_reason_and_late_customers_counted():
    s = summary.build(orders([
        ("a", "2024-01-01 09:00", 10.0), ("a", "2024-01-09 09:00", 12.0),
        ("a", "2024-01-10 09:00", 99.0, "cancelled"), ("a", "2024-01-11 09:00", 9.0, "pending"),
        (None, "2024-01-02 09:00", 10.0), ("b", None, 10.0), ("b", "2024-01-03 09:00", None),
        ("late", "2024-02-01 09:00", 10.0),  # first purchase after the calibration end
    ]), date(2024, 1, 20), "week")
    assert s.dropped == {"missing_date": 1, "cancelled": 1, "abandoned": 0, "pending": 1,
                         "failed": 0, "not_completed": 0, "missing_customer": 1,
                         "missing_amount": 1}
    assert s.customers["customer_id"].to_list() == ["a"]
    assert s.first_after_calibration == 1
    assert s.customers.row(0, named=True)["spend"] == 12.0


def test_date_and_datetime_inputs_give_the_same_summary():
    lf = orders([("a", "2024-01-01 23:59", 1.0), ("a", "2024-01-15 00:01", 2.0)])
    as_dates = lf.with_columns(pl.col("ordered_at").dt.date())
    a = summary.build(lf, date(2024, 1, 31)).customers
    b = summary.build(as_dates, date(2024, 1, 31)).customers
    assert a.equals(b) and a.row(0, named=True)["t_x"] == 2.0


def test_zero_spend_repeat_buyer_is_left_out_of_gamma_gamma_and_counted():
    # customer 1 buys on 1997-01-01, -01-18, -08-02 (calibration) and -12-12: its repeat
    # purchases made free
    free = (pl.col("customer_id") == "1") & (pl.col("ordered_at") > date(1997, 1, 1))
    lf = cdnow().with_columns(pl.when(free).then(0.0).otherwise(pl.col("amount")).alias("amount"))
    pred = predict.predict(lf, PredictOptions(calibration_end=CAL))
    gg = pred.result.to_dict()["model"]["gamma_gamma"]
    assert gg["excluded_zero_spend"] == 1 and gg["n"] == 945
    assert any("mean repeat spend of 0 or less" in w for w in pred.result.warnings)
    one = pred.customers.filter(pl.col("customer_id") == "1").row(0, named=True)
    assert one["repeat_purchases"] == 2 and one["mean_repeat_spend"] == 0.0
    fit = pred.gamma_gamma
    # scored with a mean of 0: p γ / (p x + q − 1), below the population mean p γ / (q − 1)
    assert one["expected_spend"] == pytest.approx(fit.p * fit.gamma / (fit.p * 2 + fit.q - 1))
    assert one["expected_spend"] < fit.mean_spend


def test_gate_too_few_customers_gives_null_and_the_reason():
    ids = [str(i) for i in range(1, 51)]
    lf = cdnow().filter(pl.col("customer_id").is_in(ids))
    pred = predict.predict(lf, PredictOptions(calibration_end=CAL))
    out = pred.result.to_dict()
    assert out["value"] is None and out["n"] == 50
    assert out["rule"].startswith("not computed: 50 customers (a fit needs 100 or more)")
    assert out["model"]["bg_nbd"] is None and out["holdout"] is None
    assert pred.customers.height == 0 and "clv" in pred.customers.columns


def test_gate_too_few_repeat_buyers():
    s = summary.build(cdnow(), CAL)
    keep = s.customers.filter(pl.col("x") == 0)["customer_id"].to_list()[:300]
    keep += s.customers.filter(pl.col("x") > 0)["customer_id"].to_list()[:5]
    pred = predict.predict(cdnow().filter(pl.col("customer_id").is_in(keep)),
                           PredictOptions(calibration_end=CAL))
    assert pred.result.value is None
    assert pred.result.rule.startswith("not computed: 5 repeat buyers before 1997-09-30 (a fit "
                                       "needs 20 or more)")


def test_gate_no_convergence_and_parameter_at_a_bound(monkeypatch, cd_bgnbd):
    for change, words in [({"at_bound": ("b",)}, "BG/NBD b at the edge of the search"),
                          ({"converged": False, "message": "ABNORMAL"},
                           "the BG/NBD fit did not converge (abnormal)")]:
        fitted = bgnbd.BgNbdFit(**{**cd_bgnbd.__dict__, **change})
        monkeypatch.setattr(bgnbd, "fit", lambda *a, _f=fitted, **k: _f)
        pred = predict.predict(cdnow(), PredictOptions(calibration_end=CAL))
        assert pred.result.value is None
        assert pred.result.rule.startswith("not computed: " + words)
        assert pred.customers.height == 0


def test_gate_calibration_end_before_every_first_purchase():
    out = predict.predict(cdnow(), PredictOptions(calibration_end=date(1996, 12, 31)))
    assert out.result.value is None and out.result.n == 0
    assert out.result.rule.startswith(
        "not computed: no customer's first purchase is on or before 1996-12-31")
    assert out.result.counts["first_after_calibration"] == 2357


def test_a_fit_without_repeat_purchases_ends_at_a_bound():
    fit = bgnbd.fit([0, 0, 0], [0.0, 0.0, 0.0], [10.0, 20.0, 30.0], [50, 50, 50])
    assert fit.at_bound  # no purchase at all: the purchase rate runs to 0


def test_without_amounts_purchases_are_scored_and_clv_is_null():
    pred = predict.predict(cdnow().drop("amount"), PredictOptions(calibration_end=CAL))
    out = pred.result.to_dict()
    assert out["value"] is None
    assert out["rule"].startswith("not computed: no amount column (pass --amount COL)")
    assert out["model"]["bg_nbd"]["r"] == 0.243 and out["model"]["gamma_gamma"] is None
    c = pred.customers
    assert c.height == 2357 and c["clv"].null_count() == 2357
    assert c["expected_purchases"].is_sorted(descending=True) and c["p_alive"].min() > 0
    assert out["holdout"]["actual_repeat_purchases"] == 1882


def test_a_by_column_named_like_a_score_is_refused():
    from cxkit.errors import UsageError

    with pytest.raises(UsageError, match="--by clv"):
        predict.predict(cdnow().with_columns(pl.lit("a").alias("clv")),
                        PredictOptions(by=["clv"]))


def test_no_holdout_without_calibration_end():
    pred = predict.predict(cdnow(), PredictOptions())
    out = pred.result.to_dict()
    assert out["model"]["calibration_end"] == "1998-06-30" and out["holdout"] is None
    assert "no holdout check: pass --calibration-end" in out["rule"]
    assert "holdout_purchases" not in pred.customers.columns


def test_margin_discount_and_segments():
    seg = pl.when(pl.col("customer_id").cast(pl.Int64) % 2 == 0).then(pl.lit("even")) \
        .otherwise(pl.lit("odd")).alias("parity")
    lf = cdnow().with_columns(seg)
    base = predict.predict(lf, PredictOptions(calibration_end=CAL, by=["parity"]))
    half = predict.predict(lf, PredictOptions(calibration_end=CAL, margin=0.5))
    disc = predict.predict(lf, PredictOptions(calibration_end=CAL, discount=0.1))
    assert half.result.value == pytest.approx(base.result.value / 2)
    assert "margin 50%" in half.result.rule and "pass --margin" not in half.result.rule
    # 10 % a year over 52 weeks: each week's purchases discounted, between 1/1.1 and 1
    ratio = disc.result.value / base.result.value
    assert 1 / 1.1 < ratio < 1
    assert "discounted at 10% a year" in disc.result.rule
    groups = {g.key["parity"]: g for g in base.result.groups}
    assert set(groups) == {"even", "odd"} and base.result.group_keys == ["parity"]
    assert sum(g.n for g in groups.values()) == 2357
    odd = base.customers.filter(pl.col("parity") == "odd")
    assert groups["odd"].value == pytest.approx(odd["clv"].mean())


def test_horizon_in_days():
    week = predict.predict(cdnow(), PredictOptions(calibration_end=CAL))
    day = predict.predict(cdnow(), PredictOptions(calibration_end=CAL, time_unit="day"))
    assert day.result.extra["horizon"] == 364
    assert day.result.extra["model"]["bg_nbd"]["alpha"] == pytest.approx(
        7 * week.result.extra["model"]["bg_nbd"]["alpha"], rel=1e-4)
    assert day.result.value == pytest.approx(week.result.value, rel=1e-4)


def test_importing_the_models_does_not_import_numpy_or_scipy():
    code = ("import sys; import cxkit.kpi.models.predict, cxkit.kpi.models.bgnbd, "
            "cxkit.kpi.models.gamma_gamma; "
            "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"  # both come in only when a model is fitted


def test_summaries_at_two_ends_from_one_pass_match_each_built_alone():
    # the report's two fits: build_many makes both summaries from one per-customer pass.
    # c1 buys on 01-01 (10), 01-15 (20) and 02-12 (30); c2 on 01-08 (5) and 02-05 (7).
    # At 01-29: c1 x 1, t_x 2 weeks, T 4, spend 20, 1 purchase after; c2 x 0, T 3.
    rows = [("c1", "2024-01-01 10:00", 10.0), ("c1", "2024-01-15 10:00", 20.0),
            ("c1", "2024-02-12 10:00", 30.0), ("c2", "2024-01-08 10:00", 5.0),
            ("c2", "2024-02-05 10:00", 7.0)]
    lf = orders(rows)
    both = summary.build_many(lf, [date(2024, 1, 29), None], "week")
    for got, end in zip(both, [date(2024, 1, 29), None], strict=True):
        alone = summary.build(lf, end, "week")
        assert got.customers.sort("customer_id").equals(alone.customers.sort("customer_id"))
        assert got.holdout.equals(alone.holdout) and got.calibration_end == alone.calibration_end
    c1 = both[0].customers.filter(pl.col("customer_id") == "c1").row(0, named=True)
    assert (c1["x"], c1["t_x"], c1["T"], c1["spend"], c1["holdout"]) == (1, 2.0, 4.0, 20.0, 1)
    c2 = both[1].customers.filter(pl.col("customer_id") == "c2").row(0, named=True)
    # at the last purchase (02-12): c2 x 1, t_x 4 weeks, T 5, spend 7
    assert (c2["x"], c2["t_x"], c2["T"], c2["spend"]) == (1, 4.0, 5.0, 7.0)


HEAP_PROBE = """
import resource, sys
import numpy as np
from cxkit.cli import heap
from cxkit.kpi.models import bgnbd
took = heap.tune() if sys.argv[1] == "tuned" else None
rng = np.random.default_rng(7)  # 460,000 customer summaries, as 10M orders give
T = rng.integers(1, 105, 460_000).astype(float)
t_x = np.floor(T * rng.random(460_000))
x = np.where(t_x > 0, rng.integers(1, 30, 460_000), 0).astype(float)
rows = bgnbd._Rows(x, t_x, T, np.ones_like(x))
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):  # ten evaluations of the likelihood, as a fit makes thirty
    ll, grad = bgnbd._loglik((0.5, 10.0, 0.8, 2.0), rows)
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(took, after - before, repr(ll))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_tuned_heap_keeps_numpy_temporaries_without_faulting_them_in_again():
    # Ten evaluations of the BG/NBD likelihood over 460,000 rows: untuned, glibc gives its
    # 3.7 MB temporaries fresh mmaps or trims them off the heap top when freed, and each
    # evaluation faults their pages in again (170,000 faults here); tuned (cxkit.cli.heap, as
    # `cxkit` runs), they stay on the heap and are reused (10,000: the first evaluation's).
    # The same log-likelihood either way.
    runs = {mode: subprocess.run([sys.executable, "-c", HEAP_PROBE, mode], capture_output=True,
                                 text=True, check=True).stdout.split()
            for mode in ("plain", "tuned")}
    assert runs["tuned"][0] == "True"
    plain, tuned = int(runs["plain"][1]), int(runs["tuned"][1])
    assert plain > 100_000 and tuned * 4 < plain
    assert runs["plain"][2] == runs["tuned"][2]
