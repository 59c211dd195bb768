"""The report as XLSX: read back, it says what the JSON report says, and no cell is a formula."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import fastexcel
import polars as pl
import pytest
from report_fixture import FORMULA, SCRIPT, make_report

from cxkit.kpi.report import Report, Section
from cxkit.kpi.result import KpiResult
from cxkit.render.machine import neutralise
from cxkit.render.xlsx import SECTION_HEADER_ROW, section_sheet_names, sheet_name, to_xlsx

BAD_CHARS = set("[]:*?/\\")


def write(tmp_path: Path, report: Report, name: str = "report.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(to_xlsx(report))
    return path


def sheet(path: Path, name: str, header_row: int = 0) -> pl.DataFrame:
    return pl.read_excel(path, sheet_name=name, engine="calamine",
                         read_options={"header_row": header_row})


def sheet_xml(path: Path) -> dict[str, str]:
    """Sheet name -> its worksheet XML (xlsxwriter numbers the parts in sheet order)."""
    names = fastexcel.read_excel(str(path)).sheet_names
    with zipfile.ZipFile(path) as z:
        parts = sorted((n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                       key=lambda n: int(re.findall(r"\d+", n)[0]))
        assert len(parts) == len(names)
        return {name: z.read(part).decode("utf-8") for name, part in zip(names, parts, strict=True)}


@pytest.fixture(scope="module")
def report() -> Report:
    return make_report()


@pytest.fixture
def path(tmp_path: Path, report: Report) -> Path:
    return write(tmp_path, report)


def test_sheets_in_order(path, report):
    assert fastexcel.read_excel(str(path)).sheet_names == [
        "KPIs", "Trends", "nps_by_channel", "cohort_retention", "followup", "Sources", "Notices"]


def test_kpi_rows_equal_the_json(path, report):
    df = sheet(path, "KPIs")
    assert df.columns == ["source", "kpi", "label", "value", "unit", "ci_low", "ci_high",
                          "confidence", "n", "dropped", "change", "significant", "benchmark",
                          "rule"]
    assert df["value"].dtype.is_numeric() and df["n"].dtype.is_numeric()
    kpis = report.to_dict()["kpis"]
    assert df.height == len(kpis)
    for row, want, result in zip(df.iter_rows(named=True), kpis, report.kpis, strict=True):
        assert row["kpi"] == want["kpi"]
        assert row["source"] == result.extra["source"]
        # in full (a spreadsheet computes with them); rounded as the JSON, they are its numbers
        assert row["value"] == result.value
        assert round(row["value"], result.digits) == want["value"]
        assert row["n"] == want["n"]
        assert [row["ci_low"], row["ci_high"]] == (list(result.ci) if result.ci else [None, None])
        assert row["confidence"] == want["confidence"]
        assert row["change"] == result.change
        assert row["significant"] == want.get("significant")
        assert row["dropped"] == sum(want["dropped"].values())
        assert row["rule"] == want["rule"]
    assert df["value"][0] == 28.456 and df["ci_low"][0] == 15.2
    assert df["label"].to_list() == ["NPS", "First response", "Average order value"]
    assert df["unit"].to_list()[:2] == [None, "h"]  # "" is an empty cell
    assert df["benchmark"][0].startswith("good for ecommerce")


def test_kpi_number_formats_follow_the_digits(path):
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
    for fmt in ("#,##0.0", "#,##0.00", "#,##0", "0%"):
        assert f'formatCode="{fmt}"' in styles


def cell_formats(path: Path, sheet_name: str) -> dict[str, str]:
    """Cell reference ("B4") -> the number format it is shown with ("" for General)."""
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
    codes = {int(i): c for i, c in re.findall(r'numFmtId="(\d+)" formatCode="([^"]*)"', styles)}
    codes |= {0: "", 9: "0%", 10: "0.00%", 3: "#,##0", 4: "#,##0.00", 14: "yyyy-mm-dd"}
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    ids = [int(m) for m in re.findall(r'<xf numFmtId="(\d+)"', xfs)]
    xml = sheet_xml(path)[sheet_name]
    out = {}
    for ref, style in re.findall(r'<c r="([A-Z]+\d+)"(?: s="(\d+)")?', xml):
        out[ref] = codes.get(ids[int(style)] if style else 0, "?")
    return out


def test_full_values_formatted_by_unit(tmp_path):
    """Breakdowns in full, money with 2 decimals, shares as Excel percentages, counts whole,
    dates as dates: a spreadsheet user can compute with every cell."""
    from datetime import date

    section = Section("orders_by_channel", "Orders by channel",
                      ["channel", "n", "Revenue", "Return rate %", "CES", "answered"],
                      [["web", 4349, 307573.3612, 5.0123, 1.9234, "2025-04-16"],
                       ["app", 2742, 187619.69, 5.8, 1.7, None]],
                      column_digits=[0, 0, 2, 1, 2, 0],
                      labels=["channel", "n", "Revenue", "Return rate", "CES", "Answered"],
                      units=["", "count", "money", "%", "", "date"])
    kpi = KpiResult(kpi="csat", value=75.6789, n=10, ci=(70.12, 80.5), counts={}, dropped={},
                    rule="r", extra={"source": "responses"},
                    trend=[{"period": "2025-11", "value": 73.0, "n": 5},
                           {"period": "2025-12", "value": 78.3, "n": 5}], change=5.3)
    path = write(tmp_path, Report(title="t", period="month", sources=[], kpis=[kpi],
                                  sections=[section]))
    df = sheet(path, "orders_by_channel", header_row=SECTION_HEADER_ROW)
    assert df.columns == ["channel", "n", "Revenue", "Return rate", "CES", "Answered"]
    assert df.row(0) == ("web", 4349, 307573.3612, pytest.approx(0.050123), 1.9234,
                         date(2025, 4, 16))
    formats = cell_formats(path, "orders_by_channel")
    assert [formats[f"{c}4"] for c in "BCDEF"] == ["#,##0", "#,##0.00", "0.0%", "#,##0.00",
                                                   "yyyy-mm-dd"]
    kpis = sheet(path, "KPIs")
    assert kpis.row(0, named=True)["value"] == pytest.approx(0.756789)  # 75.7 %
    assert kpis.row(0, named=True)["ci_low"] == pytest.approx(0.7012)
    assert kpis.row(0, named=True)["change"] == pytest.approx(0.053)
    assert cell_formats(path, "KPIs")["D2"] == "0.0%"
    assert sheet(path, "Trends")["value"].to_list() == pytest.approx([0.73, 0.783])


def test_trends_long_format(path, report):
    df = sheet(path, "Trends")
    assert df.columns == ["source", "kpi", "period", "value", "n"]
    want = [(r.extra["source"], r.kpi, t["period"], t["value"], t["n"])
            for r, d in zip(report.kpis, report.to_dict()["kpis"], strict=True)
            for t in d.get("trend", [])]
    assert df.rows() == want
    assert len(want) == 5


def back(value, unit: str, digits: int):
    """A cell read back as the JSON shows it: a percentage x 100, rounded, a date as text."""
    if isinstance(value, float) or (unit == "%" and isinstance(value, int)):
        return round(value * (100 if unit == "%" else 1), digits) + 0.0
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def test_section_rows_equal_the_json(path, report):
    tables = report.to_dict()["tables"]
    for section in report.sections:
        raw = sheet(path, section.name, header_row=None)
        assert raw.row(0)[0] == section.title
        df = sheet(path, section.name, header_row=SECTION_HEADER_ROW)
        table = tables[section.name]
        assert df.columns == [neutralise(c) for c in table["labels"]]
        units = ["%" if section.kind == "heatmap" and i >= 2 else u
                 for i, u in enumerate(table["units"])]
        got = [tuple(back(v, units[i], section.digits_at(i)) for i, v in enumerate(row))
               for row in df.rows()]
        assert got == [tuple(neutralise(c) for c in row) for row in table["rows"]], section.name


def test_note_under_the_title(path):
    raw = sheet(path, "nps_by_channel", header_row=None)
    assert raw.row(1)[0] == "segments of responses"
    assert raw.row(2) == ("channel", "NPS", "n")


def test_hostile_text_stays_text(path):
    df = sheet(path, "followup", header_row=SECTION_HEADER_ROW)
    assert df["Name"].to_list() == ["'" + FORMULA, "'@SUM(A1:A2)"]
    assert df["Comment"].to_list() == [SCRIPT, "'-2+3 fine"]
    assert sheet(path, "nps_by_channel", header_row=SECTION_HEADER_ROW)["channel"][1] == SCRIPT


def test_no_cell_is_a_formula(path):
    xml = sheet_xml(path)
    assert len(xml) == 7
    for name, text in xml.items():
        assert not re.search(r"<f[\s>/]", text), name
    with zipfile.ZipFile(path) as z:
        shared = z.read("xl/sharedStrings.xml").decode("utf-8")
    assert "&apos;=HYPERLINK" in shared or "'=HYPERLINK" in shared


def test_sources_and_notices(path, report):
    df = sheet(path, "Sources")
    assert df.columns == ["source", "files", "rows", "columns"]
    assert df.rows() == [("responses", "r.csv", 124, "nps_score: nps"),
                         ("tickets", "t.csv", 312, "created_at: Created at"),
                         ("orders", "o.csv", 8374, "amount: amount")]
    assert sheet(path, "Notices")["notice"].to_list() == report.notices


def test_no_notices_no_sheet(tmp_path, report):
    bare = Report(title="t", period="month", sources=report.sources, kpis=report.kpis,
                  sections=[], notices=[])
    names = fastexcel.read_excel(str(write(tmp_path, bare))).sheet_names
    assert names == ["KPIs", "Trends", "Sources"]


def test_heatmap_has_a_colour_scale(path):
    xml = sheet_xml(path)
    heat = xml["cohort_retention"]
    assert "<conditionalFormatting" in heat and 'type="colorScale"' in heat
    assert 'sqref="C4:E6"' in heat  # the shares only: not the cohort or its size
    for name, text in xml.items():
        if name != "cohort_retention":
            assert "conditionalFormatting" not in text, name


def test_frozen_header_and_filter(path):
    xml = sheet_xml(path)
    assert 'ySplit="3"' in xml["followup"] and '<autoFilter ref="A3:F5"' in xml["followup"]
    assert 'ySplit="1"' in xml["KPIs"] and '<autoFilter ref="A1:N4"' in xml["KPIs"]


def test_same_report_same_bytes(report):
    first = to_xlsx(report)
    assert to_xlsx(make_report()) == first
    with zipfile.ZipFile(__import__("io").BytesIO(first)) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "2025-12-31T00:00:00Z" in core


def test_nan_is_an_empty_cell(tmp_path):
    nan = KpiResult(kpi="csat", value=float("nan"), n=0, ci=None, counts={}, dropped={},
                    rule="r", extra={"source": "responses"})
    bare = Report(title="t", period="month", sources=[], kpis=[nan],
                  sections=[Section("s", "S", ["a", "b"], [["x", float("inf")], ["y", 1.25]])])
    path = write(tmp_path, bare)
    assert sheet(path, "KPIs")["value"].to_list() == [None]
    assert sheet(path, "s", header_row=SECTION_HEADER_ROW).rows() == [("x", None), ("y", 1.25)]


def test_sheet_names_valid_and_unique(tmp_path, report):
    long = "responses_nps_by_a_very_long_segment_column_name"
    names = [long, long + "_2", "kpis", "Sources", "a[b]:c*d?e/f\\g", "'quoted'", "", "history",
             "nps", "NPS"]
    sections = [Section(n, f"Title {i}", ["k", "v"], [[f"row {i}", i]])
                for i, n in enumerate(names)]
    big = Report(title="t", period="month", sources=report.sources, kpis=report.kpis,
                 sections=sections, notices=["x"])
    path = write(tmp_path, big)
    sheets = fastexcel.read_excel(str(path)).sheet_names
    assert sheets[:2] == ["KPIs", "Trends"] and sheets[-2:] == ["Sources", "Notices"]
    assert sheets[2:-2] == section_sheet_names(big)
    assert len({s.casefold() for s in sheets}) == len(sheets)
    for s in sheets:
        assert 1 <= len(s) <= 31, s
        assert not BAD_CHARS & set(s), s
        assert not s.startswith("'") and not s.endswith("'"), s
        assert s.casefold() != "history"
    assert sheets[2] == long[:31] and sheets[3] == long[:29] + "_2"
    assert sheets[4].casefold() != "kpis" and sheets[5].casefold() != "sources"
    assert sheets[10:12] == ["nps", "NPS_2"]
    # each section's table is on its own sheet
    for i, s in enumerate(sheets[2:-2]):
        assert sheet(path, s, header_row=None).row(0)[0] == f"Title {i}"
        assert sheet(path, s, header_row=SECTION_HEADER_ROW).rows() == [(f"row {i}", i)]


def test_sheet_name_rules():
    taken: set[str] = set()
    assert sheet_name("followup", taken) == "followup"
    assert sheet_name("FOLLOWUP", taken) == "FOLLOWUP_2"
    assert sheet_name("followup", taken) == "followup_3"
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("x" * 40, taken) == "x" * 29 + "_2"
    assert sheet_name("a/b", taken) == "a_b"
