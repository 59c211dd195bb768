"""Reference resolution time per (channel, ISO week) with DuckDB; prints JSON groups to stdout.

python bench/tickets_duckdb.py FILE.csv|FILE.parquet

Resolved tickets only (resolved_at not null), negative durations (resolved_at < created_at)
excluded; hours = epoch difference / 3600; week = ISO week of created_at (%G-W%V); median
and p90 by linear interpolation (quantile_cont). Output: {"groups": [{"key": {"channel",
"period"}, "n", "value" (mean), "median", "p90"}, ...]}, the shape of cxkit's JSON groups.
"""

import json
import sys

import duckdb

path = sys.argv[1]
reader = "read_parquet" if path.endswith(".parquet") else "read_csv"
source = "'" + path.replace("'", "''") + "'"
rows = duckdb.sql(
    f"""
    WITH tickets AS (
        SELECT channel,
               created_at::TIMESTAMP AS created,
               resolved_at::TIMESTAMP AS resolved
        FROM {reader}({source})
    ),
    durations AS (
        SELECT channel,
               strftime(created, '%G-W%V') AS period,
               (epoch(resolved) - epoch(created)) / 3600 AS hours
        FROM tickets
        WHERE resolved IS NOT NULL AND resolved >= created
    )
    SELECT channel, period,
           count(*) AS n,
           avg(hours) AS mean,
           quantile_cont(hours, 0.5) AS median,
           quantile_cont(hours, 0.9) AS p90
    FROM durations
    GROUP BY channel, period
    ORDER BY channel, period
    """
).fetchall()
groups = [
    {
        "key": {"channel": channel, "period": period},
        "n": n,
        "value": mean,
        "median": median,
        "p90": p90,
    }
    for channel, period, n, mean, median, p90 in rows
]
print(json.dumps({"groups": groups}))
