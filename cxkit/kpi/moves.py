"""Real moves of the ticket and order KPIs: alerts on a significant change, and experiments.

The survey KPIs have their own sums (`cxkit.kpi.survey.Summed`); the ticket and order KPIs that
are shares (FCR, SLA, reopen, repeat purchase, returns…) or means (response and resolution
times, AOV) carry what their value is made of (`Group.basis`, `KpiResult.change_test`, from
`cxkit.kpi.specs`). This module turns that into the same alert message and the same
`--versus` comparison as `cxkit nps` gives (`cxkit.kpi.explain.alarm`,
`cxkit.kpi.experiment.versus`): one test per kind, from stats.py, whatever the command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from cxkit.kpi import stats
from cxkit.kpi.result import KpiResult

HOURS = ("first_response_time", "resolution_time")


def higher_is_better(kpi: str) -> bool | None:
    """The good direction of a KPI (None: neither, as for a volume)."""
    from cxkit.kpi.report import info

    return info(kpi).higher_is_better


def _unit(kpi: str) -> str:
    from cxkit.kpi.report import info

    return {"%": " points", "h": " h"}.get(info(kpi).unit, "")


def alarm(result: KpiResult, either: bool, flag: str) -> str | None:
    """The --fail-on-drop / --fail-on-change message when the KPI's last change is a significant
    move in its bad direction (or either way), else None."""
    test, good = result.change_test, higher_is_better(result.kpi)
    if test is None or test.p >= 1 - result.confidence or (good is None and not either):
        return None
    worse = good is not None and (test.diff < 0) == good
    if not (worse or either):
        return None
    unit, d = _unit(result.kpi), result.digits or 1
    periods = [t["period"] for t in result.trend[-2:]]
    verdict = "worse" if worse else ("better" if good is not None else "different")
    return (f"{result.kpi} {'rose' if test.diff > 0 else 'fell'} {abs(test.diff):.{d}f}{unit} "
            f"from {periods[0]} to {periods[1]} ({result.confidence:.0%} CI "
            f"{test.ci[0]:.{d}f} to {test.ci[1]:.{d}f}, p {test.p:.2g}): significantly "
            f"{verdict} ({flag})")


@dataclass
class SpecMeasure:
    """A share or a mean KPI as `cxkit.kpi.explain.Comparable` (what experiment.versus needs)."""

    kpi: str
    share: bool
    digits: int
    rule: str
    higher_is_better: bool = True

    @property
    def min_n(self) -> int:
        return 1 if self.share else 2  # a mean's test needs a standard deviation

    @property
    def unit(self) -> str:
        return "points" if self.share else ""

    @property
    def test_rule(self) -> str:
        return ("Newcombe's interval and the pooled two-proportion z test" if self.share
                else "Welch's t")

    def finish(self, row: dict[str, Any], z: float, confidence: float) -> dict[str, Any]:
        if self.share:
            return {"value": 100 * row["yes"] / row["n"] if row["n"] else None}
        return {"value": row["mean"]}

    def compare(self, base: dict, new: dict, z: float, confidence: float) -> stats.Difference:
        if self.share:
            return stats.proportion_diff(base["yes"], base["n"], new["yes"], new["n"], z)
        return stats.welch_diff(base["mean"], base["sd"] or 0.0, base["n"], new["mean"],
                                new["sd"] or 0.0, new["n"], confidence)

    def parts(self, row: dict[str, Any]) -> dict[str, float]:
        return {}

    def unit_sd(self, row: dict[str, Any]) -> float | None:
        """Spread of one row in the KPI's unit: 100 x sqrt(p(1 - p)) for a share in %, the
        standard deviation for a mean."""
        if not row["n"]:
            return None
        if self.share:
            p = row["yes"] / row["n"]
            return 100 * (p * (1 - p)) ** 0.5
        return row["sd"]


@dataclass
class GroupSums:
    """`cxkit.kpi.explain.Sums` from a KPI's groups (one --by column, no periods)."""

    df: pl.DataFrame
    keys: list[str]
    totals: dict[str, Any] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def sum_cols(self) -> list[str]:
        return [c for c in self.df.columns if c not in self.keys]


def can_compare(result: KpiResult) -> bool:
    """The KPI's groups carry what a test needs (a share or a mean)."""
    return bool(result.groups) and all(g.basis or g.n == 0 for g in result.groups)


def _measure(result: KpiResult, share: bool) -> SpecMeasure:
    good = higher_is_better(result.kpi)
    return SpecMeasure(result.kpi, share, result.digits, result.rule,
                       True if good is None else good)


def plan(result: KpiResult, mde: float, by: str | None, control: str | None,
         split: str | None, correction: str = "holm", confidence: float = 0.95):
    """Rows each group needs for a test of `mde` (`cxkit.kpi.experiment.plan`), from the spread of
    the KPI's rows: the --versus group's, else every row in scope."""
    from cxkit.kpi.experiment import plan as plan_groups

    share = "yes" in result.basis
    empty = {"n": 0, "yes": 0} if share else {"n": 0, "mean": None, "sd": None}
    rows = [{by: g.key.get(by), **(g.basis or empty)} for g in result.groups] if by else []
    df = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    sums = GroupSums(df, [by] if by else [], totals=dict(result.basis),
                     dropped=dict(result.dropped))
    return plan_groups(sums, _measure(result, share), mde, by, control, split, correction,
                       confidence)


def versus(result: KpiResult, by: str, control: str, correction: str = "holm",
           split: str | None = None, confidence: float = 0.95):
    """Every group of `by` against the control group, as `cxkit nps --versus` compares them."""
    from cxkit.kpi.experiment import versus as compare_groups

    share = "yes" in next(g.basis for g in result.groups if g.basis)
    empty = {"n": 0, "yes": 0} if share else {"n": 0, "mean": None, "sd": None}
    rows = [{by: g.key.get(by), **(g.basis or empty)} for g in result.groups]
    sums = GroupSums(pl.DataFrame(rows, infer_schema_length=None), [by])
    return compare_groups(result, sums, _measure(result, share), by, control, correction, split,
                          confidence)
