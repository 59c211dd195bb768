"""The terminal view of one KPI result: headline, counts, drops, trend sparkline, groups."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from cxkit.kpi.result import KpiResult, _num
from cxkit.render.inert import term

SPARKS = "▁▂▃▄▅▆▇█"
STATUS_STYLE = {"excellent": "bold green", "good": "yellow", "below": "bold red"}
TITLES = {"nps": "NPS", "csat": "CSAT %", "ces": "CES"}
MANY_TITLES = {"volume": "Tickets", "first_response_time": "First response (h)",
               "resolution_time": "Resolution (h)", "fcr": "FCR %", "reopen_rate": "Reopen %",
               "backlog": "Backlog", "sla_first_response": "SLA first response %",
               "sla_resolution": "SLA resolution %", "csat": "CSAT %",
               "orders": "Orders", "customers": "Customers", "revenue": "Revenue",
               "aov": "AOV", "purchase_frequency": "Orders per customer",
               "repeat_purchase_rate": "Repeat purchase %", "return_rate": "Return %",
               "cart_abandonment_rate": "Cart abandonment %", "referral_rate": "Referral %",
               "clv": "CLV (historical)", "clv_formula": "CLV (formula)",
               "top_customers": "Top customers' revenue", "retention_rate": "Retention %",
               "churn_rate": "Churn %", "cohort_retention": "Cohort retention +1 %",
               "inactivity_churn": "Inactivity churn %"}
# extras worth a word in the detail column: (key, label, digits, suffix)
DETAILS = [("net_revenue", "net", 2, ""), ("value_rate", "by value", 1, "%"),
           ("referrer_rate", "referrers", 1, "%"),
           ("share_of_revenue", "share of revenue", 1, "%"),
           ("repeated_order_ids", "repeated ids", 0, ""),
           ("aov", "AOV", 2, ""), ("purchases_per_year", "x orders/yr", 2, ""),
           ("margin", "x margin", 0, "%"), ("lifetime_years", "x lifetime", 2, " yr")]


def sparkline(values: list[float | None]) -> str:
    nums = [v for v in values if v is not None]
    if not nums:
        return ""
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    return "".join(
        " " if v is None else SPARKS[int((v - lo) / span * (len(SPARKS) - 1))] for v in values
    )


def _fmt(value: Any, digits: int) -> str:
    value = _num(value, digits)
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def _ci(ci, digits: int) -> str:
    return f"{_fmt(ci[0], digits)} – {_fmt(ci[1], digits)}" if ci else ""


def _change(change, significant, digits) -> Text:
    if change is None:
        return Text("")
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    text = Text(f"{arrow} {change:+.{digits}f}")
    if significant:
        text.append(" *", style="bold")
        text.stylize("bold")
    return text


def headline(result: KpiResult) -> Text:
    d = result.digits
    title = TITLES.get(result.kpi) or MANY_TITLES.get(result.kpi, result.kpi)
    status = (result.benchmark or {}).get("status")
    text = Text(f"{title} ", style="bold")
    text.append(_fmt(result.value, d), style=STATUS_STYLE.get(status, "bold"))
    ci = _ci(result.ci, d)
    text.append(f"  ({ci})  n={result.n:,}" if ci else f"  n={result.n:,}")
    if result.benchmark and status:
        b = result.benchmark
        text.append(f"  {status} for {b['sector']}", style=STATUS_STYLE.get(status, ""))
        text.append(f" (good > {b['good']:g}, excellent > {b['excellent']:g})", style="dim")
    return text


def details(result: KpiResult) -> Text:
    n = result.n or 1
    parts = [f"{k.replace('_', ' ')} {v:,} ({100 * v / n:.0f}%)" for k, v in result.counts.items()]
    for name, val in result.extra.items():
        if isinstance(val, dict) and val.get("value") is not None:  # {"period", "value"}
            parts.append(f"{name} {val.get('period', '')}: {_fmt(val['value'], result.digits)}")
        elif isinstance(val, (int, float, str)) and not isinstance(val, bool):
            shown = val if isinstance(val, str) else _fmt(val, 2)
            parts.append(f"{name.replace('_', ' ')} {shown}")
    text = term("  ".join(parts))
    dropped = [f"{v:,} {k.replace('_', ' ')}" for k, v in result.dropped.items() if v]
    text.append("\ndropped: " + (", ".join(dropped) if dropped else "none"), style="dim")
    return text


def trend_line(result: KpiResult) -> Text | None:
    if not result.trend:
        return None
    values = [t["value"] for t in result.trend]
    text = term(f"trend {result.trend[0]['period']} ")
    text.append(sparkline(values), style="cyan")
    text.append_text(term(f" {result.trend[-1]['period']}"))
    if result.change is not None:
        text.append("  last period ")
        text.append_text(_change(result.change, result.significant, result.digits))
        text.append(" significant" if result.significant else " not significant", style="dim")
    return text


def groups_table(result: KpiResult, width: int = 120) -> Table | None:
    """Segments and periods; the count columns are left out on a narrow terminal."""
    if not result.groups:
        return None
    show_counts = width >= 100
    d = result.digits
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for key in result.group_keys:  # column names and keys come from the data: inert Text
        table.add_column(term(key), no_wrap=True)
    table.add_column(TITLES.get(result.kpi, result.kpi), justify="right", no_wrap=True)
    table.add_column(f"{result.confidence:.0%} CI", justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    for name in result.groups[0].counts if show_counts else ():
        table.add_column(name.replace("_", " "), justify="right", no_wrap=True)
    compared = result.groups[0].compared
    if compared:
        table.add_column("change", justify="right", no_wrap=True)
    for g in result.groups:
        cells: list[Any] = ["(missing)" if g.key.get(k) is None else str(g.key[k])
                            for k in result.group_keys]
        cells += [_fmt(g.value, d), _ci(g.ci, d), f"{g.n:,}"]
        cells += [f"{v:,}" for v in g.counts.values()] if show_counts else []
        if compared:
            cells.append(_change(g.change, g.significant, d))
        table.add_row(*[term(c) if isinstance(c, str) else c for c in cells])
    return table


def render(result: KpiResult, console: Console) -> None:
    parts = [headline(result), details(result)]
    if result.kpi == "cohort_retention":
        from cxkit.render.matrix import heat_table

        console.print(Group(*parts, Text(""), heat_table(result, color=not console.no_color)))
        return
    line = trend_line(result)
    if line is not None:
        parts.append(line)
    table = groups_table(result, console.width)
    if table is not None:
        parts += [Text(""), table]
        if table.columns[-1].header == "change":
            parts.append(Text("* significant change against the previous period", style="dim"))
    console.print(Group(*parts))


def _detail(result: KpiResult) -> Text:
    if result.value is None and result.rule.startswith("not computed"):
        return Text(result.rule, style="dim")
    e = result.extra
    if "median" in e:
        p90 = f"  p90 {_fmt(e['p90'], 2)}" if "p90" in e else ""
        return Text(f"median {_fmt(e['median'], 2)}{p90}")
    if "median_age_hours" in e:
        return Text(f"median age {_fmt(e['median_age_hours'], 1)} h  "
                    f"max {_fmt(e['max_age_hours'], 1)} h")
    words = [f"{k.replace('_', ' ')} {v:,}" for k, v in result.counts.items()]
    words += [f"{label} {_fmt(e[k], digits)}{suffix}" for k, label, digits, suffix in DETAILS
              if e.get(k) is not None]
    latest = e.get("latest")
    if isinstance(latest, dict) and latest.get("value") is not None:
        words.append(f"latest {latest['period']}: {_fmt(latest['value'], result.digits)}")
    return term(" · ".join(words))


def render_many(results: list[KpiResult], console: Console) -> None:
    """Several KPIs of one export: one line each, then the groups with a column per KPI."""
    periods = any(r.trend for r in results)
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for name, justify in (("KPI", "left"), ("value", "right"), ("95% CI", "right"),
                          ("n", "right"), ("detail", "left"), ("dropped", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    if periods:
        table.add_column("trend")
    for r in results:
        dropped = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in r.dropped.items() if v)
        cells: list[Any] = [MANY_TITLES.get(r.kpi, r.kpi), Text(_fmt(r.value, r.digits),
                            style="bold"), _ci(r.ci, r.digits), f"{r.n:,}", _detail(r),
                            Text(dropped, style="dim")]
        if periods:
            line = Text(sparkline([t["value"] for t in r.trend]), style="cyan")
            line.append_text(Text(" ") + _change(r.change, r.significant, r.digits))
            cells.append(line)
        table.add_row(*[term(c) if isinstance(c, str) else c for c in cells])
    parts: list[Any] = [table]
    grouped = [r for r in results if r.groups]
    if grouped and all(r.group_keys == grouped[0].group_keys for r in grouped):
        parts += [Text(""), _wide_groups(grouped)]
    else:  # KPIs broken down by different keys: a table each
        for r in grouped:
            parts += [Text(""), term(MANY_TITLES.get(r.kpi, r.kpi), style="bold"),
                      groups_table(r, console.width)]
    if periods:
        parts.append(Text("trend: oldest to latest period; change = latest vs previous, "
                          "* significant", style="dim"))
    console.print(Group(*parts))


def _wide_groups(results: list[KpiResult]) -> Table:
    keys = results[0].group_keys
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for key in keys:
        table.add_column(term(key), no_wrap=True)
    for r in results:
        table.add_column(term(MANY_TITLES.get(r.kpi, r.kpi)), justify="right")
    cells: dict[tuple, list[str]] = {}
    for i, r in enumerate(results):
        for g in r.groups:
            row = cells.setdefault(tuple(g.key.get(k) for k in keys), [""] * len(results))
            row[i] = _fmt(g.value, r.digits)
    for key, values in cells.items():
        table.add_row(*[term("(missing)" if k is None else k) for k in key],
                      *[term(v) for v in values])
    return table
