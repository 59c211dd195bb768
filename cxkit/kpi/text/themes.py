"""Comment themes (KPIS.md "Why it moved"): the terms one side uses more than the other.

Counts are document frequencies: y_wⁱ is the number of side-i comments (rows) whose text has term
w, once however often the comment says it; nⁱ = Σ_w y_wⁱ over every term of side i (unigrams and
bigrams in one vocabulary, as a multinomial over the (comment, term) pairs). Terms are ranked by
the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008):

    δ_w  = ln[(y_wⁱ + α_w) / (nⁱ + α₀ − y_wⁱ − α_w)] − ln[(y_wʲ + α_w) / (nʲ + α₀ − y_wʲ − α_w)]
                                                                                    (eq. 16)
    σ²_w ≈ 1 / (y_wⁱ + α_w) + 1 / (y_wʲ + α_w)                                      (eq. 20)
    z_w  = δ_w / σ_w                                                                (eq. 22)

with α_w = α₀ · (y_wⁱ + y_wʲ) / Σ_v (y_vⁱ + y_vʲ): the prior spreads α₀ (`--prior-strength`)
pseudo-counts over the terms as both sides together use them. The default α₀ is that total
itself, so α_w is the term's own count over both sides: the empirical-Bayes prior of tidylo
(Silge & Hayes, `bind_log_odds`). Why:
- it scales with the file: a fixed α₀ fades as files grow, and the empty side's variance
  1/α_w then explodes: with α₀ = 500 on 10 million mentions, a term 500 comments of one side
  use and none of the other gets z = 1.57; with the default, z = 12.7;
- it makes the |z| >= 1.96 bar strict, which many terms at once need: under no difference
  z has a variance near 1/3, so random halves of the same comments list ~0.1-0.4 % of the
  terms tested (tests/test_themes.py), where α₀ = 50 or 500 lists the nominal 3-5 %, i.e.
  dozens of noise "themes" on a few thousand terms.
The price: δ (`log_odds`) is shrunk toward 0 (about ln 2 = 0.69 for a term one side never uses,
when both sides have as many mentions); z, not δ, ranks the terms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from cxkit.kpi.text.sides import CAT, DETRACTOR, PROMOTER, SIDE, TEXT, WEIGHT, Answers
from cxkit.kpi.text.tokenise import DOC, SHIFT, SURFACE, TERM, Tokens, masked, tokens

Y_I, Y_J, ALPHA = "y_i", "y_j", "alpha"
MIN_COMMENTS = 10  # per side: fewer and no term is ranked
Z_MIN = 1.96  # a term is listed when |z| >= this (two-sided 5 %)
TOP, MIN_COUNT, EXAMPLES = 10, 5, 3


def informative_prior(strength: float | None = None) -> pl.Expr:
    """α_w = α₀ · (y_wⁱ + y_wʲ) / Σ (y_vⁱ + y_vʲ); α₀ = `strength`, or that total (None)."""
    pooled = (pl.col(Y_I) + pl.col(Y_J)).cast(pl.Float64)
    if strength is None:
        return pooled
    return pl.lit(float(strength)) * pooled / pooled.sum()


def log_odds(counts: pl.LazyFrame | pl.DataFrame, alpha: pl.Expr | float) -> pl.LazyFrame:
    """δ_w (`log_odds`), σ_w (`sigma`) and z_w (`z`) of each row (term) of `counts`, whose
    columns y_i, y_j are the term's counts on the two sides. nⁱ, nʲ and α₀ are the sums over
    all rows; `alpha` is α_w: a constant (a uniform prior) or an expression."""
    a = alpha if isinstance(alpha, pl.Expr) else pl.lit(float(alpha))
    lf = counts.lazy().with_columns(a.cast(pl.Float64).alias(ALPHA))
    y_i, y_j, al = pl.col(Y_I).cast(pl.Float64), pl.col(Y_J).cast(pl.Float64), pl.col(ALPHA)
    n_i, n_j, a0 = y_i.sum(), y_j.sum(), al.sum()
    delta = ((y_i + al) / (n_i + a0 - y_i - al)).log() - ((y_j + al) / (n_j + a0 - y_j - al)).log()
    var = 1.0 / (y_i + al) + 1.0 / (y_j + al)
    return lf.with_columns(delta.alias("log_odds"), var.sqrt().alias("sigma")).with_columns(
        (pl.col("log_odds") / pl.col("sigma")).alias("z"))


@dataclass
class ThemesResult:
    sides: list[str]
    n: dict[str, int]
    terms: list[dict[str, Any]]
    dropped: dict[str, int]
    rule: str
    mentions: dict[str, int] = field(default_factory=dict)  # nⁱ, nʲ of eq. 16
    prior_strength: float | None = None  # α₀
    split: str = "nps"
    min_count: int = MIN_COUNT
    top: int = TOP
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kpi: str = "themes"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kpi": self.kpi, "sides": self.sides, "n": self.n,
                               "terms": self.terms, "dropped": self.dropped, "rule": self.rule,
                               "split": self.split, "mentions": self.mentions,
                               "prior_strength": _round(self.prior_strength, 2),
                               "min_count": self.min_count, "top": self.top,
                               "columns": self.columns}
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


def _round(x: float | None, digits: int) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(x, digits) + 0.0


def term_pairs(docs: pl.DataFrame) -> tuple[pl.DataFrame, Tokens]:
    """One row per (comment, term): the comment's row count, side and NPS category."""
    toks = tokens(docs.lazy(), TEXT, [WEIGHT, SIDE, CAT])
    return toks.pairs().collect(engine="streaming"), toks


def term_counts(pairs: pl.DataFrame) -> pl.DataFrame:
    """Per term: y_i, y_j and its answers in the NPS-impact population (all, P, D)."""
    def rows(cond: pl.Expr, name: str) -> pl.Expr:  # when/then: much faster than filter here
        return pl.when(cond).then(pl.col(WEIGHT)).otherwise(0).sum().alias(name)

    side, cat = pl.col(SIDE), pl.col(CAT)
    return pairs.lazy().group_by(TERM).agg(
        rows(side == 0, Y_I), rows(side == 1, Y_J), rows(cat.is_not_null(), "__n"),
        rows(cat == PROMOTER, "__p"), rows(cat == DETRACTOR, "__d"),
    ).filter((pl.col(Y_I) + pl.col(Y_J)) > 0).collect()


def _impact(population: tuple[int, int, int] | None) -> pl.Expr:
    """NPS of all answers − NPS of the answers without the term, in NPS points."""
    if population is None or population[0] == 0:
        return pl.lit(None, pl.Float64)
    n, p, d = (float(v) for v in population)
    mine = [pl.col(c).cast(pl.Float64) for c in ("__n", "__p", "__d")]  # row counts: unsigned
    rest = n - mine[0]
    without = 100 * ((p - mine[1]) - (d - mine[2])) / rest
    return pl.when(rest > 0).then(100 * (p - d) / n - without)


def rank(counts: pl.DataFrame, alpha: pl.Expr, population, top: int, min_count: int
         ) -> pl.DataFrame:
    """The listed terms: count over both sides >= min_count, |z| >= Z_MIN, the `top` strongest
    of each side (ties: more comments first, then the term), z and log_odds toward the side."""
    scored = log_odds(counts, alpha).with_columns(
        pl.when(pl.col("z") > 0).then(0).otherwise(1).cast(pl.Int8).alias(SIDE),
        pl.col("z").abs().alias("__strength"), (pl.col(Y_I) + pl.col(Y_J)).alias("__pooled"),
        _impact(population).alias("nps_impact"))
    kept = subsumed_out(scored.filter((pl.col("__pooled") >= min_count)
                                      & (pl.col("__strength") >= Z_MIN)))
    ordered = kept.sort([SIDE, "__strength", "__pooled", TERM],
                        descending=[False, True, True, False])
    return ordered.group_by(SIDE, maintain_order=True).head(top).collect()


def subsumed_out(terms: pl.LazyFrame) -> pl.LazyFrame:
    """Without the words that a listed phrase holding them says in exactly the same comments
    ("répondu" when every comment with it says "jamais répondu"): same counts on both sides and
    a phrase's comments all hold its words, so the two are the same comments."""
    phrases = terms.filter(pl.col(TERM) >= SHIFT).select(
        pl.concat_list(pl.col(TERM) // SHIFT, pl.col(TERM) % SHIFT).alias("__word"),
        Y_I, Y_J).explode("__word")
    return terms.join(phrases, left_on=[TERM, Y_I, Y_J], right_on=["__word", Y_I, Y_J],
                      how="anti")


def examples(pairs: pl.DataFrame, docs: pl.DataFrame, listed: pl.DataFrame) -> pl.DataFrame:
    """Up to EXAMPLES comments of the term's own side, masked: the most frequent texts first
    (ties: alphabetical). Only the few candidates of each term are masked."""
    mine = pairs.lazy().join(listed.lazy().select(TERM, SIDE), on=[TERM, SIDE], how="semi")
    texts = docs.lazy().with_row_index(DOC).select(DOC, TEXT)
    by_text = (mine.join(texts, on=DOC).group_by(TERM, TEXT).agg(pl.col(WEIGHT).sum())
               .sort([TERM, WEIGHT, TEXT], descending=[False, True, False])
               .group_by(TERM, maintain_order=True).head(2 * EXAMPLES))
    shown = (by_text.with_columns(masked(pl.col(TEXT)).alias("__text"))
             .group_by(TERM, "__text", maintain_order=True).agg(pl.col(WEIGHT).sum())
             .sort([TERM, WEIGHT, "__text"], descending=[False, True, False], maintain_order=True)
             .group_by(TERM, maintain_order=True).head(EXAMPLES))
    return shown.group_by(TERM, maintain_order=True).agg(
        pl.col("__text").alias("examples")).collect()


def surfaces(toks: Tokens, pairs: pl.DataFrame, listed: pl.DataFrame) -> pl.DataFrame:
    """The way most comments wrote each listed term (accents kept); ties: alphabetical. Only
    the comments that have a listed term are read again."""
    mine = pairs.lazy().join(listed.lazy().select(TERM), on=TERM, how="semi")
    docs = mine.select(pl.col(DOC).unique()).collect()[DOC]
    counted = (toks.occurrences(docs).join(listed.lazy().select(TERM), on=TERM, how="semi")
               .group_by(TERM, SURFACE).agg(pl.col(WEIGHT).sum())
               .with_columns(toks.shown(pl.col(SURFACE)).alias("shown")))
    return counted.group_by(TERM).agg(
        pl.col("shown").sort_by([WEIGHT, "shown"], descending=[True, False]).first()).collect()


def compute(ans: Answers, top: int = TOP, prior_strength: float | None = None,
            min_count: int = MIN_COUNT, split: str = "nps") -> ThemesResult:
    i, j = ans.sides
    rule = (f"{ans.rule}; {RULE_TERMS}; counts: comments (a term once per comment); "
            f"{RULE_RANK}")
    result = ThemesResult(ans.sides, ans.n, [], ans.dropped, rule, split=split,
                          min_count=min_count, top=top, notes=list(ans.notes))
    if min(ans.n.values()) < MIN_COMMENTS:
        result.rule = (f"too few comments to compare: {i} {ans.n[i]}, {j} {ans.n[j]} "
                       f"(each side needs {MIN_COMMENTS}); " + rule)
        return result
    pairs, toks = term_pairs(ans.docs)
    counts = term_counts(pairs)
    totals = counts.select(pl.col(Y_I).sum(), pl.col(Y_J).sum()).row(0)
    result.mentions = {i: int(totals[0]), j: int(totals[1])}
    a0 = float(sum(totals)) if prior_strength is None else float(prior_strength)
    result.prior_strength = a0
    how = "the default: the mentions of both sides" if prior_strength is None else "given"
    result.rule = (rule + f"; prior: α₀ = {a0:g} ({how}), α_w = α₀ × the term's count over both "
                   f"sides / {sum(totals):g}; listed: count >= {min_count}, |z| >= {Z_MIN}, "
                   f"top {top} per side; "
                   + (RULE_IMPACT if ans.population else "nps_impact: null (no NPS answers)"))
    listed = rank(counts, informative_prior(prior_strength), ans.population, top, min_count)
    if listed.is_empty():
        result.rule = "no term is used significantly more by one side; " + result.rule
        return result
    listed = (listed.join(surfaces(toks, pairs, listed), on=TERM, how="left", maintain_order="left")
              .join(examples(pairs, ans.docs, listed), on=TERM, how="left", maintain_order="left"))
    result.terms = [_term(row, ans.sides) for row in listed.to_dicts()]  # at most 2 x top
    return result


def _term(row: dict[str, Any], sides: list[str]) -> dict[str, Any]:
    toward = 1.0 if row[SIDE] == 0 else -1.0
    return {"term": row["shown"], "side": sides[row[SIDE]], "z": _round(toward * row["z"], 2),
            "log_odds": _round(toward * row["log_odds"], 2),
            "count": {sides[0]: int(row[Y_I]), sides[1]: int(row[Y_J])},
            "nps_impact": _round(row["nps_impact"], 1), "examples": row["examples"] or []}


RULE_TERMS = ("terms: words and two-word phrases of one clause, lower-cased, French elisions "
              "off, compared without accents, English and French stop words dropped")
RULE_RANK = ("ranked by the log-odds ratio with an informative Dirichlet prior (Monroe, "
             "Colaresi & Quinn 2008, eq. 16, 20, 22), z = log_odds / sigma, both toward the "
             "term's side")
RULE_IMPACT = ("nps_impact = NPS of all answers - NPS of the answers without the term "
               "(negative: the answers that mention it pull NPS down)")
