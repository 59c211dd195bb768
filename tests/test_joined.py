"""`cxkit nps-revenue` and `cxkit followup`: survey answers joined to orders (KPIS.md "Across
sources"), with hand-worked fixtures; and the Section renderers of cxkit/render/sections.py."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date

import pytest

from cxkit.io import LoadOptions, load
from cxkit.io.orders import load_orders
from cxkit.io.roles import ALL_ROLES, detect_roles
from cxkit.kpi.joined import (
    followup,
    latest_answers,
    match_orders,
    nps_revenue,
    pseudonym,
    revenue_section,
)
from cxkit.kpi.report import Section
from cxkit.render.sections import (
    section_delimited,
    section_json,
    section_markdown,
    section_ndjson,
    section_table,
)
from tests.conftest import run_cli, write_csv

RESP_HEADER = ["id", "date", "nps", "customer_id", "name", "email", "comment"]
# Every answer is from 2025-01-01 unless said; 2025-01-01 + 90 days = 2025-04-01.
RESP_ROWS = [
    ["1", "2024-12-15", "2", "C1", "Ann", "ann@x.com", "old answer"],  # earlier_answer (C1)
    ["2", "2025-01-01", "10 - Extremely likely", "C1", "Ann", "ann@x.com", "love it"],  # P
    ["3", "2025-01-01", "9.0", "C2", "Bo", "bo@x.com", ""],  # promoter (9.0 is 9)
    ["4", "2025-01-01", "10", "C3", "Cy", "cy@x.com", "first"],  # same day, earlier row
    ["5", "2025-01-01", "7", "C3", "Cy", "cy@x.com", "meh"],  # the last row wins: passive
    ["6", "2025-03-01", "8", "C7", "Gil", "gil@x.com", ""],  # passive, window not ended
    ["7", "2025-01-01", "0", "C4", "Di", "di@x.com", "awful"],  # detractor
    ["8", "2025-01-01", "5", "C5", "Ed", "ed@x.com", "slow"],  # detractor, only cancelled
    ["9", "2025-01-01", "6", "C6", "Flo", "flo@x.com", ""],  # detractor, no order: unmatched
    ["10", "2025-01-01", "x", "C8", "", "", ""],  # invalid
    ["11", "2025-01-01", "11", "C8", "", "", ""],  # out_of_range
    ["12", "2025-01-01", "", "C8", "", "", ""],  # missing
    ["13", "2025-01-01", "7.5", "C8", "", "", ""],  # invalid (not a whole number)
    ["14", "2025-01-01", "9", "", "", "", ""],  # missing_customer_id
    ["15", "", "9", "C9", "", "", ""],  # missing_date
    ["16", "someday", "9", "C9", "", "", ""],  # invalid_date
]
ORDER_HEADER = ["order_id", "customer_id", "ordered_at", "amount", "status"]
ORDER_ROWS = [
    ["O1", "C1", "2025-01-01", "100.00", "paid"],  # the answer day: not "after answering"
    ["O2", "C1", "2025-04-01", "50.00", "paid"],  # exactly 90 days after: ordered again
    ["O3", "C2", "2025-04-02", "60.00", "paid"],  # 91 days after: not within the window
    ["O4", "C3", "2025-01-15", "40.00", "paid"],  # within the window
    ["O5", "C3", "2025-02-01", "40.00", "paid"],
    ["O6", "C7", "2025-03-10", "30.00", "paid"],  # within C7's window, which has not ended
    ["O7", "C4", "2024-12-01", "20.00", "paid"],  # before answering
    ["O8", "C5", "2025-02-01", "999.00", "cancelled"],  # C5: matched, revenue 0
]
# as_of = the last completed order = 2025-04-02 (O3); windows of 2025-01-01 answers ended
# 2025-04-01 <= as_of (counted); C7's (2025-03-01 + 90 = 2025-05-30) has not (left out).
#
# latest answers: C1 10 P, C2 9 P, C3 7 Pa, C7 8 Pa, C4 0 D, C5 5 D, C6 6 D (unmatched)
# promoters  C1 100 + 50 = 150 (2 orders), C2 60 (1)  -> n 2, revenue 210, 105.0 per customer
#            orders 3 -> AOV 70.0; repeat: C1 -> 1 / 2 = 50.0
#            ordered again: C1 (O2, day 90) yes, C2 (O3, day 91) no -> 1 / 2 = 50.0, n 2
# passives   C3 40 + 40 = 80 (2), C7 30 (1)          -> n 2, revenue 110, 55.0 per customer
#            AOV 110 / 3 = 36.666 -> 36.67; repeat: C3 -> 50.0
#            ordered again: C3 yes; C7 not counted (window not ended) -> 1 / 1 = 100.0, n 1
# detractors C4 20 (1), C5 0 (0 completed)           -> n 2, revenue 20, 10.0 per customer
#            AOV 20 / 1 = 20.0; repeat 0.0; ordered again: C4's order is before, C5 has none
#            -> 0 / 2 = 0.0, n 2
# revenue of matched respondents 210 + 110 + 20 = 340: shares 61.76, 32.35, 5.88
# value = 105.0 / 10.0 = 10.5; n = 6 matched; C6 unmatched
# dropped: missing 1, invalid 2, out_of_range 1, missing_customer_id 1, missing_date 1,
#          invalid_date 1, earlier_answer 2 (C1's 2024-12-15, C3's first row), unmatched 1


@pytest.fixture
def files(tmp_path):
    return (write_csv(tmp_path / "responses.csv", RESP_HEADER, RESP_ROWS),
            write_csv(tmp_path / "orders.csv", ORDER_HEADER, ORDER_ROWS))


def read_answers(path, since=None, until=None):
    loaded = load(LoadOptions([str(path)]), ("nps_score", "responded_at", "customer_id", "email",
                                             "name", "comment"), ("nps_score", "customer_id"),
                  {}, "responded_at", need_date=True)
    return latest_answers(loaded.lf, loaded.day_format, since, until)


def read_orders(path):
    return load_orders(LoadOptions([str(path)]), day_only=True).lf


def by_category(result) -> dict[str, dict]:
    return {g["key"]["category"]: g for g in result.to_dict()["groups"]}


# ------------------------------------------------------------------------------------------------
# NPS x revenue


def test_nps_revenue_by_hand(files):
    responses, orders = files
    result = nps_revenue(read_answers(responses), read_orders(orders))
    d = result.to_dict()
    assert (d["kpi"], d["value"], d["n"]) == ("nps_revenue", 10.5, 6)
    assert d["counts"] == {"promoters": 2, "passives": 2, "detractors": 2}
    assert d["dropped"] == {"missing": 1, "invalid": 2, "out_of_range": 1,
                            "missing_customer_id": 1, "missing_date": 1, "invalid_date": 1,
                            "earlier_answer": 2, "unmatched": 1}
    assert d["matching"] == {"exact": 6, "case_or_spaces": 0, "unmatched": 1}
    assert (d["as_of"], d["window_days"]) == ("2025-04-02", 90)
    assert "hint" not in d  # ids on both sides: nothing to suggest
    groups = by_category(result)
    assert list(groups) == ["promoter", "passive", "detractor"]
    pick = ("value", "n", "customers", "revenue", "revenue_share", "aov", "repeat_rate",
            "ordered_again", "ordered_again_n")
    got = {cat: tuple(g[k] for k in pick) for cat, g in groups.items()}
    assert got == {
        "promoter": (105.0, 2, 2, 210.0, 61.76, 70.0, 50.0, 50.0, 2),
        "passive": (55.0, 2, 2, 110.0, 32.35, 36.67, 50.0, 100.0, 1),
        "detractor": (10.0, 2, 2, 20.0, 5.88, 20.0, 0.0, 0.0, 2),
    }
    low, high = d["ci"]
    assert low < 10.5 < high
    for g in groups.values():  # revenue per customer is never below 0
        assert 0 <= g["ci"][0] <= g["value"] <= g["ci"][1]


def test_ratio_interval_is_the_delta_method_on_the_log(files):
    # promoters 150, 60: mean 105, sd = sqrt(((45^2) * 2) / 1) = 63.64; detractors 20, 0:
    # mean 10, sd 14.14. SE(log ratio) = sqrt(63.64^2 / (2 * 105^2) + 14.14^2 / (2 * 10^2))
    # = sqrt(0.18367 + 1.0) = 1.08797; 10.5 * exp(-+1.95996 * 1.08797) = 1.2448 .. 88.568
    result = nps_revenue(read_answers(files[0]), read_orders(files[1]))
    assert result.to_dict()["ci"] == [1.24, 88.57]


def test_window_is_an_option(files):
    # 30 days: C1's O2 (day 90) no longer counts; C3's O4 (day 14) does; every window of a
    # 2025-01-01 answer ended by 2025-04-02, and C7's (2025-03-31) too: C7's O6 is day 9
    result = nps_revenue(read_answers(files[0]), read_orders(files[1]), window_days=30)
    got = {c: (g["ordered_again"], g["ordered_again_n"]) for c, g in by_category(result).items()}
    assert got == {"promoter": (0.0, 2), "passive": (100.0, 2), "detractor": (0.0, 2)}


def test_since_until_bound_the_answer_date(files):
    # from 2025-01-01: C1's 2024-12-15 answer is out of scope (not an earlier answer any more);
    # until 2025-02-28: C7's answer of 2025-03-01 is out too
    answers = read_answers(files[0], since=date(2025, 1, 1), until=date(2025, 2, 28))
    assert answers.dropped["outside_dates"] == 2
    assert answers.dropped["earlier_answer"] == 1  # C3's first row only
    assert sorted(answers.frame["customer_id"].to_list()) == ["C1", "C2", "C3", "C4", "C5",
                                                              "C6"]


def test_latest_answer_wins(files):
    frame = read_answers(files[0]).frame
    latest = dict(zip(frame["customer_id"], zip(frame["score"], frame["category"],
                                                frame["comment"], strict=True), strict=True))
    assert latest["C1"] == (10, "promoter", "love it")  # 2025-01-01 beats 2024-12-15
    assert latest["C3"] == (7, "passive", "meh")  # same day: the last row


def id_files(tmp_path, resp_ids, order_ids):
    """One answer per id (9, promoter) and one completed order of 10.00 per order id."""
    rows = [[str(i), "2025-01-01", "9", cid, "", "", ""] for i, cid in enumerate(resp_ids)]
    orders = [[f"O{i}", cid, "2025-01-02", "10.00", "paid"] for i, cid in enumerate(order_ids)]
    return (write_csv(tmp_path / "r.csv", RESP_HEADER, rows),
            write_csv(tmp_path / "o.csv", ORDER_HEADER, orders))


def test_id_matching_is_counted(tmp_path):
    # " c1 " vs "C1": case and spaces; "C  2" vs "c 2": inner spaces; "C3" exact; "C9" none
    responses, orders = id_files(tmp_path, [" c1 ", "C  2", "C3", "C9"], ["C1", "c 2", "C3"])
    matched = match_orders(read_answers(responses), read_orders(orders))
    assert matched.matching == {"exact": 1, "case_or_spaces": 2, "unmatched": 1}
    assert matched.hint is None
    result = nps_revenue(read_answers(responses), matched)
    assert (result.n, result.dropped["unmatched"]) == (3, 1)
    assert by_category(result)["promoter"]["revenue"] == 30.0  # matching uses the folded key


def test_emails_against_ids_give_a_hint(tmp_path):
    responses, orders = id_files(tmp_path, ["a@x.com", "b@x.com"], ["C1", "C2"])
    matched = match_orders(read_answers(responses), read_orders(orders))
    assert matched.matching == {"exact": 0, "case_or_spaces": 0, "unmatched": 2}
    assert matched.hint == ("responses identify customers by email, orders by id: pass "
                            "--orders-customer EMAILCOLUMN for the orders (Shopify: Email)")
    reverse = match_orders(*[f(p) for f, p in zip(
        (read_answers, read_orders), id_files(tmp_path, ["C1"], ["a@x.com"]), strict=True)])
    assert reverse.hint.startswith("responses identify customers by id, orders by email")
    assert "--customer EMAILCOLUMN" in reverse.hint
    nothing = match_orders(*[f(p) for f, p in zip(
        (read_answers, read_orders), id_files(tmp_path, ["C1"], ["K1"]), strict=True)])
    assert nothing.hint.startswith("no respondent's id is among the orders' customer ids")


def test_no_detractor_revenue_gives_no_ratio(tmp_path):
    rows = [["1", "2025-01-01", "10", "A", "", "", ""], ["2", "2025-01-01", "0", "B", "", "", ""]]
    orders = [["O1", "A", "2025-01-02", "10.00", "paid"], ["O2", "B", "2025-01-02", "5.00",
                                                           "cancelled"]]
    result = nps_revenue(read_answers(write_csv(tmp_path / "r.csv", RESP_HEADER, rows)),
                         read_orders(write_csv(tmp_path / "o.csv", ORDER_HEADER, orders)))
    assert (result.value, result.ci, result.n) == (None, None, 2)  # B matched, revenue 0
    assert by_category(result)["detractor"]["revenue"] == 0.0


def test_revenue_section_is_the_table_of_the_result(files):
    section = revenue_section(nps_revenue(read_answers(files[0]), read_orders(files[1])))
    assert section.name == "nps_revenue"
    assert section.columns[:5] == ["category", "customers", "revenue", "revenue_share",
                                   "revenue_per_customer"]
    assert [r[0] for r in section.rows] == ["promoter", "passive", "detractor"]
    assert section.to_dict()["rows"][0][:5] == ["promoter", 2, 210.0, 61.76, 105.0]
    assert "10.50x" in section.note and "1 unmatched" in section.note


# ------------------------------------------------------------------------------------------------
# The follow-up list


def test_followup_order_and_columns(files):
    section = followup(read_answers(files[0]), read_orders(files[1]))
    assert section.name == "followup"
    assert section.columns == ["customer_id", "email", "name", "score", "category", "comment",
                               "answered", "orders", "revenue_to_date", "last_order",
                               "revenue_at_risk"]
    # by revenue at risk: C3 80, C7 30, C4 20, C5 0 (matched, cancelled only), C6 (unmatched)
    assert [r[0] for r in section.rows] == ["C3", "C7", "C4", "C5", "C6"]
    assert section.rows[0] == ["C3", "cy@x.com", "Cy", 7, "passive", "meh", "2025-01-01", 2,
                               80.0, "2025-02-01", 80.0]
    assert section.rows[3][7:] == [0, 0.0, None, 0.0]  # C5: matched, no completed order
    assert section.rows[4][7:] == [None, None, None, None]  # C6: not in the orders
    assert "1 not found in the orders" in section.note


def test_followup_ties_and_limit(tmp_path):
    # revenue 10 each (one order); D1 and D2 score 3; D2 answered later -> first; D3 and D4
    # same score and day -> by customer id
    rows = [["1", "2025-01-01", "3", "D1", "", "", ""], ["2", "2025-01-05", "3", "D2", "", "", ""],
            ["3", "2025-01-01", "5", "D4", "", "", ""], ["4", "2025-01-01", "5", "D3", "", "", ""],
            ["5", "2025-01-01", "1", "D5", "", "", ""]]
    orders = [["O1", c, "2025-01-02", "10.00" if c != "D5" else "5.00", "paid"]
              for c in ("D1", "D2", "D3", "D4", "D5")]
    answers = read_answers(write_csv(tmp_path / "r.csv", RESP_HEADER, rows))
    section = followup(answers, read_orders(write_csv(tmp_path / "o.csv", ORDER_HEADER, orders)))
    assert [r[0] for r in section.rows] == ["D2", "D1", "D3", "D4", "D5"]
    limited = followup(answers, read_orders(tmp_path / "o.csv"), limit=2)
    assert [r[0] for r in limited.rows] == ["D2", "D1"]
    assert "the first 2 of 5" in limited.note


def test_followup_without_orders(files):
    section = followup(read_answers(files[0]))
    assert section.columns == ["customer_id", "email", "name", "score", "category", "comment",
                               "answered"]
    # by score: C4 0, C5 5, C6 6, C3 7, C7 8
    assert [r[0] for r in section.rows] == ["C4", "C5", "C6", "C3", "C7"]


def test_followup_redacts_email_and_name(files):
    section = followup(read_answers(files[0]), read_orders(files[1]), redact=True)
    c3 = section.rows[0]
    assert c3[1] == "sha256:" + hashlib.sha256(b"cy@x.com").hexdigest()[:12]
    assert c3[2] == "sha256:" + hashlib.sha256(b"cy").hexdigest()[:12]
    assert (c3[0], c3[5]) == ("C3", "meh")  # the id and the comment stay
    assert pseudonym("  Jane.Doe@Example.COM ") == pseudonym("jane.doe@example.com")
    assert pseudonym("") is None and pseudonym(None) is None


def test_ids_that_are_emails_fill_the_email_column_and_are_redacted(tmp_path):
    rows = [["1", "2025-01-01", "2", "Jo@X.com", "", "", ""]]
    answers = read_answers(write_csv(tmp_path / "r.csv", ["id", "date", "nps", "Email"],
                                     [r[:4] for r in rows]))
    assert followup(answers).rows[0][:2] == ["Jo@X.com", "Jo@X.com"]
    hidden = followup(answers, redact=True).rows[0]
    assert hidden[0] == hidden[1] == pseudonym("jo@x.com")


# ------------------------------------------------------------------------------------------------
# Roles: email and name are found, and leave the other roles where they were


def test_email_and_name_roles():
    cols = ["ResponseId", "RecordedDate", "RecipientLastName", "RecipientFirstName",
            "RecipientEmail", "ExternalReference", "Q1", "Q1_NPS_GROUP"]
    found = detect_roles(cols, {}, ("nps_score", "responded_at", "customer_id", "email", "name"))
    assert {r: m.column for r, m in found.items()} == {
        "nps_score": "Q1", "responded_at": "RecordedDate", "customer_id": "ExternalReference",
        "email": "RecipientEmail", "name": "RecipientFirstName"}
    french = detect_roles(["Identifiant", "Nom du produit", "Adresse e-mail", "Nom"], {},
                          ("email", "name"))
    assert {r: m.column for r, m in french.items()} == {"email": "Adresse e-mail", "name": "Nom"}
    assert "email" not in ALL_ROLES and "name" not in ALL_ROLES  # `cxkit columns` unchanged


# ------------------------------------------------------------------------------------------------
# Section renderers (generic over any Section)

SECTION = Section("demo", "Demo", ["who", "=formula", "a|b", "amount"],
                  [["@ann", "<script>alert(1)</script>", "x|y", 1.005],
                   ["-bo", "line\nbreak", None, -2.0]], note="a note", digits=2)


def test_section_delimited_neutralises_text_and_header():
    rows = list(csv.reader(io.StringIO(section_delimited(SECTION))))
    assert rows[0] == ["who", "'=formula", "a|b", "amount"]
    assert rows[1] == ["'@ann", "<script>alert(1)</script>", "x|y", "1.0"]  # 1.005 -> 1.0
    assert rows[2] == ["'-bo", "line\nbreak", "", "-2.0"]  # numbers are never prefixed
    assert section_delimited(SECTION, "\t").splitlines()[0] == "who\t'=formula\ta|b\tamount"


def test_section_json_ndjson_markdown_table():
    assert json.loads(section_json(SECTION)) == {"demo": {
        "title": "Demo", "kind": "table", "note": "a note",
        "columns": ["who", "=formula", "a|b", "amount"],
        "labels": ["who", "=formula", "a|b", "amount"], "units": ["", "", "", ""],
        "rows": [["@ann", "<script>alert(1)</script>", "x|y", 1.0],
                 ["-bo", "line\nbreak", None, -2.0]]}}
    lines = [json.loads(line) for line in section_ndjson(SECTION).splitlines()]
    assert lines[0] == {"who": "@ann", "=formula": "<script>alert(1)</script>", "a|b": "x|y",
                        "amount": 1.0}
    md = section_markdown(SECTION).splitlines()
    assert md[0] == "| who | =formula | a\\|b | amount |"
    assert md[2] == "| @ann | &lt;script&gt;alert(1)&lt;/script&gt; | x\\|y | 1.0 |"
    assert md[3] == "| -bo | line break |  | -2.0 |"
    table = section_table(SECTION)
    assert [str(c.header) for c in table.columns] == ["who", "=formula", "a|b", "amount"]
    assert table.columns[3].justify == "right" and table.columns[0].justify == "left"


# ------------------------------------------------------------------------------------------------
# The commands


def test_value_prints_the_ratio(files):
    responses, orders = files
    run = run_cli("nps-revenue", responses, "--orders", orders, "--value")
    assert (run.returncode, run.stdout) == (0, "10.5\n"), run
    # C6 is not in the orders: said on stderr, with the counts
    assert run.stderr == (f"cxkit: warning: {responses}: 1 of 7 respondents have no order in "
                          f"{orders} (ids: 6 exact, 0 only after folding case and spaces)\n")
    same = run_cli("nps-revenue", "--responses", responses, "--orders", orders, "--value", "-q")
    assert same.stdout == "10.5\n"
    csv_out = run_cli("nps-revenue", responses, "--orders", orders, "--format", "csv", "-q")
    first = next(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert (first["category"], first["value"], first["revenue_share"]) == ("promoter", "105.0",
                                                                            "61.76")


def test_responses_given_twice_or_not_at_all_is_a_usage_error(files):
    responses, orders = files
    both = run_cli("nps-revenue", responses, "--responses", responses, "--orders", orders)
    assert both.returncode == 2 and "given twice" in both.stderr, both
    neither = run_cli("followup", "--orders", orders, "--limit", "3")
    assert neither.returncode == 2 and "no responses file" in neither.stderr, neither
    window = run_cli("nps-revenue", responses, "--orders", orders, "--window", "36h")
    assert window.returncode == 2 and "--window" in window.stderr, window


def test_email_hint_on_stderr(tmp_path):
    responses, orders = id_files(tmp_path, ["a@x.com"], ["C1"])
    run = run_cli("nps-revenue", responses, "--orders", orders, "--format", "json")
    assert run.returncode == 0, run
    assert json.loads(run.stdout)["hint"].startswith("responses identify customers by email")
    assert "hint: responses identify customers by email" in run.stderr
    assert "--orders-customer EMAILCOLUMN" in run.stderr


def test_followup_csv_is_neutralised(tmp_path):
    rows = [["1", "2025-01-01", "3", "C1", '=HYPERLINK("x")', "c1@x.com",
             "<script>alert(1)</script>"],
            ["2", "2025-01-01", "10", "C2", "Pat", "", "fine"]]
    responses = write_csv(tmp_path / "r.csv", RESP_HEADER, rows)
    orders = write_csv(tmp_path / "o.csv", ORDER_HEADER, [["O1", "C1", "2025-01-02", "-5.00",
                                                          "paid"]])
    run = run_cli("followup", responses, "--orders", orders, "--format", "csv")
    assert (run.returncode, run.stderr) == (0, ""), run
    got = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(got) == 1  # the promoter is not on the list
    assert got[0]["name"] == "'=HYPERLINK(\"x\")"
    assert got[0]["comment"] == "<script>alert(1)</script>"  # not a formula: as it is
    assert got[0]["revenue_at_risk"] == "-5.0"  # a number, never prefixed
    data = json.loads(run_cli("followup", responses, "--orders", orders, "-f", "json").stdout)
    assert data["followup"]["rows"][0][2] == '=HYPERLINK("x")'  # JSON carries the data as is
    out = tmp_path / "list.ndjson"
    written = run_cli("followup", responses, "--orders", orders, "-o", out, "--redact")
    assert written.returncode == 0, written
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["email"] == pseudonym("c1@x.com") and row["name"].startswith("sha256:")


def test_an_implausible_answer_date_is_an_invalid_date(tmp_path):
    # C2 answered on 0001-01-01 (a "no date" placeholder): not an answer of year 1 that any
    # window could match, but a row dropped as invalid_date; C1 (9) and C3 (10) remain
    path = tmp_path / "r.csv"
    path.write_text("customer_id,responded_at,nps\nC1,2025-01-05,9\nC2,0001-01-01,3\n"
                    "C3,2025-01-06,10\n")
    answers = read_answers(path)
    assert sorted(answers.frame["customer_id"].to_list()) == ["C1", "C3"]
    assert answers.dropped["invalid_date"] == 1
