"""Order workloads of bench/run.py (bench/orders_duckdb.py): the order KPIs by month, monthly
retention, the monthly cohort matrix, CLV; predictive CLV, the whole command against the
customer summary in DuckDB (its time ratio is information: DuckDB fits no model; the command's
own targets are absolute), and the summary step alone, in-process (bench/clv_summary.py)."""

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
# what `cxkit clv --model bgnbd` prints of its customer summary: the modelled customers, their
# repeat purchases, the Gamma-Gamma customers and the order rows dropped, by reason
CLV_MODEL = ("n", "repeat_buyers", "one_time_buyers", "repeat_purchases",
             "first_after_calibration", "model.gamma_gamma.n",
             *(f"dropped.{r}" for r in ("missing_date", "invalid_date", "cancelled", "abandoned",
                                        "pending", "failed", "missing_customer",
                                        "missing_amount")))
CLV_TARGETS = (30.0, 2048.0)  # the whole command: median seconds, peak MiB (2 GB)
FORMULA = ("n", "value", "churned", "retained", "aov", "purchases_per_year", "annual_churn",
           "lifetime_years")

WORKLOADS = [
    Workload("orders", "orders", "orders, revenue, AOV, customers, repeat rate, CLV by month",
             ("orders", FILE, "--period", "month", "--format", "json"),
             ("orders_duckdb.py", "orders", FILE), ORDER_KPIS, ORDER_DIGITS, prefix=True),
    Workload("retention", "orders", "monthly retention (active in P - 1 and in P)",
             ("retention", FILE, "--period", "month", "--format", "json"),
             ("orders_duckdb.py", "retention", FILE),
             {"retention_rate": ("n", "retained", "churned")},
             polars=("orders_polars.py", "retention", FILE)),
    Workload("cohorts", "orders", "monthly cohort matrix (customers active k months on)",
             ("retention", FILE, "--period", "month", "--cohorts", "--format", "json"),
             ("orders_duckdb.py", "cohorts", FILE),
             {"cohort_retention": ("n", "customers", "retained", "not_retained")},
             polars=("orders_polars.py", "cohorts", FILE)),
    Workload("clv", "orders", "historical CLV per customer (mean, median) and the formula",
             ("clv", FILE, "--format", "json"), ("orders_duckdb.py", "clv", FILE),
             {"clv": ("n", "value", "median"), "clv_formula": FORMULA},
             {"clv.value": 2, "clv.median": 2, **{f"clv_formula.{f}": 2 for f in FORMULA[1:]
                                                  if f not in ("churned", "retained")}},
             prefix=True),
    Workload("clv_model", "orders", "predictive CLV (BG/NBD + Gamma-Gamma) vs its customer "
             "summary in DuckDB", ("clv", FILE, "--model", "bgnbd", "--format", "json"),
             ("orders_duckdb.py", "clv_model", FILE), {"clv_predicted": CLV_MODEL},
             ratio_info=True, limits=CLV_TARGETS),
    Workload("clv_summary", "orders", "the customer summary of predictive CLV alone, in-process",
             ("clv_summary.py", FILE), ("clv_summary_duckdb.py", FILE), {},
             {"mean_t_x": 6, "mean_T": 6, "mean_spend": 6, "sum_spend": 2}, step=True),
]
