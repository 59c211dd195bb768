"""DuckDB: larger-than-memory work on one machine. Reads a Parquet or CSV path or glob (or any
URL DuckDB understands, e.g. s3:// with its httpfs extension), or a table of the database named
by CXKIT_DUCKDB (default: in memory) with --table NAME."""

from __future__ import annotations

import itertools
import os

_CON: list = []


def connection():
    import duckdb

    if not _CON:
        con = duckdb.connect(os.environ.get("CXKIT_DUCKDB", ":memory:"))
        con.execute("SET TimeZone = 'UTC'")  # zone-stamped times fall on their UTC day
        con.execute("SET enable_progress_bar = false")  # stdout is for the data only
        _CON.append(con)
    return _CON[0]


def read(path: str | None, table: str | None, remote: str | None = None):
    """(DuckDB relation, name) of the input."""
    import duckdb

    from cxkit.engines import first_line
    from cxkit.errors import InputError

    con = connection()
    name = table or path or ""
    try:
        if table:
            return con.table(table), table
        lower = path.lower()
        if lower.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
            return con.read_csv(path), path
        if lower.endswith((".json", ".ndjson", ".jsonl")):
            return con.read_json(path), path
        return con.read_parquet(path), path
    except duckdb.Error as exc:
        raise InputError(f"{name}: cannot read on --engine duckdb: {first_line(exc)}",
                         "check the path, glob or table name") from None


def materialize(native):
    """The relation as a TEMP table of the connection, computed once: DuckDB inlines the CTEs
    Narwhals writes (NOT MATERIALIZED), so a frame that several parts of a query read is
    computed at every reference (retention by month on 10M Parquet orders: 20.8 s, 5.9 s with
    the per-order frame computed once). A TEMP table lives in memory (spilled to DuckDB's temp
    folder when large) and is never written to the database of CXKIT_DUCKDB."""
    con = connection()
    name = f"__cxkit_{next(_TEMP)}"
    # the relation by the name of this variable (DuckDB's replacement scan of Python objects; a
    # view, even dropped at once, would be written to the database file)
    __cxkit_rows = native  # noqa: F841 - read by the SQL below
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM "__cxkit_rows"')
    return con.table(name)


_TEMP = itertools.count()  # the TEMP tables' numbers
APPROX = "DuckDB approx_quantile (T-Digest)"


def approx_quantiles(native, keys: list[str], wanted: dict[str, tuple[str, float]]):
    """Per group of `keys`: approximate quantiles, name -> (column, q); a DuckDB relation."""
    quoted = ", ".join(f'"{k}"' for k in keys)
    parts = [f'approx_quantile("{col}", {q}) AS "{name}"' for name, (col, q) in wanted.items()]
    select = ", ".join(([quoted] if keys else []) + parts)
    return native.aggregate(select, quoted) if keys else native.aggregate(select)
