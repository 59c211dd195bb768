"""The backlog at each period's end without listing a ticket once per end it stays open at.

A ticket open at a period's end is either resolved by the as-of time (`short`: open from its
creation to its resolution, listed once per end in between, usually none or a few) or not (`long`:
open at every end from its creation period's on, never listed per end). Listing the long ones
per end made their rows grow with the number of periods (5M tickets by day: 4.2 GB, 18 s); here
they are counted from each segment's sorted creation times instead:

- count and summed age: cumulative sums over the creation periods;
- the age buckets: how many were created by `end - 24 h` (72 h, 168 h), from the sorted times;
- the max age: the segment's earliest long ticket;
- the median: the middle of the union of the end's short rows and the long tickets created by
  then, a prefix of the segment's sorted times. A short row's rank in that union is its rank
  among the short rows plus the long tickets created at or before it; the element of rank r
  is the short row of that rank, or else the long ticket of rank r - (short rows ranked before).

Times are integers of microseconds (`C`); ages are hours, `end - created` in microseconds / 3.6e9
as for a single as-of time (the mean, a sum over both kinds, can differ from it in the last bits).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

C, K, SEG = "__c", "__k", "__seg"  # creation time (us), period number, segment number
HOUR = 3_600_000_000  # microseconds
# the backlog's age buckets: name, from (hours, inclusive), to (exclusive; None: no end)
AGE_BUCKETS = (("under_1d", 0, 24), ("1_3d", 24, 72), ("3_7d", 72, 168),
               ("over_7d", 168, None))


def _numbered(short: pl.DataFrame, long: pl.DataFrame, keys: list[str]
              ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Both frames with a segment number (SEG) for `keys`, and the segments' table."""
    if not keys:
        one = pl.lit(0, pl.UInt32).alias(SEG)
        return short.with_columns(one), long.with_columns(one), pl.DataFrame(
            {SEG: [0]}, schema={SEG: pl.UInt32})
    segs = pl.concat([short.select(keys), long.select(keys)]).unique().with_row_index(SEG)
    return (short.join(segs, on=keys, how="left", nulls_equal=True),
            long.join(segs, on=keys, how="left", nulls_equal=True), segs)


def _count_upto(queries: pl.DataFrame, long: pl.DataFrame, at: str, out: str) -> pl.DataFrame:
    """`queries` with `out`: how many long tickets of its segment were created at or before its
    column `at` (the long frame sorted by SEG, C, with its 1-based rank `__r` in the segment)."""
    found = queries.sort(at).join_asof(
        long.select(SEG, pl.col(C).alias(at), pl.col("__r").alias(out)), on=at, by=SEG,
        strategy="backward", check_sortedness=False)
    return found.with_columns(pl.col(out).fill_null(0))


def at_ends(short: pl.DataFrame, long: pl.DataFrame, keys: list[str], ends: list[int],
            name: Callable[[str], str]) -> pl.DataFrame:
    """Per `keys` and period number K with a ticket open at its end: the count, age buckets,
    mean, median and max age in hours (`name(x)`: the output column of x).

    `short`: `keys`, K (an end the ticket is open at) and C, one row per such end; `long`:
    `keys`, C and K (its creation period's number), one row per ticket; `ends`: the instant
    (us) each period number is measured at."""
    short, long, segs = _numbered(short, long, keys)
    at = pl.lit(pl.Series(ends, dtype=pl.Int64)).gather(pl.col(K))
    last = len(ends) - 1
    long = long.sort(SEG, C).with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
                                          .over(SEG).alias("__r"))
    c0 = long[C].min() if long.height else 0
    # the long tickets open at each end: those created in its period or before
    cells = long.group_by(SEG, K).agg(pl.len().cast(pl.Int64).alias("__nl"),
                                      ((pl.col(C) - c0) / HOUR).sum().alias("__cl"))
    span = long.group_by(SEG).agg(pl.col(K).min().alias("__from"), pl.col(C).min().alias("__min"),
                                  pl.len().alias("__len"))
    grid = (span.select(SEG, pl.int_ranges("__from", last + 1, dtype=pl.UInt32).alias(K))
            .explode(K).join(cells, on=[SEG, K], how="left")
            .sort(SEG, K).with_columns(pl.col("__nl", "__cl").fill_null(0).cum_sum().over(SEG)))
    # the short rows' own sums
    age = (at - pl.col(C)) / HOUR
    mine = short.group_by(SEG, K).agg(
        pl.len().cast(pl.Int64).alias("__ns"), age.sum().alias("__sum"), age.max().alias("__max"),
        *[(age >= lo if hi is None else (age >= lo) & (age < hi)).sum().cast(pl.Int64)
          .alias(f"__s_{b}") for b, lo, hi in AGE_BUCKETS])
    cells = (grid.join(mine, on=[SEG, K], how="full", coalesce=True)
             .join(span.select(SEG, "__min"), on=SEG, how="left")
             .with_columns(pl.col("__nl", "__cl", "__ns", "__sum").fill_null(0),
                           *[pl.col(f"__s_{b}").fill_null(0) for b, _, _ in AGE_BUCKETS]))
    cells = cells.with_columns((pl.col("__nl") + pl.col("__ns")).alias("__n"), at.alias("__at"))
    # long tickets aged at least h hours at the end: created by end - h
    bounds = sorted({h for _, lo, hi in AGE_BUCKETS for h in (lo, hi) if h})
    for h in bounds:
        cells = _count_upto(cells.with_columns((pl.col("__at") - h * HOUR).alias(f"__t{h}")),
                            long, f"__t{h}", f"__l{h}")
    # the median: the union ranks of the short rows, then the element of each middle rank
    # (a short row of end k was created before k's end: every long ticket created at or before
    # it is open at that end too)
    ranked = (_count_upto(short.select(SEG, K, C), long, C, "__le").sort(SEG, K, C)
              .select(SEG, K, C, (pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over(SEG, K)
                                  + pl.col("__le")).alias("__u")))
    middle = cells.select(SEG, K, ((pl.col("__n") + 1) // 2).alias("__r1"),
                          (pl.col("__n") // 2 + 1).alias("__r2"))
    u = pl.col("__u")
    picks = ranked.join(middle, on=[SEG, K]).group_by(SEG, K).agg(
        *[(u <= pl.col(r).first()).sum().cast(pl.Int64).alias(f"__j{i}")
          for i, r in ((1, "__r1"), (2, "__r2"))],
        *[pl.col(C).filter(u == pl.col(r).first()).first().alias(f"__h{i}")
          for i, r in ((1, "__r1"), (2, "__r2"))])
    offsets = span.sort(SEG).select(SEG, (pl.col("__len").cum_sum() - pl.col("__len"))
                                    .cast(pl.Int64).alias("__off"))
    # (a middle rank held by a short row gathers nothing: its index is clipped into range)
    sorted_c = pl.lit(long[C] if long.height else pl.Series([None], dtype=pl.Int64))
    top = max(long.height - 1, 0)
    cells = (cells.join(middle, on=[SEG, K]).join(picks, on=[SEG, K], how="left")
             .join(offsets, on=SEG, how="left")
             .with_columns(pl.col("__j1", "__j2").fill_null(0)))
    value = [pl.coalesce(pl.col(f"__h{i}"), sorted_c.gather(
        (pl.col("__off") + pl.col(f"__r{i}") - pl.col(f"__j{i}") - 1).clip(0, top)))
        for i in (1, 2)]
    ages = [(pl.col("__at") - v) / HOUR for v in value]
    n, nl = pl.col("__n"), pl.col("__nl")
    long_sum = nl * ((pl.col("__at") - c0) / HOUR) - pl.col("__cl")
    long_max = pl.when(nl > 0).then((pl.col("__at") - pl.col("__min")) / HOUR)
    aged = lambda h: nl if not h else pl.col(f"__l{h}")  # noqa: E731  (h None: nobody)
    counts = {b: aged(lo) - (aged(hi) if hi else 0) for b, lo, hi in AGE_BUCKETS}
    out = cells.filter(n > 0).select(
        SEG, K, n.cast(pl.UInt32).alias(name("n")),
        *[(pl.col(f"__s_{b}") + counts[b]).cast(pl.UInt32).alias(name(b))
          for b, _, _ in AGE_BUCKETS],
        ((pl.col("__sum") + long_sum) / n).alias(name("mean_age")),
        ((ages[0] + ages[1]) / 2).alias(name("median_age")),
        pl.max_horizontal(pl.col("__max"), long_max).alias(name("max_age")))
    out = out.join(segs, on=SEG, how="left").drop(SEG) if keys else out.drop(SEG)
    return out.select(*keys, K, pl.exclude(*keys, K))
