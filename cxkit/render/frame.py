"""A table of many rows (one per customer) written straight from Polars: csv, tsv, json, ndjson.

A KpiResult has a handful of groups; a customer list can have millions of rows, which must not
become Python lists. The same rules as every other output hold, as Polars expressions: text from
the data is neutralised against spreadsheet formulas (`neutralise` of render.machine: a leading
= + - @ even after blanks or a line break, a leading tab or CR), a cell holding a line break is
quoted (Polars quotes CR and LF), floats are rounded to the digits given per column.
"""

from __future__ import annotations

import polars as pl

# a cell Excel would run: = + - @ first (also after blanks or line breaks), or a tab / CR first
_FORMULA = r"^(?:[\t\r]|\s*[=+\-@])"


def inert(df: pl.DataFrame, digits: dict[str, int] | None = None) -> pl.DataFrame:
    """Text columns neutralised, float columns rounded (`digits`: column -> decimals)."""
    digits = digits or {}
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            exprs.append(pl.when(col.str.contains(_FORMULA)).then(pl.lit("'") + col)
                         .otherwise(col).alias(name))
        elif dtype.is_float() and name in digits:
            exprs.append(col.round(digits[name]))
        else:
            exprs.append(col)
    return df.select(exprs)


def frame_text(df: pl.DataFrame, fmt: str, digits: dict[str, int] | None = None) -> str:
    """csv, tsv, json (a list of records) or ndjson of the frame."""
    if fmt in ("json", "ndjson"):  # JSON carries the data as it is; only floats are rounded
        rounded = df.with_columns(pl.col(c).round(d) for c, d in (digits or {}).items()
                                  if c in df.columns and df.schema[c].is_float())
        return rounded.write_ndjson() if fmt == "ndjson" else rounded.write_json() + "\n"
    table = inert(df, digits)
    return table.write_csv(separator="\t" if fmt == "tsv" else ",", date_format="%Y-%m-%d",
                           float_precision=None)
