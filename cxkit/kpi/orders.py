"""Order KPIs (KPIS.md "Orders"): orders, revenue, AOV, customers, purchase frequency, repeat
purchase rate, return rate, cart abandonment, referral rate and historical CLV, overall, per
segment and per period.

Input: the canonical frame of `cxkit.io.orders.load_orders`. Revenue and counts use completed
orders (not cancelled, abandoned, pending or failed). Three kinds of sums feed the specs, each
computed per level (overall, per group, per period): sums over order rows, sums over customers
(one row per customer and level), and sums over new customers (each customer's first completed
order in the whole export).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cxkit.kpi import stats
from cxkit.kpi.grouping import START, Scope, id_key, period_start
from cxkit.kpi.result import KpiResult
from cxkit.kpi.specs import (
    ROW,
    Plan,
    Spec,
    aggregate,
    collect_plans,
    drops,
    group,
    mean_aggs,
    money_sum,
    row_status,
    share_aggs,
    to_result,
)

NOT_COMPLETED = ("cancelled", "abandoned", "pending", "failed")
REFERRAL = r"referr|refer[ -]a[ -]friend|parrain|sponsor"
CID = "customer_id"


@dataclass
class OrderOptions:
    confidence: float = 0.95


def prepare(lf: pl.LazyFrame, scope: Scope) -> pl.LazyFrame:
    """ROW (0 in the date scope, else the reason), the period start and `__done` (completed)."""
    row = row_status("ordered_at", scope) if scope.uses_date else \
        pl.lit(0, dtype=pl.Int8).alias(ROW)
    lf = lf.with_columns((pl.col("state") == "completed").alias("__done"), row)
    if scope.period:  # rows out of scope belong to no period
        start = period_start(pl.col("ordered_at").cast(pl.Date), scope.period)
        lf = lf.with_columns(pl.when(pl.col(ROW) == 0).then(start).alias(START))
    return lf


IDS = "orders__ids"  # distinct order ids (the headline's repeated ids)


def _status_reasons(*skip: str) -> dict[str, pl.Expr]:
    return {s: pl.col("state") == s for s in NOT_COMPLETED if s not in skip}


def row_specs(cols: set, scope: Scope) -> list[Spec]:
    """KPIs summed over order rows: orders, revenue, AOV, return rate, cart abandonment."""
    ok = pl.col(ROW) == 0
    done = ok & pl.col("__done")
    specs = []
    orders = Spec("orders", "completed orders (not cancelled, abandoned, pending or failed)", 0,
                  kind="count", finisher=_count)
    orders.aggs = [done.sum().alias(orders.col("n"))] + drops(orders, ok, _status_reasons(),
                                                               scope)
    specs.append(orders)  # its distinct order ids (IDS): `plan`'s `_distinct_ids`, headline only

    if "amount" in cols:
        amount = pl.col("amount")
        money = {**_status_reasons(), "missing_amount": pl.col("amount__blank"),
                 "invalid_amount": amount.is_null()}
        has = done & amount.is_not_null()
        revenue = Spec("revenue", "sum of the amounts of completed orders (refunds not "
                       "deducted; net_revenue deducts them)", 2, kind="sum", finisher=_revenue)
        revenue.aggs = [has.sum().alias(revenue.col("n")),
                        amount.filter(has).sum().alias(revenue.col("sum"))]
        if "refunded" in cols:
            revenue.aggs.append(pl.col("refunded").filter(done).sum().alias(revenue.col("ref")))
        revenue.aggs += drops(revenue, ok, money, scope)
        aov = Spec("aov", "AOV = revenue / completed orders with an amount; mean with a t "
                   "interval, median", 2, kind="mean")
        aov.aggs = mean_aggs(aov, amount, has, p90=False) + drops(aov, ok, money, scope)
        specs += [revenue, aov]
    else:
        specs += [Spec(k, "", 2, unavailable="no amount column (pass --amount COL)")
                  for k in ("revenue", "aov")]

    ret = Spec("return_rate", "returned or (partly) refunded orders / completed orders",
               labels=("returned", "kept"))
    ret.aggs = share_aggs(ret, done & pl.col("returned"), done & ~pl.col("returned"))
    ret.aggs += drops(ret, ok, _status_reasons(), scope)
    if {"refunded", "amount"} <= cols:
        ret.rule += "; value_rate = refunded amount / revenue"
        ret.aggs += [pl.col("refunded").filter(done).sum().alias(ret.col("ref")),
                     pl.col("amount").filter(done).sum().alias(ret.col("rev"))]
        ret.extras = _value_rate
    specs.append(ret)

    cart = Spec("cart_abandonment_rate", "abandoned carts / (abandoned carts + completed "
                "orders); an abandoned cart is an order whose status says so",
                labels=("abandoned", "completed"))
    cart.aggs = share_aggs(cart, ok & (pl.col("state") == "abandoned"), done)
    cart.aggs += drops(cart, ok, _status_reasons("abandoned"), scope)
    specs.append(cart)
    return specs


def customer_specs(cols: set, scope: Scope, referrers: bool) -> tuple[list[Spec], list, list]:
    """KPIs over customers: the specs, the row-level drop sums, and the per-customer sums."""
    ok = pl.col(ROW) == 0
    reasons = {**_status_reasons(), "missing_customer": pl.col(CID).is_null()}
    orders, revenue = pl.col("__orders"), pl.col("__revenue")
    one = pl.col(CID).is_not_null()  # a column, so that `one.sum()` counts customers
    cust = Spec("customers", "distinct customers with a completed order", 0, kind="count",
                finisher=_count)
    freq = Spec("purchase_frequency", "completed orders / customers", 2, kind="ratio",
                finisher=_ratio)
    rep = Spec("repeat_purchase_rate", "customers with 2+ completed orders / customers",
               labels=("repeat", "one_order"))
    clv = Spec("clv", "historical CLV: revenue per customer to date (completed orders, refunds "
               "not deducted); mean with a t interval, median", 2, kind="mean")
    row_aggs, cust_aggs = [], []
    for spec in (cust, freq, rep, clv):
        row_aggs += drops(spec, ok, reasons, scope)
    cust_aggs += [one.sum().alias(cust.col("n")),
                  orders.sum().alias(freq.col("num")), one.sum().alias(freq.col("den"))]
    cust_aggs += share_aggs(rep, orders >= 2, orders < 2)
    specs = [cust, freq, rep]
    if "amount" in cols:
        cust_aggs += mean_aggs(clv, revenue, one, p90=False)
        specs.append(clv)
    else:
        specs.append(Spec("clv", "", 2, unavailable="no amount column (pass --amount COL)"))
    if referrers:
        cust_aggs.append(pl.col("__referrer").sum().alias("referral_rate__referrers"))
        cust_aggs.append(one.sum().alias("referral_rate__customers"))
    return specs, row_aggs, cust_aggs


def referral_spec(cols: set, scope: Scope, referrers: bool) -> tuple[Spec, list, list]:
    """Referral rate over new customers: the spec, its row-level drops, its sums."""
    if not {"referred_by", "acquisition_channel"} & cols:
        return Spec("referral_rate", "", unavailable="no referred_by or acquisition channel "
                    "column (pass --column referred_by=COL)"), [], []
    how = []
    if "referred_by" in cols:
        how.append("a referred_by value")
    if "acquisition_channel" in cols:
        how.append("an acquisition channel naming referral")
    spec = Spec("referral_rate", "new customers acquired by referral (" + " or ".join(how)
                + " on their first order) / new customers (first completed order in the "
                "export falls in the period)", labels=("referred", "not_referred"))
    if referrers:
        spec.rule += "; referrer_rate = customers who referred a customer / customers"
        spec.extras = _referrers
    ref = pl.col("__referred")
    reasons = {**_status_reasons(), "missing_customer": pl.col(CID).is_null()}
    return spec, drops(spec, pl.col(ROW) == 0, reasons, scope), share_aggs(spec, ref, ~ref)


def _count(get) -> dict:
    n = int(get("n") or 0)
    out = {"value": float(n), "n": n}
    ids = get("ids")
    if ids is not None and ids < n:
        out["extra"] = {"repeated_order_ids": n - int(ids)}
    return out


def _revenue(get) -> dict:
    total, refunded = get("sum"), get("ref")
    extra = {}
    if refunded is not None:
        extra = {"refunded": refunded, "net_revenue": (total or 0.0) - refunded}
    return {"value": total or 0.0, "n": int(get("n") or 0), "extra": extra}


def _ratio(get) -> dict:
    num, den = get("num") or 0, int(get("den") or 0)
    return {"value": num / den if den else None, "n": den, "counts": {"orders": int(num)}}


def _value_rate(get) -> dict:
    ref, rev = get("ref") or 0.0, get("rev")
    return {"refunded_amount": ref, "value_rate": 100 * ref / rev if rev else None}


def _referrers(get) -> dict:
    k, n = int(get("referrers") or 0), int(get("customers") or 0)
    return {"referrers": k, "referrer_rate": 100 * k / n if n else None}


def compute(lf: pl.LazyFrame, scope: Scope, opts: OrderOptions,
            only: list[str] | None = None) -> list[KpiResult]:
    """Every order KPI (or those in `only`) overall, per group and per period."""
    return collect_plans([plan(lf, scope, opts, only, cache=True)])[0]


def plan(lf: pl.LazyFrame, scope: Scope, opts: OrderOptions,
         only: list[str] | None = None, customers: pl.LazyFrame | None = None,
         groups_only: bool = False, cache: bool = False) -> Plan:
    """`compute` as queries and their finish, to collect with others over the same scan.
    `customers`: one row per customer of the scope's completed orders (`__orders`,
    `__revenue`) that the caller computes anyway (`cxkit clv`); it stands for this plan's own
    per-customer group-by when there is one level (no --by, no period) and no referrers.
    `groups_only`: per group of `scope.by`, no overall value, as a report's breakdown shows
    them (no overall queries, the per-customer one among them). `cache`: the prepared rows
    read once for every query of the plan (its queries filter and project them differently,
    so common subplan elimination would not merge their scans: 10M orders by month, 6.6-7.5
    -> 5.5-7.1 s on Parquet, 11.0-12.7 -> 9.1-10.1 s on CSV; the report's cards likewise)."""
    groups_only = groups_only and bool(scope.by) and not scope.period
    cols = set(lf.collect_schema().names())
    lf = prepare(lf, scope)
    if cache:
        lf = lf.cache()
    referrer_ids = _referrer_ids(lf, cols)
    rows = row_specs(cols, scope)
    custs, cust_row_aggs, cust_aggs = customer_specs(cols, scope, referrer_ids is not None)
    ref_spec, ref_drops, new_aggs = referral_spec(cols, scope, referrer_ids is not None)
    specs = rows[:1] + custs[:1] + rows[1:3] + custs[1:3] + rows[3:] + [ref_spec] + custs[3:]
    if only:
        specs = [s for s in specs if s.kpi in only]
    row_aggs = [a for s in rows if s in specs and not s.unavailable for a in s.aggs]
    if CID in cols:
        row_aggs += cust_row_aggs + ref_drops
    keys = list(scope.by) + ([START] if scope.period else [])
    levels = [[]] + ([keys] if keys else []) + ([[START]] if scope.period and scope.by else [])
    if groups_only:
        levels = [keys]
    done = pl.col("__done") & (pl.col(ROW) == 0)
    per_cust = lf.filter(done & pl.col(CID).is_not_null()) if CID in cols else None
    firsts = _first_orders(lf, cols, scope) if new_aggs and CID in cols else None
    sums = [pl.len().alias("__orders")]
    if "amount" in cols:
        sums.append(money_sum(pl.col("amount")).alias("__revenue"))
    # per customer at the finest level (segment x period); the coarser levels re-sum its rows
    # (10M orders by month: 4M rows, 0.16 s, where a group-by of the orders took 0.65 s)
    fine_customers = None
    if per_cust is not None and len(levels) > 1 and CID not in keys and referrer_ids is None:
        fine_customers = per_cust.group_by(*keys, id_key(CID).alias(CID)).agg(sums).cache()
    # the row sums: the counts of the coarser levels re-sum the finest level's, the money sums
    # and AOV's statistics per level from the rows (10M orders by month: the overall query's
    # 21 aggregations of 10M rows become 5)
    row_queries = aggregate(lf, row_aggs, keys, scope, additive=True, overall=not groups_only)
    queries = []
    for level, query in zip(levels, row_queries, strict=True):
        if not level and "order_id" in cols and rows[0] in specs:  # repeated ids: headline
            query = query.join(_distinct_ids(lf.filter(done)), how="cross")
        queries.append(query)
        if per_cust is not None and customers is not None and levels == [[]] \
                and referrer_ids is None:
            queries.append(group(customers, level, cust_aggs))
        elif per_cust is not None:
            # --by the customer column itself: one key (a customer is their own segment)
            if CID in level or referrer_ids is not None:
                c = per_cust.group_by(list(dict.fromkeys(level + [CID]))).agg(sums)
            elif fine_customers is not None and level != keys:  # sums of sums, as money_sum
                c = fine_customers.group_by(*level, CID).agg(
                    pl.col("__orders").sum(),
                    *([money_sum(pl.col("__revenue")).alias("__revenue")]
                      if "amount" in cols else []))
            elif fine_customers is not None:
                c = fine_customers
            else:  # the id as one 128-bit number (grouping.id_key): faster than the text ids
                c = per_cust.group_by(*level, id_key(CID).alias(CID)).agg(sums)
            if referrer_ids is not None:
                c = c.with_columns(pl.col(CID).is_in(referrer_ids.implode()).alias("__referrer"))
            queries.append(group(c, level, cust_aggs))
        if firsts is not None:
            queries.append(group(firsts, level, new_aggs))

    def finish(frames: list[pl.DataFrame]) -> list[KpiResult]:
        per_level = len(frames) // len(levels)
        joined = [_join(frames[i * per_level:(i + 1) * per_level], level)
                  for i, level in enumerate(levels)]
        if groups_only:
            return finish_specs(specs, [None, *joined], CID in cols, custs + [ref_spec], scope,
                                opts)
        head = joined[0]
        if IDS in head.columns and head[IDS][0] < head["orders__n"][0]:
            # fewer hashes than orders: a repeated id, or (rarely) two ids of one hash; the
            # exact count of ids, in a pass made only then
            exact = lf.filter(done).select(pl.col("order_id").n_unique()).collect(
                engine="streaming").item()
            joined[0] = head.with_columns(pl.lit(exact, pl.UInt32).alias(IDS))
        return finish_specs(specs, joined, CID in cols, custs + [ref_spec], scope, opts)

    return Plan(queries, finish)


def _distinct_ids(rows: pl.LazyFrame) -> pl.LazyFrame:
    """The distinct hashes of the completed orders' ids (IDS): as many as orders proves no id
    repeats (fewer: `finish` counts the ids exactly). From the sorted hashes: 0.36 s for 10M
    orders where the streaming engine's `n_unique` took 0.6 s."""
    h = pl.col("h")
    return (rows.select(pl.col("order_id").hash().sort().alias("h"))
            .select(pl.when(pl.len() > 0).then((h != h.shift(1)).sum() + 1).otherwise(0)
                    .cast(pl.UInt32).alias(IDS)))


def finish_specs(specs: list[Spec], joined: list[pl.DataFrame], has_customer: bool,
                 per_customer: list[Spec], scope: Scope, opts: OrderOptions) -> list[KpiResult]:
    """The results of the order specs from their sums per level (overall, per group, per
    period), on any engine: what the export cannot give said as the reason."""
    z = stats.z_value(opts.confidence)
    results = []
    for spec in specs:
        if not has_customer and spec in per_customer and not spec.unavailable:
            spec.unavailable = "no customer column (pass --customer COL)"
        if spec.kpi == "cart_abandonment_rate" and not spec.unavailable and \
                joined[0] is not None and \
                not joined[0].row(0, named=True).get(spec.col("abandoned")):
            spec.unavailable = ("no abandoned carts in this export (status 'abandoned'); "
                                "order exports usually leave them out")
        results.append(to_result(spec, joined, scope, z, opts.confidence))
    return results


def _join(frames: list[pl.DataFrame], level: list[str]) -> pl.DataFrame:
    out = frames[0]
    for f in frames[1:]:
        if not level:
            out = pl.concat([out, f], how="horizontal")
        else:
            out = out.join(f, on=level, how="full", coalesce=True, nulls_equal=True)
    return out


def _referrer_ids(lf: pl.LazyFrame, cols: set) -> pl.Series | None:
    """Customer ids that appear in `referred_by` (None when none do: it holds codes or names)."""
    if not {"referred_by", CID} <= cols:
        return None
    ids = lf.select(pl.col("referred_by").drop_nulls().unique()).collect(engine="streaming")
    found = ids.lazy().join(lf.select(pl.col(CID).alias("referred_by")).unique(),
                            on="referred_by", how="semi").collect(engine="streaming")
    return found["referred_by"] if found.height else None


def _first_orders(lf: pl.LazyFrame, cols: set, scope: Scope) -> pl.LazyFrame:
    """Each customer's first completed order in the whole export (ignoring --since/--until),
    kept when it falls in the scope: that customer is new there."""
    referred = pl.lit(False)
    if "referred_by" in cols:
        referred = referred | (pl.col("referred_by").is_not_null() & (pl.col("referred_by") != ""))
    if "acquisition_channel" in cols:
        referred = referred | pl.col("acquisition_channel").str.to_lowercase().str.contains(
            REFERRAL).fill_null(False)
    base = lf.filter(pl.col("__done") & pl.col(CID).is_not_null()
                     & pl.col("ordered_at").is_not_null())
    first = pl.col("ordered_at").arg_min()
    keep = list(scope.by) + ([START] if scope.period else [])
    out = base.with_columns(referred.alias("__referred")).group_by(CID).agg(
        [pl.col(c).get(first) for c in keep + ["__referred", ROW]])
    return out.filter(pl.col(ROW) == 0)
