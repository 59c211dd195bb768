"""Detect the date format of a column from a sample, then parse the whole column with it.

Inferring a format per value is what makes naive CSV loading slow and wrong; here the format is
chosen once, on up to 1,000 values, and the column is parsed with that explicit format.

Dates outside years MIN_YEAR..max_year() (1900 to two years after this one) are not used: they
parse to null and are counted as invalid dates. Such values are placeholders (.NET's
`DateTime.MinValue` 0001-01-01, `9999-12-31` for "never") or typos, and a KPI by period would
otherwise span thousands of empty periods. Unix times are read value by value: milliseconds from
EPOCH_MS (1e11) up, seconds below, so a column that mixes both is read right (with a notice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from cxkit.errors import DataError, UsageError

# A zone written after a time of day (`10:00:00Z`, `10:00 +0200`, `10:00:00.5+02:00`) is dropped,
# the time kept (`_TZ_KEEP`). Anchoring on the time keeps the year of a date-only `14-05-2024`
# from being read as a `-2024` offset.
_TZ_SUFFIX = r"(\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$"
_TZ_KEEP = "${1}"
_TIME_OF_DAY = re.compile(r"%[^%a-zA-Z]*[HIklMSfpPTRXcs]")  # %H, %.f, %3f, %T, %c ...
_TIMES = ["", " %H:%M", " %H:%M:%S", " %H:%M:%S%.f", " %I:%M %p", " %I:%M:%S %p"]
_ISO = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f"] + [
    "%Y-%m-%d" + t for t in _TIMES[1:]
] + ["%Y/%m/%d" + t for t in _TIMES]
_DAYFIRST = [f"%d{sep}%m{sep}%Y{t}" for sep in "/-." for t in _TIMES]
_MONTHFIRST = [f"%m{sep}%d{sep}%Y{t}" for sep in "/-" for t in _TIMES]

MIN_YEAR = 1900  # earlier dates are placeholders (0001-01-01) or typos: invalid dates
FUTURE_YEARS = 2  # dates after 31 December of this year + 2 are too: see max_year()
EPOCH_MS = 100_000_000_000  # a Unix time from 1e11 up is milliseconds (1e11 s is year 5138)


def max_year() -> int:
    """The last plausible year of a date in an export: this year + FUTURE_YEARS."""
    return date.today().year + FUTURE_YEARS


EPOCH_DAY = date(1970, 1, 1)
DAY_US = 86_400_000_000


def date_range_text() -> str:
    return f"{MIN_YEAR}-01-01 to {max_year()}-12-31"


def in_range(expr: pl.Expr, dtype: type[pl.Date] | type[pl.Datetime] = pl.Datetime,
             typed: bool = False) -> pl.Expr:
    """A naive Datetime("us") (or, with `dtype=pl.Date`, Date) expression with the values
    outside MIN_YEAR..max_year() as null.

    `expr` is read once, by a chain of one-input steps on its integer value (days or
    microseconds): `v - first` is negative below the range, `(last - first) - (v - first)`
    negative above it, and a cast of a negative number to an unsigned type is null. The
    obvious ways read it twice or break streaming: `when(expr in range).then(expr)` parsed a
    text column twice per row in the streaming engine (which shares no subexpression there),
    and `clip(...).replace(...)` kept every row in memory (100M timestamps: 4 GB, not 0.5).
    `typed`: `expr` is a column already of that type, cheap to read twice: `when` is faster
    there (100M Parquet timestamps: 4.8 s CPU, the chain 6.4 s)."""
    if typed:
        low, high = (date(MIN_YEAR, 1, 1), date(max_year(), 12, 31)) if dtype == pl.Date else \
            (datetime(MIN_YEAR, 1, 1), datetime(max_year(), 12, 31, 23, 59, 59, 999999))
        return pl.when(expr.is_between(low, high)).then(expr)
    if dtype == pl.Date:
        first = (date(MIN_YEAR, 1, 1) - EPOCH_DAY).days
        last = (date(max_year(), 12, 31) - EPOCH_DAY).days
        physical, back = expr.cast(pl.Int32).cast(pl.Int64), pl.Date
    else:
        first = (date(MIN_YEAR, 1, 1) - EPOCH_DAY).days * DAY_US
        last = ((date(max_year(), 12, 31) - EPOCH_DAY).days + 1) * DAY_US - 1
        physical, back = expr.cast(pl.Int64), pl.Datetime("us")
    span = last - first
    above_first = (physical - first).cast(pl.UInt64, strict=False).cast(pl.Int64)
    # (-x + c), not (c - x): the result keeps `expr`'s name
    below_last = (-above_first + span).cast(pl.UInt64, strict=False).cast(pl.Int64)
    value = -below_last + last
    return value.cast(pl.Int32).cast(back) if dtype == pl.Date else value.cast(back)


@dataclass
class DateFormat:
    fmt: str | None  # strptime format, or None for epoch / native dates
    epoch_unit: str | None = None  # "s" or "ms"
    strip_tz: bool = False
    dm_guess: bool = False  # both day-first and month-first fit the sample: a guess was made
    native: bool = False
    prefix: int | None = None  # the date part is the first `prefix` characters of every value
    mixed_epoch: bool = False  # Unix seconds and milliseconds in one column (read by magnitude)
    out_of_range: tuple[int, int, str] | None = None  # sampled: (outside, sampled, an example)

    @property
    def ambiguous(self) -> bool:
        """The sample leaves something to tell the user (`ambiguity_notice` says it): dd/mm or
        mm/dd was guessed, dates fall outside the plausible years, or epoch units are mixed."""
        return self.dm_guess or self.mixed_epoch or self.out_of_range is not None

    @property
    def date_part(self) -> str | None:
        """`%d/%m/%Y %H:%M` -> `%d/%m/%Y`."""
        return self.fmt.split("T")[0].split(" ")[0] if self.fmt else None

    def day_key(self, column: str) -> tuple[pl.Expr, str | None]:
        """What to group rows by for calendar work, and the format that parses that key later.

        Grouping by the raw `YYYY-MM-DD` prefix (a slice, no parsing) and parsing the few
        distinct keys afterwards is much faster than parsing every value. Whoever parses the
        key nulls a year outside MIN_YEAR..max_year() (`in_range`): checked per row here, it
        cost 0.4-0.5 of 1.4-1.6 s (NPS by month x channel, 10M CSV answers). When the date
        part has no fixed width the whole column is parsed and the key is a Date (format None).
        """
        if self.prefix:
            return pl.col(column).str.slice(0, self.prefix), self.date_part
        return parse_expr(column, self).dt.date(), None

    def describe(self) -> str:
        if self.native:
            return "native date"
        if self.mixed_epoch:
            return "epoch seconds and milliseconds (by magnitude)"
        if self.epoch_unit:
            return f"epoch {'seconds' if self.epoch_unit == 's' else 'milliseconds'}"
        return self.fmt + (" ±zone" if self.strip_tz else "")


def _fit_counts(values: pl.Series, formats: list[str]) -> dict[str, int]:
    """How many values each format reads, in one query: the formats are tried in parallel
    (45 formats on 1,000 values: 0.009 s, where one query per format took 0.032 s)."""
    value = pl.col("v")
    row = values.to_frame("v").select(
        value.str.strptime(pl.Datetime("us"), fmt, strict=False).is_not_null().sum()
        .alias(str(i)) for i, fmt in enumerate(formats)).row(0)
    return dict(zip(formats, row, strict=True))


def _fits(values: pl.Series, fmt: str) -> bool:
    return _fit_counts(values, [fmt])[fmt] == len(values)


MIN_FIT = 0.8  # a format must read 80 % of the sample; the rest are counted as invalid dates


def detect_format(
    values: pl.Series, column: str, source: str, dayfirst: bool | None, dayfirst_hint: bool
) -> DateFormat:
    """Choose the explicit format that reads the most sampled values (at least 80 %)."""
    if values.dtype.is_temporal():
        return DateFormat(None, native=True)
    values = values.cast(pl.String).drop_nulls()
    padded = bool(values.str.contains(r"^\s").any())  # leading blanks: no fixed-width prefix
    values = values.str.strip_chars()
    values = values.filter(values != "")
    if values.is_empty():
        return DateFormat("%Y-%m-%d")
    if values.str.contains(r"^\d{9,13}(?:\.\d+)?$").all():
        big = values.cast(pl.Float64) >= EPOCH_MS
        found = DateFormat(None, epoch_unit="ms" if big.any() else "s",
                           mixed_epoch=bool(big.any() and not big.all()))
        return _check_range(found, values)
    strip_tz = bool(values.str.contains(_TZ_SUFFIX).mean() >= MIN_FIT)
    if strip_tz:
        values = values.str.replace(_TZ_SUFFIX, _TZ_KEEP)
    counts = _fit_counts(values, _ISO + _DAYFIRST + _MONTHFIRST)
    best = max(counts.values())
    if best < max(1, MIN_FIT * len(values)):
        closest = max(counts, key=counts.__getitem__)
        unread = values.filter(
            values.str.strptime(pl.Datetime("us"), closest, strict=False).is_null()
        )
        example = unread[0]  # a value no format reads, not one that happens to be fine
        raise DataError(
            f"{source}: column '{column}': cannot recognise the date format of values like "
            f"'{example}'",
            "pass --date with the right column, or export dates as YYYY-MM-DD",
        )
    iso = next((f for f in _ISO if counts[f] == best), None)
    day = next((f for f in _DAYFIRST if counts[f] == best), None)
    month = next((f for f in _MONTHFIRST if counts[f] == best), None)
    if iso:
        found = DateFormat(iso, strip_tz=strip_tz)
    elif day and month:
        first = dayfirst if dayfirst is not None else dayfirst_hint
        found = DateFormat(day if first else month, strip_tz=strip_tz, dm_guess=dayfirst is None)
    else:
        found = DateFormat(day or month, strip_tz=strip_tz)
    readable = values.filter(values.str.strptime(pl.Datetime("us"), found.fmt, strict=False)
                             .is_not_null())
    found = _check_range(found, values)
    return found if padded else _with_prefix(found, readable)


def _check_range(found: DateFormat, values: pl.Series) -> DateFormat:
    """Note sampled dates outside MIN_YEAR..max_year() (`out_of_range`: for the notice)."""
    at = pl.DataFrame({"v": values}).select(_parse(pl.col("v"), found).alias("at"))["at"]
    years = at.dt.year()
    outside = years.is_not_null() & ~years.is_between(MIN_YEAR, max_year())
    if outside.any():
        found.out_of_range = (int(outside.sum()), len(values), values.filter(outside)[0])
    return found


def _with_prefix(found: DateFormat, values: pl.Series) -> DateFormat:
    """Set `prefix` when every sampled value starts with a date part of one fixed width."""
    width = len(values[0].replace("T", " ").split(" ")[0])
    lengths = values.str.len_chars()
    after = values.str.slice(width, 1)
    if (
        (lengths >= width).all()
        and ((lengths == width) | after.is_in([" ", "T"])).all()
        and _fits(values.str.slice(0, width), found.date_part)
        and _zero_padded(values.str.slice(0, width), found.date_part)
    ):
        found.prefix = width
    return found


def _zero_padded(dates: pl.Series, date_part: str) -> bool:
    """Does the sample show that the producer writes day and month on two digits?

    US Excel writes `m/d/yyyy`: a sample from 10/15 to 12/31 has one width, and `1/5/2025` after
    it would be cut wrong by a fixed-width prefix. A day-first or month-first date part is fixed
    only when both its day and its month are seen with a leading zero; ISO dates always are.
    """
    if date_part.startswith("%Y"):
        return True
    sep = date_part[2]  # "%d/%m/%Y" -> "/"
    parts = dates.str.split(sep)
    return all(
        bool(parts.list.get(i, null_on_oob=True).str.starts_with("0").any())
        for i, field in enumerate(date_part.split(sep))
        if field in ("%d", "%m")
    )


def _parse(col: pl.Expr, fmt: DateFormat, stripped: bool = False) -> pl.Expr:
    """The column as a Datetime, whatever its year; values that do not fit become null.
    `stripped`: the column is text already stripped of surrounding white space (by the
    function `stripped` below)."""
    if fmt.native:
        return col.cast(pl.Datetime("us"))
    text = col if stripped else col.cast(pl.String).str.strip_chars()
    if fmt.epoch_unit:
        num = text.cast(pl.Float64, strict=False)
        # value by value: milliseconds from EPOCH_MS up, else seconds (a column may mix both)
        ms = pl.when(num.abs() >= EPOCH_MS).then(num).otherwise(num * 1000)
        ms = pl.when(ms.abs() < 1e15).then(ms)  # past year 33658 either way: not a time
        return pl.from_epoch(ms.cast(pl.Int64), time_unit="ms").cast(pl.Datetime("us"))
    if fmt.strip_tz:
        text = text.str.replace(_TZ_SUFFIX, _TZ_KEEP)
    return text.str.strptime(pl.Datetime("us"), fmt.fmt, strict=False, cache=few_values(fmt.fmt))


def few_values(fmt: str) -> bool:
    """Whether to parse through Polars' cache of the distinct values (each parsed once): for a
    format without a time of day, whose column has a few thousand distinct days at most (10M
    orders' `YYYY-MM-DD`, 730 days: 0.83 s without the cache, 0.70 s with it). Timestamps are
    nearly all distinct, and the cache adds a hash lookup per value to the parse: one column of
    5M ticket times 0.67 -> 0.52 s without it, 10M survey times 1.12 -> 0.81 s."""
    return _TIME_OF_DAY.search(fmt) is None


def parse_expr(column: str, fmt: DateFormat, stripped: bool = False) -> pl.Expr:
    """A Datetime expression for the column; values that do not fit, and dates outside
    MIN_YEAR..max_year(), become null (counted as invalid dates). `stripped`: see `_parse`."""
    return in_range(_parse(pl.col(column), fmt, stripped), typed=fmt.native)


def stripped(lf: pl.LazyFrame, columns: list[str]) -> pl.LazyFrame:
    """The text columns stripped of surrounding white space in a node of their own, read from
    there by every expression that needs them (`parse_expr(stripped=True)`, the blank test):
    the streaming engine shares no subexpression, and each timestamp's parse and blank test
    stripped it again (three strips a column; 5M CSV tickets, resolution time by week x
    channel: 4.8-5.5 -> 4.4-5.0 CPU s, 2.8-3.7 -> 2.5-3.0 s)."""
    return lf.with_columns(pl.col(c).cast(pl.String).str.strip_chars() for c in columns)


def ambiguity_notice(source: str, column: str, fmt: DateFormat) -> str:
    """What the sample of a date column leaves to say (see `DateFormat.ambiguous`)."""
    parts = []
    if fmt.dm_guess:
        order = "day-first (dd/mm)" if fmt.fmt.startswith("%d") else "month-first (mm/dd)"
        other = "--monthfirst" if fmt.fmt.startswith("%d") else "--dayfirst"
        parts.append(f"dates in '{column}' fit both dd/mm and mm/dd; read as {order}, "
                     f"pass {other} if that is wrong")
    if fmt.mixed_epoch:
        parts.append(f"'{column}' mixes Unix seconds and milliseconds: each value is read by "
                     f"its size (milliseconds from {EPOCH_MS:,} up, else seconds)")
    if fmt.out_of_range:
        k, n, example = fmt.out_of_range
        parts.append(f"'{column}': {k:,} of {n:,} sampled dates are outside "
                     f"{date_range_text()}, e.g. '{example}'; such dates are not used "
                     "(counted as invalid_date)")
    return f"{source}: " + "; ".join(parts)


OPTION_YEARS = (MIN_YEAR, 2999)  # --since, --until, --as-of (--until 2999-12-31: no end)
MAX_DURATION_DAYS = 3650  # --inactive-after, --repeat-window, --window, SLA targets: 10 years


def _check_option_date(value: date, text: str, option: str) -> None:
    low, high = OPTION_YEARS
    if not low <= value.year <= high:
        raise UsageError(f"{option} '{text}': out of range; a date from {low}-01-01 to "
                         f"{high}-12-31 is accepted", f"e.g. {option} 2025-01-01")


def parse_bound(text: str, option: str) -> date:
    """--since/--until values: YYYY-MM-DD (a whole day; --until includes it), in OPTION_YEARS."""
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(
            f"{option} '{text}': not a date", f"write it as YYYY-MM-DD, e.g. {option} 2025-01-01"
        ) from None
    _check_option_date(day, text, option)
    return day


def parse_duration(text: str, option: str) -> float:
    """`1h`, `30m`, `1h30m`, `2d`, `90min`, or a bare number of hours -> hours; more than 0 and
    at most MAX_DURATION_DAYS, else a usage error naming the option and the range."""
    from cxkit.units import duration_hours

    hours = duration_hours(text)
    if hours is None:
        raise UsageError(f"{option} '{text}': not a duration",
                         f"write e.g. {option} 4h, 30m, 1h30m or 2d (a bare number is hours)")
    if not 0 < hours <= MAX_DURATION_DAYS * 24:
        raise UsageError(f"{option} '{text}': out of range; a duration of more than 0 and at "
                         f"most {MAX_DURATION_DAYS}d ({MAX_DURATION_DAYS // 365} years) is "
                         "accepted", f"e.g. {option} 90d")
    return hours


def parse_moment(text: str, option: str) -> datetime:
    """--as-of: `YYYY-MM-DD` (end of that day) or `YYYY-MM-DD HH:MM[:SS]`, in OPTION_YEARS."""
    raw = text.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            moment = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        _check_option_date(moment.date(), text, option)
        return moment
    day = parse_bound(raw, option)
    return datetime(day.year, day.month, day.day, 23, 59, 59)
