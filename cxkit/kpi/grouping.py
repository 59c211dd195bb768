"""Group keys, calendar periods and row-status bookkeeping shared by every KPI.

A KPI is computed in two steps. `condense` makes the one pass over the data: a streaming
`group_by` on the segment columns, the calendar-day key and the raw value, counting rows. The
result is small (distinct values x days x segments), so parsing scores, deciding why a row is
dropped and bucketing days into periods all happen on it, weighted by the row counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import polars as pl

PERIODS = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}
PERIOD_COL = "period"
START = "__period_start"
STATUS = "__status"
WEIGHT = "__rows"
RAW = "__raw"
DAY_KEY = "__day"  # same names as cxkit.io.DAY_KEY / NO_DATE: the loader's calendar columns
NO_DATE = "__no_date"
EXCLUDED = "__excluded"  # same name as cxkit.io.EXCLUDED: survey previews and tests
WHICH = "__value"  # `condense_long`: which value column a row is of
OK = "ok"
DATE_REASONS = ("missing_date", "invalid_date", "outside_dates")
ROW_REASONS = ("preview_or_test", *DATE_REASONS)


@dataclass
class Scope:
    """Which rows count and how they are grouped."""

    by: list[str] = field(default_factory=list)
    period: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    day_format: str | None = None  # format of a text DAY_KEY; None when it is a Date

    @property
    def uses_date(self) -> bool:
        return bool(self.period or self.since or self.until)


def condense(lf: pl.LazyFrame, value: str, scope: Scope) -> pl.DataFrame:
    """The one pass over the rows: row counts per segment, day and raw value (streaming)."""
    return condense_query(lf, value, scope).collect(engine="streaming")


def _keys(lf: pl.LazyFrame, scope: Scope) -> list[pl.Expr]:
    """What `condense` groups by besides the value: segments (as text), exclusion, day."""
    names = lf.collect_schema().names()
    keys = [pl.col(b).cast(pl.String) for b in scope.by]
    if EXCLUDED in names:
        keys.append(pl.col(EXCLUDED))
    if scope.uses_date:
        keys.append(pl.col(DAY_KEY))
        if NO_DATE in names:
            keys.append(pl.col(NO_DATE))
    return keys


def condense_query(lf: pl.LazyFrame, value: str, scope: Scope) -> pl.LazyFrame:
    """`condense` as a query, to collect with others over the same scan (`pl.collect_all`)."""
    return lf.group_by([*_keys(lf, scope), pl.col(value).alias(RAW)]).agg(
        pl.len().alias(WEIGHT))


def condense_long(lf: pl.LazyFrame, values: list[str], scope: Scope) -> dict[str, pl.DataFrame]:
    """`condense` of each of `values` (columns of one type), in one query: the rows unpivoted
    to (keys, which value, value) and grouped once. Queries per value collected together share
    the scan through a cache that holds the rows until each has read them, so memory grew with
    the file: `cxkit report --responses` (three scores by channel x region x day), 10M CSV
    answers 4.9 s and 1.2 GB peak -> 3.9 s and 0.49 GB; 100M in one Parquet file 13.8 s and
    4.5 GB -> 11.6 s and 0.56 GB; 10M Parquet 1.73 -> 1.92 s (0.59 -> 0.49 GB), where the
    cached typed columns were cheap."""
    keys = _keys(lf, scope)
    names = [k.meta.output_name() for k in keys]
    long = (lf.select(*keys, *values)
            .unpivot(values, index=names, variable_name=WHICH, value_name=RAW)
            .group_by(*names, WHICH, RAW).agg(pl.len().alias(WEIGHT))
            .collect(engine="streaming"))
    parts = long.partition_by(WHICH, as_dict=True, include_key=False)
    empty = long.clear().drop(WHICH)
    return {v: parts.get((v,), empty).select(*names, RAW, WEIGHT) for v in values}


def narrow(small: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    """A condensed frame of more segments (and days) re-summed to `scope`'s keys: the same frame
    `condense` gives for `scope`, without another pass over the rows. `scope.by` must be among
    the segments it was condensed on, and it must have the days if `scope` uses dates."""
    keys = list(scope.by) + [c for c in (EXCLUDED,) if c in small.columns]
    if scope.uses_date:
        keys += [c for c in (DAY_KEY, NO_DATE) if c in small.columns]
    keys.append(RAW)
    return small.group_by(keys).agg(pl.col(WEIGHT).sum())


def row_reasons(small: pl.DataFrame, scope: Scope) -> tuple[pl.DataFrame, list]:
    """(reason, condition) for rows out of scope: survey previews and tests, then dates.

    Parses the day keys of the condensed frame on the way.
    """
    reasons = [("preview_or_test", pl.col(EXCLUDED))] if EXCLUDED in small.columns else []
    if not scope.uses_date:
        return small, reasons
    key = pl.col(DAY_KEY)
    if scope.day_format:
        day = key.str.strptime(pl.Date, scope.day_format, strict=False)
        missing = key.is_null() | (key == "")
    else:
        day = key.cast(pl.Date)
        missing = pl.col(NO_DATE) if NO_DATE in small.columns else key.is_null()
    from cxkit.io.dates import in_range

    # the loader already nulls implausible years (cxkit.io.dates); a key parsed here is checked
    # again so that no path can bring year 0001 or 9999 into a period
    small = small.with_columns(in_range(day, pl.Date).alias("__date"))
    date_col = pl.col("__date")
    outside = pl.lit(False)
    if scope.since is not None:
        outside = outside | (date_col < scope.since)
    if scope.until is not None:
        outside = outside | (date_col > scope.until)
    reasons += [
        ("missing_date", missing),
        ("invalid_date", date_col.is_null()),
        ("outside_dates", outside),
    ]
    if scope.period:  # rows outside --since/--until belong to no period
        start = date_col.dt.truncate(PERIODS[scope.period])
        small = small.with_columns(pl.when(outside).then(None).otherwise(start).alias(START))
    return small, reasons


TABLE_YEARS = (1800, 2200)  # `period_start`'s table: every day the loader can read, and more


@lru_cache(maxsize=8)
def _period_table(period: str) -> tuple[int, pl.Series]:
    """Days since 1970 of the table's first day, and each day's period start from there."""
    first = date(TABLE_YEARS[0], 1, 1)
    days = pl.date_range(first, date(TABLE_YEARS[1], 12, 31), eager=True)
    return (first - date(1970, 1, 1)).days, days.dt.truncate(PERIODS[period])


def period_start(day: pl.Expr, period: str) -> pl.Expr:
    """The first day of the period of each date of `day` (a Date expression), as
    `day.dt.truncate` gives it. A month, quarter or year is read from a table of every day of
    TABLE_YEARS: one gather, where a truncation per row walks the calendar (5M tickets by month:
    62 -> 35 ms); a day is itself and a week is arithmetic already. A date outside the table
    becomes null: the loader reads none (it keeps 1900 to the year after next). Named as `day`."""
    if period == "day":
        return day
    if period == "week":
        return day.dt.truncate(PERIODS[period])
    first, table = _period_table(period)
    at = day.cast(pl.Int32) - first
    top = table.len() - 1
    found = pl.when(at.is_between(0, top)).then(pl.lit(table).gather(at.clip(0, top)))
    name = day.meta.output_name(raise_if_undetermined=False)
    return found if name is None else found.alias(name)


def status_expr(reasons: list[tuple[str, pl.Expr]]) -> pl.Expr:
    """The first reason that applies, else "ok"."""
    expr = pl.lit(OK)
    for reason, cond in reversed(reasons):
        expr = pl.when(cond).then(pl.lit(reason)).otherwise(expr)
    return expr.alias(STATUS)


def summarise(small: pl.DataFrame, reasons, sums: list[pl.Expr], scope: Scope) -> pl.DataFrame:
    """Per segment and period: the KPI's weighted sums and the rows dropped for each reason."""
    weight = pl.col(WEIGHT)
    drops = [weight.filter(pl.col(STATUS) == r).sum().alias(r) for r, _ in reasons]
    keys = list(scope.by) + ([START] if scope.period else [])
    frame = small.lazy().with_columns(status_expr(reasons))
    out = frame.group_by(keys).agg(sums + drops) if keys else frame.select(sums + drops)
    return out.collect()


def weighted(cond: pl.Expr, value: pl.Expr | None = None) -> pl.Expr:
    """Sum over the condensed rows where `cond` holds: row counts, or value x row count."""
    w = pl.col(WEIGHT)
    return (w if value is None else value * w).filter(cond).sum()


def label_periods(df: pl.DataFrame, period: str) -> pl.DataFrame:
    """Add the period label (2025-01, 2025-W03, 2025-Q1...) and the previous period's start."""
    start = pl.col(START)
    if period == "week":
        label = start.dt.strftime("%G-W%V")
    elif period == "quarter":
        label = start.dt.strftime("%Y") + pl.lit("-Q") + start.dt.quarter().cast(pl.String)
    else:
        label = start.dt.strftime({"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[period])
    return df.with_columns(
        label.alias(PERIOD_COL), start.dt.offset_by("-" + PERIODS[period]).alias("__prev_start")
    )


def sort_groups(df: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    keys = list(scope.by) + ([START] if scope.period else [])
    return df.sort(keys, nulls_last=True) if keys else df


def id_key(column: str) -> pl.Expr:
    """An id column as one 128-bit number (two independent 64-bit hashes of its text), to group
    or count distinct ids on, faster than the text (5M ticket customers: 0.4-0.5 against
    0.65-0.9 s). Two of n ids share it with odds about n^2 / 2^129 (1e-26 for 4M ids); null
    stays a value of its own, as in a group-by on the text."""
    c = pl.col(column)
    return (c.hash(seed=0).cast(pl.UInt128) * pl.lit(2 ** 64, pl.UInt128)
            + c.hash(seed=1).cast(pl.UInt128))
