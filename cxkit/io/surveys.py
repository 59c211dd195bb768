"""Survey tools whose exports need more than column names: Delighted, Typeform, Google Forms.

Qualtrics and SurveyMonkey are recognised by their extra header rows (`cxkit.io.sniff`); these
three by their header. A preset maps roles to columns; `score` is the one answer column of a
tool that exports one survey per file (Delighted): it is the score of the command that reads it.
"""

from __future__ import annotations

from cxkit.io.presets import Preset
from cxkit.io.read import Table
from cxkit.io.roles import normalise

SCORE = "score"  # a preset's answer column, for whichever of nps/csat/ces is asked

PRESETS = {
    # The UI CSV is not documented (EXPORTS.md 1.12); its columns follow the API's response
    # object: a bare Score, Response timestamp in Unix seconds, person properties as
    # `Properties: Plan`.
    "delighted": Preset(
        "delighted",
        ("score", "responsetimestamp", "permalink", "surveytype", "delightedsource",
         "personid", "additionalanswers"),
        {
            SCORE: ["score"],
            "responded_at": ["responsetimestamp", "createdat", "responsedate"],
            "response_id": ["responseid", "id"],
            "customer_id": ["email", "personemail", "personid"],
            "comment": ["comment"],
        },
    ),
    "typeform": Preset(
        "typeform",
        ("#", "submitdateutc", "startdateutc", "stagedateutc", "networkid", "responsetype",
         "ending"),
        {"response_id": ["#"], "responded_at": ["submitdateutc", "startdateutc"]},
    ),
    "google_forms": Preset(
        "google_forms",
        ("timestamp", "horodateur", "marcatemporal"),
        {"responded_at": ["timestamp", "horodateur", "marcatemporal"],
         "customer_id": ["emailaddress", "adresseemail"]},
        label="Google Forms",
        skip=("score",),  # a quiz's total ("7 / 10"), not an answer
    ),
}


def recognise_survey(table: Table) -> Preset | None:
    """Delighted: a bare Score beside one of its own columns (or `Properties: …` columns);
    Typeform: `#` and its (UTC) date columns; Google Forms: `Timestamp` as the first column."""
    headers = {normalise(c) or c for c in table.columns}
    properties = any(c.lower().startswith("properties:") for c in table.columns)
    sig = PRESETS["delighted"].signature
    if "score" in headers and (properties or any(h in headers for h in sig[1:])):
        return PRESETS["delighted"]
    if sum(h in headers for h in PRESETS["typeform"].signature) >= 3:
        return PRESETS["typeform"]
    first = normalise(table.columns[0]) if table.columns else ""
    if first in ("timestamp", "horodateur", "marcatemporal") and len(table.columns) >= 2:
        return PRESETS["google_forms"]
    return None


def preset_roles(table: Table, preset: Preset, wanted: tuple[str, ...]) -> dict[str, str]:
    """role -> column for the wanted roles; the preset's `score` goes to the first wanted
    score role (a report reads a Delighted export as its NPS)."""
    from cxkit.io.presets import preset_columns
    from cxkit.io.roles import SURVEY_SCORE_ROLES

    found = preset_columns(table, preset)
    score = found.pop(SCORE, None)
    out = {r: c for r, c in found.items() if r in wanted}
    asked = [r for r in SURVEY_SCORE_ROLES if r in wanted]
    if score and asked:
        out[asked[0]] = score
    return out
