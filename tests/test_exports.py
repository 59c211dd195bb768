"""Real-shaped exports of every tool of ../shared/EXPORTS.md section 1, KPIs worked out by hand.

Each fixture is a small export written byte for byte into tmp_path: the tool's real header (a
realistic subset or prefix, in the tool's order and casing), its date format and its quirks.
Beside each fixture, the arithmetic of the KPIs it feeds. Each fixture holds at least one quirk
that gives a wrong number when it is mishandled (the comment says which). cxkit runs in process
(`cxkit_in_process`) with `--format json`; the JSON rounds NPS, CSAT and shares to 1 decimal,
durations, CES, AOV and money to 2.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import cxkit_in_process

BOM = b"\xef\xbb\xbf"


# ------------------------------------------------------------------------------------------------
# helpers


def write(path, text: str, *, crlf: bool = False, bom: bool = False, encoding: str = "utf-8"):
    """`text` (lines ending in LF) to `path`, with CRLF line ends and/or a UTF-8 BOM."""
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes((BOM if bom else b"") + text.encode(encoding))
    return path


def table(header: list[str], rows: list[dict], quote_all: bool = False) -> str:
    """CSV text: the header, then each row's fields by name (absent fields are empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, unknown  # a typo in a fixture
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue()


def run_json(capsys, *args) -> dict:
    r = cxkit_in_process(capsys, *args, "--format", "json")
    assert r.returncode == 0, r
    return json.loads(r.stdout)


def kpis(capsys, *args) -> dict:
    """A command that prints several KPIs (`tickets`, `orders`): KPI name -> its object."""
    return {k["kpi"]: k for k in run_json(capsys, *args)["kpis"]}


def trend(obj: dict) -> dict:
    """period -> (value, n) of a KPI run with --period."""
    return {t["period"]: (t["value"], t["n"]) for t in obj["trend"]}


def refused(capsys, *args):
    """The command exits 65 (data of the wrong kind); stderr is returned."""
    r = cxkit_in_process(capsys, *args)
    assert r.returncode == 65, r
    assert r.stdout == "", r
    return r.stderr


# ================================================================================================
# HELP DESKS
# ================================================================================================

# ------------------------------------------------------------------------------------------------
# 1.1 Zendesk Support: Admin Center CSV export, the documented columns in order with the casing
# seen in real headers (`Id`, `Requester id`), up to the full-resolution minutes.
# Quirks: `First reply time in minutes` is minutes; `Resolution time` is whole hours (4.5 h is
# written 5); `... within business hours` columns beside the calendar ones; `Satisfaction Score`
# Good/Bad/Offered/Not Offered (Offered and Not Offered are no rating).
#
#   Id  req     status   created           solved            res h  FRT min  reop rep  sat
#   101 361001  Solved   03-03 09:00       03-03 13:30         4.5   30       0   1   Good
#   102 361002  Closed   03-03 10:00       03-04 10:00        24.0  120       1   2   Bad
#   103 361003  solved   03-04 08:00       03-04 20:00        12.0   45       0   1   Offered
#   104 361004  Pending  03-05 09:00       -                    -    90       0   1   Not Offered
#   105 361005  Open     03-05 11:00       -                    -    -        0   0   Not Offered
#   106 361001  Solved   03-06 09:00       03-08 09:00        48.0  240       0   3   Good
#   107 361006  Closed   03-06 14:00       03-06 15:00         1.0   15       0   1   Good
#   108 361007  On-hold  03-07 10:00       -                    -    60       0   1   Offered
#
# volume 8, resolved (Solved/Closed, any case) 101 102 103 106 107 = 5, unresolved 3
# FRT (minutes / 60): 0.5 2 0.75 1.5 4 0.25 1 -> n 7, sum 10 -> 10/7 = 1.43 h; 105 no reply
#     (read as hours it would be 600/7; the business-hours column holds other numbers)
# resolution (Solved at - Created at): 4.5 24 12 48 1 -> n 5, sum 89.5 -> 17.9 h, median 12
#     (the whole-hour `Resolution time` 5+24+12+48+1 = 90 would give 18.0)
# FCR (Replies <= 1 and Reopens 0, of resolved): 101 yes, 102 no, 103 yes, 106 no, 107 yes
#     -> 3/5 = 60.0
# reopen rate: 102 -> 1/5 = 20.0
# CSAT Good/(Good+Bad): Good 101 106 107, Bad 102 -> 3/4 = 75.0; 4 without a rating
# backlog at the latest time (106 solved 03-08 09:00): 104 (72 h), 105 (70 h), 108 (23 h) -> 3:
#     under_1d 1, 1_3d 1, 3_7d 1
ZENDESK_HEADER = (
    "Id,Requester,Requester id,Requester external id,Requester email,Requester domain,Submitter,"
    "Assignee,Group,Subject,Tags,Status,Priority,Via,Ticket type,Created at,Updated at,"
    "Assigned at,Organization,Due date,Initially assigned at,Solved at,Resolution time,"
    "Satisfaction Score,Group stations,Assignee stations,Reopens,Replies,"
    "First reply time in minutes,First reply time in minutes within business hours,"
    "First resolution time in minutes,First resolution time in minutes within business hours,"
    "Full resolution time in minutes,Full resolution time in minutes within business hours"
).split(",")


def _zd(id_, name, req, status, created, solved, res_h, sat, reopens, replies, frt, frt_bh,
        full, full_bh, via="Mail", prio="Normal"):
    email = name.lower().replace(" ", ".") + "@example.com"
    return {"Id": id_, "Requester": name, "Requester id": req, "Requester email": email,
            "Requester domain": "example.com", "Submitter": name, "Assignee": "Sam Agent",
            "Group": "Support", "Subject": f"Question {id_}", "Tags": "order_status",
            "Status": status, "Priority": prio, "Via": via, "Ticket type": "Question",
            "Created at": created, "Updated at": solved or created, "Assigned at": created,
            "Initially assigned at": created, "Solved at": solved, "Resolution time": res_h,
            "Satisfaction Score": sat, "Group stations": "1", "Assignee stations": "1",
            "Reopens": reopens, "Replies": replies,
            "First reply time in minutes": frt,
            "First reply time in minutes within business hours": frt_bh,
            "First resolution time in minutes": full,
            "First resolution time in minutes within business hours": full_bh,
            "Full resolution time in minutes": full,
            "Full resolution time in minutes within business hours": full_bh}


ZENDESK_ROWS = [
    _zd("101", "Ana Lima", "361001", "Solved", "2025-03-03 09:00:00", "2025-03-03 13:30:00",
        "5", "Good", "0", "1", "30", "30", "270", "270"),
    _zd("102", "Ben Okafor", "361002", "Closed", "2025-03-03 10:00:00", "2025-03-04 10:00:00",
        "24", "Bad", "1", "2", "120", "120", "1440", "540", via="Web form", prio="High"),
    _zd("103", "Chen Wei", "361003", "solved", "2025-03-04 08:00:00", "2025-03-04 20:00:00",
        "12", "Offered", "0", "1", "45", "45", "720", "540"),
    _zd("104", "Dana Ruiz", "361004", "Pending", "2025-03-05 09:00:00", "", "",
        "Not Offered", "0", "1", "90", "90", "", ""),
    _zd("105", "Eli Stone", "361005", "Open", "2025-03-05 11:00:00", "", "", "Not Offered",
        "0", "0", "", "", "", "", via="Chat"),
    _zd("106", "Ana Lima", "361001", "Solved", "2025-03-06 09:00:00", "2025-03-08 09:00:00",
        "48", "Good", "0", "3", "240", "0", "2880", "1080"),
    _zd("107", "Fay Moss", "361006", "Closed", "2025-03-06 14:00:00", "2025-03-06 15:00:00",
        "1", "Good", "0", "1", "15", "15", "60", "60", via="Chat"),
    _zd("108", "Gus Hale", "361007", "On-hold", "2025-03-07 10:00:00", "", "", "Offered",
        "0", "1", "60", "0", "", "", prio="Low"),
]


@pytest.fixture
def zendesk(tmp_path):
    return write(tmp_path / "export_2025_03_08_zendesk.csv", table(ZENDESK_HEADER, ZENDESK_ROWS))


def test_zendesk_support_csv(capsys, zendesk):
    k = kpis(capsys, "tickets", zendesk)
    assert k["volume"]["value"] == 8
    assert k["volume"]["counts"] == {"resolved": 5, "unresolved": 3}
    frt = k["first_response_time"]
    assert (frt["value"], frt["n"]) == (1.43, 7)
    assert frt["dropped"]["no_response"] == 1
    res = k["resolution_time"]
    assert (res["value"], res["n"], res["median"]) == (17.9, 5, 12.0)
    assert res["dropped"]["unresolved"] == 3
    assert (k["fcr"]["value"], k["fcr"]["n"]) == (60.0, 5)
    assert k["fcr"]["counts"] == {"first_contact": 3, "not_first_contact": 2}
    assert (k["reopen_rate"]["value"], k["reopen_rate"]["n"]) == (20.0, 5)
    assert (k["csat"]["value"], k["csat"]["n"]) == (75.0, 4)
    assert k["csat"]["counts"] == {"satisfied": 3, "not_satisfied": 1}
    assert k["csat"]["dropped"]["not_rated"] == 4
    assert k["backlog"]["value"] == 3
    assert k["backlog"]["counts"] == {"under_1d": 1, "1_3d": 1, "3_7d": 1, "over_7d": 0}
    cols = k["volume"]["columns"]
    assert cols["ticket_id"] == "Id"
    assert cols["customer_id"] == "Requester id"
    assert cols["created_at"] == "Created at"
    assert cols["resolved_at"] == "Solved at"
    assert cols["first_response_minutes"] == "First reply time in minutes"
    assert cols["resolution_minutes"] == "Full resolution time in minutes"
    assert cols["contacts"] == "Replies"
    assert cols["reopens"] == "Reopens"
    assert cols["satisfaction"] == "Satisfaction Score"


# ------------------------------------------------------------------------------------------------
# Zendesk Support CSV opened in Excel, trimmed to the columns a team lead keeps and saved again as
# "CSV UTF-8": BOM, CRLF, day-first dates without seconds (`14-03-2025 16:30`, as in the public
# sample). No `Solved at` and no minutes of full resolution: only `Resolution time`, whole HOURS.
#
#   Id  status  created            res h  sat      reop rep  FRT min
#   201 Solved  03-03-2025 09:00     5    Good      0    1    30
#   202 Closed  04-03-2025 10:00    26    Bad       0    2    90
#   203 Solved  14-03-2025 16:30     1    Good      0    1    10
#   204 Open    17-03-2025 08:00     -    Offered   0    1    60
#   205 Solved  02-04-2025 11:00    48    Good      1    1   120
#   206 Closed  08-04-2025 20:52     3    Bad       0    2    20
#
# resolved 5; resolution 5+26+1+48+3 = 83 -> 83/5 = 16.6 h (read as minutes: 0.28 h)
# FRT 30+90+10+60+120+20 = 330 min / 6 = 55 min = 0.92 h
# FCR: 201 yes, 202 no (2 replies), 203 yes, 205 no (reopened), 206 no (2 replies) -> 2/5 = 40.0
# CSAT: Good 201 203 205, Bad 202 206 -> 3/5 = 60.0 (204 Offered: no rating)
# by month (day-first; 14-03 and 17-03 fit no month-first reading):
#   2025-03: resolution 201 202 203 -> (5+26+1)/3 = 10.67, n 3
#   2025-04: resolution 205 206 -> (48+3)/2 = 25.5, n 2
ZENDESK_EXCEL = """\
Id,Requester id,Status,Priority,Via,Created at,Updated at,Resolution time,Satisfaction Score,\
Reopens,Replies,First reply time in minutes
201,361001,Solved,Normal,Mail,03-03-2025 09:00,03-03-2025 14:10,5,Good,0,1,30
202,361002,Closed,High,Web form,04-03-2025 10:00,09-03-2025 12:00,26,Bad,0,2,90
203,361003,Solved,Normal,Chat,14-03-2025 16:30,14-03-2025 17:31,1,Good,0,1,10
204,361004,Open,Low,Mail,17-03-2025 08:00,17-03-2025 09:00,,Offered,0,1,60
205,361001,Solved,Urgent,Mail,02-04-2025 11:00,04-04-2025 11:00,48,Good,1,1,120
206,361005,Closed,Normal,Web form,08-04-2025 20:52,08-04-2025 23:55,3,Bad,0,2,20
"""


@pytest.fixture
def zendesk_excel(tmp_path):
    return write(tmp_path / "zendesk_excel.csv", ZENDESK_EXCEL, crlf=True, bom=True)


def test_zendesk_excel_resaved_whole_hours(capsys, zendesk_excel):
    k = kpis(capsys, "tickets", zendesk_excel)
    assert k["volume"]["counts"] == {"resolved": 5, "unresolved": 1}
    assert (k["resolution_time"]["value"], k["resolution_time"]["n"]) == (16.6, 5)
    assert (k["first_response_time"]["value"], k["first_response_time"]["n"]) == (0.92, 6)
    assert (k["fcr"]["value"], k["fcr"]["n"]) == (40.0, 5)
    assert (k["csat"]["value"], k["csat"]["n"]) == (60.0, 5)
    cols = k["volume"]["columns"]
    assert cols["ticket_id"] == "Id"  # not the BOM-prefixed name
    assert cols["resolution_minutes"] == "Resolution time"


def test_zendesk_excel_day_first_periods(capsys, zendesk_excel):
    res = run_json(capsys, "tickets", zendesk_excel, "--kpi", "resolution_time",
                   "--period", "month")
    assert trend(res) == {"2025-03": (10.67, 3), "2025-04": (25.5, 2)}


# ------------------------------------------------------------------------------------------------
# Zendesk Explore CSV: attribute names `Ticket ID`, `Ticket status`, `Ticket created - Date`,
# `Ticket solved - Date`... chosen by the user, plus a `Tickets` metric. Quirk: the dates are days
# (`2025-03-03`), so a resolution is a whole number of days; no preset, names only.
#
#   ticket  status   created     solved      hours
#   5001    Solved   2025-03-03  2025-03-04   24
#   5002    Solved   2025-03-03  2025-03-03    0
#   5003    Open     2025-03-04  -
#   5004    Closed   2025-03-05  2025-03-08   72
#   5005    Pending  2025-03-06  -
#   5006    Solved   2025-03-07  2025-03-09   48
#
# volume 6, resolved 4; resolution (24+0+72+48)/4 = 36.0 h, median (24+48)/2 = 36.0
ZENDESK_EXPLORE = """\
Ticket ID,Ticket status,Ticket group,Assignee name,Ticket created - Date,Ticket solved - Date,\
Ticket channel,Ticket priority,Ticket type,Requester name,Ticket organization name,Tickets
5001,Solved,Support,Sam Agent,2025-03-03,2025-03-04,Email,Normal,Question,Ana Lima,Acme,1
5002,Solved,Support,Sam Agent,2025-03-03,2025-03-03,Chat,Low,Question,Ben Okafor,Globex,1
5003,Open,Billing,Kim Agent,2025-03-04,,Email,High,Problem,Chen Wei,Initech,1
5004,Closed,Billing,Kim Agent,2025-03-05,2025-03-08,Web form,Normal,Incident,Dana Ruiz,Umbrella,1
5005,Pending,Support,Sam Agent,2025-03-06,,Email,Normal,Question,Eli Stone,Acme,1
5006,Solved,Support,Kim Agent,2025-03-07,2025-03-09,Chat,Urgent,Problem,Ana Lima,Acme,1
"""


@pytest.fixture
def zendesk_explore(tmp_path):
    return write(tmp_path / "explore_tickets.csv", ZENDESK_EXPLORE)


def test_zendesk_explore(capsys, zendesk_explore):
    k = kpis(capsys, "tickets", zendesk_explore)
    assert k["volume"]["value"] == 6
    assert k["volume"]["counts"] == {"resolved": 4, "unresolved": 2}
    res = k["resolution_time"]
    assert (res["value"], res["n"], res["median"]) == (36.0, 4, 36.0)
    cols = k["volume"]["columns"]
    assert cols["ticket_id"] == "Ticket ID"
    assert cols["status"] == "Ticket status"
    assert cols["created_at"] == "Ticket created - Date"
    assert cols["resolved_at"] == "Ticket solved - Date"


# ------------------------------------------------------------------------------------------------
# 1.2 Freshdesk: Tickets -> Export with the fields a user ticked (default labels, Freshdesk's
# order); no `Resolved time` / `Initial response time` timestamps, so the durations come from
# `First response time (in hrs)` and `Resolution time (in hrs)`: HH:MM:SS strings ("in hrs" in the
# name), hours past 24. SLA status columns `Within SLA` / `SLA Violated`; classic survey labels
# Awesome / Just Okay / Not Good; custom status "Waiting on Customer".
#
#   id    status               FRT       res       agent int  res SLA       FR SLA        survey
#   3001  Resolved             00:30:00  04:00:00   1         Within SLA    Within SLA    Awesome
#   3002  Closed               02:15:00  27:30:00   3         SLA Violated  Within SLA    Just Okay
#   3003  Resolved             01:00:00  49:45:00   1         SLA Violated  SLA Violated  Not Good
#   3004  Open                 00:45:00  -          2         -             Within SLA    -
#   3005  Waiting on Customer  03:00:00  -          1         -             SLA Violated  -
#   3006  Closed               00:10:00  12:20:00   1         Within SLA    Within SLA    Awesome
#   3007  Pending              -         -          0         -             -             -
#
# resolved 3001 3002 3003 3006 = 4
# FRT 0.5 + 2.25 + 1 + 0.75 + 3 + 1/6 = 7.6667 / 6 = 1.28 h; 3007 no response
# resolution 4 + 27.5 + 49.75 + 12.3333 = 93.5833 / 4 = 23.40 h (27:30:00 is 27.5 h, not a time)
# FCR (Agent interactions <= 1, of resolved): 3001 3003 3006 -> 3/4 = 75.0
# SLA resolution (export's column): within 3001 3006, violated 3002 3003 -> 2/4 = 50.0;
#     3 not measured
# SLA first response: within 3001 3002 3004 3006, violated 3003 3005 -> 4/6 = 66.7, 1 not measured
# CSAT (3-point, Awesome is satisfied): Awesome 2, Just Okay 1, Not Good 1 -> 2/4 = 50.0
FRESHDESK = """\
Ticket ID,Subject,Status,Priority,Source,Type,Agent,Group,Created time,Due by Time,\
Last update time,Time tracked,First response time (in hrs),Resolution time (in hrs),\
Agent interactions,Customer interactions,Resolution status,First response status,Tags,\
Survey results,Full name,Email,Contact ID
3001,Order not received,Resolved,Medium,Email,Question,Ravi K,Support,2025-03-03 09:00:00,\
2025-03-04 09:00:00,2025-03-03 13:00:00,00:20,00:30:00,04:00:00,1,1,Within SLA,Within SLA,,\
Awesome,Ana Lima,ana@example.com,48000001
3002,Refund not processed,Closed,High,Portal,Incident,Ravi K,Billing,2025-03-03 11:20:00,\
2025-03-04 11:20:00,2025-03-04 14:50:00,01:05,02:15:00,27:30:00,3,3,SLA Violated,Within SLA,\
refund,Just Okay,Ben Okafor,ben@example.com,48000002
3003,Wrong size,Resolved,Low,Email,Problem,Mia T,Support,2025-03-04 08:45:00,\
2025-03-05 08:45:00,2025-03-06 10:30:00,00:40,01:00:00,49:45:00,1,2,SLA Violated,SLA Violated,\
,Not Good,Chen Wei,chen@example.com,48000003
3004,Change address,Open,Medium,Phone,Question,Mia T,Support,2025-03-05 10:00:00,\
2025-03-06 10:00:00,2025-03-05 10:45:00,00:10,00:45:00,,2,1,,Within SLA,,,Dana Ruiz,\
dana@example.com,48000004
3005,Invoice copy,Waiting on Customer,Low,Email,Question,Ravi K,Billing,2025-03-05 15:30:00,\
2025-03-06 15:30:00,2025-03-05 18:30:00,00:05,03:00:00,,1,1,,SLA Violated,,,Eli Stone,\
eli@example.com,48000005
3006,Coupon not applied,Closed,Medium,Chat,Question,Mia T,Support,2025-03-06 09:10:00,\
2025-03-07 09:10:00,2025-03-06 21:30:00,00:15,00:10:00,12:20:00,1,1,Within SLA,Within SLA,\
coupon,Awesome,Fay Moss,fay@example.com,48000006
3007,Partnership,Pending,Low,Feedback Widget,Question,,Support,2025-03-07 17:00:00,\
2025-03-08 17:00:00,2025-03-07 17:00:00,,,,0,1,,,,,Gus Hale,gus@example.com,48000007
"""


@pytest.fixture
def freshdesk(tmp_path):
    return write(tmp_path / "freshdesk_tickets.csv", FRESHDESK)


def test_freshdesk(capsys, freshdesk):
    k = kpis(capsys, "tickets", freshdesk)
    assert k["volume"]["value"] == 7
    assert k["volume"]["counts"] == {"resolved": 4, "unresolved": 3}
    frt = k["first_response_time"]
    assert (frt["value"], frt["n"], frt["dropped"]["no_response"]) == (1.28, 6, 1)
    res = k["resolution_time"]
    assert (res["value"], res["n"]) == (23.4, 4)
    assert (k["fcr"]["value"], k["fcr"]["n"]) == (75.0, 4)
    sla = k["sla_resolution"]
    assert (sla["value"], sla["n"], sla["dropped"]["not_measured"]) == (50.0, 4, 3)
    sla = k["sla_first_response"]
    assert (sla["value"], sla["n"], sla["dropped"]["not_measured"]) == (66.7, 6, 1)
    assert (k["csat"]["value"], k["csat"]["n"]) == (50.0, 4)
    assert k["csat"]["counts"] == {"satisfied": 2, "not_satisfied": 2}
    cols = k["volume"]["columns"]
    assert cols["first_response_minutes"] == "First response time (in hrs)"
    assert cols["resolution_minutes"] == "Resolution time (in hrs)"
    assert cols["contacts"] == "Agent interactions"
    assert cols["satisfaction"] == "Survey results"


# ------------------------------------------------------------------------------------------------
# 1.3 Intercom: conversations flattened from the REST API model (Unix SECONDS everywhere; `state`
# open/closed/snoozed; `conversation_rating` 1-5; statistics_* columns). Quirks: a conversation
# keeps `statistics_last_close_at` after it is reopened, so 9003 (snoozed) and 9007 (reopened,
# open) have a close time but are not resolved; only closed ones count.
#
#   id    created (UTC)   state    reply after  last close after  reopens  rating  contact
#   9001  03-03 09:00     closed    600 s        1 h               0        5       u1
#   9002  03-03 10:00     closed   1800 s       10 h               1        4       u2
#   9003  03-03 11:00     snoozed  3600 s        4 h               1        -       u3
#   9004  03-04 09:00     open       -           -                 0        -       u4
#   9005  03-04 10:00     closed   5400 s        5 h               0        2       u1
#   9006  03-05 09:00     closed    900 s        2 h               0        3       u2
#   9007  03-05 10:00     open     1800 s        1 h               1        1       u5
#
# resolved (closed) 9001 9002 9005 9006 = 4, unresolved 3
# resolution of resolved: 1 + 10 + 5 + 2 = 18 / 4 = 4.5 h (with 9003 and 9007: 23/6 = 3.83)
# FRT: 1/6 + 0.5 + 1 + 1.5 + 0.25 + 0.5 = 3.9167 / 6 = 0.65 h; 9004 no reply (as ms: ~0)
# reopen rate: 9002 -> 1/4 = 25.0
# FCR (no flag, no contacts column: no other conversation of the same contact within 7 days):
#     9001 no (u1 again in 9005, 25 h later), 9002 no (u2 again in 9006; it was reopened too),
#     9005 yes, 9006 yes -> 2/4 = 50.0
# CSAT (4-5 of 1-5): 5 4 2 3 1 -> 2/5 = 40.0
# backlog at the latest time (03-05 11:00): 9003 9004 9007 -> 3
INTERCOM = """\
id,created_at,updated_at,state,open,read,priority,waiting_since,snoozed_until,\
conversation_rating,conversation_rating_remark,statistics_first_admin_reply_at,\
statistics_first_close_at,statistics_last_close_at,statistics_count_reopens,\
statistics_count_assignments,contact_id
9001,1740992400,1740996000,closed,false,true,not_priority,,,5,Quick and kind,1740993000,\
1740996000,1740996000,0,1,u1
9002,1740996000,1741032000,closed,false,true,priority,,,4,,1740997800,1741003200,1741032000,1,\
2,u2
9003,1740999600,1741014000,snoozed,false,true,not_priority,,1741186800,,,1741003200,1741014000,\
1741014000,1,1,u3
9004,1741078800,1741078800,open,true,false,not_priority,1741078800,,,,,,,0,0,u4
9005,1741082400,1741100400,closed,false,true,not_priority,,,2,Took long,1741087800,1741100400,\
1741100400,0,1,u1
9006,1741165200,1741172400,closed,false,true,not_priority,,,3,,1741166100,1741172400,\
1741172400,0,1,u2
9007,1741168800,1741172400,open,true,true,priority,1741172400,,1,Still broken,1741170600,\
1741172400,1741172400,1,1,u5
"""


@pytest.fixture
def intercom(tmp_path):
    return write(tmp_path / "intercom_conversations.csv", INTERCOM)


def test_intercom(capsys, intercom):
    k = kpis(capsys, "tickets", intercom)
    assert k["volume"]["value"] == 7
    assert k["volume"]["counts"] == {"resolved": 4, "unresolved": 3}
    frt = k["first_response_time"]
    assert (frt["value"], frt["n"]) == (0.65, 6)
    assert (k["reopen_rate"]["value"], k["reopen_rate"]["n"]) == (25.0, 4)
    assert (k["fcr"]["value"], k["fcr"]["n"]) == (50.0, 4)
    assert (k["csat"]["value"], k["csat"]["n"]) == (40.0, 5)
    assert k["backlog"]["value"] == 3
    cols = k["volume"]["columns"]
    assert cols["created_at"] == "created_at"
    assert cols["resolved_at"] == "statistics_last_close_at"
    assert cols["first_response_at"] == "statistics_first_admin_reply_at"
    assert cols["status"] == "state"
    assert cols["satisfaction"] == "conversation_rating"


def test_intercom_resolution_time_counts_closed_conversations_only(capsys, intercom):
    res = kpis(capsys, "tickets", intercom)["resolution_time"]
    assert (res["value"], res["n"]) == (4.5, 4)


# ------------------------------------------------------------------------------------------------
# 1.4 Help Scout: conversations (API v2 fields, `primaryCustomer.email` flattened), ISO 8601 UTC
# `createdAt` / `closedAt` with a Z; status active/pending/closed; ratings Great / Okay / Not Good.
#
#   id    status   createdAt (UTC)   closedAt (UTC)    hours  rating    customer
#   7001  closed   03-03 09:00       03-03 12:00         3    Great     ana@
#   7002  closed   03-03 10:30       03-04 10:30        24    Okay      ben@
#   7003  active   03-04 08:00       -                          -       chen@
#   7004  pending  03-04 09:00       -                          -       ana@
#   7005  closed   03-05 14:00       03-05 15:30       1.5    Not Good  dana@
#   7006  closed   03-06 09:00       03-07 21:00        36    Great     eli@
#   7007  closed   03-06 23:30       03-07 00:15      0.75    -         ben@
#
# resolved (closed) 5; resolution 3 + 24 + 1.5 + 36 + 0.75 = 65.25 / 5 = 13.05 h
# FCR (repeat rule, by primaryCustomer.email): 7001 no (ana again 24 h later), 7002 no (ben again
#     3.5 days later), 7005 7006 7007 yes -> 3/5 = 60.0
# CSAT (3-point, Great is satisfied): Great 2, Okay 1, Not Good 1 -> 2/4 = 50.0 ("Not Good" is not
#     "Good"; on 1-5 "Okay" would not be 2 of 3); mean on 1-3: (3+2+1+3)/4 = 2.25
# backlog at 03-07 21:00: 7003 7004 -> 2
HELPSCOUT = """\
id,number,subject,status,mailboxId,assignee,tags,primaryCustomer.email,createdAt,closedAt,\
customerWaitingSince,rating
7001,1001,Where is my parcel,closed,51234,Lea,shipping,ana@example.com,2025-03-03T09:00:00Z,\
2025-03-03T12:00:00Z,,Great
7002,1002,Refund,closed,51234,Lea,refund,ben@example.com,2025-03-03T10:30:00Z,\
2025-03-04T10:30:00Z,,Okay
7003,1003,Login,active,51234,Tom,,chen@example.com,2025-03-04T08:00:00Z,,2025-03-04T08:00:00Z,
7004,1004,Parcel again,pending,51234,Lea,shipping,ana@example.com,2025-03-04T09:00:00Z,,\
2025-03-04T09:30:00Z,
7005,1005,Broken item,closed,51234,Tom,damage,dana@example.com,2025-03-05T14:00:00Z,\
2025-03-05T15:30:00Z,,Not Good
7006,1006,Invoice,closed,51234,Tom,billing,eli@example.com,2025-03-06T09:00:00Z,\
2025-03-07T21:00:00Z,,Great
7007,1007,Discount code,closed,51234,Lea,,ben@example.com,2025-03-06T23:30:00Z,\
2025-03-07T00:15:00Z,,
"""


@pytest.fixture
def helpscout(tmp_path):
    return write(tmp_path / "helpscout_conversations.csv", HELPSCOUT)


def test_helpscout(capsys, helpscout):
    k = kpis(capsys, "tickets", helpscout)
    assert k["volume"]["counts"] == {"resolved": 5, "unresolved": 2}
    res = k["resolution_time"]
    assert (res["value"], res["n"]) == (13.05, 5)
    assert (k["fcr"]["value"], k["fcr"]["n"]) == (60.0, 5)
    assert (k["csat"]["value"], k["csat"]["n"]) == (50.0, 4)
    assert k["csat"]["counts"] == {"satisfied": 2, "not_satisfied": 2}
    assert k["backlog"]["value"] == 2
    cols = k["volume"]["columns"]
    assert cols["created_at"] == "createdAt"
    assert cols["resolved_at"] == "closedAt"
    assert cols["customer_id"] == "primaryCustomer.email"
    assert cols["satisfaction"] == "rating"


# ------------------------------------------------------------------------------------------------
# 1.5 Gorgias: the ticket object's fields in order (customer flattened to `customer_email`), ISO
# 8601 with microseconds and an offset (`2025-03-03T09:00:00.183232+00:00`); status open / closed /
# snoozed, and snoozed COUNTS AS CLOSED; satisfaction survey score 1-5.
#
#   id    status   created (UTC)  closed (UTC)   hours  score  customer
#   8001  closed   03-03 09:00    03-03 11:00      2     5     pia@
#   8002  closed   03-03 10:00    03-04 16:00     30     4     quinn@
#   8003  snoozed  03-04 09:00    -                -     -     rosa@
#   8004  open     03-04 12:00    -                -     -     pia@
#   8005  closed   03-05 08:00    03-05 08:30    0.5     2     sol@
#   8006  closed   03-05 13:00    03-06 01:00     12     3     tara@
#   8007  closed   03-06 09:00    03-06 10:00      1     5     quinn@
#
# resolved (closed + snoozed) 6, unresolved 1 (8004)
# resolution (those with a close time): 2 + 30 + 0.5 + 12 + 1 = 45.5 / 5 = 9.1 h; 8003 and 8004
#     have no close time
# FCR (repeat rule by customer_email, of the 6 resolved): 8001 no (pia again 27 h later), 8002 no
#     (quinn again 71 h later), 8003 8005 8006 8007 yes -> 4/6 = 66.7 (snoozed not closed: 3/5 = 60)
# CSAT (4-5 of 1-5): 5 4 2 3 5 -> 3/5 = 60.0; mean 19/5 = 3.8
# backlog at the latest time (03-06 10:00): 8004 -> 1
GORGIAS_HEADER = (
    "id,channel,via,status,created_datetime,opened_datetime,closed_datetime,"
    "last_message_datetime,last_received_message_datetime,snooze_datetime,assignee_user,"
    "assignee_team,customer_email,tags,satisfaction_survey_score,spam,language,subject"
).split(",")


def _gg(id_, channel, status, created, closed, score, customer, snooze=""):
    def stamp(hm):
        return f"{hm}:00.183232+00:00" if hm else ""

    return {"id": id_, "channel": channel, "via": "helpdesk" if channel == "email" else channel,
            "status": status, "created_datetime": stamp(created),
            "opened_datetime": stamp(created), "closed_datetime": stamp(closed),
            "last_message_datetime": stamp(closed or created),
            "last_received_message_datetime": stamp(created), "snooze_datetime": stamp(snooze),
            "assignee_user": "lou@shop.example", "assignee_team": "Tier 1",
            "customer_email": customer, "tags": "order-status", "satisfaction_survey_score": score,
            "spam": "false", "language": "en", "subject": f"Ticket {id_}"}


GORGIAS_ROWS = [
    _gg("8001", "email", "closed", "2025-03-03T09:00", "2025-03-03T11:00", "5", "pia@example.com"),
    _gg("8002", "chat", "closed", "2025-03-03T10:00", "2025-03-04T16:00", "4",
        "quinn@example.com"),
    _gg("8003", "email", "snoozed", "2025-03-04T09:00", "", "", "rosa@example.com",
        snooze="2025-03-07T09:00"),
    _gg("8004", "email", "open", "2025-03-04T12:00", "", "", "pia@example.com"),
    _gg("8005", "facebook", "closed", "2025-03-05T08:00", "2025-03-05T08:30", "2",
        "sol@example.com"),
    _gg("8006", "email", "closed", "2025-03-05T13:00", "2025-03-06T01:00", "3",
        "tara@example.com"),
    _gg("8007", "chat", "closed", "2025-03-06T09:00", "2025-03-06T10:00", "5",
        "quinn@example.com"),
]


@pytest.fixture
def gorgias(tmp_path):
    return write(tmp_path / "gorgias_tickets.csv", table(GORGIAS_HEADER, GORGIAS_ROWS))


def test_gorgias(capsys, gorgias):
    k = kpis(capsys, "tickets", gorgias)
    assert k["volume"]["counts"] == {"resolved": 6, "unresolved": 1}
    res = k["resolution_time"]
    assert (res["value"], res["n"]) == (9.1, 5)
    assert (k["fcr"]["value"], k["fcr"]["n"]) == (66.7, 6)
    assert (k["csat"]["value"], k["csat"]["n"]) == (60.0, 5)
    assert k["backlog"]["value"] == 1
    cols = k["volume"]["columns"]
    assert cols["created_at"] == "created_datetime"
    assert cols["resolved_at"] == "closed_datetime"
    assert cols["satisfaction"] == "satisfaction_survey_score"


# ------------------------------------------------------------------------------------------------
# Salesforce Service Cloud case report, "Export details" CSV: every field quoted, US times with
# AM/PM and no leading zeros (`3/14/2025 2:05 PM`); statuses New/Working/Escalated/Closed; the
# customer is `Contact Name` (no id in the report). Quirks: 12 PM is noon, 12 AM midnight.
#
#   case      status     reason          contact    opened               closed               hours
#   00001001  Closed     Account Access  Ana Lima   3/3/2025 9:05 AM     3/3/2025 2:05 PM      5
#   00001002  Closed     Billing         Ben Okafor 3/3/2025 11:30 AM    3/3/2025 12:15 PM     0.75
#   00001003  Working    Technical       Ana Lima   3/4/2025 10:00 AM    -
#   00001004  Closed     Billing         Chen Wei   3/4/2025 11:50 PM    3/5/2025 12:20 AM     0.5
#   00001005  Closed     Account Access  Ana Lima   3/6/2025 8:00 AM     3/7/2025 8:00 PM     36
#   00001006  Escalated  Shipping        Dana Ruiz  3/13/2025 4:45 PM    -
#   00001007  Closed     Shipping        Ben Okafor 3/14/2025 12:10 PM   3/14/2025 1:40 PM     1.5
#
# resolved 5; resolution 5 + 0.75 + 0.5 + 36 + 1.5 = 43.75 / 5 = 8.75 h, median 1.5
#     (12:15 PM read as 00:15 makes 1002 negative; 12:20 AM read as 12:20 makes 1004 12.5 h)
# FCR (repeat rule by Contact Name, 7 days): 1001 no (Ana again 3/4, and in the same reason 3/6),
#     1002 yes (Ben's next case is 11 days later), 1004 yes, 1005 yes, 1007 yes -> 4/5 = 80.0
# backlog at the latest time (3/14 1:40 PM): 1003 (over 7 days old), 1006 (21 h) -> 2
SALESFORCE = """\
"Case Number","Subject","Status","Priority","Case Origin","Case Reason","Contact Name",\
"Account Name","Date/Time Opened","Date/Time Closed"
"00001001","Cannot log in","Closed","High","Email","Account Access","Ana Lima","Acme",\
"3/3/2025 9:05 AM","3/3/2025 2:05 PM"
"00001002","Refund request","Closed","Medium","Phone","Billing","Ben Okafor","Globex",\
"3/3/2025 11:30 AM","3/3/2025 12:15 PM"
"00001003","Export fails","Working","Medium","Web","Technical","Ana Lima","Acme",\
"3/4/2025 10:00 AM",""
"00001004","Invoice copy","Closed","Low","Email","Billing","Chen Wei","Initech",\
"3/4/2025 11:50 PM","3/5/2025 12:20 AM"
"00001005","Password reset","Closed","Low","Web","Account Access","Ana Lima","Acme",\
"3/6/2025 8:00 AM","3/7/2025 8:00 PM"
"00001006","Shipment delayed","Escalated","High","Phone","Shipping","Dana Ruiz","Umbrella",\
"3/13/2025 4:45 PM",""
"00001007","Wrong item","Closed","Medium","Email","Shipping","Ben Okafor","Globex",\
"3/14/2025 12:10 PM","3/14/2025 1:40 PM"
"""


@pytest.fixture
def salesforce(tmp_path):
    return write(tmp_path / "salesforce_cases.csv", SALESFORCE, crlf=True)


def test_salesforce_case_report(capsys, salesforce):
    k = kpis(capsys, "tickets", salesforce)
    assert k["volume"]["counts"] == {"resolved": 5, "unresolved": 2}
    res = k["resolution_time"]
    assert (res["value"], res["n"], res["median"]) == (8.75, 5, 1.5)
    assert res["dropped"]["negative"] == 0
    assert (k["fcr"]["value"], k["fcr"]["n"]) == (80.0, 5)
    assert k["backlog"]["value"] == 2
    assert k["backlog"]["counts"]["over_7d"] == 1
    cols = k["volume"]["columns"]
    assert cols["ticket_id"] == "Case Number"
    assert cols["created_at"] == "Date/Time Opened"
    assert cols["resolved_at"] == "Date/Time Closed"
    assert cols["customer_id"] == "Contact Name"
    assert cols["category"] == "Case Reason"


# ------------------------------------------------------------------------------------------------
# Zendesk Support CSV from a newer CSAT setup: `Satisfaction Score` holds 1-5 beside `Offered`
# (the one public sample of EXPORTS.md 1.1). The tickets of the first Zendesk fixture, ratings:
#   101 5, 102 2, 103 Offered, 104 4, 105 Not Offered, 106 5, 107 1, 108 3
# CSAT (4-5 of 1-5): rated 5 2 4 5 1 3 -> 3/6 = 50.0; Offered and Not Offered are no rating (2)
ZENDESK_NUMERIC_SCORES = ["5", "2", "Offered", "4", "Not Offered", "5", "1", "3"]


@pytest.fixture
def zendesk_numeric_csat(tmp_path):
    rows = [dict(r, **{"Satisfaction Score": s})
            for r, s in zip(ZENDESK_ROWS, ZENDESK_NUMERIC_SCORES, strict=True)]
    return write(tmp_path / "export_zendesk_csat_1_5.csv", table(ZENDESK_HEADER, rows))


def test_zendesk_numeric_satisfaction(capsys, zendesk_numeric_csat):
    csat = kpis(capsys, "tickets", zendesk_numeric_csat)["csat"]
    assert (csat["value"], csat["n"], csat["dropped"]["not_rated"]) == (50.0, 6, 2)
    assert csat["counts"] == {"satisfied": 3, "not_satisfied": 3}


# ------------------------------------------------------------------------------------------------
# `cxkit csat` on a help-desk export reads the satisfaction column `cxkit tickets` uses, with the
# same rule (numbers from the fixtures above).

CSAT_OF_TICKETS = [
    # fixture, column, CSAT, n, satisfied
    ("zendesk", "Satisfaction Score", 75.0, 4, 3),
    ("zendesk_excel", "Satisfaction Score", 60.0, 5, 3),
    ("zendesk_numeric_csat", "Satisfaction Score", 50.0, 6, 3),
    ("freshdesk", "Survey results", 50.0, 4, 2),
    ("intercom", "conversation_rating", 40.0, 5, 2),
    ("helpscout", "rating", 50.0, 4, 2),
    ("gorgias", "satisfaction_survey_score", 60.0, 5, 3),
]


@pytest.mark.parametrize(("fixture", "column", "value", "n", "satisfied"), CSAT_OF_TICKETS)
def test_csat_command_on_help_desk_exports(capsys, request, fixture, column, value, n, satisfied):
    path = request.getfixturevalue(fixture)
    csat = run_json(capsys, "csat", path)
    assert csat["columns"]["csat_score"] == column
    assert (csat["value"], csat["n"], csat["counts"]["satisfied"]) == (value, n, satisfied)
    ticket = kpis(capsys, "tickets", path)["csat"]
    assert ticket["columns"]["satisfaction"] == column
    assert (ticket["value"], ticket["n"]) == (csat["value"], csat["n"])


def test_csat_command_helpscout_reads_three_point_scale(capsys, helpscout):
    csat = run_json(capsys, "csat", helpscout)
    assert csat["mean_score"] == 2.25  # Great 3, Okay 2, Not Good 1


def test_csat_command_zendesk_offered_is_missing(capsys, zendesk):
    csat = run_json(capsys, "csat", zendesk)
    assert csat["dropped"]["missing"] == 4  # 2 Offered, 2 Not Offered
    assert csat["dropped"]["invalid"] == 0


# ------------------------------------------------------------------------------------------------
# Wrong kind, help desks: survey and order commands refuse a ticket export (exit 65), naming the
# kind and `cxkit tickets FILE`.

TICKET_FIXTURES = ["zendesk", "zendesk_excel", "zendesk_explore", "freshdesk", "intercom",
                   "helpscout", "gorgias", "salesforce"]


@pytest.mark.parametrize("fixture", TICKET_FIXTURES)
def test_ticket_exports_refused_by_nps(capsys, request, fixture):
    path = request.getfixturevalue(fixture)
    err = refused(capsys, "nps", path)
    assert "help-desk ticket export" in err
    assert f"cxkit tickets {path}" in err


@pytest.mark.parametrize("fixture", TICKET_FIXTURES)
@pytest.mark.parametrize("command", ["orders", "retention"])
def test_ticket_exports_refused_by_order_commands(capsys, request, fixture, command):
    path = request.getfixturevalue(fixture)
    err = refused(capsys, command, path)
    assert "help-desk ticket export" in err
    assert f"cxkit tickets {path}" in err


# ================================================================================================
# SHOPS
# ================================================================================================

# ------------------------------------------------------------------------------------------------
# 1.6 Shopify Orders -> Export, the full current header. One row per LINE ITEM: the order fields
# (Financial Status, Total, Refunded Amount, Cancelled at...) on the first row of the order only;
# later rows hold Name (sometimes Email) and the Lineitem fields. Dates `YYYY-MM-DD HH:MM:SS -0500`
# (New York: -0500 before 9 March 2025, -0400 after); the shop's wall clock is the day.
#
#   order  rows  financial           cancelled at  Total   Refunded  created (shop time)   email
#   #1001   2    paid                -              91.40    0.00    2025-03-03 09:14 -0500  ana
#   #1002   1    refunded            -              45.00   45.00    2025-03-05 14:00 -0500  ben
#   #1003   3    partially_refunded  -             120.00   20.00    2025-03-10 11:30 -0400  chen
#   #1004   1    voided              03-11 10:00    60.00    0.00    2025-03-11 09:00 -0400  dana
#   #1005   2    pending             -              35.50    0.00    2025-03-12 16:20 -0400  ana
#   #1006   1    refunded            03-20 09:00    70.00   70.00    2025-03-19 18:45 -0400  eli
#   #1007   2    paid                -              64.10    0.00    2025-03-31 23:30 -0400  fay
#   #1008   1    authorized          -              25.00    0.00    2025-04-01 08:00 -0400  ben
#   #1009   1    paid                -              15.00    0.00    2025-04-02 10:00 -0400  ana
#
# 14 rows, 9 orders. Completed: #1001 #1002 #1003 #1007 #1009 = 5
#     dropped: cancelled 2 (#1004 voided, #1006 Cancelled at), pending 2 (#1005, #1008 authorized)
# revenue 91.40 + 45.00 + 120.00 + 64.10 + 15.00 = 335.50; AOV 335.50 / 5 = 67.10
# return rate: #1002, #1003 refunded -> 2/5 = 40.0; by value (45 + 20) / 335.50 = 19.37 %
# customers with a completed order: ana (#1001, #1009), ben, chen, fay = 4; repeat 1/4 = 25.0
# by month (wall clock; #1007 is 1 April 03:30 in UTC): 2025-03 #1001 #1002 #1003 #1007 -> 4 orders,
#     320.50; 2025-04 #1009 -> 1 order, 15.00
SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,"
    "Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
    "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,"
    "Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,"
    "Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
).split(",")


def _shopify_order(name, email, financial, total, refunded, created, items, cancelled="",
                   subtotal=None, shipping="5.00", taxes="0.00"):
    """The order's rows: the first with every order field, the others line items only."""
    first_qty, first_item, first_price = items[0]
    paid = financial in ("paid", "refunded", "partially_refunded")
    who = email.split("@")[0].title() + " Example"
    rows = [{
        "Name": name, "Email": email, "Financial Status": financial,
        "Paid at": created if paid else "", "Fulfillment Status": "fulfilled" if paid else
        "unfulfilled", "Fulfilled at": created if paid else "", "Accepts Marketing": "no",
        "Currency": "USD", "Subtotal": subtotal or f"{float(total) - float(shipping):.2f}",
        "Shipping": shipping, "Taxes": taxes, "Total": total, "Discount Amount": "0.00",
        "Shipping Method": "Standard", "Created at": created, "Lineitem quantity": first_qty,
        "Lineitem name": first_item, "Lineitem price": first_price,
        "Lineitem requires shipping": "true", "Lineitem taxable": "true",
        "Lineitem fulfillment status": "fulfilled" if paid else "pending",
        "Billing Name": who, "Billing City": "New York", "Billing Zip": "10001",
        "Billing Province": "NY", "Billing Country": "US", "Shipping Name": who,
        "Shipping City": "New York", "Shipping Zip": "10001", "Shipping Province": "NY",
        "Shipping Country": "US", "Cancelled at": cancelled, "Payment Method": "Shopify Payments",
        "Refunded Amount": refunded, "Vendor": "Acme Mugs", "Outstanding Balance": "0.00",
        "Id": "55500" + name[1:], "Risk Level": "Low", "Source": "web",
        "Lineitem discount": "0.00", "Billing Province Name": "New York",
        "Shipping Province Name": "New York",
    }]
    for i, (qty, item, price) in enumerate(items[1:]):
        row = {"Name": name, "Lineitem quantity": qty, "Lineitem name": item,
               "Lineitem price": price, "Lineitem requires shipping": "true",
               "Lineitem taxable": "true", "Lineitem fulfillment status": "fulfilled",
               "Vendor": "Acme Mugs", "Lineitem discount": "0.00"}
        if i == 0:
            row["Email"] = email  # some exports repeat the email on line-item rows
        rows.append(row)
    return rows


SHOPIFY_ROWS = [
    *_shopify_order("#1001", "ana@example.com", "paid", "91.40", "0.00",
                    "2025-03-03 09:14:02 -0500", [("1", "Mug", "30.00"), ("2", "Coaster", "25.00")],
                    subtotal="80.00", taxes="6.40"),
    *_shopify_order("#1002", "ben@example.com", "refunded", "45.00", "45.00",
                    "2025-03-05 14:00:00 -0500", [("1", "Tote", "40.00")]),
    *_shopify_order("#1003", "chen@example.com", "partially_refunded", "120.00", "20.00",
                    "2025-03-10 11:30:00 -0400",
                    [("2", "Plate", "30.00"), ("1", "Bowl", "20.00"), ("1", "Cup", "30.00")],
                    shipping="10.00"),
    *_shopify_order("#1004", "dana@example.com", "voided", "60.00", "0.00",
                    "2025-03-11 09:00:00 -0400", [("1", "Teapot", "55.00")],
                    cancelled="2025-03-11 10:00:00 -0400"),
    *_shopify_order("#1005", "ana@example.com", "pending", "35.50", "0.00",
                    "2025-03-12 16:20:00 -0400",
                    [("1", "Mug", "15.25"), ("1", "Spoon", "15.25")]),
    *_shopify_order("#1006", "eli@example.com", "refunded", "70.00", "70.00",
                    "2025-03-19 18:45:00 -0400", [("1", "Kettle", "65.00")],
                    cancelled="2025-03-20 09:00:00 -0400"),
    *_shopify_order("#1007", "fay@example.com", "paid", "64.10", "0.00",
                    "2025-03-31 23:30:00 -0400",
                    [("1", "Jug", "39.10"), ("1", "Coaster", "20.00")]),
    *_shopify_order("#1008", "ben@example.com", "authorized", "25.00", "0.00",
                    "2025-04-01 08:00:00 -0400", [("1", "Candle", "20.00")]),
    *_shopify_order("#1009", "ana@example.com", "paid", "15.00", "0.00",
                    "2025-04-02 10:00:00 -0400", [("1", "Napkins", "10.00")]),
]


@pytest.fixture
def shopify(tmp_path):
    assert len(SHOPIFY_ROWS) == 14
    return write(tmp_path / "orders_export_1.csv", table(SHOPIFY_HEADER, SHOPIFY_ROWS))


def test_shopify_orders(capsys, shopify):
    k = kpis(capsys, "orders", shopify)
    orders = k["orders"]
    assert orders["value"] == 5
    assert orders["dropped"] == {"cancelled": 2, "abandoned": 0, "pending": 2, "failed": 0}
    assert k["revenue"]["value"] == 335.5
    assert k["revenue"]["refunded"] == 65.0
    assert (k["aov"]["value"], k["aov"]["n"]) == (67.1, 5)
    ret = k["return_rate"]
    assert (ret["value"], ret["n"], ret["value_rate"]) == (40.0, 5, 19.37)
    assert ret["counts"] == {"returned": 2, "kept": 3}
    assert k["customers"]["value"] == 4
    assert k["repeat_purchase_rate"]["value"] == 25.0
    cols = orders["columns"]
    assert cols["order_id"] == "Name"
    assert cols["amount"] == "Total"
    assert cols["order_status"] == "Financial Status"
    assert cols["cancelled_at"] == "Cancelled at"
    assert cols["refunded_amount"] == "Refunded Amount"


def test_shopify_months_on_the_shop_wall_clock(capsys, shopify):
    k = kpis(capsys, "orders", shopify, "--period", "month")
    assert trend(k["orders"]) == {"2025-03": (4, 4), "2025-04": (1, 1)}
    assert trend(k["revenue"])["2025-03"][0] == 320.5
    assert trend(k["revenue"])["2025-04"][0] == 15.0


# ------------------------------------------------------------------------------------------------
# 1.7 WooCommerce, legacy one-row-per-order layout (Customer/Order CSV Export): statuses with the
# database's `wc-` prefix, a custom status `printed`, dates `M/D/YYYY H:MM` (hour without a zero).
#
#   order  status          total   date              customer_user
#   2001   wc-completed    59.90   3/3/2025 9:05     11
#   2002   wc-processing  120.00   3/5/2025 14:30    12
#   2003   wc-refunded     35.00   3/14/2025 0:37    13
#   2004   wc-cancelled    80.00   3/15/2025 10:00   11
#   2005   wc-on-hold      42.00   3/20/2025 16:45   14
#   2006   wc-failed       19.99   3/28/2025 8:00    15
#   2007   printed         64.10   3/31/2025 23:50   12
#   2008   wc-completed    25.00   4/1/2025 0:05     11
#   2009   wc-pending      30.00   4/2/2025 11:11    16
#
# completed (completed, processing, refunded, unknown `printed`): 2001 2002 2003 2007 2008 = 5
#     dropped: cancelled 1, pending 2 (on-hold, pending), failed 1
#     (without the `wc-` prefix folded, wc-cancelled/wc-failed/... would count as completed)
# revenue 59.90 + 120.00 + 35.00 + 64.10 + 25.00 = 304.00; AOV 60.80
# return rate: 2003 refunded -> 1/5 = 20.0
# by month: 2025-03 2001 2002 2003 2007 -> 4 orders, 279.00; 2025-04 2008 -> 1 order, 25.00
WOO_LEGACY_HEADER = (
    "order_id,order_number_formatted,order_number,date,status,order_shipping,order_shipping_tax,"
    "order_fees,order_fee_tax,order_tax,cart_discount,order_discount,order_total,payment_method,"
    "shipping_method,customer_user,billing_first_name,billing_last_name,billing_email,"
    "billing_phone,billing_address_1,billing_address_2,billing_postcode,billing_city,"
    "billing_state,billing_country,billing_company,shipping_first_name,shipping_last_name,"
    "shipping_address_1,shipping_address_2,shipping_postcode,shipping_city,shipping_state,"
    "shipping_country,shipping_company,customer_note,order_item_1,order_item_2,"
    "download_permissions_granted,order_notes,shipping_method_1,shipping_cost_1"
).split(",")


def _woo(order, status, total, date, user, first, item):
    return {"order_id": order, "order_number_formatted": order, "order_number": order,
            "date": date, "status": status, "order_shipping": "5.00", "order_shipping_tax": "0.00",
            "order_fees": "0.00", "order_fee_tax": "0.00", "order_tax": "4.50",
            "cart_discount": "0.00", "order_discount": "0.00", "order_total": total,
            "payment_method": "stripe", "shipping_method": "flat_rate", "customer_user": user,
            "billing_first_name": first, "billing_last_name": "Example",
            "billing_email": f"{first.lower()}@example.com", "billing_country": "US",
            "shipping_first_name": first, "shipping_last_name": "Example",
            "shipping_country": "US", "order_item_1": item,
            "download_permissions_granted": "0", "shipping_method_1": "flat_rate",
            "shipping_cost_1": "5.00"}


WOO_LEGACY_ROWS = [
    _woo("2001", "wc-completed", "59.90", "3/3/2025 9:05", "11", "Ana",
         "product_id:4959|1|54.90|size: Medium"),
    _woo("2002", "wc-processing", "120.00", "3/5/2025 14:30", "12", "Ben",
         "product_id:4960|2|57.50|size: Large"),
    _woo("2003", "wc-refunded", "35.00", "3/14/2025 0:37", "13", "Chen", "product_id:4961|1|30"),
    _woo("2004", "wc-cancelled", "80.00", "3/15/2025 10:00", "11", "Ana", "product_id:4962|1|75"),
    _woo("2005", "wc-on-hold", "42.00", "3/20/2025 16:45", "14", "Dana", "product_id:4963|1|37"),
    _woo("2006", "wc-failed", "19.99", "3/28/2025 8:00", "15", "Eli", "product_id:4964|1|14.99"),
    _woo("2007", "printed", "64.10", "3/31/2025 23:50", "12", "Ben", "product_id:4965|1|59.10"),
    _woo("2008", "wc-completed", "25.00", "4/1/2025 0:05", "11", "Ana", "product_id:4966|1|20"),
    _woo("2009", "wc-pending", "30.00", "4/2/2025 11:11", "16", "Fay", "product_id:4967|1|25"),
]


@pytest.fixture
def woo_legacy(tmp_path):
    return write(tmp_path / "woo_orders_legacy.csv", table(WOO_LEGACY_HEADER, WOO_LEGACY_ROWS),
                 crlf=True)


def test_woocommerce_legacy(capsys, woo_legacy):
    k = kpis(capsys, "orders", woo_legacy)
    assert k["orders"]["value"] == 5
    assert k["orders"]["dropped"] == {"cancelled": 1, "abandoned": 0, "pending": 2, "failed": 1}
    assert k["revenue"]["value"] == 304.0
    assert k["aov"]["value"] == 60.8
    assert (k["return_rate"]["value"], k["return_rate"]["n"]) == (20.0, 5)
    cols = k["orders"]["columns"]
    assert cols["order_id"] == "order_id"
    assert cols["ordered_at"] == "date"
    assert cols["amount"] == "order_total"
    assert cols["order_status"] == "status"


def test_woocommerce_legacy_month_first_dates(capsys, woo_legacy):
    k = kpis(capsys, "orders", woo_legacy, "--period", "month")
    assert trend(k["orders"]) == {"2025-03": (4, 4), "2025-04": (1, 1)}
    assert trend(k["revenue"])["2025-03"][0] == 279.0


# ------------------------------------------------------------------------------------------------
# WooCommerce, WebToffee "Import Export Suite" layout: `order_date` `M/D/YYYY H:MM:SS`, plain
# statuses, `order_total` beside `order_subtotal` (before shipping and tax) and `paid_date`.
#
#   order  order_date          status      order_total  order_subtotal
#   4101   9/6/2025 6:29:00    completed     54.00        45.00
#   4102   9/16/2025 18:05:00  processing    99.50        85.00
#   4103   9/20/2025 9:00:00   refunded      30.00        25.00
#   4104   9/28/2025 22:40:00  cancelled     70.00        60.00
#   4105   10/1/2025 7:15:00   completed     40.00        32.00
#   4106   10/3/2025 12:00:00  pending       25.00        20.00
#   4107   10/12/2025 15:45:00 completed    120.00       100.00
#
# completed 4101 4102 4103 4105 4107 = 5; dropped cancelled 1, pending 1
# revenue 54 + 99.50 + 30 + 40 + 120 = 343.50 (subtotals would give 287.00); AOV 68.70
# return rate 4103 -> 1/5 = 20.0
# by month (9/6 is 6 September: 9/16, 9/20, 9/28, 10/12 fit no day-first reading):
#     2025-09 4101 4102 4103 -> 3 orders, 183.50; 2025-10 4105 4107 -> 2 orders, 160.00
WOO_WEBTOFFEE = """\
order_id,order_number,order_date,paid_date,status,shipping_total,shipping_tax_total,fee_total,\
fee_tax_total,tax_total,cart_discount,order_discount,discount_total,order_total,order_subtotal,\
order_currency,payment_method,payment_method_title,transaction_id,customer_ip_address,\
customer_user_agent,shipping_method,customer_id,customer_user,customer_email,billing_first_name,\
billing_last_name
4101,4101,9/6/2025 6:29:00,9/6/2025 6:30:12,completed,5.00,0.00,0.00,0.00,4.00,0.00,0.00,0.00,\
54.00,45.00,USD,stripe,Credit card,ch_3Nx1,203.0.113.7,Mozilla/5.0,Flat rate,21,21,\
ana@example.com,Ana,Lima
4102,4102,9/16/2025 18:05:00,9/16/2025 18:05:40,processing,7.50,0.00,0.00,0.00,7.00,0.00,0.00,\
0.00,99.50,85.00,USD,paypal,PayPal,8TY12345,203.0.113.8,Mozilla/5.0,Flat rate,22,22,\
ben@example.com,Ben,Okafor
4103,4103,9/20/2025 9:00:00,9/20/2025 9:01:00,refunded,5.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,\
30.00,25.00,USD,stripe,Credit card,ch_3Nx3,203.0.113.9,Mozilla/5.0,Flat rate,23,23,\
chen@example.com,Chen,Wei
4104,4104,9/28/2025 22:40:00,,cancelled,5.00,0.00,0.00,0.00,5.00,0.00,0.00,0.00,70.00,60.00,\
USD,bacs,Direct bank transfer,,203.0.113.7,Mozilla/5.0,Flat rate,21,21,ana@example.com,Ana,Lima
4105,4105,10/1/2025 7:15:00,10/1/2025 7:15:30,completed,5.00,0.00,0.00,0.00,3.00,0.00,0.00,\
0.00,40.00,32.00,USD,stripe,Credit card,ch_3Nx5,203.0.113.7,Mozilla/5.0,Flat rate,21,21,\
ana@example.com,Ana,Lima
4106,4106,10/3/2025 12:00:00,,pending,5.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,25.00,20.00,USD,\
bacs,Direct bank transfer,,203.0.113.10,Mozilla/5.0,Flat rate,24,24,dana@example.com,Dana,Ruiz
4107,4107,10/12/2025 15:45:00,10/12/2025 15:46:00,completed,10.00,0.00,0.00,0.00,10.00,0.00,\
0.00,0.00,120.00,100.00,USD,stripe,Credit card,ch_3Nx7,203.0.113.8,Mozilla/5.0,Flat rate,22,22,\
ben@example.com,Ben,Okafor
"""


@pytest.fixture
def woo_webtoffee(tmp_path):
    return write(tmp_path / "woo_orders_webtoffee.csv", WOO_WEBTOFFEE)


def test_woocommerce_webtoffee(capsys, woo_webtoffee):
    k = kpis(capsys, "orders", woo_webtoffee)
    assert k["orders"]["value"] == 5
    assert k["orders"]["dropped"] == {"cancelled": 1, "abandoned": 0, "pending": 1, "failed": 0}
    assert k["revenue"]["value"] == 343.5
    assert k["aov"]["value"] == 68.7
    assert k["return_rate"]["value"] == 20.0
    cols = k["orders"]["columns"]
    assert cols["ordered_at"] == "order_date"
    assert cols["amount"] == "order_total"


def test_woocommerce_webtoffee_months(capsys, woo_webtoffee):
    k = kpis(capsys, "orders", woo_webtoffee, "--period", "month")
    assert trend(k["orders"]) == {"2025-09": (3, 3), "2025-10": (2, 2)}
    assert trend(k["revenue"]) == {"2025-09": (183.5, 3), "2025-10": (160.0, 2)}


# ------------------------------------------------------------------------------------------------
# WooCommerce, "Advanced Order Export For WooCommerce" (algolplus): human labels, ISO dates, the
# statuses as WooCommerce names them on screen ("Pending payment", "On hold"), and an
# `Order Total Tax Amount` beside `Order Total Amount`.
#
#   order  status           total   tax
#   5201   Completed        50.00   8.33
#   5202   Processing       80.00  13.33
#   5203   Pending payment  35.00   5.83
#   5204   On hold          20.00   3.33
#   5205   Refunded         45.00   7.50
#   5206   Cancelled        60.00  10.00
#   5207   Completed        25.00   4.17
#
# completed 5201 5202 5205 5207 = 4; dropped pending 2 ("Pending payment" is WooCommerce's
#     pending status, "On hold" on-hold), cancelled 1
# revenue 50 + 80 + 45 + 25 = 200.00; AOV 50.00; return rate 5205 -> 1/4 = 25.0
WOO_ALGOLPLUS = """\
Order Number,Order Status,Order Date,Customer Note,First Name (Billing),Last Name (Billing),\
Email (Billing),Order Subtotal Amount,Order Shipping Amount,Order Total Tax Amount,\
Order Total Amount,State Code (Shipping),Country Code (Shipping),Payment Method Title
5201,Completed,2026-01-15 12:00:00,,Ana,Lima,ana@example.com,36.67,5.00,8.33,50.00,NY,US,Stripe
5202,Processing,2026-01-16 09:30:00,,Ben,Okafor,ben@example.com,61.67,5.00,13.33,80.00,CA,US,PayPal
5203,Pending payment,2026-01-17 10:00:00,,Chen,Wei,chen@example.com,24.17,5.00,5.83,35.00,TX,US,\
Direct bank transfer
5204,On hold,2026-01-18 11:00:00,Call first,Dana,Ruiz,dana@example.com,11.67,5.00,3.33,20.00,\
FL,US,Check payments
5205,Refunded,2026-01-20 15:00:00,,Eli,Stone,eli@example.com,32.50,5.00,7.50,45.00,NY,US,Stripe
5206,Cancelled,2026-01-22 08:00:00,,Ana,Lima,ana@example.com,45.00,5.00,10.00,60.00,NY,US,Stripe
5207,Completed,2026-02-02 14:00:00,,Ana,Lima,ana@example.com,15.83,5.00,4.17,25.00,NY,US,Stripe
"""


@pytest.fixture
def woo_algolplus(tmp_path):
    return write(tmp_path / "woo_orders_algolplus.csv", WOO_ALGOLPLUS)


def test_woocommerce_advanced_order_export(capsys, woo_algolplus):
    k = kpis(capsys, "orders", woo_algolplus)
    assert k["orders"]["value"] == 4
    assert k["orders"]["dropped"] == {"cancelled": 1, "abandoned": 0, "pending": 2, "failed": 0}
    assert k["revenue"]["value"] == 200.0
    assert k["aov"]["value"] == 50.0
    assert k["return_rate"]["value"] == 25.0
    assert k["orders"]["columns"]["amount"] == "Order Total Amount"


# ------------------------------------------------------------------------------------------------
# 1.8 Stripe Dashboard -> Payments -> Export: `Created date (UTC)`, amounts in MAJOR units,
# capitalised statuses (Paid, Refunded, Failed, Uncaptured), lowercase currency, `Converted Amount`
# in the account's currency (one charge is in eur: Amount 100.00 eur = Converted 108.50 usd).
#
#   id       status      Amount  cur  Converted  Refunded
#   ch_3Q01  Paid         31.25  usd    31.25      0.00
#   ch_3Q02  Paid        100.00  eur   108.50      0.00
#   ch_3Q03  Refunded     45.00  usd    45.00     45.00
#   ch_3Q04  Failed       20.00  usd    20.00      0.00
#   ch_3Q05  Paid         80.00  usd    80.00     30.00
#   ch_3Q06  Uncaptured   60.00  usd    60.00      0.00
#   ch_3Q07  Paid       1299.00  usd  1299.00      0.00
#
# completed 01 02 03 05 07 = 5; dropped failed 1, pending 1 (uncaptured)
# revenue (usd) 31.25 + 108.50 + 45 + 80 + 1299 = 1563.75; AOV 312.75 (Amount across currencies
#     would give 1555.25)
# return rate: 03 (refunded), 05 (30.00 refunded) -> 2/5 = 40.0
STRIPE_DASHBOARD = """\
id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,\
Converted Amount Refunded,Converted Currency,Decline Reason,Description,Fee,Is Link,Mode,\
Payment Source Type,Refunded date (UTC),Status,Taxes On Fee,Customer ID,Customer Email,\
Invoice ID,Transfer,order_id (metadata)
ch_3Q01,2025-03-03 09:15:00,31.25,0.00,usd,true,31.25,0.00,usd,,Order 1001,1.21,false,Live,\
card,,Paid,0.00,cus_A1,ana@example.com,,,1001
ch_3Q02,2025-03-04 10:00:00,100.00,0.00,eur,true,108.50,0.00,usd,,Order 1002,3.45,false,Live,\
card,,Paid,0.00,cus_B2,ben@example.com,,,1002
ch_3Q03,2025-03-05 11:00:00,45.00,45.00,usd,true,45.00,45.00,usd,,Order 1003,1.61,false,Live,\
card,2025-03-07 08:00:00,Refunded,0.00,cus_C3,chen@example.com,,,1003
ch_3Q04,2025-03-06 12:00:00,20.00,0.00,usd,false,20.00,0.00,usd,card_declined,Order 1004,0.00,\
false,Live,card,,Failed,0.00,cus_D4,dana@example.com,,,1004
ch_3Q05,2025-03-07 13:00:00,80.00,30.00,usd,true,80.00,30.00,usd,,Order 1005,2.62,true,Live,\
card,2025-03-09 10:00:00,Paid,0.00,cus_E5,eli@example.com,,,1005
ch_3Q06,2025-03-08 14:00:00,60.00,0.00,usd,false,60.00,0.00,usd,,Order 1006,0.00,false,Live,\
card,,Uncaptured,0.00,cus_F6,fay@example.com,,,1006
ch_3Q07,2025-03-09 15:00:00,1299.00,0.00,usd,true,1299.00,0.00,usd,,Order 1007,37.97,false,\
Live,card,,Paid,0.00,cus_A1,ana@example.com,in_1Q07,,1007
"""


@pytest.fixture
def stripe_dashboard(tmp_path):
    return write(tmp_path / "unified_payments.csv", STRIPE_DASHBOARD)


def test_stripe_dashboard(capsys, stripe_dashboard):
    k = kpis(capsys, "orders", stripe_dashboard)
    assert k["orders"]["value"] == 5
    assert k["orders"]["dropped"] == {"cancelled": 0, "abandoned": 0, "pending": 1, "failed": 1}
    assert k["revenue"]["value"] == 1563.75
    assert k["aov"]["value"] == 312.75
    assert (k["return_rate"]["value"], k["return_rate"]["n"]) == (40.0, 5)
    cols = k["orders"]["columns"]
    assert cols["ordered_at"] == "Created date (UTC)"
    assert cols["amount"] == "Converted Amount"
    assert cols["order_status"] == "Status"


# ------------------------------------------------------------------------------------------------
# Stripe API / Fivetran charges: upper-case names, amounts in CENTS, API statuses
# (succeeded/pending/failed). The same seven charges as above, all in usd cents.
#
#   ID     STATUS     AMOUNT  AMOUNT_REFUNDED
#   ch_01  succeeded    3125       0
#   ch_02  succeeded   10850       0
#   ch_03  succeeded    4500    4500
#   ch_04  failed       2000       0
#   ch_05  succeeded    8000    3000
#   ch_06  pending      6000       0
#   ch_07  succeeded  129900       0
#
# completed 5; revenue (3125 + 10850 + 4500 + 8000 + 129900) / 100 = 1563.75; AOV 312.75
# return rate 2/5 = 40.0; refunded (4500 + 3000) / 100 = 75.00 -> 75 / 1563.75 = 4.80 % of revenue
STRIPE_API = """\
ID,CREATED,AMOUNT,AMOUNT_REFUNDED,STATUS,OUTCOME_TYPE,CURRENCY,CAPTURED,PAID,REFUNDED,CUSTOMER_ID
ch_01,2025-03-03 09:15:00.000,3125,0,succeeded,authorized,usd,true,true,false,cus_A1
ch_02,2025-03-04 10:00:00.000,10850,0,succeeded,authorized,usd,true,true,false,cus_B2
ch_03,2025-03-05 11:00:00.000,4500,4500,succeeded,authorized,usd,true,true,true,cus_C3
ch_04,2025-03-06 12:00:00.000,2000,0,failed,issuer_declined,usd,false,false,false,cus_D4
ch_05,2025-03-07 13:00:00.000,8000,3000,succeeded,authorized,usd,true,true,false,cus_E5
ch_06,2025-03-08 14:00:00.000,6000,0,pending,authorized,usd,false,false,false,cus_F6
ch_07,2025-03-09 15:00:00.000,129900,0,succeeded,authorized,usd,true,true,false,cus_A1
"""


@pytest.fixture
def stripe_api(tmp_path):
    return write(tmp_path / "stripe_charges_fivetran.csv", STRIPE_API)


def test_stripe_api_cents(capsys, stripe_api):
    k = kpis(capsys, "orders", stripe_api)
    assert k["orders"]["value"] == 5
    assert k["orders"]["dropped"] == {"cancelled": 0, "abandoned": 0, "pending": 1, "failed": 1}
    assert k["revenue"]["value"] == 1563.75
    assert k["aov"]["value"] == 312.75
    ret = k["return_rate"]
    assert (ret["value"], ret["refunded_amount"], ret["value_rate"]) == (40.0, 75.0, 4.8)
    cols = k["orders"]["columns"]
    assert cols["amount"] == "AMOUNT"
    assert cols["refunded_amount"] == "AMOUNT_REFUNDED"


# ------------------------------------------------------------------------------------------------
# Wrong kind, shops: survey and ticket commands refuse an order export, naming `cxkit orders FILE`.

ORDER_FIXTURES = ["shopify", "woo_legacy", "woo_webtoffee", "woo_algolplus", "stripe_dashboard",
                  "stripe_api"]


@pytest.mark.parametrize("fixture", ORDER_FIXTURES)
@pytest.mark.parametrize("command", ["nps", "tickets"])
def test_order_exports_refused_by_other_commands(capsys, request, fixture, command):
    path = request.getfixturevalue(fixture)
    err = refused(capsys, command, path)
    assert "order export" in err
    assert f"cxkit orders {path}" in err


# ================================================================================================
# SURVEYS
# ================================================================================================

# ------------------------------------------------------------------------------------------------
# 1.9 Qualtrics, "Download all fields" as choice text: THREE header rows (export tag, question
# text, ImportId JSON), UTF-8 BOM, CRLF. The question columns are named Q1...Q4: the question text
# is only in row 2. `Q1_NPS_GROUP` beside the NPS score; `Status` marks previews and tests.
# Q2: 7-point bipolar satisfaction (extremely / moderately / slightly); Q3: CES 2.0, "To what
# extent do you agree: the company made it easy to handle my issue", 7-point agreement labels.
#
#   resp  Status          Q1  group      Q2 (score on 1-7)              Q3 (1-7)
#   R_1   IP Address      10  Promoter   Extremely satisfied (7)        Strongly agree (7)
#   R_2   IP Address       9  Promoter   Moderately satisfied (6)       Agree (6)
#   R_3   IP Address       7  Passive    Slightly satisfied (5)         Somewhat agree (5)
#   R_4   IP Address       3  Detractor  Extremely dissatisfied (1)     Strongly disagree (1)
#   R_5   Survey Preview   0  Detractor  Extremely dissatisfied         Strongly disagree
#   R_6   IP Address       6  Detractor  Neither satisfied nor dis. (4) Neither agree nor dis. (4)
#   R_7   Survey Test     10  Promoter   Extremely satisfied            Strongly agree
#   R_8   IP Address       9  Promoter   Moderately satisfied (6)       Somewhat disagree (3)
#   R_9   IP Address       -  -          -                              -        (unfinished, 40 %)
#
# previews/tests left out: R_5, R_7 (counted with them NPS would be 4-3 of 8 = 12.5)
# NPS: 10 9 7 3 6 9 -> P3 D2 n6 -> 100*(3-2)/6 = 16.7; missing 1 (R_9)
# CSAT (read on 1-7, satisfied = Extremely or Moderately satisfied = 6-7): 7 6 5 1 4 6
#     -> 3/6 = 50.0, mean 29/6 = 4.83
# CES --scale 1-7 (Q3 found from its question text): 7 6 5 1 4 3 -> mean 26/6 = 4.33,
#     low effort (5-7) 3/6 = 50.0
QUALTRICS_TAGS = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "LocationLatitude", "LocationLongitude",
                  "DistributionChannel", "UserLanguage", "Q1", "Q1_NPS_GROUP", "Q2", "Q3", "Q4"]
QUALTRICS_LABELS = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                    "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                    "Recipient Last Name", "Recipient First Name", "Recipient Email",
                    "External Data Reference", "Location Latitude", "Location Longitude",
                    "Distribution Channel", "User Language",
                    "How likely are you to recommend Acme to a friend or colleague?",
                    "How likely are you to recommend Acme to a friend or colleague? - Group",
                    "Overall, how satisfied or dissatisfied are you with Acme?",
                    "To what extent do you agree: the company made it easy to handle my issue",
                    "Why did you give that score?"]
QUALTRICS_IMPORT_IDS = [
    '{"ImportId":"startDate","timeZone":"America/Denver"}',
    '{"ImportId":"endDate","timeZone":"America/Denver"}', '{"ImportId":"status"}',
    '{"ImportId":"ipAddress"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
    '{"ImportId":"finished"}', '{"ImportId":"recordedDate","timeZone":"America/Denver"}',
    '{"ImportId":"_recordId"}', '{"ImportId":"recipientLastName"}',
    '{"ImportId":"recipientFirstName"}', '{"ImportId":"recipientEmail"}',
    '{"ImportId":"externalDataReference"}', '{"ImportId":"locationLatitude"}',
    '{"ImportId":"locationLongitude"}', '{"ImportId":"distributionChannel"}',
    '{"ImportId":"userLanguage"}', '{"ImportId":"QID1"}', '{"ImportId":"QID1_NPS_GROUP"}',
    '{"ImportId":"QID2"}', '{"ImportId":"QID3"}', '{"ImportId":"QID4_TEXT"}']


def _qualtrics(answers: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([QUALTRICS_TAGS, QUALTRICS_LABELS, QUALTRICS_IMPORT_IDS])
    for i, (status, q1, group, q2, q3, q4, finished) in enumerate(answers, 1):
        day = f"2025-03-{i + 2:02d}"
        preview = status != "IP Address" and status not in ("0",)
        writer.writerow([
            f"{day} 09:00:00", f"{day} 09:04:00", status, "" if preview else f"198.51.100.{i}",
            "100" if finished in ("True", "1") else "40", "240", finished, f"{day} 09:04:01",
            f"R_3kX9aQ{i:02d}bL7pZ", "", "", "", f"CUST-{i:03d}", "39.7392", "-104.9903",
            "preview" if preview else "anonymous", "EN", q1, group, q2, q3, q4])
    return out.getvalue()


QUALTRICS_TEXT = _qualtrics([
    ("IP Address", "10", "Promoter", "Extremely satisfied", "Strongly agree", "Fast", "True"),
    ("IP Address", "9", "Promoter", "Moderately satisfied", "Agree", "", "True"),
    ("IP Address", "7", "Passive", "Slightly satisfied", "Somewhat agree", "", "True"),
    ("IP Address", "3", "Detractor", "Extremely dissatisfied", "Strongly disagree",
     "Parcel lost, twice", "True"),
    ("Survey Preview", "0", "Detractor", "Extremely dissatisfied", "Strongly disagree", "test",
     "True"),
    ("IP Address", "6", "Detractor", "Neither satisfied nor dissatisfied",
     "Neither agree nor disagree", "", "True"),
    ("Survey Test", "10", "Promoter", "Extremely satisfied", "Strongly agree", "", "True"),
    ("IP Address", "9", "Promoter", "Moderately satisfied", "Somewhat disagree", "", "True"),
    ("IP Address", "", "", "", "", "", "False"),
])


@pytest.fixture
def qualtrics(tmp_path):
    path = tmp_path / "Acme+CX+survey_March+9,+2025_10.15.csv"
    return write(path, QUALTRICS_TEXT, bom=True)


def test_qualtrics_nps(capsys, qualtrics):
    nps = run_json(capsys, "nps", qualtrics)
    assert (nps["value"], nps["n"]) == (16.7, 6)
    assert nps["counts"] == {"promoters": 3, "passives": 1, "detractors": 2}
    assert nps["dropped"]["preview_or_test"] == 2
    assert nps["dropped"]["missing"] == 1
    assert nps["columns"]["nps_score"] == "Q1"


def test_qualtrics_csat_seven_point_labels(capsys, qualtrics):
    csat = run_json(capsys, "csat", qualtrics)
    assert (csat["value"], csat["n"], csat["mean_score"]) == (50.0, 6, 4.83)
    assert csat["counts"] == {"satisfied": 3, "not_satisfied": 3}
    assert csat["columns"]["csat_score"] == "Q2"


def test_qualtrics_ces_found_from_question_text(capsys, qualtrics):
    ces = run_json(capsys, "ces", qualtrics, "--scale", "1-7")
    assert ces["columns"]["ces_score"] == "Q3"
    assert (ces["value"], ces["n"], ces["pct_low_effort"]) == (4.33, 6, 50.0)
    assert ces["dropped"]["preview_or_test"] == 2


# Qualtrics again, exported as NUMERIC values: Status 0 = IP Address, 1 = Survey Preview,
# 2 = Survey Test; Finished 1/0; `Q1_NPS_GROUP` 1/2/3; Q3 the 1-7 agreement as numbers, so
# `--scale 1-7` is what makes 6 and 7 valid.
#
#   Status  Q1  group  Q3
#   0        8   2      7
#   0       10   3      6
#   1        2   1      1     preview
#   0        4   1      2
#   2        9   3      7     test
#   0        9   3      5
#   0       10   3      7
#   0        7   2      3
#
# NPS: 8 10 4 9 10 7 -> P3 D1 n6 -> 100*(3-1)/6 = 33.3
# CES 1-7: 7 6 2 5 7 3 -> 30/6 = 5.00; low effort (5-7) 4/6 = 66.67 % (CES extras keep 2
#     decimals; with preview and test the mean would be 38/8 = 4.75)
QUALTRICS_NUMERIC = _qualtrics([
    ("0", "8", "2", "4", "7", "", "1"),
    ("0", "10", "3", "5", "6", "", "1"),
    ("1", "2", "1", "1", "1", "", "1"),
    ("0", "4", "1", "2", "2", "", "1"),
    ("2", "9", "3", "5", "7", "", "1"),
    ("0", "9", "3", "4", "5", "", "1"),
    ("0", "10", "3", "5", "7", "", "1"),
    ("0", "7", "2", "3", "3", "", "1"),
])


@pytest.fixture
def qualtrics_numeric(tmp_path):
    return write(tmp_path / "qualtrics_numeric.csv", QUALTRICS_NUMERIC, bom=True)


def test_qualtrics_numeric_export(capsys, qualtrics_numeric):
    nps = run_json(capsys, "nps", qualtrics_numeric)
    assert (nps["value"], nps["n"]) == (33.3, 6)
    assert nps["dropped"]["preview_or_test"] == 2
    assert nps["columns"]["nps_score"] == "Q1"
    ces = run_json(capsys, "ces", qualtrics_numeric, "--scale", "1-7")
    assert ces["columns"]["ces_score"] == "Q3"
    assert (ces["value"], ces["n"], ces["pct_low_effort"]) == (5.0, 6, 66.67)


# ------------------------------------------------------------------------------------------------
# 1.10 SurveyMonkey "All responses data", actual answer text, condensed: TWO header rows (question;
# then Response / Open-Ended Response / the option under a multi-column question), metadata columns
# blank in row 2, dates `MM/DD/YYYY hh:mm:ss AM`. Satisfaction in SurveyMonkey's 5-point labels.
#
#   respondent  start                    end                      NPS  satisfaction
#   114001      03/03/2025 09:12:44 AM   03/03/2025 09:14:02 AM   10   Very satisfied
#   114002      03/14/2025 01:05:10 PM   03/14/2025 01:07:55 PM    9   Somewhat satisfied
#   114003      03/20/2025 04:40:00 PM   03/20/2025 04:41:30 PM    8   Neither satisfied nor dissat.
#   114004      03/31/2025 11:58:30 PM   04/01/2025 12:03:10 AM    6   Somewhat dissatisfied
#   114005      04/02/2025 08:00:00 AM   04/02/2025 08:02:00 AM    2   Very dissatisfied
#   114006      04/10/2025 12:30:00 PM   04/10/2025 12:31:00 PM    9   Very satisfied
#   114007      04/15/2025 07:45:00 PM   04/15/2025 07:47:00 PM    7   Somewhat satisfied
#   114008      04/16/2025 10:00:00 AM   04/16/2025 10:00:20 AM    -   -
#
# NPS: 10 9 8 6 2 9 7 -> P3 D2 n7 -> 100/7 = 14.3; missing 1
# CSAT (5-point very/somewhat: Very 5, Somewhat 4 satisfied): 5 4 3 2 1 5 4 -> 4/7 = 57.1,
#     mean 24/7 = 3.43 (on the 7-point "very / - / somewhat" reading it would be 2/7 = 28.6)
# NPS by month of the END date (the answer's time; 114004 finished on 1 April):
#     2025-03 10 9 8 -> P2 D0 n3 = 66.7;  2025-04 6 2 9 7 -> P1 D2 n4 = -25.0
SURVEYMONKEY = """\
Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,\
Custom Data 1,How likely is it that you would recommend Acme to a friend or colleague?,\
"Overall, how satisfied or dissatisfied are you with Acme?",Which of these did you use?,,,\
What could we do better?
,,,,,,,,,Response,Response,Email,Phone,Chat,Open-Ended Response
114001,4001,03/03/2025 09:12:44 AM,03/03/2025 09:14:02 AM,203.0.113.5,ana@example.com,,,,10,\
Very satisfied,Email,,,Nothing
114002,4001,03/14/2025 01:05:10 PM,03/14/2025 01:07:55 PM,203.0.113.6,ben@example.com,,,,9,\
Somewhat satisfied,,Phone,,
114003,4001,03/20/2025 04:40:00 PM,03/20/2025 04:41:30 PM,203.0.113.7,chen@example.com,,,,8,\
Neither satisfied nor dissatisfied,Email,,Chat,Faster replies
114004,4001,03/31/2025 11:58:30 PM,04/01/2025 12:03:10 AM,203.0.113.8,dana@example.com,,,,6,\
Somewhat dissatisfied,,,Chat,"Late, again"
114005,4002,04/02/2025 08:00:00 AM,04/02/2025 08:02:00 AM,203.0.113.9,eli@example.com,,,,2,\
Very dissatisfied,Email,Phone,,Refund took weeks
114006,4002,04/10/2025 12:30:00 PM,04/10/2025 12:31:00 PM,203.0.113.10,fay@example.com,,,,9,\
Very satisfied,,,Chat,
114007,4002,04/15/2025 07:45:00 PM,04/15/2025 07:47:00 PM,203.0.113.11,gus@example.com,,,,7,\
Somewhat satisfied,Email,,,
114008,4002,04/16/2025 10:00:00 AM,04/16/2025 10:00:20 AM,203.0.113.12,hal@example.com,,,,,,,,,
"""


@pytest.fixture
def surveymonkey(tmp_path):
    return write(tmp_path / "CSAT Survey.csv", SURVEYMONKEY, crlf=True)


def test_surveymonkey_nps(capsys, surveymonkey):
    nps = run_json(capsys, "nps", surveymonkey)
    assert (nps["value"], nps["n"]) == (14.3, 7)
    assert nps["counts"] == {"promoters": 3, "passives": 2, "detractors": 2}
    assert nps["dropped"]["missing"] == 1
    assert nps["columns"]["nps_score"] == (
        "How likely is it that you would recommend Acme to a friend or colleague?")


def test_surveymonkey_csat_labels(capsys, surveymonkey):
    csat = run_json(capsys, "csat", surveymonkey)
    assert (csat["value"], csat["n"], csat["mean_score"]) == (57.1, 7, 3.43)
    assert csat["counts"] == {"satisfied": 4, "not_satisfied": 3}
    assert csat["columns"]["csat_score"] == (
        "Overall, how satisfied or dissatisfied are you with Acme?")


def test_surveymonkey_months_by_end_date(capsys, surveymonkey):
    nps = run_json(capsys, "nps", surveymonkey, "--period", "month")
    assert nps["columns"]["responded_at"] == "End Date"
    assert trend(nps) == {"2025-03": (66.7, 3), "2025-04": (-25.0, 4)}


# ------------------------------------------------------------------------------------------------
# 1.11 Typeform Results -> Download CSV: `#` (the 32-character response token), questions by title
# (with a `{{field:company}}` recall placeholder), a Yes/No as 1/0, a phone number guarded with `'`,
# a hidden field, then Response Type (completed/partial), Start/Stage/Submit Date (UTC), Network ID,
# Tags, Ending. A partial response has no Submit Date.
#
#   token  NPS  CSAT  type       start (UTC)           submit (UTC)
#   ...01   10   5    completed  2025-03-31 23:58:10   2025-04-01 00:02:45   (started in March)
#   ...02    9   4    completed  2025-03-10 10:00:00   2025-03-10 10:03:00
#   ...03    6   2    completed  2025-03-12 18:20:00   2025-03-12 18:22:10
#   ...04    8   3    completed  2025-03-15 08:00:00   2025-03-15 08:01:30
#   ...05    3   -    partial    2025-03-20 11:00:00   -
#   ...06   10   5    completed  2025-04-03 09:00:00   2025-04-03 09:02:00
#   ...07    7   4    completed  2025-04-05 14:00:00   2025-04-05 14:01:00
#   ...08    0   1    completed  2025-04-09 16:30:00   2025-04-09 16:33:00
#
# NPS by month of Submit Date (the partial has none: missing_date 1):
#     all dated: 10 9 6 8 10 7 0 -> P3 D2 n7 -> 100/7 = 14.3
#     2025-03: 9 6 8 -> P1 D1 n3 = 0.0;  2025-04: 10 10 7 0 -> P2 D1 n4 = 25.0
#     (by Start Date token 01 would be in March)
# CSAT (1-5): 5 4 2 3 5 4 1 -> 4/7 = 57.1; the partial left it blank (missing 1)
TYPEFORM = """\
#,"On a scale from 0 to 10, how likely are you to recommend {{field:company}} to a friend?",\
How satisfied are you with your order?,Did we solve your problem?,What's your phone number?,\
customer_id,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags,\
Ending
b1c7e3f0a9d24e6b8c5f7a1d3e9b2c01,10,5,1,'+56954886178,C-101,completed,2025-03-31 23:58:10,,\
2025-04-01 00:02:45,3f9a1c2b7e,,default_tys
b1c7e3f0a9d24e6b8c5f7a1d3e9b2c02,9,4,1,'+33612345678,C-102,completed,2025-03-10 10:00:00,,\
2025-03-10 10:03:00,8d2e4f6a1b,,default_tys
b1c7e3f0a9d24e6b8c5f7a1d3e9b2c03,6,2,0,'+14155550123,C-103,completed,2025-03-12 18:20:00,,\
2025-03-12 18:22:10,1a2b3c4d5e,,default_tys
b1c7e3f0a9d24e6b8c5f7a1d3e9b2c04,8,3,1,,C-104,completed,2025-03-15 08:00:00,,\
2025-03-15 08:01:30,9f8e7d6c5b,,default_tys
b1c7e3f0a9d24e6b8c5f7a1d3e9b2c05,3,,,,C-105,partial,2025-03-20 11:00:00,2025-03-20 11:00:40,,\
5e4d3c2b1a,,
b1c7e3f0a9d24e6b8c5f7a1d3e9b2c06,10,5,1,'+447700900123,C-106,completed,2025-04-03 09:00:00,,\
2025-04-03 09:02:00,0a9b8c7d6e,,default_tys
b1c7e3f0a9d24e6b8c5f7a1d3e9b2c07,7,4,0,,C-107,completed,2025-04-05 14:00:00,,\
2025-04-05 14:01:00,6e5d4c3b2a,,default_tys
b1c7e3f0a9d24e6b8c5f7a1d3e9b2c08,0,1,0,'+4915123456789,C-108,completed,2025-04-09 16:30:00,,\
2025-04-09 16:33:00,2b3c4d5e6f,,default_tys
"""
TYPEFORM_NPS = ("On a scale from 0 to 10, how likely are you to recommend {{field:company}} to a "
                "friend?")


@pytest.fixture
def typeform(tmp_path):
    return write(tmp_path / "responses-aBcD1234.csv", TYPEFORM)


def test_typeform_nps_by_submit_date(capsys, typeform):
    nps = run_json(capsys, "nps", typeform, "--period", "month")
    assert nps["columns"] == {"nps_score": TYPEFORM_NPS, "responded_at": "Submit Date (UTC)"}
    assert (nps["value"], nps["n"]) == (14.3, 7)
    assert nps["dropped"]["missing_date"] == 1
    assert trend(nps) == {"2025-03": (0.0, 3), "2025-04": (25.0, 4)}


def test_typeform_csat(capsys, typeform):
    csat = run_json(capsys, "csat", typeform)
    assert csat["columns"]["csat_score"] == "How satisfied are you with your order?"
    assert (csat["value"], csat["n"]) == (57.1, 7)
    assert csat["counts"]["satisfied"] == 4


# ------------------------------------------------------------------------------------------------
# 1.12 Delighted NPS export: the answer is a bare `Score`, `Comment`, `Response timestamp` in Unix
# SECONDS, person properties as `Properties: Plan`, `Properties: Country`.
#
#   id    score  timestamp (UTC)      plan
#   1001   10    2025-03-03 09:00     Pro
#   1002    9    2025-03-05 12:30     Basic
#   1003    7    2025-03-10 08:15     Pro
#   1004    4    2025-03-14 17:45     Basic
#   1005   10    2025-03-21 10:00     Pro
#   1006    0    2025-03-31 22:30     Basic
#   1007    8    2025-04-01 07:00     Pro
#   1008    9    2025-04-09 13:20     Pro
#
# NPS: 10 9 7 4 10 0 8 9 -> P4 D2 n8 -> 100*2/8 = 25.0
# by plan: Pro 10 7 10 8 9 -> P3 D0 n5 = 60.0;  Basic 9 4 0 -> P1 D2 n3 = -33.3
# by month: 2025-03 10 9 7 4 10 0 -> P3 D2 n6 = 16.7;  2025-04 8 9 -> P1 D0 n2 = 50.0
#     (read as milliseconds every answer would fall in January 1970)
DELIGHTED = """\
Response ID,Email,Name,Score,Comment,Response timestamp,Properties: Plan,Properties: Country,\
Tags,Notes
1001,ana@example.com,Ana Lima,10,Love the new app,1740992400,Pro,FR,,
1002,ben@example.com,Ben Okafor,9,,1741177800,Basic,NG,,
1003,chen@example.com,Chen Wei,7,"Good, but pricey",1741594500,Pro,CN,pricing,
1004,dana@example.com,Dana Ruiz,4,Support never answered,1741974300,Basic,ES,support,Called back
1005,eli@example.com,Eli Stone,10,,1742551200,Pro,US,,
1006,fay@example.com,Fay Moss,0,Cancelled my order twice,1743460200,Basic,GB,support,
1007,gus@example.com,Gus Hale,8,,1743490800,Pro,US,,
1008,hal@example.com,Hal Berg,9,Fast delivery,1744204800,Pro,DE,,
"""


@pytest.fixture
def delighted(tmp_path):
    return write(tmp_path / "delighted-nps-responses.csv", DELIGHTED)


def test_delighted_bare_score(capsys, delighted):
    nps = run_json(capsys, "nps", delighted)
    assert nps["columns"]["nps_score"] == "Score"
    assert (nps["value"], nps["n"]) == (25.0, 8)
    assert nps["counts"] == {"promoters": 4, "passives": 2, "detractors": 2}


def test_delighted_by_property_and_month(capsys, delighted):
    nps = run_json(capsys, "nps", delighted, "--by", "Plan")
    groups = {tuple(g["key"].values()): (g["value"], g["n"]) for g in nps["groups"]}
    assert groups == {("Pro",): (60.0, 5), ("Basic",): (-33.3, 3)}
    nps = run_json(capsys, "nps", delighted, "--period", "month")
    assert nps["columns"]["responded_at"] == "Response timestamp"
    assert trend(nps) == {"2025-03": (16.7, 6), "2025-04": (50.0, 2)}


# ------------------------------------------------------------------------------------------------
# 1.13 Google Forms "Download responses (.csv)" of a quiz form: `Timestamp` first in US Sheets form
# `M/D/YYYY H:MM:SS`, `Email Address`, the quiz `Score` (`7 / 10`: NOT the NPS), then the questions
# by title; checkbox answers joined with ", ".
#
#   timestamp            quiz score  NPS  CSAT
#   3/3/2025 9:05:33     7 / 10       10   5
#   3/5/2025 14:22:10    10 / 10       9   4
#   3/14/2025 8:01:02    3 / 10        2   1
#   3/31/2025 23:59:59   9 / 10        7   3
#   4/1/2025 0:00:01     5 / 10        6   2
#   4/2/2025 10:10:10    8 / 10       10   5
#   4/15/2025 16:45:00   6 / 10        8   4
#
# NPS (the titled question): 10 9 2 7 6 10 8 -> P3 D2 n7 -> 100/7 = 14.3
#     (the quiz Score 7 10 3 9 5 8 6 would give P2 D3 -> -14.3)
# by month: 2025-03 10 9 2 7 -> P2 D1 n4 = 25.0;  2025-04 6 10 8 -> P1 D1 n3 = 0.0
# CSAT (1-5): 5 4 1 3 2 5 4 -> 4/7 = 57.1
GOOGLE_FORMS = """\
Timestamp,Email Address,Score,How likely are you to recommend us to a friend or colleague?,\
How satisfied are you with our support?,What is the main reason for your score?,\
Which products do you use?
3/3/2025 9:05:33,ana@example.com,7 / 10,10,5,Great service,"Mugs, Plates"
3/5/2025 14:22:10,ben@example.com,10 / 10,9,4,,Mugs
3/14/2025 8:01:02,chen@example.com,3 / 10,2,1,Parcel lost,"Plates, Bowls"
3/31/2025 23:59:59,dana@example.com,9 / 10,7,3,,Bowls
4/1/2025 0:00:01,eli@example.com,5 / 10,6,2,Too slow,Mugs
4/2/2025 10:10:10,fay@example.com,8 / 10,10,5,,"Mugs, Plates, Bowls"
4/15/2025 16:45:00,gus@example.com,6 / 10,8,4,Fine,Plates
"""
GOOGLE_NPS = "How likely are you to recommend us to a friend or colleague?"


@pytest.fixture
def google_forms(tmp_path):
    return write(tmp_path / "Customer feedback (Responses) - Form Responses 1.csv", GOOGLE_FORMS)


def test_google_forms_nps_not_the_quiz_score(capsys, google_forms):
    nps = run_json(capsys, "nps", google_forms, "--period", "month")
    assert nps["columns"] == {"nps_score": GOOGLE_NPS, "responded_at": "Timestamp"}
    assert (nps["value"], nps["n"]) == (14.3, 7)
    assert trend(nps) == {"2025-03": (25.0, 4), "2025-04": (0.0, 3)}


def test_google_forms_csat(capsys, google_forms):
    csat = run_json(capsys, "csat", google_forms)
    assert csat["columns"]["csat_score"] == "How satisfied are you with our support?"
    assert (csat["value"], csat["n"]) == (57.1, 7)


# ------------------------------------------------------------------------------------------------
# Wrong kind, surveys: ticket and order commands refuse a survey export, naming `cxkit nps FILE`.

SURVEY_FIXTURES = ["qualtrics", "qualtrics_numeric", "surveymonkey", "typeform", "delighted",
                   "google_forms"]


@pytest.mark.parametrize("fixture", SURVEY_FIXTURES)
@pytest.mark.parametrize("command", ["tickets", "orders"])
def test_survey_exports_refused_by_other_commands(capsys, request, fixture, command):
    path = request.getfixturevalue(fixture)
    err = refused(capsys, command, path)
    assert "survey responses" in err
    assert f"cxkit nps {path}" in err
