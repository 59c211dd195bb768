"""What the DuckDB reference scripts share: reading a file or glob, printing the result.

Every script prints one JSON object, {group key: {field: value}}: "*" is the headline (all
rows), a group's key is its values joined by "|" in cxkit's order (segment, then period), and
a field is named as cxkit's JSON names it (`n`, `value`, a count, an extra; `kpi.field` for a
command that prints several KPIs). bench/common.py reads cxkit's output into the same shape.
"""

from __future__ import annotations

import json

import duckdb
from orders_ref import NOT_COMPLETED, RETURNED


def words(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def source(path: str, text: tuple[str, ...] = ()) -> str:
    """The FROM clause of a Parquet file, or of a CSV file or glob (DuckDB's type detection,
    the `text` columns read as VARCHAR)."""
    quoted = "'" + path.replace("'", "''") + "'"
    if path.endswith(".parquet"):
        return f"read_parquet({quoted})"
    types = ", ".join(f"'{c}': 'VARCHAR'" for c in text)
    return f"read_csv({quoted}, header = true" + (f", types = {{{types}}}" if types else "") + ")"


def order_state(status: str) -> str:
    """completed, cancelled, abandoned, pending or failed, as cxkit.io.orders.state_expr."""
    key = f"replace(replace(regexp_replace(lower(trim({status})), '^wc-', ''), ' ', '_'), '-', '_')"
    cases = " ".join(f"WHEN {key} IN ({words(ws)}) THEN '{state}'"
                     for state, ws in NOT_COMPLETED.items())
    return f"CASE {cases} ELSE 'completed' END"


def order_returned(status: str) -> str:
    key = f"replace(replace(regexp_replace(lower(trim({status})), '^wc-', ''), ' ', '_'), '-', '_')"
    return f"coalesce({key} IN ({words(RETURNED)}), false)"


def rows(sql: str) -> list[dict]:
    """The rows of a query as dicts."""
    rel = duckdb.sql(sql)
    names = rel.columns
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


def emit(records: dict[str, dict]) -> None:
    print(json.dumps(records))
