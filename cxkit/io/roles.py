"""Map the columns of an export to canonical roles (KPIS.md "Inputs").

Names are compared after folding case, accents, spaces and punctuation, in English and French,
so `Note de recommandation`, `Likelihood to recommend`, `Q1_NPS` and `How likely ...` all match.
Qualtrics question labels (header row 2) are matched too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# For each role: (exact names, name fragments, fragments that disqualify), all normalised.
_RULES: dict[str, tuple[set[str] | list[str], tuple[str, ...], tuple[str, ...]]] = {
    "nps_score": (
        {"nps", "npsscore", "scorenps", "notenps", "ltr", "likelihoodtorecommend",
         "recommend", "notederecommandation", "recommandation", "q1nps"},
        ("recommend", "recommand", "nps"),
        ("group", "groupe", "categor", "segment", "type", "comment", "why", "pourquoi",
         "raison", "reason", "text", "date"),
    ),
    # one rule for a survey's CSAT question and a help desk's satisfaction rating (`satisfaction`
    # below is the same rule): a column one command recognises, every command recognises
    "csat_score": (
        {"csat", "csatscore", "satisfaction", "satisfactionscore", "notesatisfaction",
         "scoresatisfaction", "satisfactionrating", "surveyresults", "rating",
         "conversationrating", "conversationratingrating", "satisfactionsurveyscore",
         "ticketsatisfaction", "happiness", "happinessrating", "customerrating", "csatrating"},
        ("csat", "satisf", "happiness", "rating"),
        ("comment", "why", "pourquoi", "raison", "reason", "text", "date", "offered", "remark",
         "updated", "created", "sent", "teammate", "contact", "status", "count", "responserate"),
    ),
    "ces_score": (
        {"ces", "cesscore", "effort", "customereffort", "customereffortscore", "scoreeffort",
         "noteeffort"},
        ("effort", "easy", "facile", "easeof", "ces"),
        ("comment", "why", "pourquoi", "raison", "reason", "text", "date", "logged"),
    ),
    "responded_at": (
        # in order of preference: when the answer was given beats when the survey was opened
        ["respondedat", "responsedate", "datedereponse", "datereponse", "recordeddate",
         "submitdateutc", "submitdate", "submittedat", "enddate", "date", "timestamp",
         "horodateur", "horodatage", "createdat", "createddate", "createdtime", "datetime",
         "startdateutc",
         "startdate"],
        ("date", "horodat", "submitted", "timestamp"),
        ("update", "birth", "naissance", "due"),
    ),
    "customer_id": (
        # ids before emails: `Contact ID` beats `Email` in a Freshdesk export
        ["customerid", "clientid", "idclient", "numeroclient", "contactid", "requesterid",
         "userid", "externalreference", "externaldatareference", "requesterexternalid",
         "primarycustomerid", "customerexternalid",
         "client", "customer", "email", "emailaddress", "requesteremail", "recipientemail",
         "contactemail", "customeremail", "primarycustomeremail", "adresseemail", "courriel"],
        ("customerid", "clientid", "idclient", "customer", "client", "email", "courriel"),
        ("name", "nom", "type", "segment", "rating", "satisf", "score", "waiting", "since",
         "count", "note", "comment", "first", "last"),
    ),
    "response_id": (
        {"responseid", "respondentid", "id", "identifiant", "recordid", "reponseid",
         "idreponse", "token"},
        ("responseid", "respondentid"),
        (),
    ),
    "comment": (
        {"comment", "comments", "commentaire", "commentaires", "verbatim", "feedback",
         "remarks", "remarques", "why", "pourquoi", "opentext"},
        ("comment", "verbatim", "feedback", "pourquoi", "why", "reason", "raison", "explain",
         "expliqu", "improve", "amelior", "suggestion", "tellusmore", "anythingelse",
         "openended"),
        ("date", "count", "code"),
    ),
}

# Ticket exports (Zendesk, Freshdesk, Intercom, generic help desks; EXPORTS.md 1.1-1.5).
_DURATION_BAN = ("business", "within", "status", "sla")
_RULES.update({
    "ticket_id": (
        {"ticketid", "id", "ticketnumber", "ticket", "idticket", "numeroticket", "numerodeticket",
         "conversationid", "caseid", "casenumber", "number", "conversationnumber"},
        ("ticketid", "conversationid", "caseid"),
        (),
    ),
    "created_at": (
        ["createdat", "createdtime", "created", "createddate", "createddatetime", "datecreated",
         "creationdate", "datedecreation", "datecreation", "conversationstartedat",
         "conversationcreatedat", "ticketcreateddate", "ticketcreatedat", "datetimeopened",
         "openeddate", "dateopened", "openedat", "opendate", "dateouverture",
         "datedouverture"],
        ("created", "creation", "startedat", "datetimeopened"),
        ("update", "due", "birth", "user"),
    ),
    "first_response_at": (
        ["firstresponseat", "firstrepliedat", "firstreplyat", "initialresponsetime",
         "conversationfirstrepliedat", "conversationfirstresponseat", "firstresponsedate",
         "datepremierereponse", "firstadminreplyat", "statisticsfirstadminreplyat",
         "firstresponsedatetime", "firstagentreplyat", "firstmessagedatetime"],
        ("firstresponseat", "firstrepliedat", "firstreplyat", "firstresponsedate",
         "firstadminreplyat", "firstresponsedatetime"),
        _DURATION_BAN,
    ),
    "first_response_minutes": (
        ["firstreplytimeinminutes", "firstresponsetimeinhrs", "firstresponsetimeinmins",
         "firstresponsetime", "firstresponseminutes", "firstresponsehours", "frt",
         "timetofirstresponse", "timetoadminreply", "delaipremierereponse"],
        ("firstreplytime", "firstresponsetime", "timetofirstre"),
        _DURATION_BAN,
    ),
    "resolved_at": (
        ["resolvedat", "solvedat", "resolvedtime", "resolveddate", "resolveddatetime",
         "datederesolution", "dateresolution", "ticketsolveddate", "ticketsolvedat", "closedat",
         "closedtime", "closeddate", "closeddatetime", "datetimeclosed", "dateclosed",
         "conversationclosedat", "conversationlastclosedat", "statisticslastcloseat",
         "lastcloseat", "datedecloture", "datecloture", "datedefermeture", "datefermeture"],
        ("resolvedat", "solvedat", "resolvedtime", "closedat", "closedtime", "solveddate",
         "closeddate", "resolveddate", "datetimeclosed", "lastcloseat", "lastclosedat"),
        ("status", "minute", "hour", "hrs", "by", "first"),
    ),
    "resolution_minutes": (
        ["fullresolutiontimeinminutes", "resolutiontimeinhrs", "resolutiontimeinminutes",
         "resolutiontime", "resolutionminutes", "resolutionhours", "timetoresolution",
         "timetoclose", "delairesolution", "dureederesolution"],
        ("resolutiontime", "timetoresol", "timetoclose"),
        _DURATION_BAN + ("first",),
    ),
    "status": (
        {"status", "ticketstatus", "statut", "state", "conversationstate", "etat",
         "casestatus"},
        ("status", "statut"),
        ("resolution", "response", "sla", "every", "financial", "fulfil"),
    ),
    "contacts": (
        {"contacts", "replies", "agentinteractions", "interactions", "exchanges", "touches",
         "numberofreplies", "agentreplies", "countconversationparts", "echanges"},
        ("agentinteraction", "replies", "exchanges"),
        ("time", "minute"),
    ),
    "reopens": (
        {"reopens", "reopencount", "reopened", "countreopens", "statisticscountreopens",
         "reouvertures"},
        ("reopen", "reouvert"),
        (),
    ),
    "fcr": (
        {"fcr", "firstcontactresolution", "resolvedonfirstcontact", "onetouch",
         "closedonfirstcontact", "resolutionaupremiercontact"},
        ("firstcontact", "premiercontact"),
        (),
    ),
    "category": (
        {"category", "ticketcategory", "ticketcategorylist", "categorie", "topic", "motif",
         "reason", "issuecategory", "casereason", "contactreason"},
        ("categor", "topic", "motif"),
        (),
    ),
    "severity": (
        {"severity", "priority", "ticketpriority", "priorite", "gravite", "severite", "urgency"},
        ("priorit", "sever", "gravit"),
        (),
    ),
    "type": (
        {"type", "tickettype", "typedeticket", "typeticket", "typedemande"},
        ("tickettype",),
        (),
    ),
    "is_complaint": (
        {"iscomplaint", "complaint", "reclamation", "plainte", "estunereclamation"},
        ("iscomplaint",),
        (),
    ),
    "tags": ({"tags", "tag", "etiquettes", "labels"}, ("tags",), ()),
    "spam": ({"spam", "isspam", "markedasspam"}, ("isspam",), ()),  # Gorgias: true/false
    "first_response_status": (
        {"firstresponsestatus", "firstresponsesla"}, ("firstresponsestatus",), (),
    ),
    "resolution_status": ({"resolutionstatus", "resolutionsla"}, ("resolutionstatus",), ()),
})
_RULES["satisfaction"] = _RULES["csat_score"]
_RULES["ordered_at"] = (
    ["orderedat", "orderdate", "ordertime", "createdat", "processedat", "paidat", "date",
     "datecommande", "datedecommande", "created", "createddate"],
    ("order", "commande", "created"),
    ("update", "due", "ship", "deliver", "cancel", "refund", "id", "number", "status"),
)
_RULES["order_id"] = (
    ["orderid", "ordernumber", "name", "numerocommande", "commande", "id", "chargeid"],
    ("orderid", "ordernumber", "commande"),
    ("customer", "client", "line", "date"),
)
# Order exports (Shopify, WooCommerce, Stripe, shop databases; EXPORTS.md 1.6-1.8).
_RULES.update({
    "amount": (
        ["amount", "total", "ordertotal", "totalamount", "ordertotalamount", "grandtotal",
         "totalprice", "montant", "montantttc", "montanttotal", "totalttc", "prixtotal",
         "revenue", "netsales", "amountpaid", "value", "price", "prix", "ca"],
        ("amount", "total", "montant", "revenue", "price", "prix"),
        ("refund", "rembours", "tax", "tva", "discount", "remise", "shipping", "livraison",
         "fee", "frais", "count", "quantit", "items", "subtotal", "outstanding", "compare",
         "lineitem", "ht"),
    ),
    "order_status": (
        ["status", "orderstatus", "statut", "statutcommande", "statutdelacommande", "state",
         "financialstatus", "paymentstatus", "etat"],
        ("status", "statut"),
        ("fulfil", "shipping", "delivery", "livraison", "expedition"),
    ),
    "refunded_amount": (
        ["refundedamount", "amountrefunded", "refundamount", "refundtotal", "refunded",
         "totalrefunded", "montantrembourse", "rembourse", "remboursement"],
        ("refund", "rembours"),
        ("date", "time", "status", "reason", "motif", "converted", "count"),
    ),
    "returned": (
        {"returned", "isreturned", "return", "retour", "retourne", "isrefunded"},
        ("returned", "retourn"),
        ("date", "reason", "motif", "amount", "montant"),
    ),
    "cancelled_at": (
        {"cancelledat", "canceledat", "cancelleddate", "canceleddate", "dateannulation",
         "datedannulation"},
        ("cancelledat", "canceledat", "annulation"),
        (),
    ),
    "referred_by": (
        {"referredby", "referrer", "referrerid", "referrercustomerid", "referredbycustomerid",
         "parrain", "parrainid", "idparrain", "sponsor"},
        ("referredby", "referrer", "parrain"),
        (),
    ),
    "acquisition_channel": (
        {"acquisitionchannel", "acquisition", "acquisitionsource", "canaldacquisition",
         "canalacquisition", "utmsource", "firstsource", "customersource", "referralsource",
         "howdidyouhearaboutus"},
        ("acquisition", "utmsource", "howdidyouhear"),
        (),
    ),
})
# Who answered, for the follow-up list (`cxkit followup`): survey roles looked for only there.
_RULES.update({
    "email": (
        ["email", "emailaddress", "recipientemail", "respondentemail", "customeremail",
         "contactemail", "requesteremail", "courriel", "adresseemail", "adressemail",
         "adressecourriel", "mail"],
        ("email", "courriel"),
        ("opt", "consent", "subscri", "verified", "valid", "marketing", "sent", "date",
         "status", "domain", "bounce", "type"),
    ),
    "name": (
        ["name", "fullname", "customername", "clientname", "respondentname", "recipientname",
         "contactname", "requestername", "nom", "nomcomplet", "nomclient", "nomduclient",
         "prenomnom", "recipientfirstname", "firstname", "prenom"],
        ("fullname", "customername", "clientname", "respondentname", "recipientname",
         "contactname", "nomcomplet", "nomclient", "nomduclient"),
        ("user", "file", "survey", "company", "product", "agent", "campaign", "question",
         "entreprise", "societe", "produit", "enquete", "last", "middle"),
    ),
})
CONTACT_ROLES = ("email", "name")
ORDER_ROLES = ("order_id", "customer_id", "ordered_at", "amount", "order_status",
               "refunded_amount", "returned", "cancelled_at", "referred_by",
               "acquisition_channel")
TICKET_ROLES = ("ticket_id", "customer_id", "created_at", "first_response_at",
                "first_response_minutes", "resolved_at", "resolution_minutes", "status",
                "contacts", "reopens", "fcr", "category", "severity", "type", "is_complaint",
                "tags", "satisfaction", "first_response_status", "resolution_status", "spam")

# Fragments that only hint at a role (score 1): a survey often asks several "How likely..."
# questions, and the one about recommending (score 2) is the NPS question. A bare `Score`
# (Delighted, many home-made sheets) is the survey's score when nothing names it better.
_WEAK: dict[str, tuple[str, ...]] = {"nps_score": ("likely", "likelihood", "probabilite")}
_WEAK_EXACT: dict[str, set[str]] = {r: {"score", "note", "answer", "reponse"}
                                    for r in ("nps_score", "csat_score", "ces_score")}

SURVEY_SCORE_ROLES = ("nps_score", "csat_score", "ces_score")
QUESTION_WORDS = 4  # a name of this many words is a question: bans apply to whole words


def normalise(name: str) -> str:
    """`Note de Recommandation (0-10)` -> `notederecommandation010`."""
    return re.sub(r"[^a-z0-9]", "", _fold(name))


def _fold(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", _fold(name)) if w]


@dataclass
class RoleMatch:
    column: str
    role: str
    how: str  # "given", "name", "label"
    rivals: tuple[str, ...] = ()  # other columns that fit the role exactly as well


def _banned(text: str, norm: str, banned: tuple[str, ...]) -> bool:
    """A banned fragment anywhere in a short name (`NPS_Reason`); in a question ("To what extent
    do you agree…") only at the start of a word, so "extent" does not ban "text"."""
    words = _words(text)
    if len(words) >= QUESTION_WORDS:
        return any(w.startswith(b) for w in words for b in banned)
    return any(b in norm for b in banned)


def _score(role: str, text: str) -> float:
    """3 exact (a little more for names earlier in an ordered list), 2 fragment, 1 weak, 0."""
    exact, fragments, banned = _RULES[role]
    norm = normalise(text)
    if not norm:
        return 0
    if norm in exact:
        return 3 + ((len(exact) - exact.index(norm)) / 1000 if isinstance(exact, list) else 0)
    if _banned(text, norm, banned):
        return 0
    if role == "ces_score" and norm.startswith("ces"):
        return 2
    if role == "ces_score" and "ces" in norm and not any(f in norm for f in fragments[:-1]):
        return 0  # "ces" inside an unrelated word ("process", "access") is no match
    if any(f in norm for f in fragments):
        return 2
    if norm in _WEAK_EXACT.get(role, ()):
        return 1
    return 1 if any(f in norm for f in _WEAK.get(role, ())) else 0


def detect_roles(
    columns: list[str], labels: dict[str, str] | None = None, roles: tuple[str, ...] = (),
    originals: dict[str, str] | None = None,
) -> dict[str, RoleMatch]:
    """Best column for each role, by name, then by question label. First column wins ties, and
    the columns it tied with are kept as `rivals` (two `nps` columns: which one is meant?).

    `originals` maps a column renamed by the reader (`nps_2`, a repeated header) to the name
    the export gave it, which is what is scored."""
    labels = labels or {}
    originals = originals or {}
    found: dict[str, RoleMatch] = {}
    used: set[str] = set()
    # Qualtrics writes `Q1_NPS_GROUP` beside the score column `Q1`: that pairing is certain.
    paired = [col[: -len("_NPS_GROUP")] for col in columns
              if col.upper().endswith("_NPS_GROUP") and col[: -len("_NPS_GROUP")] in columns]
    if paired and "nps_score" in roles:
        found["nps_score"] = RoleMatch(paired[0], "nps_score", "name", tuple(paired[1:]))
        used.add(paired[0])
    for role in roles:
        if role in found:
            continue
        best: tuple[float, str, str] | None = None
        ties: list[str] = []
        for col in columns:
            if col in used:
                continue
            by_name = _score(role, originals.get(col, col))
            by_label = _score(role, labels[col]) if col in labels else 0
            score, how = max((by_name, "name"), (by_label, "label"))
            if score and (best is None or score > best[0]):
                best, ties = (score, col, how), []
            elif score and best is not None and score == best[0]:
                ties.append(col)
        if best:
            found[role] = RoleMatch(best[1], role, best[2], tuple(ties))
            used.add(best[1])
    return found

ALL_ROLES = ("nps_score", "csat_score", "ces_score", "responded_at", "customer_id",
             "response_id", "comment")
