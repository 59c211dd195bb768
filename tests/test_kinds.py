"""The right file, once (cxkit/io/kinds.py, cxkit/io/overlap.py): a file of the wrong kind for a
command is refused with the command to use; `cxkit columns` shows the roles of the kind of file
it is; overlapping files never count a row twice silently; --confidence written three ways.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import cxkit_in_process, cxkit_json

kpi = cxkit_json

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
TICKETS = SAMPLE / "tickets.csv"  # Zendesk layout
ORDERS = SAMPLE / "orders.csv"
RESPONSES = SAMPLE / "responses.csv"



def refused(capsys, *args) -> list[str]:
    run = cxkit_in_process(capsys, *args)
    assert run.returncode == 65, run
    assert run.stdout == "" and "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("cxkit: error: "), lines
    return lines


# ------------------------------------------------------------------------------------------------
# A file of another kind


@pytest.mark.parametrize(("command", "path", "kind", "use"), [
    ("nps", TICKETS, "a help-desk ticket export (a Zendesk export)", "cxkit tickets"),
    ("nps", ORDERS, "an order export ('ordered_at' and 'amount')", "cxkit orders"),
    ("ces", TICKETS, "a help-desk ticket export (a Zendesk export)", "cxkit tickets"),
    ("csat", ORDERS, "an order export ('ordered_at' and 'amount')", "cxkit orders"),
    ("tickets", ORDERS, "an order export ('ordered_at' and 'amount')", "cxkit orders"),
    ("tickets", RESPONSES, "survey responses (an NPS column 'nps_score')", "cxkit nps"),
    ("complaints", ORDERS, "an order export ('ordered_at' and 'amount')", "cxkit orders"),
    ("orders", TICKETS, "a help-desk ticket export (a Zendesk export)", "cxkit tickets"),
    ("retention", TICKETS, "a help-desk ticket export (a Zendesk export)", "cxkit tickets"),
    ("clv", RESPONSES, "survey responses (an NPS column 'nps_score')", "cxkit nps"),
    ("orders", SAMPLE / "tickets_freshdesk.csv", "a help-desk ticket export (a Freshdesk export)",
     "cxkit tickets"),
    ("nps", SAMPLE / "orders_shopify.csv", "an order export (a Shopify export)", "cxkit orders"),
])
def test_a_file_of_another_kind_is_refused(capsys, command, path, kind, use):
    # before: `cxkit orders tickets.csv` gave 3,786 "orders", `cxkit retention` 20.8 %
    error, fix = refused(capsys, command, path)
    assert error.startswith(f"cxkit: error: {path}: this is {kind}, not ")
    assert error.endswith(f"for cxkit {command}")
    assert fix.startswith(f"  fix: run {use} {path}")


def test_naming_the_columns_reads_it_anyway(capsys):
    # the user knows best: --ordered on the Zendesk export reads its creation dates as orders,
    # its Status as order statuses (214 Pending tickets are pending orders): 4,000 - 214 = 3,786
    r, _ = kpi(capsys, "orders", TICKETS, "--ordered", "Created at", "--kpi", "orders")
    assert (r["value"], r["dropped"]["pending"]) == (3786, 214)


def test_csat_reads_a_help_desk_export(capsys):
    # a ticket export's satisfaction rating is a CSAT source: Good/(Good+Bad) = 1193/1494 = 79.9
    r, _ = kpi(capsys, "csat", TICKETS)
    assert (r["value"], r["n"], r["columns"]) == (79.9, 1494, {"csat_score": "Satisfaction Score"})


def test_the_report_refuses_a_file_given_as_the_wrong_source(capsys):
    error, fix = refused(capsys, "report", "--orders", TICKETS, "-f", "json")
    assert error == (f"cxkit: error: {TICKETS}: this is a help-desk ticket export (a Zendesk "
                     "export), not an order export for --orders")
    assert fix == "  fix: pass it with --tickets"


def test_nps_revenue_refuses_tickets_as_orders(capsys):
    error, _ = refused(capsys, "nps-revenue", RESPONSES, "--orders", TICKETS)
    assert "not an order export for cxkit nps-revenue --orders" in error


def test_a_file_with_every_kind_of_column_is_not_refused(tmp_path, capsys):
    # answers, ticket times and amounts in one sheet: each command reads its own columns
    path = tmp_path / "all.csv"
    path.write_text("id,nps,created_at,resolved_at,ordered_at,amount\n"
                    "1,10,2025-01-06 09:00,2025-01-06 11:00,2025-01-06,10.00\n"
                    "2,0,2025-01-06 09:00,2025-01-06 13:00,2025-01-07,30.00\n")
    assert kpi(capsys, "nps", path)[0]["value"] == 0.0  # P1 D1 n2
    assert kpi(capsys, "tickets", path, "--kpi", "resolution_time")[0]["value"] == 3.0  # (2+4)/2
    assert kpi(capsys, "orders", path, "--kpi", "aov")[0]["value"] == 20.0  # 40 / 2


def test_columns_shows_the_roles_of_the_kind_of_file(capsys):
    # a ticket's `Created at` is its creation time, not a survey's response date
    r = cxkit_in_process(capsys, "columns", TICKETS, "-f", "json")
    info = json.loads(r.stdout)
    roles = {c["column"]: c["role"] for c in info["columns"]}
    assert info["kind"] == "tickets"
    assert info["about"].endswith("; a help-desk ticket export (a Zendesk export)")
    assert (roles["Created at"], roles["Solved at"], roles["Satisfaction Score"]) == (
        "created_at", "resolved_at", "satisfaction")
    assert roles["Full resolution time in minutes"] == "resolution_minutes"
    # 4,000 tickets: "filled" counts the first 1,000 rows, and says so
    assert (info["sampled_rows"], info["more_rows"]) == (1000, True)
    orders = json.loads(cxkit_in_process(capsys, "columns", ORDERS, "-f", "json").stdout)
    assert {c["column"]: c["role"] for c in orders["columns"]}["ordered_at"] == "ordered_at"


def test_columns_says_when_filled_is_a_sample(tmp_path, capsys):
    path = tmp_path / "small.csv"
    path.write_text("id,nps\n1,10\n2,\n")
    info = json.loads(cxkit_in_process(capsys, "columns", path, "-f", "json").stdout)
    assert (info["sampled_rows"], info["more_rows"]) == (2, False)
    assert [c["filled"] for c in info["columns"]] == ["2/2", "1/2"]
    run = cxkit_in_process(capsys, "columns", TICKETS, "-f", "csv")
    assert (f"cxkit: note: {TICKETS}: type, filled and examples are from the first 1,000 rows; "
            "the file has more") in run.stderr


# ------------------------------------------------------------------------------------------------
# Several files whose rows overlap


def _split(tmp_path, source: Path, first: range, second: range) -> tuple[Path, Path]:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    a, b = tmp_path / f"a_{source.name}", tmp_path / f"b_{source.name}"
    a.write_text(lines[0] + "".join(lines[i] for i in first), encoding="utf-8")
    b.write_text(lines[0] + "".join(lines[i] for i in second), encoding="utf-8")
    return a, b


@pytest.mark.parametrize(("command", "source", "what", "args"), [
    ("nps", RESPONSES, "response id", ()),
    ("tickets", TICKETS, "ticket id", ("--kpi", "volume")),
    ("orders", ORDERS, "order id", ("--kpi", "orders")),
])
def test_overlapping_files_count_each_row_once(tmp_path, capsys, command, source, what, args):
    # rows 1-1,500 and 1,001-2,500: 500 rows in both files, 2,500 distinct rows in all
    a, b = _split(tmp_path, source, range(1, 1501), range(1001, 2501))
    whole = tmp_path / f"whole_{source.name}"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    whole.write_text("".join(lines[:2501]), encoding="utf-8")
    stacked, err = kpi(capsys, command, a, b, *args)
    single, _ = kpi(capsys, command, whole, *args)
    assert (stacked["value"], stacked["n"]) == (single["value"], single["n"])
    assert (f"cxkit: note: 2 files: 500 rows repeat exactly (same {what}, same values) in more "
            "than one file; each is counted once") in err.splitlines()


def test_a_glob_of_overlapping_files(tmp_path, capsys):
    # the same 3 answers twice (10, 9, 0: P2 D1 -> 33.3), once more with one new (6): P2 D2 -> 0.0
    (tmp_path / "jan.csv").write_text("response_id,nps\nR1,10\nR2,9\nR3,0\n")
    (tmp_path / "feb.csv").write_text("response_id,nps\nR1,10\nR2,9\nR3,0\nR4,6\n")
    r, err = kpi(capsys, "nps", str(tmp_path / "*.csv"))
    assert (r["value"], r["n"]) == (0.0, 4)
    assert "3 rows repeat exactly" in err


def test_an_id_with_spaces_around_it_is_the_same_id_in_another_file(tmp_path, capsys):
    # " R1 " is R1 as the loader reads it: the February copy of R1 and R2 repeat January's.
    # Distinct answers R1 10, R2 9, R3 0, R4 6: promoters 2, detractors 2 -> 0.0 over 4
    (tmp_path / "jan.csv").write_text("response_id,nps\nR1,10\nR2,9\nR3,0\n")
    (tmp_path / "feb.csv").write_text("response_id,nps\n R1 ,10\nR2,9\nR4,6\n")
    r, err = kpi(capsys, "nps", str(tmp_path / "*.csv"))
    assert (r["value"], r["n"]) == (0.0, 4)
    assert "2 rows repeat exactly" in err


def test_files_whose_ids_all_differ_are_stacked_as_they_are(tmp_path, capsys):
    # no id twice (the one-pass check of distinct id hashes); the blank ids are no ids: both
    # rows count. 10, 9 promoters; 0, 6, 0 detractors: (2 - 3) / 5 = -20.0
    (tmp_path / "jan.csv").write_text("response_id,nps\nR1,10\nR2,9\n,0\n")
    (tmp_path / "feb.csv").write_text("response_id,nps\nR3,6\n ,0\n")
    r, err = kpi(capsys, "nps", str(tmp_path / "*.csv"))
    assert (r["value"], r["n"]) == (-20.0, 5)
    assert "repeat" not in err


def test_ids_that_repeat_with_other_values_are_refused(tmp_path, capsys):
    # ticket 7 exported open in January, solved in February: which one counts is the user's call
    (tmp_path / "t1.csv").write_text("id,created_at,status\n7,2025-01-06 09:00,open\n"
                                     "8,2025-01-07 09:00,open\n")
    (tmp_path / "t2.csv").write_text("id,created_at,status\n7,2025-01-06 09:00,solved\n")
    error, fix = refused(capsys, "tickets", tmp_path / "t1.csv", tmp_path / "t2.csv")
    assert error == (f"cxkit: error: 2 files: ticket id '7' is in {tmp_path / 't1.csv'} and "
                     f"{tmp_path / 't2.csv'} with different values ('status': 'open' vs 'solved')")
    assert fix == ("  fix: give each ticket once: drop the overlap between the exports, or read "
                   "only the newest one")


def test_shopify_orders_in_two_exports_count_once(tmp_path, capsys):
    # a Shopify export (line items) cut so that order #1002's rows are in both files
    lines = (SAMPLE / "orders_shopify.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    cut = next(i for i, ln in enumerate(lines[1:], 1) if ln.startswith("#1003,"))
    a, b = tmp_path / "s1.csv", tmp_path / "s2.csv"
    a.write_text("".join(lines[:cut]), encoding="utf-8")
    first_of_1002 = next(i for i, ln in enumerate(lines) if ln.startswith("#1002,"))
    b.write_text(lines[0] + "".join(lines[first_of_1002:]), encoding="utf-8")
    stacked, err = kpi(capsys, "orders", a, b, "--kpi", "orders")
    whole, _ = kpi(capsys, "orders", SAMPLE / "orders_shopify.csv", "--kpi", "orders")
    assert stacked["value"] == whole["value"]
    assert "repeat exactly (same order id, same values)" in err


def test_files_without_ids_are_stacked_as_they_are(tmp_path, capsys):
    # no id column: nothing tells a repeat from a second answer of the same score
    (tmp_path / "a.csv").write_text("nps\n10\n0\n")
    (tmp_path / "b.csv").write_text("nps\n10\n")
    r, err = kpi(capsys, "nps", tmp_path / "a.csv", tmp_path / "b.csv")
    assert (r["n"], r["value"]) == (3, 33.3)  # P2 D1
    assert "repeat" not in err


# ------------------------------------------------------------------------------------------------
# --confidence 90, 90% and 0.9


@pytest.mark.parametrize("level", ["90", "90%", "0.9", " 90 % "])
def test_confidence_written_three_ways(capsys, level):
    # NPS 28.5 on the sample; at 90 % the interval is 26.1-30.8 (at 95 %: 25.6-31.3)
    r, _ = kpi(capsys, "nps", RESPONSES, "--confidence", level)
    assert (r["confidence"], r["ci"]) == (0.9, [26.1, 30.8])


@pytest.mark.parametrize("level", ["1", "45", "100%", "abc", "0.9999"])
def test_confidence_out_of_range_is_a_usage_error(capsys, level):
    run = cxkit_in_process(capsys, "nps", RESPONSES, "--confidence", level)
    assert run.returncode == 2
    assert f"'{level}' is not a confidence level: write 0.9, 90 or 90%" in run.stderr


def test_report_confidence_takes_a_percentage(capsys):
    run = cxkit_in_process(capsys, "report", "--responses", RESPONSES, "--confidence", "90%",
                           "-f", "json", "--sections", "kpis")
    nps = next(k for k in json.loads(run.stdout)["kpis"] if k["kpi"] == "nps")
    assert nps["ci"] == [26.1, 30.8]
