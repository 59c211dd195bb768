"""The customer summary of predictive CLV alone, in-process: what `cxkit clv --model bgnbd`
does before it fits the models.

    python bench/clv_summary.py FILE.parquet|'orders_*.csv' [CALIBRATION_END]

Loads the orders as the command does (`cxkit.io.orders.load_orders` with its options, the day
only), then `cxkit.kpi.models.summary.build` (week unit, no --by): the load opens the file,
samples it and, for several CSV files, checks the orders repeated between them; the build
makes the one pass over the rows (the frame is lazy). Prints {"seconds": load + build,
"load_seconds", "build_seconds", "records": {"*": {...}}} (bench/common.py, a `step` workload),
the aggregates as bench/clv_summary_duckdb.py computes them. The import of cxkit and Polars is
left out of the seconds, as the import of duckdb is on the other side.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date

import polars as pl

from cxkit.io import LoadOptions
from cxkit.io.orders import load_orders
from cxkit.io.read import reading
from cxkit.kpi.models import summary

FLAGS = {"ordered_at": "--ordered", "customer_id": "--customer", "amount": "--amount"}


def main() -> None:
    path = sys.argv[1]
    cal = date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else None
    start = time.perf_counter()
    # as cxkit/cli/orders.py `_load` with no input option (day_only: cxkit clv --model bgnbd)
    opts = LoadOptions(inputs=[path], columns={role: None for role in FLAGS}, by=[])
    loaded = load_orders(opts, None, None, FLAGS, None, True, "cxkit clv")
    loaded_at = time.perf_counter()
    with reading(loaded.table):
        s = summary.build(loaded.lf, cal, "week", loaded.by)
    done = time.perf_counter()

    c = s.customers
    repeat = c.filter(pl.col("x") > 0)
    record = {
        "customers": s.n, "repeat_purchases": s.repeat_occasions,
        "repeat_buyers": s.repeat_buyers,
        "gamma_gamma_n": repeat.filter(pl.col("spend") > 0).height,
        "mean_t_x": c["t_x"].mean(), "mean_T": c["T"].mean(),
        "sum_spend": repeat["spend"].sum(), "mean_spend": repeat["spend"].mean(),
        "first_after_calibration": s.first_after_calibration,
        **{f"dropped.{reason}": n for reason, n in s.dropped.items()},
    }
    print(json.dumps({"seconds": done - start, "load_seconds": loaded_at - start,
                      "build_seconds": done - loaded_at, "records": {"*": record}}))


if __name__ == "__main__":
    main()
