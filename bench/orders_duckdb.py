"""Order KPIs, monthly retention, the cohort matrix and CLV with DuckDB, as cxkit computes them.

    python bench/orders_duckdb.py orders|retention|cohorts|clv|clv_model FILE.parquet|'orders_*.csv'

A completed order: its status, folded as cxkit folds it, is not a cancelled, abandoned, pending
or failed word (bench/duck.py). Months: the calendar month of ordered_at.
- orders (by month and overall, dated orders): orders, revenue, aov (mean, median), return rate
  (refunded statuses), and per customer with a completed order: customers, purchase frequency
  (orders / customers), repeat purchase rate (2+ orders in the month), clv (mean and median of
  the customer's revenue in the month, each sum rounded to 6 decimals as cxkit does).
- retention: customers active (a completed order) in month P - 1, and of them active in P.
- cohorts: customers by the month of their first completed order, active k months later.
- clv: historical CLV over all completed orders (mean, median per customer) and the formula:
  AOV x orders per customer per year x lifetime, lifetime = 1 / annual churn (customers with an
  order in [T - 2y, T - 1y) and none after T - 1y, T = the last order, a year = 365 days).
- clv_model: the customer summary `cxkit clv --model bgnbd` fits its models on
  (bench/clv_summary_duckdb.py), as the counts its JSON prints: customers, repeat and one-time
  buyers, repeat purchases, the Gamma-Gamma customers, the order rows dropped by reason. The
  models themselves are not fitted here.
"""

import sys

from duck import emit, order_returned, order_state, rows, source
from orders_ref import cohort_records, retention_records

analysis, path = sys.argv[1], sys.argv[2]
orders = f"""
    SELECT trim(order_id) AS order_id, trim(customer_id) AS customer,
           CAST(ordered_at AS TIMESTAMP) AS ts, amount,
           {order_state('status')} = 'completed' AS done, {order_returned('status')} AS returned
    FROM {source(path, ('order_id', 'customer_id', 'status'))}
"""
active = f"""
    active AS (
        SELECT DISTINCT customer, year(ts) * 12 + month(ts) - 1 AS month
        FROM ({orders}) WHERE done AND ts IS NOT NULL AND customer IS NOT NULL
    )"""


def month_key(r: dict) -> str:
    return "*" if r["overall"] else r["period"]


if analysis == "orders":
    found = rows(f"""
        WITH o AS (SELECT *, strftime(ts, '%Y-%m') AS period FROM ({orders}) WHERE ts IS NOT NULL)
        SELECT grouping(period) AS overall, period,
               count(*) FILTER (done) AS orders, count(DISTINCT order_id) FILTER (done) AS ids,
               count(amount) FILTER (done) AS with_amount, sum(amount) FILTER (done) AS revenue,
               avg(amount) FILTER (done) AS aov, quantile_cont(amount, 0.5) FILTER (done) AS median,
               count(*) FILTER (done AND returned) AS returned,
               count(*) FILTER (done AND NOT returned) AS kept
        FROM o GROUP BY GROUPING SETS ((period), ())
    """)
    per = rows(f"""
        WITH o AS (SELECT *, strftime(ts, '%Y-%m') AS period FROM ({orders})
                   WHERE ts IS NOT NULL AND done AND customer IS NOT NULL),
        c AS (SELECT grouping(period) AS overall, period, customer, count(*) AS k,
                     round(sum(amount), 6) AS revenue
              FROM o GROUP BY GROUPING SETS ((period, customer), (customer)))
        SELECT overall, period, count(*) AS customers, sum(k) AS orders,
               count(*) FILTER (k >= 2) AS repeat, avg(revenue) AS clv,
               quantile_cont(revenue, 0.5) AS clv_median
        FROM c GROUP BY overall, period
    """)
    out = {}
    for r in found:
        rec = out.setdefault(month_key(r), {})
        rec.update({"orders.n": r["orders"], "revenue.n": r["with_amount"],
                    "revenue.value": r["revenue"], "aov.n": r["with_amount"],
                    "aov.value": r["aov"], "aov.median": r["median"],
                    "return_rate.returned": r["returned"], "return_rate.kept": r["kept"],
                    "return_rate.value": 100 * r["returned"] / r["orders"]})
        if r["ids"] < r["orders"]:
            rec["orders.repeated_order_ids"] = r["orders"] - r["ids"]
    for r in per:
        n = r["customers"]
        out.setdefault(month_key(r), {}).update({
            "customers.n": n, "purchase_frequency.n": n,
            "purchase_frequency.value": r["orders"] / n, "repeat_purchase_rate.n": n,
            "repeat_purchase_rate.repeat": r["repeat"],
            "repeat_purchase_rate.value": 100 * r["repeat"] / n,
            "clv.n": n, "clv.value": r["clv"], "clv.median": r["clv_median"]})
    emit(out)
elif analysis == "cohorts":
    cells = rows(f"""
        WITH {active},
        firsts AS (SELECT customer, min(month) AS cohort FROM active GROUP BY customer)
        SELECT cohort, month - cohort AS since, count(*) AS k
        FROM active JOIN firsts USING (customer) GROUP BY ALL
    """)
    emit(cohort_records({(r["cohort"], r["since"]): r["k"] for r in cells}))
elif analysis == "retention":
    # month P: customers active in P - 1 (n), of whom active in P (retained)
    pairs = rows(f"""
        WITH {active}
        SELECT before.month + 1 AS month, count(*) AS n, count(after.customer) AS retained
        FROM active AS before
        LEFT JOIN active AS after
               ON after.customer = before.customer AND after.month = before.month + 1
        GROUP BY ALL
    """)
    emit(retention_records({r["month"]: (r["n"], r["retained"]) for r in pairs}))
elif analysis == "clv":
    (r,) = rows(f"""
        WITH o AS (SELECT * FROM ({orders}) WHERE done AND customer IS NOT NULL),
        t AS (SELECT max(ts) AS last FROM o),
        c AS (SELECT customer, round(sum(amount), 6) AS revenue, count(amount) AS with_amount,
                     count(*) AS k, min(ts) AS first,
                     bool_or(ts >= last - INTERVAL 730 DAY AND ts < last - INTERVAL 365 DAY)
                         AS before,
                     bool_or(ts > last - INTERVAL 365 DAY) AS since
              FROM o, t GROUP BY customer)
        SELECT count(*) AS n, avg(revenue) AS mean, quantile_cont(revenue, 0.5) AS median,
               sum(revenue) AS revenue, sum(with_amount) AS with_amount, sum(k) AS orders,
               (SELECT CAST(last AS DATE) FROM t) - CAST(min(first) AS DATE) + 1 AS days,
               count(*) FILTER (before) AS base,
               count(*) FILTER (before AND NOT since) AS churned
        FROM c
    """)
    aov = r["revenue"] / r["with_amount"]
    per_year = r["orders"] / r["n"] / (r["days"] / 365.25)
    churn = r["churned"] / r["base"]
    emit({"*": {"clv.n": r["n"], "clv.value": r["mean"], "clv.median": r["median"],
                "clv_formula.n": r["n"], "clv_formula.value": aov * per_year / churn,
                "clv_formula.churned": r["churned"],
                "clv_formula.retained": r["base"] - r["churned"], "clv_formula.aov": aov,
                "clv_formula.purchases_per_year": per_year,
                "clv_formula.annual_churn": 100 * churn,
                "clv_formula.lifetime_years": 1 / churn}})
elif analysis == "clv_model":
    from clv_summary_duckdb import DROPPED, summary

    r = summary(path)
    emit({"*": {"n": r["customers"], "repeat_buyers": r["repeat_buyers"],
                "one_time_buyers": r["customers"] - r["repeat_buyers"],
                "repeat_purchases": r["repeat_purchases"],
                "first_after_calibration": r["first_after_calibration"],
                "model.gamma_gamma.n": r["gamma_gamma_n"],
                **{f"dropped.{d}": r[f"dropped.{d}"] for d in DROPPED}}})
else:
    sys.exit(f"unknown analysis {analysis}")
