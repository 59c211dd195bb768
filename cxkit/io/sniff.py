"""Look at the first bytes of a text file and decide how to read it.

Pure Python on a small sample: encoding, delimiter, extra header rows (Qualtrics, SurveyMonkey)
and decimal commas. Nothing here reads the whole file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

SAMPLE_BYTES = 1 << 20  # 1 MiB is enough to see encoding, delimiter and headers
DELIMITERS = [",", ";", "\t", "|"]
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:[ .\u00a0\u202f]?\d{3})*,\d+$")
_SURVEYMONKEY_ROW2 = {"response", "open-ended response", "other (please specify)"}


@dataclass
class CsvLayout:
    encoding: str  # "utf-8", "utf-8-sig", "cp1252", or what the user forced
    delimiter: str
    header_rows: int = 1  # rows before the data: 1 normally, 3 for Qualtrics, 2 for SurveyMonkey
    names: list[str] = field(default_factory=list)  # column names to use
    labels: dict[str, str] = field(default_factory=dict)  # column -> question text (row 2)
    producer: str | None = None  # "Qualtrics", "SurveyMonkey" when recognised
    decimal_comma: bool = False
    rows: list[list[str]] = field(default_factory=list)  # a few parsed data rows


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
        return "\t" if forced in ("\\t", "tab") else forced
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = []
        for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim):
            counts.append(len(row) - 1)
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
    sample: bytes, encoding: str | None = None, delimiter: str | None = None
) -> tuple[CsvLayout, bool]:
    """Work out the layout of a delimited text file from its first bytes.

    Returns the layout and whether the encoding was a cp1252 fallback (worth a notice).
    """
    enc, fallback = detect_encoding(sample, encoding)
    text = decode_sample(sample, enc)
    # drop a possibly incomplete last line
    if len(sample) >= SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]
    delim = detect_delimiter(text, delimiter)
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    rows = [r for r in rows if any(cell.strip() for cell in r)][:200]
    layout = CsvLayout(encoding=enc, delimiter=delim)
    if not rows:
        return layout, fallback
    header = rows[0]
    layout.names = _dedupe(header)
    row2 = rows[1] if len(rows) > 1 else []
    row3 = rows[2] if len(rows) > 2 else []
    if sum(c.startswith('{"ImportId"') for c in row3) >= max(1, len(row3) // 2):
        layout.producer, layout.header_rows = "Qualtrics", 3
        layout.labels = {n: lab for n, lab in zip(layout.names, row2, strict=False) if lab}
    elif "Respondent ID" in header and any(c.strip().lower() in _SURVEYMONKEY_ROW2 for c in row2):
        layout.producer, layout.header_rows = "SurveyMonkey", 2
        layout.names = _dedupe(_surveymonkey_names(header, row2))
    data = rows[layout.header_rows - 1 + 1 :] if layout.header_rows > 1 else rows[1:]
    layout.rows = data[:100]
    if delim != ",":
        cells = [c.strip() for r in layout.rows for c in r if c.strip()]
        layout.decimal_comma = any(_DECIMAL_COMMA.match(c) for c in cells)
    return layout, fallback


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
