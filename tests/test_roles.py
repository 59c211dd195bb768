"""Which column plays which role (cxkit/io/roles.py, cxkit/io/surveys.py): question texts,
repeated headers, one rule for a role every command needs, wrong scales, 12-hour clocks.
"""

from __future__ import annotations

import pytest
from conftest import cxkit_in_process, cxkit_json

from cxkit.io.roles import TICKET_ROLES, _score, detect_roles

kpi = cxkit_json


def write(tmp_path, name: str, text: str, eol: str = "\n") -> str:
    path = tmp_path / name
    path.write_bytes(eol.join(text.strip("\n").split("\n")).encode("utf-8") + eol.encode())
    return str(path)



# ------------------------------------------------------------------------------------------------
# Two columns that both look like the score


def test_a_repeated_score_header_is_refused_and_named(tmp_path, capsys):
    # `nps` twice: which is meant cannot be guessed (the first gives 100.0, the second -100.0)
    path = write(tmp_path, "dup.csv", "id,nps,channel,nps\n1,10,web,3\n2,9,app,4\n")
    run = cxkit_in_process(capsys, "nps", path)
    assert run.returncode == 65
    assert run.stderr.splitlines() == [
        f"cxkit: error: {path}: 2 columns could be the NPS score: 'nps', 'nps_2' (another "
        "column headed 'nps')",
        "  fix: pass --score with the one to use, e.g. --score 'nps_2'",
    ]
    # the flag chooses: 3 and 4 are detractors -> -100.0; 10 and 9 promoters -> 100.0
    assert kpi(capsys, "nps", path, "--score", "nps_2")[0]["value"] == -100.0
    assert kpi(capsys, "nps", path, "--score", "nps")[0]["value"] == 100.0


def test_two_questions_about_recommending_are_refused(tmp_path, capsys):
    # two "recommend" questions (product and support): both fit the NPS as well as each other
    text = ("id,How likely are you to recommend our product?,How likely are you to recommend "
            "our support?\n1,10,0\n")
    run = cxkit_in_process(capsys, "nps", write(tmp_path, "two.csv", text))
    assert run.returncode == 65
    assert "2 columns could be the NPS score" in run.stderr
    assert "--score" in run.stderr


def test_a_stronger_name_is_no_tie(tmp_path, capsys):
    # `NPS` (exact) beats `nps_comment`-like columns and `Likelihood of buying again` (weak)
    text = "id,Likelihood of buying again,NPS,NPS reason\n1,2,9,fast\n2,5,10,ok\n"
    r, _ = kpi(capsys, "nps", write(tmp_path, "ok.csv", text))
    assert (r["value"], r["columns"]) == (100.0, {"nps_score": "NPS"})


# ------------------------------------------------------------------------------------------------
# Question texts (Qualtrics row 2, SurveyMonkey row 1): every role, banned words as whole words


@pytest.mark.parametrize(("role", "text"), [
    ("ces_score", "To what extent do you agree with the following statement: "
                  "The company made it easy to handle my issue."),  # "extent" holds "text"
    ("ces_score", "How much effort did you personally have to put forth to handle your request?"),
    ("ces_score", "How easy was it to resolve your issue today?"),
    ("csat_score", "Overall, how satisfied are you with our service?"),
    ("nps_score", "How likely are you to recommend Acme to a friend or colleague?"),
    ("comment", "What is the main reason for your score? - Text"),
    ("responded_at", "Recorded Date"),
])
def test_question_texts_name_their_role(role, text):
    assert _score(role, text) >= 2


@pytest.mark.parametrize(("role", "text"), [
    ("ces_score", "CES comment"),  # short names: a banned fragment anywhere
    ("nps_score", "NPS_Reason"),
    ("csat_score", "Satisfaction survey sent at"),
    ("ces_score", "Process time"),  # "ces" inside a word
])
def test_banned_words_still_ban(role, text):
    assert _score(role, text) == 0


def test_qualtrics_ces_found_from_its_question_text(tmp_path, capsys):
    # Qualtrics: tags that say nothing (Q1, Q2), the question text in row 2 only. Q2 is the 1-7
    # CES agreement question: 7, 6, 5, 2 -> mean 20/4 = 5.0, low effort (5-7) 3 of 4 = 75.0 %
    rows = [
        "StartDate,EndDate,Status,ResponseId,Q1,Q2",
        "Start Date,End Date,Response Type,Response ID,How did you contact us?,"
        '"To what extent do you agree: Acme made it easy to handle my issue (1-7)"',
        '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}"',
        "2025-03-01 10:00:00,2025-03-01 10:05:00,IP Address,R_1,Chat,7",
        "2025-03-02 10:00:00,2025-03-02 10:05:00,IP Address,R_2,Mail,6",
        "2025-03-03 10:00:00,2025-03-03 10:05:00,IP Address,R_3,Chat,5",
        "2025-03-04 10:00:00,2025-03-04 10:05:00,IP Address,R_4,Phone,2",
        "2025-03-05 10:00:00,2025-03-05 10:05:00,Survey Preview,R_5,Chat,1",
    ]
    path = write(tmp_path, "qualtrics_ces.csv", "\n".join(rows))
    r, _ = kpi(capsys, "ces", path, "--scale", "1-7")
    assert (r["value"], r["n"], r["pct_low_effort"]) == (5.0, 4, 75.0)
    assert r["columns"] == {"ces_score": "Q2"}
    assert r["dropped"]["preview_or_test"] == 1


# ------------------------------------------------------------------------------------------------
# A role one command recognises, every command that needs it recognises


@pytest.mark.parametrize("header", ["conversation_rating", "Satisfaction Score", "Survey results",
                                    "Rating", "satisfaction_survey_score", "CSAT",
                                    "Customer rating", "Happiness rating"])
def test_ticket_satisfaction_is_the_csat_score(header):
    columns = ["id", "created_at", header, "rating_remark", "satisfaction_sent_at"]
    ticket = detect_roles(columns, {}, TICKET_ROLES)["satisfaction"].column
    survey = detect_roles(columns, {}, ("csat_score",))["csat_score"].column
    assert ticket == survey == header


def test_intercom_rating_read_by_csat_and_tickets(tmp_path, capsys):
    # Intercom conversations, Unix seconds; conversation_rating 1-5, 4-5 positive:
    # 5, 4, 2, "" -> 2 of 3 rated = 66.7 in both commands
    text = """conversation_id,created_at,state,conversation_rating,conversation_rating_remark
c1,1735725600,closed,5,great
c2,1735729200,closed,4,
c3,1735732800,open,2,slow
c4,1735736400,snoozed,,
"""
    path = write(tmp_path, "intercom.csv", text)
    t, _ = kpi(capsys, "tickets", path, "--kpi", "csat")
    c, _ = kpi(capsys, "csat", path)
    assert (t["value"], t["n"]) == (66.7, 3)
    assert (c["value"], c["n"]) == (66.7, 3)
    assert t["columns"]["satisfaction"] == c["columns"]["csat_score"] == "conversation_rating"


# ------------------------------------------------------------------------------------------------
# Delighted: a bare Score, Unix seconds, person properties


def test_delighted_export_is_nps(tmp_path, capsys):
    # 1735725600 = 2025-01-01 10:00 UTC; 1738404000 = 2025-02-01 10:00; 1738490400 = 2025-02-02
    # Jan: 10, 9 -> 100.0; Feb: 6, 9, 3 -> P1 D2 -> 100 * -1/3 = -33.3; all: P3 D2 n5 -> 20.0
    text = """Response ID,Score,Comment,Response timestamp,Email,Properties: Plan
1,10,great,1735725600,a@x.com,Pro
2,9,,1735725600,b@x.com,Free
3,6,meh,1738404000,c@x.com,Free
4,9,,1738404000,d@x.com,Pro
5,3,bad,1738490400,e@x.com,Free
"""
    path = write(tmp_path, "delighted.csv", text)
    r, err = kpi(capsys, "nps", path, "--period", "month")
    assert (r["value"], r["n"]) == (20.0, 5)
    assert [(t["period"], t["value"]) for t in r["trend"]] == [("2025-01", 100.0),
                                                               ("2025-02", -33.3)]
    assert r["columns"] == {"nps_score": "Score", "responded_at": "Response timestamp"}
    assert "read as a Delighted export" in err
    # --by Plan finds `Properties: Plan`: Pro 10, 9 -> 100.0; Free 9, 6, 3 -> -33.3
    by, _ = kpi(capsys, "nps", path, "--by", "Plan")
    assert {g["key"]["Properties: Plan"]: g["value"] for g in by["groups"]} == {
        "Free": -33.3, "Pro": 100.0}


def test_google_forms_quiz_score_is_not_the_nps(tmp_path, capsys):
    # `Score` of a Google Forms quiz is its total ("3 / 5"): the NPS is the question by title
    text = """Timestamp,Email Address,Score,How likely are you to recommend us?
1/5/2025 9:00:00,a@x.com,3 / 5,10
1/6/2025 9:00:00,b@x.com,5 / 5,4
"""
    r, _ = kpi(capsys, "nps", write(tmp_path, "forms.csv", text))
    assert r["columns"] == {"nps_score": "How likely are you to recommend us?"}
    assert (r["value"], r["n"]) == (0.0, 2)


# ------------------------------------------------------------------------------------------------
# Answers on the wrong scale for the command


def test_nps_on_a_one_to_five_column_warns(tmp_path, capsys):
    # 12 answers, all 1-5: read as NPS they are 12 detractors -> -100.0, which the warning flags
    answers = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 3, 4]
    path = write(tmp_path, "csat_as_nps.csv", "id,score\n" + "\n".join(
        f"{i},{a}" for i, a in enumerate(answers, 1)))
    r, err = kpi(capsys, "nps", path, "--score", "score")
    assert (r["value"], r["n"]) == (-100.0, 12)
    warning = ("every NPS answer is between 1 and 5, inside a 1-5 scale, but NPS is read on "
               "0-10: NPS needs answers on 0-10; for a satisfaction question use cxkit csat")
    assert r["warnings"] == [warning]
    assert f"cxkit: warning: {path}: 'score': {warning}" in err.splitlines()
    rows = cxkit_in_process(capsys, "nps", path, "--score", "score", "-f", "csv").stdout
    assert rows.splitlines()[0] == ("kpi,value,ci_low,ci_high,n,promoters,passives,detractors,"
                                    "dropped_missing,dropped_invalid,dropped_out_of_range")
    # the same column as CSAT: 4-5 are 5 of 12 = 41.7, no warning
    c, err = kpi(capsys, "csat", path, "--score", "score")
    assert (c["value"], "warnings" in c, "warning" in err) == (41.7, False, False)


def test_a_real_nps_column_does_not_warn(tmp_path, capsys):
    answers = [0, 3, 6, 7, 8, 9, 10, 10, 9, 5]
    path = write(tmp_path, "nps.csv", "id,nps\n" + "\n".join(
        f"{i},{a}" for i, a in enumerate(answers, 1)))
    r, err = kpi(capsys, "nps", path)
    assert "warnings" not in r and "warning" not in err


def test_csat_answers_above_the_scale_suggest_the_scale(tmp_path, capsys):
    # 1-7 answers read on the default 1-5: 6 and 7 are out of range (3 of 10 answers)
    answers = [7, 6, 7, 5, 4, 3, 5, 4, 2, 1]
    path = write(tmp_path, "seven.csv", "id,csat\n" + "\n".join(
        f"{i},{a}" for i, a in enumerate(answers, 1)))
    r, _ = kpi(capsys, "csat", path)
    assert r["dropped"]["out_of_range"] == 3
    assert r["warnings"] == ["3 CSAT answers are above 5 (up to 7) and dropped as out of range: "
                             "if the question is on 1-7, pass --scale 1-7"]


# ------------------------------------------------------------------------------------------------
# Twelve-hour clocks


def test_a_help_desk_whose_only_dates_are_twelve_hour_us_times(tmp_path, capsys):
    # Salesforce case report. Durations: 2:05 PM -> 4:35 PM = 2.5 h; 11:50 AM -> 9:50 AM next
    # day = 22 h; 12:05 AM -> 12:35 PM = 12.5 h (12 AM is midnight, 12 PM noon); mean
    # (2.5 + 22 + 12.5) / 3 = 12.33; the fourth case is open.
    text = """Case Number,Subject,Status,Priority,Case Origin,Case Reason,Contact Name,\
Date/Time Opened,Date/Time Closed
00001001,Login fails,Closed,High,Email,Technical,Ann Lee,3/14/2025 2:05 PM,3/14/2025 4:35 PM
00001002,Refund,Closed,Medium,Phone,Billing,Bob Ray,3/14/2025 11:50 AM,3/15/2025 9:50 AM
00001003,Broken,Closed,Low,Web,Technical,Cy Dee,3/16/2025 12:05 AM,3/16/2025 12:35 PM
00001004,Where is order,New,Low,Web,Shipping,Ann Lee,3/16/2025 12:10 PM,
"""
    path = write(tmp_path, "salesforce.csv", text)
    r, err = kpi(capsys, "tickets", path, "--kpi", "resolution_time")
    assert (r["value"], r["n"], r["dropped"]) == (12.33, 3, {"invalid_time": 0, "unresolved": 1,
                                                             "negative": 0})
    assert r["columns"]["created_at"] == "Date/Time Opened"
    assert r["columns"]["resolved_at"] == "Date/Time Closed"
    assert r["columns"]["category"] == "Case Reason"
    assert "read as a Salesforce export" in err
