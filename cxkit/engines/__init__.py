"""Past one machine: the same KPI definitions on Polars, DuckDB or Spark (KPIS.md "Past one
machine").

Each KPI's one pass over the rows is written once, in Narwhals (cxkit.engines.surveys,
cxkit.engines.orders...): a function from a lazy frame to small per-group sufficient statistics,
collected as a Polars frame on which cxkit's intervals, tests, trends and rendering run
unchanged. The default engine, Polars, keeps the loader of messy exports and its own pass
(cxkit.kpi.grouping.condense); DuckDB and Spark read typed tables (Parquet or CSV path or glob, a
URL the engine understands, or --table NAME) whose roles are named by their column names or by
flags, with the same role rules as the loader.

What an engine cannot compute is said here, in `CANNOT`, and nowhere else.

This module imports no data library: `--help` stays light.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cxkit.errors import DataError, InputError, UsageError

ENGINES = ("polars", "duckdb", "spark")
EXTRA = {"duckdb": "duckdb", "spark": "spark"}  # engine -> the pip extra that brings it
MODULE = {"duckdb": "duckdb", "spark": "pyspark"}

# kpi, option or command -> engine -> why it cannot run there (exit 2). Everything else runs
# everywhere; in a full list of KPIs one an engine cannot compute is "not computed" with the reason.
CANNOT: dict[str, dict[str, str]] = {
    "--business-hours": {
        e: "business hours with holidays are counted per ticket in Polars; run it with "
        "--engine polars on an extract" for e in ("duckdb", "spark")},
    "--timezone": {e: "zone conversion is done by the Polars loader; store the times in the "
                   "zone to report in" for e in ("duckdb", "spark")},
    "--preset": {e: "presets read a tool's raw export (line items, text amounts); the engines "
                 "read typed tables: name the columns with --column ROLE=COL" for e in
                 ("duckdb", "spark")},
    "--amount-unit": {e: "typed tables hold amounts in major units; divide by 100 in a view"
                      for e in ("duckdb", "spark")},
    "--kpi referral_rate": {e: "first orders per customer are computed on Polars only" for e
                            in ("duckdb", "spark")},
    "--kpi csat": {e: "ticket CSAT reads rating labels on Polars only; on this engine run "
                   "cxkit csat TABLE --engine " + e + " --score COL" for e in ("duckdb", "spark")},
    "--kpi backlog --period": {e: "the backlog at each period's end is computed on Polars only"
                               for e in ("duckdb", "spark")},
    "clv --model": {e: "predictive CLV fits BG/NBD and Gamma-Gamma by maximum likelihood in "
                    "SciPy; run it with --engine polars (historical CLV runs on the engine)"
                    for e in ("duckdb", "spark")},
}


def check(what: str, engine: str, kpi: str | None = None) -> None:
    """Exit 2 when `what` (a KPI, an option, a command) cannot run on `engine`."""
    reason = CANNOT.get(what, {}).get(engine)
    if reason:
        raise UsageError(f"{kpi or what} cannot run on --engine {engine}: {reason}",
                         "run it with --engine polars")


def refuse_options(engine: str, given: dict[str, Any], kpi: str) -> None:
    """Exit 2 for the first given option (flag -> value) that `engine` cannot run."""
    for flag, value in given.items():
        if value and CANNOT.get(flag, {}).get(engine):
            raise UsageError(f"{kpi} {flag} cannot run on --engine {engine}: "
                             f"{CANNOT[flag][engine]}", "run it with --engine polars")


def need_files(files: list[str] | None, table: str | None, engine: str) -> list[str]:
    """The inputs: FILE arguments, or --table NAME on an engine that has tables."""
    if table and engine == "polars":
        raise UsageError("--table needs --engine duckdb or --engine spark",
                         "give the file instead, or add --engine duckdb")
    if table and files:
        raise UsageError("give FILE or --table NAME, not both")
    if not files and not table:
        raise UsageError("Missing argument 'FILE...'.", "give a file (or --table NAME with "
                         "--engine duckdb|spark)")
    return list(files or [])


@dataclass
class Source:
    """A typed table opened on an engine: a Narwhals LazyFrame and what to call it."""

    engine: str
    lf: Any  # narwhals.LazyFrame
    name: str
    columns: list[str]
    schema: dict[str, Any] = field(default_factory=dict)  # column -> narwhals dtype
    approx_quantiles: bool = False


def import_engine(engine: str):
    """The engine's module, or exit 2 naming the extra to install."""
    import importlib

    try:
        importlib.import_module("narwhals")
        importlib.import_module(MODULE[engine])
    except ImportError as exc:
        raise UsageError(f"--engine {engine} needs {exc.name}, which is not installed",
                         f"pip install 'cxkit[{EXTRA[engine]}]'"
                         + (" (and Java 17 on the machine)" if engine == "spark" else "")
                         ) from None
    return importlib.import_module(f"cxkit.engines.{engine}")


def open_table(engine: str, files: list[str], table: str | None = None,
               remote: str | None = None, approx_quantiles: bool = False) -> Source:
    """Open the input on the engine: one path, glob or URL, or a table by name."""
    if remote and engine != "spark":
        raise UsageError("--spark-remote needs --engine spark")
    if len(files) > 1:
        raise UsageError(f"--engine {engine} reads one path, glob or URL: got {len(files)}",
                         "give a glob such as 'data/*.parquet'")
    module = import_engine(engine)
    import narwhals as nw

    native, name = module.read(files[0] if files else None, table, remote)
    lf = nw.from_native(native)
    try:
        schema = dict(lf.collect_schema())
    except Exception as exc:  # noqa: BLE001 - the engine's own error, said plainly
        raise InputError(f"{name}: cannot read on --engine {engine}: {first_line(exc)}",
                         "check the path, glob or table name") from None
    return Source(engine, lf, name, list(schema), schema, approx_quantiles)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def materialize(source: Source, lf):
    """`lf` computed once for the several queries that read it, where the engine would
    compute it at every reference (DuckDB: a TEMP table, `cxkit.engines.duckdb.materialize`);
    Spark plans reuse on their own: unchanged there."""
    if source.engine != "duckdb":
        return lf
    import narwhals as nw

    from cxkit.engines.duckdb import materialize as on_duckdb

    with _engine_errors(source):
        return nw.from_native(on_duckdb(nw.to_native(lf)))


def collect(source: Source, lf) -> Any:
    """Collect a (small) Narwhals frame as a Polars DataFrame, through Arrow, never pandas;
    an engine error while reading the data is a data error naming the input."""
    import warnings

    with _engine_errors(source), warnings.catch_warnings():
        # PySpark checks a pandas version cxkit never uses
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
        df = lf.collect(backend="polars").to_native()
    return _plain_numbers(df)


@contextmanager
def _engine_errors(source: Source):
    """An engine error while reading the data is a data error naming the input."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - DuckDB and Spark raise their own classes
        # DuckDB's classes live in its C module, `_duckdb`
        if type(exc).__module__.split(".")[0].lstrip("_") in ("duckdb", "pyspark", "py4j",
                                                                 "narwhals"):
            unread = _unconverted(str(exc))
            raise DataError(f"{source.name}: --engine {source.engine} failed: "
                            f"{first_line(exc)}" + (f"; {unread}" if unread else ""),
                            "correct or blank that value, or run without --engine (cxkit's own "
                            "reader counts a value it cannot read as dropped and goes on)"
                            if unread else "--debug shows details") from exc
        raise


_UNCONVERTED = re.compile(r'Error when converting column "(?P<column>[^"\n]*)"\. Could not '
                          r'convert string "(?P<value>[^\n]*?)" to \'(?P<type>[^\'\n]+)\'')


def _unconverted(text: str) -> str | None:
    """The column and value in DuckDB's conversion error (the lines after its first): a CSV
    column typed from DuckDB's sample of the first rows, and a later value of another type."""
    found = _UNCONVERTED.search(text)
    if found is None:
        return None
    value = found["value"] if len(found["value"]) <= 40 else found["value"][:37] + "..."
    return (f"column '{found['column']}' has \"{value}\", not a {found['type']} "
            "(DuckDB types a CSV column from its first rows)")


def _plain_numbers(df):
    """DuckDB sums integers as HUGEINT/DECIMAL: back to Int64 (counts) and Float64, as on
    Polars, so that JSON holds numbers."""
    import polars as pl

    decimals = {c: t for c, t in df.schema.items() if isinstance(t, pl.Decimal)}
    if not decimals:
        return df
    return df.with_columns(pl.col(c).cast(pl.Int64 if (t.scale or 0) == 0 else pl.Float64)
                           for c, t in decimals.items())
