"""The ticket workloads in plain Polars (bench/run.py --polars), by the rules of
bench/tickets_duckdb.py; prints bench/duck.py's shape.

    python bench/tickets_polars.py resolution|fcr_flag|fcr_contacts|fcr_repeat FILE
    python bench/tickets_polars.py sla FILE HOURS
    python bench/tickets_polars.py backlog FILE 'YYYY-MM-DD HH:MM:SS'
"""

import sys
from datetime import datetime

import polars as pl
from polars_ref import emit, keyed, label, scan, week

RESOLVED = ["solved", "closed", "resolved", "résolu", "resolu", "fermé", "ferme", "clos",
            "clôturé", "cloture", "done", "4", "5"]
TRUE = ["1", "true", "yes", "y", "oui", "vrai", "x"]
FALSE = ["0", "false", "no", "n", "non", "faux"]
BUCKETS = {"under_1d": (0, 24), "1_3d": (24, 72), "3_7d": (72, 168), "over_7d": (168, None)}
TEXT = ("ticket_id", "customer_id", "status", "channel", "category", "fcr_flag")
STAMPS = ("created_at", "first_response_at", "resolved_at")

kpi, path, *rest = sys.argv[1:]
lf = scan(path, TEXT, STAMPS)
status = pl.col("status").str.strip_chars().str.to_lowercase()
resolved = (status.is_in(RESOLVED) | (pl.col("status").is_null()
                                      & pl.col("resolved_at").is_not_null())).fill_null(False)
created = pl.col("created_at")


def hours(end: pl.Expr, start: pl.Expr) -> pl.Expr:
    return (end - start).dt.total_microseconds() / 3_600_000_000


def by_week(rows: pl.LazyFrame, aggs: list[pl.Expr]) -> list[tuple[str, dict]]:
    """`aggs` per channel and ISO week and over every row, one collect."""
    rows = rows.with_columns(pl.col("channel").str.strip_chars(), week(created).alias("period"))
    groups, overall = pl.collect_all([rows.group_by("channel", "period").agg(aggs)
                                      .with_columns(label("week")), rows.select(aggs)],
                                     engine="streaming")
    return keyed(groups, overall, ["channel", "period"])


def share(found, yes: str, no: str) -> dict:
    return {k: {"n": r["yes"] + r["no"], yes: r["yes"], no: r["no"],
                "value": 100 * r["yes"] / (r["yes"] + r["no"])}
            for k, r in found if r["yes"] + r["no"]}


if kpi == "resolution":
    h = hours(pl.col("resolved_at"), created)
    rows = lf.filter(created.is_not_null() & resolved & (h >= 0)).with_columns(h.alias("h"))
    found = by_week(rows, [pl.len().alias("n"), pl.col("h").mean().alias("value"),
                           pl.col("h").median().alias("median"),
                           pl.col("h").quantile(0.9, "linear").alias("p90")])
    emit(dict(found))
elif kpi.startswith("fcr_"):
    if kpi == "fcr_flag":
        flag = pl.col("fcr_flag").str.strip_chars().str.to_lowercase()
        yes, no = flag.is_in(TRUE), flag.is_in(FALSE)
    elif kpi == "fcr_contacts":
        contacts = pl.col("agent_touches").cast(pl.Float64, strict=False)
        reopened = (pl.col("reopens").cast(pl.Float64, strict=False) >= 1).fill_null(False)
        yes, no = (contacts <= 1) & ~reopened, (contacts > 1) | reopened
    else:  # the next ticket of the same customer in the same category, within 7 days: the
        # tickets sorted by customer, category and time, each against the row after it
        # (`shift(-1).over(..., order_by=...)` took 22 s here)
        keys = ["customer_id", "category"]
        lf = (lf.with_columns(pl.col(c).str.strip_chars() for c in keys)
              .sort([*keys, "created_at"], nulls_last=True, maintain_order=True))
        same = pl.all_horizontal(pl.col(c).shift(-1).eq_missing(pl.col(c)) for c in keys)
        following = pl.when(same).then(created.shift(-1))
        lf = lf.with_columns(  # a column: in the group-by, shift would work within groups
            pl.when(pl.col("customer_id").is_not_null() & created.is_not_null()).then(
                (hours(following, created) <= 168).fill_null(False)).alias("repeat"))
        yes, no = ~pl.col("repeat"), pl.col("repeat")
    rows = lf.filter(created.is_not_null())
    found = by_week(rows, [(resolved & yes).sum().alias("yes"), (resolved & no).sum().alias("no")])
    emit(share(found, "first_contact", "not_first_contact"))
elif kpi == "sla":
    target = float(rest[0])
    h = hours(pl.col("first_response_at"), created)
    rows = lf.filter(created.is_not_null() & (h >= 0)).with_columns(h.alias("h"))
    found = by_week(rows, [(pl.col("h") <= target).sum().alias("yes"),
                           (pl.col("h") > target).sum().alias("no")])
    emit(share(found, "within", "breached"))
elif kpi == "backlog":
    as_of = datetime.fromisoformat(rest[0])
    closed = pl.col("resolved_at")
    rows = (lf.filter((created <= as_of) & ~(resolved & (closed.is_null() | (closed <= as_of))))
            .select(pl.col("channel").str.strip_chars(), hours(pl.lit(as_of), created)
                    .alias("age")))
    age = pl.col("age")
    aggs = [pl.len().alias("n"),
            *[((age >= lo) & (age < hi) if hi else age >= lo).sum().alias(b)
              for b, (lo, hi) in BUCKETS.items()],
            age.mean().alias("mean_age_hours"), age.median().alias("median_age_hours"),
            age.max().alias("max_age_hours")]
    groups, overall = pl.collect_all([rows.group_by("channel").agg(aggs), rows.select(aggs)],
                                     engine="streaming")
    emit(dict(keyed(groups, overall, ["channel"])))
else:
    sys.exit(f"unknown KPI {kpi}")
