"""NPS, CSAT or CES by channel and month with DuckDB, as cxkit computes them.

    python bench/surveys_duckdb.py nps|csat|ces FILE.csv|FILE.parquet

Counted answers: a score on the scale that is a whole number (cxkit drops blanks as missing,
fractions as invalid, the rest as out_of_range) with a response date. NPS 0-10: promoters 9-10,
detractors 0-6, value 100 (P - D) / n. CSAT 1-5: satisfied 4-5, value 100 satisfied / n,
mean_score. CES 1-5: value = the mean score, low effort 1-2 (pct_low_effort). Month: the
calendar month of responded_at. One pass: GROUPING SETS ((channel, month), ()).
"""

import sys

from duck import emit, rows, source

kpi, path = sys.argv[1], sys.argv[2]
column, low, high = {"nps": ("nps_score", 0, 10), "csat": ("csat_score", 1, 5),
                     "ces": ("ces_score", 1, 5)}[kpi]
sums = {
    "nps": "count(*) FILTER (s >= 9) AS promoters, count(*) FILTER (s <= 6) AS detractors",
    "csat": "count(*) FILTER (s >= 4) AS satisfied, avg(s) AS mean_score",
    "ces": "count(*) FILTER (s <= 2) AS low_effort, avg(s) AS mean",
}[kpi]
found = rows(f"""
    WITH answers AS (
        SELECT channel, strftime(CAST(responded_at AS TIMESTAMP), '%Y-%m') AS period,
               CAST({column} AS DOUBLE) AS s
        FROM {source(path)}
        WHERE responded_at IS NOT NULL
    )
    SELECT grouping(channel) AS overall, channel, period, count(*) AS n, {sums}
    FROM answers
    WHERE s BETWEEN {low} AND {high} AND s = floor(s)
    GROUP BY GROUPING SETS ((channel, period), ())
""")
out = {}
for r in found:
    key = "*" if r["overall"] else f"{r['channel']}|{r['period']}"
    n = r["n"]
    if kpi == "nps":
        rec = {"n": n, "promoters": r["promoters"], "detractors": r["detractors"],
               "value": 100 * (r["promoters"] - r["detractors"]) / n}
    elif kpi == "csat":
        rec = {"n": n, "satisfied": r["satisfied"], "value": 100 * r["satisfied"] / n,
               "mean_score": r["mean_score"]}
    else:
        rec = {"n": n, "low_effort": r["low_effort"], "value": r["mean"],
               "pct_low_effort": 100 * r["low_effort"] / n}
    out[key] = rec
emit(out)
