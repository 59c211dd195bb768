"""Monthly retention and the monthly cohort matrix in plain Polars (bench/run.py --polars), by
the rules of bench/orders_duckdb.py; prints bench/duck.py's shape.

    python bench/orders_polars.py retention|cohorts FILE.parquet|'orders_*.csv'
"""

import sys

import polars as pl
from order_words import NOT_COMPLETED
from polars_ref import emit, scan

analysis, path = sys.argv[1], sys.argv[2]
status = (pl.col("status").str.strip_chars().str.to_lowercase().str.replace("^wc-", "")
          .str.replace_all(" ", "_").str.replace_all("-", "_"))
done = (~status.is_in([w for ws in NOT_COMPLETED.values() for w in ws])).fill_null(True)
at = pl.col("ordered_at")
# customers active (a completed order) in each month, months numbered year * 12 + month - 1
active = (scan(path, ("order_id", "customer_id", "status"), ("ordered_at",))
          .filter(done & at.is_not_null() & pl.col("customer_id").is_not_null())
          .select(pl.col("customer_id").str.strip_chars().alias("customer"),
                  (at.dt.year().cast(pl.Int32) * 12 + at.dt.month().cast(pl.Int32) - 1)
                  .alias("month"))
          .unique())


def label(month: int) -> str:
    return f"{month // 12}-{month % 12 + 1:02d}"


if analysis == "retention":
    # month P: customers active in P - 1 (n), of whom active in P (retained)
    pairs = (active.with_columns(pl.col("month") + 1)
             .join(active.with_columns(pl.lit(True).alias("again")), on=["customer", "month"],
                   how="left")
             .group_by("month").agg(pl.len().alias("n"), pl.col("again").sum().alias("kept"))
             .collect(engine="streaming"))
    counts = {r["month"]: (r["n"], r["kept"]) for r in pairs.to_dicts()}
    out = {}
    for month in range(min(counts, default=0), max(counts, default=0)):  # drops last + 1
        n, kept = counts.get(month, (0, 0))
        if n:
            out[label(month)] = {"n": n, "retained": kept, "churned": n - kept}
    n = sum(r["n"] for r in out.values())
    kept = sum(r["retained"] for r in out.values())
    out["*"] = {"n": n, "retained": kept, "churned": n - kept}
    emit(out)
elif analysis == "cohorts":
    firsts = active.group_by("customer").agg(pl.col("month").min().alias("cohort"))
    cells = (active.join(firsts, on="customer")
             .group_by("cohort", (pl.col("month") - pl.col("cohort")).alias("since"))
             .agg(pl.len().alias("k")).collect(engine="streaming"))
    counts = {(r["cohort"], r["since"]): r["k"] for r in cells.to_dicts()}
    last = max((c + s for c, s in counts), default=0)
    out = {}
    for cohort in sorted({c for c, _ in counts}):
        customers = [counts.get((cohort, s), 0) for s in range(last - cohort + 1)]
        out[label(cohort)] = {"n": customers[0], "customers": customers}
    seen = [c for c in {c for c, _ in counts} if c + 1 <= last]
    base = sum(counts.get((c, 0), 0) for c in seen)
    retained = sum(counts.get((c, 1), 0) for c in seen)
    out["*"] = {"n": base, "retained": retained, "not_retained": base - retained}
    emit(out)
else:
    sys.exit(f"unknown analysis {analysis}")
