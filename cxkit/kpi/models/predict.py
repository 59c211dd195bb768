"""Predictive CLV (KPIS.md "Predictive CLV", `"kpi": "clv_predicted"`): BG/NBD for the purchases
and Gamma-Gamma for the spend per purchase, fitted on the customer summary at the calibration
end; per-customer scores over the horizon; the holdout check after the calibration end.

`predict(lf, opts)` returns a `Prediction`: the KpiResult (value = mean CLV per modelled
customer; `model`, `holdout`, `horizon`, `discount`, `margin` in `extra`), the per-customer
scores as a DataFrame, and the fitted models. Data gates (too few customers or repeat buyers, no
convergence, a parameter at a bound) give value null and the reason in `rule`, never an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from cxkit.kpi.models import summary as summ
from cxkit.kpi.models.summary import CID, PERIOD_DAYS, UNIT_DAYS, Summary
from cxkit.kpi.result import Group, KpiResult

KPI = "clv_predicted"
HORIZON_WEEKS = 52
YEAR_DAYS = 365.25  # --discount is an annual rate
HOLDOUT_WARN = 0.25  # a holdout prediction off by more than this share gets a warning


@dataclass
class PredictOptions:
    calibration_end: date | None = None  # None: the last purchase (no holdout)
    time_unit: str = "week"  # or "day"
    horizon: float | None = None  # in time units; None: 52 weeks
    margin: float | None = None  # gross margin as a fraction; None: 100 % (revenue CLV)
    margin_fix: str = "pass --margin 35%"  # how to give one (the report: its settings file)
    discount: float = 0.0  # annual discount rate, a fraction
    by: list[str] = field(default_factory=list)  # mean CLV per segment
    min_customers: int = 100
    min_repeat_buyers: int = 20


@dataclass
class Prediction:
    result: KpiResult
    scores: pl.DataFrame  # one row per modelled customer, in no order
    summary: Summary
    bg_nbd: object | None = None  # bgnbd.BgNbdFit
    gamma_gamma: object | None = None  # gamma_gamma.GammaGammaFit
    rank_by: str = "clv"  # the score `customers` ranks by
    _ranked: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def customers(self) -> pl.DataFrame:
        """The scores, most valuable first (then by customer id), sorted when first asked for
        (2M customers: 0.3 s that a mean or the report's few rows do not need)."""
        if self._ranked is None:
            self._ranked = self.scores.sort([self.rank_by, CID], descending=[True, False],
                                            nulls_last=True)
        return self._ranked


def predict(lf: pl.LazyFrame, opts: PredictOptions, found: tuple | None = None,
            summary: Summary | None = None) -> Prediction:
    """The fits and the customer scores; `found`: `summary.occasions(lf, opts.by)` already made;
    `summary`: the customer summary at `opts.calibration_end` already built."""
    from cxkit.kpi.models import bgnbd, gamma_gamma

    unit = UNIT_DAYS.get(opts.time_unit)
    if unit is None:
        raise ValueError(f"time_unit {opts.time_unit!r}: expected one of {sorted(UNIT_DAYS)}")
    horizon = opts.horizon if opts.horizon is not None else HORIZON_WEEKS * 7 // unit
    if not horizon > 0 or opts.discount < 0:
        raise ValueError("the horizon must be above 0 and the discount rate 0 or more")
    s = summary or summ.build(lf, opts.calibration_end, opts.time_unit, opts.by, found)
    model: dict = {"time_unit": opts.time_unit, "calibration_end": _day(s.calibration_end),
                   "bg_nbd": None, "gamma_gamma": None}
    reason, bg, gg, warnings = _gate_data(s, opts), None, None, []
    if reason is None:
        rows = s.fit_rows()
        bg = bgnbd.fit(rows["x"], rows["t_x"], rows["T"], rows["weight"])
        model["bg_nbd"] = bg.as_dict()
        reason = _gate_fit("BG/NBD", bg, bgnbd.LOWER, bgnbd.UPPER)
    spend_reason = reason
    if reason is None:
        gg, spend_reason, model["gamma_gamma"], warnings = _spend(s, opts, gamma_gamma)
    customers, holdout = _empty_scores(s, opts.by), None
    if reason is None:
        customers = _score(s, bg, gg if spend_reason is None else None, horizon, opts)
        if not _finite(customers, spend_reason is None):
            reason = spend_reason = (
                f"the BG/NBD expectations cannot be computed at these parameters (r {bg.r:.3g}, "
                f"alpha {bg.alpha:.3g}, a {bg.a:.3g}, b {bg.b:.3g})")
            customers = _empty_scores(s, opts.by)
        else:
            holdout = _holdout(s, bg, warnings)
    value = None
    if spend_reason is None:
        value = float(customers["clv"].mean())
    margin = opts.margin if opts.margin is not None else 1.0
    extra = {"model": model, "holdout": holdout, "horizon": horizon, "discount": opts.discount,
             "margin": margin}
    counts = {"repeat_buyers": s.repeat_buyers, "one_time_buyers": s.n - s.repeat_buyers,
              "repeat_purchases": s.repeat_occasions,
              "first_after_calibration": s.first_after_calibration}
    rule = _rule(s, opts, horizon, margin)
    if spend_reason is not None:
        rule = f"not computed: {spend_reason}; {rule}"
    result = KpiResult(KPI, value, s.n, None, counts, s.dropped, rule, 2, extra,
                       warnings=warnings, extra_digits=3)
    if opts.by and spend_reason is None:
        result.groups, result.group_keys = _segments(customers, opts.by), list(opts.by)
    rank_by = "clv" if spend_reason is None else "expected_purchases"
    return Prediction(result, customers, s, bg, gg, rank_by)


def holdout_check(s: Summary) -> dict | None:
    """The holdout check alone (`cxkit report`): BG/NBD fitted on the summary `s` (at a
    calibration end before the last purchase), its expected repeat purchases after that
    against the actual ones, as `extra["holdout"]` of `predict`; no spend model, no scores.
    None when the data or the fit fail a gate, or the expectations are not finite at the
    fitted parameters."""
    from cxkit.kpi.models import bgnbd

    if _gate_data(s, PredictOptions(calibration_end=s.calibration_end)) is not None:
        return None
    rows = s.fit_rows()
    bg = bgnbd.fit(rows["x"], rows["t_x"], rows["T"], rows["weight"])
    if _gate_fit("BG/NBD", bg, bgnbd.LOWER, bgnbd.UPPER) is not None:
        return None
    warnings: list[str] = []
    holdout = _holdout(s, bg, warnings)
    if holdout is None or not math.isfinite(holdout["predicted_repeat_purchases"]):
        return None
    return holdout


def _finite(customers: pl.DataFrame, with_spend: bool) -> bool:
    cols = ["p_alive", "expected_purchases"] + (["clv"] if with_spend else [])
    return bool(customers.select(pl.all_horizontal(pl.col(c).is_finite().all() for c in cols))
                .item())


def _gate_data(s: Summary, opts: PredictOptions) -> str | None:
    if not s.n:
        if s.end is None:
            return "no completed order with a customer and a date"
        return f"no customer's first purchase is on or before {_day(s.calibration_end)}"
    if s.n < opts.min_customers:
        return f"{s.n} customers (a fit needs {opts.min_customers} or more)"
    if s.repeat_buyers < opts.min_repeat_buyers:
        return (f"{s.repeat_buyers} repeat buyers before {_day(s.calibration_end)} (a fit "
                f"needs {opts.min_repeat_buyers} or more)")
    return None


def _gate_fit(name: str, fit, lower: float, upper: float) -> str | None:
    if fit.at_bound:
        return (f"{name} {', '.join(fit.at_bound)} at the edge of the search ({lower:g} to "
                f"{upper:g}): the data do not pin the model down")
    if not fit.converged:
        return f"the {name} fit did not converge ({fit.message.lower()})"
    return None


def _spend(s: Summary, opts: PredictOptions, gamma_gamma):
    """Gamma-Gamma on the repeat buyers with a positive mean repeat spend."""
    if not s.has_amount:
        return None, "no amount column (pass --amount COL)", None, []
    rows = s.spend_rows()
    n = int(rows["weight"].sum()) if rows.height else 0
    excluded = s.repeat_buyers - n
    block = {"p": None, "q": None, "gamma": None, "n": n, "excluded_zero_spend": excluded}
    warnings = []
    if excluded:
        warnings.append(f"{excluded} repeat buyers with a mean repeat spend of 0 or less left "
                        "out of the Gamma-Gamma fit (their expected spend uses a mean of 0)")
    if n < opts.min_repeat_buyers:
        return None, (f"{n} repeat buyers with a positive mean spend (Gamma-Gamma needs "
                      f"{opts.min_repeat_buyers} or more)"), block, warnings
    gg = gamma_gamma.fit(rows["x"], rows["spend"], rows["weight"])
    block.update(gg.as_dict())
    reason = _gate_fit("Gamma-Gamma", gg, gamma_gamma.LOWER, gamma_gamma.UPPER)
    if reason is None and gg.q <= 1:
        reason = "Gamma-Gamma q ≤ 1: the spend per purchase has no finite mean"
    return gg, reason, block, warnings


def _score(s: Summary, bg, gg, horizon: float, opts: PredictOptions) -> pl.DataFrame:
    """P(alive), expected purchases (and discounted), expected spend and CLV per customer.
    The BG/NBD quantities are computed once per distinct (x, t_x, T) and joined back."""
    import numpy as np

    from cxkit.kpi.models import bgnbd, gamma_gamma

    rows = s.fit_rows()
    x, t_x, T = (rows[c].to_numpy() for c in ("x", "t_x", "T"))
    unit = UNIT_DAYS[opts.time_unit]
    with np.errstate(all="ignore"):  # a non-finite expectation is gated by the caller
        expected = bgnbd.conditional_expected(bg, horizon, x, t_x, T)
        discounted = expected
        if opts.discount:  # per week of the horizon, discounted at the week's end
            step = PERIOD_DAYS / unit
            ends = np.minimum(np.arange(1, math.ceil(horizon / step - 1e-9) + 1) * step,
                              horizon)
            factors = (1 + opts.discount) ** (-ends * unit / YEAR_DAYS)
            discounted = bgnbd.discounted_expected(bg, ends, factors, x, t_x, T)
        alive = bgnbd.p_alive(bg, x, t_x, T)
    scores = rows.select("x", "t_x", "T").with_columns(
        pl.Series("p_alive", alive), pl.Series("expected_purchases", expected),
        pl.Series("__discounted", discounted))
    out = s.customers.join(scores, on=["x", "t_x", "T"], how="left")
    if gg is not None:
        mean = out["spend"].fill_null(0.0).clip(lower_bound=0.0).to_numpy()
        spend = gamma_gamma.expected_spend(gg, out["x"].to_numpy(), mean)
        margin = opts.margin if opts.margin is not None else 1.0
        out = out.with_columns(pl.Series("expected_spend", spend))
        clv = (margin * pl.col("__discounted") * pl.col("expected_spend")).alias("clv")
    else:
        out = out.with_columns(pl.lit(None, pl.Float64).alias("expected_spend"))
        clv = pl.lit(None, pl.Float64).alias("clv")
    out = out.with_columns(clv).drop("__discounted")
    return _columns(out, s, opts.by)


def _columns(out: pl.DataFrame, s: Summary, by) -> pl.DataFrame:
    cols = [pl.col(CID), *(pl.col(b) for b in by), pl.col("first").alias("first_purchase"),
            pl.col("last").alias("last_purchase"), pl.col("x").alias("repeat_purchases"),
            "t_x", "T", pl.col("spend").alias("mean_repeat_spend"), "p_alive",
            "expected_purchases", "expected_spend", "clv"]
    if s.holdout_days:
        cols.append(pl.col("holdout").alias("holdout_purchases"))
    return out.select(cols)


def _empty_scores(s: Summary, by) -> pl.DataFrame:
    out = s.customers.head(0).with_columns(
        *(pl.lit(None, pl.Float64).alias(c) for c in
          ("p_alive", "expected_purchases", "expected_spend", "clv")))
    return _columns(out, s, by)


def _holdout(s: Summary, bg, warnings: list[str]) -> dict | None:
    """Repeat purchases after the calibration end: what happened, what the model expected.
    Per week: the unconditional E[X(t)] of each cohort of first purchase (the tracking plot of
    the paper); `predicted_conditional`: Σ E[X(τ) | x, t_x, T] over the customers."""
    import numpy as np

    from cxkit.kpi.models import bgnbd

    if not s.holdout_days:
        return None
    unit = UNIT_DAYS[s.time_unit]
    per = s.holdout
    cohorts = s.cohorts()
    T, w = cohorts["T"].to_numpy(), cohorts["weight"].to_numpy()
    days = np.concatenate([[0.0], ((per["end"] - s.calibration_end).dt.total_days())
                           .to_numpy().astype(float)])
    rows = s.fit_rows()
    tau = s.holdout_days / unit
    with np.errstate(all="ignore"):  # non-finite values print as null, with a warning
        cum = bgnbd.expected(bg, T[:, None] + days[None, :] / unit) - \
            bgnbd.expected(bg, T)[:, None]
        predicted = w @ np.diff(cum, axis=1)
        conditional = float(rows["weight"].to_numpy() @ bgnbd.conditional_expected(
            bg, tau, rows["x"].to_numpy(), rows["t_x"].to_numpy(), rows["T"].to_numpy()))
    if not (np.all(np.isfinite(predicted)) and math.isfinite(conditional)):
        warnings.append("the holdout prediction cannot be computed at these parameters")
    actual = int(per["actual"].sum())
    total = float(predicted.sum())
    if actual and abs(conditional - actual) / actual > HOLDOUT_WARN:
        warnings.append(f"the model expected {conditional:,.0f} repeat purchases after "
                        f"{_day(s.calibration_end)}, {actual:,} happened: check the fit before "
                        "using the scores")
    return {"start": _day(s.calibration_end + timedelta(days=1)), "end": _day(s.end),
            "periods": per.height, "actual_repeat_purchases": actual,
            "predicted_repeat_purchases": total, "predicted_conditional": conditional,
            "per_period": [{"period": r["period"], "start": _day(r["start"]),
                            "end": _day(r["end"]), "actual": r["actual"], "predicted": float(p)}
                           for r, p in zip(per.to_dicts(), predicted, strict=True)]}


def _segments(customers: pl.DataFrame, by: list[str]) -> list[Group]:
    per = customers.group_by(by).agg(pl.col("clv").mean(), pl.len().alias("__n"),
                                     pl.col("p_alive").mean(),
                                     pl.col("expected_purchases").mean()).sort(by,
                                                                                nulls_last=True)
    return [Group({b: r[b] for b in by}, r["clv"], int(r["__n"]), None, {},
                  {"p_alive": r["p_alive"], "expected_purchases": r["expected_purchases"]})
            for r in per.to_dicts()]


def _rule(s: Summary, opts: PredictOptions, horizon: float, margin: float) -> str:
    unit = opts.time_unit
    rule = (f"BG/NBD purchases x Gamma-Gamma spend per purchase, fitted by maximum likelihood "
            f"on purchase occasions (completed orders, same-day orders merged) up to "
            f"{_day(s.calibration_end)}, in {unit}s; value = mean CLV per customer over the "
            f"{horizon:g} {unit}s after it = margin x expected purchases x expected spend")
    if opts.discount:
        rule += f", discounted at {opts.discount * 100:g}% a year"
    rule += f"; margin {margin * 100:g}%"
    if opts.margin is None:
        rule += f" (revenue, not profit): {opts.margin_fix}"
    if not s.holdout_days:
        rule += "; no holdout check: pass --calibration-end DATE before the last order"
    return rule


def _day(value: date | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value is not None else None
