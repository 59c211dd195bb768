"""Compute a `Report` from whichever of the three sources were given.

Each source's KPIs are computed by the same code as its own command (`cxkit nps`, `cxkit
tickets`, `cxkit orders`, `cxkit retention`), once by period for the cards and trends, then once
per breakdown column. Across sources, NPS x revenue and the follow-up list join on customer id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from cxkit.kpi.grouping import Scope
from cxkit.kpi.report import KPI_INFO, SECTIONS, Report, Section, Source, describe, info
from cxkit.kpi.result import KpiResult

TICKET_CARDS = ("volume", "first_response_time", "resolution_time", "fcr", "reopen_rate",
                "backlog", "sla_first_response", "sla_resolution", "ticket_csat")
ORDER_CARDS = ("orders", "customers", "revenue", "aov", "repeat_purchase_rate", "return_rate",
               "cart_abandonment_rate", "referral_rate", "clv")
# the columns of a breakdown table, per source (a KPI the source lacks is left out)
BREAKDOWN = {"responses": ("nps", "csat", "ces"),
             "tickets": ("volume", "first_response_time", "resolution_time", "fcr",
                         "sla_resolution", "ticket_csat"),
             "orders": ("orders", "revenue", "aov", "repeat_purchase_rate", "return_rate")}
COHORTS_SHOWN = 12  # the last cohorts in the report; `cxkit retention --cohorts` shows all


@dataclass
class ReportOptions:
    title: str = "CX report"
    period: str = "month"
    since: date | None = None
    until: date | None = None
    by: list[str] = field(default_factory=lambda: ["channel"])
    by_given: bool = False  # --by or the settings file named the columns (not the default)
    sections: tuple[str, ...] = SECTIONS
    confidence: float = 0.95
    benchmark: str | None = None
    tickets: Any = None  # kpi.tickets.TicketOptions (SLA targets, business hours, as-of)
    window_days: float = 90.0
    followup_limit: int = 20
    margin: float | None = None  # [orders] margin of the settings file (predictive CLV)

    def scope(self, by: list[str] | None = None, dated: bool = True,
              day_format: str | None = None) -> Scope:
        return Scope(by=list(by or []), period=None if by or not dated else self.period,
                     since=self.since, until=self.until, day_format=day_format)


def _tag(results: list[KpiResult], source: str) -> list[KpiResult]:
    for r in results:
        r.extra["source"] = source
    return results


def _measured(r: KpiResult) -> bool:
    return not r.rule.startswith("not computed")


def skipped_notices(results: list[KpiResult]) -> list[str]:
    """'tickets: SLA resolution not computed (no target: pass --sla-resolution)'."""
    out = []
    for r in results:
        if not _measured(r):
            source = r.extra.get("source", "")
            why = r.rule.removeprefix("not computed").strip(" :;").split("; ")[0]
            out.append(f"{source}: {info(r.kpi).label} not computed: {_in_report(why, source)}")
    return out


def _in_report(why: str, source: str) -> str:
    """A KPI's reason names its own command's flags (`--column fcr=COL`, `--customer COL`); the
    report gives a source's role its column as `--column tickets.fcr=COL`."""
    import re

    if not source:
        return why
    why = re.sub(r"--column (\w+)=COL", rf"--column {source}.\1=COL", why)
    return re.sub(r"--(customer|amount) COL", lambda m: f"--column {source}."
                  f"{'customer_id' if m[1] == 'customer' else 'amount'}=COL", why)


def breakdown_kpis(source: str, results: list[KpiResult]) -> list[KpiResult]:
    """The KPIs a breakdown table shows: those of the source's columns that were measured."""
    return [r for r in results if r.kpi in BREAKDOWN[source] and _measured(r) and r.groups]


def breakdown(source: str, column: str, results: list[KpiResult]) -> Section | None:
    """One row per segment value, one column per KPI of the source (its value)."""
    wanted = breakdown_kpis(source, results)
    if not wanted:
        return None
    first = wanted[0]
    keys = [g.key.get(column) for g in sorted(first.groups, key=lambda g: (-g.n, str(g.key)))]
    columns = [column, "n"] + [_heading(r.kpi) for r in wanted]
    values = {r.kpi: {g.key.get(column): g.value for g in r.groups} for r in wanted}
    sizes = {g.key.get(column): g.n for g in first.groups}
    rows = [[k, sizes.get(k)] + [values[r.kpi].get(k) for r in wanted] for k in keys]
    return Section(f"{source}_by_{_snake(column)}", f"{source.capitalize()} by {column}",
                   columns, rows, note=f"n: rows measured for {info(first.kpi).label}",
                   column_digits=[0, 0] + [r.digits for r in wanted],
                   labels=[column, "n"] + [_heading(r.kpi, False) for r in wanted],
                   units=["", "count"] + [info(r.kpi).unit for r in wanted])


def _heading(kpi: str, unit: bool = True) -> str:
    """The column of a KPI: "CSAT %" (the JSON key), "CSAT" (the header: its cells carry the
    %), "First response (h)" both."""
    about = KPI_INFO.get(kpi) or info(kpi)
    return about.label + {"%": " %" if unit else "", "h": " (h)"}.get(about.unit, "")


def _snake(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "_" for c in text).strip("_")
    return "_".join(p for p in out.split("_") if p) or "segment"


def _measures(roles: set[str]) -> list:
    from cxkit.kpi import survey

    return [m for m in (survey.Nps(), survey.Csat(), survey.Ces()) if m.role in roles]


def condense_surveys(lf: pl.LazyFrame, roles: set[str], dims: list[str], dated: bool,
                     day_format: str | None, opts: ReportOptions) -> dict[str, pl.DataFrame]:
    """The one pass over the responses for every survey section: each measure's rows condensed
    on every breakdown column and the day (`grouping.condense`), in one query when the scores
    are columns of one type (`grouping.condense_long`), else collected together over one scan;
    each card, breakdown and what-moved table re-sums its own keys from these."""
    from cxkit.kpi.grouping import condense_long, condense_query

    measures = _measures(roles)
    scope = Scope(by=list(dict.fromkeys(dims)), period=opts.period if dated else None,
                  since=opts.since, until=opts.until, day_format=day_format)
    values = [m.role for m in measures]
    schema = lf.collect_schema()
    # (a score that is also a breakdown column would be two columns of one name there)
    if len(values) > 1 and len({schema[v] for v in values}) == 1 and not set(values) & set(
            scope.by):
        return condense_long(lf, values, scope)
    frames = pl.collect_all([condense_query(lf, v, scope) for v in values], engine="streaming")
    return dict(zip(values, frames, strict=True))


def survey_part(condensed: dict[str, pl.DataFrame], by: list[str], dated: bool,
                day_format: str | None, opts: ReportOptions
                ) -> tuple[list[KpiResult], list[Section]]:
    """Survey cards and breakdowns from `condense_surveys` (which must cover `by`)."""
    from cxkit.kpi import survey
    from cxkit.kpi.grouping import narrow

    measures = _measures(set(condensed))

    def result(m, scope: Scope) -> KpiResult:
        small = narrow(condensed[m.role], scope)
        return survey.result_of(survey.summed(None, m, scope, small), m, scope,
                                opts.confidence, opts.benchmark)

    cards = [result(m, opts.scope(dated=dated, day_format=day_format)) for m in measures]
    sections, details = [], []
    for col in by:
        per = [result(m, opts.scope([col], day_format=day_format)) for m in measures]
        sections.append(breakdown("responses", col, per))
        details.append(("responses", col, breakdown_kpis("responses", per)))
    return _tag(cards, "responses"), [s for s in sections if s], details


def _ticket_plan(lf, scope: Scope, topts, shared, only: tuple[str, ...] | None = None):
    from cxkit.kpi.tickets import plan

    wanted = None if only is None else ["csat" if k == "ticket_csat" else k for k in only]
    return plan(lf, scope, topts, wanted, shared, groups_only=only is not None)


def _ticket_names(results: list[KpiResult]) -> list[KpiResult]:
    for r in results:
        if r.kpi == "csat":
            r.kpi = "ticket_csat"
    return results


def tickets_part(lf: pl.LazyFrame, by: list[str], opts: ReportOptions):
    from dataclasses import replace

    from cxkit.kpi.specs import collect_plans
    from cxkit.kpi.tickets import latest_times, share

    topts = opts.tickets
    if topts.as_of is None:  # the backlog's as-of time, said on its card
        latest = latest_times(lf, set(lf.collect_schema().names()))
        topts = replace(topts, as_of=latest[0], latest=latest)
    # the cards and every breakdown in one collect_all over one cached frame (one scan, one
    # sort for FCR's repeats); a breakdown computes only the KPIs it shows
    cards = opts.scope()
    shared = share(lf, cards, topts)
    plans = [_ticket_plan(lf, cards, topts, shared)]
    plans += [_ticket_plan(lf, opts.scope([col]), topts, shared, BREAKDOWN["tickets"])
              for col in by]
    cards, *breakdowns = (_ticket_names(r) for r in collect_plans(plans))
    for r in cards:
        if r.kpi == "backlog" and topts.as_of is not None:
            r.extra["as_of"] = f"{topts.as_of:%Y-%m-%d %H:%M}"
    sections, details = [], []
    for col, per in zip(by, breakdowns, strict=True):
        sections.append(breakdown("tickets", col, per))
        details.append(("tickets", col, breakdown_kpis("tickets", per)))
    cards = [r for r in cards if r.kpi in TICKET_CARDS]
    return _tag(cards, "tickets"), [s for s in sections if s], details


def orders_part(lf: pl.LazyFrame, by: list[str], opts: ReportOptions):
    from concurrent.futures import ThreadPoolExecutor

    names = set(lf.collect_schema().names())
    with ThreadPoolExecutor(1) as pool:
        # the predictive CLV (its fits are numpy, one core) beside the other sections' queries
        predicted = pool.submit(predicted_part, lf, opts) \
            if {"customer_id", "amount"} <= names else None
        cards, sections, details = _order_sections(lf, by, opts, names)
        if predicted is not None:
            card, at_risk = predicted.result()
            cards.append(card)
            sections += [holdout_section(card), at_risk]
    return _tag(cards, "orders"), [s for s in sections if s], details


def _order_sections(lf: pl.LazyFrame, by: list[str], opts: ReportOptions, names: set[str]):
    """The order cards, breakdowns, retention card and cohorts (all but the predictive CLV)."""
    from cxkit.kpi import orders, retention
    from cxkit.kpi.specs import collect_plans

    oopts = orders.OrderOptions(opts.confidence)
    # the cards and every breakdown in one pass over the orders (one collect_all)
    plans = [orders.plan(lf, opts.scope(), oopts, cache=True)]
    plans += [orders.plan(lf, opts.scope([col]), oopts, list(BREAKDOWN["orders"]),
                          groups_only=True) for col in by]
    cards, *breakdowns = collect_plans(plans)
    cards = [r for r in cards if r.kpi in ORDER_CARDS]
    ropts = retention.RetentionOptions(period=opts.period, since=opts.since, until=opts.until,
                                       confidence=opts.confidence)
    scanned = None  # one pass over the orders for retention and cohorts
    if "customer_id" in names:
        scanned = retention.scan(lf, ropts)
        cards += [r for r in retention.retention(lf, ropts, scanned)
                  if r.kpi == "retention_rate"]
    sections, details = [], []
    for col, per in zip(by, breakdowns, strict=True):
        sections.append(breakdown("orders", col, per))
        details.append(("orders", col, breakdown_kpis("orders", per)))
    if "cohorts" in opts.sections and "customer_id" in names:
        sections.append(cohort_section(retention.cohorts(lf, ropts, scanned)))
    return cards, sections, details


# how a report is given a margin: the settings file (the report has no --margin)
MARGIN_FIX = 'set margin = "35%" under [orders] in cxkit.toml'
AT_RISK = 10  # customers listed: the most valuable of those less likely alive than not
HOLDOUT_SHARE = 4  # the report checks the model on the last quarter of the orders' span


def _holdout_end(occasions: tuple) -> date | None:
    """Where the card's holdout check ends its fit: three quarters into the span of the
    purchases (at least 4 weeks before the last one); None when the span is too short."""
    from datetime import timedelta

    from cxkit.kpi.models.summary import DAY, EPOCH

    days = occasions[0][DAY]
    if days.is_empty():
        return None
    first = EPOCH + timedelta(days=int(days.min()))
    last = EPOCH + timedelta(days=int(days.max()))
    back = max(timedelta(days=28), (last - first) / HOLDOUT_SHARE)
    end = last - timedelta(days=back.days)
    return end if end > first + timedelta(days=28) else None


def predicted_part(lf: pl.LazyFrame, opts: ReportOptions) -> tuple[KpiResult, Section | None]:
    """Predictive CLV (BG/NBD + Gamma-Gamma, as `cxkit clv --model bgnbd`): its card, the
    holdout check (the same model fitted up to `_holdout_end`, its expected repeat purchases
    after that against the actual ones; the card's value and scores stay those of the fit on
    every order), and the customers at risk: high value (at least the median CLV), P(alive)
    under 50 %."""
    from concurrent.futures import ThreadPoolExecutor

    from cxkit.kpi.models.predict import PredictOptions, holdout_check, predict
    from cxkit.kpi.models.summary import build_many, occasions

    once = occasions(lf)  # one pass over the orders for both fits
    end = _holdout_end(once)
    # both customer summaries in one pass over the occasions, then the two fits side by side
    summaries = build_many(lf, [None] + ([end] if end else []), "week", (), once)
    with ThreadPoolExecutor(1) as pool:
        check = pool.submit(holdout_check, summaries[1]) if end else None
        found = predict(lf, PredictOptions(margin=opts.margin, margin_fix=MARGIN_FIX),
                        summary=summaries[0])
        held = check.result() if check is not None else None
    if found.result.value is None or found.scores.is_empty():
        return found.result, None
    if held:
        found.result.extra["holdout"] = held
        found.result.rule += (f"; holdout check: the model fitted up to {end:%Y-%m-%d}, its "
                              "expected repeat purchases after it against the actual ones")
    scores = found.scores
    risky = scores.filter((pl.col("clv") >= pl.col("clv").median()) & (pl.col("p_alive") < 0.5))
    if risky.is_empty():
        return found.result, None
    top = risky.sort(["clv", "customer_id"], descending=[True, False]).head(AT_RISK)
    rows = [list(r) for r in top.select("customer_id", "p_alive", "clv", "expected_purchases",
                                        "last_purchase").with_columns(
        pl.col("p_alive") * 100, pl.col("last_purchase").cast(pl.String)).iter_rows()]
    return found.result, Section(
        "clv_at_risk", "Valuable customers at risk",
        ["customer_id", "p_alive", "clv", "expected_purchases", "last_purchase"], rows,
        note=f"{risky.height:,} customers with a predicted CLV of at least the median and "
        "P(alive) under 50 %; the most valuable first",
        column_digits=[0, 1, 2, 2, 0],
        labels=["Customer", "P(alive)", "CLV (predicted)", "Expected purchases", "Last order"],
        units=["", "%", "money", "", "date"])


def holdout_section(result: KpiResult) -> Section | None:
    """The predictive CLV's holdout check week by week: repeat purchases the model fitted before
    the holdout expected against those that happened, and their running totals (the tracking
    plot of Fader, Hardie & Lee 2005, as a table every format shows)."""
    holdout = result.extra.get("holdout") if result.value is not None else None
    if not holdout or not holdout.get("per_period"):
        return None
    rows, expected, actual = [], 0.0, 0
    for p in holdout["per_period"]:
        expected += p["predicted"]
        actual += p["actual"]
        rows.append([p["period"], p["start"], p["end"], p["predicted"], p["actual"], expected,
                     actual])
    return Section(
        "clv_holdout", "Predictive CLV: the holdout check",
        ["period", "start", "end", "expected", "actual", "expected_total", "actual_total"], rows,
        note=f"the model fitted on the orders before {holdout['start']}, its expected repeat "
        f"purchases per week from then on against the actual ones: {actual:,} happened, "
        f"{expected:,.0f} expected",
        kind="tracking", column_digits=[0, 0, 0, 1, 0, 1, 0],
        labels=["Week", "From", "To", "Expected", "Actual", "Expected (total)",
                "Actual (total)"],
        units=["", "date", "date", "", "count", "", "count"])


def cohort_section(result: KpiResult) -> Section | None:
    if not result.groups:
        return None
    groups = result.groups[-COHORTS_SHOWN:]
    shares = [list(g.extra.get("retention") or []) for g in groups]
    width = max((i + 1 for s in shares for i, v in enumerate(s) if v is not None), default=1)
    rows = [[g.key.get("cohort"), g.n] + (s + [None] * width)[:width]
            for g, s in zip(groups, shares, strict=True)]
    period = result.extra.get("period") or "period"
    shown = f"the last {len(groups)} of {len(result.groups)} cohorts; " \
        if len(groups) < len(result.groups) else ""
    heads = [f"{period} {k}" for k in range(width)]
    return Section("cohort_retention", f"Cohort retention by {period} of first order",
                   ["cohort", "customers"] + heads, rows,
                   note=f"{shown}% of each cohort ordering k {period}s after its first order "
                        "(empty: not observable yet)", kind="heatmap",
                   labels=["Cohort", "Customers"] + heads,
                   units=["", "count"] + ["%"] * width)


def complaint_card(tickets: pl.LazyFrame, orders: pl.LazyFrame | None,
                   opts: ReportOptions) -> KpiResult | None:
    """Complaints per 100 completed orders over the days the tickets cover (per 100 customers
    without orders), as `cxkit complaints` counts them (`orders`: the `load_orders` frame)."""
    from cxkit.kpi.complaints import ComplaintOptions, completed_order_days, compute

    cols = set(tickets.collect_schema().names())
    if not {"type", "category", "tags", "is_complaint"} & cols:
        return None
    if orders is None and "customer_id" not in cols:  # a card the report skips, said why
        return KpiResult("complaint_rate", None, 0, None, {}, {}, "not computed: no customer "
                         "column for a rate per 100 customers (add --orders FILE for a rate "
                         "per 100 orders, or --column tickets.customer_id=COL)", 2,
                         confidence=opts.confidence)
    day = pl.col("created_at").dt.date()
    if opts.since:
        tickets = tickets.filter(day >= opts.since)
    if opts.until:
        tickets = tickets.filter(day <= opts.until)
    order_days = None
    if orders is not None:
        span = tickets.select(day.min().alias("a"), day.max().alias("b")).collect().row(0)
        if span[0] is not None:
            order_days = completed_order_days(orders, span[0], span[1])[0]
    rate = compute(tickets, order_days, ComplaintOptions(period=opts.period,
                                                         confidence=opts.confidence),
                   rate_only=True)[0]
    base = "orders" if "orders" in rate.counts else "customers"
    rate.extra["label"] = f"Complaints per 100 {base}"
    return rate


def sources_row(name: str, files: list[str], results: list[KpiResult], columns: dict
                ) -> Source:
    first = next((r for r in results if _measured(r)), None)
    rows = first.n + sum(first.dropped.values()) if first else 0
    return Source(name, files, rows, columns)


def finish(report: Report) -> Report:
    """The span the trends cover and the last period, for headers and `{period}`; headers in
    words for every table.

    The backlog's last point is the as-of time (the latest timestamp of the export, a resolution
    after the last ticket created, say): its period does not stretch the report's span."""
    periods = sorted({str(t["period"]) for k in report.kpis for t in k.trend
                      if k.kpi != "backlog"}) \
        or sorted({str(t["period"]) for k in report.kpis for t in k.trend})
    for section in report.sections:
        describe(section)
    if periods:
        report.first, report.last, report.last_period = periods[0], periods[-1], periods[-1]
    order = {s: i for i, s in enumerate(("responses", "tickets", "orders", "across"))}
    report.kpis.sort(key=lambda k: order.get(k.extra.get("source", ""), 9))
    return report


def moved_section(condensed: dict[str, pl.DataFrame], dims: list[str], day_format: str | None,
                  opts: ReportOptions) -> Section | None:
    """What moved the survey KPI (NPS, else CSAT, else CES) between the last two periods: the
    change split per segment of each breakdown column into mix and rate, the sentence on top."""
    from cxkit.kpi import survey
    from cxkit.kpi.explain import change
    from cxkit.kpi.grouping import narrow

    measure = next(iter(_measures(set(condensed))), None)
    if measure is None or not dims:
        return None
    scope = Scope(by=list(dims), period=opts.period, since=opts.since, until=opts.until,
                  day_format=day_format)
    sums = survey.summed(None, measure, scope, narrow(condensed[measure.role], scope))
    moved = change(sums, measure, list(dims), opts.period, confidence=opts.confidence)
    if moved.diff is None and not moved.drivers:
        return None
    name = info(measure.kpi).label
    rows = [[drv.dimension, str(seg.key[drv.dimension]), seg.share[0], seg.share[1],
             seg.value[0], seg.value[1], seg.mix, seg.rate, seg.contribution]
            for drv in moved.drivers for seg in drv.segments]
    d = measure.digits
    unit = "%" if info(measure.kpi).unit == "%" else ""
    return Section("what_moved", f"What moved {name}: {moved.periods[0]} to {moved.periods[1]}",
                   ["dimension", "segment", "share_before", "share_after", "before", "after",
                    "mix", "rate", "contribution"], rows, note=moved.summary,
                   column_digits=[0, 0, 1, 1, d, d, 2, 2, 2],
                   labels=["Dimension", "Segment", "Share before", "Share after",
                           f"{name} before", f"{name} after", "Mix", "Rate", "Contribution"],
                   units=["", "", "%", "%", unit, unit, "", "", ""])


def themes_section(lf: pl.LazyFrame, roles: set[str], day_format: str | None,
                   opts: ReportOptions, top: int = 5) -> Section | None:
    """What detractors say that promoters do not (cxkit themes), the top terms of each side."""
    if not {"comment", "nps_score"} <= roles:
        return None
    from cxkit.kpi.text.sides import Split, answers
    from cxkit.kpi.text.themes import compute

    scope = Scope(since=opts.since, until=opts.until, day_format=day_format)
    result = compute(answers(lf, Split("nps"), scope), top)
    if not result.terms:
        return None
    i, j = result.sides
    rows = [[t["side"], t["term"], t["z"], t["count"][i], t["count"][j], t["nps_impact"],
             (t["examples"] or [""])[0]] for t in result.terms]
    return Section("themes", f"Comment themes: {i} vs {j}",
                   ["side", "term", "z", f"count_{i}", f"count_{j}", "nps_impact", "example"],
                   rows, note=f"{result.n[i]:,} {i}' and {result.n[j]:,} {j}' comments; terms "
                   "a side uses significantly more (log-odds z), one count per comment; NPS "
                   "impact = NPS - NPS without the answers that use the term",
                   column_digits=[0, 0, 2, 0, 0, 1, 0],
                   labels=["Side", "Term", "z", i.capitalize(), j.capitalize(), "NPS impact",
                           "Example"],
                   units=["", "", "", "count", "count", "", ""])
