"""NPS, CSAT or CES by channel and month in plain Polars (bench/run.py --polars), by the rules
of bench/surveys_duckdb.py; prints bench/duck.py's shape.

    python bench/surveys_polars.py nps|csat|ces FILE.csv|FILE.parquet
"""

import sys

import polars as pl
from polars_ref import emit, keyed, label, month, scan

kpi, path = sys.argv[1], sys.argv[2]
column, low, high = {"nps": ("nps_score", 0, 10), "csat": ("csat_score", 1, 5),
                     "ces": ("ces_score", 1, 5)}[kpi]
s = pl.col("s")
counts = {
    "nps": [(s >= 9).sum().alias("promoters"), (s <= 6).sum().alias("detractors")],
    "csat": [(s >= 4).sum().alias("satisfied"), s.mean().alias("mean_score")],
    "ces": [(s <= 2).sum().alias("low_effort"), s.mean().alias("mean")],
}[kpi]
rows = (scan(path, ("channel",), ("responded_at",))
        .select("channel", month(pl.col("responded_at")).alias("period"),
                pl.col(column).cast(pl.Float64, strict=False).alias("s"))
        .filter(pl.col("period").is_not_null() & s.is_between(low, high) & (s == s.floor())))
aggs = [pl.len().alias("n"), *counts]
groups, overall = pl.collect_all([rows.group_by("channel", "period").agg(aggs)
                                  .with_columns(label("month")), rows.select(aggs)],
                                 engine="streaming")
out = {}
for key, r in keyed(groups, overall, ["channel", "period"]):
    n = r["n"]
    if kpi == "nps":
        out[key] = {"n": n, "promoters": r["promoters"], "detractors": r["detractors"],
                    "value": 100 * (r["promoters"] - r["detractors"]) / n}
    elif kpi == "csat":
        out[key] = {"n": n, "satisfied": r["satisfied"], "value": 100 * r["satisfied"] / n,
                    "mean_score": r["mean_score"]}
    else:
        out[key] = {"n": n, "low_effort": r["low_effort"], "value": r["mean"],
                    "pct_low_effort": 100 * r["low_effort"] / n}
emit(out)
