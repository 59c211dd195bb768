"""The report as one self-contained HTML page: no script, no network, fine as a mail attachment.

Everything is inline (CSS, SVG charts); a Content-Security-Policy forbids loading or running
anything even if some text escaped its escaping. Every data string goes through `_e`. The page is a
pure function of the Report: no timestamps, no random ids, so two renders are byte-identical.

Cards carry machine-readable attributes (data-kpi, data-value, data-points) so tests read the
rendered page back and compare it with the JSON report.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

from cxkit import __version__
from cxkit.kpi.report import SOURCES, Report, Section, info
from cxkit.kpi.result import KpiResult, _num
from cxkit.render import cards
from cxkit.render.cards import Card, shown_cell, shown_columns

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SOURCE_TITLES = {"responses": "Survey responses", "tickets": "Support tickets",
                 "orders": "Orders"}
ARROWS = {"up": "▲", "down": "▼", "flat": "►"}
SIGN = {"up": "rose", "down": "fell", "flat": "unchanged"}

# Trend chart geometry (SVG user units; the chart scales with the card, keeping its aspect)
CHART_W, CHART_H, CHART_PAD = 240.0, 56.0, 5.0

# Heat map: white -> this green as the share goes 0 -> 100
HEAT_FROM, HEAT_TO = (255, 255, 255), (22, 128, 78)

CSS = """
:root{color-scheme:light;--ink:#1b2430;--muted:#5d6878;--faint:#8a94a3;--line:#e3e7ed;
--bg:#f4f6f9;--card:#fff;--accent:#2457c5;--better:#15803d;--worse:#c0262d;--flat:#6b7480}
*{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-variant-numeric:tabular-nums}
.page{max-width:1180px;margin:0 auto;padding:28px 20px 40px}
h1,h2,h3{line-height:1.2;margin:0}
h1{font-size:26px;font-weight:700;letter-spacing:-.01em}
h2{font-size:18px;font-weight:650}
.report-head{padding-bottom:18px;border-bottom:1px solid var(--line);margin-bottom:22px}
.span{margin:6px 0 0;color:var(--muted);font-size:15px}
.sources{list-style:none;margin:12px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:8px}
.sources li{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:6px 10px;font-size:13px;color:var(--muted);max-width:100%;overflow-wrap:anywhere}
.sources strong{color:var(--ink);font-weight:600;margin-right:4px;white-space:nowrap}
.toc{margin:14px 0 0;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 14px}
.toc a{color:var(--accent);text-decoration:none}
.group{margin:0 0 26px}
.group>h2{margin-bottom:10px;font-size:13px;text-transform:uppercase;letter-spacing:.06em;
color:var(--muted);font-weight:650}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,250px),1fr));gap:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px 12px;
box-shadow:0 1px 2px rgba(20,30,50,.05);display:flex;flex-direction:column;min-width:0}
.card-head{display:flex;align-items:flex-start;justify-content:space-between;gap:8px}
.card h3{font-size:14px;font-weight:600;color:var(--muted)}
.badge{font-size:11px;font-weight:650;text-transform:uppercase;letter-spacing:.04em;
border-radius:999px;padding:2px 8px;white-space:nowrap}
.badge-excellent{background:#15803d;color:#fff}
.badge-good{background:#dcf2e4;color:#14643a}
.badge-below{background:#fde3e1;color:#a3232a}
.headline{margin:6px 0 0;font-size:32px;font-weight:700;letter-spacing:-.02em;line-height:1.1}
.unit{font-size:18px;font-weight:600;color:var(--muted);margin-left:2px}
.ci,.n,.bench{margin:4px 0 0;font-size:12.5px;color:var(--muted)}
.change{margin:8px 0 0;font-size:13px;font-weight:600}
.change .sig{font-weight:400;color:var(--muted)}
.tone-better{color:var(--better)}.tone-worse{color:var(--worse)}.tone-flat{color:var(--flat)}
.what{margin:4px 0 0;font-size:12.5px;color:var(--muted)}
.chart{margin-top:auto;padding-top:10px;display:grid;grid-template-columns:auto minmax(0,1fr);
column-gap:6px}
.yaxis{grid-column:1;grid-row:1;height:56px;display:flex;flex-direction:column;
justify-content:space-between;font-size:10.5px;line-height:10px;color:var(--muted);
text-align:right;white-space:nowrap;min-width:2.6em}
.yaxis.flat{justify-content:center}
svg.trend{grid-column:2;grid-row:1;display:block;width:100%;height:56px;overflow:visible}
.trend .grid{fill:none;stroke:var(--line);stroke-width:1px;stroke-dasharray:3 3}
.trend .area{fill:rgba(36,87,197,.08);stroke:none}
.trend .line{fill:none;stroke:var(--accent);stroke-width:2px;stroke-linejoin:round;
stroke-linecap:round}
.trend .dot,.trend .ring,.trend .last,.trend .peak{fill:none;stroke-linecap:round}
.trend .dot{stroke:var(--accent);stroke-width:5px}
.trend .peak{stroke:var(--accent);stroke-width:6px}
.trend .ring{stroke:var(--accent);stroke-width:9px}
.trend .last{stroke:var(--card);stroke-width:4px}
.axis{grid-column:2;grid-row:2;display:flex;justify-content:space-between;gap:8px;
font-size:11px;color:var(--faint);margin-top:4px;white-space:nowrap}
.axis strong{font-weight:650;color:var(--ink)}
svg.tracking{display:block;width:100%;height:120px;margin-top:12px;overflow:visible}
.tracking .expected{fill:none;stroke:var(--accent);stroke-width:2px;stroke-dasharray:5 4}
.tracking .actual{fill:none;stroke:var(--ink);stroke-width:2px;stroke-linejoin:round}
.legend{display:flex;gap:16px;font-size:12px;color:var(--muted);margin-top:6px}
.legend .key-expected{color:var(--accent)}.legend .key-actual{color:var(--ink)}
.report-section{background:var(--card);border:1px solid var(--line);border-radius:12px;
padding:16px;margin:0 0 18px;box-shadow:0 1px 2px rgba(20,30,50,.05)}
.note{margin:4px 0 0;color:var(--muted);font-size:13px}
.table-wrap{overflow-x:auto;margin-top:12px;-webkit-overflow-scrolling:touch}
.sections{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,440px),1fr));
gap:0 18px;align-items:start}
.sections .wide{grid-column:1/-1}
table{border-collapse:collapse;font-size:13.5px;width:auto;min-width:min(100%,36em)}
table.heatmap{min-width:0}
table.heatmap th{white-space:nowrap}
th,td{padding:6px 10px;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;font-weight:650;color:var(--muted);background:#f8f9fb;
border-bottom-color:#d5dbe3;vertical-align:bottom}
td{overflow-wrap:break-word;max-width:30em}
th.num{text-align:right}
td.num{text-align:right;white-space:nowrap}
td.date{white-space:nowrap}
td.none{color:var(--faint)}
tbody tr:last-child td,tbody tr:last-child th{border-bottom:0}
table.heatmap th[scope=row]{background:var(--card);color:var(--ink);font-size:13.5px;
font-weight:600;position:sticky;left:0}
table.heatmap th.heat{text-align:center}
table.heatmap td.heat{text-align:center;white-space:nowrap;min-width:4.2em;
border:2px solid #fff}
.empty{margin:10px 0 0;color:var(--faint);font-size:13px}
.notices{margin:0 0 18px;padding:12px 16px;border-left:4px solid #d99a1e;background:#fff8e8;
border-radius:0 8px 8px 0}
.notices h2{font-size:14px;margin-bottom:4px}
.notices ul{margin:0;padding-left:18px;font-size:13.5px}
.rules{margin-top:28px;padding-top:14px;border-top:1px solid var(--line);font-size:12px;
color:var(--muted)}
.rules h2{font-size:13px;margin-bottom:6px;color:var(--muted)}
.rules dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:3px 14px}
.rules dt{font-weight:600;color:var(--ink)}
.rules dd{margin:0;overflow-wrap:anywhere}
.made{margin:12px 0 0;color:var(--faint)}
@media (max-width:560px){.page{padding:18px 12px 28px}.report-section{padding:14px 12px}
h1{font-size:22px}
.headline{font-size:28px}.rules dl{grid-template-columns:1fr}.rules dd{margin-bottom:6px}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block}
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
table.stack tr{border:1px solid var(--line);border-radius:10px;padding:6px 12px;margin:0 0 10px}
table.stack td{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:10px;
padding:3px 0;border:0;text-align:left;max-width:none;white-space:normal;
align-items:baseline}
table.stack td::before{content:attr(data-label);color:var(--muted);font-size:12px;
font-weight:600;overflow-wrap:anywhere}
table.stack tr td:last-child{border-bottom:0}
table.stack td.none{display:none}
table.stack td:first-child{font-weight:650;border-bottom:1px solid var(--line);
padding-bottom:5px;margin-bottom:2px}}
@media print{body{background:#fff;font-size:11pt}.page{max-width:none;padding:0}
.card,.report-section{box-shadow:none;break-inside:avoid;page-break-inside:avoid}
.report-section{border-color:#ccd2da}.table-wrap{overflow:visible}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
.toc{display:none}.group>h2,h2{break-after:avoid;page-break-after:avoid}}
@page{margin:12mm}
"""


def _e(value: Any) -> str:
    """Escape any data text for an element or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


def _int(value: int) -> str:
    return f"{value:,}"


def _source_title(source: str) -> str:
    return SOURCE_TITLES.get(source) or (source.replace("_", " ").capitalize() or "Other")


# --- trend chart ---------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    """A coordinate with two decimals at most and no trailing zeros (stable, compact)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def trend_svg(values: list[float | None], periods: list[str], label: str, digits: int = 1) -> str:
    """The trend as an inline SVG: a line through consecutive values (a gap at None), a small dot
    for a value alone between gaps, a ring on the last value.

    "" when there is no value at all. data-points is the number of values drawn; the path
    class="line" is there when two values at least are consecutive.
    """
    points = [(i, float(v)) for i, v in enumerate(values)
              if isinstance(v, (int, float)) and math.isfinite(v)]
    if not points:
        return ""
    low, high = min(v for _, v in points), max(v for _, v in points)
    inner_h = CHART_H - 2 * CHART_PAD

    def x(i: int) -> float:
        if len(values) == 1:
            return CHART_W / 2
        return CHART_PAD + (CHART_W - 2 * CHART_PAD) * i / (len(values) - 1)

    def y(v: float) -> float:
        if high == low:  # a flat series: a flat line in the middle
            return CHART_H / 2
        return CHART_PAD + inner_h * (high - v) / (high - low)

    # runs of consecutive values; a None ends a run
    runs: list[list[tuple[int, float]]] = []
    for i, v in points:
        if runs and runs[-1][-1][0] == i - 1:
            runs[-1].append((i, v))
        else:
            runs.append([(i, v)])
    line, area, dots = [], [], []
    for run in runs:
        xy = [(_fmt(x(i)), _fmt(y(v))) for i, v in run]
        if len(run) > 1:
            line.append("M" + " L".join(f"{a} {b}" for a, b in xy))
            base = _fmt(CHART_H)
            area.append(f"M{xy[0][0]} {base} L" + " L".join(f"{a} {b}" for a, b in xy)
                        + f" L{xy[-1][0]} {base}Z")
        elif run is not runs[-1]:  # a lone value between gaps: a small dot
            dots.append(_dot("dot", *xy[0]))
    last_i, last_v = points[-1]
    last = (_fmt(x(last_i)), _fmt(y(last_v)))
    summary = ", ".join(f"{p} {'no data' if v is None else cards.number(v, digits)}"
                        for p, v in zip(periods, values, strict=False))
    parts = [
        f'<svg class="trend" data-points="{len(points)}" viewBox="0 0 {_fmt(CHART_W)} '
        f'{_fmt(CHART_H)}" preserveAspectRatio="none" height="{_fmt(CHART_H)}" role="img" '
        f'aria-label="{_e(label)} trend">',
        f"<title>{_e(summary)}</title>",
    ]
    # the value axis: a line at the highest value, one at the lowest (labelled beside the chart)
    levels = sorted({y(high), y(low)})
    parts.append('<path class="grid" d="' + " ".join(f"M0 {_fmt(v)} H{_fmt(CHART_W)}"
                                                     for v in levels)
                 + '" vector-effect="non-scaling-stroke"/>')
    if line:
        parts.append(f'<path class="area" d="{" ".join(area)}"/>')
        parts.append(f'<path class="line" d="{" ".join(line)}" '
                     'vector-effect="non-scaling-stroke"/>')
    parts.extend(dots)
    if len(points) >= 2:  # the lowest and the highest value, marked on the line
        (low_i, low_v), (high_i, high_v) = _extremes(points)
        parts.append(_dot("peak", _fmt(x(high_i)), _fmt(y(high_v))))
        if (low_i, low_v) != (high_i, high_v):
            parts.append(_dot("peak", _fmt(x(low_i)), _fmt(y(low_v))))
    parts.extend([_dot("ring", *last), _dot("last", *last), "</svg>"])
    return "".join(parts)


def _extremes(points: list[tuple[int, float]]) -> tuple[tuple[int, float], tuple[int, float]]:
    """(index, value) of the lowest and of the highest point, the first of equal ones."""
    low = min(points, key=lambda p: (p[1], p[0]))
    high = max(points, key=lambda p: (p[1], -p[0]))
    return low, high


def _dot(cls: str, x: str, y: str) -> str:
    """A round dot that stays round in a stretched chart: a zero-length stroke, round caps."""
    return f'<path class="{cls}" d="M{x} {y}h0" vector-effect="non-scaling-stroke"/>'


def _chart(c: Card, digits: int) -> str:
    """The trend chart with its labels: the highest and lowest value on the value axis (beside
    the lines drawn at them), the first and last period under the chart with their values."""
    svg = trend_svg(c.trend, c.periods, c.label, digits)
    if not svg:
        return ""
    unit = "%" if c.unit == "%" else ""
    top = cards.top_of(c.trend)

    def shown(v: float | None) -> str:
        return "–" if v is None else cards.compact(v, digits, top) + unit

    drawn = [(i, v) for i, v in enumerate(c.trend) if v is not None]
    (low_i, low), (high_i, high) = _extremes([(i, float(v)) for i, v in drawn])
    if low == high:
        yaxis = (f'<div class="yaxis flat"><span data-tick="{_e(shown(high))}" '
                 f'title="every value">{_e(shown(high))}</span></div>')
    else:
        yaxis = (f'<div class="yaxis"><span class="hi" title="highest: {_e(c.periods[high_i])}">'
                 f"{_e(shown(high))}</span><span class=\"lo\" title=\"lowest: "
                 f'{_e(c.periods[low_i])}">{_e(shown(low))}</span></div>')

    def end(i: int, cls: str) -> str:
        return (f'<span class="{cls}">{_e(c.periods[i])} <strong>{_e(shown(c.trend[i]))}'
                "</strong></span>")

    axis = end(0, "start") if len(c.periods) == 1 else end(0, "start") + end(-1, "end")
    return f'<div class="chart">{yaxis}{svg}<div class="axis">{axis}</div></div>'


# --- cards ---------------------------------------------------------------------------------------
def _direction(result: KpiResult) -> str:
    """The arrow: the sign of the change as shown (rounded to the KPI's digits)."""
    delta = _num(result.change, result.digits)
    if not delta:
        return "flat"
    return "down" if delta < 0 else "up"


def _confidence(result: KpiResult) -> str:
    return f"{result.confidence * 100:.10g}%"


def card_html(result: KpiResult) -> str:
    c = cards.card(result)
    head = f'<h3>{_e(c.label)}</h3>'
    if c.status:
        head += (f'<span class="badge badge-{_e(c.status)}" data-status="{_e(c.status)}" '
                 f'title="{_e(c.benchmark)}">{_e(c.status)}</span>')
    unit = f'<span class="unit">{_e(c.unit.strip())}</span>' if c.unit.strip() else ""
    parts = [
        f'<article class="card" data-kpi="{_e(c.kpi)}" data-source="{_e(c.source)}">',
        f'<div class="card-head">{head}</div>',
        f'<p class="headline"><span class="value" data-value="{_e(json.dumps(c.raw))}">'
        f"{_e(c.value)}</span>{unit}</p>",
    ]
    if c.ci:
        parts.append(f'<p class="ci">{_e(_confidence(result))} CI {_e(c.ci)}</p>')
    if c.change:
        direction = _direction(result)
        tone = c.tone or "flat"
        sig = "" if c.significant is None else ("significant" if c.significant
                                                else "not significant")
        parts.append(
            f'<p class="change tone-{_e(tone)}" data-tone="{_e(tone)}">'
            f'<span class="arrow" aria-label="{SIGN[direction]}">{ARROWS[direction]}</span> '
            f"{_e(c.change)}" + (f' <span class="sig">· {sig}</span>' if sig else "") + "</p>")
    n = f"n = {_int(c.n)}"
    if c.dropped:
        reasons = ", ".join(f"{k.replace('_', ' ')} {_int(v)}"
                            for k, v in result.dropped.items() if v)
        n += f' · <span title="{_e(reasons)}">{_int(c.dropped)} dropped</span>'
    parts.append(f'<p class="n">{n}</p>')
    if c.note:
        parts.append(f'<p class="what">{_e(c.note)}</p>')
    if c.benchmark:
        parts.append(f'<p class="bench">{_e(c.benchmark)}</p>')
    parts.append(_chart(c, result.digits))
    parts.append("</article>")
    return "".join(parts)


def _groups(report: Report) -> list[tuple[str, list[KpiResult]]]:
    """KPI cards by source: responses, tickets, orders, then any other, each in report order."""
    by: dict[str, list[KpiResult]] = {}
    for k in report.kpis:
        by.setdefault(report.source_of(k), []).append(k)
    order = [s for s in SOURCES if s in by] + [s for s in by if s not in SOURCES]
    return [(s, by[s]) for s in order]


# --- tables --------------------------------------------------------------------------------------
def _cell(value: Any, digits: int) -> tuple[str, str]:
    """(text, css class) of one table cell."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "", "none"  # as in the terminal: an empty cell
    if isinstance(value, bool):
        return ("yes" if value else "no"), ""
    if isinstance(value, int):
        return _int(value), "num"
    if isinstance(value, float):
        return cards.number(value, digits), "num"
    return str(value), ""


def heat_colour(share: float) -> tuple[str, str]:
    """(background, text colour) for a 0-100 share: white -> green, dark text turns white."""
    t = min(max(share / 100.0, 0.0), 1.0)
    rgb = tuple(round(a + (b - a) * t) for a, b in zip(HEAT_FROM, HEAT_TO, strict=True))
    background = "#{:02x}{:02x}{:02x}".format(*rgb)
    return background, ("#ffffff" if t > 0.55 else "#1b2430")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _heat_cell(value: Any, digits: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        return f'<td class="heat">{_e(_cell(value, digits)[0])}</td>'
    background, ink = heat_colour(float(value))
    text = _e(cards.number(value, digits))
    return (f'<td class="heat" data-share="{text}" style="background:{background};color:{ink}">'
            f"{text}</td>")


PHONE_TABLE = 340  # px: a table wider than this (estimated) is a stack of cards on a phone
CHAR_PX, CELL_PAD_PX = 7.5, 20  # estimated width of a character and a cell's padding


def _width(section: Section, keep: list[int]) -> float:
    """A rough width of the table in px: the longest header or cell of each column."""
    total = 0.0
    for i in keep:
        texts = [section.label_at(i)] + [shown_cell(section, i, r[i]) for r in section.rows
                                         if i < len(r)]
        total += max(len(t) for t in texts) * CHAR_PX + CELL_PAD_PX
    return total


def _table(section: Section) -> str:
    """The table: headers in words, shares with their %, numbers right-aligned, dates on one
    line, columns empty in every row left out; on a phone a wide table becomes one card per
    row (each cell says its header: `data-label`)."""
    heat = section.kind == "heatmap"
    keep = shown_columns(section)
    numeric = {i: all(v is None or _is_number(v) for v in col)
               and any(_is_number(v) for v in col)
               for i, col in enumerate(zip(*section.rows, strict=False))}
    head = []
    for i in keep:
        kind = "heat" if heat and i >= 2 else "num" if numeric.get(i) else ""
        attrs = f' class="{kind}"' if kind else ""
        head.append(f'<th scope="col"{attrs}>{_e(section.label_at(i))}</th>')
    rows = []
    for row in section.rows:
        cells = []
        for i in keep:
            value = row[i] if i < len(row) else None
            if heat and i >= 2:
                cells.append(_heat_cell(value, section.digits_at(i)))
                continue
            kind = _cell(value, section.digits_at(i))[1]
            text = shown_cell(section, i, value) if kind != "none" else ""
            if section.unit_at(i) == "date" and kind != "none":
                kind = "date"
            tag = "th" if heat and i == 0 else "td"
            attrs = (' scope="row"' if tag == "th" else "") + (f' class="{kind}"' if kind else "")
            if not heat:
                attrs += f' data-label="{_e(section.label_at(i))}"'
            cells.append(f"<{tag}{attrs}>{_e(text)}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if heat:
        table = '<table class="heatmap">'
    else:
        table = '<table class="stack">' if _width(section, keep) > PHONE_TABLE else "<table>"
    return (f'<div class="table-wrap">{table}<thead><tr>{"".join(head)}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


WIDE_COLUMNS = 5  # sections with this many columns (and heat maps) take the whole row


TRACK_W, TRACK_H = 600.0, 120.0


def tracking_svg(section: Section) -> str:
    """A "tracking" section (the predictive CLV's holdout check) as a chart: the expected repeat
    purchases per week (dashed) and the actual ones (solid), on one scale from 0."""
    expected = [float(r[section.columns.index("expected")]) for r in section.rows]
    actual = [float(r[section.columns.index("actual")]) for r in section.rows]
    top = max(expected + actual + [1.0])
    n = len(expected)

    def path(values: list[float]) -> str:
        xy = [(_fmt(TRACK_W * i / max(n - 1, 1)), _fmt(TRACK_H * (1 - v / top)))
              for i, v in enumerate(values)]
        return "M" + " L".join(f"{a} {b}" for a, b in xy)

    title = "; ".join(f"week {r[0]}: {e:.1f} expected, {a:.0f} actual"
                      for r, e, a in zip(section.rows, expected, actual, strict=True))
    return (f'<svg class="tracking" data-points="{n}" viewBox="0 0 {_fmt(TRACK_W)} '
            f'{_fmt(TRACK_H)}" preserveAspectRatio="none" role="img" aria-label="expected and '
            f'actual repeat purchases per week"><title>{_e(title)}</title>'
            f'<path class="expected" d="{path(expected)}" vector-effect="non-scaling-stroke"/>'
            f'<path class="actual" d="{path(actual)}" vector-effect="non-scaling-stroke"/></svg>'
            f'<div class="legend"><span class="key-expected">- - expected</span>'
            f'<span class="key-actual">— actual</span><span>0 to {cards.number(top, 0)} '
            f'repeat purchases a week</span></div>')


def section_html(section: Section) -> str:
    wide = section.kind == "heatmap" or len(section.columns) >= WIDE_COLUMNS
    parts = [f'<section class="report-section{" wide" if wide else ""}" id="{_e(section.name)}" '
             f'data-kind="{_e(section.kind)}"><h2>{_e(section.title)}</h2>']
    if section.note:
        parts.append(f'<p class="note">{_e(section.note)}</p>')
    if section.rows and section.kind == "tracking":
        parts.append(tracking_svg(section))
    if section.rows:
        parts.append(_table(section))
    else:
        parts.append('<p class="empty">No rows.</p>')
    parts.append("</section>")
    return "".join(parts)


# --- page ----------------------------------------------------------------------------------------
def _span(report: Report) -> str:
    if report.first and report.last:
        span = f"{report.first} – {report.last}"
    else:
        span = report.first or report.last or ""
    trend = f"trend by {report.period}" if report.period else ""
    return " · ".join(p for p in (span, trend) if p)


def _header(report: Report, groups: list[tuple[str, list[KpiResult]]]) -> str:
    parts = ['<header class="report-head">', f"<h1>{_e(report.title)}</h1>"]
    if span := _span(report):
        parts.append(f'<p class="span">{_e(span)}</p>')
    if report.sources:
        items = []
        for s in report.sources:
            files = ", ".join(s.files)
            items.append(f'<li data-source="{_e(s.source)}"><strong>{_e(_source_title(s.source))}'
                         f"</strong>{_e(files)} · {_e(_int(s.rows))} rows</li>")
        parts.append(f'<ul class="sources">{"".join(items)}</ul>')
    links = [(f"kpis-{s}", _source_title(s)) for s, _ in groups]
    links += [(s.name, s.title) for s in report.sections]
    if report.notices:
        links.append(("notices", "Notices"))
    if len(links) > 1:
        parts.append('<nav class="toc">' + "".join(f'<a href="#{_e(i)}">{_e(t)}</a>'
                                                   for i, t in links) + "</nav>")
    parts.append("</header>")
    return "".join(parts)


def _rules(report: Report) -> str:
    seen: dict[str, str] = {}
    for k in report.kpis:
        if k.rule and k.kpi not in seen:
            seen[k.kpi] = k.rule
    parts = ['<footer class="rules">']
    if seen:
        parts.append("<h2>How each KPI is computed</h2><dl>")
        parts.extend(f"<dt>{_e(info(kpi).label)}</dt><dd>{_e(rule)}</dd>"
                     for kpi, rule in seen.items())
        parts.append("</dl>")
    parts.append(f'<p class="made">Made with cxkit {_e(__version__)}.</p></footer>')
    return "".join(parts)


def to_html(report: Report) -> str:
    """The whole report as one HTML document (a str; write it as UTF-8)."""
    groups = _groups(report)
    title = report.title + (f" · {_span(report)}" if _span(report) else "")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="cxkit {_e(__version__)}">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<div class="page">',
        _header(report, groups),
        "<main>",
    ]
    for source, results in groups:
        out.append(f'<section class="group" id="kpis-{_e(source)}" data-source="{_e(source)}">'
                   f"<h2>{_e(_source_title(source))}</h2>")
        out.append('<div class="cards">' + "".join(card_html(k) for k in results) + "</div>")
        out.append("</section>")
    if report.sections:
        out.append('<div class="sections">' + "".join(section_html(s) for s in report.sections)
                   + "</div>")
    if report.notices:
        out.append('<section class="notices" id="notices"><h2>Notices</h2><ul>'
                   + "".join(f"<li>{_e(n)}</li>" for n in report.notices) + "</ul></section>")
    out.append("</main>")
    out.append(_rules(report))
    out.extend(["</div>", "</body>", "</html>", ""])
    return "\n".join(out)
