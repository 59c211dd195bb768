"""Monthly retention and the monthly cohort matrix in plain Polars (bench/run.py --polars), by
the rules of bench/orders_duckdb.py; prints bench/duck.py's shape.

    python bench/orders_polars.py retention|cohorts FILE.parquet|'orders_*.csv'
"""

import sys

import polars as pl
from orders_ref import NOT_COMPLETED, cohort_records, retention_records
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


if analysis == "retention":
    # month P: customers active in P - 1 (n), of whom active in P (retained)
    pairs = (active.with_columns(pl.col("month") + 1)
             .join(active.with_columns(pl.lit(True).alias("again")), on=["customer", "month"],
                   how="left")
             .group_by("month").agg(pl.len().alias("n"), pl.col("again").sum().alias("kept"))
             .collect(engine="streaming"))
    emit(retention_records({r["month"]: (r["n"], r["kept"]) for r in pairs.to_dicts()}))
elif analysis == "cohorts":
    firsts = active.group_by("customer").agg(pl.col("month").min().alias("cohort"))
    cells = (active.join(firsts, on="customer")
             .group_by("cohort", (pl.col("month") - pl.col("cohort")).alias("since"))
             .agg(pl.len().alias("k")).collect(engine="streaming"))
    emit(cohort_records({(r["cohort"], r["since"]): r["k"] for r in cells.to_dicts()}))
else:
    sys.exit(f"unknown analysis {analysis}")
