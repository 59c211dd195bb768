"""Polars' Parquet reader in the `cxkit` program: one row group read ahead, decoded in pieces.

By default Polars reads several row groups ahead and decodes a column chunk of a row group
(1M rows, say) in one piece, so a streaming pass over 5 columns of 5M Parquet tickets peaks at
about 385 MB. With one row group ahead, decoded 100,000 values at a time, it peaks at 230 MB,
in the same time. Whole commands, 3 runs each:

| command | peak before | peak after |
|---|---|---|
| `cxkit tickets --kpi fcr` (flag column), 5M Parquet tickets | 429 MB | 323 MB |
| `cxkit tickets --kpi sla_first_response`, the same | 271 MB | 203 MB |
| `cxkit report --responses`, 10M Parquet answers | 504-553 MB | 386-397 MB |

The times stayed the same (NPS on 100M answers in one Parquet file of 100 row groups: 2.2 s
either way), as did the orders and retention commands' memory.

Only `cxkit.cli.main.run`, the program, sets them, and only where the environment has no value
of its own: `main` also runs inside other processes (the tests), whose settings are theirs.
"""

from __future__ import annotations

import os

SETTINGS = {
    "POLARS_ROW_GROUP_PREFETCH_SIZE": "1",  # row groups read ahead of the decoding
    "POLARS_PARQUET_DECODE_TARGET_VALUES_PER_THREAD": "100000",  # values a decoding task takes
}


def bound_row_groups() -> None:
    """Set Polars' Parquet reading for a bounded peak, unless the environment sets it."""
    for name, value in SETTINGS.items():
        os.environ.setdefault(name, value)
