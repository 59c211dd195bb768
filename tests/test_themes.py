"""`cxkit themes`: tokeniser rules, the Monroe, Colaresi & Quinn log-odds, and the command."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter

import numpy as np
import polars as pl
import pytest
from conftest import SURVEY_HEADER, SURVEY_ROWS, cxkit_in_process, write_csv

from cxkit.kpi.text import themes, tokenise
from cxkit.kpi.text.sides import CAT, SIDE, TEXT, WEIGHT, Answers
from cxkit.kpi.text.tokenise import terms_of


@pytest.fixture(scope="module", autouse=True)
def themes_command():
    """`cxkit themes` on the app, as cxkit/cli/main.py will register it (once)."""
    from cxkit.cli import themes as command
    from cxkit.cli.main import app

    if not any(c.name == "themes" for c in app.registered_commands):
        command.register(app)


# ------------------------------------------------------------------------------------------------
# The worked examples of the fightin_words README (Wigder/fightin_words, README.md, "Uninformed
# example" and "Informed example"; MIT). There the counts are token counts (scikit-learn's
# CountVectorizer: lower-cased words of 2+ characters, no stop words), nⁱ the sum of side i's
# counts and α₀ the sum of the priors: the inputs of `themes.log_odds`.

DOC1 = "the quick brown fox jumps over the lazy pig"
DOC2 = "the lazy purple pig jumps over the lazier donkey"
DOC2_VERY = "the lazy purple pig jumps over the " + (1000 * "very ") + "sleepy donkey"


def readme_counts(doc1: str, doc2: str) -> pl.DataFrame:
    one, two = Counter(doc1.split()), Counter(doc2.split())
    words = sorted(set(one) | set(two))
    return pl.DataFrame({"term": words, "y_i": [one[w] for w in words],
                         "y_j": [two[w] for w in words]})


def z_scores(counts: pl.DataFrame, alpha) -> dict[str, float]:
    out = themes.log_odds(counts, alpha).collect()
    return dict(zip(out["term"], out["z"], strict=True))


def test_fightin_words_uninformed_example():
    z = z_scores(readme_counts(DOC1, DOC2), 0.05)
    # by hand for "quick": y = 1 vs 0, n = 9 and 9, α = 0.05, α₀ = 11 x 0.05 = 0.55
    # δ = ln(1.05 / 8.5) - ln(0.05 / 9.5) = 3.1557; σ² = 1/1.05 + 1/0.05 = 20.952
    assert z["quick"] == pytest.approx(0.6894227886807968, abs=1e-12)
    expected = {"donkey": -0.6894227886807968, "lazier": -0.6894227886807968,
                "purple": -0.6894227886807968, "jumps": 0.0, "lazy": 0.0, "over": 0.0, "pig": 0.0,
                "the": 0.0, "brown": 0.6894227886807968, "fox": 0.6894227886807968,
                "quick": 0.6894227886807968}
    assert z == pytest.approx(expected, abs=1e-12)


def test_fightin_words_uninformed_example_with_very():
    z = z_scores(readme_counts(DOC1, DOC2_VERY), 0.05)
    expected = {"very": -2.2144429606255946, "donkey": 0.3528670051726073,
                "purple": 0.3528670051726073, "sleepy": 0.3528670051726073,
                "brown": 1.7074955767167836, "fox": 1.7074955767167836,
                "quick": 1.7074955767167836, "jumps": 3.4564380059373603,
                "lazy": 3.4564380059373603, "over": 3.4564380059373603,
                "pig": 3.4564380059373603, "the": 4.954523357120953}
    assert z == pytest.approx(expected, abs=1e-12)


def test_fightin_words_informed_example():
    counts = readme_counts(DOC1, DOC2_VERY)
    # the README shrinks "very" with a prior of 1 / its count (1000); every other word 0.05
    prior = pl.when(pl.col("term") == "very").then(1.0 / 1000).otherwise(0.05)
    expected = {"very": -0.4368846171934332, "purple": 0.3539801999989518,
                "sleepy": 0.3539801999989518, "donkey": 0.3539801999989518,
                "quick": 1.7087406001344665, "brown": 1.7087406001344665,
                "fox": 1.7087406001344665, "jumps": 3.4605672465974453,
                "over": 3.4605672465974453, "lazy": 3.4605672465974453,
                "pig": 3.4605672465974453, "the": 4.961066225017743}
    assert z_scores(counts, prior) == pytest.approx(expected, abs=1e-12)


def test_informative_prior_spreads_the_strength_as_the_terms_are_used():
    counts = pl.DataFrame({"term": ["a", "b"], "y_i": [3, 1], "y_j": [1, 5]})
    # pooled counts 4 and 6 (total 10): α_w = 100 x 4/10, 100 x 6/10
    alpha = counts.select(themes.informative_prior(100).alias("a"))["a"].to_list()
    assert alpha == pytest.approx([40.0, 60.0])
    # the default is α₀ = the total itself: each term's prior is its own pooled count
    assert counts.select(themes.informative_prior(None).alias("a"))["a"].to_list() == [4.0, 6.0]


def test_random_halves_list_almost_nothing():
    """An A/A check: comments split at random between two sides (fixed seed). The default
    prior makes |z| >= 1.96 a strict bar: under the null z has a variance near 1/3, so a term
    is listed about as often as a 3.4-sigma event, not at the nominal 5 % of every term."""
    rng = np.random.default_rng(2008)
    words = np.array([f"word{i}" for i in range(60)])
    texts = [" ".join(rng.choice(words, 4)) for _ in range(4000)]
    docs = pl.DataFrame({TEXT: texts, WEIGHT: [1] * len(texts),
                         SIDE: rng.integers(0, 2, len(texts)), CAT: [None] * len(texts)},
                        schema={TEXT: pl.String, WEIGHT: pl.UInt32, SIDE: pl.Int8, CAT: pl.Int8})
    pairs, _ = themes.term_pairs(docs)
    scored = themes.log_odds(themes.term_counts(pairs), themes.informative_prior()).collect()
    tested = scored.filter((pl.col("y_i") + pl.col("y_j")) >= themes.MIN_COUNT)
    listed = tested.filter(pl.col("z").abs() >= themes.Z_MIN).height
    assert tested.height > 900  # 60 words and the phrases found 5 times or more
    assert listed / tested.height < 0.01


# ------------------------------------------------------------------------------------------------
# Tokeniser rules (tokenise.py docstring), checked by hand


@pytest.mark.parametrize("text, terms", [
    # French elisions come off, straight or curly apostrophe
    ("l'accueil", ["accueil"]),
    ("L’accueil", ["accueil"]),
    ("d‘attente", ["attente"]),
    ("qu'il soit livré jusqu'à lorsqu'il pleut", ["livré", "pleut"]),
    ("aujourd'hui", []),  # an apostrophe inside a word stays; and it is a stop word
    # stop words are dropped, and no phrase holds one
    ("the delivery was late", ["delivery", "late"]),
    ("Délai de livraison", ["délai", "livraison"]),
    # negations and intensifiers open a phrase but are no term alone
    ("not delivered", ["delivered", "not delivered"]),
    ("Le SAV n'a jamais répondu", ["sav", "répondu", "jamais répondu"]),
    ("Très bon accueil", ["bon", "accueil", "très bon", "bon accueil"]),
    # accents are kept in what is shown
    ("Livraison très rapide", ["livraison", "rapide", "très rapide"]),
    # phrases never cross punctuation
    ("Livraison rapide, colis abîmé", ["livraison", "rapide", "colis", "abîmé",
                                       "livraison rapide", "colis abîmé"]),
    ("rapide (colis) abîmé… retard! remboursé", ["rapide", "colis", "abîmé", "retard",
                                                  "remboursé"]),
    ("slow delivery - rude agent", ["slow", "delivery", "rude", "agent", "slow delivery",
                                    "rude agent"]),
    # one term once per comment, and no phrase of one word twice
    ("late late late delivery", ["late", "delivery", "late delivery"]),
    # e-mail addresses, web addresses and phone numbers are never terms
    ("write to jane.doe@example.com or +33 6 12 34 56 78 refund", ["write", "refund"]),
    ("see https://shop.example.com/help now", ["see"]),
    ("customer's e-mail", ["customer", "e-mail", "customer e-mail"]),
    ("", []),
    ("40 minutes", ["minutes"]),  # numbers are not terms
])
def test_terms_of_a_comment(text, terms):
    assert terms_of([text]) == [terms]


def test_stop_words_and_openers_are_apart():
    stops, openers = tokenise.vocabulary()
    assert 400 <= len(stops) <= 700  # a few hundred English and French function words
    assert not set(stops) & set(openers)
    assert {"the", "and", "le", "de", "tres"} - set(stops) == {"tres"}  # très: an opener
    assert {"not", "pas", "jamais", "tres", "very"} <= set(openers)


def docs_of(rows: list[tuple[str, int]]) -> pl.DataFrame:
    """(comment, side) rows as the docs of `Answers`: one row each, no NPS category."""
    return pl.DataFrame({TEXT: [r[0] for r in rows], WEIGHT: [1] * len(rows),
                         SIDE: [r[1] for r in rows], CAT: [None] * len(rows)},
                        schema={TEXT: pl.String, WEIGHT: pl.UInt32, SIDE: pl.Int8, CAT: pl.Int8})


def test_counts_are_comments_not_occurrences():
    pairs, toks = themes.term_pairs(docs_of([("late late late", 0), ("late again", 0),
                                             ("on time", 1)]))
    counts = themes.term_counts(pairs)
    names = toks.words.select("kid", "key").unique().sort("kid")["key"].to_list()
    late = counts.filter(pl.col("term") == names.index("late") + 1)
    assert late.select("y_i", "y_j").row(0) == (2, 0)  # 2 comments, not 4 occurrences


def test_accents_compared_folded_and_shown_as_most_written():
    rows = [("Très lent", 0)] * 12 + [("tres lent", 0)] * 5 + [("Rapide", 1)] * 15
    ans = Answers(docs_of(rows), ["a", "b"], {"a": 17, "b": 15}, None, {}, "test")
    result = themes.compute(ans, min_count=1)
    shown = {t["term"]: t["count"] for t in result.terms}
    # "très lent" and "tres lent" are one term, counted 17 times, shown as most wrote it
    assert shown["très lent"] == {"a": 17, "b": 0}
    assert "tres lent" not in shown


def test_examples_of_a_term_are_masked():
    rows = ([("Late delivery, call me on 06 12 34 56 78", 0)] * 11
            + [("late delivery: jane.doe@example.com", 0)] + [("Great service", 1)] * 12)
    ans = Answers(docs_of(rows), ["a", "b"], {"a": 12, "b": 12}, None, {}, "test")
    late = next(t for t in themes.compute(ans).terms if t["term"] == "late delivery")
    assert late["examples"] == ["Late delivery, call me on [phone]", "late delivery: [email]"]
    assert late["nps_impact"] is None  # no NPS answers


def test_examples_are_masked():
    masked = pl.select(tokenise.masked(pl.lit(
        "Call me on 06 12 34 56 78 or +44 20 7946 0958, or mail jane.doe@example.com\n  now"
    ))).item()
    assert masked == "Call me on [phone] or [phone], or mail [email] now"
    # a date, a price or a short number is not a phone number
    keep = "Ordered 2025-03-14, paid 129.90, order 4521"
    assert pl.select(tokenise.masked(pl.lit(keep))).item() == keep


# ------------------------------------------------------------------------------------------------
# The command, with numbers worked by hand

def hand_file(folder):
    """36 answers. Sides: detractors (0-6) and promoters (9-10); comments once per term.

    rows  1-10  detractors  "Late delivery"
    row  11     detractor   "=LATE delivery!"               (the same terms; a formula-like text)
    row  12     detractor   "late delivery - late delivery"  (counted once; " - " is a break)
    rows 13-28  promoters   "Great service"  (score 10)
    rows 29-32  promoters   "Fast delivery"  (score 9)
    rows 33-34  passives    "Late delivery"  (7, 8: on no side, but in the NPS of all answers)
    row  35     detractor   no comment
    row  36     "x"         "Late delivery"  (no valid score: on no side, not in the NPS)
    """
    scores = [6, 5, 4, 3, 2, 1, 0, 6, 5, 4, 3, 2]
    rows = [(str(i + 1), str(s), "Late delivery") for i, s in enumerate(scores[:10])]
    rows += [("11", "3", "=LATE delivery!"), ("12", "2", "late delivery - late delivery")]
    rows += [(str(i), "10", "Great service") for i in range(13, 29)]
    rows += [(str(i), "9", "Fast delivery") for i in range(29, 33)]
    rows += [("33", "7", "Late delivery"), ("34", "8", "Late delivery"), ("35", "3", ""),
             ("36", "x", "Late delivery")]
    return write_csv(folder / "answers.csv", ("id", "nps", "comment"), rows)


# Counts (y_det, y_pro), once per comment: late 12,0; delivery 12,4; late delivery 12,0;
# great 0,16; service 0,16; great service 0,16; fast 0,4; fast delivery 0,4.
# nⁱ = 36 (12 x 3), nʲ = 60 (16 x 3 + 4 x 3); α₀ = 96 (default: the total), α_w = y_det + y_pro.
#   late delivery: α = 12; δ = ln(24 / (36 + 96 - 24)) - ln(12 / (60 + 96 - 12))
#                  = ln(2/9) - ln(1/12) = ln(8/3) = 0.98083; σ = √(1/24 + 1/12) = 0.35355;
#                  z = 2.77420
#   delivery:      α = 16; δ = ln(28/104) - ln(20/136) = 0.60474; σ = √(1/28 + 1/20) = 0.29277;
#                  z = 2.06557
#   great service: α = 16; δ = ln(16/116) - ln(32/124) = -0.62646; σ = √(1/16 + 1/32) = 0.30619;
#                  z = -2.04600: promoters, 2.05 toward them
#   late, great, service: the same comments as "late delivery" / "great service": not listed;
#   fast, fast delivery: 4 comments < --min-count 5.
# NPS of all answers (rows 1-35): 20 promoters, 13 detractors, 2 passives: 100 x 7 / 35 = 20.0
#   without "late delivery" (rows 1-12, 33, 34): 20 P, 1 D of 21 -> 90.476: impact -70.5
#   without "delivery" (also 29-32): 16 P, 1 D of 17 -> 88.235: impact -68.2
#   without "great service" (13-28): 4 P, 13 D of 19 -> -47.368: impact +67.4
HAND_TERMS = [
    ("late delivery", "detractors", 2.77, 0.98, 12, 0, -70.5),
    ("delivery", "detractors", 2.07, 0.6, 12, 4, -68.2),
    ("great service", "promoters", 2.05, 0.63, 0, 16, 67.4),
]


def run_json(capsys, *args) -> dict:
    run = cxkit_in_process(capsys, "themes", *args, "--format", "json")
    assert run.returncode == 0, run
    assert "Traceback" not in run.stderr
    return json.loads(run.stdout)


def test_hand_worked_example(capsys, tmp_path):
    data = run_json(capsys, hand_file(tmp_path))
    assert data["kpi"] == "themes"
    assert data["sides"] == ["detractors", "promoters"]
    assert data["n"] == {"detractors": 12, "promoters": 20}
    assert data["mentions"] == {"detractors": 36, "promoters": 60}
    assert data["prior_strength"] == 96.0
    assert data["dropped"] == {"no_comment": 1, "neither_side": 3}
    got = [(t["term"], t["side"], t["z"], t["log_odds"], t["count"]["detractors"],
            t["count"]["promoters"], t["nps_impact"]) for t in data["terms"]]
    assert got == HAND_TERMS
    first = data["terms"][0]
    # the most frequent texts first, then alphabetical ("=" sorts before "L" and "l")
    assert first["examples"] == ["Late delivery", "=LATE delivery!",
                                 "late delivery - late delivery"]
    assert data["terms"][2]["examples"] == ["Great service"]
    assert "NPS of all answers - NPS of the answers without the term" in data["rule"]
    assert data["columns"] == {"comment": "comment", "nps_score": "nps"}


def test_exact_values_before_rounding(tmp_path):
    from cxkit.io import LoadOptions, load
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.text.sides import Split, answers

    loaded = load(LoadOptions([str(hand_file(tmp_path))]), ("comment", "nps_score"),
                  ("comment", "nps_score"), {})
    ans = answers(loaded.lf, Split.parse(None, None), Scope())
    assert ans.population == (35, 20, 13)
    pairs, _ = themes.term_pairs(ans.docs)
    listed = themes.rank(themes.term_counts(pairs), themes.informative_prior(), ans.population,
                         10, 5)
    z = {row[:2]: row[2] for row in listed.select("y_i", "y_j", "z").iter_rows()}
    assert z[12, 0] == pytest.approx(math.log(8 / 3) / math.sqrt(1 / 24 + 1 / 12))
    assert z[12, 4] == pytest.approx((math.log(28 / 104) - math.log(20 / 136))
                                     / math.sqrt(1 / 28 + 1 / 20))
    assert z[0, 16] == pytest.approx((math.log(16 / 116) - math.log(32 / 124))
                                     / math.sqrt(1 / 16 + 1 / 32))


def test_prior_strength_and_min_count(capsys, tmp_path):
    path = hand_file(tmp_path)
    # α₀ = 9.6: α_w = 9.6 x 12 / 96 = 1.2 for "late delivery":
    # δ = ln(13.2 / (36 + 9.6 - 13.2)) - ln(1.2 / (60 + 9.6 - 1.2)) = 3.41681, σ = √(1/13.2 + 1/1.2)
    data = run_json(capsys, path, "--prior-strength", "9.6", "--min-count", "4", "--top", "1")
    first = data["terms"][0]
    delta = math.log(13.2 / 32.4) - math.log(1.2 / 68.4)
    assert first["term"] == "late delivery"
    assert first["z"] == round(delta / math.sqrt(1 / 13.2 + 1 / 1.2), 2)
    assert [t["side"] for t in data["terms"]] == ["detractors", "promoters"]  # --top 1
    assert "α₀ = 9.6 (given)" in data["rule"]


def read_rows(text: str, sep: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_one_row_per_term(capsys, tmp_path, fmt, sep):
    run = cxkit_in_process(capsys, "themes", hand_file(tmp_path), "--format", fmt)
    assert run.returncode == 0, run
    assert run.stdout.splitlines()[0].split(sep) == [
        "side", "rank", "term", "z", "log_odds", "count_detractors", "count_promoters",
        "nps_impact", "example_1", "example_2", "example_3"]
    rows = read_rows(run.stdout, sep)
    assert [(r["side"], r["rank"], r["term"], r["z"]) for r in rows] == [
        ("detractors", "1", "late delivery", "2.77"), ("detractors", "2", "delivery", "2.07"),
        ("promoters", "1", "great service", "2.05")]
    # text from the data is neutralised against spreadsheet formulas
    assert rows[0]["example_2"] == "'=LATE delivery!"
    assert rows[2]["example_2"] == ""


def test_ndjson_markdown_and_table(capsys, tmp_path):
    path = hand_file(tmp_path)
    run = cxkit_in_process(capsys, "themes", path, "--format", "ndjson")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["term"], r["nps_impact"]) for r in lines] == [
        ("late delivery", -70.5), ("delivery", -68.2), ("great service", 67.4)]
    md = cxkit_in_process(capsys, "themes", path, "--format", "markdown").stdout.splitlines()
    assert len(md) == 2 + 3 and all(line.startswith("|") and line.endswith("|") for line in md)
    assert "| detractors | 1 | late delivery | 2.77 |" in md[2]
    table = cxkit_in_process(capsys, "themes", path, "--format", "table")
    assert table.returncode == 0, table
    out = table.stdout
    assert "detractors (12 comments) vs promoters (20)" in out
    assert "More often said by detractors (2)" in out
    assert "More often said by promoters (1)" in out
    assert "late delivery" in out and "2.77" in out and "-70.5" in out


def test_output_file_follows_its_extension(capsys, tmp_path):
    path, out = hand_file(tmp_path), tmp_path / "themes.json"
    run = cxkit_in_process(capsys, "themes", path, "-o", out)
    assert run.returncode == 0 and run.stdout == "", run
    assert json.loads(out.read_text(encoding="utf-8"))["terms"][0]["term"] == "late delivery"
    default = cxkit_in_process(capsys, "themes", path)  # off a terminal: csv
    assert default.stdout.startswith("side,rank,term,")


def test_help_opens_with_an_example(capsys):
    run = cxkit_in_process(capsys, "themes", "--help")
    assert run.returncode == 0
    text = run.stdout
    assert text.index("Example:") < text.index("--text")
    assert "cxkit themes responses.csv" in text


# ------------------------------------------------------------------------------------------------
# Sides other than detractors vs promoters

def sides_file(folder):
    """Per plan: pro 12 "slow app", basic 12 "fast app"; January 12 "slow app", February
    12 "fast app" (the dates follow the plans); CSAT 1 with "slow app", 5 with "fast app"."""
    rows = [(str(i), "2025-01-10", "pro", "0", "1", "Slow app") for i in range(12)]
    rows += [(str(i), "2025-02-10", "basic", "10", "5", "Fast app") for i in range(12, 24)]
    return write_csv(folder / "sides.csv", ("id", "date", "plan", "nps", "csat", "comment"), rows)


# Each side: 12 comments, "slow" or "fast", the phrase, and "app" on both sides (12, 12).
# "slow" and "slow app" are the same comments: "slow app" listed, z = ln(24/(36+72-24)) -
# ln(12/(36+72-12)) over √(1/24 + 1/12) = 2.34 (α₀ = 72, α = 12), as "fast app" toward the other.
@pytest.mark.parametrize("args, sides, first", [
    (("--split", "csat"), ["not_satisfied", "satisfied"], "slow app"),
    (("--split", "plan"), ["basic", "pro"], "fast app"),
    (("--split", "plan=pro"), ["pro", "not pro"], "slow app"),
    (("--split", "Plan=PRO"), ["pro", "not pro"], "slow app"),  # names and values forgiving case
    (("--period", "month"), ["2025-02", "2025-01"], "fast app"),
])
def test_other_sides(capsys, tmp_path, args, sides, first):
    data = run_json(capsys, sides_file(tmp_path), *args)
    assert data["sides"] == sides
    assert data["n"] == dict.fromkeys(sides, 12)
    assert [(t["term"], t["side"], t["z"]) for t in data["terms"]] == [
        (first, sides[0], 2.34), ({"slow app": "fast app"}.get(first, "slow app"), sides[1], 2.34)]


def test_a_column_of_more_than_two_values_needs_one(capsys, tmp_path):
    path = write_csv(tmp_path / "three.csv", ("nps", "plan", "comment"),
                     [("9", p, "ok") for p in ("a", "b", "c")])
    run = cxkit_in_process(capsys, "themes", path, "--split", "plan")
    assert run.returncode == 2, run
    assert "3 values (a, b, c)" in run.stderr and "--split plan=VALUE" in run.stderr
    missing = cxkit_in_process(capsys, "themes", path, "--split", "plan=z")
    assert missing.returncode == 2 and "values of plan: a, b, c" in missing.stderr


@pytest.mark.parametrize("args, message", [
    (("--split", "plan", "--period", "month"), "one comparison at a time"),
    (("--prior-strength", "0"), "--prior-strength 0: not a positive number"),
    (("--prior-strength", "nan"), "not a positive number"),
    (("--top", "0"), "--top"),
])
def test_bad_options_are_usage_errors(capsys, tmp_path, args, message):
    run = cxkit_in_process(capsys, "themes", hand_file(tmp_path), *args)
    assert run.returncode == 2, run
    assert message in run.stderr and run.stdout == ""


# ------------------------------------------------------------------------------------------------
# Bad input

def test_no_comment_column_names_the_fix(capsys, tmp_path):
    path = write_csv(tmp_path / "survey.csv", SURVEY_HEADER, SURVEY_ROWS)
    run = cxkit_in_process(capsys, "themes", path)
    assert run.returncode == 65, run
    assert run.stdout == "" and "Traceback" not in run.stderr
    assert "survey.csv" in run.stderr and "--text" in run.stderr


def test_too_few_comments_gives_no_terms_and_says_why(capsys, tmp_path):
    rows = [("0", "Late delivery")] * 3 + [("10", "Great service")] * 12
    path = write_csv(tmp_path / "few.csv", ("nps", "comment"), rows)
    run = cxkit_in_process(capsys, "themes", path, "--format", "json")
    assert run.returncode == 0, run
    data = json.loads(run.stdout)
    assert data["terms"] == []
    assert data["n"] == {"detractors": 3, "promoters": 12}
    assert data["rule"].startswith("too few comments to compare: detractors 3, promoters 12 "
                                   "(each side needs 10)")
    assert "cxkit: warning:" in run.stderr and "too few comments" in run.stderr
    for fmt in ("csv", "markdown", "table"):
        out = cxkit_in_process(capsys, "themes", path, "--format", fmt)
        assert out.returncode == 0, out
    assert cxkit_in_process(capsys, "themes", path, "-f", "ndjson").stdout == ""


def test_header_only_file(capsys, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("nps,comment\n", encoding="utf-8")
    data = run_json(capsys, path)
    assert data["terms"] == [] and data["n"] == {"detractors": 0, "promoters": 0}
