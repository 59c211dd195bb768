"""The customer summary the BG/NBD and Gamma-Gamma models are fitted on (KPIS.md "Predictive
CLV"), built from the canonical orders frame of `cxkit.io.orders.load_orders`.

A customer's purchase occasions are its completed orders, same-day orders merged into one (their
amounts summed). For a calibration end `c`: `x` = occasions up to `c` − 1 (repeat purchases),
`t_x` = last − first occasion, `T` = `c` − first occasion, in the time unit (week = 7 days, or
day); only customers whose first occasion is on or before `c` are modelled. The mean repeat spend
is the mean amount of the occasions after the first (for x > 0). Occasions after `c` are the
holdout: repeat purchases per customer and per week after `c`.

Two passes, both Polars: a streaming `group_by` of the orders on (customer, day) — the only pass
over the raw rows, which also counts the rows dropped and why — then one `group_by` of those
occasions per customer. Memory is bounded by the occasions (customers x days they bought on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from cxkit.errors import UsageError
from cxkit.kpi.orders import CID, NOT_COMPLETED
from cxkit.kpi.specs import money_sum

UNIT_DAYS = {"week": 7, "day": 1}
PERIOD_DAYS = 7  # the holdout is counted per week, whatever the time unit of the model
EPOCH = date(1970, 1, 1)
DAY = "__day"  # the calendar day of an order as days since 1970-01-01 (Int32)
WHY = "__why"  # 0: the row is a purchase; else 1 + the index of its reason in the list
AMOUNT = "__amount"
# the columns of the summary and of the scores (cxkit.kpi.models.predict): no --by column
RESERVED = (CID, "first", "last", "x", "t_x", "T", "spend", "holdout", "first_purchase",
            "last_purchase", "repeat_purchases", "mean_repeat_spend", "p_alive",
            "expected_purchases", "expected_spend", "clv", "holdout_purchases")


@dataclass
class Summary:
    """One row per modelled customer, and how the orders became those rows."""

    customers: pl.DataFrame  # CID, first, last, x, t_x, T, spend, holdout (+ the by columns)
    calibration_end: date | None
    end: date | None  # the last purchase occasion of any customer (the holdout's end)
    time_unit: str
    dropped: dict[str, int] = field(default_factory=dict)  # order rows left out, by reason
    first_after_calibration: int = 0  # customers whose first occasion is after the end
    holdout: pl.DataFrame = field(default_factory=pl.DataFrame)  # per week after the end
    has_amount: bool = True
    _fit_rows: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.customers.height

    @property
    def repeat_buyers(self) -> int:
        return int((self.customers["x"] > 0).sum()) if self.n else 0

    @property
    def repeat_occasions(self) -> int:
        return int(self.customers["x"].sum()) if self.n else 0

    @property
    def holdout_days(self) -> int:
        if self.end is None or self.calibration_end is None:
            return 0
        return max((self.end - self.calibration_end).days, 0)

    def fit_rows(self) -> pl.DataFrame:
        """The BG/NBD fit data: unique (x, t_x, T) with the number of customers (`weight`)."""
        if self._fit_rows is None:
            self._fit_rows = (self.customers.lazy().group_by("x", "t_x", "T")
                              .agg(pl.len().alias("weight")).sort("x", "t_x", "T").collect())
        return self._fit_rows

    def spend_rows(self) -> pl.DataFrame:
        """The Gamma-Gamma fit data: unique (x, mean repeat spend > 0) of repeat buyers."""
        return (self.customers.lazy().filter((pl.col("x") > 0) & (pl.col("spend") > 0))
                .group_by("x", "spend").agg(pl.len().alias("weight")).sort("x", "spend")
                .collect())

    def cohorts(self) -> pl.DataFrame:
        """Customers per T (time from the first occasion to the calibration end): what the
        unconditional holdout prediction needs."""
        return self.customers.group_by("T").agg(pl.len().alias("weight")).sort("T")


def reasons(names: set[str]) -> list[tuple[str, pl.Expr]]:
    """Why an order row is not a purchase occasion, in order (the first that applies wins):
    date, status (completed orders only, as `cxkit orders`), customer, amount."""
    out = []
    at = pl.col("ordered_at")
    if "ordered_at__blank" in names:
        out += [("missing_date", pl.col("ordered_at__blank")), ("invalid_date", at.is_null())]
    else:
        out.append(("missing_date", at.is_null()))
    if "state" in names:
        state = pl.col("state")
        out += [(s, state == s) for s in NOT_COMPLETED]
        out.append(("not_completed", state.is_null() | (state != "completed")))
    out.append(("missing_customer", pl.col(CID).is_null()))
    if "amount" in names:
        if "amount__blank" in names:
            out.append(("missing_amount", pl.col("amount__blank")))
            out.append(("invalid_amount", pl.col("amount").is_null()))
        else:
            out.append(("missing_amount", pl.col("amount").is_null()))
    return out


def occasions(lf: pl.LazyFrame, by: list[str] | tuple[str, ...] = ()) -> tuple[
        pl.DataFrame, dict[str, int], bool]:
    """The one pass over the order rows (streaming): purchase occasions (CID, DAY, AMOUNT and
    the by columns, one row per customer and day), the rows dropped by reason, and whether
    there is an amount column."""
    names = set(lf.collect_schema().names())
    why_list = reasons(names)
    why = pl.lit(0, dtype=pl.Int8)
    for i, (_, cond) in reversed(list(enumerate(why_list, 1))):
        why = pl.when(cond.fill_null(False)).then(pl.lit(i, dtype=pl.Int8)).otherwise(why)
    ok = pl.col(WHY) == 0
    has_amount = "amount" in names
    amount = pl.col("amount").cast(pl.Float64) if has_amount else pl.lit(None, pl.Float64)
    day = pl.col("ordered_at").dt.date().cast(pl.Int32)
    keep = [pl.col(b) for b in by]
    rows = lf.select(why.alias(WHY), pl.col(CID), day.alias(DAY), amount.alias(AMOUNT), *keep)
    # a dropped row keeps only its reason: all of them fall into one group per reason
    rows = rows.select(WHY, *(pl.when(ok).then(pl.col(c)).alias(c) for c in (CID, DAY)),
                       AMOUNT, *keep)
    grouped = rows.group_by(WHY, CID, DAY).agg(
        pl.col(AMOUNT).sum().round(6), pl.len().alias("__rows"),
        *(pl.col(b).max() for b in by)).collect(engine="streaming")
    counts = dict(grouped.group_by(WHY).agg(pl.col("__rows").sum()).iter_rows())
    dropped = {name: int(counts.get(i, 0)) for i, (name, _) in enumerate(why_list, 1)}
    occ = grouped.filter(pl.col(WHY) == 0).drop(WHY, "__rows")
    return occ, dropped, has_amount


def build(lf: pl.LazyFrame, calibration_end: date | None = None, time_unit: str = "week",
          by: list[str] | tuple[str, ...] = (), found: tuple | None = None) -> Summary:
    """The customer summary at `calibration_end` (default: the last purchase occasion).
    `found`: `occasions(lf, by)` already made (the report fits twice on one pass)."""
    return build_many(lf, [calibration_end], time_unit, by, found)[0]


def build_many(lf: pl.LazyFrame, ends: list[date | None], time_unit: str = "week",
               by: list[str] | tuple[str, ...] = (), found: tuple | None = None
               ) -> list[Summary]:
    """`build` at each of several calibration ends, from one pass over the occasions (the
    report's fit on every order and its holdout fit: one group-by per customer, not two)."""
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit {time_unit!r}: expected one of {sorted(UNIT_DAYS)}")
    clash = [b for b in by if b in RESERVED]
    if clash:
        raise UsageError(f"--by {clash[0]}: the name of a column of the customer scores",
                         "rename the column, or group by another one")
    occ, dropped, has_amount = found if found is not None else occasions(lf, by)
    last = occ[DAY].max() if occ.height else None
    end = _date(last) if last is not None else None
    cals = [e if e is not None else end for e in ends]
    if last is None:  # no purchase at all
        return [Summary(_empty(by), cal, None, time_unit, dropped, has_amount=has_amount,
                        holdout=_periods(0, EPOCH, None)) for cal in cals]
    cs = [(cal - EPOCH).days for cal in cals]
    out = []
    for cal, c, per in zip(cals, cs, _per_customer(occ, cs, UNIT_DAYS[time_unit], by,
                                                     has_amount), strict=True):
        first_after = int((per["first"] > cal).sum())
        customers = per.filter(pl.col("first") <= cal)
        holdout = _holdout(occ, customers, c, last) if last > c else _periods(0, cal, end)
        out.append(Summary(customers, cal, end, time_unit, dropped, first_after, holdout,
                           has_amount))
    return out


def _per_customer(occ: pl.DataFrame, cs: list[int], unit: int, by, has_amount: bool
                  ) -> list[pl.DataFrame]:
    """One row per customer at each calibration end (days since 1970) in `cs`, from one
    group-by: the columns of the i-th end carry the suffix `_i` until they are split."""
    d, a = pl.col(DAY), pl.col(AMOUNT)
    # plain columns first: the streaming group_by below then needs no filter inside groups
    cols, aggs = [], [d.min().alias("__first"), a.min_by(d).alias("__first_amount")]
    for i, c in enumerate(cs):
        in_cal = d <= c
        cols += [in_cal.alias(f"__cal_{i}"), pl.when(in_cal).then(d).alias(f"__dc_{i}"),
                 pl.when(in_cal).then(a).otherwise(0.0).alias(f"__ac_{i}")]
        # the sums rounded (`money_sum`): a parallel sum adds in any order, and a last bit
        # that differs from run to run moved the Gamma-Gamma fit, so every CLV, by a cent
        aggs += [pl.col(f"__dc_{i}").max().alias(f"__last_{i}"),
                 pl.col(f"__cal_{i}").sum().alias(f"__n_{i}"),
                 money_sum(pl.col(f"__ac_{i}")).alias(f"__sum_{i}"),
                 (~pl.col(f"__cal_{i}")).sum().alias(f"holdout_{i}"),
                 # the segment of the last calibration occasion
                 *(pl.col(b).max_by(f"__dc_{i}").alias(f"{b}_{i}") for b in by)]
    per = occ.lazy().with_columns(cols).group_by(CID).agg(aggs).collect(engine="streaming")
    first = pl.col("__first")
    out = []
    for i, c in enumerate(cs):
        lst = pl.col(f"__last_{i}")
        x = (pl.col(f"__n_{i}") - 1).cast(pl.Int64)
        spend = pl.when(x > 0).then((pl.col(f"__sum_{i}") - pl.col("__first_amount")) / x)
        out.append(per.select(
            pl.col(CID), *(pl.col(f"{b}_{i}").alias(b) for b in by),
            first.cast(pl.Date).alias("first"), lst.cast(pl.Date).alias("last"),
            x.alias("x"), ((lst - first) / unit).cast(pl.Float64).alias("t_x"),
            ((pl.lit(c) - first) / unit).cast(pl.Float64).alias("T"),
            (spend.round(6) if has_amount else pl.lit(None, pl.Float64)).alias("spend"),
            pl.col(f"holdout_{i}").cast(pl.Int64).alias("holdout")))
    return out


def _holdout(occ: pl.DataFrame, customers: pl.DataFrame, c: int, last: int) -> pl.DataFrame:
    """Repeat purchases of the modelled customers per week after the calibration end."""
    after = occ.lazy().filter(pl.col(DAY) > c).join(customers.lazy().select(CID), on=CID,
                                                     how="semi")
    period = ((pl.col(DAY) - c - 1) // PERIOD_DAYS + 1).cast(pl.Int64).alias("period")
    actual = after.group_by(period).agg(pl.len().cast(pl.Int64).alias("actual")).collect()
    periods = _periods(-(-(last - c) // PERIOD_DAYS), EPOCH + timedelta(days=c),
                       EPOCH + timedelta(days=last))
    return (periods.join(actual, on="period", how="left")
            .with_columns(pl.col("actual").fill_null(0)).sort("period"))


def _periods(k: int, cal: date, end: date | None) -> pl.DataFrame:
    """Weeks 1..k after `cal`: number, first and last day (the last one cut at `end`)."""
    starts = [cal + timedelta(days=PERIOD_DAYS * i + 1) for i in range(k)]
    ends = [min(cal + timedelta(days=PERIOD_DAYS * (i + 1)), end) for i in range(k)]
    return pl.DataFrame({"period": list(range(1, k + 1)), "start": starts, "end": ends},
                        schema={"period": pl.Int64, "start": pl.Date, "end": pl.Date})


def _empty(by) -> pl.DataFrame:
    schema = {CID: pl.String, **{b: pl.String for b in by}, "first": pl.Date, "last": pl.Date,
              "x": pl.Int64, "t_x": pl.Float64, "T": pl.Float64, "spend": pl.Float64,
              "holdout": pl.Int64}
    return pl.DataFrame(schema=schema)


def _date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))
