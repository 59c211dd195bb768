"""One KPI card as text: the same words and numbers in the terminal, HTML, XLSX and markdown.

Every renderer of a report builds its cards here, so the value a reader sees in the HTML is the
value in the JSON report, formatted once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxkit.kpi.report import Section, info
from cxkit.kpi.result import KpiResult, _num

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    nums = [v for v in values if v is not None]
    if not nums:
        return ""
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    return "".join(
        " " if v is None else SPARKS[int((v - lo) / span * (len(SPARKS) - 1))] for v in values
    )


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
    note: str = ""  # what the number is, where its name does not say it (the backlog)
    digits: int = 1  # decimals of the value, its interval and its trend


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
        note=_note(result),
        digits=d,
    )


def _note(result: KpiResult) -> str:
    if result.kpi == "backlog":
        at = result.extra.get("as_of")
        return ("tickets open" + (f" at {at}" if at else "")
                + ("; trend: open at each period's end" if result.trend else ""))
    if result.kpi == "clv_predicted":
        h, e = result.extra.get("holdout"), result.extra
        said = (f"per customer over {e.get('horizon', 52):g} {e['model']['time_unit']}s, "
                f"margin {e.get('margin', 1.0):.0%}")
        if h:
            said += (f"; holdout {h['start']} – {h['end']}: {h['actual_repeat_purchases']:,} "
                     f"repeat purchases, {h['predicted_repeat_purchases']:,.0f} expected")
        return said
    return ""


def compact(value: float | None, digits: int, top: float | None = None) -> str:
    """A number for a chart label, short: 1.88, 28.5, 8,369, 48.2k, 1.35M ("–" for None). `top`
    (the largest size of the series) picks the scale, so one series reads 5.1k ... 64.0k."""
    if value is None:
        return "–"
    size = abs(value) if top is None else top
    if size >= 1e6:
        return f"{value / 1e6:,.2f}M"
    if size >= 1e4:
        return f"{value / 1e3:,.1f}k"
    return number(value, digits)


def top_of(values: list[float | None]) -> float:
    """The largest size in a series (the scale of its `compact` labels)."""
    return max((abs(v) for v in values if v is not None), default=0.0)


def extremes(c: Card) -> tuple[int, int] | None:
    """Indexes of the lowest and highest point of the trend (the first of equal ones)."""
    points = [(v, i) for i, v in enumerate(c.trend) if v is not None]
    if not points:
        return None
    low = min(points, key=lambda p: (p[0], p[1]))[1]
    high = max(points, key=lambda p: (p[0], -p[1]))[1]
    return low, high


def trend_range(c: Card, periods: bool = True) -> str:
    """"low 19.4 (2025-05) · high 34.6 (2025-08)": the trend's extremes in words, for the
    terminal (without the periods: a card is narrow) and markdown; "" under two points."""
    found = extremes(c)
    if found is None or len([v for v in c.trend if v is not None]) < 2:
        return ""
    unit = "%" if c.unit == "%" else ""
    top = top_of(c.trend)
    low, high = ((f"{name} {compact(c.trend[i], c.digits, top)}{unit}"
                  + (f" ({c.periods[i]})" if periods else "")) for name, i in zip(
                      ("low", "high"), found, strict=True))
    return f"{low} · {high}"


def shown_columns(section: Section) -> list[int]:
    """The columns a reader is shown (HTML, markdown): the first, and every column with a value
    in some row (an export without e-mail or name leaves those columns out)."""
    if section.kind == "heatmap":
        return list(range(len(section.columns)))
    return [i for i in range(len(section.columns))
            if i == 0 or any(i < len(r) and r[i] not in (None, "") for r in section.rows)]


def shown_cell(section: Section, i: int, value: Any) -> str:
    """A table cell as a reader sees it, rounded as the JSON is (1,234.5; True -> yes; None ->
    ""), a share with its "%" (not in a heat map: its note says they are %)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = number(value, section.digits_at(i))
    if section.unit_at(i) == "%" and section.kind != "heatmap" and text != "–" \
            and isinstance(value, (int, float)):
        text += "%"
    return text
