"""The cohort retention matrix (kpi "cohort_retention"): CSV rows and a terminal heat table.

A cohort result keeps its matrix in each group's extras: `retention` (% of the cohort active k
periods after its first) and `customers`, padded with None where a cell cannot be observed yet.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from cxkit.kpi.result import KpiResult
from cxkit.render.inert import term
from cxkit.render.machine import neutralise

# light to dark green (ColorBrewer Greens), with a foreground that reads on each
GREENS = ("#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45",
          "#006d2c", "#00441b")
DARK_FROM = 5  # from this shade on, white text


def is_matrix(result: KpiResult) -> bool:
    return result.kpi == "cohort_retention"


def _width(result: KpiResult) -> int:
    return max((len(g.extra.get("retention") or []) for g in result.groups), default=0)


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1) + 0.0


def matrix_rows(result: KpiResult) -> list[dict[str, Any]]:
    """One row per cohort: cohort, customers, then the share for k = 0, 1, ... ("0", "1", ...);
    None where the cell cannot be observed yet."""
    width = _width(result)
    rows = []
    for g in result.groups:
        shares = list(g.extra.get("retention") or [])
        shares += [None] * (width - len(shares))
        row: dict[str, Any] = {"cohort": neutralise(g.key.get("cohort")), "customers": g.n}
        row.update({str(k): _round(v) for k, v in enumerate(shares)})
        rows.append(row)
    return rows


def shade(value: float, top: float) -> str:
    """Rich style for a cell: a green background, darker as the value nears `top`."""
    step = 0 if top <= 0 else round(min(max(value / top, 0.0), 1.0) * (len(GREENS) - 1))
    fg = "white" if step >= DARK_FROM else "black"
    return f"{fg} on {GREENS[step]}"


def heat_table(result: KpiResult, color: bool) -> Table:
    """Rows are cohorts; columns: cohort, customers, then +0, +1, ... periods since the first
    order (shares at one decimal, as the CSV has them). With colour, the background of a cell
    scales with its share, relative to the best share after the first period (k = 0 is always
    100 %). Laid out for the width it is printed at (`cxkit.render.table.Fit`): a matrix wider
    than the terminal is folded, the cohort and its size repeated on each piece."""
    from rich import box

    from cxkit.render.table import Fit

    period = result.extra.get("period") or "period"
    table = Fit(Text(f"Cohort retention by {period} of first order", style="bold"),
                Text(f"% of cohort ordering k {period}s later (+k); empty: not observable yet",
                     style="dim"), box=box.SIMPLE_HEAD, padding=(0, 0), max_chunks=None)
    table.add_column("cohort", "key")
    table.add_column("customers", "key", justify="right")
    width = _width(result)
    for k in range(width):
        table.add_column(f"+{k}")
    later = [v for g in result.groups for v in (g.extra.get("retention") or [])[1:]
             if v is not None]
    top = max(later, default=100.0) or 100.0
    for g in result.groups:
        shares = list(g.extra.get("retention") or [])
        shares += [None] * (width - len(shares))
        cells = [term(str(g.key.get("cohort"))), Text(f"{g.n:,}")]
        for v in shares:
            if v is None:
                cells.append(Text(""))
            else:
                cells.append(Text(f"{v:.1f}%", style=shade(v, top) if color else ""))
        table.add_row(*cells)
    return table
