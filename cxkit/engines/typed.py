"""Typed tables on DuckDB and Spark: roles from column names and flags (the loader's rules),
and the per-row date arithmetic every engine does the same way.

Known gaps between the engines, handled here once:
- Narwhals' `truncate` has no week on every engine and Spark has no duration totals, so periods
  and durations are computed from epoch numbers (days and microseconds since 1970-01-01),
  which every engine has.
- Zone-stamped times fall on their UTC day everywhere (Spark and DuckDB sessions are set to UTC;
  Polars drops the zone to UTC).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxkit.engines import Source
from cxkit.errors import DataError
from cxkit.io import Loaded


@dataclass
class TypedLoaded(Loaded):
    date_role: str | None = None


def table_of(source: Source):
    """The loader's `Table` for role detection: the column names, no Polars frame."""
    from cxkit.io.read import Table

    return Table(lf=None, columns=source.columns, sources=[source.name], kind=source.engine)


def load_typed(source: Source, wanted: tuple[str, ...], required: tuple[str, ...],
               columns: dict[str, str], by: list[str], flags: dict[str, str],
               date_role: str | None = None, need_date: bool = False,
               dated: tuple[str, ...] = ()) -> TypedLoaded:
    """Roles of a typed table by the loader's rules; date roles must be dates or times."""
    from cxkit.io import find_column, require_roles, resolve_roles

    table = table_of(source)
    given = {r: c for r, c in columns.items() if c}
    roles = resolve_roles(table, wanted, given, flags)
    needed = list(required) + ([date_role] if need_date and date_role else [])
    require_roles(table, roles, needed, flags)
    for role in {*dated, *([date_role] if need_date and date_role else [])}:
        if role in roles:
            col = roles[role].column
            if not is_temporal(source.schema[col]):
                raise DataError(
                    f"{source.name}: '{col}' ({role}) is {source.schema[col]}, not a date or "
                    f"time: --engine {source.engine} reads typed tables",
                    "store it as a timestamp (or cast it in a view), or use --engine polars, "
                    "which parses dates written as text")
    by_cols = [find_column(table, b, "--by") for b in by]
    return TypedLoaded(source.lf, table, roles, None, [], by_cols, None, date_role)


def is_temporal(dtype) -> bool:
    import narwhals as nw

    return dtype == nw.Date or isinstance(dtype, nw.Datetime) or dtype == nw.Datetime


def day_of(source: Source, column: str):
    """The calendar day of a date or time column (UTC day of a zone-stamped time)."""
    import narwhals as nw

    dtype = source.schema[column]
    return nw.col(column) if dtype == nw.Date else nw.col(column).cast(nw.Date)


DAYS = "__days"  # the `with_epochs(..., "days")` column the period keys are made from
EPOCH_MONDAY = 3  # 1970-01-01 was a Thursday: (days + 3) % 7 is 0 on Mondays


def outside_dates(day, scope):
    """True where the day falls before --since or after --until (False without them)."""
    import narwhals as nw

    outside = nw.lit(False)
    if scope.since:
        outside = outside | (day < nw.lit(scope.since))
    if scope.until:
        outside = outside | (day > nw.lit(scope.until))
    return outside


def floor_div(a, b: int):
    """Floor division of an integer expression by a positive constant, as `floor(a / b)`:
    Narwhals' `//` (and `%`) become a CASE per use on DuckDB, and the nested ones of
    `epoch_days` made a 210,000-character query that DuckDB took 5 s to plan. Exact: |a| is far
    below 2**53 and a quotient that is not whole is at least 1/b from the next integer."""
    import narwhals as nw

    return (a / b).floor().cast(nw.Int64)


def epoch_days(expr):
    """Whole days since 1970-01-01 of a date or time expression, from its year, month and day
    (Hinnant's days_from_civil): plain integer arithmetic that every engine has."""
    import narwhals as nw

    y, m, d = (e.cast(nw.Int64) for e in (expr.dt.year(), expr.dt.month(), expr.dt.day()))
    y = y - (m <= 2).cast(nw.Int64)
    era = floor_div(y, 400)
    yoe = y - era * 400
    mp = nw.when(m > 2).then(m - 3).otherwise(m + 9)
    doy = floor_div(153 * mp + 2, 5) + d - 1
    doe = yoe * 365 + floor_div(yoe, 4) - floor_div(yoe, 100) + doy
    return era * 146097 + doe - 719468


def epoch_us(source: Source, column: str):
    """Microseconds since 1970-01-01 of a date or time column (its wall clock; UTC for a
    zone-stamped time): durations are differences of these, as Spark has no duration totals."""
    import narwhals as nw

    col = nw.col(column)
    days = epoch_days(col) * 86_400_000_000
    if source.schema[column] == nw.Date:
        return days
    parts = ((col.dt.hour(), 3_600_000_000), (col.dt.minute(), 60_000_000),
             (col.dt.second(), 1_000_000), (col.dt.microsecond(), 1))
    for part, scale in parts:
        days = days + part.cast(nw.Int64) * scale
    return days


def with_epochs(source: Source, lf, columns: dict[str, str], unit: str = "us"):
    """`lf` with the `epoch_us` (unit "us") or `epoch_days` ("days") of each column (the
    values) as a column named by its key, by the engine's own functions (the numbers are the
    same: the sessions run in UTC, where a time without zone is its wall clock). On Spark
    (unix_micros, unix_date) each Narwhals operation is a few py4j round trips (0.2 ms each),
    `epoch_us`'s arithmetic about 2,900 of them: the per-row durations were 5 s of a
    `cxkit tickets` on a 100-row table. On DuckDB (epoch_us, a date difference) the arithmetic
    ran on every row: FCR by week x channel of 5M Parquet tickets 3.3-3.6 -> 1.7-2.2 s."""
    import narwhals as nw

    schema = dict(lf.collect_schema())
    if source.engine == "duckdb":
        return _duckdb_epochs(lf, columns, unit, schema)
    if source.engine != "spark":
        typed = Source(source.engine, lf, source.name, list(schema), schema)
        return lf.with_columns(*[(epoch_us(typed, c) if unit == "us" else epoch_days(nw.col(c)))
                                 .alias(name) for name, c in columns.items()])
    from pyspark.sql import functions as F

    native = lf.to_native()
    new = {}
    for name, column in columns.items():
        col, date = native[column], schema[column] == nw.Date
        if unit == "days":
            new[name] = F.unix_date(col if date else col.cast("date")).cast("long")
        else:
            new[name] = (F.unix_date(col).cast("long") * 86_400_000_000 if date
                         else F.unix_micros(col.cast("timestamp")))
    return nw.from_native(native.withColumns(new))


def _duckdb_epochs(lf, columns: dict[str, str], unit: str, schema: dict):
    """`with_epochs` by DuckDB's own epoch_us and date difference (the session runs in UTC)."""
    import narwhals as nw

    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    exprs = []
    for name, column in columns.items():
        col = quoted(column)
        days = f"CAST(CAST({col} AS DATE) - DATE '1970-01-01' AS BIGINT)"
        if unit == "days":
            expr = days
        elif schema[column] == nw.Date:
            expr = f"{days} * 86400000000"
        else:
            expr = f"epoch_us({col})"
        exprs.append(f"{expr} AS {quoted(name)}")
    return nw.from_native(lf.to_native().project("*, " + ", ".join(exprs)))


def period_key(expr, period: str, days=None):
    """An integer key of the calendar period of a date expression, the same on every engine:
    days since 1970-01-01 of the day or of the ISO week's Monday, months since year 0 of the
    month, quarter (first month) or year (January). `period_start` turns it into a Date.
    `days`: the expression's `epoch_days`, when a column holds them (`with_epochs`)."""
    import narwhals as nw

    if period in ("day", "week"):
        days = epoch_days(expr) if days is None else days
        if period == "day":
            return days
        shifted = days + EPOCH_MONDAY
        return days - (shifted - floor_div(shifted, 7) * 7)  # back to the Monday
    y, m = expr.dt.year().cast(nw.Int64), expr.dt.month().cast(nw.Int64)
    if period == "quarter":
        m = floor_div(m - 1, 3) * 3 + 1
    elif period == "year":
        m = m * 0 + 1
    return y * 12 + (m - 1)


def period_start(key, period: str):
    """The Date a `period_key` stands for (a Polars expression, on the collected frame)."""
    import polars as pl

    if period in ("day", "week"):
        return pl.lit(0).cast(pl.Date) + pl.duration(days=key)  # one expression, not a loop
    return pl.date(key // 12, key % 12 + 1, 1)
