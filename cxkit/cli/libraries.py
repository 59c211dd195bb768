"""The libraries' own settings in the `cxkit` program: Polars' Parquet reader and OpenBLAS.

**Polars' Parquet reader: one row group read ahead, decoded in pieces.** By default Polars
reads several row groups ahead and decodes a column chunk of a row group (1M rows, say) in one
piece, so a streaming pass over 5 columns of 5M Parquet tickets peaks at about 385 MB. With one
row group ahead, decoded 100,000 values at a time, it peaks at 230 MB, in the same time. Whole
commands, 3 runs each:

| command | peak before | peak after |
|---|---|---|
| `cxkit tickets --kpi fcr` (flag column), 5M Parquet tickets | 429 MB | 323 MB |
| `cxkit tickets --kpi sla_first_response`, the same | 271 MB | 203 MB |
| `cxkit report --responses`, 10M Parquet answers | 504-553 MB | 386-397 MB |

The times stayed the same (NPS on 100M answers in one Parquet file of 100 row groups: 2.2 s
either way), as did the orders and retention commands' memory.

**OpenBLAS (numpy's and scipy's): one thread.** The model fits (`cxkit clv --model bgnbd`, the
report's predicted CLV) make many small BLAS calls; OpenBLAS hands them to a thread per core,
which then spin waiting for the next one. On 2 cores they spun on the core Polars was
using: 7.5 % of the CPU samples of the orders report (10M Parquet orders) were that wait. One
thread gives the same numbers with less CPU:

| command (10M orders) | user CPU before | after | wall before | after |
|---|---|---|---|---|
| `cxkit clv --model bgnbd`, Parquet | 5.7-6.2 s | 5.0-5.3 s | 3.83 s | 3.87 s |
| `cxkit report --orders`, Parquet | 11.9-12.5 s | 10.8-11.1 s | 7.56 s | 6.75 s |
| `cxkit report --orders`, 4 CSV files | - | - | 11.12 s | 10.08 s |

(wall: medians of alternating runs, `bench/ab.py`.)

Only `cxkit.cli.main.run`, the program, sets these, and only where the environment has no value
of its own: `main` also runs inside other processes (the tests), whose settings are theirs.
OpenBLAS reads its setting when numpy or scipy is first imported, which the program does
lazily, after this.
"""

from __future__ import annotations

import os

SETTINGS = {
    "POLARS_ROW_GROUP_PREFETCH_SIZE": "1",  # row groups read ahead of the decoding
    "POLARS_PARQUET_DECODE_TARGET_VALUES_PER_THREAD": "100000",  # values a decoding task takes
    "OPENBLAS_NUM_THREADS": "1",  # numpy's and scipy's BLAS, one thread
}


def configure() -> None:
    """Set the libraries' settings above, unless the environment sets them."""
    for name, value in SETTINGS.items():
        os.environ.setdefault(name, value)
