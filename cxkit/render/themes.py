"""`cxkit themes` output: a table per side on a terminal; one row per term in csv, tsv, ndjson
and markdown; the whole result in JSON (KPIS.md "Why it moved")."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from cxkit.render.inert import term

EXAMPLE_WIDTH = 60  # at most this much of the first example in the terminal table


def rows(result) -> tuple[list[str], list[list[Any]]]:
    """The header and one row per term: side, rank, term, z, log_odds, the count on each side,
    nps_impact and up to three examples."""
    a, b = result.sides
    header = ["side", "rank", "term", "z", "log_odds", f"count_{a}", f"count_{b}", "nps_impact",
              "example_1", "example_2", "example_3"]
    out, rank, side = [], 0, None
    for t in result.terms:  # at most 2 x --top terms, already ranked
        rank = rank + 1 if t["side"] == side else 1
        side = t["side"]
        examples = (t["examples"] + [None, None, None])[:3]
        out.append([side, rank, t["term"], t["z"], t["log_odds"], t["count"][a], t["count"][b],
                    t["nps_impact"], *examples])
    return header, out


def to_delimited(result, sep: str = ",") -> str:
    from cxkit.render.machine import delimited

    header, body = rows(result)
    return delimited(header, body, sep)  # text from the data neutralised against formulas


def to_json(result) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


def to_ndjson(result) -> str:
    header, body = rows(result)
    return "".join(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) + "\n"
                   for row in body)


def to_markdown(result) -> str:
    from cxkit.render.machine import _md_cell

    header, body = rows(result)
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in body]
    return "\n".join(lines) + "\n"


RENDERERS = {"csv": to_delimited, "tsv": lambda r: to_delimited(r, "\t"), "json": to_json,
             "ndjson": to_ndjson, "markdown": to_markdown}


def _title(side: str) -> str:
    return side.replace("_", " ")


def _side_table(result, side: str, width: int) -> Table:
    a, b = result.sides
    mine = [t for t in result.terms if t["side"] == side]
    cells = [[str(rank), t["term"], f"{t['z']:.2f}", f"{t['count'][a]:,}", f"{t['count'][b]:,}",
              "" if t["nps_impact"] is None else f"{t['nps_impact']:+.1f}",
              t["examples"][0] if t["examples"] else ""] for rank, t in enumerate(mine, 1)]
    names = ["#", "term", "z", _title(a), _title(b), "NPS impact", "example"]
    fixed = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names[:-1])]
    room = max(20, min(EXAMPLE_WIDTH, width - sum(fixed) - 3 * len(names)))
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for i, name in enumerate(names):
        table.add_column(term(name), justify="left" if i in (1, 6) else "right", no_wrap=True,
                         min_width=fixed[i] if i < 6 else None, max_width=None if i < 6 else room,
                         overflow="ellipsis")
    for row in cells:
        table.add_row(row[0], term(row[1], style="bold"), *row[2:6], term(row[6]))
    return table


def render(result, console: Console) -> None:
    a, b = result.sides
    head = Text("Comment themes ", style="bold")
    head.append_text(term(f"{_title(a)} ({result.n[a]:,} comments) vs {_title(b)} "
                          f"({result.n[b]:,})"))
    parts: list[Any] = [head]
    dropped = [f"{v:,} {k.replace('_', ' ')}" for k, v in result.dropped.items() if v]
    parts.append(Text("rows left out: " + (", ".join(dropped) if dropped else "none"),
                      style="dim"))
    if not result.terms:
        parts.append(term(result.rule.split(";")[0], style="yellow"))
        console.print(Group(*parts))
        return
    for side in result.sides:
        count = sum(t["side"] == side for t in result.terms)
        parts += [Text(""), term(f"More often said by {_title(side)} ({count})", style="bold")]
        if count:
            parts.append(_side_table(result, side, console.width))
    parts += [Text(""), Text("z: log-odds ratio over its standard error, informative Dirichlet "
                             "prior (Monroe et al. 2008); counts: comments; NPS impact: NPS − "
                             "NPS without the answers that mention the term", style="dim")]
    console.print(Group(*parts))
