"""Report consistency: every card of `cxkit report` says the same numbers in every format.

The sample report (sample_data/cxkit.toml) is written once per format by the CLI, as a user gets
it, and read back the way a reader of that format would: the JSON parsed, the CSV and NDJSON rows
of scope `headline`, the XLSX "KPIs" sheet through Polars (calamine), the markdown KPI table, the
HTML page parsed as text (not its data- attributes), the terminal cards cut out of the screen.
For every card the value, the interval, n and the change of the last period are the JSON's.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from conftest import run_cli

from cxkit.kpi.report import info

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("-c", "sample_data/cxkit.toml")
NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, str | Path]:
    """Each format of the sample report: text for the streams, a path for the files."""
    folder = tmp_path_factory.mktemp("report")
    out: dict[str, str | Path] = {}
    for fmt in ("json", "md", "html", "xlsx"):
        path = folder / f"report.{fmt}"
        run = run_cli("report", *SETTINGS, "-o", path, "-q", cwd=ROOT)
        assert run.returncode == 0, run
        out[fmt] = path
    for fmt in ("csv", "ndjson", "table"):
        run = run_cli("report", *SETTINGS, "-f", fmt, "-q", cwd=ROOT)
        assert run.returncode == 0, run
        out[fmt] = run.stdout
    return out


@pytest.fixture(scope="module")
def cards(written) -> list[dict]:
    """The JSON cards, each with the label readers see and the decimals it is shown with."""
    kpis = json.loads(Path(written["json"]).read_text(encoding="utf-8"))["kpis"]
    assert len(kpis) >= 20  # the sample has every source: surveys, tickets, orders
    for k in kpis:
        k["shown_label"] = k.get("label") or info(k["kpi"]).label
    return kpis


def num(text: str) -> float:
    """'1,234.50' -> 1234.5; '75.7%' -> 75.7; '12.50 h' -> 12.5; '▲ +2.7 vs ...' -> 2.7."""
    found = NUMBER.search(text)
    assert found, text
    return float(found.group().replace(",", ""))


def interval(text: str) -> list[float]:
    """'95% CI 25.6 – 31.3' or '25.6 – 31.3' -> [25.6, 31.3]."""
    low, high = text.rsplit(" – ", 1)
    return [num(low.split()[-1]), num(high)]


def decimals(text: str) -> int:
    found = NUMBER.search(text)
    return len(found.group().partition(".")[2]) if found else 0


def assert_card(where: str, card: dict, value: float | None, ci: list | None, n: int,
                change: float | None) -> None:
    """The numbers a format shows for one card equal the JSON card's; None where the format
    shows none, which must be where the JSON has none (no interval, no change)."""
    name = f"{where}: {card['kpi']}"
    assert value == card["value"], (name, value, card["value"])
    assert ci == card["ci"], (name, ci, card["ci"])
    assert n == card["n"], (name, n, card["n"])
    assert change == card.get("change"), (name, change, card.get("change"))


def test_every_format_has_every_card(written, cards):
    want = [k["kpi"] for k in cards]
    headline = [r for r in csv.DictReader(io.StringIO(written["csv"])) if r["scope"] == "headline"]
    assert [r["kpi"] for r in headline] == want
    sheet = pl.read_excel(written["xlsx"], sheet_name="KPIs", engine="calamine")
    assert sheet["kpi"].to_list() == want
    assert [r[1] for r in markdown_cards(written["md"])] == [k["shown_label"] for k in cards]
    assert sorted(html_cards(written["html"])) == sorted(want)
    assert sorted(terminal_cards(written["table"])) == sorted(k["shown_label"] for k in cards)


def test_csv_and_ndjson_headlines(written, cards):
    rows = list(csv.DictReader(io.StringIO(written["csv"])))
    lines = [json.loads(line) for line in written["ndjson"].splitlines()]
    assert [r["scope"] for r in rows] == [r["scope"] for r in lines]
    by_kpi = {r["kpi"]: r for r in rows if r["scope"] == "headline"}
    by_line = {r["kpi"]: r for r in lines if r["scope"] == "headline"}
    for card in cards:
        row, line = by_kpi[card["kpi"]], by_line[card["kpi"]]
        assert row["period"] == "" and row["segment"] == ""  # the whole span, every segment

        def maybe(text: str) -> float | None:
            return None if text == "" else float(text)

        ci = [maybe(row["ci_low"]), maybe(row["ci_high"])]
        assert_card("csv", card, maybe(row["value"]), ci if ci != [None, None] else None,
                    int(row["n"]), maybe(row["change"]))
        ci = [line["ci_low"], line["ci_high"]]
        assert_card("ndjson", card, line["value"], ci if ci != [None, None] else None,
                    line["n"], line["change"])


def back(x: float | None, scale: int, digits: int) -> float | None:
    """A full XLSX value as the card shows it: x 100 for an Excel percentage, rounded."""
    return None if x is None else round(x * scale, digits) + 0.0


def test_xlsx_headlines(written, cards):
    """Full values (not rounded), shares as Excel percentages: rounded back as the card shows
    them, they are the JSON's numbers."""
    sheet = pl.read_excel(written["xlsx"], sheet_name="KPIs", engine="calamine")
    md = {r[1]: r for r in markdown_cards(written["md"])}
    for card, row in zip(cards, sheet.iter_rows(named=True), strict=True):
        scale = 100 if row["unit"] == "%" else 1
        digits = decimals(md[card["shown_label"]][2])
        ci = [back(row["ci_low"], scale, digits), back(row["ci_high"], scale, digits)]
        assert_card("xlsx", card, back(row["value"], scale, digits),
                    ci if ci != [None, None] else None, row["n"],
                    back(row["change"], scale, digits))
    # written in full: some value differs from its rounded JSON figure
    assert any(row["value"] * (100 if row["unit"] == "%" else 1) != card["value"]
               for card, row in zip(cards, sheet.iter_rows(named=True), strict=True))


# --- markdown ------------------------------------------------------------------------------------
def markdown_cards(text_or_path) -> list[list[str]]:
    text = Path(text_or_path).read_text(encoding="utf-8")
    block = text.split("## KPIs\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert block[0].startswith("| Source | KPI | Value |")
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in block[2:]]


def test_markdown_headlines(written, cards):
    rows = markdown_cards(written["md"])
    for card, (_, label, value, ci, change, _bench, _trend, n) in zip(cards, rows, strict=True):
        assert label == card["shown_label"]
        assert_card("markdown", card, num(value), interval(ci) if ci else None, int(num(n)),
                    num(change) if change else None)
        unit = info(card["kpi"]).unit
        assert value.endswith("%") == (unit == "%"), (card["kpi"], value)


# --- HTML ----------------------------------------------------------------------------------------
class CardText(HTMLParser):
    """The text of each <article class="card">, per element class (value, ci, change, n)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: dict[str, dict[str, str]] = {}
        self.kpi: str | None = None
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and "card" in (a.get("class") or "").split():
            self.kpi = a["data-kpi"]
            self.cards[self.kpi] = {}
        self.stack.append((a.get("class") or "").split()[0] if a.get("class") else "")

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()
        if tag == "article":
            self.kpi = None

    def handle_data(self, data):
        if self.kpi is None:
            return
        for cls in ("value", "ci", "change", "n"):
            if cls in self.stack:
                part = self.cards[self.kpi]
                part[cls] = part.get(cls, "") + data
                break


def html_cards(path) -> dict[str, dict[str, str]]:
    parser = CardText()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    parser.close()
    return parser.cards


def test_html_headlines(written, cards):
    shown = html_cards(written["html"])
    for card in cards:
        text = shown[card["kpi"]]
        value = None if text["value"] == "–" else num(text["value"])
        assert_card("html", card, value, interval(text["ci"]) if "ci" in text else None,
                    int(num(text["n"].removeprefix("n = "))),
                    num(text["change"]) if "change" in text else None)
        assert "ci" not in text or text["ci"].startswith("95% CI "), text


# --- terminal ------------------------------------------------------------------------------------
def terminal_cards(screen: str) -> dict[str, list[str]]:
    """Label -> the lines inside its panel, cut out of the screen at the panel's columns."""
    lines = re.sub(r"\x1b\[[0-9;]*m", "", screen).splitlines()
    found: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        for top in re.finditer(r"╭─ (.+?) ─+╮", line):
            left, right = top.start(), top.end() - 1
            inner = []
            for below in lines[i + 1:]:
                if below[left:left + 1] == "╰":
                    break
                inner.append(below[left + 1:right].strip())
            found[top.group(1)] = inner
    return found


def test_terminal_headlines(written, cards):
    panels = terminal_cards(written["table"])
    for card in cards:
        inner = panels[card["shown_label"]]
        ci = next((t for t in inner[1:3] if re.fullmatch(rf"{NUMBER.pattern} – .+", t)), None)
        change = next((t for t in inner if t[:1] in "▲▼="), None)
        n_line = next(t for t in inner if t.startswith("n="))
        assert_card("terminal", card, num(inner[0]), interval(ci) if ci else None,
                    int(num(n_line)), num(change) if change else None)
