"""`cxkit columns FILE`: what the loader understood of a new export."""

from __future__ import annotations

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env

SAMPLES = 3
SAMPLE_ROWS = 1000  # rows read for types, "filled" and examples


def register(app: typer.Typer) -> None:
    @app.command("columns", no_args_is_help=True)
    def columns(
        files: o.Files,
        format: o.FormatOpt = None,
        encoding: o.Encoding = None,
        delimiter: o.Delimiter = None,
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        """Show each column of an export: its type, the role cxkit gives it, sample values.

        Example:  cxkit columns responses.csv

        Run it first on a new export: if a role is missing or wrong, pass the column
        yourself (--score, --date, --by) to the KPI commands.
        """
        run(files, format.value if format else None, encoding, delimiter,
            Env(quiet=quiet, no_color=no_color))


def describe(table, roles: dict) -> tuple[list[dict], int, bool]:
    """One dict per column: name, type, role, non-empty count of the sample, sample values;
    the rows sampled, and whether the file has more rows than that."""
    import polars as pl

    by_column = {m.column: role for role, m in roles.items()}
    head = table.lf.head(SAMPLE_ROWS + 1).collect(engine="streaming")
    more = head.height > SAMPLE_ROWS
    head = head.head(SAMPLE_ROWS)
    rows = []
    for col in table.columns:
        series = head[col]
        values = series.drop_nulls()
        if values.dtype == pl.String:
            values = values.filter(values.str.strip_chars() != "")
        samples = values.unique(maintain_order=True).head(SAMPLES).cast(pl.String).to_list()
        rows.append({
            "column": col,
            "type": _kind(values),
            "role": by_column.get(col, ""),
            "filled": f"{values.len()}/{series.len()}",
            "label": table.labels.get(col, ""),
            "examples": samples,
        })
    return rows, head.height, more


def _kind(values) -> str:
    import polars as pl

    if values.dtype != pl.String:
        return str(values.dtype).lower()
    if values.is_empty():
        return "empty"
    text = values.str.strip_chars()
    if text.str.contains(r"^[+-]?\d+$").all():
        return "integer"
    if text.str.contains(r"^[+-]?\d+(?:[.,]\d+)?$").all():
        return "decimal"
    if text.str.contains(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}").all():
        return "date"
    return "text"


def run(files, fmt, encoding, delimiter, env: Env) -> None:
    from cxkit.cli.output import choose_format
    from cxkit.io.kinds import detect_kind, kind_roles
    from cxkit.io.read import read_inputs

    table = read_inputs(files, encoding, delimiter)
    for note in table.notices:
        env.notice(note)
    kind = detect_kind(table)
    rows, sampled, more = describe(table, kind_roles(table, kind.kind if kind else None))
    if all(r["filled"].endswith("/0") for r in rows):
        env.warn(f"{table.name}: no data rows, only the header")
    fmt = choose_format(fmt, None, env)
    lay = table.layout
    about = f"{table.name}: {table.kind}"
    if lay:
        delim = {"\t": "tab"}.get(lay.delimiter, lay.delimiter)
        about += (f", {lay.encoding}, delimiter '{delim}', {lay.header_rows} header row(s)"
                  + (", decimal comma" if lay.decimal_comma else ""))
    about += f"; {kind.describe()}" if kind else "; kind of export not recognised"
    sample = (f"type, filled and examples are from the first {sampled:,} rows; the file has "
              "more" if more else None)
    if fmt == "json":
        import json

        from cxkit.cli.output import deliver

        deliver(json.dumps({"file": table.name, "about": about,
                            "kind": kind.kind if kind else None,
                            "sampled_rows": sampled, "more_rows": more,
                            "columns": rows}, ensure_ascii=False, indent=2) + "\n", None, env)
        return
    if sample and fmt != "table":
        env.notice(f"{table.name}: {sample}")
    if fmt in ("csv", "tsv", "markdown", "ndjson"):
        _write_plain(rows, fmt, env)
        return
    from rich.table import Table

    from cxkit.render.inert import term

    # the file name, column names and values come from the data: inert Text, never markup
    out = Table(title=term(about, style="table.title"), title_justify="left", show_edge=False,
                header_style="bold", caption=term(sample, style="table.caption") if sample
                else None, caption_justify="left")
    for name in ("column", "type", "role", "filled", "examples"):
        out.add_column(name + (" (sample)" if more and name == "filled" else ""))
    for r in rows:
        out.add_row(term(r["column"]), term(r["type"]), term(r["role"], style="green"),
                    term(r["filled"]),
                    term(" | ".join(r["examples"]), overflow="fold"))  # wrapped, never cut
    env.console().print(out)


def _write_plain(rows, fmt, env: Env) -> None:
    """csv / tsv / markdown / ndjson through the shared writers (`cxkit.render.machine`): the
    same formula guard, quoting and markdown escaping as every other command."""
    import json

    from cxkit.cli.output import deliver
    from cxkit.render.machine import _delimited_rows, _markdown_rows

    if fmt == "ndjson":
        deliver("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), None, env)
        return
    flat = [{**r, "examples": " | ".join(r["examples"])} for r in rows]
    if fmt == "markdown":
        deliver(_markdown_rows(flat), None, env)
        return
    deliver(_delimited_rows(flat, "\t" if fmt == "tsv" else ","), None, env)
