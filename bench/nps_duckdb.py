"""Reference NPS per (channel, month) with DuckDB; prints JSON groups to stdout.

python bench/nps_duckdb.py FILE.csv|FILE.parquet
"""

import json
import sys

import duckdb

path = sys.argv[1]
reader = "read_parquet" if path.endswith(".parquet") else "read_csv"
source = "'" + path.replace("'", "''") + "'"
rows = duckdb.sql(
    f"""
    SELECT channel,
           strftime(responded_at::TIMESTAMP, '%Y-%m') AS period,
           count(*) AS n,
           count(*) FILTER (WHERE nps_score >= 9) AS promoters,
           count(*) FILTER (WHERE nps_score <= 6) AS detractors
    FROM {reader}({source})
    WHERE nps_score BETWEEN 0 AND 10 AND nps_score = floor(nps_score)
    GROUP BY ALL
    ORDER BY ALL
    """
).fetchall()
groups = [
    {"key": {"channel": channel, "period": period}, "n": n, "value": 100 * (p - d) / n}
    for channel, period, n, p, d in rows
]
print(json.dumps({"groups": groups}))
