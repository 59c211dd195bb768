"""Survey KPIs: NPS, CSAT, CES (KPIS.md "Surveys").

`compute(lf, measure, scope)` takes a LazyFrame whose score column carries the measure's role name
(`nps_score`, `csat_score`, `ces_score`) and returns a `KpiResult` with counts, drops by reason,
intervals, groups, the change against the previous period and its significance. It is two steps:
`summed` (the one pass over the rows: the measure's sums per segment and period) and `result_of`;
change drivers and experiments (cxkit.kpi.explain, cxkit.kpi.experiment) start from `summed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from cxkit.errors import UsageError
from cxkit.kpi import stats
from cxkit.kpi.benchmarks import assess
from cxkit.kpi.grouping import (
    OK,
    PERIOD_COL,
    RAW,
    ROW_REASONS,
    START,
    STATUS,
    Scope,
    condense,
    label_periods,
    row_reasons,
    sort_groups,
    summarise,
    weighted,
)
from cxkit.kpi.result import Group, KpiResult
from cxkit.kpi.scores import is_blank, label_scale, score_value

SCORE_REASONS = ("missing", "invalid", "out_of_range")
CSAT_SCALES = {"1-3": (1, 3, 3), "1-4": (1, 4, 3), "1-5": (1, 5, 4), "1-7": (1, 7, 6),
               "1-10": (1, 10, 9), "0-10": (0, 10, 9)}  # scale -> (low, high, satisfied-from)
# Scales an answer column is often on: `cxkit nps` on a 1-5 column deserves a word.
SMALLER = {"nps": [(1, 3), (1, 4), (1, 5), (1, 7)], "csat": [(1, 3), (1, 4), (1, 5), (1, 7)],
           "ces": [(1, 5)]}
WARN_FROM = 10  # answers needed before a scale warning means something


@dataclass
class Measure:
    """What differs between NPS, CSAT and CES: scale, labels, sums, and the final arithmetic."""

    kpi: str
    role: str
    low: int
    high: int
    labels: dict[str, int]
    rule: str
    digits: int
    scale_given: bool = True  # the scale was chosen by the user (or is fixed): labels keep it

    def read_labels(self, values: list) -> str | None:
        """Read the column's labels with the one scale they fit; say which (None: no labels).

        A scale given by the user stays; otherwise labels of another size (a 7-point Qualtrics
        scale, Help Scout's 3 ratings, the 1-7 CES agreement form) set the scale."""
        points = (self.high - self.low + 1) if self.scale_given and self.kpi != "nps" else None
        chosen, self.labels = label_scale(values, self.kpi, points)
        if chosen is None:
            return None
        note = f"answers read as labels of the {chosen.name}"
        if not self.scale_given and (chosen.low, chosen.high) != (self.low, self.high):
            self.rescale(f"{chosen.low}-{chosen.high}")
            note += f", on {self.low}-{self.high} ({self.rule.split(';')[0]})"
        self.rule += f"; labels: {chosen.name}"
        return note

    def rescale(self, scale: str) -> None:
        raise NotImplementedError

    def sums(self, ok: pl.Expr, score: pl.Expr) -> list[pl.Expr]:
        raise NotImplementedError

    def finish(self, row: dict[str, Any], z: float, confidence: float) -> dict[str, Any]:
        """value, ci, counts and extras from one row of sums."""
        raise NotImplementedError

    def differ(self, a: dict[str, Any], b: dict[str, Any], z: float, confidence: float) -> bool:
        raise NotImplementedError

    # what cxkit.kpi.explain and cxkit.kpi.experiment need: a difference with its interval and
    # p, the spread of one answer (sample sizes), the smallest n a test needs, the bad direction
    min_n = 1
    higher_is_better = True
    test_rule = ""  # how two groups are compared, for the rule
    unit = "points"  # what a change is counted in, for the sentences

    def compare(self, base: dict[str, Any], new: dict[str, Any], z: float,
                confidence: float) -> stats.Difference:
        """new - base, as the periods are tested (both rows have at least `min_n` answers)."""
        raise NotImplementedError

    def unit_sd(self, row: dict[str, Any]) -> float | None:
        """Standard deviation of one answer in the KPI's unit (None without answers)."""
        raise NotImplementedError

    def parts(self, row: dict[str, Any]) -> dict[str, float]:
        """Shares the KPI is made of, in percent (NPS: promoters and detractors)."""
        return {}

    def benchmark_kpi(self) -> str | None:
        return self.kpi


class Nps(Measure):
    def __init__(self) -> None:
        super().__init__(
            "nps", "nps_score", 0, 10, {},
            "promoters 9-10, passives 7-8, detractors 0-6; NPS = 100 * (P - D) / n; "
            "interval: adjusted Wald (Rocks 2016)",
            1,
        )

    test_rule = "adjusted-Wald difference (Rocks 2016), z test"

    def sums(self, ok, score):
        return [
            weighted(ok).alias("n"),
            weighted(ok & (score >= 9)).alias("promoters"),
            weighted(ok & (score <= 6)).alias("detractors"),
        ]

    def finish(self, row, z, confidence):
        n, p, d = row["n"], row["promoters"], row["detractors"]
        counts = {"promoters": p, "passives": n - p - d, "detractors": d}
        if n == 0:
            return {"value": None, "ci": None, "counts": counts, "extra": {}}
        return {
            "value": 100 * (p - d) / n,
            "ci": stats.nps_interval(p, d, n, z),
            "counts": counts,
            "extra": {},
        }

    def differ(self, a, b, z, confidence):
        return stats.nps_differ(
            (a["promoters"], a["detractors"], a["n"]), (b["promoters"], b["detractors"], b["n"]), z
        )[1]

    def compare(self, base, new, z, confidence):
        return stats.nps_diff((base["promoters"], base["detractors"], base["n"]),
                              (new["promoters"], new["detractors"], new["n"]), z)

    def unit_sd(self, row):
        if not row["n"]:
            return None
        p, d = row["promoters"] / row["n"], row["detractors"] / row["n"]
        return 100 * (max(0.0, p + d - (p - d) ** 2)) ** 0.5  # scores +100 / 0 / -100

    def parts(self, row):
        n = row["n"]
        return {"promoters": 100 * row["promoters"] / n, "detractors": 100 * row["detractors"] / n}


def _counted_with_moments(ok: pl.Expr, score: pl.Expr, name: str, cond: pl.Expr) -> list[pl.Expr]:
    """n, how many meet `cond`, and the sums a mean and its standard deviation need."""
    return [
        weighted(ok).alias("n"),
        weighted(ok & cond).alias(name),
        weighted(ok, score).alias("total"),
        weighted(ok, score * score).alias("total_sq"),
    ]


class Csat(Measure):
    def __init__(self, scale: str | None = None, satisfied_from: int | None = None) -> None:
        super().__init__("csat", "csat_score", 1, 5, {}, "", 1, scale_given=scale is not None)
        self.satisfied_from = satisfied_from
        self.rescale(scale or "1-5")

    test_rule = "Newcombe hybrid score interval, pooled two-proportion z test"

    def rescale(self, scale: str) -> None:
        if scale not in CSAT_SCALES:
            raise UsageError(
                f"--scale {scale}: not a CSAT scale", "use one of " + ", ".join(CSAT_SCALES)
            )
        low, high, default_cut = CSAT_SCALES[scale]
        cut = default_cut if self.satisfied_from is None else self.satisfied_from
        if not low <= cut <= high:
            raise UsageError(
                f"--satisfied-from {cut}: outside the {scale} scale",
                f"pick a value from {low} to {high}",
            )
        self.low, self.high, self.cut = low, high, cut
        top = f"{cut}-{high}" if cut < high else f"{high}"
        self.rule = (f"satisfied = {top} on a {scale} scale; CSAT = 100 * satisfied / n; "
                     "interval: Wilson")

    def sums(self, ok, score):
        return _counted_with_moments(ok, score, "satisfied", score >= self.cut)

    def finish(self, row, z, confidence):
        n, k = row["n"], row["satisfied"]
        counts = {"satisfied": k, "not_satisfied": n - k}
        if n == 0:
            return {"value": None, "ci": None, "counts": counts, "extra": {"mean_score": None}}
        mean, _ = stats.mean_sd(row["total"], row["total_sq"], n)
        return {
            "value": 100 * k / n,
            "ci": stats.wilson(k, n, z),
            "counts": counts,
            "extra": {"mean_score": mean},
        }

    def differ(self, a, b, z, confidence):
        return stats.proportions_differ(a["satisfied"], a["n"], b["satisfied"], b["n"], z)[1]

    def compare(self, base, new, z, confidence):
        return stats.proportion_diff(base["satisfied"], base["n"], new["satisfied"], new["n"], z)

    def unit_sd(self, row):
        if not row["n"]:
            return None
        p = row["satisfied"] / row["n"]
        return 100 * (p * (1 - p)) ** 0.5


class Ces(Measure):
    def __init__(self, scale: str | None = None) -> None:
        super().__init__("ces", "ces_score", 1, 5, {}, "", 2, scale_given=scale is not None)
        self.rescale(scale or "1-5")

    def rescale(self, scale: str) -> None:
        if scale == "1-5":
            rule = "1-5 effort scale, lower is better; low effort = 1-2"
            self.low_effort = (1, 2)
        elif scale == "1-7":
            rule = "1-7 ease scale, higher is better; low effort = 5-7"
            self.low_effort = (5, 7)
        else:
            raise UsageError(f"--scale {scale}: not a CES scale", "use 1-5 (effort) or 1-7 (ease)")
        self.low, self.high = (1, 5) if scale == "1-5" else (1, 7)
        self.rule = f"CES = mean score on the {rule}; interval: t"
        self.scale = scale

    def sums(self, ok, score):
        lo, hi = self.low_effort
        return _counted_with_moments(ok, score, "low_effort", (score >= lo) & (score <= hi))

    def finish(self, row, z, confidence):
        n, k = row["n"], row["low_effort"]
        counts = {"low_effort": k, "other": n - k}
        if n == 0:
            return {"value": None, "ci": None, "counts": counts,
                    "extra": {"pct_low_effort": None}}
        mean, sd = stats.mean_sd(row["total"], row["total_sq"], n)
        return {
            "value": mean,
            "ci": stats.t_interval(mean, sd, n, confidence) if sd is not None else None,
            "counts": counts,
            "extra": {"pct_low_effort": 100 * k / n},
        }

    def _mean_sd(self, row):
        return (*stats.mean_sd(row["total"], row["total_sq"], row["n"]), row["n"])

    def differ(self, a, b, z, confidence):
        m1, s1, n1 = self._mean_sd(a)
        m2, s2, n2 = self._mean_sd(b)
        return stats.means_differ(m1, s1, n1, m2, s2, n2, confidence)[1]

    min_n = 2  # a standard deviation on each side
    test_rule = "Welch's t"
    unit = ""  # CES moves by score units, not points

    @property
    def higher_is_better(self):  # type: ignore[override]
        return self.scale == "1-7"  # the ease form; on the 1-5 effort scale a rise is bad

    def compare(self, base, new, z, confidence):
        m1, s1, n1 = self._mean_sd(base)
        m2, s2, n2 = self._mean_sd(new)
        return stats.welch_diff(m1, s1, n1, m2, s2, n2, confidence)

    def unit_sd(self, row):
        return stats.mean_sd(row["total"], row["total_sq"], row["n"])[1]

    def benchmark_kpi(self):
        return "ces" if self.scale == "1-5" else None


def _score_reasons(measure: Measure, dtype: pl.DataType):
    """(reason, condition) for the score, in order, and the parsed score expression."""
    score = score_value(RAW, dtype, measure.labels)
    in_range = (score >= measure.low) & (score <= measure.high)
    reasons = [
        ("missing", is_blank(RAW, dtype)),
        ("invalid", score.is_null() | (score != score.floor())),
        ("out_of_range", ~in_range),
    ]
    return reasons, score


_READ, _SCORE = "__read_", "__score"  # the columns `_read_scores` joins


def _read_scores(small: pl.DataFrame, measure: Measure) -> tuple[pl.DataFrame, list, pl.Expr]:
    """`_score_reasons` on a condensed frame: a text answer is read (number, leading number,
    label) once per distinct value, not once per segment and day it is condensed on, then
    joined back (NPS on 10M answers by channel x region x day: 224k rows, about a dozen
    values)."""
    dtype = small.schema[RAW]
    reasons, score = _score_reasons(measure, dtype)
    if dtype != pl.String:
        return small, reasons, score
    values = small.select(pl.col(RAW).unique()).select(
        RAW, *[cond.alias(f"{_READ}{name}") for name, cond in reasons], score.alias(_SCORE))
    small = small.join(values, on=RAW, how="left", nulls_equal=True)
    return small, [(name, pl.col(f"{_READ}{name}")) for name, _ in reasons], pl.col(_SCORE)


@dataclass
class Summed:
    """The measure's sums per segment (`scope.by`) and period start, from one pass over the rows:
    what the KPI, its groups, its change drivers and its experiment comparisons are computed on."""

    df: pl.DataFrame  # one row per segment and period start: n, the measure's sums, drops
    keys: list[str]  # the segment columns of df (START too when grouped by period)
    totals: dict[str, Any]  # the sums over every row
    dropped: dict[str, int]
    notes: list[str]
    warnings: list[str]

    @property
    def sum_cols(self) -> list[str]:
        return [c for c in self.df.columns if c not in self.keys]


def summed(lf: pl.LazyFrame | None, measure: Measure, scope: Scope,
           condensed: pl.DataFrame | None = None) -> Summed:
    """Condense the file once (`condense`), then sum the measure per segment and period.

    `condensed`: that frame made by another engine (cxkit.engines.surveys); `lf` is then None."""
    small = condense(lf, measure.role, scope) if condensed is None else condensed
    small, reasons = row_reasons(small, scope)
    notes = []
    if small.schema[RAW] == pl.String:
        note = measure.read_labels(small[RAW].drop_nulls().unique().to_list())
        notes += [note] if note else []
    small, score_reasons, score = _read_scores(small, measure)
    reasons = reasons + score_reasons  # out-of-scope rows first: previews, tests, dates
    ok = pl.col(STATUS) == OK
    df = summarise(small, reasons, measure.sums(ok, score), scope)
    names = [r for r, _ in reasons]
    keys = list(scope.by) + ([START] if scope.period else [])
    sum_cols = [c for c in df.columns if c not in keys]
    totals = df.select(pl.col(sum_cols).sum()).row(0, named=True)
    totals = {k: (v or 0) for k, v in totals.items()}
    dropped = {r: int(totals[r]) for r in names if r in SCORE_REASONS or r in ROW_REASONS}
    warnings = scale_warnings(measure, small, score, int(totals["n"]),
                              int(totals.get("out_of_range", 0)))
    return Summed(df, keys, totals, dropped, notes, warnings)


def compute(
    lf: pl.LazyFrame,
    measure: Measure,
    scope: Scope,
    confidence: float = 0.95,
    sector: str | None = None,
) -> KpiResult:
    """The KPI overall, per group and per period, from a frame with the measure's role column."""
    return result_of(summed(lf, measure, scope), measure, scope, confidence, sector)


def result_of(s: Summed, measure: Measure, scope: Scope, confidence: float = 0.95,
              sector: str | None = None) -> KpiResult:
    """The KpiResult of sums made by `summed` with the same scope."""
    df, totals = s.df, s.totals
    z = stats.z_value(confidence)
    overall = measure.finish(totals, z, confidence)
    groups, trend, change, significant = [], [], None, None
    if scope.by or scope.period:
        groups = _groups(df, measure, scope, z, confidence)
    if scope.period:
        trend, change, significant = _trend(df, measure, scope, z, confidence)

    bench_kpi = measure.benchmark_kpi()
    return KpiResult(
        kpi=measure.kpi,
        value=overall["value"],
        n=int(totals["n"]),
        ci=overall["ci"],
        counts=overall["counts"],
        dropped=s.dropped,
        rule=measure.rule,
        digits=measure.digits,
        extra=overall["extra"],
        groups=groups,
        group_keys=list(scope.by) + ([PERIOD_COL] if scope.period else []),
        trend=trend,
        change=change,
        significant=significant,
        benchmark=assess(bench_kpi, overall["value"], sector) if bench_kpi else None,
        confidence=confidence,
        notes=list(s.notes),
        warnings=list(s.warnings),
    )


def scale_warnings(measure: Measure, small: pl.DataFrame, score: pl.Expr, n: int,
                   out_of_range: int) -> list[str]:
    """Answers that all sit inside a smaller scale (NPS on a 1-5 column: NPS -100 without a
    word), or many answers above the scale that a larger one would read."""
    valid = score.is_not_null() & (score == score.floor())
    inside = valid & (score >= measure.low) & (score <= measure.high)
    span = small.select(score.filter(inside).min().alias("lo"), score.filter(inside).max()
                        .alias("hi"), score.filter(valid & (score > measure.high)).max()
                        .alias("over")).row(0)
    lo, hi, over = span
    name, scale = measure.kpi.upper(), f"{measure.low}-{measure.high}"
    out = []
    if n >= WARN_FROM and lo is not None:
        fits = [(a, b) for a, b in SMALLER.get(measure.kpi, []) if b < measure.high
                and a <= lo and hi <= b]
        if fits:
            a, b = fits[0]
            fix = ("NPS needs answers on 0-10; for a satisfaction question use cxkit csat"
                   if measure.kpi == "nps" else f"if the question is on {a}-{b}, pass --scale "
                   f"{a}-{b}")
            out.append(f"every {name} answer is between {lo:g} and {hi:g}, inside a {a}-{b} "
                       f"scale, but {name} is read on {scale}: {fix}")
    answered = n + out_of_range
    if (over is not None and answered >= WARN_FROM and out_of_range * 10 >= answered
            and measure.kpi != "nps"):
        larger = (CSAT_SCALES.items() if measure.kpi == "csat" else [("1-7", (1, 7, 0))])
        bigger = next((s for s, (_, b, _) in larger if b >= over and b > measure.high), None)
        if bigger:
            out.append(f"{out_of_range} {name} answers are above {measure.high} (up to {over:g}) "
                       f"and dropped as out of range: if the question is on {bigger}, pass "
                       f"--scale {bigger}")
    return out


def _groups(df, measure, scope, z, confidence) -> list[Group]:
    if scope.period:
        df = label_periods(df.filter(pl.col(START).is_not_null()), scope.period)
    df = sort_groups(df, scope)
    rows = df.to_dicts()  # one dict per group, not per input row
    by_start = {(tuple(r[b] for b in scope.by), r[START]): r for r in rows} if scope.period else {}
    out = []
    for row in rows:
        res = measure.finish(row, z, confidence)
        key = {b: row[b] for b in scope.by}
        group = Group(key, res["value"], int(row["n"]), res["ci"], res["counts"], res["extra"])
        if scope.period:
            key[PERIOD_COL] = row[PERIOD_COL]
            group.compared = True
            prev = by_start.get((tuple(row[b] for b in scope.by), row["__prev_start"]))
            group.change, group.significant = _compare(measure, row, prev, res, z, confidence)
        out.append(group)
    return out


def _compare(measure, row, prev, res, z, confidence):
    """Change against the previous period's row (None when that period had no data)."""
    if prev is None or not prev["n"] or not row["n"]:
        return None, None
    prev_value = measure.finish(prev, z, confidence)["value"]
    return res["value"] - prev_value, measure.differ(row, prev, z, confidence)


def _trend(df, measure, scope, z, confidence):
    """Overall value per period (segments summed), and the last period's change."""
    sums = [c for c in df.columns if c not in scope.by and c != START]
    per = (
        df.filter(pl.col(START).is_not_null())
        .group_by(START)
        .agg(pl.col(sums).sum())
        .sort(START)
    )
    per = label_periods(per, scope.period)
    rows = per.to_dicts()
    trend = []
    for row in rows:
        res = measure.finish(row, z, confidence)
        trend.append({"period": row[PERIOD_COL], "value": res["value"], "n": int(row["n"])})
    change = significant = None
    if len(rows) >= 2 and rows[-2][START] == rows[-1]["__prev_start"]:
        res = measure.finish(rows[-1], z, confidence)
        change, significant = _compare(measure, rows[-1], rows[-2], res, z, confidence)
    return trend, change, significant
