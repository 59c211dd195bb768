"""csv / tsv / json / ndjson / markdown / bare value. Plain text, byte-identical everywhere."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from cxkit.kpi.result import KpiResult, _num

FORMULA_CHARS = ("=", "+", "-", "@")


def neutralise(cell: Any) -> Any:
    """Spreadsheet formula guard for text from the data: prefix with a quote.

    Text is prefixed when it starts with = + - @ once leading whitespace (spaces, tabs, CR, LF)
    is passed over, as spreadsheets pass over it, or when it starts with a tab or a CR at all.
    Numbers are never prefixed: -50.0 stays a number."""
    if isinstance(cell, str) and (cell.lstrip().startswith(FORMULA_CHARS)
                                  or cell.startswith(("\t", "\r"))):
        return "'" + cell
    return cell


def flat_rows(result: KpiResult) -> list[dict[str, Any]]:
    """One row per group (or one overall row): keys, value, ci_low, ci_high, n, counts, extras.

    The cohort matrix is a matrix: one row per cohort, one column per period since."""
    if result.kpi == "cohort_retention":
        from cxkit.render.matrix import matrix_rows

        return matrix_rows(result)
    d = result.to_dict()
    records = d["groups"] if d["groups"] else [dict(d, key={})]
    key_cols = result.group_keys if d["groups"] else []
    rows = []
    for rec in records:
        row: dict[str, Any] = {k: rec["key"].get(k) for k in key_cols}
        ci = rec.get("ci") or [None, None]
        row.update(kpi=result.kpi, value=rec["value"], ci_low=ci[0], ci_high=ci[1], n=rec["n"])
        row.update(rec["counts"])
        for name, val in rec.items():
            if name not in {"key", "value", "ci", "n", "counts", "groups", "kpi", "dropped", "rule",
                            "confidence", "columns", "trend", "benchmark", "warnings"}:
                # `versus` stays whole: the experiment renderer makes its columns
                row.update({name: val} if name == "versus" else _flat(name, val))
        if not d["groups"]:
            row.update({f"dropped_{k}": v for k, v in d["dropped"].items()})
        rows.append(row)
    return rows


def _flat(name: str, value: Any) -> dict[str, Any]:
    """A nested extra as columns (`model` -> `model_bg_nbd_r`, ...); a list of records (a
    holdout per period) has no place in one row: left out of CSV, it is in the JSON."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(f"{name}_{k}", v))
        return out
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return {}
    return {name: value}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_delimited(result: KpiResult, sep: str = ",") -> str:
    return _delimited_rows(flat_rows(result), sep)


def to_json(result: KpiResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


def to_ndjson(result: KpiResult) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in flat_rows(result))


def _md_cell(value: Any) -> str:
    """A markdown table cell shown literally: backslashes and pipes escaped, `& < >` as entities
    (a `<script>` in the data stays text wherever the markdown becomes HTML), control characters
    made visible, and a line break (CR, LF or both) a space, so a cell never breaks its row."""
    from cxkit.render.inert import visible

    text = _text(value).replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return visible(text)


def to_markdown(result: KpiResult) -> str:
    return _markdown_rows(flat_rows(result))


def to_value(result: KpiResult) -> str:
    value = _num(result.value, result.digits)
    return ("" if value is None else f"{value}") + "\n"


RENDERERS = {
    "csv": to_delimited,
    "tsv": lambda r: to_delimited(r, "\t"),
    "json": to_json,
    "ndjson": to_ndjson,
    "markdown": to_markdown,
}


def many_rows(results: list[KpiResult]) -> list[dict[str, Any]]:
    """One row per KPI and group, the columns of all KPIs side by side (blank where n/a)."""
    keys = next((r.group_keys for r in results if r.groups), [])
    rows = [row for r in results for row in flat_rows(r)]
    order = list(keys) + ["kpi", "value", "ci_low", "ci_high", "n"]
    for row in rows:
        order += [c for c in row if c not in order]
    return [{c: row.get(c) for c in order} for row in rows]


def delimited(header: list[Any], rows: list[list[Any]], sep: str = ",") -> str:
    """CSV or TSV text: the one writer of cxkit's delimited output (KPIs, report tables, columns).

    Text from the data is neutralised (`neutralise`), the header too (--by column names come from
    the data). Any cell holding a CR or an LF is quoted: Python's csv module, with "\\n" as line
    end, leaves a lone CR unquoted, and every CSV reader takes that CR for a new row."""
    buf = io.StringIO()
    # "\r\n" as line end makes csv quote any field holding CR or LF; each row then ends in "\n"
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    lines = []
    for row in [header, *rows]:
        buf.seek(0)
        buf.truncate()
        writer.writerow([_text(neutralise(v)) for v in row])
        lines.append(buf.getvalue()[:-2] + "\n")
    return "".join(lines)


def _delimited_rows(rows: list[dict[str, Any]], sep: str) -> str:
    return delimited(list(rows[0]), [list(row.values()) for row in rows], sep)


def _markdown_rows(rows: list[dict[str, Any]]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row.values()) + " |" for row in rows]
    return "\n".join(lines) + "\n"


RENDERERS_MANY = {
    "csv": lambda rs: _delimited_rows(many_rows(rs), ","),
    "tsv": lambda rs: _delimited_rows(many_rows(rs), "\t"),
    "json": lambda rs: json.dumps({"kpis": [r.to_dict() for r in rs]}, ensure_ascii=False,
                                  indent=2) + "\n",
    "ndjson": lambda rs: "".join(json.dumps(row, ensure_ascii=False) + "\n"
                                 for row in many_rows(rs)),
    "markdown": lambda rs: _markdown_rows(many_rows(rs)),
}
