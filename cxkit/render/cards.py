"""One KPI card as text: the same words and numbers in the terminal, HTML, XLSX and markdown.

Every renderer of a report builds its cards here, so the value a reader sees in the HTML is the
value in the JSON report, formatted once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxkit.kpi.report import info
from cxkit.kpi.result import KpiResult, _num


def number(value: Any, digits: int) -> str:
    """1234.5 -> '1,234.5'; None -> '–' (the same rounding as the JSON)."""
    value = _num(value, digits)
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@dataclass
class Card:
    kpi: str
    label: str
    source: str
    value: str  # formatted headline, without unit: "28.5"
    raw: float | None  # the JSON value (rounded to the KPI's digits)
    unit: str  # shown after the value: "", "%", "h"
    ci: str  # "25.6 – 31.3" or ""
    n: int
    dropped: int
    change: str  # "+2.1 vs 2025-11" or ""
    tone: str  # "better" | "worse" | "flat" | "" (no change known)
    significant: bool | None
    benchmark: str  # "excellent for ecommerce (good > 0, excellent > 50)" or ""
    status: str  # excellent | good | below | ""
    trend: list[float | None]
    periods: list[str]
    rule: str


def card(result: KpiResult) -> Card:
    d = result.digits
    about = info(result.kpi)
    unit = {"%": "%", "h": " h"}.get(about.unit, "")
    change, tone = "", ""
    if result.change is not None and len(result.trend) >= 2:
        delta = _num(result.change, d)
        change = f"{delta:+,.{d}f} vs {result.trend[-2]['period']}"
        if delta == 0 or about.higher_is_better is None:
            tone = "flat"
        else:
            tone = "better" if (delta > 0) == about.higher_is_better else "worse"
    bench = result.benchmark or {}
    status = bench.get("status") or ""
    bench_text = ""
    if status:
        up = about.higher_is_better
        bench_text = (f"{status} for {bench['sector']} (good {'>' if up else '<'}"
                      f" {bench['good']:g}, excellent {'>' if up else '≤'}"
                      f" {bench['excellent']:g})")
    return Card(
        kpi=result.kpi,
        label=result.extra.get("label") or about.label,
        source=result.extra.get("source", ""),
        value=number(result.value, d),
        raw=_num(result.value, d),
        unit=unit if result.value is not None else "",
        ci=f"{number(result.ci[0], d)} – {number(result.ci[1], d)}" if result.ci else "",
        n=result.n,
        dropped=sum(result.dropped.values()),
        change=change,
        tone=tone,
        significant=result.significant if change else None,
        benchmark=bench_text,
        status=status,
        trend=[_num(t.get("value"), d) for t in result.trend],
        periods=[str(t.get("period")) for t in result.trend],
        rule=result.rule,
    )
