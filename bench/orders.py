"""Order workloads of bench/run.py (bench/orders_duckdb.py): the order KPIs by month, monthly
retention, the monthly cohort matrix, CLV."""

from common import FILE, Workload

ORDER_KPIS = {
    "orders": ("n", "repeated_order_ids"), "revenue": ("n", "value"),
    "aov": ("n", "value", "median"), "return_rate": ("returned", "kept", "value"),
    "customers": ("n",), "purchase_frequency": ("n", "value"),
    "repeat_purchase_rate": ("n", "repeat", "value"), "clv": ("n", "value", "median"),
}
ORDER_DIGITS = {"revenue.value": 2, "aov.value": 2, "aov.median": 2, "return_rate.value": 1,
                "purchase_frequency.value": 2, "repeat_purchase_rate.value": 1,
                "clv.value": 2, "clv.median": 2}
FORMULA = ("n", "value", "churned", "retained", "aov", "purchases_per_year", "annual_churn",
           "lifetime_years")

WORKLOADS = [
    Workload("orders", "orders", "orders, revenue, AOV, customers, repeat rate, CLV by month",
             ("orders", FILE, "--period", "month", "--format", "json"),
             ("orders_duckdb.py", "orders", FILE), ORDER_KPIS, ORDER_DIGITS, prefix=True),
    Workload("retention", "orders", "monthly retention (active in P - 1 and in P)",
             ("retention", FILE, "--period", "month", "--format", "json"),
             ("orders_duckdb.py", "retention", FILE),
             {"retention_rate": ("n", "retained", "churned")}),
    Workload("cohorts", "orders", "monthly cohort matrix (customers active k months on)",
             ("retention", FILE, "--period", "month", "--cohorts", "--format", "json"),
             ("orders_duckdb.py", "cohorts", FILE),
             {"cohort_retention": ("n", "customers", "retained", "not_retained")}),
    Workload("clv", "orders", "historical CLV per customer (mean, median) and the formula",
             ("clv", FILE, "--format", "json"), ("orders_duckdb.py", "clv", FILE),
             {"clv": ("n", "value", "median"), "clv_formula": FORMULA},
             {"clv.value": 2, "clv.median": 2, **{f"clv_formula.{f}": 2 for f in FORMULA[1:]
                                                  if f not in ("churned", "retained")}},
             prefix=True),
]
