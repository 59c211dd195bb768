"""`cxkit tickets` through the CLI (KPIS.md "Tickets"), every number worked out by hand.

Each test writes a 3-8 row export into tmp_path, runs `python -m cxkit tickets ... --format json`
and checks the JSON. The JSON rounds durations to 2 decimals and shares to 1.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import run_cli, write_csv

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "tickets.csv"
BH = "Mon-Fri 09:00-18:00"


def run_json(path, *args, code: int = 0) -> tuple[dict, str]:
    """`cxkit tickets PATH ARGS --format json` -> (KPI name -> object, or the --kpi one; stderr)."""
    r = run_cli("tickets", path, *args, "--format", "json")
    assert r.returncode == code, r
    data = json.loads(r.stdout)
    return ({k["kpi"]: k for k in data["kpis"]} if "kpis" in data else data), r.stderr


def tickets(path, *args) -> dict:
    return run_json(path, *args)[0]


# ------------------------------------------------------------------------------------------------
# Every KPI on one generic export
#
#   id  created           first response    resolved          status    reop cont csat  FRT   RES
#   T1  01-06 09:00       01-06 10:00       01-06 13:00       solved     0    1   Good   1     4
#   T2  01-06 10:00       01-06 12:00       01-07 10:00       Closed     1    1   Bad    2    24
#   T3  01-07 08:00       01-07 12:00       01-07 18:00       SOLVED     0    3   Good   4    10
#   T4  01-07 12:00       01-07 11:00       01-08 14:00       resolved   0    1   ""    -1    26
#   T5  01-08 09:00       01-08 17:00       ""                open       0    2   meh    8     -
#   T6  01-09 09:00       ""                ""                pending    ""   ""  ""     -     -
#   T7  01-09 12:00       01-09 14:00       01-09 11:00       solved     0    1   Good   2    -1

GENERIC_HEADER = ("ticket_id", "customer_id", "created_at", "first_response_at", "resolved_at",
                  "status", "reopens", "contacts", "satisfaction", "channel")
GENERIC_ROWS = [
    ("T1", "C1", "2025-01-06 09:00", "2025-01-06 10:00", "2025-01-06 13:00", "solved", "0", "1",
     "Good", "email"),
    ("T2", "C2", "2025-01-06 10:00", "2025-01-06 12:00", "2025-01-07 10:00", "Closed", "1", "1",
     "Bad", "chat"),
    ("T3", "C3", "2025-01-07 08:00", "2025-01-07 12:00", "2025-01-07 18:00", "SOLVED", "0", "3",
     "Good", "email"),
    ("T4", "C4", "2025-01-07 12:00", "2025-01-07 11:00", "2025-01-08 14:00", "resolved", "0", "1",
     "", "chat"),
    ("T5", "C5", "2025-01-08 09:00", "2025-01-08 17:00", "", "open", "0", "2", "meh", "email"),
    ("T6", "C6", "2025-01-09 09:00", "", "", "pending", "", "", "", "chat"),
    ("T7", "C7", "2025-01-09 12:00", "2025-01-09 14:00", "2025-01-09 11:00", "solved", "0", "1",
     "Good", "email"),
]


@pytest.fixture
def generic(tmp_path) -> Path:
    return write_csv(tmp_path / "tickets.csv", GENERIC_HEADER, GENERIC_ROWS)


@pytest.fixture(scope="module")
def every(tmp_path_factory) -> dict:
    """All KPIs of the generic export, backlog at 2025-01-08 12:00 (one run for the module)."""
    path = write_csv(tmp_path_factory.mktemp("generic") / "tickets.csv", GENERIC_HEADER,
                     GENERIC_ROWS)
    return tickets(path, "--as-of", "2025-01-08 12:00")


def test_generic_volume_and_unavailable_kpis(every):
    assert list(every) == ["volume", "first_response_time", "resolution_time", "backlog", "fcr",
                           "reopen_rate", "sla_first_response", "sla_resolution", "csat"]
    for sla in ("sla_first_response", "sla_resolution"):  # no target, no SLA status column
        assert every[sla]["value"] is None and every[sla]["rule"].startswith("not computed:")
    # 7 tickets; resolved by status T1 T2 T3 T4 T7 = 5, unresolved T5 T6 = 2
    assert every["volume"]["counts"] == {"resolved": 5, "unresolved": 2}
    assert every["volume"]["n"] == 7 and every["volume"]["value"] == 7


def test_generic_first_response_time(every):
    frt = every["first_response_time"]
    # FRT 1, 2, 4, 8, 2 (T4 = -1 negative, T6 no response) -> sorted 1 2 2 4 8, n 5
    assert frt["n"] == 5 and frt["dropped"] == {"invalid_time": 0, "no_response": 1,
                                                "negative": 1}
    assert frt["value"] == pytest.approx(3.4)  # 17 / 5
    assert frt["median"] == pytest.approx(2.0)
    assert frt["p90"] == pytest.approx(6.4)  # rank 0.9*4 = 3.6 -> 4 + 0.6*(8-4)
    # sd = sqrt((5.76+1.96+1.96+0.36+21.16)/4) = sqrt(7.8) = 2.7928; t(0.975,4) = 2.7764
    # 3.4 -+ 2.7764 * 2.7928/sqrt(5) = 3.4 -+ 3.4677 -> [-0.07 clipped to 0, 6.87]
    assert frt["ci"] == [0.0, pytest.approx(6.87, abs=0.01)]


def test_generic_resolution_time(every):
    res = every["resolution_time"]
    # resolved with a duration: 4, 24, 10, 26 (T7 = -1 negative); T5, T6 unresolved
    assert res["n"] == 4 and res["dropped"] == {"invalid_time": 0, "unresolved": 2,
                                                "negative": 1}
    assert res["value"] == pytest.approx(16.0)  # 64 / 4
    assert res["median"] == pytest.approx(17.0)  # (10 + 24) / 2
    assert res["p90"] == pytest.approx(25.4)  # rank 0.9*3 = 2.7 -> 24 + 0.7*(26-24)
    # sd = sqrt((144+64+36+100)/3) = 10.708; 16 -+ 3.1824 * 10.708/2 = 16 -+ 17.04 -> [0, 33.04]
    assert res["ci"] == [0.0, pytest.approx(33.04, abs=0.01)]
    assert "calendar hours" in res["rule"]


def test_generic_fcr_reopen_rate_and_csat(every):
    fcr = every["fcr"]
    # resolved: T1 (1 contact, 0 reopen) yes; T2 reopened no; T3 3 contacts no; T4 yes; T7 yes
    assert fcr["counts"] == {"first_contact": 3, "not_first_contact": 2}
    assert fcr["value"] == pytest.approx(60.0)  # 3 / 5
    assert fcr["dropped"] == {"unresolved": 2, "unknown": 0}
    assert "contacts <= 1 and no reopen" in fcr["rule"]

    reopen = every["reopen_rate"]
    # resolved: T2 reopened once, T1 T3 T4 T7 not -> 1 / 5 = 20 %
    assert reopen["counts"] == {"reopened": 1, "not_reopened": 4}
    assert reopen["value"] == pytest.approx(20.0)
    assert reopen["dropped"] == {"unresolved": 2, "unknown": 0}
    # Wilson, p 0.2, n 5, z 1.96: centre (0.2 + 0.38415)/1.76829 = 0.33035,
    # half 1.96*sqrt(0.032 + 0.038415)/1.76829 = 0.29413 -> [3.6, 62.4]
    assert reopen["ci"] == [pytest.approx(3.6), pytest.approx(62.4)]

    csat = every["csat"]
    # Good T1 T3 T7, Bad T2 -> 3 / 4 = 75 %; "" T4 T6 not rated; "meh" invalid
    assert csat["counts"] == {"satisfied": 3, "not_satisfied": 1}
    assert csat["value"] == pytest.approx(75.0)
    assert csat["dropped"] == {"not_rated": 2, "invalid": 1}


def test_generic_backlog_at_as_of(every):
    backlog = every["backlog"]
    # at 01-08 12:00: T1 T2 T3 resolved before; T4 resolved at 14:00 (after) and T5 open -> 2
    # T6 T7 created after the as-of time. Ages: T4 12:00 01-07 -> 24 h, T5 09:00 -> 3 h
    assert backlog["value"] == 2
    assert backlog["dropped"] == {"created_after_as_of": 2}
    assert backlog["mean_age_hours"] == pytest.approx(13.5)  # (24 + 3) / 2
    assert backlog["median_age_hours"] == pytest.approx(13.5)
    assert backlog["max_age_hours"] == pytest.approx(24.0)
    # 3 h under 1 day; exactly 24 h goes to the 1-3 day bucket
    assert backlog["counts"] == {"under_1d": 1, "1_3d": 1, "3_7d": 0, "over_7d": 0}


def test_backlog_by_segment_with_a_segment_that_has_nothing_open(tmp_path):
    # as-of = the latest time, 01-04 10:00: chat's ticket open since 01-02 10:00 (48 h);
    # email's two are resolved by then (01-01 12:00, and 01-04 10:00: at the as-of, closed)
    path = write_csv(tmp_path / "t.csv", ("ticket_id", "created_at", "resolved_at", "status",
                                          "channel"),
                     [("1", "2025-01-01 10:00", "2025-01-01 12:00", "solved", "email"),
                      ("2", "2025-01-02 10:00", "", "open", "chat"),
                      ("3", "2025-01-03 10:00", "2025-01-04 10:00", "solved", "email")])
    backlog = run_json(path, "--kpi", "backlog", "--by", "channel")[0]  # the --kpi object
    assert (backlog["value"], backlog["max_age_hours"]) == (1, 48.0)
    chat, email = backlog["groups"]
    assert (chat["key"], chat["value"], chat["median_age_hours"]) == ({"channel": "chat"}, 1,
                                                                       48.0)
    assert chat["counts"] == {"under_1d": 0, "1_3d": 1, "3_7d": 0, "over_7d": 0}
    # nothing open: zero in every bucket, and no age at all (not 0 h)
    assert (email["value"], email["mean_age_hours"], email["max_age_hours"]) == (0, None, None)
    assert email["counts"] == {"under_1d": 0, "1_3d": 0, "3_7d": 0, "over_7d": 0}


def test_t_interval_of_three_values_and_value_flag(tmp_path):
    path = write_csv(tmp_path / "t.csv", ("created_at", "resolved_at", "status"), [
        ("2025-01-06 08:00", "2025-01-06 18:00", "solved"),  # 10 h
        ("2025-01-06 08:00", "2025-01-06 20:00", "solved"),  # 12 h
        ("2025-01-06 08:00", "2025-01-06 22:00", "solved"),  # 14 h
    ])
    r = tickets(path, "--kpi", "resolution_time")
    assert r["kpi"] == "resolution_time" and r["n"] == 3 and r["value"] == pytest.approx(12.0)
    # sd 2, t(0.975,2) = 4.3027: 12 -+ 4.3027 * 2/sqrt(3) = 12 -+ 4.9683 -> [7.03, 16.97]
    assert r["ci"] == [pytest.approx(7.03), pytest.approx(16.97)]
    out = run_cli("tickets", path, "--kpi", "resolution_time", "--value")
    assert out.returncode == 0 and out.stdout == "12.0\n"


def test_csat_on_one_to_five(tmp_path):
    path = write_csv(tmp_path / "c.csv", ("created_at", "satisfaction"), [
        ("2025-01-06", s) for s in ("5", "4", "3", "1", "7", "Offered")])
    r = tickets(path, "--kpi", "csat")
    # rated 5 4 3 1 -> satisfied (4-5) 2 of 4 = 50 %; 7 out of 1-5 invalid; Offered not rated
    assert r["value"] == pytest.approx(50.0)
    assert r["counts"] == {"satisfied": 2, "not_satisfied": 2}
    assert r["dropped"] == {"not_rated": 1, "invalid": 1}


def test_since_until_drops_tickets_outside(generic):
    r = tickets(generic, "--kpi", "volume", "--since", "2025-01-07", "--until", "2025-01-08")
    # kept T3 T4 (01-07) and T5 (01-08); T1 T2 (01-06), T6 T7 (01-09) outside
    assert r["value"] == 3
    assert r["dropped"] == {"missing_date": 0, "invalid_date": 0, "outside_dates": 4}


# ------------------------------------------------------------------------------------------------
# FCR: one rule per test (flag; contacts and reopens; repeat contact within --repeat-window)


def test_fcr_from_the_export_flag(tmp_path):
    path = write_csv(tmp_path / "f.csv", ("created_at", "status", "fcr", "contacts"), [
        ("2025-01-06", "solved", "yes", "3"),  # the flag wins over 3 contacts
        ("2025-01-06", "solved", "true", "1"),
        ("2025-01-06", "solved", "1", "1"),
        ("2025-01-06", "closed", "no", "1"),
        ("2025-01-06", "closed", "false", "1"),
        ("2025-01-06", "solved", "maybe", "1"),  # unknown
        ("2025-01-06", "open", "yes", "1"),  # unresolved
    ])
    r = tickets(path, "--kpi", "fcr")
    # yes, true, 1 -> 3 first contact; no, false -> 2 -> 3 / 5 = 60 %
    assert r["counts"] == {"first_contact": 3, "not_first_contact": 2}
    assert r["value"] == pytest.approx(60.0)
    assert r["dropped"] == {"unresolved": 1, "unknown": 1}
    assert "first-contact flag" in r["rule"]


def test_fcr_from_contacts_and_reopens(tmp_path):
    path = write_csv(tmp_path / "f.csv", ("created_at", "status", "Agent interactions", "reopens"),
                     [("2025-01-06", "solved", "1", "0"),  # yes
                      ("2025-01-06", "solved", "0", "0"),  # yes (0 <= 1)
                      ("2025-01-06", "solved", "1", "2"),  # no: reopened
                      ("2025-01-06", "closed", "2", "0"),  # no: 2 contacts
                      ("2025-01-06", "solved", "", "0"),  # unknown contacts
                      ("2025-01-06", "open", "1", "0")])  # unresolved
    r = tickets(path, "--kpi", "fcr")
    assert r["counts"] == {"first_contact": 2, "not_first_contact": 2}
    assert r["value"] == pytest.approx(50.0)  # 2 / 4
    assert r["dropped"] == {"unresolved": 1, "unknown": 1}
    assert r["rule"].endswith("rule: contacts <= 1 and no reopen")
    assert r["columns"]["contacts"] == "Agent interactions"


REPEAT_ROWS = [  # all solved but E1
    ("A1", "C1", "billing", "2025-01-01 10:00", "solved"),  # A2 4 days later: repeat
    ("A2", "C1", "billing", "2025-01-05 10:00", "solved"),  # A3 7 d 1 min later: no repeat
    ("A3", "C1", "billing", "2025-01-12 10:01", "solved"),  # no later ticket
    ("B1", "C2", "billing", "2025-01-02 09:00", "solved"),  # B2 is another category
    ("B2", "C2", "shipping", "2025-01-03 09:00", "solved"),
    ("E1", "C3", "billing", "2025-01-04 09:00", "open"),  # unresolved
]


def test_fcr_from_repeat_contacts_same_category(tmp_path):
    path = write_csv(tmp_path / "r.csv", ("ticket_id", "customer_id", "category", "created_at",
                                          "status"), REPEAT_ROWS)
    r = tickets(path, "--kpi", "fcr")
    # resolved A1 A2 A3 B1 B2: only A1 has a repeat -> 4 / 5 = 80 %
    assert r["counts"] == {"first_contact": 4, "not_first_contact": 1}
    assert r["value"] == pytest.approx(80.0)
    assert r["dropped"] == {"unresolved": 1, "unknown": 0}
    assert "no other ticket from the same customer in the same category within 7 days" in r["rule"]
    # --repeat-window 3d: A2 comes 4 days after A1 -> no repeat at all -> 5 / 5
    r = tickets(path, "--kpi", "fcr", "--repeat-window", "3d")
    assert r["value"] == pytest.approx(100.0) and "within 3 days" in r["rule"]


def test_fcr_from_repeat_contacts_without_category(tmp_path):
    rows = [(t, c, d, s) for t, c, _, d, s in REPEAT_ROWS]
    path = write_csv(tmp_path / "r.csv", ("ticket_id", "customer_id", "created_at", "status"), rows)
    r = tickets(path, "--kpi", "fcr")
    # without a category B2 (1 day after B1, same customer) is a repeat of B1: A1, B1 -> 3 / 5
    assert r["counts"] == {"first_contact": 3, "not_first_contact": 2}
    assert r["value"] == pytest.approx(60.0)
    assert "no other ticket from the same customer within 7 days after it" in r["rule"]


def test_fcr_repeat_in_file_order_and_with_blank_categories(tmp_path):
    # rows out of time order, a customer's two tickets with no category (one category: blank)
    # and a ticket without a customer: N2 (1 day after N1, same customer, both blank) repeats
    # N1; P1 and P2 are a day apart but different customers; X1 has no customer: whether it was
    # repeated is unknown (dropped), as are X2 and X3, whose ids are only spaces (blank, not
    # one customer: X3 a day after X2 is no repeat). Resolved and known N1 N2 P1 P2: only N1
    # has a repeat -> 3 / 4 = 75 %
    rows = [("N2", "C9", "", "2025-02-02 10:00", "solved"),
            ("P2", "C8", "billing", "2025-02-02 10:00", "solved"),
            ("N1", "C9", "", "2025-02-01 10:00", "solved"),
            ("X1", "", "billing", "2025-02-01 12:00", "solved"),
            ("X2", "  ", "billing", "2025-02-01 11:00", "solved"),
            ("X3", " ", "billing", "2025-02-02 09:00", "solved"),
            ("P1", "C7", "billing", "2025-02-01 10:00", "solved")]
    path = write_csv(tmp_path / "r.csv", ("ticket_id", "customer_id", "category", "created_at",
                                          "status"), rows)
    r = tickets(path, "--kpi", "fcr")
    assert r["counts"] == {"first_contact": 3, "not_first_contact": 1}
    assert r["value"] == pytest.approx(75.0)
    assert r["dropped"] == {"unresolved": 0, "unknown": 3}


# ------------------------------------------------------------------------------------------------
# SLA: on target counts as within, one minute over is breached; the export's own status column


def test_sla_targets_on_the_edge(tmp_path):
    path = write_csv(tmp_path / "s.csv",
                     ("created_at", "first_response_at", "resolved_at", "status"), [
                         ("2025-01-06 08:00", "2025-01-06 12:00", "2025-01-07 08:00", "solved"),
                         ("2025-01-06 08:00", "2025-01-06 12:01", "2025-01-07 08:01", "solved"),
                         ("2025-01-06 08:00", "2025-01-06 09:00", "2025-01-06 10:00", "solved"),
                         ("2025-01-06 08:00", "", "", "open"),
                         ("2025-01-06 08:00", "2025-01-06 07:00", "", "open"),
                     ])
    k = tickets(path, "--sla-first-response", "4h", "--sla-resolution", "1d")
    frt = k["sla_first_response"]
    # FRT 4 h (on target: within), 4 h 1 min (breached), 1 h (within); none and -1 h not measured
    assert frt["counts"] == {"within": 2, "breached": 1}
    assert frt["value"] == pytest.approx(66.7)  # 2 / 3
    assert frt["dropped"] == {"not_measured": 2}
    assert "on target counts as within" in frt["rule"]
    res = k["sla_resolution"]
    # resolution 24 h (within 1d), 24 h 1 min (breached), 2 h (within); two unresolved
    assert res["counts"] == {"within": 2, "breached": 1}
    assert res["value"] == pytest.approx(66.7)
    assert res["dropped"] == {"not_measured": 2}


def test_sla_from_the_export_status_columns(tmp_path):
    path = write_csv(tmp_path / "s.csv",
                     ("created_at", "status", "First response status", "Resolution status"), [
                         ("2025-01-06", "Resolved", "Within SLA", "Within SLA"),
                         ("2025-01-06", "Resolved", "within sla", "SLA Violated"),
                         ("2025-01-06", "Closed", "SLA Violated", "SLA Violated"),
                         ("2025-01-06", "Open", "", "SLA Violated"),
                     ])
    k = tickets(path)
    frt, res = k["sla_first_response"], k["sla_resolution"]
    # first response: 2 within, 1 violated -> 66.7 %
    assert frt["counts"] == {"within": 2, "breached": 1}
    assert frt["value"] == pytest.approx(66.7)
    assert "status column" in frt["rule"]
    # resolution: 1 within, 3 violated -> 25 %
    assert res["counts"] == {"within": 1, "breached": 3} and res["value"] == pytest.approx(25.0)
    assert res["dropped"] == {"not_measured": 0}
    # the Open ticket's blank first response status: not measured
    assert frt["dropped"] == {"not_measured": 1}


# ------------------------------------------------------------------------------------------------
# Business hours, time zones and offsets

BH_HEADER = ("case", "created_at", "resolved_at", "status")
BH_ROWS = [
    ("weekend", "2025-01-10 17:00", "2025-01-13 10:00", "solved"),  # Fri 17:00 -> Mon 10:00
    ("night", "2025-01-07 16:00", "2025-01-08 11:00", "solved"),  # Tue 16:00 -> Wed 11:00
    ("saturday", "2025-01-11 12:00", "2025-01-13 09:30", "solved"),  # Sat 12:00 -> Mon 09:30
    ("dst", "2025-03-28 17:00", "2025-03-31 10:00", "solved"),  # Paris moves to CEST on 03-30
]


def per_case(path, *args) -> dict:
    r = tickets(path, "--kpi", "resolution_time", "--by", "case", *args)
    return {g["key"]["case"]: g["value"] for g in r["groups"]}


def test_business_hours_across_weekend_night_and_dst(tmp_path):
    path = write_csv(tmp_path / "bh.csv", BH_HEADER, BH_ROWS)
    assert per_case(path, "--business-hours", BH, "--timezone", "Europe/Paris") == {
        "weekend": pytest.approx(2.0),  # Fri 17-18 (1) + Mon 09-10 (1)
        "night": pytest.approx(4.0),  # Tue 16-18 (2) + Wed 09-11 (2)
        "saturday": pytest.approx(0.5),  # nothing on the weekend + Mon 09:00-09:30
        "dst": pytest.approx(2.0),  # Fri 17-18 + Mon 09-10: the DST night changes nothing
    }
    # calendar hours: Fri 17:00 -> Mon 10:00 is 65 h of wall clock, 64 h elapsed in Paris
    # (the clocks skip 02:00-03:00 on Sunday 2025-03-30); Tue 16:00 -> Wed 11:00 = 19 h
    elapsed = per_case(path, "--timezone", "Europe/Paris")
    assert elapsed["dst"] == pytest.approx(64.0) and elapsed["night"] == pytest.approx(19.0)
    wall = per_case(path)
    assert wall["dst"] == pytest.approx(65.0) and wall["weekend"] == pytest.approx(65.0)


def test_business_hours_with_a_holiday_file(tmp_path):
    path = write_csv(tmp_path / "bh.csv", BH_HEADER, [
        ("long", "2025-01-10 17:00", "2025-01-14 10:00", "solved")])  # Fri 17:00 -> Tue 10:00
    hol = tmp_path / "holidays.csv"
    hol.write_text("# bank holidays\ndate,name\n2025-01-13,Local holiday\n", encoding="utf-8")
    # without the holiday: Fri 1 + Mon 9 + Tue 1 = 11 h; Monday 01-13 off: 1 + 0 + 1 = 2 h
    assert per_case(path, "--business-hours", BH) == {"long": pytest.approx(11.0)}
    r = tickets(path, "--kpi", "resolution_time", "--business-hours", BH, "--holidays", hol)
    assert r["value"] == pytest.approx(2.0)
    assert "Mon-Fri 09:00-18:00, 1 holiday" in r["rule"]


def test_times_with_offsets(tmp_path):
    path = write_csv(tmp_path / "o.csv", ("case", "created_at", "resolved_at", "status"), [
        # 09:00+01:00 = 08:00Z -> 10:00Z: 2 h
        ("offsets", "2025-01-06T09:00:00+01:00", "2025-01-06T10:00:00Z", "solved"),
        # 08:00Z -> 17:00Z = 09:00 -> 18:00 in Paris
        ("day", "2025-01-07T08:00:00Z", "2025-01-07T17:00:00+00:00", "solved"),
    ])
    assert per_case(path) == {"day": pytest.approx(9.0), "offsets": pytest.approx(2.0)}
    assert per_case(path, "--timezone", "Europe/Paris") == {
        "day": pytest.approx(9.0), "offsets": pytest.approx(2.0)}
    # business hours on the Paris wall clock: day 09:00-18:00 (9 h), offsets 09:00-11:00 (2 h);
    # on the UTC wall clock: day 08:00-17:00 counts 09:00-17:00 (8 h), offsets 08:00-10:00 (1 h)
    assert per_case(path, "--business-hours", BH, "--timezone", "Europe/Paris") == {
        "day": pytest.approx(9.0), "offsets": pytest.approx(2.0)}
    assert per_case(path, "--business-hours", BH) == {
        "day": pytest.approx(8.0), "offsets": pytest.approx(1.0)}


def invoke(*args) -> dict[str, dict]:
    """`cxkit ARGS -f json` in-process, through Typer's CliRunner -> KPI name -> object."""
    from typer.testing import CliRunner

    from cxkit.cli.main import app

    result = CliRunner().invoke(app, [str(a) for a in args] + ["-f", "json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return {k["kpi"]: k for k in json.loads(result.stdout)["kpis"]}


#   id  created          first response   resolved          calendar FRT, RES   business FRT, RES
#   R1  Tue 06-03 10:00  Tue 12:00        Wed 06-04 11:00   2, 25               2, 8 + 2 = 10
#   R2  Fri 06-06 17:00  Mon 06-09 10:00  Mon 06-09 15:00   65, 70              1 + 1 = 2, 1 + 6 = 7
#   R3  Sat 06-07 15:00  Sat 14:00        Sat 12:00         -1, -3              -1, -3 (was 0, 0)
#   R4  Wed 06-04 14:00  Wed 15:00        Wed 11:00         1, -3               1, -3
# R3 answers and is resolved before it was created, all on a Saturday: no working time between
# the two, which used to be 0 business hours, averaged in as an instant answer.
REVERSED = (("ticket_id", "created_at", "first_response_at", "resolved_at", "status"), [
    ("R1", "2025-06-03 10:00", "2025-06-03 12:00", "2025-06-04 11:00", "solved"),
    ("R2", "2025-06-06 17:00", "2025-06-09 10:00", "2025-06-09 15:00", "solved"),
    ("R3", "2025-06-07 15:00", "2025-06-07 14:00", "2025-06-07 12:00", "solved"),
    ("R4", "2025-06-04 14:00", "2025-06-04 15:00", "2025-06-04 11:00", "solved"),
])


def test_reversed_times_are_negative_with_or_without_business_hours(tmp_path):
    path = write_csv(tmp_path / "reversed.csv", *REVERSED)
    sla = ("--sla-first-response", "1h30", "--sla-resolution", "8h")
    calendar = invoke("tickets", path, *sla)
    business = invoke("tickets", path, *sla, "--business-hours", BH)
    for k in (calendar, business):  # R3's reply (-1 h), R3's and R4's resolutions (-3 h)
        assert k["first_response_time"]["n"] == 3
        assert k["first_response_time"]["dropped"]["negative"] == 1
        assert k["resolution_time"]["n"] == 2
        assert k["resolution_time"]["dropped"]["negative"] == 2
    # calendar: FRT (2 + 65 + 1) / 3 = 22.67; RES (25 + 70) / 2 = 47.5
    assert calendar["first_response_time"]["value"] == pytest.approx(22.67)
    assert calendar["resolution_time"]["value"] == pytest.approx(47.5)
    # business hours: FRT (2 + 2 + 1) / 3 = 1.67 (was (2 + 2 + 0 + 1) / 4 = 1.25, n 4);
    # RES (10 + 7) / 2 = 8.5 (was (10 + 7 + 0) / 3 = 5.67, n 3)
    assert business["first_response_time"]["value"] == pytest.approx(1.67)
    assert business["resolution_time"]["value"] == pytest.approx(8.5)
    # SLA over the measured durations; a negative one is not measured:
    # first response <= 1.5 h: calendar R4 (1) within, R1 (2), R2 (65) breached -> 33.3;
    # business R4 (1) within, R1 (2), R2 (2) breached -> 33.3 (R3 at 0 h used to be within: 50.0)
    # resolution <= 8 h: calendar R1 (25), R2 (70) breached -> 0.0;
    # business R2 (7) within, R1 (10) breached -> 50.0 (R3 at 0 h used to be within: 66.7)
    for k, res_within in ((calendar, 0), (business, 1)):
        frt, res = k["sla_first_response"], k["sla_resolution"]
        assert frt["counts"] == {"within": 1, "breached": 2}
        assert frt["dropped"]["not_measured"] == 1
        assert res["counts"] == {"within": res_within, "breached": 2 - res_within}
        assert res["dropped"]["not_measured"] == 2
    assert [k[s]["value"] for k in (calendar, business)
            for s in ("sla_first_response", "sla_resolution")] == [33.3, 0.0, 33.3, 50.0]


# ------------------------------------------------------------------------------------------------
# Help-desk exports: Zendesk, Freshdesk, durations without timestamps

ZENDESK_HEADER = ("Id", "Requester id", "Status", "Via", "Created at", "Solved at", "Reopens",
                  "Replies", "Satisfaction Score", "First reply time in minutes",
                  "Full resolution time in minutes", "Resolution time")


def test_zendesk_export_first_response_from_minutes(tmp_path):
    path = write_csv(tmp_path / "zendesk.csv", ZENDESK_HEADER, [
        ("1", "R1", "Solved", "Mail", "2025-01-06 09:00", "2025-01-06 15:00", "0", "1", "Good",
         "90", "360", "6"),
        ("2", "R2", "Closed", "Web form", "2025-01-06 10:00", "2025-01-07 10:00", "1", "2", "Bad",
         "30", "1440", "24"),
        ("3", "R3", "Open", "Chat", "2025-01-07 08:00", "", "0", "1", "Offered", "240", "", ""),
        ("4", "R4", "New", "Mail", "2025-01-07 12:00", "", "0", "0", "Not Offered", "", "", ""),
    ])
    k, err = run_json(path)
    assert "read as a Zendesk export (--preset zendesk)" in err
    frt = k["first_response_time"]
    # minutes 90, 30, 240 -> 1.5, 0.5, 4 h; ticket 4 has none
    assert frt["n"] == 3 and frt["dropped"] == {"no_response": 1, "negative": 0}
    assert frt["value"] == pytest.approx(2.0)  # 6 / 3
    assert frt["median"] == pytest.approx(1.5)
    assert frt["p90"] == pytest.approx(3.5)  # rank 1.8 -> 1.5 + 0.8*(4-1.5)
    res = k["resolution_time"]
    # Created at -> Solved at: 6 h and 24 h -> mean 15, p90 rank 0.9 -> 6 + 0.9*18 = 22.2
    assert res["n"] == 2 and res["value"] == pytest.approx(15.0)
    assert res["p90"] == pytest.approx(22.2)
    # Replies <= 1 and no reopen: ticket 1 yes, ticket 2 no -> 50 %; reopens 1 of 2 -> 50 %
    assert k["fcr"]["value"] == pytest.approx(50.0)
    assert k["reopen_rate"]["value"] == pytest.approx(50.0)
    # Good 1, Bad 1 -> 50 %; Offered and Not Offered are not ratings
    assert k["csat"]["value"] == pytest.approx(50.0)
    assert k["csat"]["dropped"] == {"not_rated": 2, "invalid": 0}


def test_zendesk_durations_only_resolution_time_in_hours(tmp_path):
    header = ("Id", "Requester id", "Status", "Via", "Created at", "Replies", "Reopens",
              "Resolution time")
    path = write_csv(tmp_path / "z.csv", header, [
        ("1", "R1", "Solved", "Mail", "2025-01-06 09:00", "1", "0", "5"),
        ("2", "R2", "Closed", "Mail", "2025-01-06 10:00", "1", "0", "30"),
        ("3", "R3", "Open", "Chat", "2025-01-07 08:00", "1", "0", ""),
        ("4", "R4", "Solved", "Chat", "2025-01-07 12:00", "1", "0", "10"),
    ])
    res, err = run_json(path, "--kpi", "resolution_time")
    assert "--preset zendesk" in err
    # `Resolution time` is whole hours: 5, 30, 10 -> mean 15, median 10, p90 rank 1.8 -> 26
    assert res["n"] == 3 and res["dropped"] == {"unresolved": 1, "negative": 0}
    assert res["value"] == pytest.approx(15.0)
    assert res["median"] == pytest.approx(10.0)
    assert res["p90"] == pytest.approx(26.0)  # 10 + 0.8*(30-10)


FRESHDESK_HEADER = ("Ticket ID", "Status", "Source", "Created time", "Resolved time",
                    "Initial response time", "First response time (in hrs)",
                    "Resolution time (in hrs)", "Agent interactions")


def test_freshdesk_clock_durations_and_timestamps_first(tmp_path):
    path = write_csv(tmp_path / "freshdesk.csv", FRESHDESK_HEADER, [
        # no Resolved time: the column 27:30:00 = 27.5 h is used; FRT from the timestamps 1.5 h
        ("F1", "Closed", "Email", "2025-01-06 09:00:00", "", "2025-01-06 10:30:00", "01:30:00",
         "27:30:00", "1"),
        # durations empty, timestamps filled: 10:00 -> 16:15 = 6.25 h; FRT 00:45:00 = 0.75 h
        ("F2", "Resolved", "Portal", "2025-01-06 10:00:00", "2025-01-06 16:15:00", "", "00:45:00",
         "", "1"),
        # both: the timestamps (2 h, 20 min) win over the columns (05:00:00, 03:00:00)
        ("F3", "Resolved", "Email", "2025-01-07 09:00:00", "2025-01-07 11:00:00",
         "2025-01-07 09:20:00", "03:00:00", "05:00:00", "2"),
        ("F4", "Open", "Phone", "2025-01-07 12:00:00", "", "", "", "", "0"),
    ])
    k, err = run_json(path)
    assert "read as a Freshdesk export (--preset freshdesk)" in err
    res = k["resolution_time"]
    # 27.5, 6.25, 2 -> mean 35.75/3 = 11.9167, median 6.25, p90 rank 1.8 -> 6.25 + 0.8*21.25
    assert res["n"] == 3 and res["dropped"] == {"invalid_time": 0, "unresolved": 1,
                                                "negative": 0}
    assert res["value"] == pytest.approx(11.92)
    assert res["median"] == pytest.approx(6.25)
    assert res["p90"] == pytest.approx(23.25)
    frt = k["first_response_time"]
    # 1.5, 0.75, 0.3333 -> mean 2.5833/3 = 0.8611; F4 no response
    assert frt["n"] == 3 and frt["value"] == pytest.approx(0.86)
    assert frt["dropped"] == {"invalid_time": 0, "no_response": 1, "negative": 0}
    # Agent interactions <= 1 among resolved F1 F2 F3: F1, F2 -> 2 / 3
    assert k["fcr"]["value"] == pytest.approx(66.7)
    assert k["fcr"]["rule"].endswith("rule: contacts <= 1")


# ------------------------------------------------------------------------------------------------
# Periods and segments

PERIOD_ROWS = [  # resolution hours in the last column
    ("2025-01-06 08:00", "2025-01-06 10:00", "solved", "email"),  # W02 email 2
    ("2025-01-07 08:00", "2025-01-07 12:00", "solved", "email"),  # W02 email 4
    ("2025-01-08 08:00", "2025-01-08 18:00", "solved", "chat"),  # W02 chat 10
    ("2025-01-13 08:00", "2025-01-13 14:00", "solved", "email"),  # W03 email 6
    ("2025-01-14 08:00", "2025-01-14 18:00", "solved", "email"),  # W03 email 10
    ("2025-01-19 08:00", "2025-01-19 12:00", "solved", "chat"),  # W03 chat 4 (Sunday)
]


def test_shares_by_week_and_channel_add_up_from_the_finest_groups(tmp_path):
    # FCR by flag: every aggregation a sum, so overall and per-week come from the (channel,
    # week) groups. Week 2 (01-06..): email yes, email no, chat yes; week 3: email yes,
    # chat no, chat open (unresolved: dropped)
    path = write_csv(tmp_path / "f.csv", ("ticket_id", "created_at", "resolved_at", "status",
                                          "channel", "fcr_flag"),
                     [("1", "2025-01-06 09:00", "2025-01-06 10:00", "solved", "email", "yes"),
                      ("2", "2025-01-07 09:00", "2025-01-07 12:00", "solved", "email", "no"),
                      ("3", "2025-01-08 09:00", "2025-01-08 10:00", "solved", "chat", "yes"),
                      ("4", "2025-01-13 09:00", "2025-01-13 10:00", "solved", "email", "yes"),
                      ("5", "2025-01-14 09:00", "2025-01-14 11:00", "solved", "chat", "no"),
                      ("6", "2025-01-15 09:00", "", "open", "chat", "")])
    r = tickets(path, "--kpi", "fcr", "--column", "fcr=fcr_flag", "--period", "week",
                "--by", "channel")
    # overall 3 of 5 resolved at first contact
    assert (r["value"], r["n"], r["dropped"]["unresolved"]) == (60.0, 5, 1)
    assert [(g["key"]["channel"], g["key"]["period"], g["value"], g["n"], g["change"])
            for g in r["groups"]] == [("chat", "2025-W02", 100.0, 1, None),
                                      ("chat", "2025-W03", 0.0, 1, -100.0),
                                      ("email", "2025-W02", 50.0, 2, None),
                                      ("email", "2025-W03", 100.0, 1, 50.0)]
    # per week: 2 of 3 (66.7 %), then 1 of 2
    assert [(t["period"], t["value"], t["n"]) for t in r["trend"]] == [
        ("2025-W02", 66.7, 3), ("2025-W03", 50.0, 2)]


def test_week_by_channel_with_change(tmp_path):
    path = write_csv(tmp_path / "p.csv", ("created_at", "resolved_at", "status", "channel"),
                     PERIOD_ROWS)
    r = tickets(path, "--kpi", "resolution_time", "--period", "week", "--by", "channel")
    got = {(g["key"]["channel"], g["key"]["period"]): (g["value"], g["n"], g["change"])
           for g in r["groups"]}
    assert got == {
        ("email", "2025-W02"): (pytest.approx(3.0), 2, None),  # (2+4)/2, no earlier week
        ("chat", "2025-W02"): (pytest.approx(10.0), 1, None),
        ("email", "2025-W03"): (pytest.approx(8.0), 2, pytest.approx(5.0)),  # (6+10)/2; 8 - 3
        ("chat", "2025-W03"): (pytest.approx(4.0), 1, pytest.approx(-6.0)),  # 4 - 10
    }
    # overall: W02 16/3 = 5.33, W03 20/3 = 6.67 -> change 1.33
    assert [(t["period"], t["value"], t["n"]) for t in r["trend"]] == [
        ("2025-W02", pytest.approx(5.33), 3), ("2025-W03", pytest.approx(6.67), 3)]
    assert r["change"] == pytest.approx(1.33)


# ------------------------------------------------------------------------------------------------
# Exit codes


def test_fail_over_exits_3_and_still_prints(tmp_path):
    res, err = run_json(SAMPLE, "--kpi", "resolution_time", "--fail-over", "24", code=3)
    assert res["value"] == pytest.approx(32.77)  # 32.77 > 24
    assert "resolution_time 32.77 is over --fail-over 24" in err
    k, _ = run_json(SAMPLE, "--fail-over", "resolution_time=24", code=3)
    assert len(k) == 9 and k["resolution_time"]["value"] == pytest.approx(32.77)


def test_fail_over_not_crossed_exits_0(generic):
    # resolution mean 16 h (see the generic export) is not over 24
    tickets(generic, "--fail-over", "resolution_time=24", "--fail-under", "fcr=50")


def test_usage_errors_exit_2(generic):
    r = run_cli("tickets", generic, "--value")
    assert r.returncode == 2 and "--kpi" in r.stderr, r
    r = run_cli("tickets", generic, "--sla-first-response", "abc")
    assert r.returncode == 2 and "--sla-first-response 'abc'" in r.stderr, r
    r = run_cli("tickets", generic, "--timezone", "Mars/Olympus")
    assert r.returncode == 2 and "unknown time zone" in r.stderr, r


def test_data_and_input_errors(tmp_path, generic):
    path = write_csv(tmp_path / "nodate.csv", ("id", "status"), [("1", "open")])
    r = run_cli("tickets", path)
    assert r.returncode == 65 and "--created" in r.stderr, r
    r = run_cli("tickets", generic, "--business-hours", BH, "--holidays", tmp_path / "nope.txt")
    assert r.returncode == 66 and "--holidays" in r.stderr, r


# ------------------------------------------------------------------------------------------------
# The sample export (sample_data/tickets.csv, Zendesk-shaped, generated)


def test_sample_export_known_facts():
    k, err = run_json(SAMPLE)
    assert "read as a Zendesk export" in err
    frt = k["first_response_time"]
    assert frt["n"] == 3772 and frt["dropped"]["no_response"] == 228
    assert round(frt["value"], 1) == 12.5 and frt["median"] == pytest.approx(3.01)
    res = k["resolution_time"]
    assert res["n"] == 3404 and res["dropped"]["negative"] == 12
    assert res["value"] == pytest.approx(32.77) and res["median"] == pytest.approx(16.37)
    assert res["p90"] == pytest.approx(89.87)
    assert k["reopen_rate"]["counts"] == {"reopened": 291, "not_reopened": 3416 - 291}
    assert k["reopen_rate"]["value"] == pytest.approx(8.5)  # 291 / 3416 = 8.52 %
    assert k["fcr"]["value"] == pytest.approx(62.3)
    assert k["csat"]["counts"] == {"satisfied": 1193, "not_satisfied": 301}
    assert k["csat"]["value"] == pytest.approx(79.9)  # 1193 / 1494 = 79.85 %
    assert k["volume"]["counts"] == {"resolved": 3416, "unresolved": 584}
    assert k["volume"]["value"] == 4000  # 3416 + 584


def test_column_maps_a_role_by_hand(tmp_path):
    # `Second look` is no reopen column by its name; --column reopens= says it is one.
    # resolved: T1, T2, T3; reopened (>= 1): T2 -> 100 * 1 / 3 = 33.3
    path = write_csv(tmp_path / "r.csv", ["created_at", "status", "Second look"],
                     [["2025-01-06 09:00", "solved", "0"], ["2025-01-06 10:00", "solved", "2"],
                      ["2025-01-07 09:00", "closed", "0"], ["2025-01-07 10:00", "open", "0"]])
    plain = run_cli("tickets", path, "--kpi", "reopen_rate", "--format", "json")
    assert json.loads(plain.stdout)["value"] is None  # not computed without the mapping
    run = run_cli("tickets", path, "--kpi", "reopen_rate", "--column", "reopens=Second look",
                  "--value")
    assert run.returncode == 0, run
    assert run.stdout == "33.3\n"
    bad = run_cli("tickets", path, "--column", "reopened=Second look")
    assert bad.returncode == 2 and "ROLE=COLUMN" in bad.stderr, bad


def test_spam_is_dropped_by_every_ticket_kpi(tmp_path, capsys):
    # Help Scout conversations (status spam) and Gorgias tickets (a spam flag): not tickets.
    # Help Scout: 1 closed 2 h, 2 spam, 3 active, 4 closed 4 h -> volume 3, resolution (2+4)/2
    # = 3.0, CSAT Great vs Not Good = 1/2 = 50.0; every KPI says 1 spam dropped
    from conftest import cxkit_in_process

    hs = tmp_path / "helpscout.csv"
    hs.write_text("""id,number,status,createdAt,closedAt,primaryCustomer.email,mailboxId,rating
1,101,closed,2025-01-06T09:00:00Z,2025-01-06T11:00:00Z,a@x.com,5,Great
2,102,spam,2025-01-06T09:30:00Z,,spam@x.com,5,Great
3,103,active,2025-01-07T09:00:00Z,,b@x.com,5,
4,104,closed,2025-01-07T10:00:00Z,2025-01-07T14:00:00Z,a@x.com,5,Not Good
""")
    run = cxkit_in_process(capsys, "tickets", hs, "-f", "json")
    got = {k["kpi"]: k for k in json.loads(run.stdout)["kpis"]}
    assert (got["volume"]["value"], got["volume"]["dropped"]) == (3, {"spam": 1})
    assert (got["resolution_time"]["value"], got["csat"]["value"]) == (3.0, 50.0)
    assert all(k["dropped"].get("spam") == 1 for k in got.values() if k["n"])
    # Gorgias: spam true/false; 2 of 3 tickets are real, snoozed counts as closed
    gorgias = tmp_path / "gorgias.csv"
    gorgias.write_text("""id,status,spam,created_datetime,closed_datetime,assignee_user
1,closed,false,2025-02-03T09:00:00,2025-02-03T10:00:00,ann
2,closed,true,2025-02-03T09:00:00,2025-02-03T09:01:00,ann
3,snoozed,false,2025-02-03T09:00:00,2025-02-03T12:00:00,bob
""")
    run = cxkit_in_process(capsys, "tickets", gorgias, "--kpi", "resolution_time", "-f", "json")
    r = json.loads(run.stdout)
    assert (r["value"], r["n"], r["dropped"]["spam"]) == (2.0, 2, 1)  # (1 + 3) / 2


def test_a_spam_status_late_in_a_parquet_export_is_seen(tmp_path, capsys):
    # A CSV's status is looked at in its first SPAM_SAMPLE (2,000) values for `spam`; a
    # Parquet file's whole vocabulary is read, so a spam conversation after them is seen:
    # 2,001 closed tickets then 1 spam -> volume 2,001, 1 spam dropped
    import polars as pl
    from conftest import cxkit_in_process

    from cxkit.io.tickets import SPAM_SAMPLE

    n = SPAM_SAMPLE + 1
    path = tmp_path / "tickets.parquet"
    pl.DataFrame({"id": [str(i) for i in range(n + 1)],
                  "status": ["closed"] * n + ["Spam"],
                  "created_at": ["2025-01-06 09:00:00"] * (n + 1)}).write_parquet(path)
    run = cxkit_in_process(capsys, "tickets", path, "--kpi", "volume", "-f", "json")
    got = json.loads(run.stdout)
    assert (got["value"], got["dropped"]) == (n, {"spam": 1})


@pytest.mark.parametrize("kind", ["csv", "parquet", "xlsx"])
def test_word_columns_match_the_same_in_every_file_kind(tmp_path, kind):
    # A Parquet or Excel export has the distinct values of its status, fcr and SLA status
    # columns read first (cxkit.io.vocabulary) and the rows matched on them; a CSV folds each
    # row. Same numbers:
    #   T1 " Solved " 2 h  fcr YES   sla "SLA Met"  | T2 CLOSED 4 h  no   Breached
    #   T3 closed     1 h  fcr " y " sla met        | T4 Open (unresolved) | T5 SPAM (dropped)
    # volume 4 (1 spam); resolution (2 + 4 + 1) / 3 = 2.33, median 2; FCR yes T1 T3 of the
    # 3 resolved = 66.7 (T4 unresolved); SLA within T1 T3, breached T2 = 66.7, T4 not measured
    import polars as pl

    from cxkit.io import LoadOptions
    from cxkit.io.tickets import load_tickets

    frame = pl.DataFrame({
        "id": ["T1", "T2", "T3", "T4", "T5"],
        "created_at": ["2025-01-06 09:00", "2025-01-06 10:00", "2025-01-07 09:00",
                       "2025-01-07 09:00", "2025-01-07 09:00"],
        "resolved_at": ["2025-01-06 11:00", "2025-01-06 14:00", "2025-01-07 10:00", None,
                        None],
        "status": [" Solved ", "CLOSED", "closed", "Open", "SPAM"],
        "fcr": ["YES", "no", " y ", None, None],
        "sla": ["SLA Met", "Breached", "met", None, None]})
    path = tmp_path / f"tickets.{kind}"
    getattr(frame, "write_excel" if kind == "xlsx" else f"write_{kind}")(path)
    cols = ("--column", "fcr=fcr", "--column", "first_response_status=sla")
    got = tickets(str(path), *cols)
    assert (got["volume"]["value"], got["volume"]["dropped"]["spam"]) == (4, 1)
    res = got["resolution_time"]
    assert (res["value"], res["median"], res["n"]) == (2.33, 2.0, 3)
    assert (got["fcr"]["value"], got["fcr"]["n"], got["fcr"]["dropped"]["unresolved"]) == (
        66.7, 3, 1)
    sla = got["sla_first_response"]
    assert (sla["value"], sla["counts"], sla["dropped"]["not_measured"]) == (
        66.7, {"within": 2, "breached": 1}, 1)
    loaded = load_tickets(LoadOptions(inputs=[str(path)], columns={"fcr": "fcr"}))
    assert sorted(loaded.vocabulary.get("status", [])) == (
        [] if kind == "csv" else ["CLOSED", "Open", "SPAM", "Solved", "closed"])


@pytest.mark.parametrize("colliding", [False, True])
def test_repeat_flags_in_row_order_and_when_two_keys_share_a_hash(monkeypatch, colliding):
    # The flags come from the rows ordered by a hash of (customer, category); when two keys
    # share a first hash, the second hash tells them apart and the rows are sorted by the keys
    # themselves. `colliding` gives every key the same first hash: the rows of C1/x, C1/y,
    # C2/x and the null customer then interleave in time order, and a flag read from the
    # hash order alone would compare C1/x 01-01 with C2/x 01-02 (a repeat that is not one).
    import polars as pl

    from cxkit.kpi import repeats as kpi

    if colliding:
        real = kpi.key_hashes
        monkeypatch.setattr(kpi, "key_hashes",
                            lambda keys: (pl.lit(7, pl.UInt64), real(keys)[1]))
    d = "%Y-%m-%d %H:%M"
    rows = pl.DataFrame({
        "customer_id": ["C1", "C2", "C1", "C1", None, "C2", "C1", "C1"],
        "category": ["x", "x", "y", "x", "x", None, "x", None],
        "created_at": ["2025-01-01 09:00", "2025-01-02 09:00", "2025-01-03 09:00",
                       "2025-01-09 10:00", "2025-01-01 10:00", "2025-01-02 10:00",
                       None, "2025-01-05 09:00"],
    }).with_columns(pl.col("created_at").str.to_datetime(d)).lazy()
    got = kpi.add_repeats(rows, {"customer_id", "category", "created_at"}, 7 * 24)
    # C1/x: 01-01 09:00 -> next 01-09 10:00 is 8 days 1 h later (> 7 days): False; 01-09 is
    # its last: False; the row without a time: None. C2/x and C1/y are alone: False.
    # C2/None (a blank category is a category) and C1/None alone: False. No customer: None.
    assert got.collect()["__repeat"].to_list() == [False, False, False, False, None, False,
                                                    None, False]
    # a 6-day window, and a second C2/x ticket on 01-08 09:00 (C1/x is still False)
    rows2 = pl.concat([rows, pl.LazyFrame({"customer_id": ["C2"], "category": ["x"],
                                           "created_at": [datetime(2025, 1, 8, 9)]})])
    got = kpi.add_repeats(rows2, {"customer_id", "category", "created_at"}, 6 * 24)
    # C2/x 01-02 09:00 -> 01-08 09:00 is exactly 6 days: on the window counts as a repeat
    assert got.collect()["__repeat"].to_list() == [False, True, False, False, None, False,
                                                    None, False, False]


def _repeats_by_hand(rows: list[tuple], window_hours: float) -> list[bool | None]:
    """Plain Python: each row's next ticket of its (customer, category) in (time, file row)
    order, rows without a time after the timed ones; None without a customer or a time."""
    out = []
    for i, (cust, cat, at) in enumerate(rows):
        if cust is None or at is None:
            out.append(None)
            continue
        later = [(t, j) for j, (c, k, t) in enumerate(rows)
                 if (c, k) == (cust, cat) and t is not None and (t, j) > (at, i)]
        nxt = min(later, default=None)
        out.append(nxt is not None and (nxt[0] - at).total_seconds() / 3600 <= window_hours)
    return out


@pytest.mark.parametrize("unit", ["ns", "us", "ms"])
@pytest.mark.parametrize("path", ["packed", "two_sorts", "by_keys"])
def test_repeat_flags_of_every_path_agree_with_plain_python(monkeypatch, path, unit):
    # 400 random tickets of 6 customers (one None) x 3 categories (one None), times on a
    # coarse grid so that one key often has two tickets at one time, some without a time;
    # whole seconds, whole milliseconds and microsecond times (the packed path packs them
    # in the coarsest step every time is a multiple of). Each path against plain Python.
    import random
    from datetime import timedelta

    import polars as pl

    from cxkit.kpi import repeats

    packing = repeats._packing
    if path != "packed":
        monkeypatch.setattr(repeats, "_packing", lambda rows: None)
    if path == "by_keys":  # every key shares the first hash: the rows are sorted by the keys
        real = repeats.key_hashes
        monkeypatch.setattr(repeats, "key_hashes",
                            lambda keys: (pl.lit(7, pl.UInt64), real(keys)[1]))
    rng = random.Random(14)
    start = datetime(2024, 12, 30)
    for step in (timedelta(hours=13), timedelta(milliseconds=7), timedelta(microseconds=3)):
        rows = [(rng.choice(["C1", "C2", "C3", "C4", "C5", None]),
                 rng.choice(["a", "b", None]),
                 None if rng.random() < 0.1 else start + rng.randrange(40) * step)
                for _ in range(400)]
        frame = pl.DataFrame(rows, schema={"customer_id": pl.String, "category": pl.String,
                                           "created_at": pl.Datetime(unit)}, orient="row")
        assert packing(frame) is not None  # every path's times would pack
        window = 48 if step.days or step.seconds else step.microseconds * 5 / 3.6e9
        got = repeats.repeat_flags(frame, ["customer_id", "category"], window)
        # (the times as stored: a millisecond column holds 3 us steps as whole milliseconds)
        assert got["__repeat"].to_list() == _repeats_by_hand(frame.rows(), window), (
            path, unit, step)


def test_repeat_flags_of_tickets_at_one_time_follow_the_file(monkeypatch):
    # C1's tickets: row 0 at 10:00, rows 1-3 at 09:00. Rows at one time keep their file
    # order: 1, 2, 3, then 0. Row 1 -> row 2 and row 2 -> row 3 are 0 h apart (repeats);
    # row 3 -> row 0 is 1 h (a repeat within 1 h, not within 0.5 h); row 0 has no next.
    # (Ties taken in reverse, 3, 2, 1, would make row 1 the one 1 h before row 0.)
    import polars as pl

    from cxkit.kpi import repeats

    nine, ten = datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 10)
    frame = pl.DataFrame({"customer_id": ["C1"] * 4, "created_at": [ten, nine, nine, nine]})
    assert repeats._packing(frame) is not None
    for packed in (True, False):
        if not packed:
            monkeypatch.setattr(repeats, "_packing", lambda rows: None)
        assert repeats.repeat_flags(frame, ["customer_id"], 1)["__repeat"].to_list() == [
            False, True, True, True]
        assert repeats.repeat_flags(frame, ["customer_id"], 0.5)["__repeat"].to_list() == [
            False, True, True, False]


def test_groups_only_plan_gives_the_same_groups_without_the_overall_query(tmp_path):
    # A report's breakdown shows each segment's value, never the overall one: its plan skips
    # the overall query. email: resolution 1 h and 3 h -> mean 2, median 2; chat: 2 h -> 2
    # (the open chat ticket is unresolved: dropped from resolution time, counted in volume)
    from cxkit.io import LoadOptions
    from cxkit.io.tickets import load_tickets
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.specs import collect_plans
    from cxkit.kpi.tickets import TicketOptions, plan

    path = write_csv(tmp_path / "g.csv", ("ticket_id", "created_at", "resolved_at", "status",
                                          "channel"),
                     [("1", "2025-01-06 09:00", "2025-01-06 10:00", "solved", "email"),
                      ("2", "2025-01-07 09:00", "2025-01-07 12:00", "solved", "email"),
                      ("3", "2025-01-08 09:00", "2025-01-08 11:00", "solved", "chat"),
                      ("4", "2025-01-08 10:00", "", "open", "chat")])
    loaded = load_tickets(LoadOptions([str(path)], by=["channel"]))
    scope, opts = Scope(by=["channel"]), TicketOptions()
    only = ["volume", "resolution_time"]
    full = plan(loaded.lf, scope, opts, only)
    part = plan(loaded.lf, scope, opts, only, groups_only=True)
    assert (len(full.queries), len(part.queries)) == (2, 1)
    got = {r.kpi: r for r in collect_plans([part])[0]}
    assert got["resolution_time"].value is None  # no overall computed
    by = {g.key["channel"]: (g.value, g.n, g.extra.get("median"))
          for g in got["resolution_time"].groups}
    assert by == {"email": (2.0, 2, 2.0), "chat": (2.0, 1, 2.0)}
    assert {g.key["channel"]: g.value for g in got["volume"].groups} == {"email": 2, "chat": 2}
    same = {r.kpi: r for r in collect_plans([full])[0]}
    # the same groups, extras and all; the standard deviation is kept for tests of change and
    # never shown (`Spec.hide`), in a breakdown as elsewhere
    assert [(g.key, g.value, g.n, g.extra) for g in same["resolution_time"].groups] == [
        (g.key, g.value, g.n, g.extra) for g in got["resolution_time"].groups]
    assert all("sd" not in g.extra for g in got["resolution_time"].groups)


@pytest.mark.parametrize("kind", ["csv", "parquet_int", "parquet_float"])
def test_numeric_columns_read_the_same_from_text_and_numbers(tmp_path, kind):
    # Contacts, reopens and a duration in minutes: a CSV holds them as text, a Parquet export
    # as integers or floats (cast as they are, not through text). Same numbers either way:
    #   T1 contacts 1 reopens 0 first response 90 min | T2 contacts 3 reopens 0 30 min
    #   T3 contacts 1 reopens 1 (a reopen: not FCR) 240 min | T4 open, no response
    # FCR (resolved T1 T2 T3): only T1 -> 33.3 %; reopen rate 1 of 3 resolved -> 33.3 %;
    # first response (1.5 + 0.5 + 4) / 3 = 2.0 h, median 1.5
    import polars as pl

    frame = pl.DataFrame({
        "id": ["T1", "T2", "T3", "T4"],
        "created_at": ["2025-01-06 09:00", "2025-01-06 10:00", "2025-01-07 09:00",
                       "2025-01-07 10:00"],
        "status": ["solved", "solved", "solved", "open"],
        "contacts": [1, 3, 1, None], "reopens": [0, 0, 1, None],
        "first_response_minutes": [90, 30, 240, None]})
    if kind == "parquet_float":
        frame = frame.with_columns(pl.col("contacts", "reopens", "first_response_minutes")
                                   .cast(pl.Float64))
    path = tmp_path / ("t.csv" if kind == "csv" else "t.parquet")
    frame.write_csv(path) if kind == "csv" else frame.write_parquet(path)
    got = tickets(str(path))
    assert (got["fcr"]["value"], got["fcr"]["n"]) == (33.3, 3)
    assert got["reopen_rate"]["value"] == pytest.approx(33.3)
    frt = got["first_response_time"]
    assert (frt["value"], frt["median"], frt["n"]) == (2.0, 1.5, 3)


@pytest.mark.parametrize("kind", ["csv", "parquet_text"])
def test_padded_timestamps_are_read_and_stripped_once(tmp_path, kind):
    # Times with spaces, a tab and a line break around them are read; a cell of spaces only is
    # blank (missing), a word is an invalid time:
    #   T1 created " 2025-01-06 09:00 " resolved "2025-01-06 13:00\t"  -> 4 h
    #   T2 created "\t2025-01-06 10:00" resolved " 2025-01-07 10:00\n" -> 24 h
    #   T3 created "2025-01-07 08:00"   resolved "   " (blank), status solved -> no time
    #   T4 created "   " (missing date) | T5 created "soon" (invalid date)
    #   T6, T7 created " 2025-01-08 09:00", "2025-01-08 10:00 ", open
    # by week: resolution n 2, mean (4 + 24) / 2 = 14.0, median 14.0, unresolved 3 (T3, T6,
    # T7); volume 5 (T4 missing, T5 invalid date)
    import polars as pl

    from cxkit.io import LoadOptions
    from cxkit.io.tickets import load_tickets

    frame = pl.DataFrame({
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6", "T7"],
        "created_at": [" 2025-01-06 09:00 ", "\t2025-01-06 10:00", "2025-01-07 08:00", "   ",
                       "soon", " 2025-01-08 09:00", "2025-01-08 10:00 "],
        "resolved_at": ["2025-01-06 13:00\t", " 2025-01-07 10:00\n", "   ", "", "", "", ""],
        "status": ["solved"] * 5 + ["open"] * 2})
    path = tmp_path / ("t.csv" if kind == "csv" else "t.parquet")
    frame.write_csv(path) if kind == "csv" else frame.write_parquet(path)
    got = tickets(str(path), "--period", "week")
    res = got["resolution_time"]
    assert (res["n"], res["value"], res["median"], res["dropped"]["unresolved"]) == (2, 14.0,
                                                                                     14.0, 3)
    assert (got["volume"]["n"], got["volume"]["dropped"]["missing_date"],
            got["volume"]["dropped"]["invalid_date"]) == (5, 1, 1)
    # each text timestamp is stripped in one node, read there by its parse and its blank test
    # (the streaming engine shares no subexpression: before, three strips a column)
    plan = load_tickets(LoadOptions([str(path)])).lf.explain()
    for column in ("created_at", "resolved_at"):
        assert plan.count(f'col("{column}").str.strip_chars(') == 1, plan


def test_fcr_by_repeat_tickets_parses_a_csv_once(tmp_path):
    # customer a, billing: T1 06 Jan, T2 08 Jan (2 days after T1: T1 is repeated), T4 20 Jan
    # (12 days after T2: not within 7); customer b: T3 alone. All solved -> FCR 3 / 4 = 75.0;
    # by channel: email T1 T3 T4 -> 2 / 3 = 66.7, chat T2 -> 100.0.
    # `cxkit tickets` caches the parsed CSV (`parsed_each_read`): one scan feeds the repeat
    # flags and the rest of the row (the channel), where two reads parse the file twice.
    import polars as pl

    from cxkit.io import LoadOptions
    from cxkit.io.read import parsed_each_read
    from cxkit.io.tickets import load_tickets
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.tickets import TicketOptions, compute, plan

    path = write_csv(tmp_path / "t.csv", ("ticket_id", "customer_id", "category", "created_at",
                                          "status", "channel"),
                     [("T1", "a", "billing", "2025-01-06 09:00", "solved", "email"),
                      ("T2", "a", "billing", "2025-01-08 09:00", "solved", "chat"),
                      ("T3", "b", "shipping", "2025-01-06 10:00", "solved", "email"),
                      ("T4", "a", "billing", "2025-01-20 09:00", "solved", "email")])
    got = tickets(str(path), "--kpi", "fcr", "--by", "channel")
    assert (got["value"], got["n"], got["counts"]) == (
        75.0, 4, {"first_contact": 3, "not_first_contact": 1})
    by = {g["key"]["channel"]: g["value"] for g in got["groups"]}
    assert by == {"email": 66.7, "chat": 100.0}
    loaded = load_tickets(LoadOptions([str(path)], by=["channel"]))
    assert parsed_each_read(loaded.table)
    scope, scans = Scope(by=["channel"]), {}
    for once in (True, False):
        opts = TicketOptions(parsed_each_read=once)
        scans[once] = pl.explain_all(plan(loaded.lf, scope, opts, ["fcr"]).queries
                                     ).count("Csv SCAN")
        assert compute(loaded.lf, scope, opts, ["fcr"])[0].value == 75.0
    assert scans == {True: 1, False: 2}


def test_the_overall_median_and_p90_are_selected_together():
    # With no level, the median and p90 of one float input are one quantile([0.5, 0.9])
    # (cxkit.kpi.specs._select); the values are those of median() and quantile(0.9).
    # [1, 2, 3, 4, 10]: median 3; p90 at rank (5 - 1) * 0.9 = 3.6 -> 4 + 0.6 * (10 - 4) = 7.6;
    # mean 20 / 5 = 4. A datetime input is not a float: its median and p90 stay two
    # aggregations (the days 1..5 of January: median the 3rd, p90 the 4th + 0.6 day = 14:24).
    from datetime import datetime

    import polars as pl

    from cxkit.kpi.specs import P90, _select

    lf = pl.LazyFrame({"h": [1.0, 2.0, 3.0, 4.0, 10.0],
                       "at": [datetime(2025, 1, d) for d in range(1, 6)]})
    h, at = pl.col("h"), pl.col("at")
    aggs = [h.mean().alias("mean"), h.median().alias("median"),
            h.quantile(P90, interpolation="linear").alias("p90"), at.median().alias("mid"),
            at.quantile(P90, interpolation="linear").alias("late")]
    query = _select(lf, aggs)
    plan = query.explain()
    assert plan.count("quantile([[0.5, 0.9]])") == 1 and plan.count("median()") == 1
    row = query.collect().row(0, named=True)
    assert row == {"mean": 4.0, "median": 3.0, "p90": pytest.approx(7.6),
                   "mid": datetime(2025, 1, 3), "late": datetime(2025, 1, 4, 14, 24)}
    assert list(row) == ["mean", "median", "p90", "mid", "late"]
    # a median alone is left as it is
    assert "quantile(" not in _select(lf, aggs[:2]).explain()


def test_backlog_at_period_ends_of_two_plans_in_one_collect(tmp_path):
    # The report collects the ticket cards and breakdowns together; the backlog at each
    # period's end is a pass of each plan's own, beside the collect_all. Weekly, as-of = the
    # latest time (Jan 20 09:00):
    #   T1 email created Mon Jan 6, resolved Tue Jan 14 | T2 chat created Jan 7, open
    #   T3 chat created Jan 13 09:00, resolved 12:00 | T4 email created Jan 20 09:00, open
    # week of Jan 6, at Jan 13 00:00: T1, T2 open -> 2 (email 1, chat 1)
    # week of Jan 13, at Jan 20 00:00: T1 and T3 resolved -> T2 -> 1 (email 0, chat 1)
    # week of Jan 20, at the as-of time: T2, T4 -> 2 (email 1, chat 1)
    from cxkit.io import LoadOptions
    from cxkit.io.tickets import load_tickets
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.specs import collect_plans
    from cxkit.kpi.tickets import TicketOptions, plan

    path = write_csv(tmp_path / "b.csv", ("ticket_id", "created_at", "resolved_at", "status",
                                          "channel"),
                     [("T1", "2025-01-06 09:00", "2025-01-14 10:00", "solved", "email"),
                      ("T2", "2025-01-07 09:00", "", "open", "chat"),
                      ("T3", "2025-01-13 09:00", "2025-01-13 12:00", "solved", "chat"),
                      ("T4", "2025-01-20 09:00", "", "open", "email")])
    lf = load_tickets(LoadOptions([str(path)], by=["channel"])).lf
    opts = TicketOptions()
    by = plan(lf, Scope(by=["channel"], period="week"), opts, ["backlog"])
    alone = plan(lf, Scope(period="week"), opts, ["backlog"])
    assert (len(by.beside), len(alone.beside)) == (1, 1)  # run beside the collect_all
    (b,), (a,) = collect_plans([by, alone])
    assert [(t["period"], t["value"]) for t in a.trend] == [
        ("2025-W02", 2), ("2025-W03", 1), ("2025-W04", 2)]
    assert [t["value"] for t in b.trend] == [2, 1, 2]
    assert [(g.key, g.value) for g in a.groups] == [
        ({"period": "2025-W02"}, 2), ({"period": "2025-W03"}, 1), ({"period": "2025-W04"}, 2)]
    got = {(g.key["channel"], g.key["period"]): g.value for g in b.groups}
    assert got == {("email", "2025-W02"): 1, ("email", "2025-W03"): 0,
                   ("email", "2025-W04"): 1, ("chat", "2025-W02"): 1,
                   ("chat", "2025-W03"): 1, ("chat", "2025-W04"): 1}


def test_plans_side_passes_reach_their_own_plan():
    # `Plan.beside`: passes run in threads during the one collect_all, each result handed to
    # its own plan's finish after that plan's frames (sum 1+2+3 = 6, max 3, 3 rows)
    import polars as pl

    from cxkit.kpi.specs import Plan, collect_plans

    lf = pl.LazyFrame({"v": [1, 2, 3]})
    one = Plan([lf.select(pl.col("v").sum())], lambda f: [f[0].item(), *f[1:]],
               [lambda: "a"])
    two = Plan([lf.select(pl.col("v").max()), lf.select(pl.len())],
               lambda f: [f[0].item(), f[1].item(), *f[2:]], [lambda: "b", lambda: "c"])
    plain = Plan([lf.select(pl.col("v").min())], lambda f: [f[0].item(), len(f)])
    assert collect_plans([one, plain, two]) == [[6, "a"], [1, 1], [3, 3, "b", "c"]]


def test_backlog_trend_passes_run_beside_the_collect():
    # a plan with the backlog by period has its period-end pass as a side pass; without a
    # period (or without the backlog) it has none
    from cxkit.io import LoadOptions
    from cxkit.io.tickets import load_tickets
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.tickets import TicketOptions, plan

    lf = load_tickets(LoadOptions([str(Path(__file__).parent.parent / "sample_data"
                                       / "tickets.csv")])).lf
    opts = TicketOptions()
    assert len(plan(lf, Scope(period="month"), opts, ["backlog"]).beside) == 1
    assert plan(lf, Scope(), opts, ["backlog"]).beside == []
    assert plan(lf, Scope(period="month"), opts, ["volume"]).beside == []
