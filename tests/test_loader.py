"""The loader on real-shaped exports: encodings, separators, extra header rows, labels, formats,
several files, dates and column roles (EXPORTS.md sections 0, 1.9-1.11).

Every fixture is written byte for byte into `tmp_path` (encoding and line endings exact) and every
expected number is worked out by hand in a comment beside it. Each case is checked through the
Python API (`read_inputs`, `load`, `detect_roles`, `detect_format`) and end to end through the CLI,
with stdout (the data) and stderr (notices and errors) asserted apart.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import polars as pl
import pytest
from conftest import run_cli

from cxkit.errors import DataError, ExitCode
from cxkit.io import Loaded, LoadOptions, load
from cxkit.io.dates import detect_format
from cxkit.io.read import read_inputs
from cxkit.io.roles import ALL_ROLES, detect_roles

# ------------------------------------------------------------------------------------------------
# Writing fixtures and running the CLI
# ------------------------------------------------------------------------------------------------


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def text_file(
    path: Path, *lines: str, eol: str = "\n", encoding: str = "utf-8", bom: bool = False
) -> Path:
    """Lines joined with `eol` (after the last one too), encoded exactly as asked."""
    data = "".join(line + eol for line in lines).encode(encoding)
    return write_bytes(path, (b"\xef\xbb\xbf" if bom else b"") + data)


def csv_file(path: Path, rows: list[list], eol: str = "\r\n", sep: str = ",") -> Path:
    """Rows quoted the way a spreadsheet writes them (cells holding `"`, `,` or newlines)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=eol).writerows(rows)
    return write_bytes(path, buf.getvalue().encode("utf-8"))


def kpi_json(kind: str, *args, input: bytes | None = None) -> tuple[dict, str]:
    """`cxkit KIND ARGS --format json`: the parsed stdout (nothing else on it) and stderr."""
    run = run_cli(kind, *args, "--format", "json", input=input)
    assert run.returncode == 0, run
    return json.loads(run.stdout), run.stderr


def headline(result: dict) -> dict:
    """The numbers a user reads first, without the interval and the rule text."""
    return {k: result[k] for k in ("value", "n", "counts", "dropped")}


def trend(result: dict) -> dict[str, tuple[float | None, int]]:
    """period -> (value, n) of the overall per-period series."""
    return {t["period"]: (t["value"], t["n"]) for t in result["trend"]}


def by_key(result: dict, *keys: str) -> dict[tuple, tuple[float | None, int]]:
    """(group key values...) -> (value, n)."""
    return {tuple(g["key"][k] for k in keys): (g["value"], g["n"]) for g in result["groups"]}


def notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("cxkit: note:")]


def data_error(run, *needles: str) -> str:
    """Exit 65, nothing on stdout, a `cxkit: error:` on stderr naming every needle."""
    assert run.returncode == ExitCode.DATA, run
    assert run.stdout == "", run
    assert run.stderr.startswith("cxkit: error: "), run
    assert "Traceback" not in run.stderr, run
    for needle in needles:
        assert needle in run.stderr, (needle, run)
    return run.stderr


def load_nps(path: Path | str, **opts) -> Loaded:
    """`load` as `cxkit nps` calls it; `need_date` when a date is wanted."""
    need_date = opts.pop("need_date", False)
    return load(
        LoadOptions([str(path)], **opts),
        ("nps_score", "responded_at"), ("nps_score",),
        {"nps_score": "--score", "responded_at": "--date"}, "responded_at", need_date=need_date,
    )


NO_DROPS = {"missing": 0, "invalid": 0, "out_of_range": 0}
NO_DATE_DROPS = {"missing_date": 0, "invalid_date": 0, "outside_dates": 0}


# ------------------------------------------------------------------------------------------------
# 1. A French Excel export: cp1252, `;`, CRLF, decimal commas, dd/mm/yyyy HH:MM
# ------------------------------------------------------------------------------------------------

FR_LINES = [
    "Date de réponse;Note de recommandation;Canal;Commentaire;Panier moyen",
    "03/04/2025 09:15;10;téléphone;Très bien;55,85",      # 3 April   promoter   téléphone
    "04/03/2025 10:00;9;e-mail;Rapide;12,50",             # 4 March   promoter   e-mail
    "28/03/2025 18:30;8;téléphone;Correct, sans plus;7,00",  # March  passive    téléphone
    "02/04/2025 08:05;6;e-mail;Déçu;120,00",              # 2 April   detractor  e-mail
    "13/04/2025 12:00;9,0;téléphone;Parfait;34,50",       # April     9,0 = 9: promoter
    "20/04/2025 16:45;;e-mail;;3,10",                     # no answer: missing
    "21/04/2025 17:00;11;téléphone;Erreur de saisie;3,10",  # 11: out of range
    "22/04/2025 17:30;7,5;e-mail;Moyen;8,00",             # 7,5 = 7.5: invalid
]
# NPS: n 5 (10, 9, 8, 6, 9); promoters 3, passives 1, detractors 1 -> 100 * (3 - 1) / 5 = 40.0
# by Canal: e-mail 9, 6 -> 100 * (1 - 1) / 2 = 0.0; téléphone 10, 8, 9 -> 100 * 2 / 3 = 66.7
# by month (day-first): 2025-03: 9, 8 -> 100 * 1 / 2 = 50.0; 2025-04: 10, 6, 9 -> 100 * 1/3 = 33.3


@pytest.fixture
def french_csv(tmp_path: Path) -> Path:
    path = text_file(tmp_path / "export_fr.csv", *FR_LINES, eol="\r\n", encoding="cp1252")
    raw = path.read_bytes()
    assert b"t\xe9l\xe9phone" in raw and b"\r\n" in raw  # really cp1252 and CRLF
    return path


def test_french_export_is_read_through_the_api(french_csv):
    table = read_inputs([str(french_csv)])
    assert table.layout.encoding == "cp1252"
    assert table.layout.delimiter == ";"
    assert table.layout.decimal_comma  # 55,85 in "Panier moyen"
    assert table.columns == [
        "Date de réponse", "Note de recommandation", "Canal", "Commentaire", "Panier moyen",
    ]
    assert any("cp1252" in n for n in table.notices)
    df = table.lf.collect()
    assert df.height == 8  # the header is not a row; CRLF leaves no "\r" behind
    assert sorted(df["Canal"].unique()) == ["e-mail", "téléphone"]
    assert df["Commentaire"][2] == "Correct, sans plus"  # a comma inside a `;` file
    assert df["Panier moyen"][0] == "55,85"  # no stray "\r" on the last column

    loaded = load_nps(french_csv, need_date=True)
    assert loaded.roles["nps_score"].column == "Note de recommandation"
    assert loaded.roles["responded_at"].column == "Date de réponse"
    # 28/03 and 13/04 only fit day-first: no doubt, so no ambiguity notice
    assert loaded.date_format.fmt == "%d/%m/%Y %H:%M"
    assert not loaded.date_format.ambiguous


def test_french_export_end_to_end(french_csv):
    result, err = kpi_json("nps", french_csv)
    assert headline(result) == {
        "value": 40.0, "n": 5,
        "counts": {"promoters": 3, "passives": 1, "detractors": 1},
        "dropped": {"missing": 1, "invalid": 1, "out_of_range": 1},
    }
    assert result["columns"] == {"nps_score": "Note de recommandation"}
    assert notes(err) == [
        f"cxkit: note: {french_csv}: not UTF-8, read as cp1252 (Windows Western); "
        "pass --encoding if the accents look wrong"
    ]


def test_french_export_groups_decode_accents(french_csv):
    result, _ = kpi_json("nps", french_csv, "--by", "Canal")
    assert by_key(result, "Canal") == {("e-mail",): (0.0, 2), ("téléphone",): (66.7, 3)}
    # the same group keys in CSV output, written as UTF-8
    run = run_cli("nps", french_csv, "--by", "canal", "--format", "csv")
    assert run.returncode == 0, run
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["Canal"], r["value"], r["n"]) for r in rows] == [
        ("e-mail", "0.0", "2"), ("téléphone", "66.7", "3"),
    ]


def test_french_export_months_are_day_first(french_csv):
    result, err = kpi_json("nps", french_csv, "--period", "month", "--by", "Canal")
    # 03/04/2025 is 3 April and 04/03/2025 is 4 March
    assert trend(result) == {"2025-03": (50.0, 2), "2025-04": (33.3, 3)}
    assert by_key(result, "Canal", "period") == {
        ("e-mail", "2025-03"): (100.0, 1),    # 04/03 9
        ("e-mail", "2025-04"): (-100.0, 1),   # 02/04 6
        ("téléphone", "2025-03"): (0.0, 1),   # 28/03 8
        ("téléphone", "2025-04"): (100.0, 2),  # 03/04 10, 13/04 9
    }
    assert result["dropped"] == {**NO_DATE_DROPS, "missing": 1, "invalid": 1, "out_of_range": 1}
    assert "--monthfirst" not in err  # unambiguous: no notice about the order


# ------------------------------------------------------------------------------------------------
# 2. UTF-8 with a BOM and CRLF
# ------------------------------------------------------------------------------------------------

BOM_ROWS = ["web,10,2025-01-05", "app,3,2025-01-06", "web,7,2025-02-01", "app,9,2025-02-11"]
# NPS: 10, 3, 7, 9 -> promoters 2, passives 1, detractors 1, n 4 -> 100 * (2 - 1) / 4 = 25.0
# by Canal: app 3, 9 -> 0.0; web 10, 7 -> 100 * 1 / 2 = 50.0


def test_bom_is_not_part_of_the_first_column_name(tmp_path):
    path = text_file(tmp_path / "bom.csv", "Canal,NPS,Date de réponse", *BOM_ROWS,
                     eol="\r\n", bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfCanal,")
    table = read_inputs([str(path)])
    assert table.columns == ["Canal", "NPS", "Date de réponse"]
    assert table.notices == []  # UTF-8: no cp1252 notice

    result, err = kpi_json("nps", path, "--by", "Canal")
    assert headline(result) == {
        "value": 25.0, "n": 4,
        "counts": {"promoters": 2, "passives": 1, "detractors": 1}, "dropped": NO_DROPS,
    }
    assert by_key(result, "Canal") == {("app",): (0.0, 2), ("web",): (50.0, 2)}
    assert err == ""

    # the same bytes on stdin
    result, _ = kpi_json("nps", "-", "--by", "canal", input=path.read_bytes())
    assert by_key(result, "Canal") == {("app",): (0.0, 2), ("web",): (50.0, 2)}

    run = run_cli("columns", path, "--format", "json")
    assert run.returncode == 0, run
    assert [c["column"] for c in json.loads(run.stdout)["columns"]] == [
        "Canal", "NPS", "Date de réponse",
    ]


def test_bom_on_a_role_column(tmp_path):
    rows = [",".join(r.split(",")[1::-1]) for r in BOM_ROWS]  # "10,web", ...
    path = text_file(tmp_path / "bom_first.csv", "NPS,Canal", *rows, eol="\r\n", bom=True)
    table = read_inputs([str(path)])
    assert table.columns[0] == "NPS"
    assert detect_roles(table.columns, table.labels, ("nps_score",))["nps_score"].column == "NPS"
    result, _ = kpi_json("nps", path)
    assert result["columns"] == {"nps_score": "NPS"}
    assert (result["value"], result["n"]) == (25.0, 4)


# ------------------------------------------------------------------------------------------------
# 3. Qualtrics: export tags, question labels, ImportId JSON (3 header rows)
# ------------------------------------------------------------------------------------------------

NPS_LABEL = "How likely are you to recommend us to a friend?"


BUY_AGAIN = "How likely are you to buy from us again?"


def qualtrics_rows(
    score_tag: str = "Q1", group: bool = True, q2_label: str = BUY_AGAIN
) -> list[list[str]]:
    """A "Download all fields" CSV export; Q2 (1-5) is another question before the NPS one."""
    tags = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "Q2", score_tag]
    labels = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
              "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
              q2_label,
              NPS_LABEL + "\n(0 = not at all likely, 10 = extremely likely)"]  # a newline inside
    imports = ['{"ImportId":"startDate","timeZone":"America/Denver"}',
               '{"ImportId":"endDate","timeZone":"America/Denver"}', '{"ImportId":"status"}',
               '{"ImportId":"ipAddress"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
               '{"ImportId":"finished"}',
               '{"ImportId":"recordedDate","timeZone":"America/Denver"}',
               '{"ImportId":"_recordId"}', '{"ImportId":"QID2"}', '{"ImportId":"QID1"}']
    if group:
        tags.append(score_tag + "_NPS_GROUP")
        labels.append(NPS_LABEL + " - Group")
        imports.append('{"ImportId":"QID1_NPS_GROUP"}')
    tags.append("Q3")
    labels.append("What is the main reason for your score?")
    imports.append('{"ImportId":"QID3_TEXT"}')
    answers = [  # (start, Q2 buy again 1-5, Q1 NPS, group, reason)
        ("2023-03-30 09:00:00", "5", "10", "Promoter", "Great, fast delivery"),
        ("2023-03-30 15:31:53", "4", "9", "Promoter", "Good"),
        ("2023-03-31 23:10:00", "2", "7", "Passive", 'They said "soon"'),
        ("2023-04-01 08:00:00", "1", "3", "Detractor", "Slow"),
        ("2023-04-02 12:00:00", "5", "9", "Promoter", ""),
    ]
    rows = [tags, labels, imports]
    for i, (start, q2, q1, grp, why) in enumerate(answers, 1):
        end = start[:-2] + "59"
        row = [start, end, "IP Address", "203.0.113.7", "100", "120", "True", end, f"R_{i:03d}",
               q2, q1] + ([grp] if group else []) + [why]
        rows.append(row)
    return rows
# NPS on Q1: 10, 9, 7, 3, 9 -> promoters 3, passives 1, detractors 1, n 5 -> 100 * 2 / 5 = 40.0
# by month: 2023-03: 10, 9, 7 -> 100 * 2 / 3 = 66.7; 2023-04: 3, 9 -> 100 * 0 / 2 = 0.0
# Read as data, the label and ImportId rows would show up as 2 invalid answers.


def test_qualtrics_three_header_rows(tmp_path):
    # Q2 mentions recommending too, and comes first: only the Q1 / Q1_NPS_GROUP pairing tells
    # which column is the NPS question (read as NPS, Q2's 5, 4, 2, 1, 5 would give -100.0)
    rows = qualtrics_rows(q2_label="Would you recommend our app to a colleague? (1-5)")
    path = csv_file(tmp_path / "qualtrics.csv", rows)
    assert b'"{""ImportId"":""startDate"",""timeZone"":""America/Denver""}"' in path.read_bytes()

    table = read_inputs([str(path)])
    assert table.layout.producer == "Qualtrics"
    assert table.layout.header_rows == 3
    assert table.labels["Q1"].startswith(NPS_LABEL)
    assert table.lf.collect().height == 5  # row 4 on: the label and JSON rows are not data
    roles = detect_roles(table.columns, table.labels, ALL_ROLES)
    assert roles["nps_score"].column == "Q1"
    assert roles["response_id"].column == "ResponseId"

    result, err = kpi_json("nps", path, "--period", "month")
    assert headline(result) == {
        "value": 40.0, "n": 5,
        "counts": {"promoters": 3, "passives": 1, "detractors": 1},
        "dropped": {"preview_or_test": 0, **NO_DATE_DROPS, **NO_DROPS},
    }
    assert result["columns"]["nps_score"] == "Q1"
    assert trend(result) == {"2023-03": (66.7, 3), "2023-04": (0.0, 2)}
    assert notes(err) == [
        f"cxkit: note: {path}: Qualtrics export, 3 header rows skipped",
        f"cxkit: note: {path}: Qualtrics previews, tests and spam are left out "
        "(dropped as preview_or_test)",
    ]


def test_qualtrics_nps_found_by_its_label(tmp_path):
    # No _NPS_GROUP companion and a tag that says nothing (QID7): only the label row names the
    # question. Q2 "How likely are you to buy from us again?" comes first; "recommend" in the
    # label of QID7 must win over the bare "likely" of Q2.
    path = csv_file(tmp_path / "qualtrics_label.csv", qualtrics_rows("QID7", group=False))
    table = read_inputs([str(path)])
    match = detect_roles(table.columns, table.labels, ("nps_score",))["nps_score"]
    assert (match.column, match.how) == ("QID7", "label")
    result, _ = kpi_json("nps", path)
    assert result["columns"] == {"nps_score": "QID7"}
    assert (result["value"], result["n"]) == (40.0, 5)
    assert result["dropped"] == {"preview_or_test": 0, **NO_DROPS}


def test_qualtrics_utf16_tab_export(tmp_path):
    """Qualtrics TSV exports are UTF-16 with a BOM."""
    rows = qualtrics_rows()
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    path = write_bytes(tmp_path / "qualtrics.tsv", buf.getvalue().encode("utf-16"))
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    result, err = kpi_json("nps", path)
    assert (result["value"], result["n"]) == (40.0, 5)
    assert result["dropped"] == {"preview_or_test": 0, **NO_DROPS}
    assert result["columns"] == {"nps_score": "Q1"}
    assert "Qualtrics export" in err


# ------------------------------------------------------------------------------------------------
# 4. SurveyMonkey: question row, then answer-type / option row (2 header rows)
# ------------------------------------------------------------------------------------------------

SM_NPS = "How likely is it that you would recommend this company to a friend or colleague?"
SM_CHANNELS = "Which channels did you use?"


def surveymonkey_rows() -> list[list[str]]:
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]
    row1 = meta + [SM_NPS, SM_CHANNELS, "", "", "Any other comments?"]
    row2 = [""] * len(meta) + ["Response", "Email", "Phone", "Chat", "Open-Ended Response"]
    answers = [  # (start, NPS, email, phone, chat, comment)
        ("05/14/2024 10:02:11 AM", "10", "Email", "", "Chat", "Great, thanks"),
        ("05/20/2024 03:15:00 PM", "9", "", "Phone", "", "Fine"),
        ("06/02/2024 09:00:00 AM", "6", "Email", "Phone", "", ""),
        ("06/03/2024 11:30:00 AM", "8", "", "", "Chat", "meh"),
        ("06/04/2024 01:45:00 PM", "", "Email", "", "", "skipped the question"),
    ]
    rows = [row1, row2]
    for i, (start, nps, email, phone, chat, comment) in enumerate(answers):
        rows.append([str(114227000 + i), "4242", start, start, "198.51.100.1", "", "", "", "",
                     nps, email, phone, chat, comment])
    return rows
# NPS: 10, 9, 6, 8 -> promoters 2, passives 1, detractors 1, n 4 -> 100 * 1 / 4 = 25.0; 1 missing
# by month (mm/dd: 05/14 and 05/20 only fit month-first): 2024-05: 10, 9 -> 100.0 (n 2);
# 2024-06: 6, 8 -> 100 * (0 - 1) / 2 = -50.0 (n 2)


def test_surveymonkey_two_header_rows(tmp_path):
    path = csv_file(tmp_path / "surveymonkey.csv", surveymonkey_rows())
    table = read_inputs([str(path)])
    assert (table.layout.producer, table.layout.header_rows) == ("SurveyMonkey", 2)
    assert table.lf.collect().height == 5

    result, err = kpi_json("nps", path, "--period", "month")
    assert headline(result) == {
        "value": 25.0, "n": 4,
        "counts": {"promoters": 2, "passives": 1, "detractors": 1},
        "dropped": {**NO_DATE_DROPS, "missing": 1, "invalid": 0, "out_of_range": 0},
    }
    assert result["columns"]["nps_score"] == SM_NPS
    assert trend(result) == {"2024-05": (100.0, 2), "2024-06": (-50.0, 2)}
    assert f"{path}: SurveyMonkey export, 2 header rows skipped" in err
    assert "--dayfirst" not in err  # 05/14 settles the order


def test_surveymonkey_columns_show_combined_names(tmp_path):
    path = csv_file(tmp_path / "surveymonkey.csv", surveymonkey_rows())
    run = run_cli("columns", path, "--format", "json")
    assert run.returncode == 0, run
    cols = {c["column"]: c for c in json.loads(run.stdout)["columns"]}
    assert list(cols)[9:] == [
        SM_NPS,  # row 2 says only "Response": the question alone
        f"{SM_CHANNELS} - Email", f"{SM_CHANNELS} - Phone", f"{SM_CHANNELS} - Chat",
        "Any other comments?",  # "Open-Ended Response"
    ]
    assert cols[SM_NPS]["role"] == "nps_score"
    assert cols[f"{SM_CHANNELS} - Email"]["filled"] == "3/5"  # answers 1, 3, 5
    assert cols[f"{SM_CHANNELS} - Chat"]["examples"] == ["Chat"]
    assert cols["Any other comments?"]["role"] == "comment"
    assert "SurveyMonkey export" in run.stderr


# ------------------------------------------------------------------------------------------------
# 4b. Typeform: one header row, question texts as names, UTC dates
# ------------------------------------------------------------------------------------------------


def test_typeform_export(tmp_path):
    header = ["#", "How likely are you to recommend {{field:company}} to a friend?",
              "What could we do better?", "Phone", "utm_source", "Response Type",
              "Start Date (UTC)", "Stage Date (UTC)", "Submit Date (UTC)", "Network ID", "Tags",
              "Ending"]
    answers = [  # (NPS, utm_source, start)
        ("10", "newsletter", "2024-01-30 09:00:00"), ("4", "ads", "2024-01-31 23:59:00"),
        ("8", "newsletter", "2024-02-01 00:01:00"), ("9", "ads", "2024-02-02 10:00:00"),
    ]
    rows = [header] + [
        [f"{i:032x}", nps, "", "'+56954886178", src, "completed", start, "", start,
         "a1b2c3d4e5", "", "default"]
        for i, (nps, src, start) in enumerate(answers, 1)
    ]
    path = csv_file(tmp_path / "typeform.csv", rows, eol="\n")
    # 10, 4, 8, 9 -> promoters 2, passives 1, detractors 1, n 4 -> 25.0
    # by utm_source: ads 4, 9 -> 0.0; newsletter 10, 8 -> 50.0
    # by month: 2024-01: 10, 4 -> 0.0; 2024-02: 8, 9 -> 50.0
    result, err = kpi_json("nps", path, "--by", "utm_source", "--period", "month")
    assert result["columns"]["nps_score"] == header[1]
    assert (result["value"], result["n"]) == (25.0, 4)
    assert trend(result) == {"2024-01": (0.0, 2), "2024-02": (50.0, 2)}
    assert by_key(result, "utm_source", "period") == {
        ("ads", "2024-01"): (-100.0, 1), ("ads", "2024-02"): (100.0, 1),
        ("newsletter", "2024-01"): (100.0, 1), ("newsletter", "2024-02"): (0.0, 1),
    }
    assert err == ""
    result, _ = kpi_json("nps", path, "--by", "utm_source")
    assert by_key(result, "utm_source") == {("ads",): (0.0, 2), ("newsletter",): (50.0, 2)}


# ------------------------------------------------------------------------------------------------
# 5. Answers written as labels
# ------------------------------------------------------------------------------------------------


def test_nps_labels_use_their_leading_number(tmp_path):
    path = text_file(
        tmp_path / "nps_labels.csv", "Likelihood to recommend",
        "10 - Extremely likely", "0 - Not at all likely", "9", "8", "5",
        "10 - Extremely likely", "", "7.5", "Maybe",
    )
    # used: 10, 0, 9, 8, 5, 10 -> promoters 3 (10, 9, 10), passives 1 (8), detractors 2 (0, 5)
    # n 6 -> 100 * (3 - 2) / 6 = 16.67; "" missing; 7.5 and "Maybe" invalid
    result, _ = kpi_json("nps", path)
    assert headline(result) == {
        "value": 16.7, "n": 6,
        "counts": {"promoters": 3, "passives": 1, "detractors": 2},
        "dropped": {"missing": 1, "invalid": 2, "out_of_range": 0},
    }


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied",
             "VERY SATISFIED", "Meh", "", "N/A"],
            # 5, 4, 3, 2, 1, 5 -> n 6; satisfied (4-5) 3 -> 100 * 3 / 6 = 50.0
            # mean 20 / 6 = 3.33; "" and "N/A" missing, "Meh" invalid
            {"value": 50.0, "n": 6, "mean_score": 3.33,
             "dropped": {"missing": 2, "invalid": 1, "out_of_range": 0}},
            id="english",
        ),
        pytest.param(
            ["Très satisfait", "Satisfait", "Neutre", "Insatisfait", "Très insatisfait",
             "Plutôt satisfait", "TRÈS SATISFAIT"],
            # 5, 4, 3, 2, 1, 4, 5 -> n 7; satisfied 4 -> 100 * 4 / 7 = 57.14; mean 24 / 7 = 3.43
            {"value": 57.1, "n": 7, "mean_score": 3.43, "dropped": NO_DROPS},
            id="french",
        ),
        pytest.param(
            ["Good", "Bad", "Offered", "Not Offered", "Good", "good "],
            # Zendesk: good 5, bad 1, offered / not offered = no answer (missing)
            # 5, 1, 5, 5 -> n 4; satisfied 3 -> 75.0 = good / (good + bad); mean 16 / 4 = 4.0
            {"value": 75.0, "n": 4, "mean_score": 4.0,
             "dropped": {"missing": 2, "invalid": 0, "out_of_range": 0}},
            id="zendesk",
        ),
    ],
)
def test_csat_labels(tmp_path, lines, expected):
    path = text_file(tmp_path / "csat.csv", "Satisfaction", *lines, eol="\r\n")
    result, _ = kpi_json("csat", path)
    assert {k: result[k] for k in expected} == expected
    assert result["counts"]["satisfied"] + result["counts"]["not_satisfied"] == expected["n"]


def test_french_csat_labels_in_cp1252(tmp_path):
    path = text_file(tmp_path / "csat_fr.csv", "Satisfaction;Canal",
                     "Très satisfait;téléphone", "Très insatisfait;téléphone", "Satisfait;e-mail",
                     eol="\r\n", encoding="cp1252")
    # téléphone: 5, 1 -> satisfied 1 of 2 = 50.0; e-mail: 4 -> 100.0; overall 2 of 3 = 66.7
    result, err = kpi_json("csat", path, "--by", "Canal")
    assert (result["value"], result["n"]) == (66.7, 3)
    assert by_key(result, "Canal") == {("e-mail",): (100.0, 1), ("téléphone",): (50.0, 2)}
    assert "read as cp1252" in err


# ------------------------------------------------------------------------------------------------
# 6. Other containers: gzip, Parquet, XLSX, NDJSON, standard input
# ------------------------------------------------------------------------------------------------

BASE = pl.DataFrame({
    "NPS": [10, 3, 7, 9, None],
    "Canal": ["web", "app", "web", "app", "web"],
    "Date": ["2025-01-05", "2025-01-06", "2025-02-01", "2025-02-11", "2025-02-12"],
})
# NPS: 10, 3, 7, 9 -> promoters 2, passives 1, detractors 1, n 4 -> 100 * 1 / 4 = 25.0; 1 missing
# by month: 2025-01: 10, 3 -> 0.0 (n 2); 2025-02: 7, 9 -> 100 * 1 / 2 = 50.0 (n 2; 1 missing)
# by Canal and month: app 2025-01: 3 -> -100.0; app 2025-02: 9 -> 100.0;
#                     web 2025-01: 10 -> 100.0; web 2025-02: 7 -> 0.0 (and the missing answer)
BASE_EXPECTED = {
    "value": 25.0, "n": 4,
    "counts": {"promoters": 2, "passives": 1, "detractors": 1},
    "dropped": {**NO_DATE_DROPS, "missing": 1, "invalid": 0, "out_of_range": 0},
}
BASE_TREND = {"2025-01": (0.0, 2), "2025-02": (50.0, 2)}
BASE_GROUPS = {
    ("app", "2025-01"): (-100.0, 1), ("app", "2025-02"): (100.0, 1),
    ("web", "2025-01"): (100.0, 1), ("web", "2025-02"): (0.0, 1),
}
BASE_CSV = b"NPS,Canal,Date\r\n10,web,2025-01-05\r\n3,app,2025-01-06\r\n7,web,2025-02-01\r\n" \
           b"9,app,2025-02-11\r\n,web,2025-02-12\r\n"


def _as_dates(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.col("Date").str.to_date("%Y-%m-%d"))


def _write_container(kind: str, folder: Path) -> tuple[list[str], bytes | None]:
    """Write BASE as `kind`; return (CLI arguments for the input, bytes for stdin or None)."""
    if kind == "csv":
        return [str(write_bytes(folder / "base.csv", BASE_CSV))], None
    if kind == "csv.gz":
        return [str(write_bytes(folder / "base.csv.gz", gzip.compress(BASE_CSV)))], None
    if kind == "parquet-int":  # a native integer score and a native Date
        path = folder / "base.parquet"
        _as_dates(BASE).write_parquet(path)
        assert pl.read_parquet(path).schema["NPS"] == pl.Int64
        return [str(path)], None
    if kind == "parquet-str":  # the score as text, the way some pipelines store it
        path = folder / "base_text.parquet"
        BASE.with_columns(pl.col("NPS").cast(pl.String)).write_parquet(path)
        assert pl.read_parquet(path).schema["NPS"] == pl.String
        return [str(path)], None
    if kind == "xlsx":
        path = folder / "base.xlsx"
        _as_dates(BASE).write_excel(path)
        return [str(path)], None
    if kind == "ndjson":
        path = folder / "base.ndjson"
        BASE.write_ndjson(path)
        return [str(path)], None
    if kind == "stdin-csv":
        return ["-"], BASE_CSV
    if kind == "stdin-gzip":
        return ["-"], gzip.compress(BASE_CSV)
    if kind == "stdin-parquet":
        buf = io.BytesIO()
        _as_dates(BASE).write_parquet(buf)
        return ["-"], buf.getvalue()
    raise AssertionError(kind)


CONTAINERS = ["csv", "csv.gz", "parquet-int", "parquet-str", "xlsx", "ndjson", "stdin-csv",
              "stdin-gzip", "stdin-parquet"]


@pytest.mark.parametrize("kind", CONTAINERS)
def test_every_container_gives_the_same_numbers(tmp_path, kind):
    args, stdin = _write_container(kind, tmp_path)
    result, err = kpi_json("nps", *args, "--period", "month", "--by", "Canal", input=stdin)
    assert headline(result) == BASE_EXPECTED
    assert trend(result) == BASE_TREND
    assert by_key(result, "Canal", "period") == BASE_GROUPS
    assert result["columns"] == {"nps_score": "NPS", "responded_at": "Date"}
    assert err == ""  # nothing to say about any of these inputs


@pytest.mark.parametrize("kind", CONTAINERS)
def test_every_container_through_the_api(tmp_path, kind, monkeypatch):
    args, stdin = _write_container(kind, tmp_path)
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    table = read_inputs(args)
    assert table.name == ("<stdin>" if stdin is not None else args[0])
    assert table.columns == ["NPS", "Canal", "Date"]
    df = table.lf.collect()
    assert df.height == 5
    assert df["Canal"].to_list() == ["web", "app", "web", "app", "web"]


# ------------------------------------------------------------------------------------------------
# 7. Several files, a glob
# ------------------------------------------------------------------------------------------------


def test_files_and_globs_are_stacked(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    # one export from a French Windows machine, one re-saved elsewhere with its columns reordered
    text_file(folder / "2025-01.csv", "NPS;Canal", "10;téléphone", "3;web",
              eol="\r\n", encoding="cp1252")
    text_file(folder / "2025-02.csv", "Canal,NPS", "téléphone,9", "web,8", "téléphone,0")
    # 10, 3, 9, 8, 0 -> promoters 2, passives 1, detractors 2, n 5 -> 100 * 0 / 5 = 0.0
    # by Canal: téléphone 10, 9, 0 -> 100 * (2 - 1) / 3 = 33.3; web 3, 8 -> 100 * -1 / 2 = -50.0
    expected = {
        "value": 0.0, "n": 5,
        "counts": {"promoters": 2, "passives": 1, "detractors": 2}, "dropped": NO_DROPS,
    }
    files = [str(folder / "2025-01.csv"), str(folder / "2025-02.csv")]
    for args in (files, [str(folder / "*.csv")], [str(folder / "2025-0?.csv")]):
        result, err = kpi_json("nps", *args, "--by", "Canal")
        assert headline(result) == expected, args
        assert by_key(result, "Canal") == {("téléphone",): (33.3, 3), ("web",): (-50.0, 2)}
        assert notes(err) == [
            f"cxkit: note: {files[0]}: not UTF-8, read as cp1252 (Windows Western); "
            "pass --encoding if the accents look wrong"
        ]

    table = read_inputs([str(folder / "*.csv")])
    assert table.sources == files
    assert table.name == "2 files"
    assert table.columns == ["NPS", "Canal"]  # the first file's order
    assert table.lf.collect()["NPS"].to_list() == ["10", "3", "9", "8", "0"]


def test_cp1252_accents_after_the_sniffed_megabyte(tmp_path):
    # The encoding is judged on the first MiB. A Windows export whose first accent comes later
    # cannot be read as UTF-8: a clean data error that points to --encoding, which then works.
    lines = ["NPS;Canal"] + ["10;web"] * 150_000 + ["3;téléphone"]
    path = text_file(tmp_path / "big_fr.csv", *lines, eol="\r\n", encoding="cp1252")
    assert path.stat().st_size > 1 << 20
    data_error(run_cli("nps", path, "--format", "json"), str(path), "--encoding")
    # 150,000 promoters and 1 detractor: 100 * 149,999 / 150,001 = 99.9987 -> 100.0
    result, err = kpi_json("nps", path, "--by", "Canal", "--encoding", "cp1252")
    assert by_key(result, "Canal") == {("téléphone",): (-100.0, 1), ("web",): (100.0, 150_000)}
    assert (result["value"], result["n"]) == (100.0, 150_001)
    assert err == ""  # the encoding was given: nothing guessed, nothing to say


def test_files_whose_columns_disagree(tmp_path):
    first = text_file(tmp_path / "a.csv", "NPS,Canal", "10,web")
    second = text_file(tmp_path / "b.csv", "NPS,Channel", "9,app")
    run = run_cli("nps", first, second, "--format", "json")
    err = data_error(run, str(second), "missing Canal", "extra Channel", str(first))
    assert len([line for line in err.splitlines() if line.strip()]) <= 2

    with pytest.raises(DataError) as caught:
        read_inputs([str(first), str(second)])
    assert caught.value.exit_code == ExitCode.DATA
    assert caught.value.message == (
        f"{second}: its columns differ from {first}; missing Canal; extra Channel"
    )


# ------------------------------------------------------------------------------------------------
# 8. Dates
# ------------------------------------------------------------------------------------------------


def nps_by_month(path: Path, *args: str) -> tuple[dict, str]:
    result, err = kpi_json("nps", path, "--period", "month", *args)
    return trend(result), err


def test_iso_dates_with_t_and_z(tmp_path):
    path = text_file(tmp_path / "typeform.csv", "NPS,Submitted at",
                     "10,2025-01-31T23:30:00Z", "3,2025-02-01T00:10:00Z",
                     "9,2025-02-15T12:00:00.250Z")
    # 2025-01: 10 -> 100.0; 2025-02: 3, 9 -> 100 * (1 - 1) / 2 = 0.0
    assert nps_by_month(path) == ({"2025-01": (100.0, 1), "2025-02": (0.0, 2)}, "")
    fmt = detect_format(pl.Series(["2025-01-31T23:30:00Z", "2025-02-15T12:00:00.250Z"]),
                        "Submitted at", "typeform.csv", None, False)
    assert (fmt.fmt, fmt.strip_tz, fmt.ambiguous) == ("%Y-%m-%dT%H:%M:%S%.f", True, False)


def test_timestamps_are_parsed_value_by_value_and_days_through_the_cache():
    # Polars' strptime cache parses each distinct value once: right for a column of days (a few
    # thousand at most), a hash lookup per row for timestamps (nearly all distinct)
    from datetime import date, datetime

    from cxkit.io.dates import DateFormat, few_values, parse_expr

    def cached(expr: pl.Expr) -> bool:
        text = expr.meta.serialize(format="json")
        assert text.count('"cache":') == 1
        return '"cache":true' in text

    assert [few_values(f) for f in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%Y-%m-%d %H:%M",
                                    "%Y-%m-%dT%H:%M:%S%.f", "%m/%d/%Y %I:%M %p")] == [
        True, True, True, False, False, False]
    stamps = DateFormat("%Y-%m-%d %H:%M:%S")
    days = DateFormat("%d/%m/%Y")
    assert (cached(parse_expr("t", stamps)), cached(parse_expr("t", days))) == (False, True)
    frame = pl.DataFrame({"t": [" 2025-01-31 23:30:00", "2025-01-31 23:30:00", "not a date",
                                None, "2025-02-01 00:10:05 "],
                          "d": ["31/01/2025", "31/01/2025", "32/01/2025", None, "01/02/2025"]})
    got = frame.select(parse_expr("t", stamps), parse_expr("d", days).dt.date())
    assert got["t"].to_list() == [datetime(2025, 1, 31, 23, 30), datetime(2025, 1, 31, 23, 30),
                                  None, None, datetime(2025, 2, 1, 0, 10, 5)]
    assert got["d"].to_list() == [date(2025, 1, 31), date(2025, 1, 31), None, None,
                                  date(2025, 2, 1)]
    # the zoned path too: 01:30 at +0200 is 23:30 UTC the day before
    from cxkit.io.tickets import timestamp_expr

    zoned = timestamp_expr("z", DateFormat("%Y-%m-%d %H:%M:%S", strip_tz=True), None)
    assert not cached(zoned)
    moved = pl.DataFrame({"z": ["2025-03-01 01:30:00 +0200", "2025-03-01 01:30:00Z"]}).select(zoned)
    assert moved["z"].to_list() == [datetime(2025, 2, 28, 23, 30), datetime(2025, 3, 1, 1, 30)]


def test_iso_dates_with_an_offset(tmp_path):
    # Shopify writes `YYYY-MM-DD HH:MM:SS ±HHMM`; the day is the one on the writer's calendar:
    # 2025-03-01 01:30 +0200 is 28 February 23:30 UTC, and counts in March as the shop saw it.
    path = text_file(tmp_path / "orders.csv", "NPS,Created at",
                     "10,2025-02-28 23:30:00 +0200", "6,2025-03-01 01:30:00 +0200",
                     "8,2025-03-15 10:00:00 -0500")
    # 2025-02: 10 -> 100.0; 2025-03: 6, 8 -> 100 * (0 - 1) / 2 = -50.0
    assert nps_by_month(path)[0] == {"2025-02": (100.0, 1), "2025-03": (-50.0, 2)}
    path = text_file(tmp_path / "colon.csv", "NPS,Date", "10,2025-02-28T23:30:00+02:00",
                     "6,2025-03-01T01:30:00+02:00")
    assert nps_by_month(path)[0] == {"2025-02": (100.0, 1), "2025-03": (-100.0, 1)}


def test_month_first_dates_without_doubt(tmp_path):
    path = text_file(tmp_path / "us.csv", "NPS,Date", "10,12/25/2024", "9,01/05/2025",
                     "0,02/01/2025")
    # 12/25 only fits mm/dd, so 01/05/2025 is 5 January and 02/01/2025 is 1 February
    months, err = nps_by_month(path)
    assert months == {"2024-12": (100.0, 1), "2025-01": (100.0, 1), "2025-02": (-100.0, 1)}
    assert err == ""  # no ambiguity notice


def test_day_first_dates_with_dashes(tmp_path):
    # Excel re-saved exports write `14-05-2024` (EXPORTS.md 0.6): the `-2024` is a year, not a
    # time zone offset
    path = text_file(tmp_path / "resaved.csv", "NPS;Date", "10;14-05-2024", "6;08-04-2024",
                     "8;30-04-2024", eol="\r\n")
    # 14-05 fits only dd-mm: 2024-04: 6, 8 -> -50.0; 2024-05: 10 -> 100.0
    assert nps_by_month(path) == ({"2024-04": (-50.0, 2), "2024-05": (100.0, 1)}, "")
    fmt = detect_format(pl.Series(["14-05-2024", "08-04-2024"]), "Date", "x", None, False)
    assert (fmt.fmt, fmt.strip_tz) == ("%d-%m-%Y", False)
    path = text_file(tmp_path / "resaved_time.csv", "NPS;Date", "10;08-04-2023 20:52",
                     "0;14-04-2023 09:05")
    assert nps_by_month(path)[0] == {"2023-04": (0.0, 2)}


AMBIGUOUS = ["NPS,Date", "10,03/04/2025", "0,05/06/2025", "9,05/07/2025"]


def test_ambiguous_dates_read_month_first_with_a_notice(tmp_path):
    path = text_file(tmp_path / "ambiguous.csv", *AMBIGUOUS)
    # month-first: 2025-03: 10 -> 100.0; 2025-05: 0, 9 -> 100 * (1 - 1) / 2 = 0.0
    months, err = nps_by_month(path)
    assert months == {"2025-03": (100.0, 1), "2025-05": (0.0, 2)}
    assert notes(err) == [
        f"cxkit: note: {path}: dates in 'Date' fit both dd/mm and mm/dd; read as month-first "
        "(mm/dd), pass --dayfirst if that is wrong"
    ]
    # --dayfirst: 3 April, 5 June, 5 July, and nothing left to warn about
    months, err = nps_by_month(path, "--dayfirst")
    assert months == {"2025-04": (100.0, 1), "2025-06": (-100.0, 1), "2025-07": (100.0, 1)}
    assert err == ""
    # the same through the API
    sample = pl.Series(["03/04/2025", "05/06/2025"])
    guessed = detect_format(sample, "Date", "x", None, False)
    assert (guessed.fmt, guessed.ambiguous) == ("%m/%d/%Y", True)
    told = detect_format(sample, "Date", "x", True, False)
    assert (told.fmt, told.ambiguous) == ("%d/%m/%Y", False)


def test_ambiguous_dates_in_a_french_file_read_day_first(tmp_path):
    path = text_file(tmp_path / "ambigu.csv", *[line.replace(",", ";") for line in AMBIGUOUS],
                     eol="\r\n")
    # a `;` file is a European export: day-first, with a notice naming --monthfirst
    months, err = nps_by_month(path)
    assert months == {"2025-04": (100.0, 1), "2025-06": (-100.0, 1), "2025-07": (100.0, 1)}
    assert "read as day-first (dd/mm), pass --monthfirst if that is wrong" in err
    months, err = nps_by_month(path, "--monthfirst")
    assert months == {"2025-03": (100.0, 1), "2025-05": (0.0, 2)}
    assert "--monthfirst" not in err and "--dayfirst" not in err


def test_unpadded_month_first_dates_after_the_sample(tmp_path):
    # US Excel writes m/d/yyyy. The first 1,000 answers (10/10 to 10/28) all have a 10-character
    # date part; "1/5/2025 9:15" after them must still be 5 January, not an invalid date.
    lines = ["NPS,Date"]
    lines += [f"10,10/{10 + i % 19}/2024 {9 + i % 3}:{i % 60:02d}" for i in range(1000)]
    lines += ["0,1/5/2025 9:15", "0,1/12/2025 14:15"]
    path = text_file(tmp_path / "us_excel.csv", *lines)
    result, err = kpi_json("nps", path, "--period", "month")
    # 2024-10: 1,000 promoters -> 100.0; 2025-01: 2 detractors -> -100.0
    # overall: 100 * (1000 - 2) / 1002 = 99.60
    assert trend(result) == {"2024-10": (100.0, 1000), "2025-01": (-100.0, 2)}
    assert (result["value"], result["n"]) == (99.6, 1002)
    assert result["dropped"]["invalid_date"] == 0
    assert err == ""


def test_epoch_seconds(tmp_path):
    path = text_file(tmp_path / "delighted.csv", "score,created_at",
                     "10,1735689600", "3,1738367999", "9,1738368000")
    # 1735689600 = 2025-01-01 00:00:00 UTC; 1738367999 = 2025-01-31 23:59:59 (31 * 86400 - 1 on);
    # 1738368000 = 2025-02-01 00:00:00 -> 2025-01: 10, 3 -> 0.0; 2025-02: 9 -> 100.0
    months, _ = nps_by_month(path, "--score", "score")
    assert months == {"2025-01": (0.0, 2), "2025-02": (100.0, 1)}
    fmt = detect_format(pl.Series(["1735689600", "1738368000"]), "created_at", "x", None, False)
    assert fmt.epoch_unit == "s"


def test_a_few_unreadable_dates_are_counted_not_fatal(tmp_path):
    lines = ["NPS,Date"] + [f"{9 + i % 2},2025-01-{i + 1:02d}" for i in range(9)]
    lines += ["3,n/a", "0,", "8,2025-02-03"]
    path = text_file(tmp_path / "gaps.csv", *lines)
    # 2025-01: nine promoters (9 and 10) -> 100.0; 2025-02: 8 -> 0.0
    # "n/a" is an invalid date (10 of 11 sampled values read), "" a missing one
    result, _ = kpi_json("nps", path, "--period", "month")
    assert trend(result) == {"2025-01": (100.0, 9), "2025-02": (0.0, 1)}
    assert result["dropped"] == {"missing_date": 1, "invalid_date": 1, "outside_dates": 0,
                                 **NO_DROPS}


def test_unreadable_date_column_is_a_data_error(tmp_path):
    path = text_file(tmp_path / "words.csv", "NPS,Date", "3,2025-01-05", "10,last tuesday",
                     "9,soon")
    run = run_cli("nps", path, "--period", "month", "--format", "json")
    # 1 of 3 values reads as a date: too few. The example is a value that does not read, not
    # the first one (which is fine).
    data_error(run, str(path), "'Date'", "cannot recognise the date format",
               "'last tuesday'", "--date")
    # without a period nothing needs the date: the KPI is computed as usual
    result, _ = kpi_json("nps", path)
    assert (result["value"], result["n"]) == (33.3, 3)  # 10, 9, 3 -> 100 * (2 - 1) / 3

    with pytest.raises(DataError, match="cannot recognise the date format"):
        load_nps(path, need_date=True)


def test_since_until_count_what_they_leave_out(tmp_path):
    path = text_file(
        tmp_path / "window.csv", "NPS,Date",
        "0,2025-01-15T08:00:00Z",   # before --since: outside
        "10,2025-01-31T23:30:00Z",  # before --since: outside
        "3,2025-02-01T00:00:00Z",   # the first instant of --since: in
        "9,2025-02-28T23:59:59Z",   # the last second of the --until day: in
        "7,2025-03-01T00:00:00Z",   # after --until: outside
        ",2025-02-10T00:00:00Z",    # in the window, no answer: missing
        "8,",                       # no date: missing_date
    )
    result, err = kpi_json("nps", path, "--since", "2025-02-01", "--until", "2025-02-28")
    # used: 3, 9 -> promoters 1, detractors 1, n 2 -> 0.0
    assert headline(result) == {
        "value": 0.0, "n": 2,
        "counts": {"promoters": 1, "passives": 0, "detractors": 1},
        "dropped": {"missing_date": 1, "invalid_date": 0, "outside_dates": 3,
                    "missing": 1, "invalid": 0, "out_of_range": 0},
    }
    assert err == ""
    # --until 2025-02-27 leaves the 28th out too: 4 outside, 3 alone -> -100.0
    result, _ = kpi_json("nps", path, "--since", "2025-02-01", "--until", "2025-02-27")
    assert (result["value"], result["n"], result["dropped"]["outside_dates"]) == (-100.0, 1, 4)


# ------------------------------------------------------------------------------------------------
# 9. Column roles
# ------------------------------------------------------------------------------------------------

# Columns that look a little like a role and must not be taken for it.
DISTRACTORS = ["Recommendation reason", "NPS group", "Process time",
               "Satisfaction survey offered", "Date", "Comment"]


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Note de recommandation", "nps_score"),
        ("Likelihood to recommend", "nps_score"),
        ("Q1_NPS", "nps_score"),
        ("How likely are you to recommend us?", "nps_score"),
        ("Probabilité de recommandation (0-10)", "nps_score"),
        ("Satisfaction", "csat_score"),
        ("CSAT score", "csat_score"),
        ("Effort", "ces_score"),
        ("Customer Effort Score", "ces_score"),
    ],
)
def test_role_names(name, role):
    columns = [*DISTRACTORS, name]  # the distractors come first: no first-column luck
    found = detect_roles(columns, {}, (role,))
    assert found[role].column == name
    assert found[role].how == "name"


def test_roles_side_by_side():
    columns = ["Identifiant", "Date de réponse", "Note de recommandation", "Satisfaction",
               "Effort", "Commentaire", "Email"]
    found = detect_roles(columns, {}, ALL_ROLES)
    assert {role: m.column for role, m in found.items()} == {
        "nps_score": "Note de recommandation",
        "csat_score": "Satisfaction",
        "ces_score": "Effort",
        "responded_at": "Date de réponse",
        "customer_id": "Email",
        "response_id": "Identifiant",
        "comment": "Commentaire",
    }


def test_distractors_alone_are_no_role():
    found = detect_roles(DISTRACTORS, {}, ("nps_score", "csat_score", "ces_score"))
    assert found == {}


@pytest.fixture
def unnamed_score(tmp_path: Path) -> Path:
    # no name cxkit knows: the score column must be given
    return text_file(tmp_path / "evaluation.csv", "Évaluation globale;Canal",
                     "10;web", "6;web", "9;app", eol="\r\n")
# 10, 6, 9 -> promoters 2, detractors 1, n 3 -> 100 * (2 - 1) / 3 = 33.3


def test_score_given_with_other_case_and_accents(unnamed_score):
    for given in ("Évaluation globale", "EVALUATION GLOBALE", "evaluation  globale"):
        result, _ = kpi_json("nps", unnamed_score, "--score", given, "--by", "CANAL")
        assert result["columns"] == {"nps_score": "Évaluation globale"}, given
        assert (result["value"], result["n"]) == (33.3, 3), given
        assert by_key(result, "Canal") == {("app",): (100.0, 1), ("web",): (0.0, 2)}

    loaded = load_nps(unnamed_score, columns={"nps_score": "evaluation globale"})
    assert loaded.roles["nps_score"].column == "Évaluation globale"
    assert loaded.roles["nps_score"].how == "given"


def test_score_not_found(unnamed_score):
    # nothing detected: the error names the flag and lists the columns
    data_error(run_cli("nps", unnamed_score), "no column looks like the NPS score",
               "columns are: Évaluation globale, Canal", "--score")
    # an unknown --score: the same list
    data_error(run_cli("nps", unnamed_score, "--score", "Note"), "no column 'Note'",
               "--score", "columns are: Évaluation globale, Canal")
    data_error(run_cli("nps", unnamed_score, "--score", "Évaluation globale", "--by", "Région"),
               "no column 'Région'", "--by")
    with pytest.raises(DataError, match="no column 'Note'"):
        load_nps(unnamed_score, columns={"nps_score": "Note"})


def test_stacked_files_match_headers_ignoring_case(tmp_path):
    a = tmp_path / "jan.csv"
    b = tmp_path / "feb.csv"
    a.write_text("Created Time,NPS\n2025-01-02,10\n2025-01-03,0\n", encoding="utf-8")
    b.write_text("created time,nps\n2025-02-02,9\n", encoding="utf-8")
    res = run_cli("nps", str(a), str(b), "--period", "month", "--format", "json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    # 10, 0, 9 -> P 2, D 1, n 3 -> NPS 33.3; January n 2, February n 1
    assert out["n"] == 3 and out["value"] == 33.3
    assert [(t["period"], t["n"]) for t in out["trend"]] == [("2025-01", 2), ("2025-02", 1)]


def test_response_date_prefers_when_answered_over_when_started():
    from cxkit.io.roles import detect_roles

    cols = ["StartDate", "EndDate", "RecordedDate", "Q1"]
    assert detect_roles(cols, roles=("responded_at",))["responded_at"].column == "RecordedDate"
    cols = ["Start Date (UTC)", "Submit Date (UTC)"]
    assert detect_roles(cols, roles=("responded_at",))["responded_at"].column == "Submit Date (UTC)"


def test_qualtrics_previews_and_tests_are_dropped_with_a_reason(tmp_path):
    rows = qualtrics_rows()
    rows[3][2] = "Survey Preview"  # the first answer (NPS 10)
    rows[6][2] = "Survey Test"  # the fourth answer (NPS 3)
    path = csv_file(tmp_path / "qualtrics_preview.csv", rows)
    result, err = kpi_json("nps", path)
    # left: 9, 7, 9 -> promoters 2, passives 1, detractors 0, n 3 -> 100 * 2 / 3 = 66.7
    assert (result["value"], result["n"]) == (66.7, 3)
    assert result["dropped"]["preview_or_test"] == 2
    assert "previews, tests and spam are left out" in err


@pytest.mark.parametrize("count", [0, 1, 3, 8, 9, 20])
def test_one_of_is_is_in_for_short_and_long_lists(count):
    # `one_of` tests equality for up to SHORT values and probes with is_in beyond: the same
    # answer either way, null for a null row (is_in's answer), false for text of no value
    from cxkit.io.vocabulary import SHORT, one_of

    assert SHORT == 8
    values = [f"v{i}" for i in range(count)]
    rows = pl.DataFrame({"s": ["v0", None, "v7", "V0", "v19", "", "v8"]})
    got = rows.select(one_of(pl.col("s"), values))["s"].to_list()
    want = [None if s is None else s in values for s in rows["s"].to_list()]
    assert got == want
    assert got == rows.select(pl.col("s").is_in(values))["s"].to_list()
