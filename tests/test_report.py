"""`cxkit report`: the KPI set across sources, its settings, its formats (numbers by hand)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import run_cli, write_csv

RESPONSES = (["response_id", "customer_id", "responded_at", "channel", "nps_score", "comment"],
             [["R1", "C1", "2025-01-10", "email", "10", "great"],
              ["R2", "C2", "2025-01-12", "web", "9", ""],
              ["R3", "C3", "2025-01-20", "email", "3", "<script>alert(1)</script>"],
              ["R4", "C4", "2025-02-03", "web", "7", "ok"],
              ["R5", "C5", "2025-02-10", "email", "6", "slow"],
              ["R6", "C1", "2025-02-15", "web", "8", ""]])
ORDERS = (["order_id", "customer_id", "ordered_at", "amount", "status", "channel"],
          [["O1", "C1", "2025-01-05", "100.00", "paid", "web"],
           ["O2", "C1", "2025-02-20", "50.00", "paid", "web"],
           ["O3", "C2", "2025-01-15", "200.00", "paid", "app"],
           ["O4", "C3", "2025-02-01", "30.00", "cancelled", "web"],
           ["O5", "C5", "2025-02-11", "20.00", "paid", "app"]])
TICKETS = (["ticket_id", "customer_id", "created_at", "resolved_at", "channel"],
           [["T1", "C1", "2025-01-06 09:00", "2025-01-06 11:00", "email"],  # 2 h
            ["T2", "C2", "2025-01-20 10:00", "2025-01-21 10:00", "web"],  # 24 h
            ["T3", "C3", "2025-02-07 09:00", "2025-02-07 13:00", "email"]])  # 4 h


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {"responses": write_csv(tmp_path / "responses.csv", *RESPONSES),
            "orders": write_csv(tmp_path / "orders.csv", *ORDERS),
            "tickets": write_csv(tmp_path / "tickets.csv", *TICKETS)}


def report_json(*args, cwd=None) -> dict:
    run = run_cli("report", *args, "-f", "json", cwd=cwd)
    assert run.returncode == 0, run
    return json.loads(run.stdout)


def kpis(data: dict) -> dict[str, dict]:
    return {k["kpi"]: k for k in data["kpis"]}


def test_every_source_gives_its_cards(files):
    data = report_json("--responses", files["responses"], "--orders", files["orders"],
                       "--tickets", files["tickets"])
    k = kpis(data)
    # NPS: 10, 9, 3, 7, 6, 8 -> promoters 2, detractors 2 (3, 6), n 6 -> 100 * 0 / 6 = 0.0
    assert (k["nps"]["value"], k["nps"]["n"], k["nps"]["source"]) == (0.0, 6, "responses")
    # January 10, 9, 3 -> (2 - 1) / 3 = 33.3; February 7, 6, 8 -> (0 - 1) / 3 = -33.3
    assert [t["value"] for t in k["nps"]["trend"]] == [33.3, -33.3]
    assert k["nps"]["change"] == -66.7
    # completed orders O1 100, O2 50, O3 200, O5 20 (O4 cancelled): 4 orders, AOV 370 / 4
    assert (k["orders"]["value"], k["aov"]["value"], k["revenue"]["value"]) == (4, 92.5, 370.0)
    # customers C1 (2 orders), C2, C5 -> 1 of 3 repeat = 33.3
    assert k["repeat_purchase_rate"]["value"] == 33.3
    # January {C1, C2}, February {C1, C5} -> 1 of 2 retained
    assert k["retention_rate"]["value"] == 50.0
    # tickets: 2 h, 24 h, 4 h -> mean 30 / 3 = 10.0
    assert (k["volume"]["value"], k["resolution_time"]["value"]) == (3, 10.0)
    assert [s["source"] for s in data["sources"]] == ["responses", "orders", "tickets"]
    # email 10, 3, 6 -> (1 - 2) / 3 = -33.3; web 9, 7, 8 -> (1 - 0) / 3 = 33.3
    by_channel = data["tables"]["responses_by_channel"]
    assert by_channel["columns"][:3] == ["channel", "n", "NPS"]
    assert [r[:3] for r in by_channel["rows"]] == [["email", 3, -33.3], ["web", 3, 33.3]]
    # web O1 100 + O2 50 (O4 cancelled) -> 2 orders; app O3 200 + O5 20 -> 2 orders
    orders_by = data["tables"]["orders_by_channel"]
    assert {r[0]: r[2] for r in orders_by["rows"]} == {"web": 2, "app": 2}
    assert (data["first"], data["last"], data["period"]) == ("2025-01", "2025-02", "month")


def test_files_without_flags_are_recognised_from_their_header(files):
    flagged = report_json("--responses", files["responses"], "--orders", files["orders"],
                          "--tickets", files["tickets"])
    bare = report_json(files["tickets"], files["orders"], files["responses"])
    assert bare == flagged


def test_a_file_of_unknown_kind_names_the_fix(tmp_path):
    odd = write_csv(tmp_path / "odd.csv", ["a", "b"], [["1", "2"]])
    run = run_cli("report", odd)
    assert run.returncode == 65, run
    assert "odd.csv" in run.stderr and "--responses" in run.stderr
    assert run.stdout == ""


def test_stdin_is_recognised_or_named(files):
    run = run_cli("report", "-", "-f", "json", input=files["orders"].read_bytes())
    assert run.returncode == 0, run
    assert kpis(json.loads(run.stdout))["aov"]["value"] == 92.5
    run = run_cli("report", "--responses", "-", "-f", "json",
                  input=files["responses"].read_bytes())
    assert run.returncode == 0, run
    assert kpis(json.loads(run.stdout))["nps"]["value"] == 0.0


def test_thresholds_exit_3_and_still_print(files):
    run = run_cli("report", "--responses", files["responses"], "--fail-under", "nps=10",
                  "-f", "json")
    assert run.returncode == 3, run
    assert kpis(json.loads(run.stdout))["nps"]["value"] == 0.0
    assert "nps 0 is under --fail-under 10" in run.stderr


def test_output_placeholders_and_formats(files, tmp_path):
    run = run_cli("report", files["responses"], "-o", tmp_path / "cx-{period}.md")
    assert run.returncode == 0, run
    text = (tmp_path / "cx-2025-02.md").read_text()
    assert text.startswith("# CX report\n")
    assert "| Surveys | NPS | 0.0 |" in text
    run = run_cli("report", files["responses"], "-o", tmp_path / "cx-{date}.json")
    assert run.returncode == 0, run
    assert (tmp_path / f"cx-{date.today().isoformat()}.json").exists()
    run = run_cli("report", files["responses"], "-o", tmp_path / "cx-{when}.json")
    assert run.returncode == 2 and "{when}" in run.stderr, run


def test_xlsx_needs_an_output_file(files):
    run = run_cli("report", files["responses"], "-f", "xlsx")
    assert run.returncode == 2 and "-o report.xlsx" in run.stderr, run


def test_unknown_section_is_a_usage_error(files):
    run = run_cli("report", files["responses"], "--sections", "kpis,pie")
    assert run.returncode == 2 and "pie" in run.stderr, run


def test_kpi_rows_without_the_kpis_section_is_a_usage_error(files):
    # csv is one row per KPI: with only tables asked for there is nothing to write, so the
    # error names the formats that hold tables (this was an IndexError traceback)
    run = run_cli("report", files["responses"], "--sections", "followup")
    assert (run.returncode, run.stdout) == (2, ""), run
    assert run.stderr.startswith("cxkit: error: csv output (the format when output is piped) "
                                 "is one row per KPI"), run
    assert "-f json" in run.stderr
    run = run_cli("report", files["responses"], "--sections", "followup", "-f", "markdown")
    assert run.returncode == 0 and "## Follow-up list" in run.stdout, run


def test_sections_choose_the_tables(files):
    data = report_json(files["responses"], files["orders"], "--sections", "kpis,cohorts")
    assert list(data["tables"]) == ["cohort_retention"]
    # cohorts: January {C1, C2}: C1 orders again in February -> [100.0, 50.0];
    # February {C5} -> [100.0, null] (March not observed)
    assert data["tables"]["cohort_retention"]["rows"] == [["2025-01", 2, 100.0, 50.0],
                                                          ["2025-02", 1, 100.0, None]]


def test_config_file_in_the_working_directory(files, tmp_path):
    (tmp_path / "cxkit.toml").write_text(
        '[report]\ntitle = "Monday CX"\nby = []\n\n'
        '[responses]\nfiles = ["responses.csv"]\n\n[thresholds]\nfail_under = { nps = 50 }\n')
    run = run_cli("report", "-f", "json", cwd=tmp_path)
    assert run.returncode == 3, run  # NPS 0.0 < 50 from the file
    data = json.loads(run.stdout)
    assert data["title"] == "Monday CX" and list(data["tables"]) == ["followup"]
    # flags win over the file
    data = report_json("--title", "Other", "--by", "channel", "--fail-under", "nps=-50",
                       cwd=tmp_path)
    assert data["title"] == "Other" and "responses_by_channel" in data["tables"]


def test_config_mistake_names_its_line(files, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[report]\ntitle = "x"\nperiod = "fortnight"\n')
    run = run_cli("report", files["responses"], "-c", cfg)
    assert run.returncode == 2, run
    assert "bad.toml:3:" in run.stderr and "period" in run.stderr


def test_markdown_escapes_and_neutralises(files, tmp_path):
    rows = [r[:] for r in RESPONSES[1]]
    rows[0][3] = "=cmd|x"  # a channel value that is a formula with a pipe
    path = write_csv(tmp_path / "hostile.csv", RESPONSES[0], rows)
    run = run_cli("report", path, "-f", "markdown")
    assert run.returncode == 0, run
    assert "| '=cmd\\|x |" in run.stdout


ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("fmt,name", [("markdown", "report_sample.md"),
                                      ("json", "report_sample.json")])
def test_sample_report_matches_its_golden_file(fmt, name):
    """The report on sample_data/ (settings in sample_data/cxkit.toml). After an intended change:
    CXKIT_UPDATE_GOLDEN=1 python -m pytest tests/test_report.py -k golden, and review the diff."""
    import os

    run = run_cli("report", "-c", "sample_data/cxkit.toml", "-f", fmt, cwd=ROOT)
    assert run.returncode == 0, run
    golden = GOLDEN / name
    if os.environ.get("CXKIT_UPDATE_GOLDEN") == "1":
        golden.write_text(run.stdout, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if fmt == "json":  # a median or sum at a rounding edge may move by one in its last digit
        assert same_json(json.loads(run.stdout), json.loads(expected))
    else:
        assert run.stdout == expected


def same_json(a, b, path: str = "") -> bool:
    """Equal, but floats may differ by one unit of their last printed decimal (0.01 at most)."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), (path, a, b)
        assert abs(a - b) <= 0.0100001, (path, a, b)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), path
        for k in a:
            same_json(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same_json(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)
    return True


def test_sample_report_html_and_xlsx_agree_with_json(tmp_path):
    import polars as pl

    from cxkit.render.xlsx import SECTION_HEADER_ROW

    data = json.loads((GOLDEN / "report_sample.json").read_text(encoding="utf-8"))
    run = run_cli("report", "-c", "sample_data/cxkit.toml", "-o", tmp_path / "r.xlsx", cwd=ROOT)
    assert run.returncode == 0, run
    sheet = pl.read_excel(tmp_path / "r.xlsx", sheet_name="KPIs", engine="calamine")
    assert sheet["kpi"].to_list() == [k["kpi"] for k in data["kpis"]]
    # in full, a share as an Excel percentage (0.757 for 75.7): the JSON's figure once rounded
    for row, k in zip(sheet.iter_rows(named=True), data["kpis"], strict=True):
        value = row["value"] * (100 if row["unit"] == "%" else 1)
        assert abs(value - k["value"]) <= 0.05 + 1e-9 if isinstance(k["value"], float) \
            else value == k["value"], (k["kpi"], value, k["value"])
    table = data["tables"]["nps_revenue"]
    revenue = pl.read_excel(tmp_path / "r.xlsx", sheet_name="nps_revenue", engine="calamine",
                            read_options={"header_row": SECTION_HEADER_ROW})
    assert revenue.columns == table["labels"]  # words, not field names
    for got, want in zip(revenue.rows(), table["rows"], strict=True):
        shown = [round(v * (100 if u == "%" else 1), 2) if isinstance(v, float) else v
                 for v, u in zip(got, table["units"], strict=True)]
        assert shown == want
    # the breakdowns keep every decimal (they were cut to one: revenue 307573.4, CES 1.9)
    orders = pl.read_excel(tmp_path / "r.xlsx", sheet_name="orders_by_channel",
                           engine="calamine", read_options={"header_row": SECTION_HEADER_ROW})
    assert orders["Revenue"][0] == pytest.approx(307573.36, abs=0.005)
    assert orders["Revenue"][0] != round(orders["Revenue"][0], 1)
    surveys = pl.read_excel(tmp_path / "r.xlsx", sheet_name="responses_by_channel",
                            engine="calamine", read_options={"header_row": SECTION_HEADER_ROW})
    assert round(surveys["CES"][0], 2) == 1.92 and surveys["CES"][0] != 1.9
    assert surveys["CSAT"][0] == pytest.approx(0.748, abs=0.0005)  # 74.8%


# --- -f csv: what cron and pipes get -------------------------------------------------------------
def csv_rows(text: str, sep: str = ",") -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text), delimiter=sep))


def test_csv_headlines_first_then_periods_then_breakdowns(files):
    run = run_cli("report", "--responses", files["responses"], "--orders", files["orders"],
                  "--tickets", files["tickets"])  # piped: csv
    assert run.returncode == 0, run
    header = run.stdout.splitlines()[0].split(",")
    assert header[:14] == ["scope", "source", "kpi", "label", "unit", "period", "by", "segment",
                           "value", "ci_low", "ci_high", "n", "change", "significant"]
    rows = csv_rows(run.stdout)
    scopes = [r["scope"] for r in rows]
    assert scopes == sorted(scopes, key=["headline", "period", "breakdown"].index)
    data = report_json("--responses", files["responses"], "--orders", files["orders"],
                       "--tickets", files["tickets"])
    heads = [r for r in rows if r["scope"] == "headline"]
    assert [r["kpi"] for r in heads] == [k["kpi"] for k in data["kpis"]]  # one per card
    nps = heads[0]
    # the overall NPS (10, 9, 3, 7, 6, 8 -> 0.0), over the whole span, every segment
    assert (nps["kpi"], nps["value"], nps["n"], nps["period"], nps["segment"]) == \
        ("nps", "0.0", "6", "", "")
    assert (nps["change"], nps["promoters"], nps["detractors"]) == ("-66.7", "2", "2")
    by_period = {r["period"]: r["value"] for r in rows
                 if r["scope"] == "period" and r["kpi"] == "nps"}
    assert by_period == {"2025-01": "33.3", "2025-02": "-33.3"}
    # the breakdown by channel: email 10, 3, 6 -> -33.3; web 9, 7, 8 -> 33.3
    parts = {(r["by"], r["segment"]): r["value"] for r in rows
             if r["scope"] == "breakdown" and r["kpi"] == "nps"}
    assert parts == {("channel", "email"): "-33.3", ("channel", "web"): "33.3"}
    orders = {r["segment"]: r["value"] for r in rows
              if r["scope"] == "breakdown" and r["kpi"] == "revenue"}
    assert orders == {"web": "150.0", "app": "220.0"}  # O1 + O2; O3 + O5 (O4 cancelled)
    revenue = next(r for r in heads if r["kpi"] == "revenue")
    assert (revenue["label"], revenue["unit"], revenue["value"]) == ("Revenue", "money", "370.0")


def test_tsv_and_ndjson_are_the_same_rows(files):
    args = ("report", "--responses", files["responses"], "--orders", files["orders"])
    as_csv = csv_rows(run_cli(*args, "-f", "csv").stdout)
    as_tsv = csv_rows(run_cli(*args, "-f", "tsv").stdout, "\t")
    assert as_tsv == as_csv
    lines = [json.loads(line) for line in run_cli(*args, "-f", "ndjson").stdout.splitlines()]
    assert [(r["scope"], r["kpi"], r["period"], r["segment"]) for r in lines] == \
        [(r["scope"], r["kpi"], r["period"], r["segment"]) for r in as_csv]
    nps = next(r for r in lines if r["scope"] == "headline" and r["kpi"] == "nps")
    assert (nps["value"], nps["ci_low"] < 0 < nps["ci_high"], nps["n"]) == (0.0, True, 6)


# --- the backlog: open tickets at each period's end ----------------------------------------------
BACKLOG = (["ticket_id", "customer_id", "created_at", "resolved_at"],
           [["T1", "C1", "2025-01-06 09:00", "2025-01-06 11:00"],  # resolved the same day
            ["T2", "C2", "2025-01-20 10:00", "2025-02-03 10:00"],  # open at the end of Jan
            ["T3", "C3", "2025-01-25 12:00", ""],  # open ever since
            ["T4", "C4", "2025-02-07 09:00", "2025-03-05 12:00"],  # open at the end of Feb
            ["T5", "C5", "2025-02-10 09:00", "2025-02-11 09:00"],
            ["T6", "C6", "2025-02-20 09:00", "2025-03-04 09:00"],  # open at the end of Feb
            ["T7", "C7", "2025-03-02 09:00", ""]])  # the as-of time: T4's resolution, 03-05 12:00


def test_backlog_per_period_is_what_is_open_at_its_end(tmp_path):
    path = write_csv(tmp_path / "tickets.csv", *BACKLOG)
    data = report_json("--tickets", path)
    backlog = kpis(data)["backlog"]
    # end of January: T2, T3; end of February: T3, T4, T6; March, at the as-of time: T3, T7
    # (T4 resolved at it, T6 before). Not "created in the period and still open" (1, 0, 1).
    assert [(t["period"], t["value"]) for t in backlog["trend"]] == [
        ("2025-01", 2), ("2025-02", 3), ("2025-03", 2)]
    assert backlog["value"] == 2 and backlog["change"] == -1  # the last point is the headline
    assert backlog["as_of"] == "2025-03-05 12:00"
    last = backlog["groups"][-1]
    # ages at 03-05 12:00: T3 39 days (936 h), T7 75 h
    assert last["counts"] == {"under_1d": 0, "1_3d": 0, "3_7d": 1, "over_7d": 1}
    assert last["mean_age_hours"] == pytest.approx((936 + 75) / 2)
    assert "open at its end" in backlog["rule"]
    # the card says what the number is, in every format
    md = run_cli("report", "--tickets", path, "-f", "markdown").stdout
    assert "*Backlog: tickets open at 2025-03-05 12:00; trend: open at each period's end*" in md
    assert "| Backlog | 2 |  | ▼ -1 vs 2025-02 |" in md
    html = run_cli("report", "--tickets", path, "-f", "html").stdout
    assert '<p class="what">tickets open at 2025-03-05 12:00; trend: open at each ' \
        "period&#x27;s end</p>" in html
    # `cxkit tickets --period month` counts the backlog the same way
    run = run_cli("tickets", path, "--period", "month", "-f", "json")
    assert run.returncode == 0, run
    same = next(k for k in json.loads(run.stdout)["kpis"] if k["kpi"] == "backlog")
    assert [t["value"] for t in same["trend"]] == [2, 3, 2]


def test_backlog_whose_last_period_ends_before_the_as_of_period(tmp_path):
    # --as-of 2025-03-01 12:00: T7 (03-02) is created after it, so February is the last period
    # and is measured at the as-of time, not at its end (03-01 00:00), and March is not shown.
    # Open then: T3 (01-25 12:00, 840 h), T4 (02-07 09:00, 531 h), T6 (02-20 09:00, 219 h);
    # at February's end the ages would be 828, 519, 207 h.
    path = write_csv(tmp_path / "tickets.csv", *BACKLOG)
    run = run_cli("tickets", path, "--period", "month", "--as-of", "2025-03-01 12:00",
                  "-f", "json")
    assert run.returncode == 0, run
    backlog = next(k for k in json.loads(run.stdout)["kpis"] if k["kpi"] == "backlog")
    assert [(t["period"], t["value"]) for t in backlog["trend"]] == [("2025-01", 2),
                                                                     ("2025-02", 3)]
    assert backlog["value"] == 3 and backlog["dropped"]["created_after_as_of"] == 1
    last = backlog["groups"][-1]
    assert last["mean_age_hours"] == pytest.approx((840 + 531 + 219) / 3)
    assert last["max_age_hours"] == pytest.approx(840)


def test_backlog_without_a_resolution_time_is_closed_at_every_end(tmp_path):
    rows = [r[:] for r in BACKLOG[1]]
    header = BACKLOG[0] + ["status"]
    rows = [r + ["solved" if r[3] else "open"] for r in rows]
    rows[1][3] = ""  # T2 solved, when unknown: in no period's backlog (as at the as-of time)
    path = write_csv(tmp_path / "tickets.csv", header, rows)
    backlog = kpis(report_json("--tickets", path))["backlog"]
    assert [t["value"] for t in backlog["trend"]] == [1, 3, 2]
    assert backlog["value"] == 2


def test_backlog_at_each_week_end(tmp_path):
    # Weeks start on Monday (2025-01-06 is one) and end at the next Monday 00:00; the last week
    # with a ticket created, of 02-24 (T7, Sunday 03-02), is measured at the as-of time 03-05
    # 12:00. Open at the ends: 01-13 none; 01-20 none (T2 comes at 10:00); 01-27 T2 T3;
    # 02-03 00:00 T2 (solved at 10:00) T3; 02-10 T3 T4 (T2 solved); 02-17 T3 T4 (T5 solved
    # 02-11); 02-24 T3 T4 T6; as-of T3 T7 (T4 solved at it, T6 the day before).
    path = write_csv(tmp_path / "tickets.csv", *BACKLOG)
    run = run_cli("tickets", path, "--kpi", "backlog", "--period", "week", "-f", "json")
    assert run.returncode == 0, run
    backlog = json.loads(run.stdout)
    assert [t["value"] for t in backlog["trend"]] == [0, 0, 2, 2, 2, 2, 3, 2]
    # at 02-24 00:00: T3 from 01-25 12:00 708 h, T4 from 02-07 09:00 399 h, T6 from 02-20
    # 09:00 87 h (3.6 days)
    week = backlog["groups"][-2]
    assert (week["mean_age_hours"], week["median_age_hours"], week["max_age_hours"]) == \
        pytest.approx((398, 399, 708))
    assert week["counts"] == {"under_1d": 0, "1_3d": 0, "3_7d": 1, "over_7d": 2}


def test_backlog_per_period_with_the_as_of_time_before_every_ticket(tmp_path):
    path = write_csv(tmp_path / "tickets.csv", *BACKLOG)
    run = run_cli("tickets", path, "--kpi", "backlog", "--period", "month",
                  "--as-of", "2025-01-01 00:00", "-f", "json")
    assert run.returncode == 0, run
    backlog = json.loads(run.stdout)
    # no period has a ticket: no trend, no groups, and the warning says why
    assert (backlog["value"], backlog["groups"], "trend" in backlog) == (0, [], False)
    assert backlog["dropped"]["created_after_as_of"] == 7
    assert "no tickets to measure (dropped: 7 created after as of)" in run.stderr


SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def test_what_moved_and_themes_sections_are_the_commands_numbers():
    # the report's "what moved" is `cxkit nps --period month --explain channel`, its themes
    # `cxkit themes`: the same code, the same numbers
    responses = SAMPLE / "responses.csv"
    run = run_cli("report", "--responses", responses, "--sections", "what_moved,themes",
                  "-f", "json")
    assert run.returncode == 0, run
    tables = json.loads(run.stdout)["tables"]
    moved = run_cli("nps", responses, "--period", "month", "--explain", "channel", "-f", "json")
    drivers = json.loads(moved.stdout)["drivers"][0]
    section = tables["what_moved"]
    assert section["note"] == json.loads(moved.stdout)["summary"]
    assert [(r[0], r[1], r[6], r[7]) for r in section["rows"]] == [
        ("channel", s["key"]["channel"], s["mix"], s["rate"]) for s in drivers["segments"]]
    themes = json.loads(run_cli("themes", responses, "--top", "5", "-f", "json").stdout)
    assert [r[1] for r in tables["themes"]["rows"]] == [t["term"] for t in themes["terms"]]
    assert tables["themes"]["rows"][0][:5] == ["detractors", "attente", 5.45, 56, 0]


def test_a_by_column_no_export_has_is_refused():
    # a typo in --by was silently ignored (no breakdown, no word); the default `channel` that
    # an export lacks is still skipped quietly
    run = run_cli("report", "--responses", SAMPLE / "responses.csv", "--by", "regionx",
                  "-f", "json")
    assert run.returncode == 65
    assert run.stderr.startswith("cxkit: error: --by regionx: no column of that name in the "
                                 "responses (response_id, customer_id,")
    assert "did you mean 'region'?" in run.stderr
    assert run_cli("report", "--tickets", SAMPLE / "tickets.csv", "-f", "json").returncode == 0


def test_predictive_clv_card_and_customers_at_risk(tmp_path):
    # the card is `cxkit clv --model bgnbd` on every order; the at-risk list: CLV at least the
    # median and P(alive) under 50 %, the most valuable first
    cdnow = SAMPLE / "cdnow_sample.csv"
    data = report_json(cdnow, "--sections", "kpis,breakdowns")
    card = next(k for k in data["kpis"] if k["kpi"] == "clv_predicted")
    alone = json.loads(run_cli("clv", cdnow, "--model", "bgnbd", "-f", "json").stdout)
    assert card["value"] == alone["value"] == 30.58
    # the check: the same model fitted up to three quarters of the span (1998-02-14)
    assert card["holdout"]["start"] == "1998-02-15"
    assert card["holdout"]["actual_repeat_purchases"] == 865
    # the holdout check week by week: the running totals end at the card's figures
    weeks = data["tables"]["clv_holdout"]["rows"]
    assert len(weeks) == card["holdout"]["periods"]
    assert sum(w[4] for w in weeks) == weeks[-1][6] == 865
    assert weeks[-1][5] == pytest.approx(card["holdout"]["predicted_repeat_purchases"], abs=0.05)
    rows = data["tables"]["clv_at_risk"]["rows"]
    assert len(rows) == 10 and all(r[1] < 50 for r in rows)
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)
    for suffix in (".html", ".xlsx", ".md", ".csv"):  # every format renders the card
        out = tmp_path / f"r{suffix}"
        assert run_cli("report", cdnow, "-o", out).returncode == 0
        if suffix in (".html", ".md", ".csv"):
            assert "30.58" in out.read_text(encoding="utf-8")
        if suffix == ".html":  # the holdout check drawn: one point per week, two lines
            html = out.read_text(encoding="utf-8")
            assert f'<svg class="tracking" data-points="{len(weeks)}"' in html
            assert html.count('<path class="expected"') == html.count('<path class="actual"') == 1


def test_predictive_clv_card_takes_the_settings_margin(tmp_path):
    # The report has no --margin, yet its card said "pass --margin 35%" and ignored the
    # settings file's [orders] margin. Now the rule names the key, and the key is used:
    # CLV = margin x expected purchases x expected spend, so 50 % halves the card's 30.58, as
    # `cxkit clv --model bgnbd --margin 50%` gives it.
    cdnow = SAMPLE / "cdnow_sample.csv"
    card = kpis(report_json(cdnow, "--sections", "kpis"))["clv_predicted"]
    assert card["value"] == 30.58
    assert 'revenue, not profit): set margin = "35%" under [orders] in cxkit.toml' in \
        card["rule"] and "--margin" not in card["rule"]
    settings = tmp_path / "cxkit.toml"
    settings.write_text(f'[orders]\nfiles = ["{cdnow.as_posix()}"]\nmargin = "50%"\n',
                        encoding="utf-8")
    half = kpis(report_json("-c", settings, "--sections", "kpis"))["clv_predicted"]
    alone = json.loads(run_cli("clv", cdnow, "--model", "bgnbd", "--margin", "50%",
                               "-f", "json").stdout)
    assert half["value"] == alone["value"] == pytest.approx(30.58 / 2, abs=0.01)
    assert "margin 50%" in half["rule"] and "not profit" not in half["rule"]


COMPLAINT_TICKETS = ("ticket_id", "customer_id", "created_at", "status", "category")


def test_the_complaint_card_counts_per_customer_and_is_skipped_without_one(tmp_path):
    # Complaints by category (any case), per 100 distinct customers who contacted support:
    #   2025-01: T1 C1 Complaint, T2 C2 billing, T3 C1 complaint -> 2 complaints / 2 customers
    #   2025-02: T4 C3 delivery, T5 C4 Complaint                  -> 1 / 2 customers
    # overall 3 complaints / 4 distinct customers (C1 once) = 75.0; months 100.0 and 50.0
    rows = [("T1", "C1", "2025-01-06 09:00", "solved", "Complaint"),
            ("T2", "C2", "2025-01-07 10:00", "solved", "billing"),
            ("T3", "C1", "2025-01-08 10:00", "open", "complaint"),
            ("T4", "C3", "2025-02-03 10:00", "solved", "delivery"),
            ("T5", "C4", "2025-02-04 10:00", "solved", "Complaint")]
    path = write_csv(tmp_path / "t.csv", COMPLAINT_TICKETS, rows)
    card = kpis(report_json("--tickets", path))["complaint_rate"]
    assert (card["value"], card["n"], card["counts"]) == (75.0, 4, {"complaints": 3,
                                                                     "customers": 4})
    assert [(t["period"], t["value"]) for t in card["trend"]] == [("2025-01", 100.0),
                                                                  ("2025-02", 50.0)]
    assert card["label"] == "Complaints per 100 customers"
    # no customer id and no orders: the report goes on without the card and says why (it
    # stopped with exit 2 and a fix naming a flag the report does not have)
    bare = write_csv(tmp_path / "bare.csv", ("ticket_id", "created_at", "status", "category"),
                     [r[:1] + r[2:] for r in rows])
    data = report_json("--tickets", bare)
    assert "complaint_rate" not in kpis(data) and kpis(data)["volume"]["value"] == 5
    assert any(n.startswith("tickets: Complaint rate not computed: no customer column")
               for n in data["notices"])
    # the fixes name the report's own flags (not `cxkit tickets`' --customer, --column fcr=)
    assert ("tickets: First contact resolution not computed: no fcr flag, contacts or customer "
            "column (pass --column tickets.fcr=COL, --column tickets.contacts=COL or --column "
            "tickets.customer_id=COL)") in data["notices"]
    assert ("tickets: Reopen rate not computed: no reopens column (pass --column "
            "tickets.reopens=COL)") in data["notices"]
    # and the report takes them: the customer column given by its name, FCR is measured by
    # the repeat rule over the 4 resolved tickets and the card is back (75.0)
    named = write_csv(tmp_path / "named.csv", ("ticket_id", "client", "created_at", "status",
                                               "category"), rows)
    got = kpis(report_json("--tickets", named, "--column", "tickets.customer_id=client"))
    assert got["fcr"]["n"] == 4 and "no other ticket from the same customer" in got["fcr"]["rule"]
    assert got["complaint_rate"]["value"] == 75.0


def test_a_skipped_kpis_fix_is_written_with_the_reports_flags():
    # each command's own flags (--customer COL, --amount COL, --column ROLE=COL) become the
    # report's --column SOURCE.ROLE=COL; a flag already in that form is left as it is
    from cxkit.kpi.report_build import _in_report

    assert _in_report("no customer column (pass --customer COL)", "orders") == \
        "no customer column (pass --column orders.customer_id=COL)"
    assert _in_report("no amount column (pass --amount COL)", "orders") == \
        "no amount column (pass --column orders.amount=COL)"
    assert _in_report("no reopens column (pass --column reopens=COL)", "tickets") == \
        "no reopens column (pass --column tickets.reopens=COL)"
    assert _in_report("or --column tickets.customer_id=COL", "tickets") == \
        "or --column tickets.customer_id=COL"


def test_a_source_kept_in_memory_or_spilled_gives_the_same_report(files, monkeypatch):
    import cxkit.io.read as read

    args = ("--responses", files["responses"], "--orders", files["orders"], "--tickets",
            files["tickets"])
    kept, written = [], []
    real_sink = pl.LazyFrame.sink_ipc
    monkeypatch.setattr(pl.LazyFrame, "sink_ipc",
                        lambda self, path, **kw: written.append(path) or real_sink(self, path,
                                                                                   **kw))
    monkeypatch.setattr(read, "_available_memory", lambda: 1 << 40)
    in_memory = report_json(*args)
    kept.append(len(written))
    monkeypatch.setattr(read, "_available_memory", lambda: 0)  # nothing fits: the scratch files
    spilled = report_json(*args)
    # the orders and the tickets spilled once each in the second run, not in the first
    assert (kept[0], len(written)) == (0, 2)
    assert spilled == in_memory
    assert kpis(spilled)["orders"]["value"] == 4  # O1, O2, O3, O5 (O4 cancelled)


def test_what_fits_in_memory_is_a_quarter_of_what_is_free(tmp_path, monkeypatch):
    import cxkit.io.read as read

    pq, gz, xlsx = tmp_path / "o.parquet", tmp_path / "o.csv.gz", tmp_path / "o.xlsx"
    pq.write_bytes(b"x" * 1000)
    gz.write_bytes(b"x" * 100)
    xlsx.write_bytes(b"x" * 100)

    def fits(path: Path, kind: str, free: int | None) -> bool:
        monkeypatch.setattr(read, "_available_memory", lambda: free)
        return read._fits_in_memory(read.Table(pl.LazyFrame(), [], [str(path)], kind))

    # Parquet: 1,000 bytes x 4 (loaded) x 4 (a quarter of the free memory) = 16,000 bytes
    assert (fits(pq, "parquet", 16_000), fits(pq, "parquet", 15_999)) == (True, False)
    # a .gz: 100 bytes x 20 x 4 = 8,000; unknown free memory or a stream: never
    assert (fits(gz, "csv", 8_000), fits(gz, "csv", 7_999)) == (True, False)
    # an XLSX (zipped): 100 x 10 x 4 = 4,000
    assert (fits(xlsx, "xlsx", 4_000), fits(xlsx, "xlsx", 3_999)) == (True, False)
    assert (fits(pq, "parquet", None), fits(tmp_path / "-", "csv", 1 << 40)) == (False, False)
