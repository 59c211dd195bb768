"""Repeat tickets: the same customer (same category when known) opened another ticket within a
window after this one (`cxkit tickets --kpi fcr` without an FCR flag or a contact count).

Each ticket is compared with the next one of its key in time order. The tickets are put in that
order without sorting the key strings (2 s for 5M tickets): by a 64-bit hash of the key, checked
against a second, independent hash (two keys sharing the first: about once in 2 million runs of
4M keys; then the rows are sorted by the keys themselves). When the times fit beside the row
number in 64 bits (whole seconds, as exports have them), the hash, time and row are one 128-bit
integer and one sort of those values orders the tickets (5M: 0.73 -> 0.49 s); else two stable
sorts of the rows do, by time then by hash.
"""

from __future__ import annotations

import polars as pl

from cxkit.kpi.backlog import HOUR

ROW_ID = "__row_id"
KEY = "__key"
TIME = "created_at"
WORD = 2**64


def add_repeats(lf: pl.LazyFrame, cols: set, window_hours: float,
                read_once: bool = False) -> pl.LazyFrame:
    """`__repeat`: the same customer (same category when known) opened another ticket within
    the window after this one; null when the customer or the creation time is unknown.

    The flags and the rest of each row come from two reads of `lf`; `read_once`: from one,
    cached (a CSV is then parsed once, not twice: 5M tickets, FCR by week x channel, 5.4-5.7
    -> 4.6-5.0 s, peak 0.77-0.80 -> 0.98 GB; for Parquet the cache was slower and bigger)."""
    keys = ["customer_id"] + (["category"] if "category" in cols else [])
    if read_once:
        lf = lf.cache()
    flags = lf.select(*keys, TIME).map_batches(
        lambda rows: repeat_flags(rows, keys, window_hours), schema={"__repeat": pl.Boolean})
    return pl.concat([lf, flags], how="horizontal")


def key_hashes(keys: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """Two independent 64-bit hashes of the key columns (one struct, nulls included)."""
    return pl.struct(keys).hash(seed=0), pl.struct(keys[::-1]).hash(seed=1)


def repeat_flags(rows: pl.DataFrame, keys: list[str], window_hours: float) -> pl.DataFrame:
    """Each ticket against the next one of its key in time order, the flags in row order.

    Rows of one key at one time keep their file order: each but the last is a repeat (0 h).
    A row without a time comes after every time of its key."""
    known = pl.col("customer_id").is_not_null() & pl.col(TIME).is_not_null()
    packing = _packing(rows)
    if packing is None:
        flags = _sorted_flags(rows, keys, window_hours)
    else:
        flags = _packed_flags(rows, keys, window_hours, *packing)
        if flags is None:  # two keys share the first hash
            flags = _sorted_flags(rows, keys, window_hours, by_keys=True)
    return rows.select(pl.when(known).then(pl.lit(flags)).alias("__repeat"))


def _per_second(dtype: pl.Datetime) -> int:
    return {"ns": 10**9, "us": 10**6, "ms": 10**3}[dtype.time_unit]


def _packing(rows: pl.DataFrame) -> tuple[int, int, int, int] | None:
    """(first time, step, time steps, row bits) when every row's time offset from the first, in
    the coarsest of whole seconds, milliseconds or the time's own unit that every time is a
    multiple of, fits in 64 bits beside the row number (whole seconds: 2^40 s beside 16M rows);
    else None."""
    dtype = rows.schema[TIME]
    if not isinstance(dtype, pl.Datetime):
        return None
    second = _per_second(dtype)
    t = pl.col(TIME).cast(pl.Int64)
    steps = [second, second // 1000] if second > 1000 else [second]
    lo, hi, *whole = rows.lazy().select(t.min().alias("lo"), t.max().alias("hi"), *[
        (t % s == 0).all().alias(str(s)) for s in steps]).collect().row(0)
    if lo is None:
        return None
    row_bits = max(rows.height - 1, 1).bit_length()
    for step in [s for s, ok in zip(steps, whole, strict=True) if ok] + [1]:
        span = (hi - lo) // step + 1  # offsets 0..span-1; `span` marks a row without a time
        if span < 2 ** (64 - row_bits):
            return lo, step, span, row_bits
    return None


def _packed_flags(rows: pl.DataFrame, keys: list[str], window_hours: float, lo: int, step: int,
                  span: int, row_bits: int) -> pl.Series | None:
    """The flags (of rows with a customer and a time; the others are nulled after) from one
    sort of 128-bit integers as values: the key's hash above the time offset above the row
    number, which breaks ties in file order (the two stable sorts of rows that this replaces,
    by time then by hash, took 0.55 s of 0.73 s for 5M tickets). None when two keys share the
    first hash."""
    first, second = key_hashes(keys)
    rows_lit = pl.lit(2**row_bits, pl.UInt64)
    offset = ((pl.col(TIME).cast(pl.Int64) - lo) // step).fill_null(span).cast(pl.UInt64)
    low = offset * rows_lit + pl.int_range(pl.len(), dtype=pl.UInt64)
    key = (first.cast(pl.UInt128) * WORD + low.cast(pl.UInt128)).alias(KEY)
    # (lazy: the default engine spreads the column arithmetic over the cores, an eager select
    # runs it on one: 0.39 -> 0.10 s here)
    hashes = rows.lazy().select(key, second.alias("__h2")).collect()
    k = pl.col(KEY)
    low = (k % WORD).cast(pl.UInt64)
    # (the unsorted keys freed before the sorted ones are split: 5M tickets, 80 MB)
    ordered = hashes.drop_in_place(KEY).sort().to_frame().lazy().select(
        (k // WORD).cast(pl.UInt64).alias("__h"), (low % rows_lit).alias(ROW_ID),
        (low // rows_lit).alias("__t"))
    ordered = ordered.with_columns(pl.lit(hashes.get_column("__h2")).gather(ROW_ID)).collect()
    if _shared(ordered):
        return None
    h, at = pl.col("__h"), pl.col("__t")
    same = h.shift(-1) == h
    per_hour = _per_second(rows.schema[TIME]) * 3600 / step  # time steps per hour
    nxt = at.shift(-1)
    gap = pl.when(same & (nxt < span)).then(nxt - at).cast(pl.Float64) / per_hour
    flag = ordered.lazy().select(gap.is_not_null() & (gap <= window_hours)).collect().to_series()
    return _in_row_order(rows.height, ordered.get_column(ROW_ID), flag)


def _shared(ordered: pl.DataFrame) -> bool:
    """Two keys share the first hash (`__h`, in order): neighbours equal in it, not in `__h2`."""
    h, h2 = pl.col("__h"), pl.col("__h2")
    return ordered.lazy().select(((h.shift(-1) == h) & (h2.shift(-1) != h2)).any()).collect().item()


def _in_row_order(n: int, rows: pl.Series, flags: pl.Series) -> pl.Series:
    """`flags`, of the rows numbered `rows`, back in row order."""
    return pl.repeat(False, n, dtype=pl.Boolean, eager=True).scatter(rows, flags)


def _hours(delta: pl.Expr) -> pl.Expr:
    return delta.dt.total_microseconds() / HOUR


def _sorted_flags(rows: pl.DataFrame, keys: list[str], window_hours: float,
                  by_keys: bool = False) -> pl.Series:
    """The flags from two stable sorts of the rows, by time then by the key's first hash; by the
    keys themselves (`by_keys`) when two keys share that hash. The flags are scattered back to
    their rows (no second sort)."""
    at = pl.col(TIME)
    same = None
    if not by_keys:
        first, second = key_hashes(keys)
        ordered = (rows.lazy().select(first.alias("__h"), second.alias("__h2"), at)
                   .with_row_index(ROW_ID).collect()
                   .sort(TIME, nulls_last=True, maintain_order=True)
                   .sort("__h", maintain_order=True))
        same = None if _shared(ordered) else pl.col("__h").shift(-1) == pl.col("__h")
    if same is None:
        ordered = (rows.select(*keys, at).with_row_index(ROW_ID)
                   .sort([*keys, TIME, ROW_ID], nulls_last=True))  # ties: file order
        # a null category is a category, as in a group-by: eq_missing (null == null)
        same = pl.all_horizontal([pl.col(k).shift(-1).eq_missing(pl.col(k)) for k in keys])
    gap = _hours(pl.when(same).then(at.shift(-1)) - at)
    flags = ordered.select(ROW_ID, (gap.is_not_null() & (gap <= window_hours)).alias("f"))
    return _in_row_order(rows.height, flags[ROW_ID], flags["f"])
