"""Answer labels as the survey tools and help desks write them (cxkit/kpi/labels.py): one
vocabulary for nps, csat, ces and the ticket CSAT, each column read with the scale its labels fit.
"""

from __future__ import annotations

import pytest
from conftest import cxkit_json

from cxkit.kpi.labels import SCALES, choose, scales_for

kpi = cxkit_json


def write(tmp_path, name: str, header: str, answers: list[str], eol: str = "\n") -> str:
    path = tmp_path / name
    lines = [header] + [f"{i},{a}" for i, a in enumerate(answers, 1)]
    path.write_bytes((eol.join(lines) + eol).encode("utf-8"))
    return str(path)



def test_surveymonkey_bipolar_labels(tmp_path, capsys):
    # SurveyMonkey's own five labels; "Somewhat satisfied" is satisfied (4 of 5).
    # Very satisfied x3 (5), Somewhat satisfied x2 (4), Neither (3), Somewhat dissatisfied (2),
    # Very dissatisfied (1): n 8, satisfied 5 -> 100 * 5/8 = 62.5; mean 29/8 = 3.625 -> 3.62
    # (an exact binary half, rounded to even). "Extremely happy" is no label: invalid.
    answers = ["Very satisfied"] * 3 + ["Somewhat satisfied"] * 2 + [
        "Neither satisfied nor dissatisfied", "Somewhat dissatisfied", "Very dissatisfied", "",
        "Extremely happy"]
    path = write(tmp_path, "sm.csv", "Respondent,Satisfaction", answers, eol="\r\n")
    r, err = kpi(capsys, "csat", path)
    assert (r["value"], r["n"], r["counts"]["satisfied"]) == (62.5, 8, 5)
    assert r["mean_score"] == 3.62
    assert r["dropped"] == {"missing": 1, "invalid": 1, "out_of_range": 0}
    assert r["rule"].endswith("labels: 5-point satisfaction (very / somewhat satisfied)")
    assert "answers read as labels of the 5-point satisfaction (very / somewhat" in err


def test_qualtrics_seven_point_labels_set_the_scale(tmp_path, capsys):
    # Qualtrics' 7-point scale: read on 1-7, satisfied = the top two boxes 6-7 (Extremely and
    # Moderately satisfied). Extremely sat x2, Moderately sat x2, Slightly sat, Neither,
    # Moderately dissat, Extremely dissat: n 8, satisfied 4 -> 50.0;
    # mean (7+7+6+6+5+4+2+1)/8 = 38/8 = 4.75
    answers = ["Extremely satisfied"] * 2 + ["Moderately satisfied"] * 2 + [
        "Slightly satisfied", "Neither satisfied nor dissatisfied", "Moderately dissatisfied",
        "Extremely dissatisfied"]
    r, err = kpi(capsys, "csat", write(tmp_path, "q7.csv", "id,Satisfaction", answers))
    assert (r["value"], r["n"], r["mean_score"]) == (50.0, 8, 4.75)
    assert r["rule"].startswith("satisfied = 6-7 on a 1-7 scale")
    assert "on 1-7 (satisfied = 6-7 on a 1-7 scale)" in err


def test_unipolar_labels_very_satisfied_is_fourth(tmp_path, capsys):
    # "Not at all / Not so / Somewhat / Very / Extremely satisfied": here Very is 4 of 5, still
    # top two. Extremely, Very x2, Somewhat, Not so, Not at all: satisfied 3 of 6 = 50.0;
    # mean (5+4+4+3+2+1)/6 = 19/6 = 3.1666... -> 3.17 (on the bipolar scale it would be 3.5)
    answers = ["Extremely satisfied", "Very satisfied", "Very satisfied", "Somewhat satisfied",
               "Not so satisfied", "Not at all satisfied"]
    r, _ = kpi(capsys, "csat", write(tmp_path, "uni.csv", "id,How satisfied are you?", answers))
    assert (r["value"], r["n"], r["mean_score"]) == (50.0, 6, 3.17)


def test_french_labels_with_and_without_accents(tmp_path, capsys):
    # Très satisfait / tres satisfait (5), Plutôt satisfait (4), Ni satisfait ni insatisfait (3),
    # Plutôt insatisfait (2), Pas du tout satisfait (1), with curly apostrophes and odd case:
    # satisfied 3 of 6 = 50.0; mean (5+5+4+3+2+1)/6 = 20/6 = 3.33
    answers = ["Très satisfait", "tres satisfait", "PLUTÔT SATISFAIT",
               "Ni satisfait ni insatisfait", "Plutôt  insatisfait", "Pas du tout satisfait"]
    r, _ = kpi(capsys, "csat", write(tmp_path, "fr.csv", "id,Satisfaction", answers))
    assert (r["value"], r["n"], r["mean_score"]) == (50.0, 6, 3.33)
    assert r["dropped"]["invalid"] == 0


def test_help_scout_ratings_on_three_points(tmp_path, capsys):
    # Great / Okay / Not Good: 1-3, satisfied = Great. Great x2, Okay, Not Good: 2/4 = 50.0;
    # mean (3+3+2+1)/4 = 2.25
    answers = ["Great", "Okay", "Not Good", "great"]
    r, _ = kpi(capsys, "csat", write(tmp_path, "hs.csv", "id,Rating", answers))
    assert (r["value"], r["n"], r["mean_score"]) == (50.0, 4, 2.25)
    assert r["rule"].startswith("satisfied = 3 on a 1-3 scale")


def test_a_given_scale_is_kept(tmp_path, capsys):
    # --scale 1-5 on 7-point labels: the scale stays 1-5 and only 5-point readings count.
    # Extremely satisfied = 5, Extremely dissatisfied = 1 (the 5-point bipolar scale), Moderately
    # satisfied = 3 (the 5-point unipolar one, "not at all ... extremely"); "Moderately
    # dissatisfied" is on no 5-point scale: invalid. n 3, satisfied 1 -> 33.3
    answers = ["Extremely satisfied", "Moderately satisfied", "Moderately dissatisfied",
               "Extremely dissatisfied"]
    path = write(tmp_path, "given.csv", "id,Satisfaction", answers)
    r, _ = kpi(capsys, "csat", path, "--scale", "1-5")
    assert (r["value"], r["n"], r["dropped"]["invalid"]) == (33.3, 3, 1)
    assert r["rule"].startswith("satisfied = 4-5 on a 1-5 scale")
    r, _ = kpi(capsys, "csat", path, "--scale", "1-7")  # 7, 6, 2, 1: satisfied 2 of 4
    assert (r["value"], r["n"], r["dropped"]["invalid"]) == (50.0, 4, 0)


def test_ces_agreement_labels_switch_to_the_ease_scale(tmp_path, capsys):
    # "The company made it easy…": Strongly agree 7, Agree 6, Somewhat agree 5, Neither 4,
    # Disagree 2 -> mean 24/5 = 4.8; low effort = 5-7: 3 of 5 = 60.0 %
    answers = ["Strongly agree", "Agree", "Somewhat agree", "Neither agree nor disagree",
               "Disagree"]
    r, err = kpi(capsys, "ces", write(tmp_path, "ces.csv", "id,Effort", answers))
    assert (r["value"], r["n"], r["pct_low_effort"]) == (4.8, 5, 60.0)
    assert r["rule"].startswith("CES = mean score on the 1-7 ease scale")


def test_ticket_csat_reads_the_same_labels(tmp_path, capsys):
    # Help Scout ratings on tickets: satisfied = Great. Great, Great, Okay, Not Good, "" (not
    # rated): 2 of 4 rated = 50.0; the same column read by `cxkit csat` gives the same 50.0
    rows = ["id,created_at,closed_at,Rating",
            "1,2025-01-06 09:00,2025-01-06 10:00,Great",
            "2,2025-01-06 09:00,2025-01-06 11:00,Great",
            "3,2025-01-06 09:00,2025-01-06 12:00,Okay",
            "4,2025-01-06 09:00,2025-01-06 13:00,Not Good",
            "5,2025-01-06 09:00,,"]
    path = tmp_path / "hs_tickets.csv"
    path.write_text("\n".join(rows) + "\n")
    t, _ = kpi(capsys, "tickets", path, "--kpi", "csat")
    assert (t["value"], t["n"], t["dropped"]["not_rated"]) == (50.0, 4, 1)
    assert t["rule"] == ("satisfied = great of the 3-point rating (great / okay / not good); "
                         "CSAT = 100 * satisfied / rated")
    c, _ = kpi(capsys, "csat", path)
    assert (c["value"], c["n"], c["columns"]) == (50.0, 4, {"csat_score": "Rating"})


def test_zendesk_good_bad_and_offered(tmp_path, capsys):
    # Good x3, Bad, Offered, Not Offered: CSAT = good / (good + bad) = 3/4 = 75.0; the offered
    # surveys nobody answered are missing, not bad
    answers = ["Good", "Good", "Bad", "Offered", "Not Offered", "good"]
    r, _ = kpi(capsys, "csat", write(tmp_path, "zd.csv", "id,Satisfaction Score", answers))
    assert (r["value"], r["n"], r["dropped"]["missing"]) == (75.0, 4, 2)


def test_choose_covers_most_labels_and_ties_go_first():
    csat = scales_for("csat")
    # Good and Bad are on Good/Bad (2 labels) and on the 3-point rating (good, bad): tie -> the
    # one listed first, Zendesk's
    assert choose(["Good", "Bad"], csat).name == "Good / Bad (Zendesk)"
    assert choose(["Excellent", "Good", "Poor"], csat).name == "5-point rating (poor … excellent)"
    assert choose(["Great", "Okay"], csat).name == "3-point rating (great / okay / not good)"
    assert choose(["7", "8"], csat) is None
    # "Very satisfied" alone: the classic 5-point scale, listed first
    assert choose(["Very satisfied"], csat) is SCALES[0]


@pytest.mark.parametrize("scale", [s for s in SCALES])
def test_every_scale_reads_its_own_labels_in_order(scale):
    # each point's labels map to the point's score, lowest first, with and without accents
    mapping = scale.mapping()
    for labels, score in zip(scale.points, scale.scores, strict=True):
        for label in labels:
            assert mapping[label.lower()] == score, (scale.name, label)
    assert list(scale.scores) == sorted(scale.scores)
