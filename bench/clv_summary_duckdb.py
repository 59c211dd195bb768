"""The customer summary of predictive CLV in DuckDB, as cxkit.kpi.models.summary builds it.

    python bench/clv_summary_duckdb.py FILE.parquet|'orders_*.csv' [CALIBRATION_END]

Prints {"seconds": s, "records": {"*": {...}}} (bench/common.py, a `step` workload): the seconds
of the query alone, from the file to the aggregates (the import of duckdb left out, as
bench/clv_summary.py leaves out the import of cxkit and Polars).

A purchase occasion: a customer's completed orders (bench/duck.py) on one calendar day, their
amounts summed (rounded to 6 decimals). The order rows left out, by the first reason that
applies: missing_date (no ordered_at), invalid_date (unreadable), the status (cancelled,
abandoned, pending, failed), missing_customer, missing_amount. Calibration end `c` (default: the
last occasion); per customer whose first occasion is on or before `c`: x = occasions up to `c`
- 1, t_x = last - first occasion up to `c`, T = `c` - first, in weeks (7 days), spend = the mean
amount of the occasions after the first, up to `c` (x > 0), rounded to 6 decimals.
bench/orders_duckdb.py clv_model reads the same summary (`summary`), untimed.
"""

from __future__ import annotations

import json
import sys
import time

from duck import order_state, rows, source

DROPPED = ("missing_date", "invalid_date", "cancelled", "abandoned", "pending", "failed",
           "missing_customer", "missing_amount")


def summary(path: str, calibration_end: str | None = None) -> dict:
    """The summary's aggregates: customers, repeat purchases (sum of x), repeat buyers, the
    Gamma-Gamma customers (x > 0 and spend > 0), mean t_x and T, sum and mean of the spend of
    repeat buyers, customers first seen after `c`, and the rows dropped (`dropped.<reason>`)."""
    cal = (f"SELECT DATE '{calibration_end}' AS c" if calibration_end else
           "SELECT max(day) AS c FROM occ")
    query = f"""
        WITH o AS (
            SELECT trim(customer_id) AS customer, ordered_at IS NULL AS blank,
                   CAST(TRY_CAST(ordered_at AS TIMESTAMP) AS DATE) AS day, amount,
                   {order_state('status')} AS state
            FROM {source(path, ('order_id', 'customer_id', 'status'))}
        ),
        r AS (
            SELECT *, CASE WHEN blank THEN 'missing_date' WHEN day IS NULL THEN 'invalid_date'
                           WHEN state <> 'completed' THEN state
                           WHEN customer IS NULL THEN 'missing_customer'
                           WHEN amount IS NULL THEN 'missing_amount' END AS why
            FROM o
        ),
        -- the one pass over the rows: occasions, and one group per reason a row is dropped
        g AS MATERIALIZED (
            SELECT why, CASE WHEN why IS NULL THEN customer END AS customer,
                   CASE WHEN why IS NULL THEN day END AS day,
                   round(sum(amount), 6) AS amount, count(*) AS k
            FROM r GROUP BY ALL
        ),
        occ AS (SELECT customer, day, amount FROM g WHERE why IS NULL),
        cal AS ({cal}),
        per AS (
            SELECT customer, min(day) AS first, max(day) FILTER (day <= c) AS last,
                   count(*) FILTER (day <= c) - 1 AS x, sum(amount) FILTER (day <= c) AS total,
                   arg_min(amount, day) AS first_amount
            FROM occ, cal GROUP BY customer
        ),
        cust AS (
            SELECT first <= c AS modelled, x, (last - first) / 7 AS t_x, (c - first) / 7 AS "T",
                   CASE WHEN x > 0 THEN round((total - first_amount) / x, 6) END AS spend
            FROM per, cal
        )
        SELECT * FROM (
            SELECT count(*) FILTER (modelled) AS customers,
                   sum(x) FILTER (modelled) AS repeat_purchases,
                   count(*) FILTER (modelled AND x > 0) AS repeat_buyers,
                   count(*) FILTER (modelled AND x > 0 AND spend > 0) AS gamma_gamma_n,
                   avg(t_x) FILTER (modelled) AS mean_t_x, avg("T") FILTER (modelled) AS mean_T,
                   sum(spend) FILTER (modelled) AS sum_spend,
                   avg(spend) FILTER (modelled) AS mean_spend,
                   count(*) FILTER (NOT modelled) AS first_after_calibration
            FROM cust
        ), (
            SELECT coalesce(json_group_object(why, k), '{{}}') AS dropped
            FROM (SELECT why, sum(k) AS k FROM g WHERE why IS NOT NULL GROUP BY why)
        )
    """
    (r,) = rows(query)
    dropped = json.loads(r.pop("dropped"))
    r["repeat_purchases"] = int(r["repeat_purchases"] or 0)
    return {**r, **{f"dropped.{d}": int(dropped.get(d, 0)) for d in DROPPED}}


def main() -> None:
    path, cal = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else None)
    start = time.perf_counter()
    found = summary(path, cal)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "records": {"*": found}}))


if __name__ == "__main__":
    main()
