"""Find input files and read them into one LazyFrame of raw columns.

CSV/TSV/TXT, Parquet, XLSX, NDJSON, optionally gzipped; several files or a glob are stacked with
their columns aligned; `-` reads standard input. Delimited text is read as strings: the KPI code
parses the few columns it needs with explicit rules, so nothing is guessed per value.

What is not a regular file is read once as a stream and spooled to a temporary file, in bounded
memory: standard input, a named pipe (FIFO, opened without blocking: no writer means an empty
file), a pipe or socket such as `<(cat f.csv)` (/dev/fd/N), and a file whose size says 0 but
that has bytes (/proc). A character or block device (/dev/zero, a disk) is refused at once.
A stream or a gzipped file is looked at before the rest is copied: its first MiB must be a
table (`sniff_csv`), so /dev/urandom on stdin or a gzip bomb of zeros stop after 1 MiB; and a
.gz inflates to at most GZIP_MAX_RATIO times its size once past GZIP_FREE_BYTES (256 MiB):
CSV exports compress 5-20 times, a bomb a thousand times.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import glob
import gzip
import os
import shutil
import stat
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cxkit.errors import DataError, InputError, IOFailure
from cxkit.io.sniff import SAMPLE_BYTES, CsvLayout, sniff_csv

GZIP_FREE_BYTES = 256 << 20  # a .gz may always inflate to this much...
GZIP_MAX_RATIO = 200  # ...and past it to this many times its compressed size, no more

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
# descriptors of unnamed scratch files (see `_scratch`), per thread: `release` closes those of
# its own run (the tests run cxkit in threads of one process)
_LOCAL = threading.local()


def _held() -> list[int]:
    if not hasattr(_LOCAL, "fds"):
        _LOCAL.fds = []
    return _LOCAL.fds


def _tempdir() -> str:
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="cxkit-"))
        atexit.register(shutil.rmtree, _TMP[0], True)
    return _TMP[0]


def _scratch(suffix: str) -> tuple[int, str]:
    """A temp file for a spooled stream or a transcoded copy: (descriptor, path to read it).

    On Linux the file is unlinked at once and read back through /proc/self/fd: nothing is left
    in the temporary folder even when cxkit is killed (SIGKILL runs no clean-up). Elsewhere it
    is a named file in a folder removed at exit. The descriptor stays open while cxkit runs."""
    fd, path = tempfile.mkstemp(suffix=suffix, dir=_tempdir())
    if os.path.isdir("/proc/self/fd"):
        os.unlink(path)
        _held().append(fd)
        return fd, f"/proc/self/fd/{fd}"
    return fd, path


MEMORY_SHARE = 4  # `spill` keeps the loaded rows in memory up to this share of what is free
# how many times its size on disk a file takes once loaded (about: the bench's Parquet orders
# 3.3 times, their CSV 0.65 times; a .gz counted at the upper end of GZIP's usual 5-20, an
# XLSX, zipped XML, at 10); any other kind 1
GROWTH = {"parquet": 4, "gz": 20, "xlsx": 10}


def _available_memory() -> int | None:
    """Bytes the system can give without swapping (Linux MemAvailable; elsewhere free pages)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    with contextlib.suppress(OSError, ValueError, AttributeError):
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return None


def _fits_in_memory(table: Table) -> bool:
    """The loaded rows of `table`, estimated from its files' sizes, take at most 1/MEMORY_SHARE
    of the free memory (an unknown size or free memory: no)."""
    free = _available_memory()
    try:
        size = sum(os.path.getsize(s) * GROWTH.get("gz" if s.endswith(".gz") else table.kind, 1)
                   for s in table.sources)
    except OSError:
        return False
    return free is not None and size * MEMORY_SHARE <= free


def parsed_each_read(table: Table) -> bool:
    """Each read of the table parses its text again (a CSV or NDJSON file) and its parsed rows
    fit in memory (`_fits_in_memory`): a query that reads it twice should cache it instead."""
    return table.kind in ("csv", "ndjson") and _fits_in_memory(table)


def spill(lf: pl.LazyFrame, table: Table) -> pl.LazyFrame:
    """The loaded rows of a source that will be read several times (the report: cards,
    backlog, complaints, retention, the CLV fit...), read and loaded once. In memory when they
    fit (`_fits_in_memory`): every later pass reads typed columns in RAM (10M Parquet orders,
    report 14 -> 11 s; 5M CSV tickets 9.7 -> 7.2 s, peak 1.1 -> 1.5 GB). Bigger sources
    keep a bound on memory: a text source is written by a streaming sink to an unnamed Arrow
    scratch file and scanned from there (parsed once); Parquet is scanned again each time."""
    if _fits_in_memory(table):
        return lf.collect(engine="streaming").lazy()
    if table.kind == "parquet":
        return lf
    _, path = _scratch(".arrow")
    lf.sink_ipc(path)
    return pl.scan_ipc(path)


def release() -> None:
    """Close the scratch files (a long-lived process that runs cxkit many times: the tests)."""
    held = _held()
    while held:
        with contextlib.suppress(OSError):
            os.close(held.pop())


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
            for name in found:
                _refuse_device(name)
            paths.extend(found)
        else:
            p = Path(item)
            if not p.exists():
                raise InputError(f"{item}: no such file", "check the path and the current folder")
            if p.is_dir():
                raise InputError(f"{item}: is a folder", f"pass the files, e.g. '{item}/*.csv'")
            if not os.access(p, os.R_OK):
                raise InputError(f"{item}: permission denied", "check the file's permissions")
            _refuse_device(item)
            paths.append(item)
    return paths


def _refuse_device(item: str) -> None:
    """/dev/zero, /dev/urandom, a disk, a terminal: never a file to read to its end."""
    try:
        mode = os.stat(item).st_mode
    except OSError as exc:
        raise InputError(f"{item}: cannot read: {exc.strerror or exc}",
                         "check the path and the file's permissions") from None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "character" if stat.S_ISCHR(mode) else "block"
        raise InputError(f"{item}: is a {kind} device, not a file",
                         "pass a file, or pipe the data to standard input: "
                         f"cat FILE | {_command()} -")


def _command() -> str:
    """`cxkit nps` while a command runs (for hints), else `cxkit COMMAND`."""
    import click

    ctx = click.get_current_context(silent=True)
    return ctx.command_path if ctx is not None else "cxkit COMMAND"


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


def _read_head(src, size: int = SAMPLE_BYTES) -> bytes:
    """The first `size` bytes of a stream (a pipe returns them in pieces)."""
    parts, got = [], 0
    while got < size:
        chunk = src.read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _spool(src, suffix: str, head: bytes = b"", limit: int | None = None,
           display: str = "") -> str:
    """Copy `head` then the rest of a stream to a temp file in 1 MiB chunks (bounded memory);
    more than `limit` bytes in all is refused (a gzip bomb)."""
    fd, path = _scratch(suffix)
    written = len(head)
    with os.fdopen(fd, "wb", closefd=fd not in _held()) as out:
        out.write(head)
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if limit is not None and written > limit:
                out.truncate(0)
                out.close()
                if fd not in _held():
                    os.unlink(path)
                raise DataError(
                    f"{display}: decompresses to more than {limit >> 20:,} MiB, over "
                    f"{GZIP_MAX_RATIO} times its compressed size: not an export (a gzip bomb?)",
                    "pass the uncompressed file, or check where it comes from")
            out.write(chunk)
    return path


def _magic_kind(head: bytes) -> str:
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK"):
        return "xlsx"
    if head.lstrip().startswith(b"{"):
        return "ndjson"
    return "csv"


def check_text(display: str, sample: bytes, encoding: str | None, delimiter: str | None
               ) -> tuple[CsvLayout, bool]:
    """The first bytes of a delimited text file: refuse what is not text or not a table
    (`sniff_csv`), else its layout and whether the encoding was a cp1252 fallback."""
    forced = (encoding or "").lower().replace("-", "").replace("_", "")
    wide = forced.startswith(("utf16", "utf32")) or sample.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in sample[:4096] and not wide:
        raise DataError(
            f"{display}: this is not a text file",
            "pass a CSV, TSV, Parquet, XLSX or NDJSON export (UTF-16 text: --encoding utf-16)",
        )
    return sniff_csv(sample, encoding, delimiter, display)


# stdin, once spooled (with the stream it was read from): a second read gets the same bytes
_STDIN: list[tuple[object, tuple[str, str]]] = []
_STREAMS: dict[str, tuple[str, str]] = {}  # a FIFO, pipe or /proc file, once spooled


def _stream_source(path: str):
    """Open what is not a regular file for reading, or return None for a regular file.

    /dev/fd/N (`<(cat f.csv)`) is read from descriptor N itself: a pipe, or a socket, which
    cannot be opened by name. A named FIFO is opened with O_NONBLOCK, so that a FIFO nobody
    writes to does not block the open: with no writer, the first read is the end of the file.
    A regular file whose size says 0 but that has bytes (/proc) is read as a stream too."""
    import re

    fd_path = re.fullmatch(r"/(?:dev|proc/self)/fd/(\d+)", path)
    mode = os.stat(path).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        if fd_path:
            fd = os.dup(int(fd_path.group(1)))
        else:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)  # a writer that is there: wait for its data
        return os.fdopen(fd, "rb")
    if stat.S_ISREG(mode) and os.stat(path).st_size == 0:
        fh = open(path, "rb")  # noqa: SIM115
        if fh.read(1):
            fh.seek(0)
            return fh
        fh.close()
    return None


def _from_stream(src, display: str, kind: str | None, gz: bool, suffix: str,
                 encoding: str | None, delimiter: str | None) -> tuple[str, str]:
    """Spool a stream: gzip (by name or magic) is inflated with `_inflate`; else the first MiB
    is checked (a CSV must look like a table) before the rest is copied."""
    head = _read_head(src)
    if gz or head.startswith(b"\x1f\x8b"):
        packed = _spool(src, ".gz", head)
        return _inflate(packed, display, kind, encoding, delimiter)
    kind = kind or _magic_kind(head)
    if kind == "csv" and head.strip():
        check_text(display, head, encoding, delimiter)
    return _spool(src, suffix or "." + kind, head), kind


def _inflate(path: str, display: str, kind: str | None, encoding: str | None,
             delimiter: str | None) -> tuple[str, str]:
    """Decompress a .gz to a temp file: its first MiB is checked first (a gzip bomb of zeros
    stops there), then it may grow to max(GZIP_FREE_BYTES, GZIP_MAX_RATIO x its size)."""
    limit = max(GZIP_FREE_BYTES, GZIP_MAX_RATIO * os.path.getsize(path))
    with gzip.open(path, "rb") as src:
        head = _read_head(src)
        kind = kind or _magic_kind(head)
        if kind == "csv" and head.strip():
            check_text(display, head, encoding, delimiter)
        return _spool(src, "." + kind, head, limit, display), kind


def _local_copy(path: str, encoding: str | None = None, delimiter: str | None = None
                ) -> tuple[str, str]:
    """Return (local path of plain bytes, kind). stdin, streams and .gz are spooled."""
    import zlib

    display = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            src = getattr(sys.stdin, "buffer", None)  # None: descriptor 0 was closed
            if _STDIN and _STDIN[0][0] is src:
                return _STDIN[0][1]
            _STDIN.clear()
            if src is None:
                raise InputError("<stdin>: standard input is closed or not readable",
                                 f"pipe the data in (cat FILE | {_command()} -) or pass a file")
            try:
                _STDIN.append((src, _from_stream(src, display, None, False, ".stdin", encoding,
                                                 delimiter)))
            except OSError as exc:  # e.g. `< folder`, or a descriptor opened for writing only
                raise InputError(f"<stdin>: cannot read standard input: {exc.strerror or exc}",
                                 f"pipe the data in (cat FILE | {_command()} -) or pass a file"
                                 ) from exc
            return _STDIN[0][1]
        if path in _STREAMS:
            return _STREAMS[path]
        kind, gz = _kind_of(path)
        named = kind if Path(path.lower()).suffix not in ("", ".gz") or gz else None
        stream = _stream_source(path)
        if stream is not None:
            with stream:
                _STREAMS[path] = _from_stream(stream, display, named, gz, "", encoding,
                                              delimiter)
            return _STREAMS[path]
        if gz:
            return _inflate(path, display, kind, encoding, delimiter)
        return path, kind
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:  # not gzip, cut short, corrupt
        raise DataError(f"{display}: not a complete gzip file: {exc}",
                        "compress it again, or pass the uncompressed file") from exc
    except OSError as exc:
        raise IOFailure(f"{display}: cannot read: {exc.strerror or exc}") from exc


def _transcode(path: str, encoding: str, newline: str = "\n") -> str:
    """Re-encode a file to UTF-8 in 1 MiB chunks (Polars reads UTF-8 only).

    With newline "\\r" (old Mac Excel: lines end with a lone CR), CR and CRLF become LF, since
    Polars splits rows on LF only; a CR at the end of a chunk waits for the next one.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    fd, out_path = _scratch(".csv")
    held = ""
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb", closefd=fd not in _held()) as out:
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
    layout, fallback = check_text(display, sample, encoding, delimiter)
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
    local, kind = _local_copy(path, encoding, delimiter)
    if kind == "csv":
        return _read_csv(display, local, encoding, delimiter)
    return _read_other(display, local, kind)


PREFETCH = "POLARS_ROW_GROUP_PREFETCH_SIZE"


@contextmanager
def reading(table: Table, one_pass: bool = False):
    """Errors Polars raises while it reads lazily become data errors naming the input.

    `one_pass`: the rows are read once, by a light query (a survey's counts). Polars' streaming
    Parquet reader then decodes one row group ahead instead of several (read at each query;
    unless the user set it): 10M answers in 1M-row groups, NPS by month x channel, 8 runs
    each: peak 356-390 -> 250-281 MB (DuckDB 142 MB), 0.66-0.92 -> 0.68-0.95 s; 100M: 442-502
    -> 287-303 MB, 3.24-3.28 -> 3.06-3.49 s. Where several queries read the file (tickets,
    orders, a report) decoding ahead overlaps them and the default is faster."""
    previous = os.environ.get(PREFETCH)
    chosen = one_pass and not previous  # empty: unset (Polars would panic on it)
    if chosen:
        os.environ[PREFETCH] = "1"
    try:
        yield
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        hint = "check the file, or pass --delimiter; --debug shows details"
        if "utf-8" in first.lower() or "utf8" in first.lower():
            hint = "the file is not all UTF-8: pass --encoding cp1252 (or its real encoding)"
        raise DataError(f"{table.name}: cannot read: {first}", hint) from exc
    finally:
        if chosen and previous is None:
            del os.environ[PREFETCH]
        elif chosen:
            os.environ[PREFETCH] = previous


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
