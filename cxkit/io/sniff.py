"""Look at the first bytes of a text file and decide how to read it.

Pure Python on a small sample: encoding, delimiter, extra header rows (Qualtrics, SurveyMonkey)
and decimal commas. Nothing here reads the whole file.

It also refuses, with a `DataError` naming the file, what no reader should try: a first line longer
than the sample, a header of more than MAX_COLUMNS columns, a field over the csv module's limit
(128 KiB), quotes that do not pair up the way Polars counts them; and it notes what the reader must
fix up: CR-only line ends (old Mac Excel), empty lines before the header, empty rows in the data.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass, field

from cxkit.errors import DataError, UsageError

SAMPLE_BYTES = 1 << 20  # 1 MiB is enough to see encoding, delimiter and headers
DELIMITERS = [",", ";", "\t", "|"]
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:[ .\u00a0\u202f]?\d{3})*,\d+$")
_SURVEYMONKEY_ROW2 = {"response", "open-ended response", "other (please specify)"}
# Excel stops at 16,384 columns, Google Sheets at 18,278: a wider header is not a table export
MAX_COLUMNS = 20_000
_LONE_CR = re.compile(r"\r(?!\n)")
_CR_MARK = "\ue000"  # a lone CR inside a line while the csv module parses (Polars keeps it as data)
_NOT_A_TABLE = "pass a CSV, TSV, Parquet, XLSX or NDJSON export of a table"
_QUOTE_HINT = ("a field holding a double quote must be quoted and the quote doubled "
               '("5"" screen"): fix that line, or export the file again')


@dataclass
class CsvLayout:
    encoding: str  # "utf-8", "utf-8-sig", "cp1252", or what the user forced
    delimiter: str
    header_rows: int = 1  # rows before the data: 1 normally, 3 for Qualtrics, 2 for SurveyMonkey
    names: list[str] = field(default_factory=list)  # column names to use
    labels: dict[str, str] = field(default_factory=dict)  # column -> question text (row 2)
    originals: dict[str, str] = field(default_factory=dict)  # renamed repeat -> header as written
    producer: str | None = None  # "Qualtrics", "SurveyMonkey" when recognised
    decimal_comma: bool = False
    rows: list[list[str]] = field(default_factory=list)  # a few parsed data rows
    newline: str = "\n"  # "\r": lines end with a lone CR (old Mac Excel); the reader rewrites them
    skip_lines: int = 0  # empty or delimiter-only lines before the header
    empty_rows: int = 0  # data rows of the sample whose every field is empty (`,,,`, blank lines)


def detect_encoding(sample: bytes, forced: str | None = None) -> tuple[str, bool]:
    """Return (encoding, guessed_fallback). UTF-8 (with or without BOM) else cp1252."""
    if forced:
        return forced, False
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    try:
        # final=False: a multi-byte character cut at the end of the sample is not an error
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", False
    except UnicodeDecodeError:
        return "cp1252", True


def decode_sample(sample: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    return text.lstrip("\ufeff")


def detect_delimiter(text: str, forced: str | None = None) -> str:
    if forced:
        forced = "\t" if forced in ("\\t", "tab") else forced
        if len(forced) != 1 or forced in ('"', "\n", "\r"):
            raise UsageError(f"--delimiter must be one character, not {forced!r}",
                             "e.g. --delimiter ';' or --delimiter tab")
        return forced
    # split on LF only: str.splitlines() also splits on \x0b, \x1c, \u2028..., which are data
    lines = [ln for ln in text.split("\n", 30)[:30] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = []
        try:
            for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim):
                counts.append(len(row) - 1)
        except csv.Error:  # e.g. a whole wide line as one field over the limit: not this one
            continue
        if not counts or counts[0] == 0:
            continue
        # the header's count of fields, seen again in most rows, wins
        same = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = same * 10 + min(counts[0], 50) / 50
        if score > best_score:
            best, best_score = delim, score
    return best


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def sniff_csv(
    sample: bytes, encoding: str | None = None, delimiter: str | None = None,
    name: str = "<input>",
) -> tuple[CsvLayout, bool]:
    """Work out the layout of a delimited text file from its first bytes.

    Returns the layout and whether the encoding was a cp1252 fallback (worth a notice). A file
    that cannot be a table raises `DataError` naming `name` (see the module docstring); an
    unknown `encoding` or a `delimiter` of more than one character, `UsageError`.
    """
    enc, fallback = detect_encoding(sample, encoding)
    try:
        text = decode_sample(sample, enc)
    except LookupError:
        raise UsageError(f"unknown encoding '{enc}' (given with --encoding)",
                         "e.g. --encoding utf-8, cp1252, latin-1 or utf-16") from None
    except UnicodeError as exc:  # utf-16 without a BOM, even with errors="replace"
        raise DataError(f"{name}: cannot be read as {enc}: {exc}",
                        "pass its real encoding with --encoding, or leave --encoding out") from None
    full = len(sample) >= SAMPLE_BYTES  # the file goes on after the sample
    text, newline = _line_ends(text)
    if full:
        if "\n" not in text:
            raise DataError(
                f"{name}: the first line is longer than {SAMPLE_BYTES >> 20} MiB: "
                "this does not look like a table export", _NOT_A_TABLE)
        text = text[: text.rindex("\n") + 1]  # drop a possibly incomplete last line
    marked = "\r" in text  # what is left of CR is inside lines: data, as Polars reads it
    if marked:
        text = _LONE_CR.sub(_CR_MARK, text)
    delim = detect_delimiter(text, delimiter)
    every, ends = _parse(text, delim, full, name)
    if marked:
        every = [[c.replace(_CR_MARK, "\r") for c in r] for r in every]
    if '"' in text:
        _check_quotes(text, ends, name)
    blank = [not any(c.strip() for c in r) for r in every]
    filled = [i for i, b in enumerate(blank) if not b]
    rows = [every[i] for i in filled[:200]]
    layout = CsvLayout(encoding=enc, delimiter=delim, newline=newline)
    if not rows:
        if full:  # only empty lines before a header that goes on past the sample
            raise DataError(
                f"{name}: the first line is longer than {SAMPLE_BYTES >> 20} MiB: "
                "this does not look like a table export", _NOT_A_TABLE)
        return layout, fallback
    if filled[0]:  # Polars skips empty lines before the header, not `,,,` ones: skip them all
        layout.skip_lines = ends[filled[0] - 1]
    header = rows[0]
    layout.names = _dedupe(header)
    layout.originals = _renamed(layout.names, header)
    row2 = rows[1] if len(rows) > 1 else []
    row3 = rows[2] if len(rows) > 2 else []
    if sum(c.startswith('{"ImportId"') for c in row3) >= max(1, len(row3) // 2):
        layout.producer, layout.header_rows = "Qualtrics", 3
        layout.labels = {n: lab for n, lab in zip(layout.names, row2, strict=False) if lab}
    elif "Respondent ID" in header and any(c.strip().lower() in _SURVEYMONKEY_ROW2 for c in row2):
        layout.producer, layout.header_rows = "SurveyMonkey", 2
        plain = _surveymonkey_names(header, row2)
        layout.names = _dedupe(plain)
        layout.originals = _renamed(layout.names, plain)
    data = rows[layout.header_rows - 1 + 1 :] if layout.header_rows > 1 else rows[1:]
    layout.rows = data[:100]
    first_data = filled[layout.header_rows - 1] + 1 if len(filled) >= layout.header_rows else 0
    layout.empty_rows = sum(blank[first_data:]) if first_data else 0
    if delim != ",":
        cells = [c.strip() for r in layout.rows for c in r if c.strip()]
        layout.decimal_comma = any(_DECIMAL_COMMA.match(c) for c in cells)
    return layout, fallback


def _renamed(names: list[str], header: list[str]) -> dict[str, str]:
    """`nps_2` -> `nps`: the columns `_dedupe` renamed because their header repeats."""
    return {n: h.strip() for n, h in zip(names, header, strict=False)
            if h.strip() and n != h.strip()}


def _line_ends(text: str) -> tuple[str, str]:
    """(text with LF line ends, "\r" if its lines ended with a lone CR else "\n").

    More lone CRs than LFs: an old Mac Excel file (CR line ends, maybe LF inside quoted cells).
    Otherwise a lone CR is data inside a line, as Polars reads it (it splits rows on LF only).
    """
    lone = text.count("\r") - text.count("\r\n")
    if lone and lone > text.count("\n"):
        return text.replace("\r\n", "\n").replace("\r", "\n"), "\r"
    return text, "\n"


def _parse(text: str, delim: str, full: bool, name: str) -> tuple[list[list[str]], list[int]]:
    """Every record of the sample, and the line each ends on; csv errors become DataErrors.

    strict: a quoted field with text after its closing quote (`"a"b`) is an error, as in Polars;
    the end of a full sample inside a quoted field is only the cut, not an error.
    """
    rows: list[list[str]] = []
    ends: list[int] = []
    reader = csv.reader(io.StringIO(text), delimiter=delim, strict=True)
    header = False
    try:
        for row in reader:
            if not header and any(c.strip() for c in row):
                header = True
                if len(row) > MAX_COLUMNS:
                    raise DataError(
                        f"{name}: the header has {len(row):,} columns (more than "
                        f"{MAX_COLUMNS:,}): this does not look like a table export",
                        f"pass a table export; if '{delim}' is not its delimiter, pass --delimiter")
            rows.append(row)
            ends.append(reader.line_num)
    except csv.Error as exc:
        line = ends[-1] + 1 if ends else 1
        msg = str(exc)
        if "field limit" in msg:
            raise DataError(
                f"{name}: line {line}: a field is longer than {csv.field_size_limit() >> 10} KiB"
                ": this does not look like a table export",
                "a double quote that is never closed makes the rest of the file one field: "
                "check the quotes from that line on") from None
        if msg == "unexpected end of data":
            if not full:
                raise DataError(f"{name}: line {line}: a quoted field is never closed",
                                _QUOTE_HINT) from None
        elif "expected after" in msg:
            raise DataError(f"{name}: line {line}: a quoted field goes on after its closing "
                            "quote", _QUOTE_HINT) from None
        else:
            raise DataError(f"{name}: line {line}: cannot be read as CSV: {msg}",
                            "check that line, or pass --delimiter / --encoding") from None
    return rows, ends


def _check_quotes(text: str, ends: list[int], name: str) -> None:
    """Refuse quotes Polars would read otherwise than the csv module.

    Polars finds where rows end by counting double quotes: a line end is a row end when the count
    so far is even. A `"` inside a field that does not start with one (`5" screen`) leaves it odd,
    so Polars reads on to the next quote as one field, or fails. The csv module ends rows at
    `ends`; the first line where the two disagree is where the quotes go wrong.
    """
    row_ends = set(ends)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    odd, start = False, 1
    for i, line in enumerate(lines, 1):
        if line.count('"') % 2:
            odd = not odd
        csv_end = i in row_ends
        if csv_end == odd:  # one sees a row end here, the other does not
            raise DataError(
                f"{name}: line {start}: a double quote inside a field that does not start with "
                "one (or a quote never closed): the rows after it cannot be told apart",
                _QUOTE_HINT)
        if csv_end:
            start = i + 1
    # a full sample may end inside a quoted field: ends stop before it, the count stays odd


def _empty_line(delimiter: str) -> re.Pattern[str]:
    """A line whose every field is empty: blanks or `""`, between delimiters."""
    cell = r'[^\S\n]*(?:""[^\S\n]*)?'
    return re.compile(f"{cell}(?:{re.escape(delimiter)}{cell})*")


def trailing_empty_lines(path: str, delimiter: str, block: int = 1 << 16) -> int:
    """How many lines at the end of a UTF-8 file are empty or only delimiters (`,,,,`).

    Excel writes `,,,,` for rows it emptied and blank lines after the data; Polars reads each as
    a row of nulls. Reads the file backwards in `block`s, only as far as such lines go.
    """
    empty = _empty_line(delimiter)
    blanks = (delimiter + ' \t\r\f\v"').encode("utf-8")
    count, carry = 0, b""
    with open(path, "rb") as fh:
        pos = fh.seek(0, os.SEEK_END)
        if pos:
            fh.seek(pos - 1)
            if fh.read(1) == b"\n":
                pos -= 1  # the last line's own line end
        while pos > 0:
            step = min(block, pos)
            pos -= step
            fh.seek(pos)
            lines = (fh.read(step) + carry).split(b"\n")
            carry = lines.pop(0) if pos > 0 else b""  # it may begin before this block
            for line in reversed(lines):
                if not empty.fullmatch(line.decode("utf-8", "replace")):
                    return count
                count += 1
            if carry.strip(blanks):  # the line going on before the block holds data
                return count
    return count


def _surveymonkey_names(row1: list[str], row2: list[str]) -> list[str]:
    """Row 1 names a question once; its other columns are blank. Row 2 names each column."""
    names, question = [], ""
    for i, top in enumerate(row1):
        sub = row2[i].strip() if i < len(row2) else ""
        if top.strip():
            question = top.strip()
            plain = not sub or sub.lower() in _SURVEYMONKEY_ROW2
            names.append(question if plain else f"{question} - {sub}")
        else:
            names.append(f"{question} - {sub}" if question and sub else sub)
    return names
