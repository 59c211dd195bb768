"""A report in the terminal (cards, sparklines, tables), as markdown, and as JSON."""

from __future__ import annotations

import json
import re
from io import StringIO

from rich.columns import Columns
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from cxkit.kpi.report import Report
from cxkit.render.cards import Card, card
from cxkit.render.inert import term
from cxkit.render.sections import cell, section_table
from cxkit.render.table import STATUS_STYLE, sparkline

TONE_STYLE = {"better": "green", "worse": "red", "flat": "dim"}
SOURCE_TITLES = {"responses": "Surveys", "tickets": "Support tickets", "orders": "Orders"}
TERMINAL_ROWS = 10  # rows of a long table (the follow-up list) shown in the terminal


def span(report: Report) -> str:
    if not report.first:
        return ""
    return f"{report.first} – {report.last}, by {report.period}"


def sources_line(report: Report) -> str:
    return " · ".join(f"{s.source}: {', '.join(s.files)} ({s.rows:,} rows)"
                      for s in report.sources)


def change_text(c: Card) -> str:
    if not c.change:
        return ""
    delta = c.change.split(" ")[0]
    arrow = "=" if delta.lstrip("+-").strip("0.,") == "" else "▲" if delta[0] == "+" else "▼"
    if c.significant is None:
        return f"{arrow} {c.change}"
    return f"{arrow} {c.change}, " + ("significant" if c.significant else "not significant")


def _panel(c: Card, color: bool) -> Panel:
    value = Text(c.value + c.unit, style="bold " + STATUS_STYLE.get(c.status, ""))
    lines = [value]
    if c.ci:
        lines.append(Text(c.ci, style="dim"))
    if c.change:
        lines.append(Text(change_text(c), style=TONE_STYLE.get(c.tone, "")))
    if c.benchmark:
        lines.append(Text(c.benchmark.split(" (")[0], style=STATUS_STYLE.get(c.status, "")))
    if c.trend:
        lines.append(Text(sparkline(c.trend), style="cyan"))
    lines.append(Text(f"n={c.n:,}" + (f", {c.dropped:,} dropped" if c.dropped else ""),
                      style="dim"))
    return Panel(Group(*lines), title=term(c.label), title_align="left", width=32,
                 padding=(0, 1))


def render_report(report: Report, console: Console) -> None:
    color = not console.no_color
    # the title, file names and notes can come from the data: inert Text, never markup
    console.print(term(report.title, style="bold"), term(span(report), style="dim"))
    console.print(term(sources_line(report), style="dim"))
    for source in ("responses", "tickets", "orders"):
        cards = [card(k) for k in report.kpis if k.extra.get("source") == source]
        if cards:
            console.print()
            console.print(Text(SOURCE_TITLES[source], style="bold underline"))
            console.print(Columns([_panel(c, color) for c in cards]))
    for section in report.sections:
        console.print()
        console.print(section_table(section, color, TERMINAL_ROWS
                                    if section.name == "followup" else None))
    for note in report.notices:
        console.print(term(f"note: {note}", style="dim"))


def to_text(report: Report, width: int = 100) -> str:
    buf = StringIO()
    render_report(report, Console(file=buf, width=width, no_color=True, highlight=False))
    return buf.getvalue()


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


# a formatted number ("-2.1", "-1,234.50", "-12.5%", "-3.20 h") or interval ("-38.0 – 38.0") is
# a number: never prefixed
_NUM = r"[+-]?\d[\d,]*(?:\.\d+)?(?:%| h)?"
_NUMBER = re.compile(rf"{_NUM}(?: – {_NUM})?")


def _md(value) -> str:
    """Markdown text shown literally (`cxkit.render.machine._md_cell`: pipes, HTML, line breaks),
    formula-looking text from the data prefixed with `'` as in the CSV."""
    from cxkit.render.machine import _md_cell, neutralise

    if isinstance(value, str) and not _NUMBER.fullmatch(value):
        value = neutralise(value)
    return _md_cell(value)


def md_table(columns: list, rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(_md(c) for c in columns) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|"]
    out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return out


def to_markdown(report: Report) -> str:
    lines = [f"# {_md(report.title)}", ""]
    if report.first:
        lines += [f"*{_md(span(report))}*", ""]
    lines += [f"Sources: {_md(sources_line(report))}", ""]
    cards = [card(k) for k in report.kpis]
    if cards:
        conf = {f"{k.confidence:.0%}" for k in report.kpis}
        lines += ["## KPIs", ""]
        rows = [[SOURCE_TITLES.get(c.source, c.source), c.label, c.value + c.unit, c.ci,
                 change_text(c), c.benchmark.split(" (")[0], sparkline(c.trend), f"{c.n:,}"]
                for c in cards]
        lines += md_table(["Source", "KPI", "Value", f"{'/'.join(sorted(conf))} interval",
                           "Last period", "Benchmark", "Trend", "n"], rows)
        lines.append("")
    for section in report.sections:
        lines += [f"## {_md(section.title)}", ""]
        if section.note:
            lines += [f"*{_md(section.note)}*", ""]
        lines += md_table(section.columns,
                          [[cell(v, section.digits_at(i)) for i, v in enumerate(r)]
                           for r in section.rows])
        lines.append("")
    if report.notices:
        lines += ["## Notes", ""] + [f"- {_md(n)}" for n in report.notices] + [""]
    return "\n".join(lines)
