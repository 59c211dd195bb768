"""Experiments (KPIS.md "Why it moved", "Experiments"): every group of `--by` against a control
group, the sample-ratio check of the allocation, and the answers a test needs (`--plan`).

On the sums per group that cxkit.kpi.survey.summed makes (any KPI with the `Comparable` interface of
cxkit.kpi.explain), never on the rows again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import polars as pl

from cxkit.errors import UsageError
from cxkit.kpi import stats
from cxkit.kpi.explain import Comparable, Sums, p_out
from cxkit.kpi.grouping import PERIOD_COL, START, label_periods
from cxkit.kpi.result import Group, KpiResult, _num

POWER = 0.8
SRM_ALPHA = 0.001  # a sample-ratio p below this is a broken allocation, not bad luck


@dataclass
class Versus:
    control: str
    diff: stats.Difference | None = None
    p_adjusted: float | None = None
    mde: float | None = None
    reason: str | None = None
    is_control: bool = False

    def to_dict(self, digits: int, alpha: float) -> dict[str, Any]:
        if self.is_control:
            return {"control": self.control}
        d = self.diff
        out = {"control": self.control, "diff": _num(d.diff, digits) if d else None,
               "ci": _num(list(d.ci), digits) if d else None, "p": p_out(d.p if d else None),
               "p_adjusted": p_out(self.p_adjusted),
               "significant": None if self.p_adjusted is None else self.p_adjusted < alpha,
               "mde": _num(self.mde, digits)}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class VersusGroup(Group):
    versus: Versus | None = None
    alpha: float = 0.05

    def to_dict(self, digits: int) -> dict[str, Any]:
        out = super().to_dict(digits)
        if self.versus is not None:
            out["versus"] = self.versus.to_dict(digits + 1, self.alpha)
        return out


@dataclass
class VersusResult(KpiResult):
    by: str = ""
    control: str = ""
    correction: str = "holm"
    srm: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        groups = out.pop("groups")
        out["experiment"] = {"by": self.by, "control": self.control,
                             "correction": self.correction, "power": POWER}
        if self.srm is not None:
            out["srm"] = _num(dict(self.srm, p=None), 2) | {"p": p_out(self.srm["p"])}
        out["groups"] = groups
        return out


def group_values(df: pl.DataFrame, by: str) -> list[str]:
    """The groups of `by`, in the order the output shows them."""
    return df.select(pl.col(by).drop_nulls().unique().sort())[by].to_list()


def match_group(value: str, groups: list[str], by: str, option: str = "--versus") -> str:
    """The group named by the user: as written, else the one equal without regard to case."""
    if value in groups:
        return value
    folded = [g for g in groups if g.casefold() == value.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise UsageError(f"{option} {value}: no group '{value}' in {by}; its groups are: "
                     + (", ".join(groups) or "none"), f"pass one of them, e.g. {option} "
                     + (groups[0] if groups else "A"))


def parse_split(text: str) -> list[float]:
    """'50/50', '34/33/33', '1:1' -> the shares (any positive numbers; they are normalised)."""
    parts = [p.strip() for p in text.replace(":", "/").split("/")]
    try:
        shares = [float(p) for p in parts]
    except ValueError:
        shares = []
    if len(shares) < 2 or not all(s > 0 and s < float("inf") for s in shares):
        raise UsageError(f"--expected-split {text}: expected one positive share per group",
                         "e.g. --expected-split 50/50 (in the order of the --by groups)")
    return shares


def _check_split(shares: list[float], groups: list[str], by: str, text: str) -> None:
    if len(shares) != len(groups):
        raise UsageError(f"--expected-split {text}: {len(shares)} shares for the "
                         f"{len(groups)} groups of {by} ({', '.join(groups)})",
                         "give one share per group, in this order")


def srm(observed: list[int], shares: list[float], groups: list[str]) -> dict[str, Any]:
    chi2, df, p = stats.srm_test(observed, shares)
    total = sum(shares)
    return {"groups": groups, "observed": observed, "expected": [100 * s / total for s in shares],
            "chi2": chi2, "df": df, "p": p, "mismatch": p < SRM_ALPHA}


def _srm_warning(check: dict[str, Any], by: str, text: str) -> str:
    sizes = ", ".join(f"{g} {n:,}" for g, n in zip(check["groups"], check["observed"],
                                                     strict=True))
    return (f"sample ratio mismatch: {by} groups {sizes} against the expected {text} split "
            f"(chi-square {check['chi2']:.1f}, p {check['p']:.2g} < {SRM_ALPHA}): the allocation "
            "or the data is broken; find out why before reading the comparison")


def versus(result: KpiResult, sums: Sums, measure: Comparable, by: str, control: str,
           correction: str = "holm", split: str | None = None, confidence: float = 0.95,
           period: str | None = None) -> VersusResult:
    """Every group of `by` against `control` (within each period when grouped by period)."""
    df = sums.df
    if period:
        df = label_periods(df.filter(pl.col(START).is_not_null()), period)
    groups = group_values(df, by)
    control = match_group(control, groups, by)
    z, alpha = stats.z_value(confidence), 1 - confidence
    rows = {(r[by], r.get(PERIOD_COL)): r for r in df.to_dicts()}  # one per group and period
    out = []
    for g in result.groups:
        key, per = g.key.get(by), g.key.get(PERIOD_COL)
        v = Versus(control, is_control=key == control)
        if key is None:
            v.reason = f"no {by} value: not compared"
        elif not v.is_control:
            base, row = rows.get((control, per)), rows[(key, per)]
            where = f" in {per}" if per else ""
            if base is None or base["n"] < measure.min_n:
                v.reason = f"fewer than {measure.min_n} answers in the control group{where}"
            elif row["n"] < measure.min_n:
                v.reason = f"fewer than {measure.min_n} answers{where}: no test"
            else:
                v.diff = measure.compare(base, row, z, confidence)
                v.mde = stats.mde(v.diff.se, confidence, POWER)
        copy = {f.name: getattr(g, f.name) for f in fields(Group)}
        out.append(VersusGroup(**copy, versus=v, alpha=alpha))
    for per in {g.key.get(PERIOD_COL) for g in out}:  # one family of tests per period
        family = [g.versus for g in out if g.key.get(PERIOD_COL) == per and g.versus.diff]
        for v, p in zip(family, stats.p_adjust([v.diff.p for v in family], correction),
                        strict=True):
            v.p_adjusted = p
    copy = {f.name: getattr(result, f.name) for f in fields(KpiResult)}
    copy.update(groups=out, warnings=list(result.warnings))
    res = VersusResult(**copy, by=by, control=control, correction=correction)
    res.rule += (f"; versus {control}: difference of each group minus the control, "
                 f"{measure.test_rule}, p adjusted by "
                 + {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "nothing"}[correction]
                 + f" across the compared groups; mde = (z_(1-a/2) + z_{POWER:g}) x SE")
    if split:
        shares = parse_split(split)
        _check_split(shares, groups, by, split)
        sizes = df.group_by(by).agg(pl.col("n").sum())
        n = {r[by]: int(r["n"]) for r in sizes.to_dicts()}
        res.srm = srm([n.get(gr, 0) for gr in groups], shares, groups)
        if res.srm["mismatch"]:
            res.warnings.append(_srm_warning(res.srm, by, split))
    return res


@dataclass
class PlanResult(KpiResult):
    per_group: list[dict[str, Any]] = field(default_factory=list)
    mde: float = 0.0
    power: float = POWER
    alpha: float = 0.05
    sd: float | None = None
    baseline: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = self.digits
        out: dict[str, Any] = {
            "kpi": self.kpi, "value": self.value,
            "total": sum(g["n"] for g in self.per_group) if self.value is not None else None,
            "per_group": [{**g, "share": _num(g["share"], 1)} for g in self.per_group],
            "mde": self.mde, "power": self.power, "alpha": _num(self.alpha, 6),
            "sd": _num(self.sd, d + 1), "baseline": _num(self.baseline, d),
        }
        if self.reason:
            out["reason"] = self.reason
        out.update(rule=self.rule, confidence=self.confidence, columns=self.columns,
                   dropped=self.dropped)
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


def plan(sums: Sums, measure: Comparable, mde: float,
         by: str | None = None, control: str | None = None, split: str | None = None,
         correction: str = "holm", confidence: float = 0.95) -> PlanResult:
    """Answers each group needs so that a difference of `mde` against the control is found with
    80 % power; the spread of one answer comes from the control group (--versus), else from every
    answer in scope. With m > 1 comparisons, Holm and BH are planned at alpha / m (Bonferroni,
    the level Holm's smallest p meets)."""
    if not mde > 0 or mde == float("inf"):
        raise UsageError(f"--mde {mde:g}: must be a positive number",
                         f"e.g. --mde 5 ({measure.unit or 'score'} of {measure.kpi.upper()})")
    groups = group_values(sums.df, by) if by else []
    shares = parse_split(split) if split else None
    if by and shares:
        _check_split(shares, groups, by, split or "")
    row, source, ci = sums.totals, "every answer in scope", 0
    if by and control:
        control = match_group(control, groups, by)
        ci = groups.index(control)
        picked = sums.df.filter(pl.col(by) == control).select(pl.col(sums.sum_cols).sum())
        row, source = picked.row(0, named=True), f"the control group {by} = {control}"
    if len(groups) < 2:  # nothing to name the groups after
        groups, ci = [f"group {i + 1}" for i in range(len(shares) if shares else 2)], 0
    shares = shares or [1.0] * len(groups)
    m = len(groups) - 1
    alpha = (1 - confidence) / (m if correction != "none" and m > 1 else 1)
    z = stats.z_value(confidence)
    sd = measure.unit_sd(row) if row["n"] else None
    value = measure.finish(row, z, confidence)["value"] if row["n"] else None
    result = PlanResult(
        kpi=f"{measure.kpi}_plan", value=None, n=int(row["n"]), ci=None, counts={},
        dropped=sums.dropped, digits=measure.digits, confidence=confidence,
        notes=list(sums.notes), warnings=list(sums.warnings), mde=mde, alpha=alpha, sd=sd,
        baseline={"source": source, "value": value, "n": int(row["n"])},
        rule=(f"answers per group to find a difference of {mde:g} against the control with "
              f"{POWER:.0%} power, two-sided alpha {alpha:.3g}"
              + (f" (alpha / {m} comparisons: Bonferroni, a bound for Holm and BH)"
                 if alpha < 1 - confidence - 1e-12 else "")
              + ": N = (z_(1-alpha/2) + z_0.8)^2 x sd^2 x (1/s_control + 1/s_group) / mde^2 "
              "answers in all, n = N x s per group (s = the group's share); sd = spread of one "
              f"answer in {source}"),
    )
    if not sd:
        result.reason = ("no answers in " + source if not row["n"] else
                         f"the answers in {source} do not vary: no spread to plan with")
        result.per_group = [{"group": g, "share": 100 * s / sum(shares), "n": None}
                            for g, s in zip(groups, shares, strict=True)]
        return result
    sizes = stats.sample_size(sd, mde, 1 - alpha, POWER, shares, ci)
    result.per_group = [{"group": g, "share": 100 * s / sum(shares), "n": n}
                        for g, s, n in zip(groups, shares, sizes, strict=True)]
    result.value = max(sizes)
    return result
