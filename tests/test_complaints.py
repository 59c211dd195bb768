"""`cxkit complaints`: rate, breakdown and recurrence on small hand-worked fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_csv

HEADER = ["ticket_id", "customer_id", "created_at", "tags", "category", "severity"]
ROWS = [
    ["T1", "C1", "2025-01-05 09:00", "complaint late", "delivery", "High"],
    ["T2", "C1", "2025-03-05 09:00", "complaint", "delivery", "High"],  # 59 days after T1
    ["T3", "C1", "2025-08-01 09:00", "complaint", "delivery", "Low"],  # 149 days after T2
    ["T4", "C2", "2025-01-10 09:00", "complaint", "billing", "Low"],
    ["T5", "C2", "2025-01-20 09:00", "complaint", "delivery", "Low"],  # other category
    ["T6", "C3", "2025-02-01 09:00", "question", "billing", "Low"],  # not a complaint
    ["T7", "C4", "2025-02-02 09:00", "uncomplaining", "billing", "Low"],  # a word, not a tag
]
ORDERS = [["O1", "C1", "2025-01-02"], ["O2", "C2", "2025-01-03"], ["O3", "C5", "2025-01-04"],
          ["O4", "C1", "2025-01-05"], ["O5", "C3", "2025-02-10"], ["O6", "C3", "2025-02-11"],
          ["O7", "C4", "2025-03-01"], ["O8", "C4", "2025-08-01"]]


def kpis(*args: str) -> dict[str, dict]:
    run = run_cli("complaints", *args, "--format", "json")
    assert run.returncode == 0, run
    return {k["kpi"]: k for k in json.loads(run.stdout)["kpis"]}


@pytest.fixture
def tickets(tmp_path):
    return write_csv(tmp_path / "t.csv", HEADER, ROWS)


def test_rate_per_customer_breakdown_and_recurrence(tickets):
    got = kpis(str(tickets))
    # complaints: T1-T5 = 5 (T6 is a question, T7's tag only contains the word);
    # customers who contacted support: C1-C4 = 4 -> 100 * 5 / 4 = 125.0 per 100 customers
    rate = got["complaint_rate"]
    assert rate["value"] == 125.0
    assert rate["counts"] == {"complaints": 5, "customers": 4}
    # category x severity: delivery/High 2 (40 %), billing/Low 1, delivery/Low 2 (T3, T5)
    shares = {(g["key"]["category"], g["key"]["severity"]): (g["value"], g["share"])
              for g in got["complaints"]["groups"]}
    assert shares == {("delivery", "High"): (2, 40.0), ("delivery", "Low"): (2, 40.0),
                      ("billing", "Low"): (1, 20.0)}
    # recurrent: T2 (C1 delivery, 59 days after T1 <= 90); T3 is 149 days after T2: first;
    # T5 is C2's first delivery complaint -> 1 of 5 = 20.0; delivery 1/4 = 25.0, billing 0/1
    rec = got["recurrence_rate"]
    assert rec["value"] == 20.0
    assert rec["counts"] == {"recurrent": 1, "first": 4}
    assert rec["customers_with_2_plus"] == 2  # C1 (3 complaints) and C2 (2)
    assert {g["key"]["category"]: g["value"] for g in rec["groups"]} == {
        "billing": 0.0, "delivery": 25.0}


def test_window_decides_recurrence(tickets):
    # a 30-day window: T2 is 59 days after T1 -> no recurrent complaint at all
    assert kpis(str(tickets), "--recurrence-window", "30d")["recurrence_rate"]["value"] == 0.0
    # 150 days: T2 and T3 (149 days after T2) -> 2 / 5 = 40.0
    assert kpis(str(tickets), "--recurrence-window", "150d")["recurrence_rate"]["value"] == 40.0


def test_rate_per_100_orders_of_the_same_month(tickets, tmp_path):
    orders = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at"], ORDERS)
    got = kpis(str(tickets), "--orders", str(orders), "--period", "month")["complaint_rate"]
    # 5 complaints / 8 orders -> 62.5 per 100 orders
    assert got["value"] == 62.5
    by_month = {g["key"]["period"]: (g["value"], g["counts"]) for g in got["groups"]}
    # 2025-01: T1, T4, T5 over O1-O4 -> 75.0; 2025-02: no complaint over O5, O6 -> 0.0;
    # 2025-03: T2 over O7 -> 100.0; 2025-08: T3 over O8 -> 100.0
    assert by_month == {
        "2025-01": (75.0, {"complaints": 3, "orders": 4}),
        "2025-02": (0.0, {"complaints": 0, "orders": 2}),
        "2025-03": (100.0, {"complaints": 1, "orders": 1}),
        "2025-08": (100.0, {"complaints": 1, "orders": 1}),
    }


def test_complaint_when_and_threshold(tickets):
    # severity = High: T1, T2 -> 2 complaints / 4 customers = 50.0
    got = kpis(str(tickets), "--complaint-when", "severity=high")["complaint_rate"]
    assert got["value"] == 50.0
    run = run_cli("complaints", tickets, "--fail-over", "complaint_rate=100", "--format", "csv")
    assert run.returncode == 3, run  # 125.0 > 100
    assert "complaint_rate 125 is over --fail-over 100" in run.stderr
    bad = run_cli("complaints", tickets, "--complaint-when", "colour=red")
    assert bad.returncode == 2 and "ROLE=VALUE" in bad.stderr, bad


def test_orders_outside_the_tickets_days_are_left_out(tickets, tmp_path):
    orders = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at"], ORDERS)
    got = kpis(str(tickets), "--orders", str(orders))["complaint_rate"]
    # tickets run 2025-01-05 .. 2025-08-01: O1-O3 (2-4 January) are before the first ticket;
    # O4-O8 = 5 orders, 5 complaints -> 100.0 per 100 orders
    assert (got["value"], got["counts"]) == (100.0, {"complaints": 5, "orders": 5})


# ------------------------------------------------------------------------------------------------
# The rate per 100 COMPLETED orders, counted as `cxkit orders` counts them; in-process runs.

def invoke(*args) -> dict[str, dict]:
    """`cxkit ARGS -f json` through Typer's CliRunner -> KPI name -> object."""
    from typer.testing import CliRunner

    from cxkit.cli.main import app

    result = CliRunner().invoke(app, [str(a) for a in args] + ["-f", "json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return {k["kpi"]: k for k in json.loads(result.stdout)["kpis"]}


# Tickets from 1 January to 28 February 2025: the days they cover are two whole months, so
# `--period month` (orders of whole months) and the report (orders of the ticket days) agree.
MIXED_TICKETS = (HEADER, [
    ["T1", "C1", "2025-01-01 09:00", "complaint", "delivery", "High"],
    ["T2", "C2", "2025-01-15 10:00", "complaint", "billing", "Low"],
    ["T3", "C3", "2025-01-20 11:00", "question", "billing", "Low"],  # not a complaint
    ["T4", "C1", "2025-02-03 09:00", "complaint", "delivery", "High"],
    ["T5", "C4", "2025-02-28 16:00", "question", "delivery", "Low"],  # not a complaint
])
# January: O1-O4 completed (paid, completed, shipped, refunded: a refunded order was completed)
#          = 4; O5 cancelled, O6 abandoned, O7 pending, O8 failed: not orders -> 8 rows, 4 orders
# February: O9-O13 paid = 5; O14 cancelled, O15 abandoned: not orders -> 7 rows, 5 orders
# O16: paid but no date (left out, with a warning); O17: 1 March, after the last ticket
MIXED_ORDERS = (["order_id", "customer_id", "ordered_at", "amount", "status"], [
    ["O1", "C1", "2025-01-02 10:00", "10.00", "paid"],
    ["O2", "C2", "2025-01-05 11:00", "10.00", "completed"],
    ["O3", "C3", "2025-01-10 12:00", "10.00", "shipped"],
    ["O4", "C5", "2025-01-31 23:30", "10.00", "refunded"],
    ["O5", "C6", "2025-01-12 09:00", "10.00", "cancelled"],
    ["O6", "C7", "2025-01-13 09:00", "10.00", "abandoned"],
    ["O7", "C8", "2025-01-14 09:00", "10.00", "pending"],
    ["O8", "C9", "2025-01-20 09:00", "10.00", "failed"],
    ["O9", "C1", "2025-02-01 00:10", "10.00", "paid"],
    ["O10", "C2", "2025-02-10 09:00", "10.00", "paid"],
    ["O11", "C3", "2025-02-11 09:00", "10.00", "paid"],
    ["O12", "C4", "2025-02-12 09:00", "10.00", "paid"],
    ["O13", "C5", "2025-02-28 20:00", "10.00", "paid"],
    ["O14", "C6", "2025-02-14 09:00", "10.00", "cancelled"],
    ["O15", "C7", "2025-02-15 09:00", "10.00", "abandoned"],
    ["O16", "C8", "", "10.00", "paid"],
    ["O17", "C9", "2025-03-01 09:00", "10.00", "paid"],
])


@pytest.fixture
def mixed(tmp_path):
    return (write_csv(tmp_path / "tickets.csv", *MIXED_TICKETS),
            write_csv(tmp_path / "orders.csv", *MIXED_ORDERS))


def test_rate_counts_completed_orders_only(mixed):
    tickets, orders = mixed
    got = invoke("complaints", tickets, "--orders", orders, "--period", "month")
    rate = got["complaint_rate"]
    # January: T1, T2 = 2 complaints / 4 completed orders = 50.0 per 100
    # February: T4 = 1 complaint / 5 completed orders = 20.0 per 100
    # (every row counted, as before: 2 / 8 = 25.0 and 1 / 7 = 14.29)
    by_month = {g["key"]["period"]: (g["value"], g["counts"]) for g in rate["groups"]}
    assert by_month == {"2025-01": (50.0, {"complaints": 2, "orders": 4}),
                        "2025-02": (20.0, {"complaints": 1, "orders": 5})}
    # overall: 3 complaints / 9 completed orders = 33.333 -> 33.33 (every row: 3 / 15 = 20.0)
    assert (rate["value"], rate["n"]) == (33.33, 9)
    assert rate["counts"] == {"complaints": 3, "orders": 9}
    assert "per 100 completed orders" in rate["rule"]
    # without --period: the same 9 orders from 1 January to 28 February
    assert invoke("complaints", tickets, "--orders", orders)["complaint_rate"]["value"] == 33.33


def test_denominator_is_what_cxkit_orders_counts(mixed):
    tickets, orders = mixed
    rate = invoke("complaints", tickets, "--orders", orders, "--period", "month")
    counted = invoke("orders", orders, "--since", "2025-01-01", "--until", "2025-02-28",
                     "--period", "month")["orders"]
    # cxkit orders: 4 + 5 = 9; O16 dropped for its missing date, O17 outside the dates
    assert counted["value"] == 9
    assert counted["dropped"]["missing_date"] == 1 and counted["dropped"]["outside_dates"] == 1
    assert {g["key"]["period"]: g["value"] for g in counted["groups"]} == {
        g["key"]["period"]: g["counts"]["orders"]
        for g in rate["complaint_rate"]["groups"]} == {"2025-01": 4, "2025-02": 5}


def test_report_card_gives_the_same_rate(mixed):
    tickets, orders = mixed
    card = invoke("report", "--tickets", tickets, "--orders", orders)["complaint_rate"]
    # the same 3 complaints / 9 completed orders = 33.33; by month 50.0 and 20.0
    assert (card["value"], card["counts"]) == (33.33, {"complaints": 3, "orders": 9})
    assert [(t["period"], t["value"], t["n"]) for t in card["trend"]] == [
        ("2025-01", 50.0, 4), ("2025-02", 20.0, 5)]
    assert "per 100 completed orders" in card["rule"]


SHOPIFY = (["Name", "Email", "Financial Status", "Created at", "Lineitem quantity",
            "Lineitem name", "Total", "Cancelled at"], [
    # #1001: 3 line items, order fields on the first row only (Shopify's layout)
    ["#1001", "c1@example.com", "paid", "2025-01-05 10:00:00 +0100", "1", "Scarf", "60.00", ""],
    ["#1001", "", "", "", "2", "Socks", "", ""],
    ["#1001", "", "", "", "1", "Hat", "", ""],
    # #1002: 2 line items
    ["#1002", "c2@example.com", "paid", "2025-01-06 10:00:00 +0100", "1", "Bag", "120.00", ""],
    ["#1002", "", "", "", "1", "Belt", "", ""],
    # #1003: cancelled (Cancelled at filled): not an order
    ["#1003", "c3@example.com", "voided", "2025-01-07 10:00:00 +0100", "1", "Hat", "20.00",
     "2025-01-07 12:00:00 +0100"],
])


def test_shopify_line_items_are_one_order(tmp_path):
    tickets = write_csv(tmp_path / "t.csv", HEADER, [
        ["T1", "C1", "2025-01-05 09:00", "complaint", "delivery", "High"],
        ["T2", "C2", "2025-01-07 09:00", "question", "billing", "Low"]])
    orders = write_csv(tmp_path / "shopify.csv", *SHOPIFY)
    rate = invoke("complaints", tickets, "--orders", orders)["complaint_rate"]
    # 6 rows, 3 orders, 2 completed (#1001, #1002): 1 complaint / 2 orders = 50.0 per 100
    # (per row: 1 / 6 = 16.67; per order id, cancelled included: 1 / 3 = 33.33)
    assert (rate["value"], rate["counts"]) == (50.0, {"complaints": 1, "orders": 2})


def test_shopify_sample_counts_orders_not_line_items():
    root = Path(__file__).resolve().parents[1] / "sample_data"
    shopify = root / "orders_shopify.csv"
    rate = invoke("complaints", root / "tickets.csv", "--orders", shopify)["complaint_rate"]
    # the tickets cover 2025-01-01 .. 2025-12-31; the export has 691 line-item rows for 400
    # orders, of which cxkit orders counts 368 completed (17 cancelled, 15 pending)
    counted = invoke("orders", shopify, "--since", "2025-01-01", "--until", "2025-12-31")
    assert counted["orders"]["value"] == 368
    # 320 complaints / 368 orders = 86.956 -> 86.96 per 100
    assert (rate["value"], rate["counts"]) == (86.96, {"complaints": 320, "orders": 368})


def test_complaints_without_a_date_are_counted_out_of_periods(tmp_path, capsys):
    # 4 complaints: 2025-01-06, 0001-01-01 (a placeholder: invalid), no date, 2025-02-03.
    # Per month against 4 completed orders (2 in January, 2 in February): Jan 1/2 = 50.0,
    # Feb 1/2 = 50.0, all 2/4 = 50.0; the 2 undated complaints are in no period: dropped
    # (missing_date 1, invalid_date 1). Without --period and --orders every complaint counts.
    from conftest import cxkit_json

    tickets = tmp_path / "t.csv"
    tickets.write_text("id,created_at,type,customer_id\n1,2025-01-06 09:00,complaint,a\n"
                       "2,2025-01-07 09:00,question,b\n3,0001-01-01 00:00,complaint,c\n"
                       "4,,complaint,d\n5,2025-02-03 10:00,complaint,a\n")
    orders = tmp_path / "o.csv"
    orders.write_text("order_id,customer_id,ordered_at,amount\n1,a,2025-01-06,10\n"
                      "2,b,2025-01-20,10\n3,a,2025-02-03,5\n4,c,2025-02-10,5\n")
    got, _ = cxkit_json(capsys, "complaints", tickets, "--orders", orders, "--period", "month")
    rate = got["kpis"][0]
    assert (rate["value"], rate["counts"]) == (50.0, {"complaints": 2, "orders": 4})
    assert rate["dropped"] == {"missing_date": 1, "invalid_date": 1}
    assert [(g["key"]["period"], g["value"]) for g in rate["groups"]] == [
        ("2025-01", 50.0), ("2025-02", 50.0)]
    plain, _ = cxkit_json(capsys, "complaints", tickets)
    assert (plain["kpis"][0]["counts"], plain["kpis"][0]["dropped"]) == (
        {"complaints": 4, "customers": 4}, {})


def test_blank_customer_ids_are_no_customers(tmp_path, capsys):
    # complaints: tickets 1, 3-7 = 6 (2 is a question), whatever their customer.
    # Customers: a and b; tickets 2, 4 and 7 have none (empty cell), 3 only spaces (blank once
    # stripped): 2, not 4 -> 100 * 6 / 2 = 300.0; per month: January a (1; 3, 4 blank) -> 1
    # customer, 3 complaints; February a, b (7 blank) -> 2 customers, 3 complaints.
    # Recurrence (same customer and category within 90 days): ticket 5 (a, delivery, 28 days
    # after 1) is; 4 and 7, blank ids in one category 27 days apart, are no one's repeat ->
    # 1 of 6; customers with 2+ complaints: a (1, 5) -> 1 (the blank ids are not one customer).
    from conftest import cxkit_json

    tickets = tmp_path / "t.csv"
    tickets.write_text("id,created_at,type,category,customer_id\n"
                       "1,2025-01-06 09:00,complaint,delivery,a\n"
                       "2,2025-01-07 09:00,question,delivery,\n"
                       "3,2025-01-08 09:00,complaint,billing,\"  \"\n"
                       "4,2025-01-09 09:00,complaint,billing,\n"
                       "5,2025-02-03 10:00,complaint,delivery,a\n"
                       "6,2025-02-04 10:00,complaint,billing,b\n"
                       "7,2025-02-05 10:00,complaint,billing,\n")
    got, _ = cxkit_json(capsys, "complaints", tickets, "--period", "month")
    rate, _, rec = got["kpis"]
    assert (rate["value"], rate["counts"]) == (300.0, {"complaints": 6, "customers": 2})
    assert [(g["key"]["period"], g["counts"]) for g in rate["groups"]] == [
        ("2025-01", {"complaints": 3, "customers": 1}),
        ("2025-02", {"complaints": 3, "customers": 2})]
    assert (rec["counts"], rec["customers_with_2_plus"]) == (
        {"recurrent": 1, "first": 5}, 1)
