"""Across sources (KPIS.md "Across sources"): NPS x revenue and the follow-up list.

Survey answers and orders are joined on the customer id:

1. `latest_answers` keeps the rows with a usable NPS score (parsed as `cxkit nps` parses it), a
   customer id and a date, and of each customer the latest answer (by date; on the same day the
   last row). Every other row is counted as dropped, by reason.
2. `match_orders` joins them to the orders on the normalised id (trimmed, inner whitespace
   collapsed to one space, lower case) and counts how each id matched: `exact` (the same text),
   `case_or_spaces` (only after normalising), `unmatched` (no order of that customer at all).
3. `nps_revenue` (a KpiResult) and `followup` (a report Section) read that one joined frame.

Polars expressions on LazyFrames throughout; the frames that reach Python are one row per
category (NPS x revenue) or the output list itself (the follow-up list).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from cxkit.kpi import stats
from cxkit.kpi.grouping import DAY_KEY, EXCLUDED, NO_DATE, OK, RAW, STATUS, status_expr
from cxkit.kpi.report import Section
from cxkit.kpi.result import Group, KpiResult, _num
from cxkit.kpi.specs import money_sum
from cxkit.kpi.survey import Nps, _score_reasons

CATEGORIES = ("promoter", "passive", "detractor")
COUNT_NAMES = {"promoter": "promoters", "passive": "passives", "detractor": "detractors"}
ANSWER_REASONS = ("missing", "invalid", "out_of_range", "missing_customer_id", "missing_date",
                  "invalid_date")
TEXT_ROLES = ("email", "name", "comment")  # carried along for the follow-up list
KEY = "__key"  # the normalised customer id both sides are joined on
_ROW = "__row"
WINDOW_DAYS = 90
DEFAULT_FLAGS = {"responses": "--customer", "orders": "--orders-customer"}

FOLLOWUP_COLUMNS = ["customer_id", "email", "name", "score", "category", "comment", "answered"]
ORDER_COLUMNS = ["orders", "revenue_to_date", "last_order", "revenue_at_risk"]
REDACTED = ("email", "name")


def id_key(expr: pl.Expr) -> pl.Expr:
    """The matching key of a customer id: `  Jane.Doe@X.com ` -> `jane.doe@x.com`,
    `C 12` and `c  12` -> `c 12` (trimmed, inner whitespace collapsed, lower case)."""
    text = expr.cast(pl.String).str.strip_chars()
    return text.str.replace_all(r"\s+", " ").str.to_lowercase()


def _text(name: str) -> pl.Expr:
    """A text column, trimmed, with empty cells as null."""
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text).alias(name)


@dataclass
class Answers:
    """One row per customer: their latest usable NPS answer, and what was dropped on the way.

    Columns of `frame`: customer_id (as written, trimmed), `KEY`, score (Int64), category,
    answered (Date), and email, name, comment (String, null when the export has none)."""

    frame: pl.DataFrame
    dropped: dict[str, int]
    rows: int  # rows read


def latest_answers(lf: pl.LazyFrame, day_format: str | None = None, since: date | None = None,
                   until: date | None = None) -> Answers:
    """From the frame `cxkit.io.load` returns for the roles nps_score, customer_id and
    responded_at (with `need_date`, so it has DAY_KEY), plus any of email, name, comment.

    `day_format` is `Loaded.day_format`; `since`/`until` (inclusive) bound the answer date."""
    from cxkit.io.dates import in_range

    schema = lf.collect_schema()
    names = schema.names()
    score_reasons, score = _score_reasons(Nps(), schema["nps_score"])
    if day_format:
        key = pl.col(DAY_KEY)
        day = in_range(key.str.strptime(pl.Date, day_format, strict=False), pl.Date)
        no_date = key.is_null() | (key.str.strip_chars() == "")
    else:
        day = pl.col(DAY_KEY).cast(pl.Date)
        no_date = pl.col(NO_DATE) if NO_DATE in names else pl.col(DAY_KEY).is_null()
    cid = pl.col("customer_id").cast(pl.String).str.strip_chars()
    base = lf.with_row_index(_ROW).with_columns(
        pl.col("nps_score").alias(RAW), cid.alias("customer_id"),
        id_key(pl.col("customer_id")).alias(KEY), day.alias("answered"),
        no_date.alias("__no_date_"),
    )
    reasons = [("preview_or_test", pl.col(EXCLUDED))] if EXCLUDED in names else []
    reasons += score_reasons
    reasons += [
        ("missing_customer_id", pl.col(KEY).is_null() | (pl.col(KEY) == "")),
        ("missing_date", pl.col("__no_date_")),
        ("invalid_date", pl.col("answered").is_null()),
    ]
    if since is not None or until is not None:
        outside = pl.lit(False)
        if since is not None:
            outside = outside | (pl.col("answered") < since)
        if until is not None:
            outside = outside | (pl.col("answered") > until)
        reasons.append(("outside_dates", outside))
    base = base.with_columns(status_expr(reasons), score.alias("score"))

    counts_q = base.group_by(STATUS).agg(pl.len().alias("rows"))
    ok = base.filter(pl.col(STATUS) == OK)
    # the latest answer of each customer: latest day, then the last row of that day
    latest = ok.filter(pl.col(_ROW) == pl.col(_ROW).sort_by(["answered", _ROW]).last().over(KEY))
    score_int = pl.col("score").cast(pl.Int64)
    category = (pl.when(score_int >= 9).then(pl.lit("promoter"))
                .when(score_int >= 7).then(pl.lit("passive"))
                .otherwise(pl.lit("detractor")))
    texts = [_text(r) if r in names else pl.lit(None, dtype=pl.String).alias(r)
             for r in TEXT_ROLES]
    latest_q = latest.select(pl.col("customer_id"), pl.col(KEY), score_int.alias("score"),
                             category.alias("category"), pl.col("answered"), *texts).sort(KEY)
    counts, frame = pl.collect_all([counts_q, latest_q], engine="streaming")
    by_status = dict(zip(counts[STATUS].to_list(), counts["rows"].to_list(), strict=True))
    dropped = {r: int(by_status.get(r, 0)) for r, _ in reasons}
    dropped["earlier_answer"] = int(by_status.get(OK, 0)) - frame.height
    return Answers(frame, dropped, int(counts["rows"].sum()))


@dataclass
class Matched:
    """The answers joined to the orders: one row per answering customer.

    Columns of `frame`: those of `Answers.frame`, and `matched` (an order customer has the same
    key), `exact` (null when unmatched), `orders` (completed orders), `priced` (those with an
    amount), `revenue` (their amounts; 0.0 for a matched customer without completed orders),
    `last_order` (Date), `again` (a completed order within the window after answering) and
    `eligible` (the window ended by `as_of`). Order columns are null when unmatched."""

    frame: pl.DataFrame
    as_of: date | None  # the last completed order in the orders file
    window_days: int
    matching: dict[str, int]  # exact, case_or_spaces, unmatched
    hint: str | None = None


def match_orders(answers: Answers, orders: pl.LazyFrame, window_days: int = WINDOW_DAYS,
                 flags: dict[str, str] | None = None) -> Matched:
    """Join the answers to the orders of `cxkit.io.orders.load_orders` (customer_id, state,
    amount, ordered_at); one pass over the orders."""
    flags = {**DEFAULT_FLAGS, **(flags or {})}
    names = orders.collect_schema().names()
    done = pl.col("__done")
    amount = pl.col("amount").cast(pl.Float64) if "amount" in names else \
        pl.lit(None, dtype=pl.Float64)
    slim = orders.select(
        pl.col("customer_id").cast(pl.String).str.strip_chars().alias("__oid"),
        id_key(pl.col("customer_id")).alias(KEY),
        (pl.col("state") == "completed").fill_null(False).alias("__done"),
        amount.alias("__amount"),
        pl.col("ordered_at").cast(pl.Date).alias("__day"),
    ).filter(pl.col(KEY).is_not_null() & (pl.col(KEY) != ""))
    theirs = answers.frame.lazy().select(KEY, pl.col("customer_id").alias("__rid"),
                                         pl.col("answered"))
    day, amt = pl.col("__day"), pl.col("__amount")
    window_end = pl.col("answered").dt.offset_by(f"{window_days}d")
    per_q = slim.join(theirs, on=KEY, how="inner").group_by(KEY).agg(
        (pl.col("__oid") == pl.col("__rid")).any().alias("exact"),
        done.sum().cast(pl.Int64).alias("orders"),
        (done & amt.is_not_null()).sum().cast(pl.Int64).alias("priced"),
        money_sum(amt.filter(done)).alias("revenue"),
        day.filter(done).max().alias("last_order"),
        (done & (day > pl.col("answered")) & (day <= window_end)).any().alias("again"),
    )
    facts_q = slim.select(day.filter(done).max().alias("as_of"),
                          pl.col(KEY).str.contains("@", literal=True).mean().alias("emails"))
    per, facts = pl.collect_all([per_q, facts_q], engine="streaming")
    as_of = facts["as_of"][0]
    frame = answers.frame.join(per, on=KEY, how="left").with_columns(
        pl.col("exact").is_not_null().alias("matched"))
    ended = (window_end <= as_of) if as_of is not None else pl.lit(False)
    frame = frame.with_columns(
        (pl.col("matched") & ended).alias("eligible"),
        pl.col("again").fill_null(False),
    )
    summary = frame.select(
        pl.col("exact").fill_null(False).sum().alias("exact"),
        (pl.col("exact") == False).sum().alias("case_or_spaces"),  # noqa: E712
        pl.col("exact").is_null().sum().alias("unmatched"),
        pl.col("customer_id").filter(pl.col("exact").is_null())
        .str.contains("@", literal=True).mean().alias("emails"),
    ).row(0, named=True)
    matching = {k: int(summary[k] or 0) for k in ("exact", "case_or_spaces", "unmatched")}
    hint = _hint(matching, summary["emails"], facts["emails"][0], flags)
    return Matched(frame, as_of, window_days, matching, hint)


def _hint(matching: dict[str, int], theirs: float | None, ours: float | None,
          flags: dict[str, str]) -> str | None:
    """Why ids may not match: emails on one side and ids on the other, or nothing in common."""
    if not matching["unmatched"]:
        return None
    theirs = theirs or 0.0  # share of the unmatched respondents' ids that hold an @
    if ours is None:  # share of the orders' ids that hold an @; None: no order has an id
        return "the orders have no customer ids: check which column holds them " \
            f"({flags['orders']} COLUMN)"
    if theirs > 0.5 and ours < 0.5:
        return (f"responses identify customers by email, orders by id: pass {flags['orders']} "
                "EMAILCOLUMN for the orders (Shopify: Email)")
    if theirs < 0.5 and ours > 0.5:
        return (f"responses identify customers by id, orders by email: pass "
                f"{flags['responses']} EMAILCOLUMN for the responses")
    if not matching["exact"] and not matching["case_or_spaces"]:
        return (f"no respondent's id is among the orders' customer ids: check which columns "
                f"hold them ({flags['responses']} COLUMN, {flags['orders']} COLUMN)")
    return None


def _matched(answers: Answers, orders: pl.LazyFrame | Matched, window_days: int,
             flags: dict[str, str] | None) -> Matched:
    return orders if isinstance(orders, Matched) else match_orders(answers, orders,
                                                                   window_days, flags)


RULE = ("each customer's latest NPS answer (promoters 9-10, passives 7-8, detractors 0-6) "
        "joined to the orders on the customer id (trimmed, inner spaces collapsed, lower case); "
        "value = promoters' revenue per customer / detractors' revenue per customer (interval: "
        "delta method on the log of the ratio); per category: revenue per customer (t "
        "interval, not below 0), revenue_share = % of the matched respondents' revenue, "
        "aov = revenue / orders, repeat_rate = % with 2+ orders, ordered_again = % with an "
        "order 1 to {w} days after the answer day, of the ordered_again_n customers whose {w} "
        "days ended by the last order (as_of); orders are completed orders, and a matched "
        "customer without one counts with revenue 0")


def nps_revenue(answers: Answers, orders: pl.LazyFrame | Matched,
                window_days: int = WINDOW_DAYS, confidence: float = 0.95,
                flags: dict[str, str] | None = None) -> KpiResult:
    """NPS x revenue: per category, what the matched customers bought; the headline is how many
    times a promoter's revenue a detractor's is worth. `orders` is the frame of `load_orders`
    or an existing `match_orders` result (then `window_days` and `flags` are its own)."""
    m = _matched(answers, orders, window_days, flags)
    revenue = pl.col("revenue")
    per = m.frame.filter(pl.col("matched")).group_by("category").agg(
        pl.len().alias("n"),
        revenue.sum().alias("revenue"),
        (revenue * revenue).sum().alias("revenue_sq"),
        revenue.min().alias("lowest"),
        pl.col("orders").sum().alias("orders"),
        pl.col("priced").sum().alias("priced"),
        (pl.col("orders") >= 2).sum().alias("repeat"),
        pl.col("eligible").sum().alias("eligible"),
        (pl.col("again") & pl.col("eligible")).sum().alias("again"),
    )
    rows = {r["category"]: r for r in per.to_dicts()}  # at most three rows
    total = sum(float(r["revenue"] or 0) for r in rows.values())
    z = stats.z_value(confidence)
    groups, means = [], {}
    for cat in CATEGORIES:
        r = rows.get(cat) or {}
        n, rev = int(r.get("n") or 0), float(r.get("revenue") or 0)
        mean, sd = stats.mean_sd(rev, float(r.get("revenue_sq") or 0), n)
        means[cat] = (mean, sd, n)
        priced, eligible = int(r.get("priced") or 0), int(r.get("eligible") or 0)
        extra = {
            "customers": n,
            "revenue": rev,
            "revenue_share": 100 * rev / total if total else None,
            "aov": rev / priced if priced else None,
            "repeat_rate": 100 * int(r.get("repeat") or 0) / n if n else None,
            "ordered_again": 100 * int(r.get("again") or 0) / eligible if eligible else None,
            "ordered_again_n": eligible,
        }
        ci = stats.t_interval(mean, sd, n, confidence) if mean is not None else None
        if ci and (r.get("lowest") or 0) >= 0:  # no refunds beyond the orders: not below 0
            ci = (max(0.0, ci[0]), ci[1])
        groups.append(Group({"category": cat}, mean, n, ci, {}, extra))
    value, ci = _ratio(means["promoter"], means["detractor"], z)
    extra: dict[str, Any] = {"matching": m.matching,
                             "as_of": m.as_of.isoformat() if m.as_of else None,
                             "window_days": m.window_days}
    if m.hint:
        extra["hint"] = m.hint
    return KpiResult(
        kpi="nps_revenue",
        value=value,
        n=sum(g.n for g in groups),
        ci=ci,
        counts={COUNT_NAMES[g.key["category"]]: g.n for g in groups},
        dropped={**answers.dropped, "unmatched": m.matching["unmatched"]},
        rule=RULE.format(w=m.window_days),
        digits=2,
        extra=extra,
        groups=groups,
        group_keys=["category"],
        confidence=confidence,
    )


def _ratio(promoters: tuple, detractors: tuple, z: float):
    """P / D of two means, and its interval from the delta method on log(P / D):
    SE = sqrt(sd_P^2 / (n_P mean_P^2) + sd_D^2 / (n_D mean_D^2)), ratio x exp(+-z SE)."""
    (mp, sp, np_), (md, sd, nd) = promoters, detractors
    if mp is None or not md:
        return None, None
    value = mp / md
    if mp <= 0 or sp is None or sd is None or np_ < 2 or nd < 2:
        return value, None
    se = math.sqrt(sp * sp / (np_ * mp * mp) + sd * sd / (nd * md * md))
    return value, (value * math.exp(-z * se), value * math.exp(z * se))


REVENUE_COLUMNS = ["category", "customers", "revenue", "revenue_share", "revenue_per_customer",
                   "aov", "repeat_rate", "ordered_again", "ordered_again_n"]


def revenue_section(result: KpiResult) -> Section:
    """The NPS x revenue result as a table: one row per category (for the terminal and the
    report)."""
    rows = [[g.key["category"], g.n, g.extra["revenue"], g.extra["revenue_share"], g.value,
             g.extra["aov"], g.extra["repeat_rate"], g.extra["ordered_again"],
             g.extra["ordered_again_n"]] for g in result.groups]
    shown = _num(result.value, result.digits)
    head = ("promoters' revenue per customer is " + (f"{shown:,.2f}x" if shown is not None else
            "not comparable to (no detractor revenue)") + " detractors'")
    if result.ci:
        low, high = _num(list(result.ci), result.digits)
        head += f" ({result.confidence:.0%} CI {low:,.2f} – {high:,.2f})"
    m = result.extra.get("matching", {})
    note = (f"{head}; {result.n:,} respondents matched to customers ({m.get('exact', 0):,} ids "
            f"exact, {m.get('case_or_spaces', 0):,} after folding case and spaces, "
            f"{m.get('unmatched', 0):,} unmatched); ordered_again: an order within "
            f"{result.extra.get('window_days')} days after answering, of customers whose "
            f"window ended by {result.extra.get('as_of') or '(no orders)'}")
    dropped = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in result.dropped.items() if v)
    if dropped:
        note += f"; dropped: {dropped}"
    return Section("nps_revenue", "NPS x revenue", list(REVENUE_COLUMNS), rows, note, digits=2)


def _many(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def pseudonym(text: str | None) -> str | None:
    """`sha256:` + the first 12 hex digits of the SHA-256 of the trimmed, lower-case text."""
    if text is None or not text.strip():
        return None
    return "sha256:" + hashlib.sha256(text.strip().lower().encode("utf-8")).hexdigest()[:12]


def followup(answers: Answers, orders: pl.LazyFrame | Matched | None = None,
             limit: int | None = None, redact: bool = False,
             flags: dict[str, str] | None = None) -> Section:
    """Detractors and passives (latest answer per customer) to call back, as a table a CRM can
    import. With orders: their revenue to date, sorted by revenue at risk (= revenue to date),
    then lowest score, then latest answer, then customer id; without: by score, then latest
    answer. `redact` replaces email and name (and ids that are emails) by `pseudonym`s."""
    with_orders = orders is not None
    frame = _matched(answers, orders, WINDOW_DAYS, flags).frame if with_orders else \
        answers.frame
    frame = frame.filter(pl.col("category") != "promoter")
    cid = pl.col("customer_id")
    email = pl.coalesce(pl.col("email"),
                        pl.when(cid.str.contains("@", literal=True)).then(cid))
    cols = [cid, email.alias("email"), pl.col("name"), pl.col("score"), pl.col("category"),
            pl.col("comment"), pl.col("answered").dt.strftime("%Y-%m-%d")]
    if with_orders:
        cols += [pl.col("orders"), pl.col("revenue").alias("revenue_to_date"),
                 pl.col("last_order").dt.strftime("%Y-%m-%d"),
                 pl.col("revenue").alias("revenue_at_risk")]
        order = (["revenue_at_risk", "score", "answered", "customer_id"], [True, False, True,
                                                                            False])
    else:
        order = (["score", "answered", "customer_id"], [False, True, False])
    listed = frame.select(cols).sort(order[0], descending=order[1], nulls_last=True)
    total = listed.height
    counts = listed["category"].value_counts()
    by_cat = dict(zip(counts["category"].to_list(), counts["count"].to_list(), strict=True))
    unmatched = int(frame["matched"].not_().sum()) if with_orders else 0
    if limit is not None:
        listed = listed.head(limit)
    rows = [list(r) for r in listed.rows()]
    if redact:  # the output list only, at most `limit` rows: hashlib has no Polars expression
        at = {c: listed.columns.index(c) for c in ("customer_id", *REDACTED)}
        for row in rows:
            for c in REDACTED:
                row[at[c]] = pseudonym(row[at[c]])
            if row[at["customer_id"]] and "@" in row[at["customer_id"]]:
                row[at["customer_id"]] = pseudonym(row[at["customer_id"]])
    note = (f"{_many(by_cat.get('detractor', 0), 'detractor')} (0-6) and "
            f"{_many(by_cat.get('passive', 0), 'passive')} (7-8), by their latest answer; ")
    if with_orders:
        note += ("revenue_at_risk = revenue_to_date = the amounts of their completed orders; "
                 "sorted by revenue at risk, then lowest score, then latest answer")
        if unmatched:
            note += f"; {unmatched:,} not found in the orders (order columns empty)"
    else:
        note += "sorted by lowest score, then latest answer"
    if limit is not None and total > limit:
        note += f"; the first {limit:,} of {total:,}"
    if redact:
        note += "; email and name pseudonymised (sha256: + 12 hex digits of the SHA-256)"
    columns = FOLLOWUP_COLUMNS + (ORDER_COLUMNS if with_orders else [])
    return Section("followup", "Follow-up list", columns, rows, note, digits=2)
