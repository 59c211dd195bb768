"""Complaints (KPIS.md "Tickets": complaint rate, category x severity, recurrence).

A complaint is a ticket flagged or typed as such (`--complaint-when`). The rate is per 100
completed orders of the same period when orders are given (`completed_order_days`, counted as
`cxkit orders` counts them), else per 100 customers who contacted support.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from cxkit.errors import UsageError
from cxkit.kpi import stats
from cxkit.kpi.grouping import (
    PERIOD_COL,
    PERIODS,
    START,
    Scope,
    id_key,
    label_periods,
    period_start,
)
from cxkit.kpi.result import Group, KpiResult
from cxkit.kpi.specs import ROW

UNDATED = "__undated"  # why a ticket has no creation date: missing_date or invalid_date
WORDS = ["complaint", "complaints", "réclamation", "reclamation", "plainte", "claim"]
TRUE = ["1", "true", "yes", "y", "oui", "vrai", "x"]
MATCH_ROLES = ("tags", "type", "category", "severity", "status", "is_complaint")


def complaint_expr(cols: set[str], when: str | None) -> tuple[pl.Expr, str]:
    """The predicate for "this ticket is a complaint", and its description."""
    if when:
        role, sep, value = when.partition("=")
        role = {"tag": "tags"}.get(role.strip().lower(), role.strip().lower())
        if not sep or role not in MATCH_ROLES or not value.strip():
            raise UsageError(f"--complaint-when '{when}': expected ROLE=VALUE",
                             "e.g. --complaint-when tag=complaint or type=Complaint; roles: "
                             + ", ".join(MATCH_ROLES))
        if role not in cols:
            raise UsageError(f"--complaint-when '{when}': the export has no {role} column",
                             "pick another role, or check `cxkit columns FILE`")
        want = value.strip().lower()
        text = pl.col(role).str.to_lowercase()
        if role == "tags":  # tags are a list in one cell: space, comma or semicolon separated
            return _has_word(text, [want]), f"tag {want}"
        return (text == want), f"{role} = {value.strip()}"
    found = []
    if "is_complaint" in cols:
        found.append(pl.col("is_complaint").str.to_lowercase().is_in(TRUE))
    for role in ("type", "category"):
        if role in cols:
            found.append(pl.col(role).str.to_lowercase().is_in(WORDS))
    if "tags" in cols:
        found.append(_has_word(pl.col("tags").str.to_lowercase(), WORDS))
    if found:
        return pl.any_horizontal([f.fill_null(False) for f in found]), \
            "flag, type, category or tag says complaint"
    raise UsageError("no complaint flag, type or tags column to tell complaints apart",
                     "pass --complaint-when, e.g. --complaint-when category=Complaint")


def _has_word(text: pl.Expr, words: list[str]) -> pl.Expr:
    """Tags are a list in one cell, separated by spaces, commas or semicolons."""
    import re

    alternatives = "|".join(re.escape(w) for w in words)
    return text.str.contains(rf"(?:^|[\s,;])(?:{alternatives})(?:$|[\s,;])")


def _known_customer() -> pl.Expr:
    """A ticket with a customer id (`load_tickets` made blank ids null): counted, repeating."""
    return pl.col("customer_id").is_not_null()


def customer_key() -> pl.Expr:
    """The customer id as one 128-bit number (`id_key`), null when blank: the distinct counts of
    the rate (per period, overall) on it took 0.4-0.5 s for 5M tickets, 0.65-0.9 s on the text."""
    return pl.when(_known_customer()).then(id_key("customer_id"))


def completed_order_days(orders: pl.LazyFrame, since: date | None, until: date | None
                         ) -> tuple[pl.DataFrame, int]:
    """Completed orders per day from `since` to `until` (inclusive), the denominator of the rate.

    `orders` is the frame of `cxkit.io.orders.load_orders` (a Shopify export is one row per order
    there). An order counts as `cxkit orders --since --until` counts it (`cxkit.kpi.orders`): one
    per row whose state is completed, dated in the range; cancelled, abandoned, pending and
    failed orders do not count. Returns `__date`, `__rows` (orders that day), and the number of
    completed orders left out for a blank or unreadable date (they belong to no period).
    """
    from cxkit.kpi.orders import prepare

    lf = prepare(orders, Scope(since=since, until=until))  # `__done`, ROW: 0 in the range
    done, dated = pl.col("__done"), pl.col("ordered_at").is_not_null()
    days = (lf.filter(done & dated & (pl.col(ROW) == 0))
            .group_by(pl.col("ordered_at").dt.date().alias("__date"))
            .agg(pl.len().alias("__rows")).sort("__date"))
    undated = lf.select((done & ~dated).sum())
    per_day, lost = pl.collect_all([days, undated], engine="streaming")
    return per_day, int(lost.item())


@dataclass
class ComplaintOptions:
    when: str | None = None
    window_hours: float = 90 * 24
    period: str | None = None
    confidence: float = 0.95


def compute(tickets: pl.LazyFrame, orders: pl.DataFrame | None, opts: ComplaintOptions,
            rate_only: bool = False) -> list[KpiResult]:
    """complaint_rate (per period), complaints by category x severity, recurrence by category
    (`rate_only`: the rate alone, as the report's card shows it).

    `orders` holds one row per order day: `__date` and `__rows` (completed orders that day), as
    `completed_order_days` gives them.
    """
    cols = set(tickets.collect_schema().names())
    is_c, described = complaint_expr(cols, opts.when)
    keys = [c for c in ("category", "severity") if c in cols]
    lf = tickets.with_columns(is_c.fill_null(False).alias("__complaint"))
    complaints = lf.filter(pl.col("__complaint"))
    known = _known_customer() if "customer_id" in cols else None
    if known is not None and "category" in cols:
        prev = pl.col("created_at").shift(1).over(["customer_id", "category"],
                                                  order_by="created_at")
        gap = (pl.col("created_at") - prev).dt.total_microseconds() / 3_600_000_000
        complaints = complaints.with_columns(  # no id: not anyone's second complaint
            (known & gap.is_not_null() & (gap <= opts.window_hours)).alias("__recurrent"))
    day = pl.col("created_at").dt.date()
    start = period_start(day, opts.period) if opts.period else pl.lit(None, pl.Date)
    per = [pl.col("__complaint").sum().alias("complaints"), pl.len().alias("tickets")]
    if known is not None:
        per.append(customer_key().drop_nulls().n_unique().alias("customers"))
    created = pl.col("created_at")
    blank = pl.col("created_at__blank") if "created_at__blank" in cols else created.is_null()
    undated = pl.when(created.is_null()).then(
        pl.when(blank).then(pl.lit("missing_date")).otherwise(pl.lit("invalid_date")))
    q_period = lf.group_by(start.alias(START), undated.alias(UNDATED)).agg(per)
    q_cat = complaints.group_by(keys).agg(pl.len().alias("n")) if keys else None
    q_rec = complaints.group_by("category").agg(pl.len().alias("n"), pl.col("__recurrent").sum()
                                                .alias("recurrent")) \
        if "__recurrent" in complaints.collect_schema().names() else None
    q_cust = (complaints.filter(known).group_by(customer_key().alias("__c"))
              .agg(pl.len().alias("n")).filter(pl.col("n") >= 2).select(pl.len())
              if known is not None else None)
    q_all = lf.select(customer_key().drop_nulls().n_unique()) if known is not None else None
    if rate_only:
        q_cat = q_rec = q_cust = None
    queries = [q for q in (q_period, q_all, q_cat, q_rec, q_cust) if q is not None]
    frames = iter(pl.collect_all(queries, engine="streaming"))
    by_period = next(frames)
    customers = next(frames).item() if q_all is not None else None
    rate = _rate(by_period, orders, customers, opts, described)
    results = [rate]
    if q_cat is not None:
        results.append(_breakdown(next(frames), keys, described, opts))
    if q_rec is not None:
        rec = next(frames)
        repeaters = next(frames).item() if q_cust is not None else None
        results.append(_recurrence(rec, repeaters, opts))
    return results


def _rate(df: pl.DataFrame, orders: pl.DataFrame | None, customers: int | None, opts,
          described) -> KpiResult:
    base = "orders" if orders is not None else "customers"
    dropped = {}
    if orders is not None or opts.period:  # a complaint with no date is in no period
        lost = df.filter(pl.col(UNDATED).is_not_null())
        dropped = {r: int(lost.filter(pl.col(UNDATED) == r)["complaints"].sum())
                   for r in ("missing_date", "invalid_date")}
        df = df.filter(pl.col(UNDATED).is_null())
    if not opts.period:  # one row: dated and undated tickets together (customers: overall)
        df = df.group_by(START).agg(pl.col("complaints", "tickets").sum())
    if orders is not None:
        o = orders.group_by((pl.col("__date").dt.truncate(PERIODS[opts.period]) if opts.period
                             else pl.lit(None, pl.Date)).alias(START)).agg(
            pl.col("__rows").sum().alias("orders"))
        df = df.join(o, on=START, how="full", coalesce=True, nulls_equal=True).with_columns(
            pl.col("complaints", "tickets").fill_null(0), pl.col("orders").fill_null(0))
    total_c = int(df["complaints"].sum())
    if base == "customers" and customers is None:
        raise UsageError("no customer column: the complaint rate needs orders or customers",
                         "pass --orders FILE, or --customer COL")
    # customers: distinct over the whole export, not the sum of the periods'
    total_b = int(df["orders"].sum()) if base == "orders" else customers
    value = 100 * total_c / total_b if total_b else None
    rule = (f"complaints ({described}) per 100 "
            + ("completed orders of the same period (cancelled, abandoned, pending and failed "
               "orders not counted)" if base == "orders"
               else "customers who contacted support (distinct non-blank customer ids)"))
    result = KpiResult("complaint_rate", value, total_b or 0, None,
                       {"complaints": total_c, base: total_b or 0}, dropped, rule, 2,
                       confidence=opts.confidence)
    if opts.period:
        rows = label_periods(df.filter(pl.col(START).is_not_null()).sort(START),
                             opts.period).to_dicts()
        for row in rows:
            b = int(row[base] or 0)
            g = Group({PERIOD_COL: row[PERIOD_COL]}, 100 * row["complaints"] / b if b else None,
                      b, None, {"complaints": int(row["complaints"]), base: b})
            result.groups.append(g)
        result.group_keys = [PERIOD_COL]
        result.trend = [{"period": g.key[PERIOD_COL], "value": g.value, "n": g.n}
                        for g in result.groups]
        _last_change(result, rows, base, opts)
    return result


def _last_change(result: KpiResult, rows: list[dict], base: str, opts) -> None:
    """The change of the last period against the one before, tested as two proportions
    (complaints of the orders or customers of each period), when they are adjacent periods."""
    if len(rows) < 2 or rows[-2][START] != rows[-1]["__prev_start"]:
        return
    (k1, n1), (k2, n2) = ((int(r["complaints"]), int(r[base] or 0)) for r in rows[-2:])
    if not (0 < n1 and 0 < n2 and k1 <= n1 and k2 <= n2):
        return  # more complaints than orders: not a proportion, no test
    z = stats.z_value(opts.confidence)
    result.change = 100 * (k2 / n2 - k1 / n1)
    result.change_test = stats.proportion_diff(k1, n1, k2, n2, z)
    result.significant = result.change_test.p < 1 - opts.confidence


def _breakdown(df: pl.DataFrame, keys: list[str], described: str, opts) -> KpiResult:
    total = int(df["n"].sum())
    df = df.sort(["n", *keys], descending=[True] + [False] * len(keys), nulls_last=True)
    result = KpiResult("complaints", float(total), total, None, {}, {},
                       f"complaints ({described}) by {' x '.join(keys)}; share of all complaints",
                       0, confidence=opts.confidence)
    for row in df.to_dicts():
        result.groups.append(Group({k: row[k] for k in keys}, float(row["n"]), int(row["n"]),
                                   None, {}, {"share": 100 * row["n"] / total if total else None}))
    result.group_keys = keys
    return result


def _recurrence(df: pl.DataFrame, repeaters: int | None, opts) -> KpiResult:
    z = stats.z_value(opts.confidence)
    n, k = int(df["n"].sum()), int(df["recurrent"].sum())
    days = opts.window_hours / 24
    result = KpiResult(
        "recurrence_rate", 100 * k / n if n else None, n, stats.wilson(k, n, z) if n else None,
        {"recurrent": k, "first": n - k}, {},
        f"a complaint is recurrent when the same customer complained in the same category "
        f"within {days:g} days before it", 1,
        extra={"customers_with_2_plus": repeaters}, confidence=opts.confidence)
    for row in df.sort("category", nulls_last=True).to_dicts():
        m, r = int(row["n"]), int(row["recurrent"])
        result.groups.append(Group({"category": row["category"]}, 100 * r / m if m else None, m,
                                   stats.wilson(r, m, z) if m else None,
                                   {"recurrent": r, "first": m - r}))
    result.group_keys = ["category"]
    return result
