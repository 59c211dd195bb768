"""The report as an Excel workbook: `to_xlsx(report) -> bytes`.

Sheets, in order: "KPIs" (one row per card), "Trends" (long format: one row per KPI and period),
one sheet per report section (named after `Section.name`), "Sources", and "Notices" if any.

Numbers are written as numbers, in full (not rounded: a spreadsheet user computes with them), and
formatted by what they are: money with two decimals, counts as whole numbers, other values with
the decimals the JSON report shows. Percentages are Excel percentages: CSAT 75.7 % is the number
0.757 shown as 75.7%, so `=B2*C2` needs no /100. Dates of the tables (answered, last order) are
Excel dates. Every text cell goes through the CSV's formula guard (`neutralise`) and is written as
a string, never a formula, so a customer name such as `=HYPERLINK(...)` stays text. The same
report gives the same bytes: the creation date is the report's last day (or 2000-01-01), and
xlsxwriter dates the zip entries 1980.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from io import BytesIO
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cxkit.kpi.report import Report, Section, info
from cxkit.render.cards import card
from cxkit.render.machine import neutralise

KPI_COLUMNS = ["source", "kpi", "label", "value", "unit", "ci_low", "ci_high", "confidence", "n",
               "dropped", "change", "significant", "benchmark", "rule"]
TREND_COLUMNS = ["source", "kpi", "period", "value", "n"]
SOURCE_COLUMNS = ["source", "files", "rows", "columns"]
FIXED_SHEETS = ("KPIs", "Trends", "Sources", "Notices")

SHEET_MAX = 31  # Excel's limit on sheet names
SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
WIDTH_MIN, WIDTH_MAX = 6, 60
HEADER_FILL = "#DDE4EE"
HEAT_LOW, HEAT_HIGH = "#FFFFFF", "#63BE7B"  # white -> green, shares 0-100
SECTION_HEADER_ROW = 2  # row 1 title, row 2 note (blank if none), row 3 the table header
FALLBACK_DATE = datetime(2000, 1, 1)


def number_format(digits: int) -> str:
    """'#,##0' for 0 digits (counts), '#,##0.0' for 1, '#,##0.00' for 2, ..."""
    return "#,##0" if digits <= 0 else "#,##0." + "0" * digits


def percent_format(digits: int) -> str:
    """'0%' for 0 digits, '0.0%' for 1, ... (the cell holds the fraction: 0.757 is 75.7%)."""
    return "0%" if digits <= 0 else "0." + "0" * digits + "%"


MONEY_FORMAT, COUNT_FORMAT, DATE_FORMAT = "#,##0.00", "#,##0", "yyyy-mm-dd"
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def unit_format(unit: str, digits: int) -> tuple[float, str]:
    """(factor, number format) of a value of `unit` (`cxkit.kpi.report.COLUMN_UNITS`, or a
    KPI's unit): a share on 0-100 is written as a fraction with a % format."""
    if unit == "%":
        return 0.01, percent_format(digits)
    if unit == "money":
        return 1.0, MONEY_FORMAT
    if unit == "count":
        return 1.0, COUNT_FORMAT
    return 1.0, number_format(digits)


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid Excel sheet name for `name`, not in `taken` (compared case-insensitively).

    Drops []:*?/\\ and control characters, strips leading and trailing apostrophes, cuts to 31
    characters, and appends _2, _3, ... when the name is taken. Adds the result to `taken`."""
    base = SHEET_BAD.sub("_", name).strip().strip("'").strip() or "Sheet"
    if base.casefold() == "history":  # reserved by Excel
        base = "History_"
    candidate, i = base[:SHEET_MAX], 1
    while candidate.casefold() in taken:
        i += 1
        suffix = f"_{i}"
        candidate = base[: SHEET_MAX - len(suffix)].rstrip("'") + suffix
    taken.add(candidate.casefold())
    return candidate


def section_sheet_names(report: Report) -> list[str]:
    """The sheet name of each of `report.sections`, in order (valid, unique, never a fixed name)."""
    taken = {n.casefold() for n in FIXED_SHEETS}
    return [sheet_name(s.name, taken) for s in report.sections]


def _created(report: Report) -> datetime:
    try:
        return datetime.strptime(report.last or "", "%Y-%m-%d")
    except ValueError:
        return FALLBACK_DATE


class _Formats:
    """The workbook's cell formats, made once each."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple[str, ...], Format] = {}
        self.header = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "bottom": 1})
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.note = wb.add_format({"italic": True, "font_color": "#555555"})

    def num(self, fmt: str) -> Format:
        key = ("num", fmt)
        if key not in self.cache:
            self.cache[key] = self.wb.add_format({"num_format": fmt})
        return self.cache[key]


class _Sheet:
    """A worksheet plus the widest text seen per column (for column widths)."""

    def __init__(self, wb: Workbook, name: str, formats: _Formats) -> None:
        self.ws: Worksheet = wb.add_worksheet(name)
        self.f = formats
        self.widths: dict[int, int] = {}

    def _seen(self, col: int, text: str) -> None:
        longest = max((len(line) for line in text.splitlines()), default=0)
        self.widths[col] = max(self.widths.get(col, 0), longest)

    def text(self, row: int, col: int, value: str, fmt: Format | None = None,
             measure: bool = True) -> None:
        value = neutralise(value)
        self.ws.write_string(row, col, value, fmt)
        if measure:
            self._seen(col, value)

    def cell(self, row: int, col: int, value: Any, digits: int | None = None,
             fmt: str | None = None, scale: float = 1.0) -> None:
        """Write one value: bool, number (in full, times `scale`, shown with `fmt`), None and ""
        as blank, else text. `digits` is what the format shows (for the column width)."""
        if isinstance(value, float) and not math.isfinite(value):
            value = None  # NaN, inf -> an empty cell, as null in JSON
        if value is None or value == "":
            return  # an empty cell, not an empty string
        if isinstance(value, bool):
            self.ws.write_boolean(row, col, value)
            self._seen(col, "FALSE")
        elif isinstance(value, (int, float)):
            number = value * scale if scale != 1.0 else value
            self.ws.write_number(row, col, number, self.f.num(fmt) if fmt else None)
            if scale != 1.0:  # a percentage: "75.7%"
                shown = f"{value:,.{digits or 0}f}%"
            elif isinstance(value, float):
                shown = f"{value:,.{2 if digits is None else digits}f}"
            else:
                shown = f"{value:,}"
            self._seen(col, shown)
        else:
            self.text(row, col, str(value))

    def date(self, row: int, col: int, value: Any) -> None:
        """A YYYY-MM-DD text as an Excel date (other text as text)."""
        if isinstance(value, str) and DATE_TEXT.fullmatch(value):
            try:
                day = datetime.strptime(value, "%Y-%m-%d")
            except ValueError:
                day = None
            if day is not None:
                self.ws.write_datetime(row, col, day, self.f.num(DATE_FORMAT))
                self._seen(col, value)
                return
        self.cell(row, col, value)

    def header(self, row: int, columns: list[str]) -> None:
        for c, name in enumerate(columns):
            self.text(row, c, str(name), self.f.header)

    def finish(self, header_row: int, ncols: int, last_row: int) -> None:
        """Freeze below the header, filter the table, size the columns by their content."""
        self.ws.freeze_panes(header_row + 1, 0)
        if ncols:
            self.ws.autofilter(header_row, 0, max(last_row, header_row), ncols - 1)
        for c in range(ncols):  # + 4: a margin and the filter button
            self.ws.set_column(c, c, min(max(self.widths.get(c, 0) + 4, WIDTH_MIN), WIDTH_MAX))


def _kpis_sheet(wb: Workbook, f: _Formats, report: Report, kpis: list[dict[str, Any]]) -> None:
    sh = _Sheet(wb, "KPIs", f)
    sh.header(0, KPI_COLUMNS)
    for i, (result, d) in enumerate(zip(report.kpis, kpis, strict=True), start=1):
        c = card(result)
        digits = result.digits
        unit = info(result.kpi).unit
        scale, num = unit_format(unit, digits)
        ci = list(result.ci) if result.ci else [None, None]
        change = result.change if "change" in d else None
        row = {
            "source": report.source_of(result), "kpi": result.kpi, "label": c.label,
            "value": (result.value, num, scale), "unit": unit,
            "ci_low": (ci[0], num, scale), "ci_high": (ci[1], num, scale),
            "confidence": (d.get("confidence"), "0%", 1.0), "n": (d.get("n"), COUNT_FORMAT, 1.0),
            "dropped": (c.dropped, COUNT_FORMAT, 1.0), "change": (change, num, scale),
            "significant": d.get("significant"), "benchmark": c.benchmark, "rule": result.rule,
        }
        for col, name in enumerate(KPI_COLUMNS):
            value = row[name]
            if isinstance(value, tuple):
                sh.cell(i, col, value[0], digits if name != "confidence" else None, value[1],
                        value[2])
            else:
                sh.cell(i, col, value)
    sh.finish(0, len(KPI_COLUMNS), len(report.kpis))


def _trends_sheet(wb: Workbook, f: _Formats, report: Report, kpis: list[dict[str, Any]]) -> None:
    sh = _Sheet(wb, "Trends", f)
    sh.header(0, TREND_COLUMNS)
    r = 0
    for result in report.kpis:
        scale, num = unit_format(info(result.kpi).unit, result.digits)
        for point in result.trend:
            r += 1
            sh.cell(r, 0, report.source_of(result))
            sh.cell(r, 1, result.kpi)
            period = point.get("period")
            sh.cell(r, 2, None if period is None else str(period))
            sh.cell(r, 3, point.get("value"), result.digits, num, scale)
            sh.cell(r, 4, point.get("n"), None, COUNT_FORMAT)
    sh.finish(0, len(TREND_COLUMNS), r)


def _section_sheet(wb: Workbook, f: _Formats, section: Section, name: str) -> None:
    sh = _Sheet(wb, name, f)
    sh.text(0, 0, section.title, f.title, measure=False)  # long titles run over empty cells
    if section.note:
        sh.text(1, 0, section.note, f.note, measure=False)
    top = SECTION_HEADER_ROW
    ncols = max([len(section.columns), *(len(row) for row in section.rows)])
    sh.header(top, [section.label_at(i) for i in range(len(section.columns))])
    heat = section.kind == "heatmap"
    for i, row in enumerate(section.rows, start=top + 1):
        for c, value in enumerate(row):
            unit = "%" if heat and c >= 2 else section.unit_at(c)
            digits = section.digits_at(c)
            if unit == "date":
                sh.date(i, c, value)
            elif unit or isinstance(value, float):
                scale, fmt = unit_format(unit, digits)
                sh.cell(i, c, value, digits, fmt, scale)
            else:
                sh.cell(i, c, value)  # ints of no unit keep the General format: ids, years
    last = top + len(section.rows)
    if heat and section.rows and ncols > 2:
        sh.ws.conditional_format(top + 1, 2, last, ncols - 1, {
            "type": "2_color_scale",
            "min_type": "num", "min_value": 0, "min_color": HEAT_LOW,
            "max_type": "num", "max_value": 1, "max_color": HEAT_HIGH,
        })
    sh.finish(top, ncols, last)


def _sources_sheet(wb: Workbook, f: _Formats, report: Report) -> None:
    sh = _Sheet(wb, "Sources", f)
    sh.header(0, SOURCE_COLUMNS)
    for i, src in enumerate(report.sources, start=1):
        sh.cell(i, 0, src.source)
        sh.cell(i, 1, ", ".join(src.files))
        sh.cell(i, 2, src.rows, None, COUNT_FORMAT)
        sh.cell(i, 3, "; ".join(f"{role}: {col}" for role, col in src.columns.items()))
    sh.finish(0, len(SOURCE_COLUMNS), len(report.sources))


def _notices_sheet(wb: Workbook, f: _Formats, report: Report) -> None:
    sh = _Sheet(wb, "Notices", f)
    sh.header(0, ["notice"])
    for i, notice in enumerate(report.notices, start=1):
        sh.cell(i, 0, notice)
    sh.finish(0, 1, len(report.notices))


def to_xlsx(report: Report) -> bytes:
    """The report as .xlsx bytes (the caller writes them, atomically)."""
    buf = BytesIO()
    wb = Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                        "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"title": report.title, "creator": "cxkit", "created": _created(report)})
    f = _Formats(wb)
    kpis = report.to_dict()["kpis"]
    _kpis_sheet(wb, f, report, kpis)
    _trends_sheet(wb, f, report, kpis)
    for section, name in zip(report.sections, section_sheet_names(report), strict=True):
        _section_sheet(wb, f, section, name)
    _sources_sheet(wb, f, report)
    if report.notices:
        _notices_sheet(wb, f, report)
    wb.close()
    return buf.getvalue()
