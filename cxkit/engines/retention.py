"""Retention, churn, inactivity churn and cohorts on any engine (cxkit retention).

`cxkit.kpi.retention` reduces the orders to (customer, period) pairs with the customer's first
period, whether it was retained (active the period before) and whether it is a cohort member,
then counts per period and per cohort cell. Here the same reduction and the counts run on the
engine, written once in Narwhals; what comes back is small - the drop counts, the counts per
period, the cohort cells - and `cxkit.kpi.retention` builds the KPIs from them as on Polars.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from cxkit.engines import Source, collect, materialize
from cxkit.engines.orders import CID, canonical, count
from cxkit.engines.typed import DAYS, epoch_days, floor_div, with_epochs

WHY, P = "__why", "__p"


def period_index(at, period: str, days=None):
    """cxkit.kpi.retention.period_index in Narwhals: days since 1970-01-01, weeks since Monday
    1970-01-05, year * 12 + month - 1, year * 4 + quarter - 1, the year (`days`: the
    `epoch_days` of `at`, when a column holds them)."""
    import narwhals as nw

    if period in ("day", "week"):
        days = epoch_days(at) if days is None else days
        return days if period == "day" else floor_div(days - 4, 7)
    year, month = at.dt.year().cast(nw.Int64), at.dt.month().cast(nw.Int64)
    if period == "month":
        return year * 12 + month - 1
    if period == "quarter":
        return year * 4 + floor_div(month - 1, 3)
    return year


def _why(opts, dated: bool):
    """cxkit.kpi.retention._why: 0 counted, else 1 + the index of the reason, or OUTSIDE_OK."""
    import narwhals as nw

    from cxkit.kpi.orders import NOT_COMPLETED
    from cxkit.kpi.retention import OUTSIDE_OK, REASONS

    at, state = nw.col("ordered_at"), nw.col("state")
    checks = [(s, state == s) for s in NOT_COMPLETED if s != "pending"]
    checks += [("pending", (state != "completed").fill_null(True)),
               ("missing_customer", nw.col(CID).is_null())]
    rest = nw.lit(0)
    for reason, cond in reversed(checks):
        rest = nw.when(cond).then(nw.lit(REASONS.index(reason) + 1)).otherwise(rest)
    blank = nw.col("ordered_at__blank")
    expr = nw.when(at.is_null() & blank).then(nw.lit(1)).when(at.is_null()).then(nw.lit(2))
    if dated:
        outside = nw.lit(False)
        if opts.since is not None:
            outside = outside | (at < nw.lit(datetime.combine(opts.since, time())))
        if opts.until is not None:
            outside = outside | (at >= nw.lit(datetime.combine(opts.until + timedelta(days=1),
                                                               time())))
        expr = expr.when(outside).then(
            nw.when(rest == 0).then(nw.lit(OUTSIDE_OK)).otherwise(nw.lit(3)))
    return expr.otherwise(rest).alias(WHY)


def scan(source: Source, loaded, opts):
    """cxkit.kpi.retention._scan on the engine, as a `_Scan` of counts (no pairs)."""
    import narwhals as nw
    import polars as pl

    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.retention import FIRST, OUTSIDE_OK, REASONS, _Scan

    dated = opts.since is not None or opts.until is not None
    lf, _ = canonical(source, loaded, Scope())
    days = None
    if opts.period in ("day", "week"):
        lf, days = with_epochs(source, lf, {DAYS: "ordered_at"}, "days"), nw.col(DAYS)
    rows = materialize(source, lf.with_columns(_why(opts, dated), period_index(
        nw.col("ordered_at"), opts.period, days).alias(P)).select(CID, "ordered_at", WHY, P))
    tally = collect(source, rows.group_by(WHY).agg(nw.len().alias("n")))
    codes = dict(zip(tally[WHY].to_list(), tally["n"].to_list(), strict=True))
    dropped = {r: int(codes.get(i, 0)) for i, r in enumerate(REASONS, 1)}
    dropped["outside_dates"] += int(codes.get(OUTSIDE_OK, 0))
    if not dated:
        del dropped["outside_dates"]

    why = nw.col(WHY)
    base = rows.filter((why == 0) | (why == OUTSIDE_OK) if dated else why == 0)
    firsts = base.group_by(CID).agg(nw.col(P).min().alias(FIRST))
    active = base.filter(why == 0).select(CID, P).unique()
    before = active.select(CID, (nw.col(P) + 1).alias(P), nw.lit(1).alias("__before"))
    first_in = active.group_by(CID).agg(nw.col(P).min().alias("__first_in"))
    pairs = (active.join(before, on=[CID, P], how="left").join(firsts, on=CID, how="left")
             .join(first_in, on=CID, how="left")
             .with_columns((~nw.col("__before").is_null()).alias("__retained"),
                           (nw.col("__first_in") == nw.col(FIRST)).alias("__member")))
    per = collect(source, pairs.group_by(P).agg(
        nw.len().alias("active"), count(nw.col(P) == nw.col(FIRST)).alias("new"),
        count(nw.col("__retained")).alias("retained")))
    per = per.with_columns(pl.col(P).cast(pl.Int32), pl.col("active", "new", "retained")
                           .cast(pl.Int64))
    cells = collect(source, pairs.filter(nw.col("__member"))
                    .with_columns((nw.col(P) - nw.col(FIRST)).alias("since"))
                    .group_by(FIRST, "since").agg(nw.len().alias("k")))
    span = int(per[P].max()) if per.height else None
    result = _Scan(dropped, None, pl.DataFrame(), per=per, cells=cells, span=span)
    if opts.inactive_after_days is not None:
        _inactive(source, rows, opts, result)
    return result


def _inactive(source: Source, rows, opts, result) -> None:
    """cxkit.kpi.retention._inactive: customers with a counted order in [T-2W, T-W), and how
    many of them ordered in [T-W, T]."""
    import narwhals as nw

    from cxkit.kpi.retention import _as_of

    counted = rows.filter(nw.col(WHY) == 0)
    result.latest = collect(source, counted.select(nw.col("ordered_at").max())).item()
    as_of = _as_of(opts) or result.latest
    if as_of is None:
        return
    at, w = nw.col("ordered_at"), timedelta(days=opts.inactive_after_days or 0.0)
    mid = as_of - w
    recent = counted.filter((at >= nw.lit(as_of - 2 * w)) & (at <= nw.lit(as_of)))
    per = recent.group_by(CID).agg(count(at < nw.lit(mid)).alias("before"),
                                   count(at >= nw.lit(mid)).alias("after"))
    got = collect(source, per.select(
        count(nw.col("before") > 0).alias("before"),
        count((nw.col("before") > 0) & (nw.col("after") > 0)).alias("still")))
    result.inactive = (int(got["before"][0] or 0), int(got["still"][0] or 0))
