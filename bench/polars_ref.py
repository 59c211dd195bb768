"""What the plain-Polars reference scripts share (bench/run.py --polars): reading a file or
glob, the ISO week and month labels, printing the result in bench/duck.py's shape.

They are the script a user would write instead of cxkit, in Polars as it comes: a lazy scan,
the text timestamps parsed with their format, one group-by per level, the streaming engine.
cxkit runs on the same engine, so the ratio against them is cxkit's own cost over the engine's.
"""

from __future__ import annotations

import glob
import json

import polars as pl

STAMP = "%Y-%m-%d %H:%M:%S"  # bench/generate.py's timestamps in its CSV files


def scan(path: str, text: tuple[str, ...] = (), stamps: tuple[str, ...] = ()) -> pl.LazyFrame:
    """A Parquet file, or a CSV file or glob with the `text` columns read as text; the `stamps`
    parsed as timestamps where they are text."""
    if path.endswith(".parquet"):
        lf = pl.scan_parquet(path)
        schema = lf.collect_schema()
        stamps = tuple(c for c in stamps if schema[c] == pl.String)  # text timestamps
    else:
        lf = pl.scan_csv(sorted(glob.glob(path)) or path,
                         schema_overrides={c: pl.String for c in (*text, *stamps)})
    return lf.with_columns(pl.col(c).str.to_datetime(STAMP, strict=False) for c in stamps)


def week(at: pl.Expr) -> pl.Expr:
    """The ISO week an instant falls in, as its Monday (labelled by `label`)."""
    return at.dt.truncate("1w").dt.date()


def month(at: pl.Expr) -> pl.Expr:
    return at.dt.truncate("1mo").dt.date()


def label(period: str) -> pl.Expr:
    """A period's Monday or first day as cxkit labels it: 2025-W02, 2025-01."""
    fmt = "%G-W%V" if period == "week" else "%Y-%m"
    return pl.col("period").dt.strftime(fmt)


def keyed(groups: pl.DataFrame, overall: pl.DataFrame, keys: list[str]) -> list[tuple[str, dict]]:
    """(record key, row): "*" for the overall row, the keys' values joined by "|" for each
    group (a Date period already labelled)."""
    out = [("*", row) for row in overall.to_dicts()]
    for row in groups.to_dicts():
        out.append(("|".join(str(row.pop(k)) for k in keys), row))
    return out


def emit(records: dict[str, dict]) -> None:
    print(json.dumps(records))
