"""Order KPIs on any engine (cxkit orders, cxkit clv historical): the sufficient statistics per
level, written once in Narwhals, then `cxkit.kpi.specs.to_result` as on Polars.

The specs (rule, reasons, labels, how a row of sums becomes a KPI) are those of
`cxkit.kpi.orders`; this module computes the same `<kpi>__<part>` sums on the engine: counts,
sums, means, exact medians and standard deviations over completed orders, and the same over one
row per customer (orders and revenue per customer, summed on the engine). The frames that come
back have one row per level and group.
"""

from __future__ import annotations

from cxkit.engines import Source, collect, materialize
from cxkit.engines.typed import DAYS, load_typed, outside_dates, period_key, with_epochs

CID = "customer_id"
ROW, START, DONE = "__row", "__period_start", "__done"


def load(source: Source, columns: dict[str, str], by: list[str], flags: dict[str, str]):
    from cxkit.io.roles import ORDER_ROLES

    loaded = load_typed(source, ORDER_ROLES, ("ordered_at",), columns, by, flags,
                        "ordered_at", True, dated=("ordered_at",))
    for role in ("amount", "refunded_amount"):
        if role in loaded.roles:
            col = loaded.roles[role].column
            if not source.schema[col].is_numeric():
                from cxkit.errors import DataError

                raise DataError(f"{source.name}: '{col}' ({role}) is {source.schema[col]}, "
                                f"not a number: --engine {source.engine} reads typed tables",
                                "store amounts as numbers, or use --engine polars, which reads "
                                "amounts written as text")
    return loaded


def _when(cond, value):
    import narwhals as nw

    return nw.when(cond).then(value)


def count(cond):
    """Rows where `cond` holds (null: no) - a sum of 0/1, which every engine has."""
    import narwhals as nw

    return nw.when(cond.fill_null(False)).then(nw.lit(1)).otherwise(nw.lit(0)).sum()


KEY = "__status_key"


def status_key(expr):
    """`wc-Completed`, `Partially refunded`, `on-hold` -> `completed`, `partially_refunded`
    (cxkit.io.orders.status_key)."""
    import narwhals as nw

    text = expr.cast(nw.String).str.strip_chars().str.to_lowercase()
    text = nw.when(text.str.starts_with("wc-")).then(text.str.slice(3)).otherwise(text)
    return text.str.replace_all(" ", "_", literal=True).str.replace_all("-", "_", literal=True)


def canonical(source: Source, loaded, scope):
    """The canonical order columns of `cxkit.io.orders.load_orders`, on the engine, plus ROW
    (0 in the date scope, else the reason) and the period key of each order in scope."""
    import narwhals as nw

    from cxkit.io.dates import MIN_YEAR, max_year
    from cxkit.io.orders import (
        _STATUS,
        BLANK_IS_NONE,
        MAX_AMOUNT,
        RETURNED,
        TEXT_ROLES,
        TRUE,
    )

    cols = {r: m.column for r, m in loaded.roles.items()}
    at = nw.col(cols["ordered_at"])
    year = at.dt.year()
    valid = (year >= MIN_YEAR) & (year <= max_year())
    exprs = [nw.when(valid).then(at).alias("ordered_at"),  # implausible years: null, as on Polars
             at.is_null().alias("ordered_at__blank")]
    outside = outside_dates(at.cast(nw.Date), scope)
    row = (nw.when(at.is_null()).then(nw.lit(1)).when(~valid).then(nw.lit(2))
           .when(outside).then(nw.lit(3)).otherwise(nw.lit(0))) if scope.uses_date else \
        nw.lit(0)  # no dates asked for: every row is in scope, as on Polars
    exprs.append(row.alias(ROW))

    def money(role):
        value = nw.col(cols[role]).cast(nw.Float64)
        return nw.when(~value.is_nan() & (value.abs() < MAX_AMOUNT)).then(value)

    refunded = None
    if "amount" in cols:
        exprs += [money("amount").alias("amount"),
                  nw.col(cols["amount"]).is_null().alias("amount__blank")]
        if "refunded_amount" in cols:
            refunded = money("refunded_amount")
            exprs.append(refunded.alias("refunded"))
    state = nw.lit("completed")
    returned = nw.lit(False)
    lf = source.lf
    if "order_status" in cols:  # a column, read by every status test (Spark builds an
        # expression per use: a few py4j round trips for each of its operations)
        lf = lf.with_columns(status_key(nw.col(cols["order_status"])).alias(KEY))
        key = nw.col(KEY)
        for name, words in _STATUS.items():
            state = nw.when(key.is_in(words)).then(nw.lit(name)).otherwise(state)
        returned = returned | key.is_in(RETURNED).fill_null(False)
    if "cancelled_at" in cols:
        c = nw.col(cols["cancelled_at"])
        filled = ~c.is_null() if source.schema[cols["cancelled_at"]] != nw.String else (
            ~c.is_null() & (c.str.strip_chars() != ""))
        state = nw.when(filled).then(nw.lit("cancelled")).otherwise(state)
    if "returned" in cols:
        flag = nw.col(cols["returned"]).cast(nw.String).str.strip_chars().str.to_lowercase()
        returned = returned | flag.is_in(TRUE).fill_null(False)
    if refunded is not None:
        returned = returned | (refunded > 0).fill_null(False)
    exprs += [state.alias("state"), returned.alias("returned")]
    for role in TEXT_ROLES:
        if role in cols:
            text = nw.col(cols[role]).cast(nw.String).str.strip_chars()
            if role in BLANK_IS_NONE:  # spaces only: no customer, as in cxkit.io.orders
                text = nw.when(text != "").then(text)
            exprs.append(text.alias(role))
    names = {"ordered_at", "ordered_at__blank", ROW, START, "amount", "amount__blank",
             "refunded", DONE, "state", "returned", *TEXT_ROLES}
    exprs += [nw.col(b) for b in loaded.by if b not in names]
    out = lf.select(exprs)
    later = [(nw.col("state") == "completed").alias(DONE)]
    if scope.period:  # from the columns: `row` and `at` are whole expressions
        days = None
        if scope.period in ("day", "week"):
            out, days = with_epochs(source, out, {DAYS: "ordered_at"}, "days"), nw.col(DAYS)
        later.append(nw.when(nw.col(ROW) == 0).then(
            period_key(nw.col("ordered_at"), scope.period, days)).alias(START))
    out = out.with_columns(*later)
    return out, set(out.collect_schema().names())  # the canonical names, as on Polars


def _drops(spec, ok, reasons: dict, scope) -> list:
    """`cxkit.kpi.specs.drops` in Narwhals: date reasons, then the first reason that applies."""
    import narwhals as nw

    dates = ["missing_date", "invalid_date", "outside_dates"] if scope.uses_date else []
    out = [count(nw.col(ROW) == i).alias(spec.col(r)) for i, r in enumerate(dates, 1)]
    taken = nw.lit(False)
    for r, cond in reasons.items():
        cond = cond.fill_null(False)
        out.append(count(ok & cond & ~taken).alias(spec.col(r)))
        taken = taken | cond
    return out


def _mean(spec, value, good, p90: bool, approx: bool) -> list:
    v = _when(good, value)
    out = [count(good).alias(spec.col("n")), v.mean().alias(spec.col("mean")),
           v.median().alias(spec.col("median")), v.std(ddof=1).alias(spec.col("sd"))]
    if p90:
        out.append(v.quantile(0.9, interpolation="linear").alias(spec.col("p90")))
    return out


def _states(*skip: str) -> dict:
    import narwhals as nw

    from cxkit.kpi.orders import NOT_COMPLETED

    return {s: nw.col("state") == s for s in NOT_COMPLETED if s not in skip}


def row_sums(cols: set, scope) -> tuple[list, list[str]]:
    """The row-level sums of orders, revenue, aov, return_rate and cart_abandonment_rate (named
    as cxkit.kpi.orders.row_specs names them), and the columns that are sums (0 when empty)."""
    import narwhals as nw

    from cxkit.kpi.specs import Spec

    ok = nw.col(ROW) == 0
    done = ok & nw.col(DONE)
    s = {k: Spec(k, "") for k in ("orders", "revenue", "aov", "return_rate",
                                  "cart_abandonment_rate")}
    aggs = [count(done).alias(s["orders"].col("n"))] + _drops(s["orders"], ok, _states(), scope)
    zero = []
    if "order_id" in cols:
        ids = _when(done, nw.col("order_id"))
        aggs += [ids.n_unique().alias("orders__u"),
                 count(ids.is_null()).alias("orders__xnull"),
                 count(done & nw.col("order_id").is_null()).alias("orders__dnull")]
    if "amount" in cols:
        amount = nw.col("amount")
        money = {**_states(), "missing_amount": nw.col("amount__blank"),
                 "invalid_amount": amount.is_null()}
        has = done & ~amount.is_null()
        aggs += [count(has).alias("revenue__n"), _when(has, amount).sum().alias("revenue__sum")]
        zero.append("revenue__sum")
        if "refunded" in cols:
            aggs.append(_when(done, nw.col("refunded")).sum().alias("revenue__ref"))
            zero.append("revenue__ref")
        aggs += _drops(s["revenue"], ok, money, scope)
        aggs += _mean(s["aov"], amount, has, False, False) + _drops(s["aov"], ok, money, scope)
    ret = s["return_rate"]
    aggs += [count(done & nw.col("returned")).alias(ret.col("returned")),
             count(done & ~nw.col("returned")).alias(ret.col("kept"))]
    aggs += _drops(ret, ok, _states(), scope)
    if {"refunded", "amount"} <= cols:
        aggs += [_when(done, nw.col("refunded")).sum().alias(ret.col("ref")),
                 _when(done, nw.col("amount")).sum().alias(ret.col("rev"))]
        zero += [ret.col("ref"), ret.col("rev")]
    cart = s["cart_abandonment_rate"]
    aggs += [count(ok & (nw.col("state") == "abandoned")).alias(cart.col("abandoned")),
             count(done).alias(cart.col("completed"))]
    aggs += _drops(cart, ok, _states("abandoned"), scope)
    return aggs, zero


def customer_row_drops(scope) -> list:
    import narwhals as nw

    from cxkit.kpi.specs import Spec

    ok = nw.col(ROW) == 0
    reasons = {**_states(), "missing_customer": nw.col(CID).is_null()}
    out = []
    for kpi in ("customers", "purchase_frequency", "repeat_purchase_rate", "clv"):
        out += _drops(Spec(kpi, ""), ok, reasons, scope)
    return out


def customer_sums(cols: set) -> list:
    """Sums over one row per customer (and level): __orders and __revenue per customer."""
    import narwhals as nw

    orders, revenue = nw.col("__orders"), nw.col("__revenue")
    out = [nw.len().alias("customers__n"), orders.sum().alias("purchase_frequency__num"),
           nw.len().alias("purchase_frequency__den"),
           count(orders >= 2).alias("repeat_purchase_rate__repeat"),
           count(orders < 2).alias("repeat_purchase_rate__one_order")]
    if "amount" in cols:
        out += [nw.len().alias("clv__n"), revenue.mean().alias("clv__mean"),
                revenue.median().alias("clv__median"), revenue.std(ddof=1).alias("clv__sd")]
    return out


def per_customer(lf, cols: set, level: list[str]):
    """One row per customer and level: completed orders in scope, their revenue (rounded to 6
    decimals as cxkit.kpi.specs.money_sum does)."""
    import narwhals as nw

    base = lf.filter((nw.col(ROW) == 0) & nw.col(DONE) & ~nw.col(CID).is_null())
    sums = [nw.len().alias("__orders")]
    if "amount" in cols:
        sums.append(nw.col("amount").sum().alias("__revenue"))
    out = base.group_by(*dict.fromkeys([*level, CID])).agg(*sums)  # --by the customer column
    if "amount" in cols:  # a customer whose amounts are all missing has revenue 0, as on Polars
        out = out.with_columns(nw.col("__revenue").fill_null(0.0).round(6))
    return out


def _agg(lf, level: list[str], aggs: list):
    return lf.group_by(*level).agg(*aggs) if level else lf.select(*aggs)


LEVEL = "__level"


def collect_levels(source: Source, lf, levels: list[list[str]], aggs: list,
                   additive: bool = False) -> list:
    """The same sums at every level (overall, per group, per period) in ONE query - the levels'
    aggregations stacked, keys a level has not as nulls - split back into one Polars frame per
    level: one job per command instead of one per level (on Spark each job has a cost).
    `additive` (every aggregation a count or a sum): the engine aggregates the finest level
    only and the coarser ones re-sum it, as `cxkit.kpi.specs.aggregate` does on Polars (one
    aggregation over the rows instead of one per level; a sum of no rows is 0 there too)."""
    import narwhals as nw
    import polars as pl

    if additive and len(levels) > 1:
        finest = max(levels, key=len)
        frame = collect(source, _agg(lf, finest, aggs))
        sums = [pl.col(c).sum() for c in frame.columns if c not in finest]
        return [frame if level == finest else frame.group_by(level).agg(sums) if level
                else frame.select(sums) for level in levels]
    if len(levels) == 1:
        return [collect(source, _agg(lf, levels[0], aggs))]
    schema = lf.collect_schema()
    keys = list(dict.fromkeys(k for level in levels for k in level))
    parts = []
    for i, level in enumerate(levels):
        part = _agg(lf, level, aggs).with_columns(nw.lit(i).alias(LEVEL))
        missing = [nw.lit(None, dtype=schema[k]).alias(k) for k in keys if k not in level]
        if missing:
            part = part.with_columns(*missing)
        parts.append(part.select(LEVEL, *keys, *[c for c in part.collect_schema().names()
                                                 if c not in keys and c != LEVEL]))
    both = collect(source, nw.concat(parts, how="vertical"))
    return [both.filter(pl.col(LEVEL) == i).drop(LEVEL, *[k for k in keys if k not in level])
            for i, level in enumerate(levels)]


def levels_of(scope) -> list[list[str]]:
    keys = list(scope.by) + ([START] if scope.period else [])
    return [[]] + ([keys] if keys else []) + ([[START]] if scope.period and scope.by else [])


def finish_frame(df, scope, zero: list[str]):
    """Period keys to Dates, sums of nothing to 0, the distinct order ids, as on Polars."""
    import polars as pl

    from cxkit.engines.typed import period_start

    if START in df.columns:
        df = df.with_columns(period_start(pl.col(START), scope.period).alias(START))
    fill = [c for c in zero if c in df.columns]
    if fill:
        df = df.with_columns(pl.col(fill).fill_null(0.0))
    if "orders__u" in df.columns:
        df = df.with_columns((pl.col("orders__u") - pl.col("orders__xnull").clip(0, 1)
                              + pl.col("orders__dnull").clip(0, 1)).alias("orders__ids")
                             ).drop("orders__u", "orders__xnull", "orders__dnull")
    return df


def compute(source: Source, loaded, scope, opts, only: list[str] | None = None,
            frame: tuple | None = None):
    """cxkit.kpi.orders.compute on the engine: the same KpiResults (`frame`: the `canonical`
    frame of `scope` and its columns, already materialized)."""
    from cxkit.kpi import orders as kpi_orders
    from cxkit.kpi.orders import _join, customer_specs, finish_specs, referral_spec, row_specs

    if frame is None:
        lf, cols = canonical(source, loaded, scope)
        lf = materialize(source, lf)  # read by the levels' sums and the per-customer queries
    else:
        lf, cols = frame
    rows = row_specs(cols, scope)
    custs, _, _ = customer_specs(cols, scope, False)
    ref_spec, _, _ = referral_spec(cols, scope, False)
    if not ref_spec.unavailable:
        ref_spec.unavailable = (f"referral rate runs on --engine polars only (first orders "
                                f"per customer are not computed on {source.engine})")
    specs = rows[:1] + custs[:1] + rows[1:3] + custs[1:3] + rows[3:] + [ref_spec] + custs[3:]
    if only:
        specs = [s for s in specs if s.kpi in only]
    row_aggs, zero = row_sums(cols, scope)
    has_cid = CID in cols
    if has_cid:
        row_aggs += customer_row_drops(scope)
    levels = levels_of(scope)
    per_row = collect_levels(source, lf, levels, row_aggs)
    per_cust = [None] * len(levels)
    if has_cid:  # one row per customer and level, then its sums: a query per level
        per_cust = [collect(source, _agg(per_customer(lf, cols, level), level,
                                         customer_sums(cols))) for level in levels]
    joined = []
    for level, rows_frame, cust_frame in zip(levels, per_row, per_cust, strict=True):
        frames = [finish_frame(rows_frame, scope, zero)]
        if cust_frame is not None:
            frames.append(finish_frame(cust_frame, scope, []))
        frame = _join(frames, level)  # repeated order ids: said on the headline only
        joined.append(frame.drop(kpi_orders.IDS, strict=False) if level else frame)
    return finish_specs(specs, joined, has_cid, custs + [ref_spec], scope, opts)


def clv(source: Source, loaded, scope, opts):
    """cxkit.kpi.clv.compute on the engine: historical CLV as in `compute`, and the formula and
    the top customers from one row per customer, made on the engine (revenue, orders, first
    and last order, ordered in the year before the last year / in the last year); only those
    rows come back, and `cxkit.kpi.clv` does the rest as on Polars."""
    import narwhals as nw

    from cxkit.kpi.clv import YEAR, _formula, _top
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.orders import OrderOptions

    # the rows of `compute` too (`cxkit clv` has no --period on the engines: the same frame)
    lf, cols = canonical(source, loaded, Scope(since=scope.since, until=scope.until))
    lf = materialize(source, lf)
    results = compute(source, loaded, scope, OrderOptions(opts.confidence), ["clv"], (lf, cols))
    if not {CID, "amount"} <= cols:
        return results
    done = lf.filter((nw.col(ROW) == 0) & nw.col(DONE) & ~nw.col(CID).is_null())
    last = collect(source, done.select(nw.col("ordered_at").max())).item()
    at, amount = nw.col("ordered_at"), nw.col("amount")
    flags = []
    if last is not None:
        year_ago, two_ago = last - YEAR, last - 2 * YEAR
        flags = [count((at >= nw.lit(two_ago)) & (at < nw.lit(year_ago))).alias("before"),
                 count(at > nw.lit(year_ago)).alias("since")]
    per = done.group_by(CID).agg(
        amount.sum().alias("revenue"), amount.count().alias("with_amount"),
        nw.len().alias("n"), at.min().alias("first"), at.max().alias("last"), *flags)
    per = per.with_columns(nw.col("revenue").fill_null(0.0).round(6))
    import polars as pl

    per = collect(source, per)
    if last is not None:
        per = per.with_columns(pl.col("before") > 0, pl.col("since") > 0)
    results.append(_formula(per, last, opts))
    if opts.top:
        results.append(_top(per, opts.top))
    return results
