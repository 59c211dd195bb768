"""Which answers are on which side of a themes comparison, and which answers NPS impact uses.

The loader's frame (a `comment` column, the NPS / CSAT answers, the split column, the calendar
columns) is condensed in one streaming pass: one row per distinct comment, answer, segment and
day, with its row count. Scores, dates and sides are read on that condensed frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cxkit.errors import UsageError
from cxkit.kpi.grouping import (
    DAY_KEY,
    EXCLUDED,
    NO_DATE,
    OK,
    PERIOD_COL,
    PERIODS,
    START,
    STATUS,
    WEIGHT,
    Scope,
    label_periods,
    row_reasons,
    status_expr,
)

TEXT = "comment"
SIDE = "__side"  # 0: the first side, 1: the second, null: neither
CAT = "__cat"  # NPS category of an answer in the NPS-impact population: 1 / 2 / 3, else null
DETRACTOR, PASSIVE, PROMOTER = 1, 2, 3
# answers that say nothing: no comment
NO_TEXT = ["", "-", ".", "n/a", "na", "nan", "null", "none"]


@dataclass
class Split:
    """--split nps | csat | COL | COL=VALUE, or --period P."""

    kind: str  # nps, csat, column, value, period
    column: str | None = None
    value: str | None = None
    period: str | None = None

    @classmethod
    def parse(cls, text: str | None, period: str | None) -> Split:
        if period:
            if text:
                raise UsageError("--split and --period: one comparison at a time",
                                 "drop --split to compare the last period with the one before")
            return cls("period", period=period)
        text = (text or "nps").strip()
        if text.lower() in ("nps", "csat"):
            return cls(text.lower())
        column, sep, value = text.partition("=")
        if not column.strip() or (sep and not value.strip()):
            raise UsageError(f"--split {text}: expected nps, csat, COL or COL=VALUE",
                             "e.g. --split plan or --split plan=pro")
        return cls("value" if sep else "column", column.strip(), value.strip() if sep else None)


@dataclass
class Answers:
    docs: pl.DataFrame  # TEXT, WEIGHT, SIDE, CAT: the comments to tokenise
    sides: list[str]
    n: dict[str, int]  # comments with text, per side
    population: tuple[int, int, int] | None  # NPS impact: (answers, promoters, detractors)
    dropped: dict[str, int]
    rule: str  # what the sides are
    notes: list[str] = field(default_factory=list)


def condense(lf: pl.LazyFrame, split: Split) -> pl.DataFrame:
    names = lf.collect_schema().names()
    keys = [pl.col(TEXT).cast(pl.String)]
    keys += [pl.col(c) for c in ("nps_score", "csat_score", EXCLUDED, DAY_KEY, NO_DATE)
             if c in names]
    if split.column:
        keys.append(pl.col(split.column).cast(pl.String))
    return lf.group_by(keys).agg(pl.len().alias(WEIGHT)).collect(engine="streaming")


def _read(small: pl.DataFrame, measure, name: str, notes: list[str]) -> pl.DataFrame:
    """`small` with column `name`: the measure's score where it is a valid answer, else null.
    Labels are read as the survey commands read them; each distinct value is parsed once."""
    from cxkit.kpi.scores import score_value

    role = measure.role
    dtype = small.schema[role]
    if dtype == pl.String:
        note = measure.read_labels(small[role].drop_nulls().unique().to_list())
        notes += [f"'{role}': {note}"] if note else []
    score = score_value(role, dtype, measure.labels)
    valid = (score.is_not_null() & (score == score.floor())
             & score.is_between(measure.low, measure.high)).fill_null(False)
    values = small.select(pl.col(role).unique()).with_columns(
        pl.when(valid).then(score).alias(name))
    return small.join(values, on=role, how="left", nulls_equal=True)


def _values(small: pl.DataFrame, column: str, usable: pl.Expr) -> list[str]:
    return sorted(small.filter(usable & pl.col(column).is_not_null())[column].unique().to_list())


def _column_sides(small, split: Split, usable) -> tuple[list[str], pl.Expr, str]:
    col, values = split.column, _values(small, split.column, usable)
    shown = ", ".join(values[:10]) + (", …" if len(values) > 10 else "")
    if split.kind == "value":
        value = split.value
        if value not in values:  # forgiving case, as column names are
            near = [v for v in values if v.casefold() == value.casefold()]
            if len(near) != 1:
                raise UsageError(f"--split {col}={value}: no comment has {col} '{value}'",
                                 f"values of {col}: {shown}")
            value = near[0]
        side = (pl.when(pl.col(col) == value).then(0)
                .when(pl.col(col).is_not_null()).then(1))
        return [value, f"not {value}"], side, f"{col} = '{value}' vs the other values of {col}"
    if len(values) != 2:
        raise UsageError(f"--split {col}: {len(values)} values ({shown}), not two",
                         f"compare one value with the rest: --split {col}=VALUE")
    side = pl.when(pl.col(col) == values[0]).then(0).when(pl.col(col) == values[1]).then(1)
    return values, side, f"{col} = '{values[0]}' vs '{values[1]}'"


def _periods(small: pl.DataFrame, period: str, usable: pl.Expr) -> tuple[list, list[str]]:
    starts = small.filter(usable & pl.col(START).is_not_null())[START]
    if starts.is_empty():
        return [], []
    frame = pl.DataFrame({START: [starts.max()]}).with_columns(
        pl.col(START).dt.offset_by("-" + PERIODS[period]).alias("__p"))
    last, prev = frame.row(0)
    labels = label_periods(pl.DataFrame({START: [last, prev]}), period)[PERIOD_COL].to_list()
    return [last, prev], labels


def answers(lf: pl.LazyFrame, split: Split, scope: Scope) -> Answers:
    from cxkit.kpi.survey import Csat, Nps

    small = condense(lf, split)
    small, reasons = row_reasons(small, scope)
    notes: list[str] = []
    text = pl.col(TEXT).str.strip_chars()
    small = small.with_columns(
        (status_expr(reasons) == OK).alias("__in_scope"),
        (text.is_not_null() & ~text.str.to_lowercase().is_in(NO_TEXT)).alias("__has_text"))
    in_scope, has_text = pl.col("__in_scope"), pl.col("__has_text")
    usable = in_scope & has_text
    cat = None
    if "nps_score" in small.columns:
        small = _read(small, Nps(), "__nps", notes)
        score = pl.col("__nps")
        cat = (pl.when(score >= 9).then(PROMOTER).when(score <= 6).then(DETRACTOR)
               .when(score.is_not_null()).then(PASSIVE))
    window = pl.lit(True)
    if split.kind == "nps":
        sides, rule = ["detractors", "promoters"], "detractors (NPS 0-6) vs promoters (9-10)"
        side = pl.when(cat == DETRACTOR).then(0).when(cat == PROMOTER).then(1)
    elif split.kind == "csat":
        measure = Csat()
        small = _read(small, measure, "__csat", notes)
        sides, score = ["not_satisfied", "satisfied"], pl.col("__csat")
        side = pl.when(score < measure.cut).then(0).when(score.is_not_null()).then(1)
        rule = f"not satisfied vs satisfied (CSAT {measure.rule.split(';')[0]})"
    elif split.kind == "period":
        starts, sides = _periods(small, split.period, usable)
        if starts:
            side = pl.when(pl.col(START) == starts[0]).then(0).when(pl.col(START) == starts[1])
            side = side.then(1)
            window = pl.col(START).is_in(starts)
        else:
            side, sides = pl.lit(None), ["last", "previous"]
        rule = f"the last {split.period} with comments vs the {split.period} before"
    else:
        sides, side, rule = _column_sides(small, split, usable)
    small = small.with_columns(side.cast(pl.Int8).alias(SIDE),
                               (pl.lit(None) if cat is None else cat).cast(pl.Int8).alias(CAT))
    # rows dropped: out of scope (previews, dates), then no comment, then on neither side
    reasons = reasons + [("no_comment", ~has_text), ("neither_side", pl.col(SIDE).is_null())]
    small = small.with_columns(status_expr(reasons))
    population = None
    if cat is not None:  # the NPS-impact population: valid NPS answers in scope
        small = small.with_columns(pl.when(in_scope & window.fill_null(False)).then(pl.col(CAT))
                                   .alias(CAT))
        w = pl.col(WEIGHT)
        row = small.select(w.filter(pl.col(CAT).is_not_null()).sum().alias("n"),
                           w.filter(pl.col(CAT) == PROMOTER).sum().alias("p"),
                           w.filter(pl.col(CAT) == DETRACTOR).sum().alias("d")).row(0)
        population = tuple(int(v or 0) for v in row)
    per_status = dict(small.group_by(STATUS).agg(pl.col(WEIGHT).sum()).iter_rows())
    dropped = {r: int(per_status.get(r, 0)) for r, _ in reasons}
    on_side = small.filter(pl.col(STATUS) == OK)
    counts = dict(on_side.group_by(SIDE).agg(pl.col(WEIGHT).sum()).iter_rows())
    n = {name: int(counts.get(i, 0)) for i, name in enumerate(sides)}
    docs = small.filter(usable & (pl.col(SIDE).is_not_null() | pl.col(CAT).is_not_null()))
    return Answers(docs.select(TEXT, WEIGHT, SIDE, CAT), sides, n, population, dropped, rule,
                   notes)
