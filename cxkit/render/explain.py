"""Change drivers, experiment comparisons and test plans (cxkit.kpi.explain, .experiment) in every
output format: json as `to_dict`, csv/tsv/ndjson/markdown one row per segment (drivers) or per
group (versus, plan), the terminal view with dimensions ranked and segments as a text waterfall."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.text import Text

from cxkit.kpi.experiment import PlanResult, VersusResult
from cxkit.kpi.explain import ChangeResult, number
from cxkit.kpi.result import KpiResult, _num
from cxkit.render.inert import term
from cxkit.render.machine import _markdown_rows, delimited, flat_rows
from cxkit.render.table import (
    MANY_TITLES,
    TITLES,
    Fit,
    Lines,
    _ci,
    _fmt,
    details_parts,
    extra_cell,
    extra_columns,
    extra_header,
    headline_items,
)

BAR = 24  # waterfall width in characters
DOWN, UP = "█", "▒"


def rows(result: KpiResult) -> list[dict[str, Any]]:
    if isinstance(result, ChangeResult):
        return _change_rows(result)
    if isinstance(result, PlanResult):
        return _plan_rows(result)
    return _versus_rows(result)


def _change_rows(r: ChangeResult) -> list[dict[str, Any]]:
    d = r.to_dict()
    periods = d["periods"] or [None, None]
    out = []
    for drv in d["drivers"]:
        for s in drv["segments"]:
            ci = s["ci"] or [None, None]
            out.append({"dimension": drv["dimension"], "segment": s["key"][drv["dimension"]],
                        "kpi": d["kpi"], "period_1": periods[0], "period_2": periods[1],
                        "n_1": s["n"][0], "n_2": s["n"][1], "share_1": s["share"][0],
                        "share_2": s["share"][1], "value_1": s["value"][0],
                        "value_2": s["value"][1], "change": s["change"], "ci_low": ci[0],
                        "ci_high": ci[1], "p": s["p"], "p_adjusted": s["p_adjusted"],
                        "significant": s["significant"], "mix": s["mix"], "rate": s["rate"],
                        "contribution": s["contribution"], "reason": s.get("reason")})
    if not out:  # no --explain: the change itself
        ci = d["ci"] or [None, None]
        n, values = d["n"] if d["periods"] else [None, None], d["values"]
        out.append({"dimension": None, "segment": None, "kpi": d["kpi"], "period_1": periods[0],
                    "period_2": periods[1], "n_1": n[0], "n_2": n[1], "share_1": None,
                    "share_2": None, "value_1": values[0], "value_2": values[1],
                    "change": d["value"], "ci_low": ci[0], "ci_high": ci[1], "p": d["p"],
                    "p_adjusted": None, "significant": d["significant"], "mix": None,
                    "rate": None, "contribution": d["value"], "reason": d.get("reason")})
    return out


def _versus_rows(r: KpiResult) -> list[dict[str, Any]]:
    out = []
    for row in flat_rows(r):
        v = row.pop("versus", None) or {}
        ci = v.get("ci") or [None, None]
        row.update(control=v.get("control"), diff=v.get("diff"), diff_ci_low=ci[0],
                   diff_ci_high=ci[1], p=v.get("p"), p_adjusted=v.get("p_adjusted"),
                   diff_significant=v.get("significant"), mde=v.get("mde"),
                   reason=v.get("reason"))
        out.append(row)
    return out


def _plan_rows(r: PlanResult) -> list[dict[str, Any]]:
    d = r.to_dict()
    return [{"group": g["group"], "share": g["share"], "n": g["n"], "kpi": d["kpi"],
             "mde": d["mde"], "power": d["power"], "alpha": d["alpha"], "sd": d["sd"],
             "baseline": d["baseline"]["value"], "reason": d.get("reason")}
            for g in d["per_group"]]


def value_text(result: KpiResult) -> str | None:
    """--value: the change, the one compared group's difference, the answers per group."""
    if isinstance(result, VersusResult):
        found = [g.versus.diff for g in result.groups
                 if getattr(g, "versus", None) and not g.versus.is_control]
        if len(found) != 1:
            return None
        value = _num(found[0].diff, result.digits + 1) if found[0] else None
    else:
        value = _num(result.value, result.digits)
    return ("" if value is None else f"{value}") + "\n"


def render_text(result: KpiResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "table":
        buf = StringIO()
        render(result, Console(file=buf, width=100, no_color=True, highlight=False))
        return buf.getvalue()
    table = rows(result)
    if fmt == "ndjson":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in table)
    if fmt == "markdown":
        return _markdown_rows(table)
    return delimited(list(table[0]), [list(row.values()) for row in table],
                     "\t" if fmt == "tsv" else ",")


def render(result: KpiResult, console: Console) -> None:
    if isinstance(result, ChangeResult):
        console.print(Group(*_change_view(result)))
    elif isinstance(result, PlanResult):
        console.print(Group(*_plan_view(result)))
    else:
        console.print(Group(*_versus_view(result)))


def _signed(x: float | None, digits: int) -> str:
    return "–" if x is None else f"{_num(x, digits):+,.{digits}f}"


def _p(p: float | None) -> str:
    return "" if p is None else f"p {p:g}"


def _pair(pair: list | None, digits: int, suffix: str = "") -> str:
    if not pair:
        return ""
    return " → ".join(f"{_fmt(v, digits)}{suffix if v is not None else ''}" for v in pair)


def _change_view(r: ChangeResult) -> list[Any]:
    d = r.to_dict()
    digits = r.digits
    title = TITLES.get(r.kpi.removesuffix("_change"), r.kpi)
    if not r.periods:
        return [term(f"{title} change: {r.reason}", style="bold")]
    head = Text(f"{title} change ", style="bold")
    head.append_text(term(f"{r.periods[0]} → {r.periods[1]}"))
    items = [head, Text(_signed(r.value, digits), style="bold")]
    if r.diff:
        items.append(Text(f"({r.confidence:.0%} CI {_ci(d['ci'], digits)})"))
        items.append(Text(_p(d["p"])))
        items.append(Text("significant" if r.significant_change else "not significant",
                          style="dim"))
        if d.get("adjusted_change") is not None:
            items.append(Text(f"adjusted-Wald centre {_signed(d['adjusted_change'], digits + 1)}",
                              style="dim"))
    else:
        items.append(term(r.reason, style="dim"))
    values = [Text(f"{title} {_fmt(r.values[0], digits)} (n {r.n_pair[0]:,}) → "
                   f"{_fmt(r.values[1], digits)} (n {r.n_pair[1]:,})")]
    for name in r.parts:
        values.append(Text(f"{name} {_signed(d[f'{name}_change'], digits + 1)} points"))
    parts: list[Any] = [Lines(items), Lines(values, "   "), term(r.summary)]
    for drv in d["drivers"]:
        parts += [Text(""), _driver_head(drv, d, digits), _Waterfall(drv, d, title, digits),
                  Text(""), _tests(drv, digits)]
    if d["drivers"]:
        span = f"{_fmt(r.values[0], digits)} to {_fmt(r.values[1], digits)}"
        parts.append(Text(f"bars: {DOWN} pulls {title} down, {UP} up, from {span}; change: the "
                          "segment's own (* significant after the p adjustment across its "
                          "dimension); mix + rate = contribution; explains: the part of the "
                          "change not spread evenly over the segments", style="dim"))
    dropped = [f"{v:,} {k.replace('_', ' ')}" for k, v in r.dropped.items() if v]
    parts.append(Text("dropped: " + (", ".join(dropped) if dropped else "none"), style="dim"))
    return parts


def _driver_head(drv: dict, d: dict, digits: int) -> Text:
    text = term(drv["dimension"], style="bold")
    text.append(f"  explains {number(drv['explained'], digits + 1)} of "
                f"{_signed(d['value'], digits)}  ·  mix {_signed(drv['mix'], digits + 1)}  ·  "
                f"rate {_signed(drv['rate'], digits + 1)}")
    return text


def _key(s: dict, dim: str) -> Text:
    key = s["key"][dim]
    return term("(missing)" if key is None else key)


class _Waterfall:
    """One row per segment: values, its own change, mix, rate, contribution and a floating bar
    from the running total before it to the one after it (start: the first period's KPI). The
    bar takes the room the columns leave, up to BAR characters; under 8 there is no bar."""

    def __init__(self, drv: dict, d: dict, title: str, digits: int) -> None:
        self.drv, self.d, self.title, self.digits = drv, d, title, digits

    def table(self, bar: int) -> Fit:
        drv, digits = self.drv, self.digits
        start = self.d["values"][0] or 0.0
        running = [start]
        for s in drv["segments"]:
            running.append(running[-1] + (s["contribution"] or 0.0))
        lo, hi = min(running), max(running)
        span = (hi - lo) or 1.0

        def col(x: float) -> int:
            return round((x - lo) / span * bar)

        table = Fit()
        table.add_column(term(drv["dimension"]), "key")
        for name in (self.title, "change", "mix", "rate", "mix + rate"):
            table.add_column(term(name))
        if bar:
            table.add_column("", "bar")
        for s, before, after in zip(drv["segments"], running, running[1:], strict=False):
            change = _signed(s["change"], digits) if s["change"] is not None else \
                s.get("reason", "")
            if s["significant"]:
                change += " *"
            cells: list[Any] = [_key(s, drv["dimension"]), _pair(s["value"], digits),
                                term(change), _signed(s["mix"], digits + 1),
                                _signed(s["rate"], digits + 1),
                                _signed(s["contribution"], digits + 1)]
            if bar:
                a, b = sorted((col(before), col(after)))
                line = " " * a + (DOWN if after < before else UP) * max(
                    b - a, 1 if after != before else 0)
                cells.append(Text(line.ljust(bar + 1),
                                  style="red" if after < before else "green"))
            table.add_row(*cells)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        plain = self.table(0)
        room = options.max_width - plain.natural() - plain._extra(2) - 1
        yield self.table(min(BAR, room) if room >= 8 else 0)


def _tests(drv: dict, digits: int) -> Fit:
    """Each segment's answers, share and test: n and share in the two periods, the interval of
    its change, p and p adjusted across the dimension."""
    table = Fit()
    table.add_column(term(drv["dimension"]), "key")
    for name in ("n", "share %", "change CI", "p", "p adj"):
        table.add_column(name)
    for s in drv["segments"]:
        adj = "" if s["p_adjusted"] is None else f"{s['p_adjusted']:g}" + (
            " *" if s["significant"] else "")
        table.add_row(_key(s, drv["dimension"]), _pair(s["n"], 0), _pair(s["share"], 1),
                      _ci(s["ci"], digits), "" if s["p"] is None else f"{s['p']:g}", adj)
    return table


def _versus_view(r: VersusResult) -> list[Any]:
    d = r.to_dict()
    digits = r.digits + 1
    parts: list[Any] = [Lines(headline_items(r)), *details_parts(r)]
    if r.srm is not None:
        s = d["srm"]
        sizes = ", ".join(f"{g} {n:,}" for g, n in zip(s["groups"], s["observed"], strict=True))
        line = term(f"sample ratio: {sizes} against {'/'.join(f'{e:g}' for e in s['expected'])}"
                    f" %: chi-square {s['chi2']:g}, p {s['p']:g}")
        line.append("  MISMATCH: the allocation is broken" if s["mismatch"] else "  ok",
                    style="bold red" if s["mismatch"] else "dim")
        parts.append(line)
    table = Fit()
    keys = r.group_keys
    for k in keys:
        table.add_column(term(k), "key")
    title = TITLES.get(r.kpi) or MANY_TITLES.get(r.kpi, r.kpi)
    for name in (title, f"{r.confidence:.0%} CI", "n", f"vs {r.control}", "diff CI", "p",
                 "p adj", "mde"):
        table.add_column(term(name))
    counts = list(dict.fromkeys(k for g in r.groups for k in g.counts))
    for name in counts:
        table.add_column(term(name.replace("_", " ")))
    extras = extra_columns(r)
    for name in extras:
        table.add_column(extra_header(name))
    for g, gd in zip(r.groups, d["groups"], strict=True):
        v = gd.get("versus") or {}
        cells = ["(missing)" if g.key.get(k) is None else str(g.key[k]) for k in keys]
        cells += [_fmt(g.value, r.digits), _ci(g.ci, r.digits), f"{g.n:,}"]
        if "diff" not in v:
            cells += ["control", "", "", "", ""]
        elif v["diff"] is None:
            cells += [v.get("reason", ""), "", "", "", ""]
        else:
            star = " *" if v["significant"] else ""
            cells += [_signed(v["diff"], digits) + star, _ci(v["ci"], digits), f"{v['p']:g}",
                      f"{v['p_adjusted']:g}", _fmt(v["mde"], digits)]
        cells += ["" if g.counts.get(k) is None else f"{g.counts[k]:,}" for k in counts]
        cells += [extra_cell(g.extra.get(name), max(r.digits, 2)) for name in extras]
        table.add_row(*[term(c) if isinstance(c, str) else c for c in cells])
    parts += [Text(""), table,
              Text(f"* significant after {r.correction} correction; mde: the smallest "
                   "difference this test finds 80% of the time at these sizes", style="dim")]
    return parts


def _plan_view(r: PlanResult) -> list[Any]:
    d = r.to_dict()
    title = TITLES.get(r.kpi.removesuffix("_plan"), r.kpi)
    unit = "" if r.kpi == "ces_plan" else " points"
    if r.value is None:
        head = term(f"{title} plan: {r.reason}", style="bold")
    else:
        head = Text(f"{title} plan: ", style="bold")
        head.append(f"{r.value:,}", style="bold")
        head.append(f" answers per group ({d['total']:,} in all) to find a difference of "
                    f"{r.mde:g}{unit} with {r.power:.0%} power at alpha {r.alpha:.3g}")
    base = d["baseline"]
    line = term(f"baseline: {title} {_fmt(base['value'], r.digits)}, sd "
                f"{_fmt(r.sd, r.digits + 1)} per answer, from {base['source']} "
                f"(n {base['n']:,})")
    table = Fit()
    table.add_column("group", "key")
    table.add_column("share")
    table.add_column("answers")
    for g in d["per_group"]:
        table.add_row(term(g["group"]), f"{g['share']:g}%",
                      "–" if g["n"] is None else f"{g['n']:,}")
    dropped = [f"{v:,} {k.replace('_', ' ')}" for k, v in r.dropped.items() if v]
    return [head, line, Text(""), table, Text(r.rule, style="dim"),
            Text("dropped: " + (", ".join(dropped) if dropped else "none"), style="dim")]
