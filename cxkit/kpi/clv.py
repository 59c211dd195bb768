"""Customer lifetime value (KPIS.md "Orders"): historical, formula, most valuable customers.

Historical CLV is the `clv` KPI of `cxkit.kpi.orders` (revenue per customer to date). Formula:
`CLV = AOV x purchases per customer per year x gross margin x expected lifetime in years`,
lifetime = 1 / annual churn, where annual churn is measured at the latest order T: of the
customers who ordered in [T - 2 years, T - 1 year), the share with no order in (T - 1 year, T].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from cxkit.errors import UsageError
from cxkit.kpi import orders
from cxkit.kpi.grouping import Scope
from cxkit.kpi.result import Group, KpiResult
from cxkit.kpi.specs import ROW

CID = orders.CID
YEAR = timedelta(days=365)


@dataclass
class ClvOptions:
    margin: float | None = None  # gross margin as a fraction; None: 100 % (revenue CLV)
    annual_churn: float | None = None  # fraction; None: measured
    top: int | None = None
    confidence: float = 0.95


def parse_share(text: str, option: str) -> float:
    """`35%`, `35` or `0.35` -> 0.35 (a number above 1 is a percentage)."""
    raw = text.strip().rstrip("%").strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if text.strip().endswith("%") or value > 1:
        value /= 100
    if not 0 < value <= 1:
        raise UsageError(f"{option} '{text}': expected a share above 0 and up to 100%",
                         f"e.g. {option} 35% or {option} 0.35")
    return value


def compute(lf: pl.LazyFrame, scope: Scope, opts: ClvOptions) -> list[KpiResult]:
    cols = set(lf.collect_schema().names())
    results = orders.compute(lf, scope, orders.OrderOptions(opts.confidence), ["clv"])
    if not {CID, "amount"} <= cols:
        return results
    done = orders.prepare(lf, Scope(since=scope.since, until=scope.until))
    done = done.filter((pl.col(ROW) == 0) & pl.col("__done") & pl.col(CID).is_not_null())
    results.append(_formula(done, opts))
    if opts.top:
        results.append(_top(done, opts.top))
    return results


def _formula(done: pl.LazyFrame, opts: ClvOptions) -> KpiResult:
    at, amount = pl.col("ordered_at"), pl.col("amount")
    totals = done.select(
        amount.sum().alias("revenue"), amount.count().alias("with_amount"),
        pl.len().alias("orders"), pl.col(CID).n_unique().alias("customers"),
        at.min().alias("first"), at.max().alias("last"),
    ).collect(engine="streaming").row(0, named=True)
    n = totals["customers"]
    rule = ("AOV x purchases per customer per year x margin x lifetime (1 / annual churn); "
            "purchases per year = orders / customers / years from first to last order")
    if not n or totals["first"] is None:
        return KpiResult("clv_formula", None, 0, None, {}, {}, rule, 2,
                         confidence=opts.confidence)
    first, last = totals["first"], totals["last"]
    days = (_date(last) - _date(first)).days + 1  # calendar days, both ends included
    years = days / 365.25
    aov = totals["revenue"] / totals["with_amount"] if totals["with_amount"] else None
    per_year = totals["orders"] / n / years
    churn, churn_counts, churn_rule = _annual_churn(done, last, opts)
    margin = opts.margin if opts.margin is not None else 1.0
    lifetime = 1 / churn if churn else None
    value = aov * per_year * margin * lifetime if aov is not None and lifetime else None
    rule += f"; margin {margin * 100:g}%" + ("" if opts.margin else " (no --margin: revenue "
                                             "CLV, pass --margin 35%)") + "; " + churn_rule
    extra = {"aov": aov, "purchases_per_year": per_year, "margin": margin * 100,
             "annual_churn": churn * 100 if churn is not None else None,
             "lifetime_years": lifetime, "years_of_data": years}
    return KpiResult("clv_formula", value, n, None, churn_counts, {}, rule, 2, extra,
                     confidence=opts.confidence)


def _annual_churn(done: pl.LazyFrame, last, opts: ClvOptions):
    if opts.annual_churn is not None:
        return opts.annual_churn, {}, f"annual churn {opts.annual_churn * 100:g}% (--churn)"
    at = pl.col("ordered_at")
    year_ago, two_ago = last - YEAR, last - 2 * YEAR
    per = done.group_by(CID).agg(
        ((at >= two_ago) & (at < year_ago)).any().alias("before"),
        ((at > year_ago) & (at <= last)).any().alias("since"),
    ).filter(pl.col("before"))
    counts = per.select(pl.len().alias("n"), (~pl.col("since")).sum().alias("churned")) \
        .collect(engine="streaming").row(0, named=True)
    base, churned = counts["n"], int(counts["churned"] or 0)
    rule = (f"annual churn = customers with an order in the year before {year_ago:%Y-%m-%d} "
            f"and none since / those customers ({churned} of {base})")
    if not base:
        return None, {}, rule + "; needs more than a year of orders, or pass --churn 40%"
    return churned / base, {"churned": churned, "retained": base - churned}, rule


def _top(done: pl.LazyFrame, top: int) -> KpiResult:
    at = pl.col("ordered_at")
    per = done.group_by(CID).agg(pl.col("amount").sum().alias("revenue"), pl.len().alias("n"),
                                 at.min().alias("first"), at.max().alias("last"))
    total = per.select(pl.col("revenue").sum()).collect(engine="streaming").item() or 0.0
    best = per.sort(["revenue", CID], descending=[True, False], nulls_last=True).head(top) \
        .collect(engine="streaming")
    groups = [Group({CID: r[CID]}, r["revenue"], r["n"], None, {},
                    {"first_order": _day(r["first"]), "last_order": _day(r["last"])})
              for r in best.to_dicts()]
    theirs = sum(g.value or 0 for g in groups)
    rule = (f"the {top} customers with the most revenue (completed orders); value = their "
            "revenue combined, share_of_revenue = its share of all revenue (%)")
    return KpiResult("top_customers", theirs, len(groups), None, {}, {}, rule, 2,
                     {"share_of_revenue": 100 * theirs / total if total else None},
                     groups=groups, group_keys=[CID])


def _date(value):
    return value.date() if hasattr(value, "date") else value


def _day(value) -> str | None:
    return value.strftime("%Y-%m-%d") if value is not None else None
