"""Render one report Section (a titled table of plain cells) for people and for scripts.

Generic over any `cxkit.kpi.report.Section`: the follow-up list, NPS x revenue, breakdowns.
Machine formats are plain text, byte-identical everywhere; text from the data is neutralised
for spreadsheets in csv/tsv (header too) and carried as it is in json/ndjson.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from cxkit.kpi.result import _num
from cxkit.render.cards import number
from cxkit.render.machine import _md_cell, delimited

if TYPE_CHECKING:
    from rich.table import Table

    from cxkit.kpi.report import Section


def _digits(section: Section, i: int) -> int:
    at = getattr(section, "digits_at", None)
    return at(i) if at else section.digits


def cells(section: Section) -> list[list[Any]]:
    """The rows with floats rounded as the section says (NaN and inf become None)."""
    return [[_num(c, _digits(section, i)) for i, c in enumerate(row)] for row in section.rows]


def records(section: Section) -> list[dict[str, Any]]:
    """One {column: value} object per row."""
    return [dict(zip(section.columns, row, strict=True)) for row in cells(section)]


def section_delimited(section: Section, sep: str = ",") -> str:
    """A header line and one line per row; text starting with = + - @ gets a leading `'`, and a
    cell holding a line break is quoted (`cxkit.render.machine.delimited`)."""
    return delimited(list(section.columns), cells(section), sep)


def section_ndjson(section: Section) -> str:
    """One JSON object per row, keys in column order."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(section))


def section_json(section: Section) -> str:
    """`{"<name>": {"title", "kind", "note", "columns", "rows"}}`: the section as the report's
    JSON holds it under `tables`, rows as lists in column order."""
    return json.dumps({section.name: section.to_dict()}, ensure_ascii=False, indent=2) + "\n"


def _md(value: Any) -> str:
    """A markdown cell: pipes escaped, line breaks as spaces, and `& < >` as entities, so a
    comment like `<script>` shows as text wherever the markdown becomes HTML (`_md_cell`)."""
    return _md_cell(value)


def section_markdown(section: Section) -> str:
    """A pipe table; pipes in cells are escaped, line breaks become spaces, HTML is inert."""
    lines = ["| " + " | ".join(_md(c) for c in section.columns) + " |",
             "|" + "|".join("---" for _ in section.columns) + "|"]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in cells(section)]
    return "\n".join(lines) + "\n"


TERMINAL_HIDDEN = {"revenue_at_risk", "category"}  # the same as revenue_to_date, and as score


def cell(value: Any, digits: int, blank: str = "") -> str:
    """A cell as text, rounded as the JSON is: 1,234.5; True -> yes; None -> `blank`."""
    if value is None:
        return blank
    if isinstance(value, bool):
        return "yes" if value else "no"
    return number(value, digits)


def _header(section: Section, i: int) -> str:
    """The header people read (`Section.label_at`: words, not field names), with "%" when the
    column holds shares."""
    label_at = getattr(section, "label_at", None)
    name = (label_at(i) if label_at else str(section.columns[i])).replace("_", " ")
    unit_at = getattr(section, "unit_at", None)
    if unit_at and unit_at(i) == "%" and not name.endswith("%"):
        name += " %"
    return name


def section_table(section: Section, color: bool = False, limit: int | None = None) -> Table:
    """A section as a terminal table: title above, note under it, numbers right-aligned,
    columns with nothing to show left out, a heat map shaded (whole percents, blanks where a
    cohort has not reached that month), the first `limit` rows. The table is laid out for the
    width it is printed at (`cxkit.render.table.Fit`): headers and free text wrap, then it is
    folded (the first column repeated) or stacked one block per row; a number is never cut.
    Title, caption, headers and cells are inert Text (`cxkit.render.inert`), so brackets in the
    data are never read as Rich markup and escape codes are never sent."""
    from rich import box

    from cxkit.render.inert import term
    from cxkit.render.matrix import shade
    from cxkit.render.table import Fit

    rows = section.rows if limit is None else section.rows[:limit]
    caption = section.note or ""
    if limit is not None and len(section.rows) > limit:
        caption += f"  (first {limit} of {len(section.rows)})"
    heat = section.kind == "heatmap"
    layout: dict[str, Any] = {"box": box.SIMPLE_HEAD, "padding": (0, 0),
                              "max_chunks": None} if heat else {}
    table = Fit(term(section.title, style="bold"),
                term(caption, style="table.caption") if caption else None, **layout)
    keep = [i for i, col in enumerate(section.columns)
            if heat or i == 0 or (col not in TERMINAL_HIDDEN
                                  and any(r[i] not in (None, "") for r in rows))]
    for i in keep:
        text = any(isinstance(r[i], str) and len(r[i]) > 12 for r in rows)  # free text
        numeric = [r[i] for r in rows if r[i] is not None]
        right = not text and bool(numeric) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in numeric)
        name = f"+{i - 2}" if heat and i >= 2 else _header(section, i)
        kind = "key" if i == 0 or (heat and i == 1) else "text" if text else "num"
        table.add_column(term(name), kind,
                         justify="right" if right or (heat and i) else "left")
    later = [v for r in section.rows for v in r[3:] if isinstance(v, (int, float))]
    top = max(later, default=100.0) or 100.0
    for row in rows:
        cells = []
        for i in keep:
            v = row[i]
            in_heat = heat and i >= 2
            text = cell(v, 0 if in_heat else _digits(section, i), "" if in_heat else "–")
            cells.append(term(text, style=shade(v, top) if in_heat and v is not None and color
                              else ""))
        table.add_row(*cells)
    return table


RENDERERS = {
    "csv": section_delimited,
    "tsv": lambda s: section_delimited(s, "\t"),
    "json": section_json,
    "ndjson": section_ndjson,
    "markdown": section_markdown,
}


def section_text(section: Section, width: int = 100) -> str:
    """The terminal table as plain text (no colour), e.g. for `-o list.txt`."""
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=width, no_color=True, highlight=False).print(section_table(section))
    return buf.getvalue()
