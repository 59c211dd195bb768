"""`cxkit complaints`: rate, breakdown and recurrence on small hand-worked fixtures."""

from __future__ import annotations

import json

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
