"""Turn raw survey answers (numbers, "10 - Extremely likely", labels) into numbers.

One Polars expression per column: no per-value Python. The labels come from the shared
vocabulary of `cxkit.kpi.labels`, read with the one scale that fits the column's labels.
"""

from __future__ import annotations

import polars as pl

from cxkit.kpi.labels import LabelScale, choose, scales_for, union

# Answers that mean "no answer": counted as missing, not invalid.
BLANKS = ["", "na", "n/a", "nan", "null", "none", "-", "offered", "not offered", "unoffered",
          "not_offered"]

_LEADING = r"^([+-]?\d+(?:[.,]\d+)?)(?:\s*[-–—:=]\s*|\s+)\D"


def raw_text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars()


def is_blank(column: str, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_numeric():
        return pl.col(column).is_null() | pl.col(column).is_nan() if dtype.is_float() else (
            pl.col(column).is_null()
        )
    return pl.col(column).is_null() | raw_text(column).str.to_lowercase().is_in(BLANKS)


def folded_text(column: str) -> pl.Expr:
    """The cell as `labels.fold` compares it: lower case, straight apostrophes, single spaces."""
    return (raw_text(column).str.to_lowercase().str.replace_all("[’`]", "'")
            .str.replace_all(r"\s+", " "))


def score_value(column: str, dtype: pl.DataType, labels: dict[str, int]) -> pl.Expr:
    """Float score: the number itself, the leading number of '10 - Extremely likely', a label."""
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64)
    text = raw_text(column)
    plain = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    leading = (
        text.str.extract(_LEADING, 1).str.replace(",", ".", literal=True).cast(pl.Float64)
    )
    if not labels:
        return pl.coalesce(plain, leading)
    label = folded_text(column).replace_strict(labels, default=None, return_dtype=pl.Float64)
    return pl.coalesce(plain, leading, label)


def label_scale(values: list, measure: str, points: int | None = None
                ) -> tuple[LabelScale | None, dict[str, int]]:
    """The label scale of a column's distinct values, and the lookup to read it with.

    The lookup holds the chosen scale's labels and, behind them, every other label of the
    measure (read as the scale listed first means it), so no label is lost for want of a
    sample that showed it."""
    candidates = scales_for(measure, points)
    texts = [str(v) for v in values if isinstance(v, str)]
    chosen = choose(texts, candidates) if texts else None
    lookup = union(candidates)
    if chosen:
        lookup.update(chosen.mapping())
    return chosen, lookup
