"""Customer retention KPIs (KPIS.md "Orders"): retention and churn period over period, inactivity
churn at an as-of moment, and the cohort retention matrix.

Input: the canonical orders frame (`customer_id`, `ordered_at`, `ordered_at__blank`, `state`).
A counted order is completed, dated, inside --since/--until and has a customer. One streaming
pass counts the dropped rows and reduces each usable order to integers: two hashes of its
customer and its period index (months since year 0, days since 1970...), so consecutive periods
differ by one and a gap period is an index with no orders. One integer sort puts each customer's
periods in order; first period, retained and cohort membership are then shifts along it, and
the figures small group_bys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import polars as pl

from cxkit.kpi import stats
from cxkit.kpi.grouping import PERIOD_COL, PERIODS, START, label_periods
from cxkit.kpi.orders import NOT_COMPLETED
from cxkit.kpi.result import Group, KpiResult
from cxkit.kpi.specs import DATE_DROPS

REASONS = (*DATE_DROPS, *NOT_COMPLETED, "missing_customer")  # as `cxkit orders` names them
CUST, AT, BLANK, STATE = "customer_id", "ordered_at", "ordered_at__blank", "state"
P, IN, FIRST, WHY = "__p", "__in", "__first", "__why"  # period index, in scope, first period
H1, H2, RET, MEMBER, KEY = "__h1", "__h2", "__retained", "__member", "__key"
OUTSIDE_OK = 9  # drop code: outside --since/--until, but a completed order with a customer
# Bounds on what one export can make cxkit build (the loader already drops dates before 1900 and
# after this year + 2): a longer span of periods lists only the periods around orders, and a
# cohort matrix of more cells keeps its latest cohorts (the headline still pools them all).
MAX_PERIODS = 5_000
MAX_CELLS = 1_000_000


@dataclass
class RetentionOptions:
    period: str = "month"  # day, week, month, quarter, year (grouping.PERIODS keys)
    since: date | None = None  # inclusive, on the order's calendar day
    until: date | None = None  # inclusive
    as_of: datetime | None = None  # inactivity churn moment; default: latest counted order
    inactive_after_days: float | None = None  # --inactive-after; None: no inactivity churn KPI
    confidence: float = 0.95


def period_index(at: pl.Expr, period: str) -> pl.Expr:
    """Integer period of a datetime: day = days since 1970-01-01, week = weeks since Monday
    1970-01-05, month = year * 12 + month - 1, quarter = year * 4 + quarter - 1, year = year."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}: use one of {', '.join(PERIODS)}")
    if period in ("day", "week"):
        days = at.dt.epoch("d")
        return days if period == "day" else (days - 4) // 7
    year = at.dt.year().cast(pl.Int32)
    if period == "month":
        return year * 12 + at.dt.month().cast(pl.Int32) - 1
    if period == "quarter":
        return year * 4 + at.dt.quarter().cast(pl.Int32) - 1
    return year


def period_start(idx: pl.Expr, period: str) -> pl.Expr:
    """The first day of an integer period (the inverse of `period_index`)."""
    idx = idx.cast(pl.Int32)
    if period == "day":
        return idx.cast(pl.Date)
    if period == "week":
        return (idx * 7 + 4).cast(pl.Date)
    if period == "month":
        return pl.date(idx // 12, idx % 12 + 1, 1)
    if period == "quarter":
        return pl.date(idx // 4, idx % 4 * 3 + 1, 1)
    return pl.date(idx, 1, 1)


def _labels(indexes: list[int], period: str) -> list[str]:
    df = pl.DataFrame({P: indexes}, schema={P: pl.Int32})
    df = label_periods(df.with_columns(period_start(pl.col(P), period).alias(START)), period)
    return df[PERIOD_COL].to_list()


def _dated(opts: RetentionOptions) -> bool:
    return opts.since is not None or opts.until is not None


def _outside(opts: RetentionOptions) -> pl.Expr:
    """Ordered before --since or after --until (calendar days; compared as datetimes)."""
    at, out = pl.col(AT), pl.lit(False)
    if opts.since is not None:
        out = out | (at < datetime.combine(opts.since, time()))
    if opts.until is not None:
        out = out | (at >= datetime.combine(opts.until + timedelta(days=1), time()))
    return out


def _why(names: list[str], opts: RetentionOptions) -> pl.Expr:
    """0 for a counted order, else 1 + the index in REASONS of the first reason that applies, or
    OUTSIDE_OK: outside the dates but completed with a customer (it can be a first order).
    A state outside the five the loader produces is not completed: it counts as pending."""
    at, state = pl.col(AT), pl.col(STATE)
    checks = [(s, state == s) for s in NOT_COMPLETED if s != "pending"]
    checks += [("pending", (state != "completed").fill_null(True)),
               ("missing_customer", pl.col(CUST).is_null())]
    rest: pl.Expr = pl.lit(0, dtype=pl.Int8)
    for reason, cond in reversed(checks):
        code = pl.lit(REASONS.index(reason) + 1, dtype=pl.Int8)
        rest = pl.when(cond).then(code).otherwise(rest)
    blank = pl.col(BLANK).fill_null(False) if BLANK in names else pl.lit(True)
    expr = pl.when(at.is_null() & blank).then(pl.lit(1, dtype=pl.Int8)) \
        .when(at.is_null()).then(pl.lit(2, dtype=pl.Int8))
    if _dated(opts):
        expr = expr.when(_outside(opts)).then(
            pl.when(rest == 0).then(pl.lit(OUTSIDE_OK, dtype=pl.Int8))
            .otherwise(pl.lit(3, dtype=pl.Int8)))
    return expr.otherwise(rest).alias(WHY)


@dataclass
class _Scan:
    dropped: dict[str, int]
    latest: datetime | None  # the latest counted order
    pairs: pl.DataFrame  # in-scope (customer, period) pairs: P, FIRST, RET, MEMBER
    inactive: tuple[int, int] | None = None  # (denominator, still active)
    # made on another engine (cxkit.engines.retention.scan) instead of from `pairs`: the
    # counts per period (P, active, new, retained), the cohort cells (FIRST, since, k), last P
    per: pl.DataFrame | None = None
    cells: pl.DataFrame | None = None
    span: int | None = None


def _ident() -> list[pl.Expr]:
    """A customer as two independently seeded hashes of its id, of 64 and 32 bits: integer keys
    group and sort far faster than text, and two of n ids share both with odds of about
    n^2 / 2^97 (n^2 / 2^(97 - b) in `_link`, which gives b bits of the first to the period:
    below 1e-8 for 100M customers over 40 years of days)."""
    return [pl.col(CUST).hash(1).alias(H1),
            (pl.col(CUST).hash(2) & pl.lit(2**32 - 1, pl.UInt64)).cast(pl.UInt32).alias(H2)]


def _inactive(rows: pl.DataFrame, as_of: datetime, days: float) -> tuple[int, int]:
    """Customers with a counted order in [T-2W, T-W), and how many of them ordered in [T-W, T]."""
    at, w = pl.col(AT), timedelta(days=days)
    mid = as_of - w
    recent = rows.lazy().filter((pl.col(WHY) == 0) & (at >= as_of - 2 * w) & (at <= as_of))
    per = recent.group_by(H1, H2).agg((at < mid).any().alias("before"),
                                      (at >= mid).any().alias("after"))
    got = per.select(pl.col("before").sum(), (pl.col("before") & pl.col("after")).sum()
                     .alias("still")).collect()
    return int(got["before"][0] or 0), int(got["still"][0] or 0)


def _as_of(opts: RetentionOptions) -> datetime | None:
    a = opts.as_of
    if a is None:
        return None
    if not isinstance(a, datetime):  # a bare date: the end of that day
        return datetime.combine(a, time.max)
    return a.replace(tzinfo=None)


def _link(rows: pl.DataFrame, dated: bool) -> pl.DataFrame:
    """Order the (customer, period) rows by customer then period with one 128-bit integer (both
    hashes of the customer above the period and, when dated, whether the row is in scope),
    then read each customer's first period (over all rows) and, over the in-scope rows without
    repeats: retained (the customer was also active in the period before) and member (active
    in scope in its first period: its cohort).

    The key is sorted alone, as values: 0.19 s for 10M orders, where sorting the rows by a
    64-bit key (the first hash, its low bits replaced by the period) took 0.49 s with the second
    hash and the scope flag gathered along, and two customers sharing those bits needed a sort
    of their own. `rows` is emptied: its columns are taken, so that the scan's rows are freed
    before the sort (10M orders: peak 1.0 -> 0.8 GB)."""
    rows = pl.DataFrame([rows.drop_in_place(c) for c in rows.columns])
    why = pl.col(WHY)
    usable = (why == 0) | (why == OUTSIDE_OK) if dated else why == 0
    kept = pl.col(P).filter(usable)
    lo, hi = rows.select(kept.min().alias("lo"), kept.max().alias("hi")).row(0)
    if lo is None:
        return pl.DataFrame(schema={P: pl.Int32, FIRST: pl.Int32, RET: pl.Boolean,
                                    MEMBER: pl.Boolean})
    wide = pl.UInt128
    low = 2**32  # the period's offset from lo (and the scope bit) below the customer's 96 bits
    scope = 2 if dated else 1  # the lowest bit: in scope (dated rows only)
    offset = (pl.col(P) - lo).cast(wide) * scope + (
        (why == 0).cast(wide) if dated else 0)  # periods span < 50k days: far below 2^31
    key = (pl.col(H1).cast(wide) * 2**64 + pl.col(H2).cast(wide) * low + offset).alias(KEY)
    ordered = rows.lazy().filter(usable).select(key).collect()[KEY]
    del rows
    k = pl.col(KEY)
    cust = k // low
    start = (cust != cust.shift(1)).fill_null(True)
    period = ((k % low) // scope).cast(pl.Int64).add(lo).cast(pl.Int32)
    lf = ordered.sort().to_frame().lazy().with_columns(
        pl.when(start).then(period).forward_fill().alias(FIRST))
    if dated:
        lf = lf.filter(k % 2 == 1)
    lf = lf.filter((k != k.shift(1)).fill_null(True))  # repeats: the same customer and period
    return lf.select(period.alias(P), FIRST,
                     (~start & (period == period.shift(1) + 1)).alias(RET),
                     pl.when(start).then(period == pl.col(FIRST)).forward_fill().alias(MEMBER)
                     ).collect()


def _scan(lf: pl.LazyFrame, opts: RetentionOptions, inactive: bool = False) -> _Scan:
    """The one pass over the orders (a CSV is parsed once): per row its drop reason, customer
    hashes and period index (and time, for inactivity churn); then everything in memory."""
    schema = lf.collect_schema()
    if schema.get(AT) == pl.Date:  # a day-only export
        lf = lf.with_columns(pl.col(AT).cast(pl.Datetime("us")))
    cols = [_why(schema.names(), opts), *_ident(),
            period_index(pl.col(AT), opts.period).cast(pl.Int32).alias(P)]
    rows = lf.select(cols + ([pl.col(AT)] if inactive else [])).collect(engine="streaming")
    tally = rows[WHY].value_counts()  # at most ten codes
    codes = dict(zip(tally[WHY].to_list(), tally["count"].to_list(), strict=True))
    dropped = {r: codes.get(i, 0) for i, r in enumerate(REASONS, 1)}
    dropped["outside_dates"] += codes.get(OUTSIDE_OK, 0)
    if not _dated(opts):
        del dropped["outside_dates"]
    latest = held = None
    if inactive:  # before `_link`, which empties `rows`
        latest = rows.filter(pl.col(WHY) == 0)[AT].max()
        as_of = _as_of(opts) or latest
        if as_of is not None:
            held = _inactive(rows, as_of, opts.inactive_after_days or 0.0)
    return _Scan(dropped, latest, _link(rows, _dated(opts)), held)


def _per_period(pairs: pl.DataFrame, per: pl.DataFrame | None = None
                ) -> tuple[pl.DataFrame, int]:
    """Every period from the first to the last with a counted order (gaps included): active,
    new (first order ever), retained (also active in the period before), active before; and the
    number of periods in that span.

    A span of more than MAX_PERIODS periods (daily retention over decades, a stray date years
    before the rest) is not built period by period: only the periods with orders and the ones
    right after them are. The others have no customers before them: no retention to measure,
    so every figure is the same, only their empty rows are left out."""
    p = pl.col(P)
    if per is None:  # else made on another engine
        per = pairs.group_by(P).agg(pl.len().alias("active"),
                                    (p == pl.col(FIRST)).sum().alias("new"),
                                    pl.col(RET).sum().alias("retained"))
    if per.height == 0:
        return per, 0
    lo, hi = per[P].min(), per[P].max()
    span = int(hi - lo + 1)
    if span > MAX_PERIODS:
        idx = pl.concat([per[P], per[P] + 1]).unique().sort()
        full = pl.DataFrame({P: idx.filter(idx <= hi)})
    else:
        full = pl.DataFrame({P: pl.int_range(lo, hi + 1, dtype=pl.Int32, eager=True)})
    full = full.join(per, on=P, how="left")
    counts = ["active", "new", "retained"]
    full = full.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
    before = per.select((p + 1).cast(pl.Int32).alias(P), pl.col("active").cast(pl.Int64)
                        .alias("before"))
    full = full.join(before, on=P, how="left").with_columns(pl.col("before").fill_null(0))
    return full.sort(P), span


def _share(k: int, n: int, z: float) -> tuple[float | None, tuple[float, float] | None]:
    return (100 * k / n, stats.wilson(k, n, z)) if n else (None, None)


def _mirror(value, ci):
    return (None if value is None else 100 - value,
            None if ci is None else (100 - ci[1], 100 - ci[0]))


def scan(lf: pl.LazyFrame, opts: RetentionOptions) -> _Scan:
    """The pass over the orders that `retention` and `cohorts` share (the report makes it once)."""
    return _scan(lf, opts, inactive=opts.inactive_after_days is not None)


def retention(lf: pl.LazyFrame, opts: RetentionOptions, scanned: _Scan | None = None
              ) -> list[KpiResult]:
    """retention_rate and churn_rate per period (pooled headline), plus inactivity_churn when
    `opts.inactive_after_days` is set. `scanned`: `scan(lf, opts)` already made."""
    scan = scanned or _scan(lf, opts, inactive=opts.inactive_after_days is not None)
    per, span = _per_period(scan.pairs, scan.per)
    z = stats.z_value(opts.confidence)
    rows = per.to_dicts()[1:] if per.height else []  # the first period has none before it
    labels = _labels([r[P] for r in rows], opts.period) if rows else []
    keep, churn = [], []
    for row, label in zip(rows, labels, strict=True):
        n, r = row["before"], row["retained"]
        value, ci = _share(r, n, z)
        extra = {"active": row["active"], "new": row["new"],
                 "returning": row["active"] - r - row["new"]}
        keep.append(Group({"period": label}, value, n, ci, {"retained": r, "churned": n - r},
                          extra, compared=True))
        cvalue, cci = _mirror(value, ci)
        churn.append(Group({"period": label}, cvalue, n, cci, {"churned": n - r, "retained": r},
                           dict(extra), compared=True))
    index = [r[P] for r in rows]
    for groups in (keep, churn):
        for i in range(1, len(groups)):
            prev, g = groups[i - 1], groups[i]
            if index[i] != index[i - 1] + 1:
                continue  # periods left out of a long span lie between: not the one before
            if g.value is not None and prev.value is not None:
                g.change = g.value - prev.value
                g.significant = stats.proportions_differ(
                    prev.counts["retained"], prev.n, g.counts["retained"], g.n, z)[1]
    n = sum(g.n for g in keep)
    r = sum(g.counts["retained"] for g in keep)
    value, ci = _share(r, n, z)
    name = opts.period
    rule = (f"customers who ordered in {name} P-1 and again in {name} P / customers who ordered "
            f"in {name} P-1; completed orders; pooled over {len(keep)} {name} pairs")
    if span > MAX_PERIODS:
        rule += (f"; the orders span {span:,} {name}s (more than {MAX_PERIODS:,}): {name}s "
                 f"with no orders in them or in the {name} before are left out")
    out = []
    for kpi, groups, v, c, counts in (
        ("retention_rate", keep, value, ci, {"retained": r, "churned": n - r}),
        ("churn_rate", churn, *_mirror(value, ci), {"churned": n - r, "retained": r}),
    ):
        last = groups[-1] if groups else None
        res = KpiResult(kpi, v, n, c, counts, dict(scan.dropped), rule if kpi[0] == "r" else
                        "100 - retention rate: " + rule, 1, confidence=opts.confidence,
                        extra={"latest": {"period": last.key["period"], "value": last.value}
                               if last else None, "period": name},
                        groups=groups, group_keys=["period"],
                        trend=[{"period": g.key["period"], "value": g.value, "n": g.n}
                               for g in groups])
        if last is not None:
            res.change, res.significant = last.change, last.significant
            if last.change is not None:  # the test behind it, for --fail-on-drop
                prev, key = groups[-2], next(iter(counts))
                res.change_test = stats.proportion_diff(prev.counts[key], prev.n,
                                                        last.counts[key], last.n, z)
        out.append(res)
    if opts.inactive_after_days is not None:
        out.append(_inactivity(scan, opts, z))
    return out


def _inactivity(scan: _Scan, opts: RetentionOptions, z: float) -> KpiResult:
    w = float(opts.inactive_after_days or 0.0)
    as_of = _as_of(opts) or scan.latest
    d, still = scan.inactive or (0, 0)
    value, ci = _share(d - still, d, z)
    when = as_of.isoformat() if as_of is not None else None
    t = when or "the as-of time"
    rule = (f"of the customers who ordered in the {w:g} days before the last {w:g} days up to "
            f"{t}, the share with no order in those last {w:g} days; completed orders; orders "
            f"after {t} are ignored")
    counts = {"churned": d - still, "still_active": still}
    return KpiResult("inactivity_churn", value, d, ci, counts, dict(scan.dropped), rule, 1,
                     confidence=opts.confidence, extra={"as_of": when, "window_days": w})


def cohorts(lf: pl.LazyFrame, opts: RetentionOptions, scanned: _Scan | None = None
            ) -> KpiResult:
    """cohort_retention: customers by the period of their first order; cell (c, k) = share of
    cohort c with a counted order in period c + k. Unobservable cells are None."""
    scan = scanned or _scan(lf, opts)
    # members: active in scope in their first period ever, so cell 0 is the cohort size
    # one integer key per cell (cohort * 2^32 + periods since) groups faster than two columns
    cell_key = pl.col(FIRST).cast(pl.Int64) * 2**32 + (pl.col(P) - pl.col(FIRST))
    cells = scan.cells if scan.cells is not None else (  # else made on another engine
        scan.pairs.lazy().filter(pl.col(MEMBER)).group_by(cell_key.alias("c"))
        .agg(pl.len().alias("k"))
        .select((pl.col("c") // 2**32).alias(FIRST), (pl.col("c") % 2**32).alias("since"),
                "k").collect())
    span = scan.span if scan.cells is not None else scan.pairs[P].max()  # the last period
    z = stats.z_value(opts.confidence)
    name = opts.period
    rule = (f"customers grouped by the {name} of their first completed order; cell k = share of "
            f"the cohort with a completed order k {name}s after it (k=0: the first); "
            f"headline: pooled share at k=1 over the cohorts whose k=1 {name} is observed "
            f"(n: their customers)")
    result = KpiResult("cohort_retention", None, 0, None, {"retained": 0, "not_retained": 0},
                       dict(scan.dropped), rule, 1, confidence=opts.confidence,
                       group_keys=["cohort"],
                       extra={"period": name, "periods_since": [], "customers": 0})
    if cells.height == 0 or span is None:
        return result
    cell = dict(zip(zip(cells[FIRST].to_list(), cells["since"].to_list(), strict=True),
                    cells["k"].to_list(), strict=True))
    starts = sorted({c for c, _ in cell})
    # the headline pools every cohort whose +1 period is observed; its n is their customers
    # (a cohort that started in the last period has no +1 yet: in `customers`, not in n);
    # the matrix keeps the latest cohorts that fit
    everyone = sum(cell.get((c, 0), 0) for c in starts)
    seen = [c for c in starts if c + 1 <= span]
    k1, base = sum(cell.get((c, 1), 0) for c in seen), sum(cell.get((c, 0), 0) for c in seen)
    first = next(i for i, c in enumerate(starts)
                 if (len(starts) - i) * (span - c + 1) <= MAX_CELLS or i == len(starts) - 1)
    if first:
        result.rule += (f"; the matrix shows the last {len(starts) - first:,} of "
                        f"{len(starts):,} cohorts (at most {MAX_CELLS:,} cells); the headline "
                        "pools them all")
    shown = starts[first:]
    width = span - shown[0] + 1
    groups = []
    for c, label in zip(shown, _labels(shown, name), strict=True):
        counts = [cell.get((c, k), 0) if c + k <= span else None for k in range(width)]
        size = counts[0]
        shares = [None if x is None else 100 * x / size for x in counts]
        c1 = counts[1] if width > 1 else None
        value, ci = _share(c1, size, z) if c1 is not None else (None, None)
        groups.append(Group({"cohort": label}, value, size, ci, {"customers": size},
                            {"retention": shares, "customers": counts}))
    result.value, result.ci = _share(k1, base, z)
    result.n, result.groups = base, groups
    result.counts = {"retained": k1, "not_retained": base - k1}
    result.extra["periods_since"] = list(range(width))
    result.extra["customers"] = everyone
    return result
