"""Group keys, calendar periods and row-status bookkeeping shared by every KPI.

A KPI is computed in one pass: each row gets a status (used, or why it was dropped), then one
`group_by` over the segment and period keys sums the counts the KPI needs. Everything after that
works on the small grouped frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

PERIODS = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}
PERIOD_COL = "period"
_START = "__period_start"
STATUS = "__status"

# Row statuses, in the order they are decided: the first that applies wins.
OK = "ok"
DATE_REASONS = ("missing_date", "invalid_date", "outside_dates")


@dataclass
class Scope:
    """Which rows count and how they are grouped."""

    by: list[str] = field(default_factory=list)
    period: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    date_col: str | None = None  # canonical name of the parsed date column

    @property
    def uses_date(self) -> bool:
        return bool(self.period or self.since or self.until)


def date_status(scope: Scope) -> list[tuple[str, pl.Expr]]:
    """(reason, condition) pairs for rows dropped because of their date."""
    if not scope.uses_date or scope.date_col is None:
        return []
    date = pl.col(scope.date_col)
    raw = pl.col(f"__raw_{scope.date_col}").cast(pl.String).str.strip_chars()
    outside = pl.lit(False)
    if scope.since is not None:
        outside = outside | (date < scope.since)
    if scope.until is not None:
        # --until is inclusive of the whole day it names
        until = scope.until
        if until.hour == until.minute == until.second == 0:
            outside = outside | (date >= pl.lit(until).dt.offset_by("1d"))
        else:
            outside = outside | (date > until)
    return [
        ("missing_date", raw.is_null() | (raw == "")),
        ("invalid_date", date.is_null()),
        ("outside_dates", outside),
    ]


def status_expr(reasons: list[tuple[str, pl.Expr]]) -> pl.Expr:
    """First matching reason, else "ok"."""
    expr = None
    for reason, cond in reasons:
        expr = pl.when(cond).then(pl.lit(reason)) if expr is None else expr.when(cond).then(
            pl.lit(reason)
        )
    return (expr.otherwise(pl.lit(OK)) if expr is not None else pl.lit(OK)).alias(STATUS)


def group_exprs(scope: Scope) -> list[pl.Expr]:
    keys = [pl.col(b).cast(pl.String) for b in scope.by]
    if scope.period:
        keys.append(pl.col(scope.date_col).dt.truncate(PERIODS[scope.period]).alias(_START))
    return keys


def aggregate(lf: pl.LazyFrame, reasons, aggs: list[pl.Expr], scope: Scope) -> pl.DataFrame:
    """One streaming pass: per group, the KPI's sums and one count per drop reason."""
    status = pl.col(STATUS)
    counts = [(status == r).sum().alias(r) for r, _ in reasons]
    keys = group_exprs(scope)
    lf = lf.with_columns(status_expr(reasons))
    if keys:
        out = lf.group_by(keys).agg(aggs + counts)
    else:
        out = lf.select(aggs + counts)
    return out.collect(engine="streaming")


def label_periods(df: pl.DataFrame, period: str) -> pl.DataFrame:
    """Add the period label (2025-01, 2025-W03, 2025-Q1...) and the previous period's start."""
    start = pl.col(_START)
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
    keys = list(scope.by) + ([_START] if scope.period else [])
    return df.sort(keys, nulls_last=True) if keys else df
