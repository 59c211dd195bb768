"""`cxkit orders` and the order loader: hand-worked fixtures for every KPI and real layouts."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, write_csv

HEADER = ["order_id", "customer_id", "ordered_at", "amount", "status", "refunded_amount",
          "channel", "referred_by"]
ROWS = [
    ["O1", "A", "2025-01-05 10:00", "100.00", "paid", "", "web", ""],
    ["O2", "A", "2025-02-10 10:00", "50.00", "paid", "", "web", ""],
    ["O3", "B", "2025-01-20 10:00", "200.00", "refunded", "200.00", "app", ""],
    ["O4", "C", "2025-02-15 10:00", "30.00", "cancelled", "", "web", ""],
    ["O5", "C", "2025-03-01 10:00", "70.00", "paid", "", "web", "A"],
    ["O6", "", "2025-03-02 10:00", "40.00", "paid", "", "app", ""],  # no customer
    ["O7", "D", "2025-03-03 10:00", "25.00", "abandoned", "", "web", ""],
    ["O8", "D", "2025-03-04 10:00", "", "paid", "", "web", "B"],  # no amount
    ["O9", "E", "", "60.00", "paid", "", "app", ""],  # no date
]


def kpis(*args: str) -> dict[str, dict]:
    run = run_cli(*args, "--format", "json")
    assert run.returncode == 0, run
    return {k["kpi"]: k for k in json.loads(run.stdout)["kpis"]}


@pytest.fixture
def orders(tmp_path):
    return write_csv(tmp_path / "orders.csv", HEADER, ROWS)


def test_every_order_kpi_by_hand(orders):
    got = kpis("orders", str(orders))
    # completed: O1 O2 O3 O5 O6 O8 O9 = 7 (a refunded order was completed); O4 cancelled,
    # O7 abandoned
    assert got["orders"]["value"] == 7
    assert got["orders"]["dropped"] == {"cancelled": 1, "abandoned": 1, "pending": 0,
                                        "failed": 0}
    # revenue: 100 + 50 + 200 + 70 + 40 + 60 = 520 over the 6 completed orders with an amount;
    # refunded 200 -> net 320
    rev = got["revenue"]
    assert (rev["value"], rev["n"], rev["net_revenue"]) == (520.0, 6, 320.0)
    assert rev["dropped"]["missing_amount"] == 1  # O8
    # AOV = 520 / 6 = 86.666 -> 86.67; amounts 40 50 60 70 100 200: median (60 + 70) / 2 = 65
    assert (got["aov"]["value"], got["aov"]["median"]) == (86.67, 65.0)
    # customers with a completed order: A B C D E = 5 (O6 has none: missing_customer 1)
    assert got["customers"]["value"] == 5
    assert got["customers"]["dropped"]["missing_customer"] == 1
    # purchase frequency: 6 orders with a customer / 5 customers = 1.2
    assert got["purchase_frequency"]["value"] == 1.2
    # repeat: only A has 2+ completed orders (C's O4 was cancelled) -> 1 / 5 = 20.0
    rep = got["repeat_purchase_rate"]
    assert (rep["value"], rep["counts"]) == (20.0, {"repeat": 1, "one_order": 4})
    # returns: O3 / 7 completed = 14.285 -> 14.3; by value 200 / 520 = 38.46 %
    ret = got["return_rate"]
    assert (ret["value"], ret["counts"]["returned"], ret["value_rate"]) == (14.3, 1, 38.46)
    # cart abandonment: 1 abandoned / (1 + 7 completed) = 12.5
    assert got["cart_abandonment_rate"]["value"] == 12.5
    # new customers (first completed order has a date): A B C D; E's order has no date.
    # Referred: C (by A) and D (by B) -> 2 / 4 = 50.0; referrers A and B of 5 customers = 40.0
    ref = got["referral_rate"]
    assert (ref["value"], ref["n"], ref["referrer_rate"]) == (50.0, 4, 40.0)
    # historical CLV: A 150, B 200, C 70, D 0 (its one order has no amount), E 60:
    # mean 480 / 5 = 96.0, median 70
    assert (got["clv"]["value"], got["clv"]["median"], got["clv"]["n"]) == (96.0, 70.0, 5)


def test_by_month_drops_the_undated_order(orders):
    got = kpis("orders", str(orders), "--period", "month")
    by = {g["key"]["period"]: g for g in got["aov"]["groups"]}
    # 2025-01: O1 100, O3 200 -> 150.0; 2025-02: O2 50 (O4 cancelled); 2025-03: O5 70, O6 40
    # (O8 has no amount) -> 55.0
    assert {p: g["value"] for p, g in by.items()} == {"2025-01": 150.0, "2025-02": 50.0,
                                                     "2025-03": 55.0}
    assert by["2025-03"]["change"] == 5.0  # 55 - 50
    assert got["orders"]["dropped"]["missing_date"] == 1  # O9
    orders_by = {g["key"]["period"]: g["value"] for g in got["orders"]["groups"]}
    assert orders_by == {"2025-01": 2, "2025-02": 1, "2025-03": 3}
    # new customers per month: Jan A, B; Feb none new (A came back); Mar C, D (both referred)
    ref = {g["key"]["period"]: (g["value"], g["n"]) for g in got["referral_rate"]["groups"]}
    assert ref == {"2025-01": (0.0, 2), "2025-02": (None, 0), "2025-03": (100.0, 2)}


def test_by_segment_single_kpi(orders):
    run = run_cli("orders", str(orders), "--by", "channel", "--kpi", "customers", "-f", "json")
    got = json.loads(run.stdout)
    # web: A (O1, O2), C (O5), D (O8) = 3; app: B (O3), E (O9); O6 has no customer
    assert {g["key"]["channel"]: g["value"] for g in got["groups"]} == {"app": 2, "web": 3}


def test_kpi_value_and_threshold(orders):
    run = run_cli("orders", str(orders), "--kpi", "aov", "--value")
    assert (run.returncode, run.stdout) == (0, "86.67\n")
    run = run_cli("orders", str(orders), "--kpi", "repeat_purchase_rate", "--fail-under", "25",
                  "--format", "json")
    assert run.returncode == 3, run
    assert json.loads(run.stdout)["value"] == 20.0
    assert "under --fail-under 25" in run.stderr


SHOPIFY = ("Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,"
           "Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,"
           "Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
           "Lineitem price,Cancelled at,Refunded Amount\n"
           "#1001,a@x.com,paid,2025-01-03 10:00:00 +0100,fulfilled,,yes,EUR,90.00,10.00,0,"
           "100.00,,0,std,2025-01-03 10:00:00 +0100,1,Mug,90.00,,\n"
           "#1001,a@x.com,,,,,,,,,,,,,,,2,Cup,5.00,,\n"
           "#1001,,,,,,,,,,,,,,,,1,Spoon,1.00,,\n"
           "#1002,b@x.com,partially_refunded,2025-01-31 23:30:00 +0100,fulfilled,,no,EUR,"
           "1000.00,50.00,0,\"1,050.00\",,0,std,2025-01-31 23:30:00 +0100,1,Lamp,1000.00,,"
           "\"105.00\"\n"
           "#1002,b@x.com,,,,,,,,,,,,,,,1,Bulb,0,,\n"
           "#1003,a@x.com,voided,,,,no,EUR,20.00,0,0,20.00,,0,std,2025-02-03 09:00:00 +0100,"
           "1,Pen,20.00,2025-02-03 10:00:00 +0100,\n"
           "#1004,c@x.com,pending,,,,no,EUR,20.00,0,0,20.00,,0,std,2025-02-04 09:00:00 +0100,"
           "1,Pen,20.00,,\n")


def test_shopify_line_items_collapse_to_orders(tmp_path):
    path = tmp_path / "orders_export.csv"
    path.write_text(SHOPIFY)
    run = run_cli("orders", str(path), "--format", "json", "--period", "month")
    assert run.returncode == 0, run
    assert "Shopify" in run.stderr and "collapsed" in run.stderr
    got = {k["kpi"]: k for k in json.loads(run.stdout)["kpis"]}
    # 7 rows, 4 orders: #1001 and #1002 completed, #1003 cancelled (voided, Cancelled at),
    # #1004 pending. AOV = (100 + 1,050) / 2 = 575.0; the naive AOV over rows that carry a
    # Total would be (100 + 1050 + 20 + 20) / 4 = 297.5, over all rows 1190 / 7 = 170
    assert (got["aov"]["value"], got["orders"]["value"]) == (575.0, 2)
    assert got["orders"]["dropped"] == {"missing_date": 0, "invalid_date": 0, "outside_dates": 0,
                                        "cancelled": 1, "abandoned": 0, "pending": 1,
                                        "failed": 0}
    # #1002 partially refunded: 1 / 2 = 50 %, by value 105 / 1150 = 9.13 %
    assert (got["return_rate"]["value"], got["return_rate"]["value_rate"]) == (50.0, 9.13)
    # 23:30 +0100 on 31 January stays in January (wall-clock time of the shop, not UTC)
    months = {g["key"]["period"]: g["value"] for g in got["orders"]["groups"]}
    assert months == {"2025-01": 2, "2025-02": 0}
    assert got["customers"]["value"] == 2  # a@x.com, b@x.com


def test_french_excel_amounts_and_statuses(tmp_path):
    path = tmp_path / "commandes.csv"
    text = ("N° commande;Client;Date de commande;Montant TTC;Statut\r\n"
            "1;C1;03/02/2025 10:00;1\u00a0299,00 €;Payée\r\n"
            "2;C2;04/02/2025 10:00;12,50;Remboursée\r\n"
            "3;C1;05/03/2025 10:00;100,5;Annulée\r\n"
            "4;C3;13/03/2025 10:00;1 000,00;En attente\r\n"
            "5;C3;14/03/2025 10:00;87,50;Payée\r\n")
    path.write_bytes(text.encode("cp1252"))
    got = kpis("orders", str(path))
    # completed: 1 (1,299.00), 2 (12.50), 5 (87.50) -> revenue 1,399.00, AOV 466.33
    assert (got["revenue"]["value"], got["orders"]["value"]) == (1399.0, 3)
    assert got["aov"]["value"] == 466.33
    assert got["orders"]["dropped"]["cancelled"] == 1 and got["orders"]["dropped"]["pending"] == 1
    assert "decimal comma" in got["revenue"]["rule"]
    assert got["return_rate"]["counts"] == {"returned": 1, "kept": 2}


STRIPE = ("id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,"
          "Customer ID,Customer Email\n"
          "ch_1,2025-03-01 10:00:00,31.25,0.00,eur,true,Paid,cus_A,a@x.com\n"
          "ch_2,2025-03-02 10:00:00,10.00,10.00,eur,true,Refunded,cus_B,b@x.com\n"
          "ch_3,2025-03-03 10:00:00,99.00,0.00,eur,false,Failed,cus_A,a@x.com\n"
          "ch_4,2025-03-04 10:00:00,\"1,000.75\",0.00,eur,true,Paid,cus_A,a@x.com\n")


def test_stripe_dashboard_in_major_units(tmp_path):
    path = tmp_path / "unified_payments.csv"
    path.write_text(STRIPE)
    got = kpis("orders", str(path))
    # ch_1 31.25 + ch_2 10.00 + ch_4 1,000.75 = 1,042.00; ch_3 failed
    assert (got["revenue"]["value"], got["orders"]["dropped"]["failed"]) == (1042.0, 1)
    assert got["customers"]["value"] == 2  # by Customer ID: cus_A, cus_B
    assert got["return_rate"]["counts"]["returned"] == 1


def test_stripe_api_in_minor_units(tmp_path):
    path = tmp_path / "charges.csv"
    path.write_text("ID,CREATED,AMOUNT,AMOUNT_REFUNDED,STATUS,CAPTURED,CUSTOMER_ID\n"
                    "ch_1,2025-03-01 10:00:00,3125,0,succeeded,true,cus_A\n"
                    "ch_2,2025-03-02 10:00:00,1000,1000,succeeded,true,cus_B\n"
                    "ch_3,2025-03-03 10:00:00,500,0,failed,false,cus_B\n")
    run = run_cli("orders", str(path), "--preset", "stripe", "--format", "json")
    assert run.returncode == 0, run
    got = {k["kpi"]: k for k in json.loads(run.stdout)["kpis"]}
    # cents: (3125 + 1000) / 100 = 41.25; ch_2 fully refunded
    assert got["revenue"]["value"] == 41.25 and got["revenue"]["net_revenue"] == 31.25
    assert "minor units" in run.stderr
    run = run_cli("orders", str(path), "--preset", "stripe", "--amount-unit", "major",
                  "--kpi", "revenue", "--value")
    assert run.stdout == "4125.0\n"


def test_woocommerce_statuses_and_us_dates(tmp_path):
    path = write_csv(tmp_path / "woo.csv",
                     ["order_id", "order_number", "date", "status", "order_total",
                      "billing_email", "customer_user", "cart_discount"],
                     [["1", "1", "5/31/2025 0:37", "wc-completed", "30", "a@x.com", "1", "0"],
                      ["2", "2", "6/1/2025 9:05", "processing", "20", "a@x.com", "1", "0"],
                      ["3", "3", "6/2/2025 9:05", "on-hold", "99", "b@x.com", "2", "0"],
                      ["4", "4", "6/13/2025 9:05", "refunded", "10", "b@x.com", "2", "0"]])
    got = kpis("orders", str(path), "--period", "month")
    # completed: 1, 2 (processing is paid), 4 (refunded); on-hold is pending
    months = {g["key"]["period"]: g["value"] for g in got["orders"]["groups"]}
    assert months == {"2025-05": 1, "2025-06": 2}
    assert got["orders"]["dropped"]["pending"] == 1
    assert got["repeat_purchase_rate"]["value"] == 50.0  # customer 1 ordered twice of 2


STATUS_ROWS = [  # (status, amount): raw spellings of the same few states
    ("wc-Completed", "10"), ("PAID", "20"), (" Partially Refunded ", "30"),
    ("wc-cancelled", "40"), ("Canceled", "50"), ("On-Hold", "60"), ("FAILED", "70"),
    ("printed", "80"), ("", "90"), ("wc-refunded", "100")]


@pytest.mark.parametrize("kind", ["csv", "parquet", "xlsx"])
def test_statuses_fold_the_same_in_every_file_kind(tmp_path, kind):
    # A Parquet or Excel export has its distinct statuses folded (status_vocabulary), a CSV
    # its rows: same states. Completed: wc-Completed, PAID, Partially Refunded, printed
    # (unknown), blank, wc-refunded = 6 orders, 10+20+30+80+90+100 = 330; cancelled 2
    # (wc-cancelled, Canceled), pending 1 (On-Hold), failed 1; returned: the two refunded of 6.
    import polars as pl

    frame = pl.DataFrame({"order_id": [f"O{i}" for i in range(len(STATUS_ROWS))],
                          "customer_id": ["A"] * len(STATUS_ROWS),
                          "ordered_at": ["2025-01-05"] * len(STATUS_ROWS),
                          "amount": [a for _, a in STATUS_ROWS],
                          "status": [s or None for s, _ in STATUS_ROWS]})
    path = tmp_path / f"orders.{kind}"
    if kind == "csv":
        frame.write_csv(path)
    elif kind == "parquet":
        frame.write_parquet(path)
    else:
        frame.write_excel(path)
    got = kpis("orders", str(path))
    assert got["orders"]["value"] == 6
    assert {k: got["orders"]["dropped"][k] for k in ("cancelled", "pending", "failed")} == {
        "cancelled": 2, "pending": 1, "failed": 1}
    assert got["revenue"]["value"] == 330
    assert got["return_rate"]["counts"] == {"returned": 2, "kept": 4}


def test_unknown_status_is_counted_as_completed_with_a_note(tmp_path):
    path = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at", "amount",
                                          "status"],
                     [["1", "A", "2025-01-01", "10", "paid"],
                      ["2", "B", "2025-01-02", "10", "printed"]])
    run = run_cli("orders", str(path), "--kpi", "orders", "--format", "json")
    assert json.loads(run.stdout)["value"] == 2
    assert "'printed'" in run.stderr


def test_no_amount_column_still_counts_orders(tmp_path):
    path = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at"],
                     [["1", "A", "2025-01-01"], ["2", "A", "2025-01-05"]])
    got = kpis("orders", str(path))
    assert got["orders"]["value"] == 2 and got["repeat_purchase_rate"]["value"] == 100.0
    assert got["aov"]["value"] is None and got["aov"]["rule"].startswith("not computed")


def test_missing_date_column_names_the_flag(tmp_path):
    path = write_csv(tmp_path / "o.csv", ["order_id", "amount"], [["1", "10"]])
    run = run_cli("orders", str(path))
    assert run.returncode == 65
    assert "--ordered" in run.stderr and "Traceback" not in run.stderr


CLV_ROWS = [  # two years: A and B bought in 2024; only A came back in the last year
    ["O1", "A", "2024-01-01", "100", "paid"],
    ["O2", "B", "2024-03-01", "300", "paid"],
    ["O3", "A", "2025-06-01", "200", "paid"],
    ["O4", "C", "2025-12-31", "200", "paid"],
]


def test_clv_formula_and_top_customers(tmp_path):
    path = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at", "amount",
                                          "status"], CLV_ROWS)
    got = kpis("clv", str(path), "--margin", "50%", "--top", "2")
    # historical: A 300, B 300, C 200 -> mean 266.67, median 300
    assert (got["clv"]["value"], got["clv"]["median"]) == (266.67, 300.0)
    f = got["clv_formula"]
    # last order T = 2025-12-31; customers with an order in [2023-12-31, 2024-12-31): A, B;
    # of those with none in (2024-12-31, 2025-12-31]: B -> annual churn 1 / 2 = 50 %, lifetime 2
    # AOV 800 / 4 = 200; years = 731 days / 365.25 = 2.0014; orders per customer per year
    # 4 / 3 / 2.0014 = 0.6662; CLV = 200 x 0.6662 x 0.5 x 2 = 133.24
    assert (f["annual_churn"], f["lifetime_years"], f["aov"]) == (50.0, 2.0, 200.0)
    assert f["value"] == 133.24
    assert f["counts"] == {"churned": 1, "retained": 1}
    top = got["top_customers"]
    # A 300 (2 orders) and B 300 tie: the customer id breaks it; 600 of 800 = 75 %
    assert [(g["key"]["customer_id"], g["value"], g["n"]) for g in top["groups"]] == [
        ("A", 300.0, 2), ("B", 300.0, 1)]
    assert (top["value"], top["share_of_revenue"]) == (600.0, 75.0)
    assert top["groups"][0]["first_order"] == "2024-01-01"


def test_clv_without_a_year_of_data_asks_for_churn(tmp_path):
    path = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at", "amount"],
                     [["1", "A", "2025-01-01", "10"], ["2", "B", "2025-02-01", "30"]])
    f = kpis("clv", str(path))["clv_formula"]
    assert f["value"] is None and "--churn" in f["rule"]
    # with --churn 25 %: AOV 20 x (2 / 2 / (32 / 365.25) = 11.414 a year) x 100 % x 4 years
    f = kpis("clv", str(path), "--churn", "25%")["clv_formula"]
    assert f["value"] == 913.12
    run = run_cli("clv", str(path), "--margin", "150%")
    assert run.returncode == 2 and "--margin" in run.stderr


def test_return_rate_interval_follows_confidence(orders):
    ret = kpis("orders", str(orders), "--confidence", "0.9")["return_rate"]
    # Wilson, 1 of 7, z = 1.6449: centre (1/7 + z^2/14) / (1 + z^2/7) = 0.2424,
    # half z * sqrt((1/7)(6/7)/7 + z^2/196) / 1.3865 = 0.2099 -> 3.3 .. 45.2
    assert ret["ci"] == [3.3, 45.2]
    assert ret["value_rate"] == 38.46  # the extra fields stay beside it


def test_repeated_order_ids_are_reported_and_negative_amounts_read(tmp_path):
    path = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at", "amount"],
                     [["1", "A", "2025-01-01", "10.00"], ["1", "A", "2025-01-01", "10.00"],
                      ["2", "B", "2025-01-02", "(4.00)"]])
    got = kpis("orders", str(path))
    # 3 rows, 2 distinct ids: 1 repeated; (4.00) is -4: revenue 10 + 10 - 4 = 16
    assert got["orders"]["repeated_order_ids"] == 1
    assert got["revenue"]["value"] == 16.0
    # said on the headline only (a segment's figure is the headline's, split): per customer,
    # A's two rows are the repeat, and no group repeats the note
    by = kpis("orders", str(path), "--by", "customer_id")["orders"]
    assert by["repeated_order_ids"] == 1
    assert [("repeated_order_ids" in g, g["value"]) for g in by["groups"]] == [(False, 2.0),
                                                                               (False, 1.0)]
    # distinct ids: no note at all
    path.write_text("order_id,customer_id,ordered_at,amount\n1,A,2025-01-01,10\n"
                    "2,A,2025-01-02,5\n")
    assert "repeated_order_ids" not in kpis("orders", str(path))["orders"]
    # no completed order: no id counted, no note (the count of distinct ids is 0, not 1)
    path.write_text("order_id,customer_id,ordered_at,amount,status\n1,A,2025-01-01,10,cancelled\n"
                    "1,A,2025-01-02,5,cancelled\n")
    got = kpis("orders", str(path))["orders"]
    assert (got["n"], "repeated_order_ids" in got) == (0, False)


def test_customer_revenue_does_not_depend_on_row_order(tmp_path):
    # X buys 0.10 + 0.20 + 0.30 = 0.60, Y buys 0.01: CLV median (0.60 + 0.01) / 2 = 0.305.
    # Summed left to right in floating point X is 0.6000000000000001 and the median prints 0.31;
    # summed 0.30 + 0.20 + 0.10 it is 0.6 and prints 0.3. Parallel sums add in any order, so
    # the per-customer sums are rounded to 6 decimals and both files give the same numbers.
    head = ["order_id", "customer_id", "ordered_at", "amount"]
    rows = [["O1", "X", "2025-01-01", "0.10"], ["O2", "X", "2025-01-02", "0.20"],
            ["O3", "X", "2025-01-03", "0.30"], ["O4", "Y", "2025-01-04", "0.01"]]
    medians = []
    for name, order in (("a.csv", rows), ("b.csv", rows[2::-1] + rows[3:])):
        clv = kpis("orders", str(write_csv(tmp_path / name, head, order)))["clv"]
        medians.append((clv["value"], clv["median"]))
    assert medians[0] == medians[1] == (0.3, 0.3)  # mean 0.61 / 2 = 0.305 too


def test_an_aggregation_shared_by_several_specs_is_computed_once():
    # the orders' drop counts repeat across specs: `group` aggregates each distinct expression
    # once and copies it under its other names. Rows (g, v): a 1, a 2, b 5; v > 1: a 1, b 1.
    import polars as pl

    from cxkit.kpi.specs import group

    lf = pl.LazyFrame({"g": ["a", "a", "b"], "v": [1, 2, 5]})
    big = (pl.col("v") > 1).sum()
    query = group(lf, ["g"], [big.alias("x"), pl.col("v").max().alias("m"), big.alias("y")])
    assert query.explain().count("> 1") == 1
    got = query.collect().sort("g")
    assert got.columns == ["g", "x", "m", "y"]
    assert got.rows() == [("a", 1, 2, 1), ("b", 1, 5, 1)]
    assert group(lf, [], [big.alias("x"), big.alias("y")]).collect().rows() == [(2, 2)]


def test_only_whole_number_sums_and_counts_are_re_summed_across_levels():
    # `aggregate(additive=True)` re-sums the finest groups: exact for counts (a sum of a
    # condition, a count, a length), not for a float sum (the order of additions changes
    # the last bits) nor a median
    import polars as pl

    from cxkit.kpi.specs import counts_only

    lf = pl.LazyFrame({"v": [1.5, 2.0], "n": [1, 2]})
    assert counts_only(lf, [(pl.col("v") > 1).sum().alias("a"), pl.len().alias("b"),
                            pl.col("v").count().alias("c"), pl.col("n").sum().alias("d")])
    assert not counts_only(lf, [pl.len().alias("b"), pl.col("v").sum().alias("s")])
    assert not counts_only(lf, [pl.len().alias("b"), pl.col("n").median().alias("m")])
    assert not counts_only(lf, [])


def test_aggregate_re_sums_the_counts_and_takes_the_rest_from_the_rows():
    # (segment, month) rows: a Jan 1.0, a Feb 2.0, b Jan 4.0. Counts re-summed from the finest
    # level, the median from each level's rows: overall n 3, median 2.0; January n 2, median
    # (1 + 4) / 2 = 2.5; February n 1, median 2.0; (a, Jan) n 1, median 1.0
    from datetime import date

    import polars as pl

    from cxkit.kpi.grouping import START, Scope
    from cxkit.kpi.specs import aggregate

    lf = pl.LazyFrame({"seg": ["a", "a", "b"], START: [date(2025, 1, 1), date(2025, 2, 1),
                                                        date(2025, 1, 1)], "v": [1.0, 2.0, 4.0]})
    aggs = [pl.len().alias("n"), pl.col("v").median().alias("m")]
    overall, finest, monthly = pl.collect_all(aggregate(
        lf, aggs, ["seg", START], Scope(by=["seg"], period="month"), additive=True))
    assert overall.select("n", "m").row(0) == (3, 2.0)
    assert sorted(monthly.select(START, "n", "m").rows()) == [
        (date(2025, 1, 1), 2, 2.5), (date(2025, 2, 1), 1, 2.0)]
    assert finest.filter((pl.col("seg") == "a") & (pl.col(START) == date(2025, 1, 1))) \
        .select("n", "m").row(0) == (1, 1.0)


def test_groups_only_plan_gives_the_same_groups_without_the_overall_queries(orders):
    # A report's breakdown shows each segment's value, never the overall one: its plan skips
    # the overall queries (the per-customer one among them). Completed orders per channel:
    # web O1 O2 O5 O8 = 4 (O4 cancelled, O7 abandoned), app O3 O6 O9 = 3; repeat purchase:
    # web customers A (2 orders), C, D -> 1 of 3 = 33.3 %; app B, E (O6 has none) -> 0 of 2
    from cxkit.io import LoadOptions
    from cxkit.io.orders import load_orders
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.orders import OrderOptions, plan
    from cxkit.kpi.specs import collect_plans

    loaded = load_orders(LoadOptions([str(orders)], by=["channel"]))
    scope, only = Scope(by=["channel"]), ["orders", "repeat_purchase_rate"]
    full = plan(loaded.lf, scope, OrderOptions(), only)
    part = plan(loaded.lf, scope, OrderOptions(), only, groups_only=True)
    assert len(part.queries) == len(full.queries) // 2  # one level of two
    got = {r.kpi: r for r in collect_plans([part])[0]}
    assert got["orders"].value is None  # no overall computed
    assert {g.key["channel"]: g.value for g in got["orders"].groups} == {"web": 4, "app": 3}
    rate = {g.key["channel"]: (round(g.value, 1), g.n) for g in got["repeat_purchase_rate"].groups}
    assert rate == {"web": (33.3, 3), "app": (0.0, 2)}
    same = {r.kpi: r for r in collect_plans([full])[0]}
    for kpi in only:  # the same groups, extras and all (hidden ones left out in both)
        assert [(g.key, g.value, g.n, g.extra) for g in same[kpi].groups] == [
            (g.key, g.value, g.n, g.extra) for g in got[kpi].groups]


def test_a_customer_id_of_spaces_is_no_customer(tmp_path):
    # 5 completed orders: a 10, "  " 20, "  " 30, empty 40, b 50. The spaces are blank, as the
    # empty cell: customers a, b = 2, missing_customer 3 (not a third customer "" with two
    # orders); purchase frequency 2 orders / 2 customers = 1.0; repeat 0 of 2; CLV (10 + 50)
    # / 2 = 30.0; revenue counts every order: 150.0
    path = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at", "amount"],
                     [["1", "a", "2025-01-06", "10"], ["2", "  ", "2025-01-07", "20"],
                      ["3", "  ", "2025-01-08", "30"], ["4", "", "2025-01-09", "40"],
                      ["5", "b", "2025-01-10", "50"]])
    got = kpis("orders", str(path))
    assert (got["customers"]["value"], got["customers"]["dropped"]["missing_customer"]) == (2, 3)
    assert got["purchase_frequency"]["value"] == 1.0
    assert got["repeat_purchase_rate"]["counts"] == {"repeat": 0, "one_order": 2}
    assert (got["clv"]["value"], got["revenue"]["value"]) == (30.0, 150.0)


def test_customers_per_period_and_overall_re_summed_from_segment_and_period(tmp_path):
    # C1 buys on the web and in the app in January: one customer of January and overall,
    # one of each channel's January
    path = write_csv(tmp_path / "o.csv", ["order_id", "customer_id", "ordered_at", "amount",
                                          "status", "channel"],
                     [["O1", "C1", "2025-01-10", "10.00", "paid", "web"],
                      ["O2", "C1", "2025-01-20", "20.00", "paid", "app"],
                      ["O3", "C2", "2025-01-05", "5.00", "paid", "web"],
                      ["O4", "C2", "2025-02-03", "7.50", "paid", "web"]])
    got = kpis("orders", str(path), "--by", "channel", "--period", "month")
    cust, rep, clv = got["customers"], got["repeat_purchase_rate"], got["clv"]
    # (channel, month): app-Jan C1; web-Jan C1, C2; web-Feb C2
    assert {(g["key"]["channel"], g["key"]["period"]): g["value"] for g in cust["groups"]} == {
        ("app", "2025-01"): 1, ("web", "2025-01"): 2, ("web", "2025-02"): 1}
    # per month: January C1 (2 orders), C2 (1) -> 2 customers, 1 of 2 repeat = 50.0;
    # February C2 -> 1 customer, 0 repeat
    assert [(t["period"], t["value"]) for t in cust["trend"]] == [("2025-01", 2), ("2025-02", 1)]
    assert [t["value"] for t in rep["trend"]] == [50.0, 0.0]
    # January CLV: C1 10 + 20 = 30, C2 5 -> mean 17.5; overall C1 30, C2 5 + 7.50 = 12.5 ->
    # 2 customers, both repeat (100.0), mean 21.25
    assert clv["trend"][0]["value"] == 17.5
    assert (cust["value"], rep["value"], clv["value"]) == (2, 100.0, 21.25)
    # the row counts re-summed from (channel, month) too: 4 orders, January 3, February 1;
    # the money per level on the rows: revenue 10 + 20 + 5 + 7.50 = 42.5, AOV 42.5 / 4 = 10.625,
    # to 2 digits half to even: 10.62
    assert [(t["period"], t["value"]) for t in got["orders"]["trend"]] == [("2025-01", 3),
                                                                           ("2025-02", 1)]
    assert (got["orders"]["value"], got["revenue"]["value"]) == (4, 42.5)
    assert got["aov"]["value"] == 10.62
