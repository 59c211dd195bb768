"""A report in the terminal (cards, sparklines, tables); the machine formats are in
`cxkit.render.report_formats`."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO

from rich.columns import Columns
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from cxkit.kpi.report import Report, Section
from cxkit.render.cards import Card, card, sparkline, trend_range
from cxkit.render.inert import term
from cxkit.render.report_formats import SOURCE_TITLES, change_text, sources_line, span
from cxkit.render.sections import TERMINAL_HIDDEN, section_table
from cxkit.render.table import STATUS_STYLE

TONE_STYLE = {"better": "green", "worse": "red", "flat": "dim"}
TERMINAL_ROWS = 10  # rows of a long table (the follow-up list) shown in the terminal


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
        if spread := trend_range(c, periods=False):
            lines.append(Text(spread, style="dim"))
    if c.note:
        lines.append(term(c.note, style="dim"))
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
        console.print(section_table(shown_section(section), color, TERMINAL_ROWS
                                    if section.name == "followup" else None))
    for note in report.notices:
        console.print(term(f"note: {note}", style="dim"))


def shown_section(section: Section) -> Section:
    """The section as the terminal shows it: headers in words, "%" in the header of a share
    column (a terminal table right-aligns bare numbers only), columns another one repeats left
    out (`sections.TERMINAL_HIDDEN`: the table drops them by their key, not by their words)."""
    keep = [i for i, key in enumerate(section.columns)
            if section.kind == "heatmap" or i == 0 or key not in TERMINAL_HIDDEN]

    def head(i: int) -> str:
        label = section.label_at(i)
        percent = section.unit_at(i) == "%" and section.kind != "heatmap"
        return label + " %" if percent and not label.endswith("%") else label

    return replace(section, columns=[head(i) for i in keep],
                   rows=[[row[i] for i in keep] for row in section.rows],
                   column_digits=[section.digits_at(i) for i in keep],
                   labels=None, units=[section.unit_at(i) for i in keep])


def to_text(report: Report, width: int = 100) -> str:
    buf = StringIO()
    render_report(report, Console(file=buf, width=width, no_color=True, highlight=False))
    return buf.getvalue()


