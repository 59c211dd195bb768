"""The terminal view of predictive CLV (`cxkit clv --model bgnbd`): the value, the fitted models,
the holdout check as two small charts, the segments, and the most valuable customers."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cxkit.kpi.result import KpiResult
from cxkit.render.inert import term
from cxkit.render.table import sparkline

CUSTOMER_COLUMNS = (("customer_id", "customer", None), ("repeat_purchases", "repeat", 0),
                    ("p_alive", "P(alive)", 3), ("expected_purchases", "expected", 2),
                    ("expected_spend", "spend", 2), ("clv", "CLV", 2))


def _n(x: Any, digits: int = 2) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}" if isinstance(x, float) else f"{x:,}"


def headline(r: KpiResult) -> Text:
    e = r.extra
    unit = e.get("model", {}).get("time_unit", "week")
    text = Text("Predictive CLV ", style="bold")
    if r.value is None:
        return text + Text(r.rule.removeprefix("not computed: "), style="yellow")
    text += Text(_n(r.value), style="bold")
    margin, discount = e.get("margin", 1.0), e.get("discount", 0.0)
    text += Text(f" per customer over {_n(e.get('horizon'), 0)} {unit}s  (n={r.n:,} customers, "
                 f"margin {margin:.0%}, discount {discount:.0%} a year)")
    return text


def model_lines(r: KpiResult) -> list[Text]:
    m = r.extra.get("model") or {}
    out = []
    bg, gg = m.get("bg_nbd"), m.get("gamma_gamma")
    if bg:
        out.append(Text(f"BG/NBD  r {bg['r']:.3f}  α {bg['alpha']:.3f}  a {bg['a']:.3f}  "
                        f"b {bg['b']:.3f}  (log-likelihood {bg['log_likelihood']:,.1f})"))
    if gg:
        out.append(Text(f"Gamma-Gamma  p {gg['p']:.2f}  q {gg['q']:.2f}  γ {gg['gamma']:.2f}  "
                        f"({gg['n']:,} repeat buyers; {gg['excluded_zero_spend']:,} with a mean "
                        "spend of 0 or less left out)"))
    return out


def holdout_lines(r: KpiResult) -> list[Text]:
    h = r.extra.get("holdout")
    if not h:
        return [Text("no holdout: pass --calibration-end DATE to check the model on the orders "
                     "after it", style="dim")]
    actual, expected = h["actual_repeat_purchases"], h["predicted_repeat_purchases"]
    off = f" ({(expected - actual) / actual:+.0%})" if actual else ""
    per = h.get("per_period") or []
    unit = (r.extra.get("model") or {}).get("time_unit", "week")
    lines = [Text(f"holdout {h['start']} – {h['end']} ({h['periods']} {unit}s): "
                  f"{actual:,} repeat purchases, the model expected {expected:,.0f}{off}")]
    if per:
        top = max(max(p["actual"] for p in per), max(p["predicted"] for p in per)) or 1
        scale = [p["actual"] / top for p in per], [p["predicted"] / top for p in per]
        lines += [Text("  actual    " + sparkline([v * 8 for v in scale[0]] + [8, 0])[:-2]),
                  Text("  expected  " + sparkline([v * 8 for v in scale[1]] + [8, 0])[:-2])]
    return lines


def customers_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for _, label, digits in CUSTOMER_COLUMNS:
        table.add_column(label, justify="left" if digits is None else "right", no_wrap=True)
    for row in rows:
        table.add_row(*[term(row.get(c)) if d is None else _n(row.get(c), d)
                        for c, _, d in CUSTOMER_COLUMNS])
    return table


def render(r: KpiResult, console: Console, top: list[dict[str, Any]] | None = None) -> None:
    console.print(headline(r))
    for line in model_lines(r) + holdout_lines(r):
        console.print(line)
    if r.groups:
        table = Table(show_edge=False, header_style="bold")
        keys = list(r.groups[0].key)
        for k in keys:
            table.add_column(k)
        for name in ("customers", "mean CLV", "P(alive)", "expected purchases"):
            table.add_column(name, justify="right")
        for g in r.groups:
            table.add_row(*[term(g.key[k]) for k in keys], _n(g.n), _n(g.value),
                          _n(g.extra.get("p_alive"), 3), _n(g.extra.get("expected_purchases")))
        console.print(table)
    if top:
        console.print(customers_table(top, f"The {len(top)} most valuable customers"))
    for w in r.warnings:
        console.print(Text("warning: " + w, style="yellow"))
    console.print(Text(r.rule, style="dim"))
