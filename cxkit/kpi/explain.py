"""Why a KPI moved (KPIS.md "Why it moved", "Change drivers"): the change between two periods,
split exactly into mix and rate per segment by Kitagawa's symmetric decomposition.

Works on any KPI that is a weighted mean over segments (NPS, CSAT %, CES; FCR, SLA, AOV... when
their sums are there) through a small interface (`Comparable`): the sums per segment and period
come from one pass over the rows (cxkit.kpi.survey.summed), never from re-reading the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import polars as pl

from cxkit.errors import UsageError
from cxkit.kpi import stats
from cxkit.kpi.grouping import PERIOD_COL, START, label_periods
from cxkit.kpi.result import KpiResult, _num

NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


class Comparable(Protocol):
    """What a KPI gives to be explained and compared (cxkit.kpi.survey.Measure has it all)."""

    kpi: str
    digits: int
    min_n: int  # answers a side needs before it is tested (CES: 2, for a standard deviation)
    higher_is_better: bool
    unit: str  # "points", or "" for a score
    rule: str
    test_rule: str

    def finish(self, row: dict[str, Any], z: float, confidence: float) -> dict[str, Any]: ...
    def compare(self, base: dict[str, Any], new: dict[str, Any], z: float,
                confidence: float) -> stats.Difference: ...
    def parts(self, row: dict[str, Any]) -> dict[str, float]: ...


class Sums(Protocol):
    """Sums per segment and period start (cxkit.kpi.survey.Summed)."""

    df: pl.DataFrame
    keys: list[str]
    totals: dict[str, Any]
    dropped: dict[str, int]
    notes: list[str]
    warnings: list[str]

    @property
    def sum_cols(self) -> list[str]: ...


def kitagawa(n1: list[float], v1: list[float | None], n2: list[float],
             v2: list[float | None]) -> list[tuple[float, float]]:
    """(mix, rate) per segment for the change of a weighted mean between periods 1 and 2.

    w = n / N (shares as fractions), mix = (w2 - w1)(v1 + v2)/2, rate = (v2 - v1)(w1 + w2)/2;
    a segment absent in one period has rate 0 and its one observed value on both sides, so
    sum(mix + rate) = sum(w2 v2) - sum(w1 v1) = KPI2 - KPI1 exactly."""
    total1, total2 = sum(n1), sum(n2)
    out = []
    for a, x, b, y in zip(n1, v1, n2, v2, strict=True):
        w1 = a / total1 if total1 else 0.0
        w2 = b / total2 if total2 else 0.0
        x, y = (y if not a else x), (x if not b else y)
        if x is None or y is None:  # absent from both periods
            out.append((0.0, 0.0))
            continue
        out.append(((w2 - w1) * (x + y) / 2, (y - x) * (w1 + w2) / 2))
    return out


def p_out(p: float | None) -> float | None:
    """A p-value for output: 3 decimals, two significant digits below 0.001 (never 0.0)."""
    if p is None:
        return None
    return round(p, 3) + 0.0 if p >= 0.001 else float(f"{p:.2g}")


@dataclass
class SegmentChange:
    key: dict[str, Any]
    n: tuple[int, int]
    share: tuple[float, float]  # percent of the period's answers
    value: tuple[float | None, float | None]
    mix: float
    rate: float
    diff: stats.Difference | None  # the segment's own change, tested (None: too few answers)
    reason: str | None = None  # why diff is None
    p_adjusted: float | None = None

    @property
    def contribution(self) -> float:
        return self.mix + self.rate

    @property
    def change(self) -> float | None:
        a, b = self.value
        return None if a is None or b is None else b - a

    def to_dict(self, digits: int, alpha: float) -> dict[str, Any]:
        fine = digits + 1
        out = {"key": self.key, "n": list(self.n), "share": _num(list(self.share), 1),
               "value": _num(list(self.value), digits), "mix": _num(self.mix, fine),
               "rate": _num(self.rate, fine), "contribution": _num(self.contribution, fine),
               "change": _num(self.change, digits),
               "ci": _num(list(self.diff.ci), digits) if self.diff else None,
               "p": p_out(self.diff.p if self.diff else None),
               "p_adjusted": p_out(self.p_adjusted),
               "significant": None if self.p_adjusted is None else self.p_adjusted < alpha}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class Driver:
    dimension: str
    segments: list[SegmentChange]
    explained: float  # how much of the change this dimension locates (see `_explained`)

    @property
    def mix(self) -> float:
        return sum(s.mix for s in self.segments)

    @property
    def rate(self) -> float:
        return sum(s.rate for s in self.segments)

    def to_dict(self, digits: int, alpha: float) -> dict[str, Any]:
        return {"dimension": self.dimension, "mix": _num(self.mix, digits + 1),
                "rate": _num(self.rate, digits + 1), "explained": _num(self.explained, digits + 1),
                "segments": [s.to_dict(digits, alpha) for s in self.segments]}


@dataclass
class ChangeResult(KpiResult):
    """`nps_change` / `csat_change` / `ces_change`: value is KPI2 - KPI1 (what the drivers add
    up to); ci and p are those of the test of the two periods."""

    periods: list[str] = field(default_factory=list)
    n_pair: tuple[int, int] = (0, 0)
    values: tuple[float | None, float | None] = (None, None)
    diff: stats.Difference | None = None
    parts: dict[str, float] = field(default_factory=dict)  # promoters_change, detractors_change
    drivers: list[Driver] = field(default_factory=list)
    summary: str = ""
    reason: str | None = None
    correction: str = "holm"
    higher_is_better: bool = True

    @property
    def p(self) -> float | None:
        return self.diff.p if self.diff else None

    @property
    def significant_change(self) -> bool | None:
        return None if self.p is None else self.p < 1 - self.confidence

    @property
    def top(self) -> tuple[Driver, SegmentChange] | None:
        """The dimension that explains most and its segment that moved the KPI most."""
        if not self.drivers or not self.value:
            return None
        first = self.drivers[0]
        sign = 1 if self.value > 0 else -1
        return first, max(first.segments, key=lambda s: sign * s.contribution)

    def to_dict(self) -> dict[str, Any]:
        d, alpha = self.digits, 1 - self.confidence
        out: dict[str, Any] = {
            "kpi": self.kpi, "value": _num(self.value, d),
            "ci": _num(list(self.diff.ci), d) if self.diff else None,
            "p": p_out(self.p), "significant": self.significant_change,
            "periods": self.periods, "n": list(self.n_pair), "values": _num(list(self.values), d),
        }
        if self.diff and self.kpi == "nps_change":
            out["adjusted_change"] = _num(self.diff.diff, d + 1)  # the interval's centre
        out.update({f"{k}_change": _num(v, d + 1) for k, v in self.parts.items()})
        if self.reason:
            out["reason"] = self.reason
        out["drivers"] = [drv.to_dict(d, alpha) for drv in self.drivers]
        out["summary"] = self.summary
        out.update(rule=self.rule, correction=self.correction, confidence=self.confidence,
                   columns=self.columns, dropped=self.dropped)
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


def _pick(labels: list[str], compare: tuple[str, str] | None) -> tuple[str, str] | None:
    """The two periods compared: --compare P1,P2, else the last two periods with answers."""
    if compare is None:
        return (labels[-2], labels[-1]) if len(labels) >= 2 else None
    missing = [p for p in compare if p not in labels]
    if missing:
        raise UsageError(f"--compare {','.join(compare)}: no answers in period "
                         f"{', '.join(missing)}",
                         "periods with answers: " + (", ".join(labels) or "none"))
    if compare[0] == compare[1]:
        raise UsageError(f"--compare {','.join(compare)}: the two periods are the same",
                         "give two different periods, e.g. --compare " + ",".join(labels[-2:]))
    return compare


def _tested(measure: Comparable, a: dict, b: dict, periods: tuple[str, str], z: float,
            confidence: float) -> tuple[stats.Difference | None, str | None]:
    for row, label in ((a, periods[0]), (b, periods[1])):
        if not row["n"]:
            return None, f"no answers in {label}"
        if row["n"] < measure.min_n:
            return None, f"fewer than {measure.min_n} answers in {label}: no test"
    return measure.compare(a, b, z, confidence), None


def _explained(segments: list[SegmentChange], total: float) -> float:
    """Half the sum over segments of |mix + rate - mean share x change|: 0 when every segment
    moved alike and kept its share (the dimension locates nothing), |change| when one small
    segment did it all."""
    return sum(abs(s.contribution - (s.share[0] + s.share[1]) / 200 * total)
               for s in segments) / 2


def _driver(df: pl.DataFrame, dim: str, cols: list[str], starts: tuple, periods: tuple[str, str],
            measure: Comparable, z: float, confidence: float, correction: str,
            total: float) -> Driver:
    seg = df.filter(pl.col(START).is_in(list(starts))).group_by(dim, START).agg(pl.col(cols).sum())
    zero = dict.fromkeys(cols, 0)
    rows: dict[Any, list[dict]] = {}
    for r in seg.sort(dim, START, nulls_last=True).to_dicts():  # segments x 2 rows
        rows.setdefault(r[dim], [zero, zero])[starts.index(r[START])] = r
    keys = list(rows)
    finish = [[measure.finish(r, z, confidence)["value"] if r["n"] else None for r in rows[k]]
              for k in keys]
    n = [[int(r["n"]) for r in rows[k]] for k in keys]
    split = kitagawa([x[0] for x in n], [v[0] for v in finish], [x[1] for x in n],
                     [v[1] for v in finish])
    totals = [sum(x[0] for x in n) or 1, sum(x[1] for x in n) or 1]
    segments = []
    for k, counts, values, (mix, rate) in zip(keys, n, finish, split, strict=True):
        diff, reason = _tested(measure, rows[k][0], rows[k][1], periods, z, confidence)
        share = (100 * counts[0] / totals[0], 100 * counts[1] / totals[1])
        segments.append(SegmentChange({dim: k}, (counts[0], counts[1]), share,
                                      (values[0], values[1]), mix, rate, diff, reason))
    adjusted = stats.p_adjust([s.diff.p if s.diff else None for s in segments], correction)
    for s, p in zip(segments, adjusted, strict=True):
        s.p_adjusted = p
    segments.sort(key=lambda s: -abs(s.contribution))
    return Driver(dim, segments, _explained(segments, total))


def change(sums: Sums, measure: Comparable, dims: list[str], period: str,
           compare: tuple[str, str] | None = None, confidence: float = 0.95,
           correction: str = "holm") -> ChangeResult:
    """The change of the KPI between two periods, and per dimension of `dims` its drivers."""
    z = stats.z_value(confidence)
    cols = sums.sum_cols
    df = label_periods(sums.df.filter(pl.col(START).is_not_null()), period)
    per = (df.group_by(START, PERIOD_COL).agg(pl.col(cols).sum()).filter(pl.col("n") > 0)
           .sort(START))
    labels = per[PERIOD_COL].to_list()
    pair = _pick(labels, compare)
    name = NAMES.get(measure.kpi, measure.kpi)
    result = ChangeResult(
        kpi=f"{measure.kpi}_change", value=None, n=0, ci=None, counts={},
        dropped=sums.dropped, rule=_rule(measure, correction), digits=measure.digits,
        confidence=confidence, notes=list(sums.notes), warnings=list(sums.warnings),
        correction=correction, higher_is_better=measure.higher_is_better,
    )
    if pair is None:
        result.reason = (f"fewer than two {period}s with answers ("
                         + (", ".join(labels) or "none") + "): nothing to compare")
        result.summary = f"{name}: {result.reason}"
        return result
    by_label = {r[PERIOD_COL]: r for r in per.to_dicts()}
    a, b = by_label[pair[0]], by_label[pair[1]]
    v1, v2 = (measure.finish(r, z, confidence)["value"] for r in (a, b))
    result.periods, result.n_pair, result.values = list(pair), (int(a["n"]), int(b["n"])), (v1, v2)
    result.n = int(a["n"] + b["n"])
    result.value = v2 - v1
    result.diff, result.reason = _tested(measure, a, b, pair, z, confidence)
    result.ci = result.diff.ci if result.diff else None
    result.significant = result.significant_change
    pa, pb = measure.parts(a), measure.parts(b)
    result.parts = {k: pb[k] - pa[k] for k in pa}
    starts = (a[START], b[START])
    result.drivers = sorted(
        (_driver(df, dim, cols, starts, pair, measure, z, confidence, correction, result.value)
         for dim in dims), key=lambda drv: -drv.explained)
    result.summary = summary(result, name, measure.unit)
    return result


def _rule(measure: Comparable, correction: str) -> str:
    adjust = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "not"}[correction]
    return (f"change = {NAMES.get(measure.kpi, measure.kpi)} of the later period - the earlier; "
            f"interval and p: {measure.test_rule}; per dimension, Kitagawa's symmetric split "
            "mix = (w2 - w1)(v1 + v2)/2, rate = (v2 - v1)(w1 + w2)/2 per segment (w = share "
            f"of answers), summing to the change; segment p-values {adjust} adjusted across "
            "a dimension's segments; explained = half the sum over segments of |mix + rate - "
            "mean share x change|, 0 when every segment moved alike")


def number(x: float, digits: int) -> str:
    """12.0 -> '12', 4.25 -> '4.2' (digits 1): numbers in a sentence."""
    text = f"{abs(x):.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _moved(x: float, present: bool = False) -> str:
    if present:
        return "rising" if x > 0 else "falling"
    return "rose" if x > 0 else "fell"


def summary(r: ChangeResult, name: str, unit: str) -> str:
    """One plain sentence: 'NPS fell 6.1 points: 4.2 from chat's NPS falling 12 points, 1.5 from
    more answers coming from chat'."""
    d, u = r.digits, f" {unit}" if unit else ""
    if r.value is None:
        return f"{name}: {r.reason}"
    if r.p is None:
        test = f"no test: {r.reason}"
    else:
        test = f"{'significant' if r.significant_change else 'not significant'}, p {p_out(r.p):g}"
    span = f"from {r.periods[0]} to {r.periods[1]} ({test})"
    if round(r.value, d) == 0:
        return f"{name} did not change {span}"
    head = f"{name} {_moved(r.value)} {number(r.value, d)}{u} {span}"
    top = r.top
    if top is None:
        if r.parts:
            words = [f"{k} {number(v, d)} points {'up' if v > 0 else 'down'}"
                     for k, v in r.parts.items() if round(v, d)]
            return head + (": " + ", ".join(words) if words else "")
        return head
    drv, seg = top
    who = "(missing)" if seg.key[drv.dimension] is None else str(seg.key[drv.dimension])
    parts = sorted(((seg.rate, "rate"), (seg.mix, "mix")), key=lambda p: -abs(p[0]))
    with_sign = [p for p in parts if round(p[0], d) and (p[0] > 0) == (r.value > 0)]
    against = [p for p in parts if round(p[0], d) and (p[0] > 0) != (r.value > 0)]

    def said(part: tuple[float, str]) -> str:
        x, kind = part
        if kind == "rate":
            return (f"{number(x, d)} from {who}'s {name} {_moved(seg.change or 0, True)} "
                    f"{number(seg.change or 0, d)}{u}")
        more = "more" if seg.share[1] > seg.share[0] else "fewer"
        return f"{number(x, d)} from {more} answers coming from {who}"

    text = head + ": " + ", ".join(said(p) for p in with_sign)
    if against:
        text += ("; " if with_sign else "") + "offset by " + ", ".join(said(p) for p in against)
    return text


def alarm(r: ChangeResult, either: bool, flag: str) -> str | None:
    """The --fail-on-drop / --fail-on-change message when the change is a significant move in
    the bad direction (or either way), else None."""
    if r.diff is None or not r.significant_change:
        return None
    worse = (r.diff.diff < 0) == r.higher_is_better
    if not (worse or either):
        return None
    name = NAMES.get(r.kpi.removesuffix("_change"), r.kpi)
    unit = "" if r.kpi == "ces_change" else " points"
    lo, hi = (number(x, r.digits) if x >= 0 else "-" + number(x, r.digits) for x in r.diff.ci)
    text = (f"{name} {_moved(r.diff.diff)} {number(r.value or 0, r.digits)}{unit} from "
            f"{r.periods[0]} to {r.periods[1]} ({r.confidence:.0%} CI {lo} to {hi}, "
            f"p {p_out(r.p):g}): significantly {'worse' if worse else 'better'} ({flag})")
    top = r.top
    if top:
        drv, seg = top
        share = f"share {seg.share[0]:.0f}% -> {seg.share[1]:.0f}%"
        moved = "" if seg.change is None else f", its {name} {_moved(seg.change)} " \
            f"{number(seg.change, r.digits)}{unit}"
        text += (f"; {drv.dimension} '{seg.key[drv.dimension]}' explains most: "
                 f"{'+' if seg.contribution > 0 else '-'}{number(seg.contribution, r.digits)}"
                 f"{unit}{moved}, {share}")
    return text
