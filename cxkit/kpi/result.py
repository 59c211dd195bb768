"""The typed result every KPI returns, and its JSON shape (KPIS.md "Machine-readable output")."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def _num(x: Any, digits: int) -> Any:
    """Round floats for output; NaN and inf become null (the contract never prints NaN)."""
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return None
        if digits == 0:  # counts (tickets, backlog) print as integers
            return int(round(x))
        return round(x, digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(x, (list, tuple)):
        return [_num(v, digits) for v in x]
    if isinstance(x, dict):
        return {k: _num(v, digits) for k, v in x.items()}
    return x


@dataclass
class Group:
    key: dict[str, Any]
    value: float | None
    n: int
    ci: tuple[float, float] | None
    counts: dict[str, int]
    extra: dict[str, Any] = field(default_factory=dict)
    change: float | None = None  # against the previous period of the same segment
    significant: bool | None = None  # is that change significant at the confidence level
    compared: bool = False  # grouped by period: change and significant are part of the output
    # what the group's value comes from (counts, or n, mean and sd), for tests against another
    # group (`--versus`); never printed
    basis: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self, digits: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "value": _num(self.value, digits),
            "n": self.n,
            "ci": _num(list(self.ci), digits) if self.ci else None,
            "counts": self.counts,
        }
        out.update(_num(self.extra, max(digits, 2)))  # means need two decimals
        if self.compared:
            out["change"] = _num(self.change, digits)
            out["significant"] = self.significant
        return out


@dataclass
class KpiResult:
    kpi: str
    value: float | None
    n: int
    ci: tuple[float, float] | None
    counts: dict[str, int]
    dropped: dict[str, int]
    rule: str
    digits: int = 1
    extra: dict[str, Any] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)
    group_keys: list[str] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)  # overall value per period
    change: float | None = None
    significant: bool | None = None
    benchmark: dict[str, Any] | None = None
    columns: dict[str, str] = field(default_factory=dict)  # role -> column of the input
    confidence: float = 0.95
    # the last period's change against the one before as a stats.Difference (interval, p), when
    # the KPI has a test for it; never printed as such (`change` and `significant` are)
    change_test: Any = field(default=None, repr=False, compare=False)
    # what the headline is made of (cxkit.kpi.specs.basis: counts of a share, n/mean/sd of a
    # mean): the spread `--plan` plans with; never printed
    basis: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    notes: list[str] = field(default_factory=list)  # how the data was read (stderr notices)
    warnings: list[str] = field(default_factory=list)  # what may be wrong (stderr and JSON)
    extra_digits: int | None = None  # decimals of `extra` (model parameters); None: digits, 2+

    def to_dict(self) -> dict[str, Any]:
        d = self.digits
        out: dict[str, Any] = {
            "kpi": self.kpi,
            "value": _num(self.value, d),
            "n": self.n,
            "ci": _num(list(self.ci), d) if self.ci else None,
            "counts": self.counts,
            "dropped": self.dropped,
            "rule": self.rule,
        }
        out.update(_num(self.extra, max(d, 2) if self.extra_digits is None else self.extra_digits))
        out["confidence"] = self.confidence
        out["columns"] = self.columns
        if self.trend:
            out["change"] = _num(self.change, d)
            out["significant"] = self.significant
            out["trend"] = [_num(t, d) for t in self.trend]
        if self.benchmark:
            out["benchmark"] = _num(self.benchmark, d)
        if self.warnings:
            out["warnings"] = list(self.warnings)
        out["groups"] = [g.to_dict(d) for g in self.groups]
        return out
