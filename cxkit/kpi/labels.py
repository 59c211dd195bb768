"""The answer labels survey tools and help desks write, as scales: one vocabulary for every command.

A label means different things on different scales: "Somewhat satisfied" is 4 of 5 on
SurveyMonkey's bipolar scale and 5 of 7 on a "completely / mostly / somewhat" one; "Good" is the
top of Zendesk's Good/Bad and the middle of "Poor … Excellent". So a column's labels are read
with the one scale that covers most of its distinct labels (ties go to the scale listed first),
never one label at a time. Pure Python, no Polars: the lookups are built once per column.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScale:
    name: str  # how the notice and the rule name it
    measure: str  # csat, ces_effort, ces_agree, nps
    points: tuple[tuple[str, ...], ...]  # lowest first; the labels of each point
    values: tuple[int, ...] | None = None  # the score of each point (default 1, 2, …)

    @property
    def low(self) -> int:
        return self.scores[0]

    @property
    def high(self) -> int:
        return self.scores[-1]

    @property
    def scores(self) -> tuple[int, ...]:
        return self.values or tuple(range(1, len(self.points) + 1))

    def mapping(self) -> dict[str, int]:
        """label -> score; each label also without accents (`tres satisfait`)."""
        out: dict[str, int] = {}
        for labels, score in zip(self.points, self.scores, strict=True):
            for label in labels:
                out[fold(label)] = score
                out[strip_accents(fold(label))] = score
        return out


def fold(text: str) -> str:
    """How a cell is compared: lower case, curly apostrophes straight, one space between words."""
    return " ".join(text.replace("’", "'").replace("`", "'").lower().split())


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NEITHER = ("neither satisfied nor dissatisfied", "neither dissatisfied nor satisfied",
            "neither satisfied or dissatisfied", "neutral", "neutre",
            "ni satisfait ni insatisfait", "ni insatisfait ni satisfait")
_AGREE_NEITHER = ("neither agree nor disagree", "neither disagree nor agree", "neutral",
                  "neutre", "ni d'accord ni pas d'accord", "ni en accord ni en désaccord")

# In order of preference when two scales cover as many labels of a column.
SCALES: tuple[LabelScale, ...] = (
    LabelScale("5-point satisfaction (very satisfied … very dissatisfied)", "csat", (
        ("very dissatisfied", "very unsatisfied"),
        ("dissatisfied", "unsatisfied"),
        _NEITHER,
        ("satisfied",),
        ("very satisfied",),
    )),
    # SurveyMonkey and Qualtrics' 5-point bipolar scale
    LabelScale("5-point satisfaction (very / somewhat satisfied)", "csat", (
        ("very dissatisfied", "extremely dissatisfied"),
        ("somewhat dissatisfied",),
        _NEITHER,
        ("somewhat satisfied",),
        ("very satisfied", "extremely satisfied"),
    )),
    # SurveyMonkey's and Qualtrics' unipolar scale: "How satisfied…" from not at all to extremely
    LabelScale("5-point satisfaction (not at all … extremely satisfied)", "csat", (
        ("not at all satisfied", "not satisfied at all"),
        ("not so satisfied", "not very satisfied", "slightly satisfied"),
        ("somewhat satisfied", "moderately satisfied"),
        ("very satisfied",),
        ("extremely satisfied", "completely satisfied"),
    )),
    LabelScale("5-point satisfaction, French (très satisfait … très insatisfait)", "csat", (
        ("très insatisfait", "pas du tout satisfait", "extrêmement insatisfait"),
        ("insatisfait", "plutôt insatisfait", "peu satisfait", "pas satisfait",
         "plutôt mécontent", "mécontent"),
        _NEITHER,
        ("satisfait", "plutôt satisfait", "assez satisfait", "content", "plutôt content"),
        ("très satisfait", "tout à fait satisfait", "extrêmement satisfait", "très content"),
    )),
    LabelScale("4-point satisfaction, French (très satisfait … pas du tout satisfait)", "csat", (
        ("pas du tout satisfait", "très insatisfait"),
        ("plutôt pas satisfait", "pas très satisfait", "plutôt insatisfait"),
        ("plutôt satisfait",),
        ("très satisfait", "tout à fait satisfait"),
    )),
    # Qualtrics' 7-point bipolar scale
    LabelScale("7-point satisfaction (extremely / moderately / slightly)", "csat", (
        ("extremely dissatisfied",),
        ("moderately dissatisfied",),
        ("slightly dissatisfied",),
        _NEITHER,
        ("slightly satisfied",),
        ("moderately satisfied",),
        ("extremely satisfied",),
    )),
    LabelScale("7-point satisfaction (completely / mostly / somewhat)", "csat", (
        ("completely dissatisfied",),
        ("mostly dissatisfied",),
        ("somewhat dissatisfied",),
        _NEITHER,
        ("somewhat satisfied",),
        ("mostly satisfied",),
        ("completely satisfied",),
    )),
    LabelScale("7-point satisfaction (very / – / somewhat)", "csat", (
        ("very dissatisfied",),
        ("dissatisfied",),
        ("somewhat dissatisfied",),
        _NEITHER,
        ("somewhat satisfied",),
        ("satisfied",),
        ("very satisfied",),
    )),
    LabelScale("7-point satisfaction, French (extrêmement / modérément / légèrement)", "csat", (
        ("extrêmement insatisfait",),
        ("modérément insatisfait",),
        ("légèrement insatisfait",),
        _NEITHER,
        ("légèrement satisfait",),
        ("modérément satisfait",),
        ("extrêmement satisfait",),
    )),
    # Zendesk's legacy CSAT (Good/Bad, also from its API), read on 1-5: CSAT = good/(good+bad)
    LabelScale("Good / Bad (Zendesk)", "csat", (
        ("bad", "bad_with_comment", "bad with comment", "negative", "mauvais", "no", "non",
         "thumbs down"),
        ("good", "good_with_comment", "good with comment", "positive", "bon", "yes", "oui",
         "thumbs up"),
    ), values=(1, 5)),
    # Help Scout's ratings, Freshdesk's classic survey
    LabelScale("3-point rating (great / okay / not good)", "csat", (
        ("not good", "bad"),
        ("okay", "ok", "just okay", "average"),
        ("great", "awesome", "good"),
    )),
    LabelScale("5-point rating (poor … excellent)", "csat", (
        ("poor", "very poor", "mauvais", "très mauvais"),
        ("fair", "passable", "moyen", "médiocre"),
        ("good", "bon", "bien"),
        ("very good", "très bon", "très bien"),
        ("excellent",),
    )),
    LabelScale("5-point effort (very easy … very difficult)", "ces_effort", (
        ("very easy", "very low effort", "extremely easy", "très facile", "très peu d'effort"),
        ("easy", "low effort", "somewhat easy", "fairly easy", "facile", "plutôt facile",
         "peu d'effort"),
        ("neither easy nor difficult", "neither easy nor hard", "neutral", "moderate effort",
         "neutre", "ni facile ni difficile", "effort modéré"),
        ("difficult", "hard", "high effort", "somewhat difficult", "fairly difficult",
         "difficile", "plutôt difficile", "beaucoup d'effort"),
        ("very difficult", "very hard", "very high effort", "extremely difficult",
         "très difficile", "énormément d'effort"),
    )),
    # the 1-7 agreement form of CES 2.0 ("The company made it easy to handle my issue")
    LabelScale("7-point agreement (strongly disagree … strongly agree)", "ces_agree", (
        ("strongly disagree", "pas du tout d'accord", "tout à fait en désaccord",
         "fortement en désaccord"),
        ("disagree", "pas d'accord", "en désaccord"),
        ("somewhat disagree", "slightly disagree", "plutôt pas d'accord", "plutôt en désaccord"),
        _AGREE_NEITHER,
        ("somewhat agree", "slightly agree", "plutôt d'accord"),
        ("agree", "d'accord"),
        ("strongly agree", "tout à fait d'accord", "fortement d'accord"),
    )),
    LabelScale("0-10 likelihood (not at all likely … extremely likely)", "nps", (
        ("not at all likely", "not likely at all", "pas du tout probable",
         "très peu probable"),
        ("extremely likely", "très probable", "extrêmement probable"),
    ), values=(0, 10)),
)


def scales_for(measure: str, points: int | None = None) -> list[LabelScale]:
    """The label scales of a measure (`ces` covers both CES forms), optionally of one size."""
    found = [s for s in SCALES if s.measure == measure or s.measure.startswith(measure + "_")]
    return [s for s in found if points is None or s.high == points or len(s.points) == points]


def choose(labels: list[str], candidates: list[LabelScale]) -> LabelScale | None:
    """The scale covering most distinct labels (folded); ties go to the one listed first.

    None when no candidate knows any of the labels."""
    distinct = {strip_accents(fold(x)) for x in labels if x and x.strip()}
    best, best_hits = None, 0
    for scale in candidates:
        known = {strip_accents(k) for k in scale.mapping()}
        hits = len(distinct & known)
        if hits > best_hits:
            best, best_hits = scale, hits
    return best


def union(candidates: list[LabelScale]) -> dict[str, int]:
    """Every label of the candidates; the first scale's meaning wins (for labels no sample saw)."""
    out: dict[str, int] = {}
    for scale in reversed(candidates):
        out.update(scale.mapping())
    return out
