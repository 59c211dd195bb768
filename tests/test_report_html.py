"""The HTML report: one self-contained page, read back from headless Chromium.

The browser tests open the page in Debian's Chromium (driven over the DevTools pipe, see
tests/browser.py, network off) and compare what a reader sees with the JSON report: every card's
value, the charts, hostile text shown as text, no horizontal scrolling at phone width. Without
Chromium they are skipped, except in CI (env CI set), where .ci/run installs it and a missing
browser is a failure. The pure-Python tests below them need no browser.
"""

from __future__ import annotations

import copy
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import Browser, find_chromium
from conftest import cli_commands, run_cli
from report_fixture import FORMULA, SCRIPT, make_report

from cxkit.kpi.report import SOURCES, Report, Section, Source
from cxkit.kpi.result import KpiResult
from cxkit.render import cards
from cxkit.render.html import CSP, HEAT_FROM, HEAT_TO, heat_colour, to_html, trend_svg

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
PHONE = 390

READ_CARDS = """[...document.querySelectorAll('.card')].map(c => {
  const v = c.querySelector('.value');
  return {kpi: c.dataset.kpi, source: c.dataset.source, text: v.innerText,
          data: v.dataset.value};
})"""

READ_CHARTS = """[...document.querySelectorAll('svg.trend')].map(s => {
  const line = s.querySelector('path.line');
  const box = line ? line.getBBox() : null;
  const shown = s.getBoundingClientRect();
  return {kpi: s.closest('.card').dataset.kpi, points: Number(s.dataset.points),
          d: line ? line.getAttribute('d') : null, width: box ? box.width : null,
          dots: s.querySelectorAll('path.dot').length + s.querySelectorAll('path.last').length,
          shown: [shown.width, shown.height]};
})"""


# --- the browser ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium "
                        "(apt-get install chromium) before the tests", pytrace=False)
        pytest.skip("install Debian's chromium")
    with Browser(width=1200, height=900) as b:
        yield b


def write(tmp_path: Path, report: Report, name: str = "report.html") -> Path:
    path = tmp_path / name
    path.write_text(to_html(report), encoding="utf-8")
    return path


def source_order(kpis: list[dict]) -> list[dict]:
    """The JSON cards in the order the page shows them: grouped by source."""
    seen = list(dict.fromkeys(k.get("source", "") for k in kpis))
    rank = {s: i for i, s in enumerate([s for s in SOURCES if s in seen]
                                       + [s for s in seen if s not in SOURCES])}
    return sorted(kpis, key=lambda k: rank[k.get("source", "")])


def assert_clean_load(page, path: Path) -> None:
    assert page.console_errors == []
    assert page.failed_requests == []
    assert page.requests == [path.resolve().as_uri()]  # the page itself, nothing else


def assert_values_match(shown: list[dict], kpis: list[dict], formatted: list[str] | None = None):
    """Each card's value as rendered = the JSON value (numerically, and formatted as cards does)."""
    expected = source_order(kpis)
    assert [c["kpi"] for c in shown] == [k["kpi"] for k in expected]
    for i, (card, k) in enumerate(zip(shown, expected, strict=True)):
        value = k["value"]
        assert json.loads(card["data"]) == value, card
        if value is None:
            assert card["text"] == "–", card
            continue
        assert float(card["text"].replace(",", "")) == pytest.approx(value, abs=0), card
        digits = len(card["text"].partition(".")[2])
        assert card["text"] == cards.number(value, digits), card  # separators, rounding
        if formatted is not None:
            assert card["text"] == formatted[i], card


def assert_charts_drawn(charts: list[dict]) -> None:
    for chart in charts:
        assert chart["shown"][0] > 0 and chart["shown"][1] > 0, chart
        if chart["points"] >= 2 and chart["d"] is not None:
            assert chart["d"].strip() and chart["width"] > 0, chart
        elif chart["points"] >= 2:  # values alone between gaps: one dot each, no line
            assert chart["dots"] >= chart["points"], chart


def test_fixture_page_in_chromium(browser, tmp_path):
    report = make_report()
    path = write(tmp_path, report)
    with browser.open(path) as page:
        assert_clean_load(page, path)
        shown = page.evaluate(READ_CARDS)
        by_kpi = {k.kpi: k for k in report.kpis}
        kpis = report.to_dict()["kpis"]
        for k in kpis:
            k["source"] = by_kpi[k["kpi"]].extra["source"]
        formatted = [cards.card(by_kpi[k["kpi"]]).value for k in source_order(kpis)]
        assert_values_match(shown, kpis, formatted)
        assert [c["text"] for c in shown] == ["28.5", "5.25", "70.11"]
        charts = page.evaluate(READ_CHARTS)
        assert [(c["kpi"], c["points"]) for c in charts] == [("nps", 3),
                                                             ("first_response_time", 2)]
        assert all(c["d"] for c in charts)
        assert_charts_drawn(charts)
        # the sections, in order, and the heat map coloured by the browser too
        ids = page.evaluate("[...document.querySelectorAll('section.report-section')]"
                            ".map(s => s.id)")
        assert ids == [s.name for s in report.sections]
        colours = page.evaluate("[...document.querySelectorAll('#cohort_retention td.heat')]"
                                ".map(td => [td.innerText, getComputedStyle(td).backgroundColor])")
        assert colours[0] == ["100.0", "rgb({}, {}, {})".format(*HEAT_TO)]
        assert ["", "rgba(0, 0, 0, 0)"] in colours  # None: empty, not coloured


def test_hostile_text_shows_as_text(browser, tmp_path):
    path = write(tmp_path, make_report())
    with browser.open(path) as page:
        text = page.evaluate("document.body.innerText")
        assert SCRIPT in text
        assert FORMULA in text
        assert page.evaluate("document.querySelectorAll('script').length") == 0
        cells = page.evaluate("[...document.querySelectorAll('#followup td')]"
                              ".map(td => td.textContent)")
        assert FORMULA in cells and SCRIPT in cells and "@SUM(A1:A2)" in cells
        assert page.console_errors == []


READ_STACK = """[...document.querySelectorAll('#followup tbody tr')].map(tr => ({
  display: getComputedStyle(tr).display,
  cells: [...tr.querySelectorAll('td')].filter(td => getComputedStyle(td).display !== 'none')
    .map(td => ({label: getComputedStyle(td, '::before').content, text: td.innerText,
                 right: td.getBoundingClientRect().right, left: td.getBoundingClientRect().left}))
}))"""


def test_no_page_scroll_at_phone_width(browser, tmp_path):
    path = write(tmp_path, make_report())
    with browser.open(path, width=PHONE, height=800) as page:
        page.set_viewport(PHONE, 800, mobile=True)
        assert page.evaluate("window.innerWidth") == PHONE
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        # the wide follow-up table is a stack of cards, one per row: nothing scrolls sideways
        inner = page.evaluate("(w => [w.scrollWidth, w.clientWidth])"
                              "(document.querySelector('#followup .table-wrap'))")
        assert inner[0] <= inner[1]
        rows = page.evaluate(READ_STACK)
        assert len(rows) == 2 and all(r["display"] == "block" for r in rows)
        first = {json.loads(c["label"]): c for c in rows[0]["cells"]}
        assert list(first) == ["Customer", "Name", "Score", "Comment", "Answered",
                               "Revenue to date"]  # "label: value", the header as words
        assert first["Comment"]["text"] == SCRIPT  # on screen, whole
        assert all(0 <= c["left"] and c["right"] <= PHONE for r in rows for c in r["cells"])
        cards_right = page.evaluate("Math.max(...[...document.querySelectorAll('.card')]"
                                    ".map(c => c.getBoundingClientRect().right))")
        assert cards_right <= PHONE
        # a matrix stays a matrix: the heat map scrolls inside its wrapper if it must
        assert page.evaluate("getComputedStyle(document.querySelector('#cohort_retention "
                             "tbody tr')).display") == "table-row"
    with browser.open(path) as page:  # on a desktop the same table is a table
        assert page.evaluate("getComputedStyle(document.querySelector('#followup tbody tr'))"
                             ".display") == "table-row"


READ_CHART_LABELS = """[...document.querySelectorAll('.chart')].map(ch => {
  const box = e => e ? e.getBoundingClientRect().toJSON() : null;
  const q = s => ch.querySelector(s);
  return {kpi: ch.closest('.card').dataset.kpi, svg: box(q('svg')),
          hi: q('.yaxis .hi') && q('.yaxis .hi').innerText, lo: q('.yaxis .lo') &&
          q('.yaxis .lo').innerText, hiBox: box(q('.yaxis .hi')), loBox: box(q('.yaxis .lo')),
          start: q('.axis .start').innerText, end: q('.axis .end') && q('.axis .end').innerText,
          startBox: box(q('.axis .start')), endBox: box(q('.axis .end'))};
})"""


def test_charts_are_labelled(browser, tmp_path):
    """Each chart says its highest and lowest value (on the value axis, level with the lines
    drawn at them) and its first and last period with their values, none overlapping."""
    report = make_report()
    path = write(tmp_path, report)
    for width in (1280, PHONE):
        with browser.open(path, width=width, height=900) as page:
            page.set_viewport(width, 900, mobile=width == PHONE)
            charts = {c["kpi"]: c for c in page.evaluate(READ_CHART_LABELS)}
            nps, frt = charts["nps"], charts["first_response_time"]
            assert (nps["hi"], nps["lo"]) == ("40.0", "20.0")
            assert (nps["start"], nps["end"]) == ("2025-10 20.0", "2025-12 40.0")
            assert (frt["hi"], frt["lo"]) == ("6.00", "4.50")
            for c in charts.values():
                assert c["hiBox"]["right"] <= c["svg"]["left"]  # beside the plot
                assert c["hiBox"]["top"] <= c["svg"]["top"] + 6  # level with the top line
                assert c["loBox"]["bottom"] >= c["svg"]["bottom"] - 6
                assert c["startBox"]["top"] >= c["svg"]["bottom"] - 1  # under the plot
                assert c["startBox"]["right"] < c["endBox"]["left"]  # apart
                assert c["endBox"]["right"] <= c["svg"]["right"] + 1


def test_print_drops_shadows_keeps_colours(browser, tmp_path):
    path = write(tmp_path, make_report())
    with browser.open(path) as page:
        page.send("Emulation.setEmulatedMedia", {"media": "print"})
        style = page.evaluate("(s => [s.boxShadow, s.breakInside, s.printColorAdjust])"
                              "(getComputedStyle(document.querySelector('.card')))")
        assert style == ["none", "avoid", "exact"]


def test_cli_report_in_chromium(browser, tmp_path):
    if "report" not in cli_commands():
        pytest.skip("`cxkit report` is not registered yet")
    files = ["--responses", SAMPLE / "responses.csv", "--tickets", SAMPLE / "tickets.csv",
             "--orders", SAMPLE / "orders.csv"]
    html_path, json_path = tmp_path / "report.html", tmp_path / "report.json"
    with ThreadPoolExecutor(2) as pool:  # two runs of ~2 s each, side by side
        runs = list(pool.map(lambda out: run_cli("report", *files, "-o", out, "-q"),
                             (html_path, json_path)))
    for run in runs:
        assert run.returncode == 0, run
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(data["kpis"]) >= 10
    with browser.open(html_path) as page:
        assert_clean_load(page, html_path)
        assert_values_match(page.evaluate(READ_CARDS), data["kpis"])
        charts = page.evaluate(READ_CHARTS)
        assert sum(c["points"] >= 2 for c in charts) >= 10
        assert_charts_drawn(charts)
        ids = page.evaluate("[...document.querySelectorAll('section.report-section')]"
                            ".map(s => s.id)")
        assert ids == list(data["tables"])
        for name, table in data["tables"].items():
            rows = page.evaluate(f"document.querySelectorAll('#{name} tbody tr').length")
            assert rows == len(table["rows"]), name
        page.set_viewport(PHONE, 800, mobile=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        assert page.console_errors == []
    html = html_path.read_text(encoding="utf-8")
    assert_self_contained(html)


# --- without a browser ---------------------------------------------------------------------------
def assert_self_contained(html: str) -> None:
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert "@import" not in html and "url(" not in html
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.close()
    return tags


def hostile_report() -> Report:
    """Hostile text in every place text goes: titles, notes, names, files, labels, periods."""
    bad = '"><img src=x onerror=alert(1)>' + SCRIPT
    report = make_report()
    report.title = bad
    report.period = bad
    report.first, report.last = bad, bad
    report.sources.append(Source(bad, [bad, "a&b.csv"], 7, {}))
    report.notices.append(bad)
    report.kpis[0].trend[0]["period"] = bad
    report.kpis[0].rule = bad
    report.kpis[0].dropped[bad] = 2
    report.kpis[0].benchmark = {"sector": bad, "good": 0.0, "excellent": 50.0, "status": bad}
    odd = copy.deepcopy(report.kpis[2])
    odd.kpi, odd.extra = bad, {"source": bad}
    report.kpis.append(odd)
    report.sections.append(Section(bad, bad, [bad, "n"], [[bad, 1]], note=bad, kind=bad))
    return report


ALLOWED_ATTRS = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "title",
                 "href", "style", "role", "aria-label", "viewbox", "preserveaspectratio",
                 "height", "d", "vector-effect", "scope"}


def test_all_data_text_is_escaped():
    html = to_html(hostile_report())
    assert_self_contained(html)
    tags = parse(html)
    assert {t for t, _ in tags.tags} <= {"html", "head", "meta", "title", "style", "body", "div",
                                         "header", "h1", "h2", "h3", "p", "ul", "li", "strong",
                                         "nav", "a", "main", "section", "article", "span",
                                         "svg", "path", "table", "thead", "tbody", "tr", "th",
                                         "td", "footer", "dl", "dt", "dd"}
    for tag, attrs in tags.tags:
        for name, value in attrs.items():
            assert name in ALLOWED_ATTRS or name.startswith("data-"), (tag, name, value)
            if name == "href":
                assert value.startswith("#"), value
            if name == "style":
                assert re.fullmatch(r"background:#[0-9a-f]{6};color:#[0-9a-f]{6}", value)
    text = "".join(tags.text)
    assert text.count(SCRIPT) >= 10  # shown, as text, wherever it was put
    assert "<img" not in html and "<script" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10


def test_fixture_text_escaped_and_formula_kept():
    html = to_html(make_report())
    assert_self_contained(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)" in html
    assert FORMULA in "".join(parse(html).text)  # shown as typed: no quote, no apostrophe


def test_deterministic():
    first, second = to_html(make_report()), to_html(make_report())
    assert first == second
    assert first.encode("utf-8") == second.encode("utf-8")
    assert not re.search(r"20\d\d-\d\d-\d\dT|\d\d:\d\d:\d\d", first)  # no time stamp


def test_page_skeleton():
    html = to_html(make_report())
    assert html.startswith("<!DOCTYPE html>\n")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html and "print-color-adjust:exact" in html
    assert "auto-fill" in html and "minmax(" in html
    order = [html.index(s) for s in ('class="report-head"', 'id="kpis-responses"',
                                     'id="kpis-tickets"', 'id="kpis-orders"',
                                     'id="nps_by_channel"', 'id="cohort_retention"',
                                     'id="followup"', 'id="notices"', 'class="rules"')]
    assert order == sorted(order)
    assert "2025-10-01 – 2025-12-31" in html
    assert "r.csv · 124 rows" in html and "o.csv · 8,374 rows" in html
    assert "promoters 9-10 ..." in html and "revenue / orders" in html  # the rules


def card_html(html: str, kpi: str) -> str:
    start = html.index(f'data-kpi="{kpi}"')
    return html[start:html.index("</article>", start)]


def test_cards():
    html = to_html(make_report())
    nps = card_html(html, "nps")
    assert '<span class="value" data-value="28.5">28.5</span>' in nps
    assert "95% CI 15.2 – 41.7" in nps
    assert 'data-tone="better"' in nps and "▲" in nps and "+15.0 vs 2025-11" in nps
    assert "not significant" in nps
    assert 'data-status="good"' in nps and "good for ecommerce" in nps
    assert "n = 120 · " in nps and "4 dropped" in nps
    assert 'data-points="3"' in nps and "2025-10" in nps and "2025-12" in nps
    frt = card_html(html, "first_response_time")
    assert 'data-value="5.25">5.25</span><span class="unit">h</span>' in frt
    assert 'data-tone="better"' in frt and "▼" in frt and "· significant" in frt
    aov = card_html(html, "aov")
    assert "95% CI 68.94 – 71.29" in aov and "n = 8,369" in aov
    assert "svg" not in aov and "change" not in aov  # no trend: no chart, no change


def test_card_confidence_and_missing_value():
    report = make_report()
    report.kpis[0].confidence = 0.9
    report.kpis[1].value, report.kpis[1].ci = None, None
    report.kpis[1].change = 0.0
    html = to_html(report)
    assert "90% CI 15.2 – 41.7" in card_html(html, "nps")
    frt = card_html(html, "first_response_time")
    assert 'data-value="null">–</span>' in frt and "CI" not in frt
    assert 'data-tone="flat"' in frt and "►" in frt


def test_heatmap_cells():
    html = to_html(make_report())
    start = html.index('id="cohort_retention"')
    section = html[start:html.index("</section>", start)]
    assert 'class="heatmap"' in section
    cells = re.findall(r'<td class="heat"([^>]*)>([^<]*)</td>', section)
    assert len(cells) == 9
    coloured = [(a, t) for a, t in cells if "background" in a]
    assert len(coloured) == 6 and all(t for _, t in coloured)
    assert [t for a, t in cells if "background" not in a] == ["", "", ""]  # None: empty
    assert f'style="background:{heat_colour(100.0)[0]};color:#ffffff">100.0' in section
    assert "35.5" in section and "38.8" in section
    assert heat_colour(0.0) == ("#ffffff", "#1b2430")
    assert heat_colour(100.0) == ("#{:02x}{:02x}{:02x}".format(*HEAT_TO), "#ffffff")
    assert heat_colour(-5.0)[0] == "#{:02x}{:02x}{:02x}".format(*HEAT_FROM)
    assert heat_colour(250.0) == heat_colour(100.0)
    shades = [int(heat_colour(v)[0][1:3], 16) for v in (0, 25, 50, 75, 100)]
    assert shades == sorted(shades, reverse=True)  # darker as the share grows


def test_table_cells_formatted():
    html = to_html(make_report())
    start = html.index('id="followup"')
    followup = html[start:html.index("</section>", start)]
    assert '<td class="num" data-label="Revenue to date">250.00</td>' in followup  # digits 2
    assert '<td class="num" data-label="Score">2</td>' in followup
    assert '<td class="date" data-label="Answered">2025-12-01</td>' in followup  # one line
    report = make_report()
    report.sections = [Section("t", "T", ["a", "big", "share", "flag", "gap", "empty"],
                               [["x", 1234567, 12.345, True, None, None],
                                ["y", 2, 50.0, False, 1.5, ""]], column_digits=[0, 0, 2, 0, 1],
                               units=["", "count", "%", "", "", ""])]
    body = re.search(r"<tbody>(.*)</tbody>", to_html(report)).group(1)
    assert body == ('<tr><td data-label="a">x</td><td class="num" data-label="big">1,234,567'
                    '</td><td class="num" data-label="share">12.35%</td>'
                    '<td data-label="flag">yes</td><td class="none" data-label="gap"></td></tr>'
                    '<tr><td data-label="a">y</td>'
                    '<td class="num" data-label="big">2</td><td class="num" data-label="share">'
                    '50.00%</td><td data-label="flag">no</td>'
                    '<td class="num" data-label="gap">1.5</td></tr>')  # "empty": left out
    head = re.search(r"<thead>(.*)</thead>", to_html(report)).group(1)
    assert "empty" not in head and '<th scope="col" class="num">share</th>' in head


def test_headers_are_words_and_shares_carry_percent():
    """Known field names read as words; a share has its % (not the heat map: its note says
    it); a column empty in every row (no e-mail in the export) is left out."""
    report = make_report()
    report.sections = [Section("nps_revenue", "NPS x revenue",
                               ["category", "customers", "revenue_share", "ordered_again_n",
                                "email"],
                               [["promoter", 614, 48.6912, 279, None],
                                ["detractor", 233, 19.99, 104, ""]], digits=2)]
    html = to_html(report)
    head = re.search(r"<thead>(.*)</thead>", html).group(1)
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", head)
    assert headers == ["Category", "Customers", "Share of revenue",
                       "Customers with a full window"]
    assert ">48.69%</td>" in html and ">279</td>" in html
    assert "_" not in "".join(headers)
    cohort = to_html(make_report()).split('id="cohort_retention"')[1].split("</section>")[0]
    assert "%" not in re.sub(r"<[^>]+>", "", cohort.split("<tbody>")[1])


@pytest.mark.parametrize("values", [[], [None, None], [5.0], [3.0, 3.0, 3.0], [0.0, 0.0],
                                    [1.0, None, 2.0], [None, 1.0, 2.0, None, 4.0],
                                    [float("nan"), 1.0, 2.0], list(range(60))])
def test_trend_chart_edge_cases(values):
    periods = [f"p{i}" for i in range(len(values))]
    svg = trend_svg(values, periods, "KPI")
    drawn = [v for v in values if v is not None and v == v]
    if not drawn:
        assert svg == ""
        return
    assert f'data-points="{len(drawn)}"' in svg
    assert "nan" not in svg.lower() and "inf" not in svg.lower()
    coordinates = [float(c) for c in re.findall(r"-?\d+(?:\.\d+)?", svg.split("</title>")[1])]
    assert all(-1 <= c <= 241 for c in coordinates)
    assert svg.count('class="last"') == 1
    assert ('class="line"' in svg) == any(
        a is not None and b is not None and a == a and b == b
        for a, b in zip(values, values[1:], strict=False))


def test_trend_chart_geometry():
    flat = trend_svg([3.0, 3.0, 3.0], ["a", "b", "c"], "KPI")
    assert 'd="M5 28 L120 28 L235 28"' in flat  # constant: a level line in the middle
    one = trend_svg([7.0], ["a"], "KPI")
    assert 'class="line"' not in one and 'd="M120 28h0"' in one  # one value: a dot, centred
    gaps = trend_svg([1.0, None, 2.0, 3.0], list("abcd"), "KPI")
    assert 'class="dot" d="M5 51h0"' in gaps  # alone between gaps
    assert re.search(r'class="line" d="M158\.33 28 L235 5"', gaps)
    up = trend_svg([0.0, 10.0], ["a", "b"], "KPI")
    assert 'd="M5 51 L235 5"' in up  # higher is drawn higher (smaller y)


def test_sources_and_kpis_of_an_unknown_source():
    report = make_report()
    report.kpis[2].extra["source"] = "crm"
    report.first = report.last = None
    html = to_html(report)
    assert html.index('id="kpis-tickets"') < html.index('id="kpis-crm"')
    assert 'id="kpis-orders"' not in html
    assert "trend by month" in html and " – " not in html.split("<body>")[1].split("</h1>")[1][:80]


def test_empty_report():
    html = to_html(Report(title="Empty", period="month", sources=[], kpis=[]))
    assert_self_contained(html)
    assert "<article" not in html and "<table" not in html
    assert "<h1>Empty</h1>" in html


def test_one_card_result_is_the_json_value():
    k = KpiResult(kpi="revenue", value=1234567.891, n=3, ci=None, counts={}, dropped={},
                  rule="sum", digits=2, extra={"source": "orders"})
    report = Report(title="R", period="month", sources=[], kpis=[k])
    html = to_html(report)
    assert 'data-value="1234567.89">1,234,567.89</span>' in html
    assert report.to_dict()["kpis"][0]["value"] == 1234567.89
