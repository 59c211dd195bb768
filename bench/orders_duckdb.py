"""Reference monthly retention, or the monthly cohort matrix, with DuckDB; prints JSON to stdout.

python bench/orders_duckdb.py FILE.csv|FILE.parquet [--cohorts]

Active in month M: a customer with at least one order in calendar month M whose status is
not cancelled. Months are numbered year * 12 + month - 1, so M - 1 is the calendar month
before M even when a month has no orders. Retention, for each month P after the first active
month through the last: n = customers active in P - 1, retained = those also active in P,
churned = n - retained. Cohort: the month of a customer's first non-cancelled order;
customers[k] = the cohort's customers active in month cohort + k, k = 0 .. last month - cohort.
Output, the shape of cxkit's JSON: {"kpi": "retention_rate", "groups": [{"key": {"period"},
"n", "value", "counts": {"retained", "churned"}}, ...]}, or with --cohorts {"kpi":
"cohort_retention", "groups": [{"key": {"cohort"}, "n", "customers": [...], "retention":
[...]}, ...]}, lists padded with null to the same length.
"""

import json
import sys

import duckdb

path = sys.argv[1]
cohorts = "--cohorts" in sys.argv[2:]
source = "'" + path.replace("'", "''") + "'"
if path.endswith(".parquet"):
    reader = f"read_parquet({source})"
else:
    types = "{'order_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'ordered_at': 'TIMESTAMP', "
    types += "'amount': 'DOUBLE', 'status': 'VARCHAR'}"
    reader = f"read_csv({source}, header = true, columns = {types})"
active = f"""
    active AS (
        SELECT DISTINCT customer_id, year(ordered_at) * 12 + month(ordered_at) - 1 AS month
        FROM {reader}
        WHERE status <> 'cancelled' AND ordered_at IS NOT NULL AND customer_id IS NOT NULL
    )"""


def label(month: int) -> str:
    return f"{month // 12}-{month % 12 + 1:02d}"


if cohorts:
    # cohort, months since it, customers of the cohort active then
    cells = duckdb.sql(
        f"""
        WITH {active},
        cohorts AS (
            SELECT customer_id, min(month) AS cohort FROM active GROUP BY customer_id
        )
        SELECT cohort, month - cohort AS since, count(*) AS customers
        FROM active JOIN cohorts USING (customer_id)
        GROUP BY ALL
        """
    ).fetchall()
    counts = {(cohort, since): n for cohort, since, n in cells}
    starts = sorted({cohort for cohort, _ in counts})
    last = max((cohort + since for cohort, since in counts), default=0)
    width = last - starts[0] + 1 if starts else 0
    groups = []
    for cohort in starts:
        customers = [counts.get((cohort, since), 0) for since in range(last - cohort + 1)]
        size = customers[0]
        shares = [100 * n / size for n in customers]
        pad = [None] * (width - len(customers))
        groups.append(
            {
                "key": {"cohort": label(cohort)},
                "n": size,
                "value": shares[1] if len(shares) > 1 else None,
                "counts": {"customers": size},
                "retention": shares + pad,
                "customers": customers + pad,
            }
        )
    print(json.dumps({"kpi": "cohort_retention", "groups": groups}))
else:
    # month P, customers active in P - 1, of whom also active in P; P runs from the first
    # active month + 1 to the last active month + 1 (where no one can be retained: dropped)
    pairs = duckdb.sql(
        f"""
        WITH {active}
        SELECT before.month + 1 AS month,
               count(*) AS n,
               count(after.customer_id) AS retained
        FROM active AS before
        LEFT JOIN active AS after
               ON after.customer_id = before.customer_id AND after.month = before.month + 1
        GROUP BY ALL
        """
    ).fetchall()
    counts = {month: (n, retained) for month, n, retained in pairs}
    groups = []
    for month in range(min(counts, default=0), max(counts, default=0)):
        n, retained = counts.get(month, (0, 0))
        groups.append(
            {
                "key": {"period": label(month)},
                "n": n,
                "value": 100 * retained / n if n else None,
                "counts": {"retained": retained, "churned": n - retained},
            }
        )
    print(json.dumps({"kpi": "retention_rate", "groups": groups}))
