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
from cxkit.kpi.specs import ROW, money_sum

CID = orders.CID
YEAR = timedelta(days=365)


@dataclass
class ClvOptions:
    margin: float | None = None  # gross margin as a fraction; None: 100 % (revenue CLV)
    annual_churn: float | None = None  # fraction; None: measured
    top: int | None = None
    confidence: float = 0.95


MIN_CHURN = 0.001  # --churn 0.1 %: a lifetime of 1,000 years; less is not a churn rate


def parse_share(text: str, option: str, minimum: float = 0.0) -> float:
    """`35%`, `35` or `0.35` -> 0.35 (a number above 1 is a percentage); above `minimum`
    (or equal to it) and up to 100 %."""
    from cxkit.units import share

    value = share(text)
    if value is None or value < minimum:
        low = f"from {minimum * 100:g}%" if minimum else "above 0"
        raise UsageError(f"{option} '{text}': expected a share {low} and up to 100%",
                         f"e.g. {option} 35% or {option} 0.35")
    return value


def compute(lf: pl.LazyFrame, scope: Scope, opts: ClvOptions) -> list[KpiResult]:
    names = lf.collect_schema().names()
    keep = [CID, "ordered_at", "ordered_at__blank", "amount", "amount__blank", "state",
            *scope.by]
    # the file is read once; the queries below run on the columns CLV needs, in memory
    lf = lf.select([c for c in dict.fromkeys(keep) if c in names]).collect(
        engine="streaming").lazy()
    cols = set(lf.collect_schema().names())
    oopts = orders.OrderOptions(opts.confidence)
    if not {CID, "amount"} <= cols:
        return orders.compute(lf, scope, oopts, ["clv"])
    done = orders.prepare(lf, Scope(since=scope.since, until=scope.until))
    done = done.filter((pl.col(ROW) == 0) & pl.col("__done") & pl.col(CID).is_not_null())
    last = done.select(pl.col("ordered_at").max()).collect().item()
    customers = _per_customer(done, last)
    # the KPI's per-customer sums are these customers' (one group-by of the ids, not two)
    plan = orders.plan(lf, scope, oopts, ["clv"], customers.select(
        CID, pl.col("n").alias("__orders"), pl.col("revenue").alias("__revenue")))
    *frames, per = pl.collect_all([*plan.queries, customers], engine="streaming")
    results = plan.finish(frames)
    results.append(_formula(per, last, opts))
    if opts.top:
        results.append(_top(per, opts.top))
    return results


def _per_customer(done: pl.LazyFrame, last) -> pl.LazyFrame:
    """One row per customer: revenue, orders, first and last order, and whether they ordered
    in the year before the last year (`before`) and in the last year (`since`)."""
    at, amount = pl.col("ordered_at"), pl.col("amount")
    flags = []
    if last is not None:
        year_ago, two_ago = last - YEAR, last - 2 * YEAR
        flags = [((at >= two_ago) & (at < year_ago)).any().alias("before"),
                 (at > year_ago).any().alias("since")]
    return done.group_by(CID).agg(
        money_sum(amount).alias("revenue"), amount.count().alias("with_amount"),
        pl.len().alias("n"), at.min().alias("first"), at.max().alias("last"), *flags,
    )


def _formula(per: pl.DataFrame, last, opts: ClvOptions) -> KpiResult:
    n = per.height
    rule = ("AOV x purchases per customer per year x margin x lifetime (1 / annual churn); "
            "purchases per year = orders / customers / years from first to last order")
    if not n or last is None:
        return KpiResult("clv_formula", None, 0, None, {}, {}, rule, 2,
                         confidence=opts.confidence)
    with_amount = int(per["with_amount"].sum())
    days = (_date(last) - _date(per["first"].min())).days + 1  # calendar days, both ends
    years = days / 365.25
    aov = float(per["revenue"].sum()) / with_amount if with_amount else None
    per_year = int(per["n"].sum()) / n / years
    churn, churn_counts, churn_rule = _annual_churn(per, last, opts)
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


def _annual_churn(per: pl.DataFrame, last, opts: ClvOptions):
    if opts.annual_churn is not None:
        return opts.annual_churn, {}, f"annual churn {opts.annual_churn * 100:g}% (--churn)"
    base_rows = per.filter(pl.col("before"))
    base, churned = base_rows.height, int((~base_rows["since"]).sum())
    rule = (f"annual churn = customers with an order in the year before {last - YEAR:%Y-%m-%d} "
            f"and none since / those customers ({churned} of {base})")
    if not base:
        return None, {}, rule + "; needs more than a year of orders, or pass --churn 40%"
    return churned / base, {"churned": churned, "retained": base - churned}, rule


def _top(per: pl.DataFrame, top: int) -> KpiResult:
    total = float(per["revenue"].sum())
    best = per.sort(["revenue", CID], descending=[True, False], nulls_last=True).head(top)
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
