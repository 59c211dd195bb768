"""NPS, CSAT and CES on any engine: the one pass over the rows, written once in Narwhals.

It makes the frame `cxkit.kpi.grouping.condense` makes on the Polars engine (segments as text,
the calendar day, the raw answer, a row count), so everything after it - reading labels, the
reasons rows are dropped, periods, sums, intervals, tests, trends - is the same code on the
same small frame, and the numbers are the same by construction.
"""

from __future__ import annotations

from cxkit.engines import Source, collect
from cxkit.engines.typed import day_of, load_typed


def load(source: Source, role: str, date_role: str, columns: dict[str, str], by: list[str],
         need_date: bool, flags: dict[str, str]):
    """A `cxkit.io.Loaded` for the survey commands (its `lf` is the engine's frame)."""
    return load_typed(source, (role, date_role), (role,), columns, by, flags, date_role,
                      need_date)


def condense(source: Source, loaded, role: str, scope):
    """Row counts per segment, calendar day and raw answer, as a small Polars frame."""
    import narwhals as nw
    import polars as pl

    from cxkit.kpi.grouping import DAY_KEY, RAW, WEIGHT

    keys = [nw.col(b).cast(nw.String).alias(b) for b in scope.by]
    if scope.uses_date:
        date_col = loaded.roles[loaded.date_role].column
        keys.append(day_of(source, date_col).alias(DAY_KEY))
    keys.append(nw.col(loaded.roles[role].column).alias(RAW))
    names = [*scope.by] + ([DAY_KEY] if scope.uses_date else []) + [RAW]
    small = source.lf.select(keys).group_by(names).agg(nw.len().alias(WEIGHT))
    return collect(source, small).with_columns(pl.col(WEIGHT).cast(pl.Int64))
