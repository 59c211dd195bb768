"""The CSV reader on broken and odd exports (cxkit/io/sniff.py, cxkit/io/read.py).

Every fixture is written byte for byte into `tmp_path`. The CLI runs in-process through
`cxkit.cli.main.main(argv)` (the one place errors become `cxkit: error:` lines and exit codes;
`CliRunner.invoke(app, ...)` would skip it), with stdout and stderr captured apart by capsys.
One test runs a subprocess, to time a 4.5 MB single line from start-up to exit.

Contract checked on every refused file: exit 65, nothing on stdout, exactly one `cxkit: error:`
line and it names the file, and no traceback. Files that can be read are read with exact numbers.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from pathlib import Path

import pytest
from conftest import run_cli

from cxkit.cli.main import main
from cxkit.errors import ExitCode
from cxkit.io.read import _transcode, read_inputs
from cxkit.io.sniff import MAX_COLUMNS, SAMPLE_BYTES, trailing_empty_lines

BOM = b"\xef\xbb\xbf"
NOTE = "cxkit: note: "


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch):
    for name in ("CXKIT_DEBUG", "NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)


def cxkit(capsys, *args) -> tuple[int, str, str]:
    """`cxkit ARGS` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def kpi(capsys, *args) -> tuple[dict, str]:
    code, out, err = cxkit(capsys, *args, "--format", "json")
    assert code == 0, (code, out, err)
    assert "Traceback" not in err
    return json.loads(out), err


def headline(result: dict) -> dict:
    return {k: result[k] for k in ("value", "n", "dropped")}


def notes(err: str) -> list[str]:
    return [line.removeprefix(NOTE) for line in err.splitlines() if line.startswith(NOTE)]


def refused(code: int, out: str, err: str, path: Path, *needles: str) -> str:
    """Exit 65, one `cxkit: error:` line naming the file (and the needles), no traceback."""
    assert code == ExitCode.DATA, (code, out, err)
    assert out == ""
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("cxkit: error:")]
    assert len(errors) == 1, err
    assert str(path) in errors[0], err
    for needle in needles:
        assert needle in errors[0], err
    return errors[0]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def rows_bytes(n: int, eol: bytes = b"\n") -> bytes:
    """n rows `i,score,comment i` with scores 0..10 in turn (about 20 bytes a row)."""
    return b"".join(b"%d,%d,comment %d" % (i, i % 11, i) + eol for i in range(n))


def nps_of(n: int) -> float:
    """NPS of `rows_bytes(n)`: scores i % 11; promoters 9-10, detractors 0-6."""
    scores = [i % 11 for i in range(n)]
    p = sum(s >= 9 for s in scores)
    d = sum(s <= 6 for s in scores)
    return round(100 * (p - d) / n, 1)


# ------------------------------------------------------------------------------------------------
# 3. Blank and delimiter-only lines are not rows
# ------------------------------------------------------------------------------------------------

# Polars 2.1 reads every empty line ("\n" or "\r\n") and every line of delimiters only (",,,")
# as a row of nulls, at the end and in the middle alike (a single-column file too): the KPI
# code then counted them as answers with a missing score.


def test_excel_trailing_blank_lines_are_not_answers(tmp_path, capsys):
    # BOM, CRLF, answers 10, 9, 6, "" then 3 blank lines and 2 `,` lines (Excel's emptied rows)
    path = write(tmp_path / "f.csv",
                 BOM + b"id,nps\r\n1,10\r\n2,9\r\n3,6\r\n4,\r\n\r\n\r\n\r\n,\r\n,\r\n")
    result, err = kpi(capsys, "nps", path)
    # used 10, 9, 6 -> n 3, promoters 2, detractors 1 -> 100 * (2 - 1) / 3 = 33.3
    # dropped: missing 1 (row 4, the real empty answer), not 6
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 1, "invalid": 0, "out_of_range": 0}}
    assert result["counts"] == {"promoters": 2, "passives": 0, "detractors": 1}
    assert notes(err) == [f"{path}: 5 empty lines skipped (blank, or only delimiters)"]


@pytest.mark.parametrize(
    ("data", "skipped"),
    [
        pytest.param(b"id,nps\n1,10\n\n\n2,9\n3,6\n4,\n", 2, id="blank-lines-mid-lf"),
        pytest.param(b"id,nps\r\n1,10\r\n\r\n2,9\r\n,\r\n3,6\r\n4,\r\n", 2, id="mid-crlf"),
        pytest.param(b"id;nps\n1;10\n;\n2;9\n3;6\n4;\n;\n\n", 3, id="semicolon"),
        pytest.param(b"id\tnps\n1\t10\n\t\n2\t9\n3\t6\n4\t\n\t\n", 2, id="tab"),
        pytest.param(b"id,nps\n1,10\n   \n2,9\n , \n3,6\n4,\n", 2, id="spaces-only"),
        pytest.param(b'"id","nps"\n"1","10"\n"",""\n"2","9"\n"3","6"\n"4",""\n', 1,
                     id="quoted-empty"),
        pytest.param(b"id,nps\n1,10\n2,9\n3,6\n4,\n,\n,\n,\n", 3, id="no-final-blank"),
        pytest.param(b"id,nps\n1,10\n2,9\n3,6\n4,\n,,,,\n", 1, id="more-delimiters-than-cols"),
    ],
)
def test_empty_lines_anywhere_are_skipped(tmp_path, capsys, data, skipped):
    # always 10, 9, 6 and one real empty answer -> n 3, 33.3, missing 1
    path = write(tmp_path / "f.csv", data)
    result, err = kpi(capsys, "nps", path, "--score", "nps")
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 1, "invalid": 0, "out_of_range": 0}}
    s = "s" if skipped > 1 else ""
    assert notes(err) == [f"{path}: {skipped} empty line{s} skipped (blank, or only delimiters)"]


def test_no_notice_without_empty_lines(tmp_path, capsys):
    path = write(tmp_path / "f.csv", b"id,nps\r\n1,10\r\n2,9\r\n3,6\r\n4,\r\n")
    result, err = kpi(capsys, "nps", path)
    assert headline(result)["dropped"]["missing"] == 1
    assert err == ""


def test_every_command_skips_them(tmp_path, capsys):
    survey = write(tmp_path / "s.csv", BOM + b"id,nps,csat,ces\r\n1,10,5,1\r\n2,9,4,2\r\n"
                   b"3,6,2,5\r\n4,,,\r\n,,,\r\n,,,\r\n\r\n")
    # csat 5, 4, 2 -> satisfied 2 of 3 = 66.7; ces 1, 2, 5 -> mean 2.67; one real blank row (4)
    result, _ = kpi(capsys, "csat", survey, "--score", "csat")
    assert (result["value"], result["n"], result["dropped"]["missing"]) == (66.7, 3, 1)
    result, _ = kpi(capsys, "ces", survey, "--score", "ces")
    assert (result["value"], result["n"], result["dropped"]["missing"]) == (2.67, 3, 1)

    tickets = write(tmp_path / "t.csv", b"ticket_id,created_at,status\r\n"
                    b"T1,2025-01-06 09:00,solved\r\nT2,2025-01-07 10:00,open\r\n,,\r\n,,\r\n\r\n")
    result, err = kpi(capsys, "tickets", tickets, "--kpi", "volume")
    assert (result["value"], result["n"]) == (2, 2)
    assert notes(err) == [f"{tickets}: 3 empty lines skipped (blank, or only delimiters)"]

    orders = write(tmp_path / "o.csv", b"order_id,customer_id,created_at,total\r\n"
                   b"1,c1,2025-01-01,10.00\r\n2,c2,2025-01-02,20.00\r\n,,,\r\n\r\n")
    result, _ = kpi(capsys, "orders", orders)
    by_kpi = {k["kpi"]: k for k in result["kpis"]}
    assert (by_kpi["orders"]["value"], by_kpi["aov"]["value"]) == (2, 15.0)


def test_big_file_trailing_lines_are_cut_off(tmp_path, capsys):
    # past the 1 MiB sample: only the file's end is looked at (no filter, one row count)
    n = 60_000
    body = rows_bytes(n, b"\r\n")
    assert len(body) > SAMPLE_BYTES
    path = write(tmp_path / "big.csv", BOM + b"id,nps,comment\r\n" + body + b"\r\n,,\r\n\r\n,,\r\n")
    result, err = kpi(capsys, "nps", path, "--score", "nps")
    assert headline(result) == {"value": nps_of(n), "n": n, "dropped": {
        "missing": 0, "invalid": 0, "out_of_range": 0}}
    assert notes(err) == [f"{path}: 4 empty lines skipped (blank, or only delimiters)"]


def test_big_file_empty_lines_in_the_sample_are_filtered(tmp_path, capsys):
    # seen in the first MiB: the whole file is filtered, and the ones at its end go too
    n = 60_000
    body = rows_bytes(n)
    data = b"id,nps,comment\n" + body[:2000].rsplit(b"\n", 1)[0] + b"\n,,\n\n"
    data += body[len(body[:2000].rsplit(b"\n", 1)[0]) + 1:] + b",,\n"
    path = write(tmp_path / "big.csv", data)
    result, err = kpi(capsys, "nps", path, "--score", "nps")
    assert headline(result) == {"value": nps_of(n), "n": n, "dropped": {
        "missing": 0, "invalid": 0, "out_of_range": 0}}
    assert notes(err) == [f"{path}: 3 empty lines skipped (blank, or only delimiters)"]


def test_one_column_file_keeps_its_empty_lines(tmp_path, capsys):
    # one column: an empty line is how an empty value is written, so it is a missing answer
    path = write(tmp_path / "f.csv", b"nps\r\n10\r\n\r\n9\r\n6\r\n")
    result, err = kpi(capsys, "nps", path)
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 1, "invalid": 0, "out_of_range": 0}}
    assert err == ""


def test_empty_lines_before_the_header(tmp_path, capsys):
    # Polars skips blank lines before the header, not `,,` ones; the sniffer skips both
    path = write(tmp_path / "f.csv", BOM + b",,\r\n\r\nid,nps,c\r\n1,10,a\r\n2,9,b\r\n3,6,c\r\n")
    result, err = kpi(capsys, "nps", path)
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 0, "invalid": 0, "out_of_range": 0}}
    assert read_inputs([str(path)]).columns == ["id", "nps", "c"]


def test_qualtrics_with_empty_lines_around(tmp_path, capsys):
    # `,,` and a blank line before the 3 header rows, `,` and a blank line after the data
    path = write(tmp_path / "f.csv", b",,\r\n\r\nStartDate,Q1\r\nStart Date,How likely\r\n"
                 b'"{""ImportId"":""startDate""}","{""ImportId"":""QID1""}"\r\n'
                 + b"2025-01-01,10\r\n2025-01-02,9\r\n2025-01-03,6\r\n2025-01-04,\r\n,\r\n\r\n")
    result, err = kpi(capsys, "nps", path)
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 1, "invalid": 0, "out_of_range": 0}}
    assert notes(err) == [f"{path}: Qualtrics export, 3 header rows skipped",
                          f"{path}: 2 empty lines skipped (blank, or only delimiters)"]


def test_header_only_with_blank_lines(tmp_path, capsys):
    path = write(tmp_path / "f.csv", b"id,nps\r\n\r\n,\r\n")
    code, out, err = cxkit(capsys, "nps", path, "--format", "json")
    assert code == 0, err
    assert (json.loads(out)["value"], json.loads(out)["n"]) == (None, 0)
    assert "Traceback" not in err


def test_xlsx_rows_left_blank_are_skipped(tmp_path, capsys):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([["id", "nps"], ["1", 10], ["2", 9], ["3", 6], ["4", None],
                             ["  ", None]]):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    result, err = kpi(capsys, "nps", path)
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 1, "invalid": 0, "out_of_range": 0}}
    assert notes(err) == [f"{path}: 1 empty row skipped"]


@pytest.mark.parametrize("block", [3, 7, 64, 1 << 16])
def test_trailing_empty_lines_reads_back_across_blocks(tmp_path, block):
    cases = [
        (b"id,nps\n1,10\n2,9\n", 0),
        (b"id,nps\n1,10\n2,9", 0),
        (b"id,nps\n1,10\n\n", 1),
        (b"id,nps\n1,10\n\n\n,\n , \n\"\",\"\"\n", 5),
        (b"id,nps\r\n1,10\r\n\r\n,\r\n", 2),
        (b"id,nps\n1,10\n,", 1),  # no line end after the last one
        (b"id,nps\n1,\"x\n\n\"\n", 0),  # blank lines inside a quoted field, then its close
        (b"id,nps\n1," + b"x" * 100 + b"\n,\n", 1),
    ]
    for data, expected in cases:
        path = write(tmp_path / "t.csv", data)
        assert trailing_empty_lines(str(path), ",", block) == expected, (data, block)


# ------------------------------------------------------------------------------------------------
# 1. Oversized lines, fields and headers: exit 65 quickly
# ------------------------------------------------------------------------------------------------


def test_single_line_of_500000_columns_is_refused_quickly(tmp_path):
    path = write(tmp_path / "wide.csv", b",".join(b"col%d" % i for i in range(500_000)))
    assert path.stat().st_size > 4_500_000  # one line, no line end
    start = time.perf_counter()
    run = run_cli("nps", path, "--format", "json", timeout=60)
    elapsed = time.perf_counter() - start
    refused(run.returncode, run.stdout, run.stderr, path, "first line is longer than 1 MiB")
    assert elapsed < 5, f"took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        pytest.param(b",".join(b"c%d" % i for i in range(500_000)), "first line is longer",
                     id="one-line-no-newline"),
        pytest.param(b"id,nps," + b"y" * (SAMPLE_BYTES + 10) + b"\n1,10,a\n",
                     "first line is longer than 1 MiB", id="first-line-over-sample"),
        pytest.param(b"\r".join([b"a" * (SAMPLE_BYTES + 10), b"1"]),
                     "first line is longer than 1 MiB", id="cr-line-over-sample"),
        pytest.param(b"\n,\n" + b"h," * 600_000 + b"\n1\n", "first line is longer than 1 MiB",
                     id="empty-lines-then-long-header"),
        pytest.param(b",".join([b"a"] * 200_000) + b"\n" + b",".join([b"1"] * 200_000) + b"\n",
                     "the header has 200,000 columns", id="header-200k-columns"),
        pytest.param(b",".join([b"a"] * (MAX_COLUMNS + 1)) + b"\n1\n",
                     f"the header has {MAX_COLUMNS + 1:,} columns", id="header-over-limit"),
        pytest.param(b"id,nps,comment\n1,10," + b"x" * 200_000 + b"\n2,9,ok\n",
                     "line 2: a field is longer than 128 KiB", id="field-over-128k"),
        pytest.param(b"id,nps,comment\n1,10,\"" + b"x\n" * 100_000 + b"2,9,ok\n",
                     "line 2: a field is longer than 128 KiB", id="unclosed-quote-long"),
    ],
)
def test_oversized_input_is_refused(tmp_path, capsys, data, needle):
    path = write(tmp_path / "f.csv", data)
    start = time.perf_counter()
    refused(*cxkit(capsys, "nps", path, "--format", "json"), path, needle)
    assert time.perf_counter() - start < 5


def test_excel_width_is_read(tmp_path, capsys):
    # 16,384 columns (Excel's limit) is a table
    header = b",".join(b"c%d" % i for i in range(16_383)) + b",nps\n"
    path = write(tmp_path / "f.csv", header + b"".join(
        b"1," * 16_383 + s + b"\n" for s in (b"10", b"9", b"6")))
    result, _ = kpi(capsys, "nps", path, "--score", "nps")
    assert (result["value"], result["n"]) == (33.3, 3)


@pytest.mark.parametrize(
    "late",
    [
        pytest.param(b"x,10," + b"z" * 300_000 + b"\n", id="300k-field"),
        pytest.param(b"x,10," + b",".join([b"7"] * 500_000) + b"\n", id="500k-fields"),
        pytest.param(b'x,10,"' + b"z\n" * 200_000 + b'"\n', id="quoted-400k-lines"),
    ],
)
def test_long_field_after_the_sample_is_read(tmp_path, capsys, late):
    # the sniffer never sees it; Polars reads it (extra fields cut off: truncate_ragged_lines)
    n = 60_000
    path = write(tmp_path / "f.csv", b"id,nps,comment\n" + rows_bytes(n) + late + b"y,0,ok\n")
    assert path.stat().st_size > SAMPLE_BYTES
    result, _ = kpi(capsys, "nps", path, "--score", "nps")
    scores = [i % 11 for i in range(n)] + [10, 0]
    p, d = sum(s >= 9 for s in scores), sum(s <= 6 for s in scores)
    assert (result["value"], result["n"]) == (round(100 * (p - d) / (n + 2), 1), n + 2)


# ------------------------------------------------------------------------------------------------
# 2. Other broken CSV: read, or exit 65 naming the file
# ------------------------------------------------------------------------------------------------


def test_lone_cr_inside_a_field_is_data(tmp_path, capsys):
    # Polars splits rows on LF only and keeps the CR in the value; the sniffer does the same
    path = write(tmp_path / "f.csv", b"id,nps,comment\n1,10,ab\rcd\n2,9,ok\r\n3,6,x\n")
    result, _ = kpi(capsys, "nps", path)
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 0, "invalid": 0, "out_of_range": 0}}
    df = read_inputs([str(path)]).lf.collect()
    assert df["comment"].to_list() == ["ab\rcd", "ok", "x"]  # CRLF is a line end


@pytest.mark.parametrize(
    ("data", "extra"),
    [
        pytest.param(b"id,nps\r1,10\r2,9\r3,6\r4,\r", [], id="cr-only"),
        pytest.param(b"id,nps\r1,10\r2,9\r3,6\r4,\r\r,\r", [
            "2 empty lines skipped (blank, or only delimiters)"], id="cr-only-trailing"),
        pytest.param("id;nps;commentaire\r1;10;\"deux\nlignes\"\r2;9;café\r3;6;x\r4;;y\r"
                     .encode("cp1252"), ["not UTF-8, read as cp1252 (Windows Western); pass "
                                         "--encoding if the accents look wrong"],
                     id="mac-excel-cp1252-lf-in-cell"),
    ],
)
def test_cr_only_line_ends_are_read(tmp_path, capsys, data, extra):
    # old Mac Excel: every line ends with a lone CR; rewritten to LF in a temp file
    path = write(tmp_path / "f.csv", data)
    result, err = kpi(capsys, "nps", path, "--score", "nps")
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 1, "invalid": 0, "out_of_range": 0}}
    assert notes(err) == [f"{path}: {e}" for e in extra]


def test_cr_only_big_file(tmp_path, capsys):
    n = 60_000
    path = write(tmp_path / "f.csv", b"id,nps,comment\r" + rows_bytes(n, b"\r") + b",,\r")
    result, err = kpi(capsys, "nps", path, "--score", "nps")
    assert (result["value"], result["n"], result["dropped"]["missing"]) == (nps_of(n), n, 0)
    assert notes(err) == [f"{path}: 1 empty line skipped (blank, or only delimiters)"]


def test_transcode_joins_a_crlf_cut_by_the_chunk(tmp_path):
    mib = 1 << 20
    head = b"id,c\r" + b"x" * (mib - 6)  # the CR of a CRLF is the chunk's last byte
    data = head + b"\r\n1,a\r2,b\r\r3,c" + b"y" * mib + b"\r"
    assert data[mib - 1:mib + 1] == b"\r\n"
    out = Path(_transcode(str(write(tmp_path / "f.csv", data)), "utf-8", "\r")).read_bytes()
    assert out == data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def test_nul_bytes_later_are_data(tmp_path, capsys):
    path = write(tmp_path / "f.csv", b"id,nps\n" + b"1,10\n" * 2000 + b"2,\x00\x00\n3,6\n")
    result, _ = kpi(capsys, "nps", path)
    # 2000 promoters, 1 detractor, the NUL score invalid -> 100 * 1999 / 2001 = 99.9
    assert headline(result) == {
        "value": 99.9, "n": 2001, "dropped": {"missing": 0, "invalid": 1, "out_of_range": 0}}


def test_header_only(tmp_path, capsys):
    for data in (b"id,nps\n", b"id,nps"):
        path = write(tmp_path / "f.csv", data)
        code, out, err = cxkit(capsys, "nps", path, "--format", "json")
        assert code == 0, err
        assert (json.loads(out)["value"], json.loads(out)["n"]) == (None, 0)


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        pytest.param("f.csv", b"\n\n\r\n  \n", "the file is empty", id="blank-lines-only"),
        pytest.param("f.csv", b",,,\n,,,\r\n\n", "no header row", id="delimiters-only"),
        pytest.param("f.csv", b"id,nps,c\n1,10,5\" screen\n2,9,ok\n3,6,x\n",
                     "line 2: a double quote inside a field", id="stray-quote"),
        pytest.param("f.csv", b"id,nps,c\n1,10,5\" screen\n2,9,ok\n3,6,12\" tv\n4,0,x\n",
                     "line 2: a double quote inside a field", id="two-stray-quotes"),
        pytest.param("f.csv", b"id,nps,c\n1,10,ok\n2,9,\"open\n3,6,x\n",
                     "line 3: a quoted field is never closed", id="unclosed-quote-at-end"),
        pytest.param("f.csv", b"id,nps,c\n1,10,\"a\"b\n2,9,ok\n",
                     "line 2: a quoted field goes on after its closing quote",
                     id="text-after-quote"),
        pytest.param("f.csv", b"id,nps\n\x00\x00\x01\x02", "not a text file", id="binary"),
        pytest.param("f.csv.gz", b"\x1f\x8b\x08\x00garbage", "not a complete gzip file",
                     id="corrupt-gzip"),
        pytest.param("f.csv.gz", gzip.compress(rows_bytes(20_000))[:5000],
                     "not a complete gzip file", id="truncated-gzip"),
    ],
)
def test_broken_csv_is_refused(tmp_path, capsys, name, data, needle):
    path = write(tmp_path / name, data)
    refused(*cxkit(capsys, "nps", path, "--format", "json"), path, needle)


def test_stray_quote_after_the_sample(tmp_path, capsys):
    # the sniffer cannot see it; Polars fails on it while the KPI reads: still 65, naming the file
    data = b"id,nps,c\n" + rows_bytes(60_000) + b"x,10,5\" screen\ny,0,ok\n"
    path = write(tmp_path / "f.csv", data)
    refused(*cxkit(capsys, "nps", path, "--format", "json"), path, "cannot read")


def test_quotes_written_right_are_read(tmp_path, capsys):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows([["id", "nps", "comment"], [1, 10, 'a 5" screen'], [2, 9, "two\nlines"],
                      [3, 6, 'say "hi", then\r\n\r\nbye'], [4, "", '""']])
    path = write(tmp_path / "f.csv", buf.getvalue().encode())
    result, err = kpi(capsys, "nps", path)
    assert headline(result) == {
        "value": 33.3, "n": 3, "dropped": {"missing": 1, "invalid": 0, "out_of_range": 0}}
    assert err == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(["--encoding", "no-such-codec"], "unknown encoding", id="encoding"),
        pytest.param(["--delimiter", ";;"], "--delimiter must be one character", id="delimiter"),
    ],
)
def test_bad_reader_options_are_usage_errors(tmp_path, capsys, args, needle):
    path = write(tmp_path / "f.csv", b"id,nps\n1,10\n")
    code, out, err = cxkit(capsys, "nps", path, *args)
    assert code == ExitCode.USAGE, err
    assert "Traceback" not in err
    assert err.startswith("cxkit: error: ") and needle in err


def test_wrong_forced_encoding_is_a_data_error(tmp_path, capsys):
    path = write(tmp_path / "f.csv", b"id,nps\n1,10\n")
    refused(*cxkit(capsys, "nps", path, "--encoding", "utf-16"), path, "cannot be read as utf-16")


@pytest.mark.parametrize(("given", "seen"), [(None, {"1"}), ("4", {"4"}), ("", {"1"})])
def test_a_survey_decodes_one_row_group_ahead_unless_told(tmp_path, monkeypatch, given, seen):
    # the survey's one pass reads a Parquet file with POLARS_ROW_GROUP_PREFETCH_SIZE=1 (peak
    # memory) and the user's own value wins; an empty value (which makes Polars panic) counts as
    # unset. NPS of 10, 9, 0: 100 * (2 - 1) / 3 = 33.3
    import os

    import polars as pl

    from cxkit.io.read import PREFETCH

    path = tmp_path / "answers.parquet"
    pl.DataFrame({"nps": [10, 9, 0]}).write_parquet(path)
    env = {k: v for k, v in os.environ.items() if k != PREFETCH}
    if given is not None:
        env[PREFETCH] = given
    during, collect = [], pl.LazyFrame.collect

    def spy(self, *args, **kwargs):
        during.append(os.environ.get(PREFETCH))
        return collect(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect", spy)
    run = run_cli("nps", path, "--format", "json", env=env)
    assert run.returncode == 0, run
    assert json.loads(run.stdout)["value"] == 33.3
    assert seen <= set(during) and "8" not in during


@pytest.mark.parametrize("given", [None, "", "4"])
def test_the_prefetch_setting_is_as_it_was_after_the_pass(monkeypatch, given):
    import os

    from cxkit.io.read import PREFETCH, Table, reading

    if given is None:
        monkeypatch.delenv(PREFETCH, raising=False)
    else:
        monkeypatch.setenv(PREFETCH, given)
    table = Table(lf=None, columns=[], sources=["x.parquet"], kind="parquet")
    with reading(table, one_pass=True):
        assert os.environ[PREFETCH] == (given or "1")
    assert os.environ.get(PREFETCH) == given
    with reading(table):  # several passes: Polars' default
        assert os.environ.get(PREFETCH) == given
