"""Render one report Section (a titled table of plain cells) for people and for scripts.

Generic over any `cxkit.kpi.report.Section`: the follow-up list, NPS x revenue, breakdowns.
Machine formats are plain text, byte-identical everywhere; text from the data is neutralised
for spreadsheets in csv/tsv (header too) and carried as it is in json/ndjson.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from cxkit.kpi.result import _num
from cxkit.render.machine import _md_cell, _text, neutralise

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
    """A header line and one line per row; text starting with = + - @ gets a leading `'`."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow([neutralise(c) for c in section.columns])
    for row in cells(section):
        writer.writerow([_text(neutralise(v)) for v in row])
    return buf.getvalue()


def section_ndjson(section: Section) -> str:
    """One JSON object per row, keys in column order."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(section))


def section_json(section: Section) -> str:
    """`{"<name>": {"title", "kind", "note", "columns", "rows"}}`: the section as the report's
    JSON holds it under `tables`, rows as lists in column order."""
    return json.dumps({section.name: section.to_dict()}, ensure_ascii=False, indent=2) + "\n"


def _md(value: Any) -> str:
    """A markdown cell: pipes escaped, line breaks as spaces, and `& < >` as entities, so a
    comment like `<script>` shows as text wherever the markdown becomes HTML."""
    text = _md_cell(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section_markdown(section: Section) -> str:
    """A pipe table; pipes in cells are escaped, line breaks become spaces, HTML is inert."""
    lines = ["| " + " | ".join(_md(c) for c in section.columns) + " |",
             "|" + "|".join("---" for _ in section.columns) + "|"]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in cells(section)]
    return "\n".join(lines) + "\n"


def _shown(value: Any, digits: int) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def section_table(section: Section) -> Table:
    """A Rich table: the title above, the note under it; numbers right-aligned. Cells are
    Text, so brackets in the data are never read as Rich markup."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(section.title, style="bold"), title_justify="left",
                  caption=Text(section.note, style="dim") if section.note else None,
                  caption_justify="left", show_edge=False, pad_edge=False, header_style="bold",
                  collapse_padding=True)
    shown = [[_shown(v, _digits(section, i)) for i, v in enumerate(row)]
             for row in cells(section)]
    for i, name in enumerate(section.columns):
        values = [r[i] for r in section.rows if r[i] is not None]
        right = bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                     for v in values)
        # headers wrap at their spaces, so a long name does not widen its column
        table.add_column(Text(name.replace("_", " ")), justify="right" if right else "left")
    for row in shown:
        table.add_row(*[Text(c) for c in row])
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
