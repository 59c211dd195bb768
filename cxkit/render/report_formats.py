"""A report as the machine formats give it: JSON, markdown, and rows for scripts (csv, tsv,
ndjson); no Rich (`-f json` imports none of it: 0.06 s less a report)."""

from __future__ import annotations

import json
import re
from typing import Any

from cxkit.kpi.report import Report, info
from cxkit.kpi.result import KpiResult
from cxkit.render.cards import Card, card, shown_cell, shown_columns, sparkline, trend_range

SOURCE_TITLES = {"responses": "Surveys", "tickets": "Support tickets", "orders": "Orders"}


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


def md_table(columns: list, rows: list[list], right: list[bool] | None = None) -> list[str]:
    """A pipe table; `right`: the columns aligned right (numbers), else all but the first."""
    right = right or [i > 0 for i in range(len(columns))]
    out = ["| " + " | ".join(_md(c) for c in columns) + " |",
           "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
                 change_text(c), c.benchmark.split(" (")[0],
                 " ".join(t for t in (sparkline(c.trend), trend_range(c)) if t), f"{c.n:,}"]
                for c in cards]
        lines += md_table(["Source", "KPI", "Value", f"{'/'.join(sorted(conf))} interval",
                           "Last period", "Benchmark", "Trend", "n"], rows,
                          [False, False, True, True, False, False, False, True])
        lines.append("")
        lines += [f"*{_md(c.label)}: {_md(c.note)}*" for c in cards if c.note]
        lines += [""] if any(c.note for c in cards) else []
    for section in report.sections:
        lines += [f"## {_md(section.title)}", ""]
        if section.note:
            lines += [f"*{_md(section.note)}*", ""]
        keep = shown_columns(section)
        numeric = [any(_is_number(r[i]) for r in section.rows)
                   and all(r[i] is None or _is_number(r[i]) for r in section.rows)
                   for i in keep]
        lines += md_table([section.label_at(i) for i in keep],
                          [[shown_cell(section, i, r[i]) for i in keep] for r in section.rows],
                          numeric)
        lines.append("")
    if report.notices:
        lines += ["## Notes", ""] + [f"- {_md(n)}" for n in report.notices] + [""]
    return "\n".join(lines)


# --- rows for scripts: -f csv / tsv / ndjson ----------------------------------------------------
ROW_COLUMNS = ["scope", "source", "kpi", "label", "unit", "period", "by", "segment", "value",
               "ci_low", "ci_high", "n", "change", "significant"]
# fields of a KPI's JSON that are not columns of its rows (said elsewhere, or not one number)
_NOT_COLUMNS = {"kpi", "value", "ci", "n", "counts", "dropped", "rule", "confidence", "columns",
                "trend", "benchmark", "warnings", "groups", "key", "change", "significant",
                "source", "label"}


def _row(scope: str, result: KpiResult, source: str, label: str, rec: dict[str, Any],
         period: str = "", by: str = "", segment: Any = "") -> dict[str, Any]:
    ci = rec.get("ci") or [None, None]
    row: dict[str, Any] = {
        "scope": scope, "source": source, "kpi": result.kpi, "label": label,
        "unit": info(result.kpi).unit, "period": period, "by": by, "segment": segment,
        "value": rec.get("value"), "ci_low": ci[0], "ci_high": ci[1], "n": rec.get("n"),
        "change": rec.get("change"), "significant": rec.get("significant")}
    fixed = set(row)
    row.update({k: v for k, v in (rec.get("counts") or {}).items() if k not in fixed})
    row.update({k: v for k, v in rec.items() if k not in _NOT_COLUMNS and k not in fixed
                and not isinstance(v, (dict, list))})
    if scope == "headline":
        row.update({f"dropped_{k}": v for k, v in (rec.get("dropped") or {}).items()})
    return row


def report_rows(report: Report) -> list[dict[str, Any]]:
    """The KPIs as rows a script reads: every card's headline first (scope `headline`, the whole
    span), then each card per period (`period`), then each breakdown (`breakdown`: `by` the
    column, `segment` its value). Numbers rounded as in the JSON; one set of columns for all,
    blank where a KPI has no such field."""
    heads, periods, parts = [], [], []
    for result in report.kpis:
        d, c = result.to_dict(), card(result)
        source = report.source_of(result)
        heads.append(_row("headline", result, source, c.label, d))
        dated = [g for g in d["groups"] if "period" in g["key"] and len(g["key"]) == 1]
        if dated:
            periods += [_row("period", result, source, c.label, g, str(g["key"]["period"]))
                        for g in dated]
        else:  # a KPI that keeps its trend only (value and n per period)
            periods += [_row("period", result, source, c.label, t, str(t.get("period")))
                        for t in d.get("trend", [])]
    for source, by, results in report.breakdowns:
        for result in results:
            label = info(result.kpi).label
            parts += [_row("breakdown", result, source, label, g, by=by,
                           segment=g["key"].get(by)) for g in result.to_dict()["groups"]]
    rows = heads + periods + parts
    order = list(ROW_COLUMNS)
    for row in rows:
        order += [k for k in row if k not in order]
    return [{k: row.get(k) for k in order} for row in rows]


def to_delimited(report: Report, sep: str = ",") -> str:
    from cxkit.render.machine import delimited

    rows = report_rows(report)
    return delimited(list(rows[0]) if rows else list(ROW_COLUMNS),
                     [list(r.values()) for r in rows], sep)


def to_ndjson(report: Report) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in report_rows(report))
