"""Turn raw survey answers (numbers, "10 - Extremely likely", labels) into numbers.

One Polars expression per column: no per-value Python.
"""

from __future__ import annotations

import polars as pl

# Answers that mean "no answer": counted as missing, not invalid.
BLANKS = ["", "na", "n/a", "nan", "null", "none", "-", "offered", "not offered", "unoffered"]

NPS_LABELS = {
    "extremely likely": 10, "not at all likely": 0, "not likely at all": 0,
    "tres probable": 10, "très probable": 10, "pas du tout probable": 0,
}
CSAT_LABELS = {
    "very satisfied": 5, "satisfied": 4, "neutral": 3, "neither satisfied nor dissatisfied": 3,
    "dissatisfied": 2, "very dissatisfied": 1, "unsatisfied": 2, "very unsatisfied": 1,
    "très satisfait": 5, "tres satisfait": 5, "satisfait": 4, "plutôt satisfait": 4,
    "neutre": 3, "ni satisfait ni insatisfait": 3, "plutôt insatisfait": 2, "insatisfait": 2,
    "peu satisfait": 2, "très insatisfait": 1, "tres insatisfait": 1,
    "pas du tout satisfait": 1, "good": 5, "bad": 1, "bon": 5, "mauvais": 1,
    "extremely satisfied": 5, "extremely unsatisfied": 1, "extremely dissatisfied": 1,
}
CES_EFFORT_LABELS = {  # 1-5, 1 = very low effort
    "very low effort": 1, "low effort": 2, "neutral": 3, "high effort": 4, "very high effort": 5,
    "very easy": 1, "easy": 2, "difficult": 4, "very difficult": 5,
    "très facile": 1, "tres facile": 1, "facile": 2, "neutre": 3, "difficile": 4,
    "très difficile": 5, "tres difficile": 5,
}
CES_AGREE_LABELS = {  # 1-7, 7 = strongly agree that it was easy
    "strongly disagree": 1, "disagree": 2, "somewhat disagree": 3, "neutral": 4,
    "neither agree nor disagree": 4, "somewhat agree": 5, "agree": 6, "strongly agree": 7,
    "pas du tout d'accord": 1, "pas d'accord": 2, "plutôt pas d'accord": 3, "neutre": 4,
    "plutôt d'accord": 5, "d'accord": 6, "tout à fait d'accord": 7,
}

_LEADING = r"^([+-]?\d+(?:[.,]\d+)?)(?:\s*[-–—:=]\s*|\s+)\D"


def raw_text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars()


def is_blank(column: str, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_numeric():
        return pl.col(column).is_null() | pl.col(column).is_nan() if dtype.is_float() else (
            pl.col(column).is_null()
        )
    return pl.col(column).is_null() | raw_text(column).str.to_lowercase().is_in(BLANKS)


def score_value(column: str, dtype: pl.DataType, labels: dict[str, int]) -> pl.Expr:
    """Float score: the number itself, the leading number of '10 - Extremely likely', a label."""
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64)
    text = raw_text(column)
    plain = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    leading = (
        text.str.extract(_LEADING, 1).str.replace(",", ".", literal=True).cast(pl.Float64)
    )
    label = (
        text.str.to_lowercase()
        .str.replace_all("’", "'", literal=True)
        .replace_strict(labels, default=None, return_dtype=pl.Float64)
    )
    return pl.coalesce(plain, leading, label)
