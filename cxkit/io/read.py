"""Find input files and read them into one LazyFrame of raw columns.

CSV/TSV/TXT, Parquet, XLSX, NDJSON, optionally gzipped; several files or a glob are stacked with
their columns aligned; `-` reads standard input. Delimited text is read as strings: the KPI code
parses the few columns it needs with explicit rules, so nothing is guessed per value.
"""

from __future__ import annotations

import atexit
import codecs
import glob
import gzip
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cxkit.errors import DataError, InputError, IOFailure
from cxkit.io.sniff import SAMPLE_BYTES, CsvLayout, sniff_csv

TEXT_EXTS = {".csv", ".tsv", ".txt", ".tab"}
PARQUET_EXTS = {".parquet", ".pq"}
EXCEL_EXTS = {".xlsx", ".xlsm", ".xls"}
NDJSON_EXTS = {".ndjson", ".jsonl"}
FILE = "__file"  # with several inputs: the index of the file a row comes from


@dataclass
class Table:
    """The raw columns of one or more inputs, lazily, and what the reader learnt about them."""

    lf: pl.LazyFrame
    columns: list[str]
    sources: list[str]
    kind: str  # csv, parquet, xlsx, ndjson
    labels: dict[str, str] = field(default_factory=dict)
    layout: CsvLayout | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.sources[0] if len(self.sources) == 1 else f"{len(self.sources)} files"

    @property
    def originals(self) -> dict[str, str]:
        """Columns renamed because their header repeats (`nps_2`) -> the header as written."""
        return self.layout.originals if self.layout else {}

    @property
    def dayfirst_hint(self) -> bool:
        """French-style exports (`;`, decimal comma, cp1252) write dd/mm/yyyy."""
        lay = self.layout
        return bool(lay and (lay.delimiter == ";" or lay.decimal_comma or lay.encoding == "cp1252"))


_TMP: list[str] = []


def _tempdir() -> str:
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="cxkit-"))
        atexit.register(shutil.rmtree, _TMP[0], True)
    return _TMP[0]


def expand_inputs(inputs: list[str]) -> list[str]:
    """Expand globs, keep `-`, and fail with exit 66 on anything missing or unreadable."""
    paths: list[str] = []
    for item in inputs:
        if item == "-":
            paths.append(item)
        elif any(ch in item for ch in "*?["):
            found = sorted(glob.glob(item))
            if not found:
                raise InputError(f"{item}: no file matches this pattern", "check the path")
            paths.extend(found)
        else:
            p = Path(item)
            if not p.exists():
                raise InputError(f"{item}: no such file", "check the path and the current folder")
            if p.is_dir():
                raise InputError(f"{item}: is a folder", f"pass the files, e.g. '{item}/*.csv'")
            if not os.access(p, os.R_OK):
                raise InputError(f"{item}: permission denied", "check the file's permissions")
            paths.append(item)
    return paths


def _kind_of(path: str) -> tuple[str, bool]:
    """('csv'|'parquet'|'xlsx'|'ndjson', gzipped) from the file name."""
    p = Path(path.lower())
    gz = p.suffix == ".gz"
    ext = Path(p.stem).suffix if gz else p.suffix
    if ext in PARQUET_EXTS:
        return "parquet", gz
    if ext in EXCEL_EXTS:
        return "xlsx", gz
    if ext in NDJSON_EXTS:
        return "ndjson", gz
    return "csv", gz


def _spool(src, suffix: str) -> str:
    """Copy a stream to a temp file in chunks (bounded memory) and return its path."""
    fd, path = tempfile.mkstemp(suffix=suffix, dir=_tempdir())
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    return path


def _sniff_stdin_kind(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK"):
        return "xlsx"
    if head.lstrip().startswith(b"{"):
        return "ndjson"
    return "csv"


_STDIN: list[tuple[str, str]] = []  # stdin, once spooled: a second read gets the same bytes


def _local_copy(path: str) -> tuple[str, str]:
    """Return (local path of plain bytes, kind). stdin and .gz are spooled to a temp file."""
    import zlib

    try:
        if path == "-":
            if _STDIN:
                return _STDIN[0]
            local = _spool(sys.stdin.buffer, ".stdin")
            with open(local, "rb") as fh:
                magic = fh.read(2)
            if magic == b"\x1f\x8b":
                with gzip.open(local, "rb") as gz:
                    local = _spool(gz, ".stdin")
            _STDIN.append((local, _sniff_stdin_kind(local)))
            return _STDIN[0]
        kind, gz = _kind_of(path)
        if gz:
            with gzip.open(path, "rb") as src:
                return _spool(src, "." + kind), kind
        return path, kind
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:  # not gzip, cut short, corrupt
        display = "<stdin>" if path == "-" else path
        raise DataError(f"{display}: not a complete gzip file: {exc}",
                        "compress it again, or pass the uncompressed file") from exc
    except OSError as exc:
        raise IOFailure(f"{path}: cannot read: {exc}") from exc


def _transcode(path: str, encoding: str, newline: str = "\n") -> str:
    """Re-encode a file to UTF-8 in 1 MiB chunks (Polars reads UTF-8 only).

    With newline "\\r" (old Mac Excel: lines end with a lone CR), CR and CRLF become LF, since
    Polars splits rows on LF only; a CR at the end of a chunk waits for the next one.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    fd, out_path = tempfile.mkstemp(suffix=".csv", dir=_tempdir())
    held = ""
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            while True:
                chunk = src.read(1 << 20)
                text = held + decoder.decode(chunk, final=not chunk)
                held = ""
                if newline == "\r":
                    if chunk and text.endswith("\r"):
                        text, held = text[:-1], "\r"
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                out.write(text.encode("utf-8"))
                if not chunk:
                    break
    except OSError as exc:
        raise IOFailure(f"{path}: cannot convert it to UTF-8: {exc}") from exc
    return out_path


def _read_csv(display: str, local: str, encoding: str | None, delimiter: str | None) -> Table:
    from cxkit.io.sniff import trailing_empty_lines

    with open(local, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if not sample.strip():
        raise DataError(f"{display}: the file is empty", "export the data again with a header row")
    forced = (encoding or "").lower().replace("-", "").replace("_", "")
    wide = forced.startswith(("utf16", "utf32")) or sample.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in sample[:4096] and not wide:
        raise DataError(
            f"{display}: this is not a text file",
            "pass a CSV, TSV, Parquet, XLSX or NDJSON export (UTF-16 text: --encoding utf-16)",
        )
    layout, fallback = sniff_csv(sample, encoding, delimiter, display)
    if not layout.names:
        raise DataError(f"{display}: no header row, only empty lines and delimiters",
                        "export the data again with a header row")
    notices = []
    if fallback:
        notices.append(
            f"{display}: not UTF-8, read as cp1252 (Windows Western); "
            "pass --encoding if the accents look wrong"
        )
    if layout.producer:
        notices.append(
            f"{display}: {layout.producer} export, {layout.header_rows} header rows skipped"
        )
    source = local
    if layout.encoding not in ("utf-8", "utf-8-sig") or layout.newline != "\n":
        source = _transcode(local, layout.encoding, layout.newline)
    lf = pl.scan_csv(
        source,
        separator=layout.delimiter,
        has_header=True,
        new_columns=layout.names,
        skip_lines=layout.skip_lines,
        skip_rows_after_header=layout.header_rows - 1,
        infer_schema=False,
        truncate_ragged_lines=True,
    )
    # Polars reads an empty line, and one of delimiters only (Excel's `,,,` for a row it emptied),
    # as a row of nulls: not an answer, a ticket or an order. Filtering costs a parse of every
    # column, so only when the sniffer saw such rows; else only the file's last lines are looked
    # at (the sample was the whole file when it is shorter), and cut off by a row count. In a
    # one-column file an empty line is how an empty value is written: it stays.
    empty = pl.all_horizontal(pl.all().str.strip_chars().eq("").fill_null(True))
    try:
        if len(layout.names) < 2:
            skipped = 0
        elif layout.empty_rows:
            skipped = lf.select(empty.sum()).collect(engine="streaming").item()
            if skipped:
                lf = lf.filter(~empty)
        elif len(sample) < SAMPLE_BYTES:
            skipped = 0
        elif skipped := trailing_empty_lines(source, layout.delimiter):
            rows = lf.select(pl.len()).collect(engine="streaming").item()
            lf = lf.head(max(rows - skipped, 0))
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{display}: cannot read: {first}",
                        "check the file, or pass --delimiter; --debug shows details") from exc
    if skipped:
        notices.append(f"{display}: {skipped:,} empty line{'s' if skipped > 1 else ''} skipped "
                       "(blank, or only delimiters)")
    return Table(lf, list(layout.names), [display], "csv", layout.labels, layout, notices)


def _read_other(display: str, local: str, kind: str) -> Table:
    notices = []
    try:
        if kind == "parquet":
            lf = pl.scan_parquet(local)
        elif kind == "ndjson":
            lf = pl.scan_ndjson(local, infer_schema_length=1000)  # it skips blank lines itself
        else:
            df = pl.read_excel(local, engine="calamine")
            # rows left blank (or only spaces) in the sheet: not rows, as in a CSV
            empty = [(pl.nth(i).str.strip_chars() == "").fill_null(True) if dt == pl.String
                     else pl.nth(i).is_null() for i, dt in enumerate(df.dtypes)]
            if empty:
                flags = df.select(pl.all_horizontal(empty)).to_series()
                if skipped := int(flags.sum()):
                    df = df.filter(~flags)
                    notices.append(f"{display}: {skipped:,} empty row"
                                   f"{'s' if skipped > 1 else ''} skipped")
            lf = df.lazy()
        columns = lf.collect_schema().names()
    except pl.exceptions.PolarsError as exc:
        raise DataError(
            f"{display}: cannot read as {kind}: {str(exc).splitlines()[0]}",
            "check the file type matches its extension",
        ) from exc
    except Exception as exc:  # fastexcel raises its own errors for broken workbooks
        raise DataError(f"{display}: cannot read as {kind}: {exc}") from exc
    return Table(lf, columns, [display], kind, notices=notices)


def read_one(path: str, encoding: str | None = None, delimiter: str | None = None) -> Table:
    display = "<stdin>" if path == "-" else path
    local, kind = _local_copy(path)
    if kind == "csv":
        return _read_csv(display, local, encoding, delimiter)
    return _read_other(display, local, kind)


@contextmanager
def reading(table: Table):
    """Errors Polars raises while it reads lazily become data errors naming the input."""
    try:
        yield
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        hint = "check the file, or pass --delimiter; --debug shows details"
        if "utf-8" in first.lower() or "utf8" in first.lower():
            hint = "the file is not all UTF-8: pass --encoding cp1252 (or its real encoding)"
        raise DataError(f"{table.name}: cannot read: {first}", hint) from exc


def _align_names(table: Table, names: list[str]) -> None:
    """`Created Time` in one export and `Created time` in the next are the same column."""
    from cxkit.io.roles import normalise

    wanted = {normalise(n): n for n in names}
    renames = {c: wanted[normalise(c)] for c in table.columns
               if c not in names and normalise(c) in wanted}
    if renames:
        table.lf = table.lf.rename(renames)
        table.columns = [renames.get(c, c) for c in table.columns]


def read_inputs(
    inputs: list[str], encoding: str | None = None, delimiter: str | None = None
) -> Table:
    """Read every input and stack them; columns must agree by name (order may differ)."""
    paths = expand_inputs(inputs)
    if not paths:
        raise InputError("no input file given", "pass a file name, a glob or - for stdin")
    tables = [read_one(p, encoding, delimiter) for p in paths]
    first = tables[0]
    if len(tables) == 1:
        return first
    for other in tables[1:]:
        _align_names(other, first.columns)
        if set(other.columns) != set(first.columns):
            missing = sorted(set(first.columns) - set(other.columns))
            extra = sorted(set(other.columns) - set(first.columns))
            raise DataError(
                f"{other.name}: its columns differ from {first.name}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; extra {', '.join(extra)}" if extra else ""),
                "stack only exports of the same survey, or rename the columns to match",
            )
    # which file each row comes from: overlapping exports are told apart (cxkit.io.overlap)
    frames = [t.lf.select(first.columns).with_columns(pl.lit(i, pl.UInt32).alias(FILE))
              for i, t in enumerate(tables)]
    lf = pl.concat(frames, how="vertical_relaxed")
    notices = [n for t in tables for n in t.notices]
    labels = {k: v for t in tables for k, v in t.labels.items()}
    return Table(
        lf, first.columns, [p for t in tables for p in t.sources], first.kind, labels,
        first.layout, notices,
    )
