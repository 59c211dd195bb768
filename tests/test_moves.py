"""Real moves of the ticket and order KPIs (cxkit/kpi/moves.py): --fail-on-drop and
--fail-on-change on tickets, orders, retention and complaints, --versus on a share or a mean."""

from __future__ import annotations

import json

import pytest
from conftest import cxkit_in_process, cxkit_json, write_csv


def tickets(tmp_path, rows) -> str:
    header = ("id", "customer_id", "channel", "created_at", "resolved_at", "status", "fcr")
    return str(write_csv(tmp_path / "tickets.csv", header, rows))


def fcr_rows(month: str, first: int, total: int, channel: str = "A", start: int = 0):
    return [(f"{month}-{i}", f"C{start + i}", channel, f"2025-{month}-05 09:00",
             f"2025-{month}-05 11:00", "solved", "yes" if i < first else "no")
            for i in range(total)]


def test_a_significant_fall_of_fcr_exits_3(tmp_path, capsys):
    # January 18 of 20 tickets solved at first contact (90 %), February 8 of 20 (40 %): -50
    # points. Pooled p = 26/40 = 0.65, se0 = sqrt(0.65 x 0.35 x (1/20 + 1/20)) = 0.15083,
    # z = -0.5 / 0.15083 = -3.315 -> p = 0.00092; Newcombe's 95 % interval -69.5 to -20.7
    path = tickets(tmp_path, fcr_rows("01", 18, 20) + fcr_rows("02", 8, 20, start=100))
    run = cxkit_in_process(capsys, "tickets", path, "--period", "month", "--kpi", "fcr",
                           "--fail-on-drop", "-f", "json")
    assert run.returncode == 3
    assert json.loads(run.stdout)["change"] == -50.0  # the KPI is still printed
    assert ("cxkit: error: fcr fell 50.0 points from 2025-01 to 2025-02 (95% CI -69.5 to "
            "-20.7, p 0.00092): significantly worse (--fail-on-drop)") in run.stderr
    # the same fall is a rise of nothing bad: --fail-on-drop on resolution time (2 h both
    # months, no change) passes; --fail-on-change fires on any significant move
    ok = cxkit_in_process(capsys, "tickets", path, "--period", "month", "--kpi",
                          "resolution_time", "--fail-on-drop")
    assert ok.returncode == 0, ok
    assert cxkit_in_process(capsys, "tickets", path, "--period", "month",
                            "--fail-on-change").returncode == 3


def test_noise_does_not_fire(tmp_path, capsys):
    # 9 of 10 then 8 of 10: -10 points, p 0.53: not significant
    path = tickets(tmp_path, fcr_rows("01", 9, 10) + fcr_rows("02", 8, 10, start=100))
    run = cxkit_in_process(capsys, "tickets", path, "--period", "month", "--kpi", "fcr",
                           "--fail-on-drop")
    assert run.returncode == 0, run


def test_fail_on_drop_needs_a_period(tmp_path, capsys):
    path = tickets(tmp_path, fcr_rows("01", 9, 10))
    run = cxkit_in_process(capsys, "tickets", path, "--fail-on-drop")
    assert run.returncode == 2
    assert "--fail-on-drop needs --period" in run.stderr


def test_aov_fall_and_retention_fall(tmp_path, capsys):
    # AOV: January 100, 110, 90, 100 (mean 100, sd 8.165), February 50, 60, 40, 50 (mean 50):
    # Welch se = sqrt(66.67/4 x 2) = 5.774, t = -8.66, df 6 -> p 0.00013
    rows = [(f"J{i}", f"C{i}", f"2025-01-{10 + i}", a, "paid")
            for i, a in enumerate((100, 110, 90, 100))]
    rows += [(f"F{i}", f"C{i}", f"2025-02-{10 + i}", a, "paid")
             for i, a in enumerate((50, 60, 40, 50))]
    path = write_csv(tmp_path / "orders.csv", ("order_id", "customer_id", "ordered_at", "amount",
                                               "status"), rows)
    run = cxkit_in_process(capsys, "orders", path, "--period", "month", "--fail-on-drop")
    assert run.returncode == 3
    assert "aov fell 50.00 from 2025-01 to 2025-02 (95% CI -64.13 to -35.87, p 0.00013)" \
        in run.stderr
    # retention: customers 1-10 order in January and February (Feb retention 10/10 = 100 %),
    # only 1 and 2 in March (2/10 = 20 %): -80 points, pooled p 0.6, z -3.65 -> p 0.00026
    rows = [(f"{m}{c}", f"C{c}", f"2025-{m}-15", 10, "paid") for m in ("01", "02")
            for c in range(10)] + [(f"03{c}", f"C{c}", "2025-03-15", 10, "paid") for c in (0, 1)]
    path = write_csv(tmp_path / "ret.csv", ("order_id", "customer_id", "ordered_at", "amount",
                                            "status"), rows)
    run = cxkit_in_process(capsys, "retention", path, "--period", "month", "--fail-on-drop")
    assert run.returncode == 3
    assert ("retention_rate fell 80.0 points from 2025-02 to 2025-03 (95% CI -94.3 to -38.4, "
            "p 0.00026): significantly worse (--fail-on-drop)") in run.stderr
    assert "churn_rate rose 80.0 points" in run.stderr  # churn is retention's mirror


def test_fcr_versus_a_control_channel(tmp_path, capsys):
    # A: 8 of 10 at first contact (80 %), B: 5 of 10 (50 %): B - A = -30 points, pooled p 0.65,
    # z = -0.3 / 0.2133 = -1.406 -> p 0.1596; Newcombe -60.0 to 10.7; one comparison: adjusted
    # p = p; mde = (1.96 + 0.8416) x se 20.25 = 56.7 points
    path = tickets(tmp_path, fcr_rows("01", 8, 10, "A") + fcr_rows("01", 5, 10, "B", 100))
    r, _ = cxkit_json(capsys, "tickets", path, "--by", "channel", "--kpi", "fcr",
                      "--versus", "A")
    groups = {g["key"]["channel"]: g for g in r["groups"]}
    assert groups["A"]["versus"] == {"control": "A"}
    v = groups["B"]["versus"]
    assert (v["diff"], v["ci"], v["p"], v["p_adjusted"], v["significant"]) == (
        -30.0, [-59.99, 10.67], 0.16, 0.16, False)
    assert v["mde"] == pytest.approx(56.7, abs=0.1)


def test_resolution_time_versus_is_a_welch_test(tmp_path, capsys):
    # A: 2, 4, 6 h (mean 4, sd 2); B: 10, 12, 14 h (mean 12, sd 2): diff 8, se sqrt(8/3) =
    # 1.633, Welch df 4, t(0.975, 4) = 2.776: 8 +- 4.534 -> 3.47 to 12.53; t = 4.90 -> p 0.008
    rows = []
    for channel, hours in (("A", (2, 4, 6)), ("B", (10, 12, 14))):
        for i, h in enumerate(hours):
            rows.append((f"{channel}{i}", f"{channel}{i}", channel, "2025-01-06 08:00",
                         f"2025-01-06 {8 + h:02d}:00", "solved", ""))
    r, _ = cxkit_json(capsys, "tickets", tickets(tmp_path, rows), "--by", "channel", "--kpi",
                      "resolution_time", "--versus", "A")
    v = {g["key"]["channel"]: g for g in r["groups"]}["B"]["versus"]
    assert (v["diff"], v["ci"], v["p"]) == (8.0, [3.466, 12.534], 0.008)


@pytest.mark.parametrize(("args", "message"), [
    (("--versus", "A"), "--versus needs one --by COL and one --kpi"),
    (("--by", "channel", "--kpi", "volume", "--versus", "A"), "volume has no test"),
    (("--by", "channel", "--kpi", "fcr", "--versus", "Z"), "'Z'"),
    (("--by", "channel", "--kpi", "fcr", "--versus", "A", "--period", "month"),
     "--versus with --period"),
])
def test_versus_mistakes(tmp_path, capsys, args, message):
    path = tickets(tmp_path, fcr_rows("01", 8, 10, "A") + fcr_rows("01", 5, 10, "B", 100))
    run = cxkit_in_process(capsys, "tickets", path, *args)
    assert run.returncode == 2, run
    assert message in run.stderr


def test_complaint_rate_rise(tmp_path, capsys):
    # 2 complaints of 40 orders in January (5 per 100), 12 of 40 in February (30): +25,
    # pooled 14/80, z = 0.25 / 0.0850 = 2.94 -> p 0.0033: a significant rise, the bad way
    rows = [(f"T{m}{i}", f"2025-{m}-0{1 + i % 9} 09:00", "complaint" if i < k else "question",
             f"C{m}{i}") for m, k in (("01", 2), ("02", 12)) for i in range(20)]
    tickets_path = write_csv(tmp_path / "t.csv", ("id", "created_at", "type", "customer_id"), rows)
    orders = [(f"O{m}{i}", f"C{i}", f"2025-{m}-{10 + i % 15}", 10, "paid")
              for m in ("01", "02") for i in range(40)]
    orders_path = write_csv(tmp_path / "o.csv", ("order_id", "customer_id", "ordered_at",
                                                 "amount", "status"), orders)
    run = cxkit_in_process(capsys, "complaints", tickets_path, "--orders", orders_path,
                           "--period", "month", "--fail-on-drop", "-f", "json")
    assert run.returncode == 3
    rate = json.loads(run.stdout)["kpis"][0]
    assert (rate["change"], rate["significant"]) == (25.0, True)
    assert "complaint_rate rose 25.00 from 2025-01 to 2025-02" in run.stderr


def test_plan_for_a_share_ticket_kpi(tmp_path, capsys):
    # 60 of 100 tickets solved at first contact: p = 0.6, spread of one ticket
    # 100 x sqrt(0.6 x 0.4) = 48.99 points. For 5 points at 80 % power, alpha 0.05, 50/50:
    # N = (1.959964 + 0.841621)^2 x 48.99^2 x (1/0.5 + 1/0.5) / 5^2 = 7.84887 x 2400 x 4 / 25
    # = 3013.97 -> 3014 in all, 1507 per group
    path = tickets(tmp_path, fcr_rows("01", 60, 100))
    doc, _ = cxkit_json(capsys, "tickets", path, "--kpi", "fcr", "--plan", "--mde", "5")
    assert doc["kpi"] == "fcr_plan"
    assert doc["sd"] == 48.99 and doc["baseline"]["value"] == 60.0
    assert [g["n"] for g in doc["per_group"]] == [1507, 1507] and doc["total"] == 3014


def test_plan_for_a_mean_uses_the_control_group(tmp_path, capsys):
    # AOV of the control group A: amounts 10, 20, 30 -> sd 10 (n - 1); for 5 (money) at 80 %
    # power, alpha 0.05 (two groups: one comparison), 50/50:
    # N = 7.84887 x 10^2 x 4 / 5^2 = 125.58 -> 126 in all, 63 per group
    path = write_csv(tmp_path / "orders.csv", ("order_id", "customer_id", "ordered_at",
                                               "amount", "status", "variant"),
                     [("1", "a", "2025-01-02", "10", "paid", "A"),
                      ("2", "b", "2025-01-02", "20", "paid", "A"),
                      ("3", "c", "2025-01-02", "30", "paid", "A"),
                      ("4", "d", "2025-01-02", "100", "paid", "B"),
                      ("5", "e", "2025-01-02", "300", "paid", "B")])
    doc, _ = cxkit_json(capsys, "orders", path, "--kpi", "aov", "--by", "variant", "--versus",
                        "A", "--plan", "--mde", "5")
    assert doc["kpi"] == "aov_plan" and doc["sd"] == 10.0
    assert doc["baseline"]["source"] == "the control group variant = A"
    assert [(g["group"], g["n"]) for g in doc["per_group"]] == [("A", 63), ("B", 63)]


@pytest.mark.parametrize("args, says", [
    (("--kpi", "fcr", "--plan"), "--plan and --mde go together"),
    (("--plan", "--mde", "5"), "--plan needs one --kpi"),
    (("--kpi", "fcr", "--plan", "--mde", "5", "--period", "month"), "--plan with --period"),
    (("--kpi", "volume", "--plan", "--mde", "5"), "--plan: volume has no test"),
])
def test_plan_refuses_what_it_cannot_plan(tmp_path, capsys, args, says):
    path = tickets(tmp_path, fcr_rows("01", 6, 10))
    run = cxkit_in_process(capsys, "tickets", path, *args)
    assert run.returncode == 2, run
    assert says in run.stderr
