"""Support-ticket KPIs (KPIS.md "Tickets"): volume, first response and resolution time, FCR,
reopen rate, SLA attainment, backlog and ticket CSAT, overall, per segment and per period.

Input: the canonical frame of `cxkit.io.tickets.load_tickets`. Every KPI is a `Spec`: the
Polars aggregations it needs (all specs share one `group_by` pass) and the arithmetic that turns
one row of those sums into a value. Periods are calendar buckets of the creation date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

from cxkit.io.vocabulary import matching, one_of
from cxkit.kpi import stats
from cxkit.kpi.backlog import AGE_BUCKETS, HOUR, C, K, at_ends
from cxkit.kpi.business_hours import Schedule, business_hours_between
from cxkit.kpi.grouping import PERIODS, START, Scope, period_start
from cxkit.kpi.result import KpiResult
from cxkit.kpi.scores import is_blank, label_scale, score_value
from cxkit.kpi.specs import (
    DATE_DROPS,
    ROW,
    Plan,
    Spec,
    aggregate,
    collect_plans,
    counts_only,
    drops,
    mean_subset,
    row_status,
    share_aggs,
    to_result,
)

RESOLVED = ["solved", "closed", "resolved", "résolu", "resolu", "fermé", "ferme", "clos",
            "clôturé", "cloture", "done", "4", "5"]
TRUE = ["1", "true", "yes", "y", "oui", "vrai", "x"]
FALSE = ["0", "false", "no", "n", "non", "faux"]
WITHIN_SLA = ["within sla", "sla met", "met", "achieved", "respecté", "respecte"]
BROKEN_SLA = ["sla violated", "violated", "breached", "missed", "sla breached", "non respecté"]
SAMPLE = 5000  # ratings read to choose the label scale of the satisfaction column


LAST = "last_period"  # the backlog spec's last period with a counted ticket
SPAM = "__spam"  # the loader's flag: a conversation marked spam (Help Scout, Gorgias)


def in_dates(scope: Scope) -> pl.Expr:
    """Rows inside the date scope (all rows when no date option is used)."""
    # a per-row column, not a literal: `ok.sum()` must count rows
    return pl.col(ROW) == 0 if scope.uses_date else pl.col("created_at__blank").is_not_null()


def in_scope(scope: Scope, cols: set) -> pl.Expr:
    """Rows every ticket KPI counts: inside the date scope and not spam."""
    return in_dates(scope) & ~pl.col(SPAM) if SPAM in cols else in_dates(scope)


def _count_spam(specs: list[Spec], scope: Scope) -> None:
    """Spam is dropped by every KPI, and said: a reason after the date reasons."""
    at = len(DATE_DROPS) if scope.uses_date else 0
    for spec in specs:
        if not spec.unavailable:
            spec.reasons.insert(at, "spam")
            spec.aggs.append((in_dates(scope) & pl.col(SPAM)).sum().alias(spec.col("spam")))


@dataclass
class TicketOptions:
    sla_first_response: float | None = None  # hours
    sla_resolution: float | None = None
    schedule: Schedule | None = None
    timezone: str | None = None
    as_of: datetime | None = None
    # (the export's latest timestamp, its latest and earliest creation times), when read
    latest: tuple[datetime | None, datetime | None, datetime | None] | None = None
    repeat_window_hours: float = 7 * 24
    confidence: float = 0.95
    # role -> its distinct values, when the loader read them (`TicketLoad.vocabulary`): the
    # word lists are then matched on those, not on every row in lower case
    vocabulary: dict[str, list[str]] = field(default_factory=dict)
    # each read of the rows parses the file again (a CSV that fits in memory,
    # `cxkit.io.read.parsed_each_read`): the repeat flags then come from the same read as the
    # rest of the row (`cxkit.kpi.repeats.add_repeats`)
    parsed_each_read: bool = False


def _durations(lf_cols: set[str], opts: TicketOptions) -> dict[str, pl.Expr]:
    """First response and resolution in hours: from timestamps, else the export's own column.

    `<kpi>_bad`: both timestamps are filled in but give no duration (one is unreadable, or
    falls in the hour a DST change skips in --timezone): an invalid time, not a missing one."""
    out = {}
    tz = opts.timezone
    real = (lambda c: c.dt.replace_time_zone(tz, ambiguous="earliest",  # noqa: E731
                                             non_existent="null")) if tz else None
    for kpi, end, given in (("frt", "first_response_at", "first_response_minutes"),
                            ("res", "resolved_at", "resolution_minutes")):
        parts = []
        if end in lf_cols:
            start, stop = pl.col("created_at"), pl.col(end)
            if opts.schedule:
                hours = business_hours_between(start, stop, opts.schedule, tz)
                if real:  # a time the clock skipped is no time
                    hours = pl.when(real(start).is_null() | real(stop).is_null()).then(None) \
                        .otherwise(hours)
            elif real:  # wall clock -> instants, so a DST change is counted right
                hours = _hours(real(stop) - real(start))
            else:
                hours = _hours(stop - start)
            parts.append(hours)
            out[kpi + "_bad"] = (hours.is_null() & ~pl.col("created_at__blank")
                                 & ~pl.col(end + "__blank"))
        if given in lf_cols:
            parts.append(pl.col(given))
        if parts:
            out[kpi] = pl.coalesce(parts) if len(parts) > 1 else parts[0]
    return out


def _hours(delta: pl.Expr) -> pl.Expr:
    return delta.dt.total_microseconds() / HOUR


FCR_FOLDED = "__fcr_folded"  # the fcr flag in lower case (`prepare`)


def _text_in(column: str, values: list[str], vocabulary: dict[str, list[str]]) -> pl.Expr:
    """The column's text, in lower case, is one of `values`: with the column's distinct values
    known, the rows are matched on those of them that are."""
    if column in vocabulary:
        return one_of(pl.col(column), matching(vocabulary[column], _lower, values))
    return _lower(pl.col(column)).is_in(values)


def _lower(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase()


def prepare(lf: pl.LazyFrame, scope: Scope, opts: TicketOptions) -> tuple[pl.LazyFrame, set]:
    """Per-row columns every spec reads: row status, period start, durations, resolved."""
    cols = set(lf.collect_schema().names())
    created = pl.col("created_at")
    new = []
    if scope.uses_date:
        new.append(row_status("created_at", scope))
    if scope.period:
        new.append(period_start(created.dt.date(), scope.period).alias(START))
    for name, expr in _durations(cols, opts).items():
        new.append(expr.alias("__" + name))
    if "status" in cols:
        by_status = _text_in("status", RESOLVED, opts.vocabulary)
        resolved = (by_status | (pl.col("status").is_null() & pl.col("resolved_at").is_not_null())
                    if "resolved_at" in cols else by_status)
    elif "resolved_at" in cols or "resolution_minutes" in cols:
        resolved = pl.lit(False)
        for c in ("resolved_at", "resolution_minutes"):
            if c in cols:
                resolved = resolved | pl.col(c).is_not_null()
    else:
        resolved = pl.lit(None, dtype=pl.Boolean)
    new.append(resolved.fill_null(False).alias("__resolved"))
    if "fcr" in cols and "fcr" not in opts.vocabulary:  # folded once here, not in each
        # level's aggregation (three passes)
        new.append(pl.col("fcr").cast(pl.String).str.to_lowercase().alias(FCR_FOLDED))
    lf = lf.with_columns(new)
    if scope.period:  # rows out of scope belong to no period
        lf = lf.with_columns(pl.when(pl.col(ROW) == 0).then(pl.col(START)).alias(START))
    return lf, set(lf.collect_schema().names())


def _duration_spec(kpi: str, col: str, ok: pl.Expr, scope: Scope, why: dict) -> Spec:
    """Mean, median, p90 of a duration over the rows no reason in `why` drops (nor negative)."""
    value = pl.col(col)
    good = ok & value.is_not_null() & (value >= 0)
    for cond in why.values():
        good = good & ~cond.fill_null(False)
    spec = Spec(kpi, "", 2, kind="mean")
    # the statistics on the measured rows only (a subset, `Spec.subsets`)
    spec.aggs = mean_subset(spec, value, good) + drops(spec, ok, {**why, "negative": value < 0},
                                                       scope)
    return spec


def _share_spec(kpi: str, yes: pl.Expr, no: pl.Expr, ok: pl.Expr, scope: Scope, why: dict,
                labels: tuple[str, str]) -> Spec:
    spec = Spec(kpi, "", labels=labels)
    spec.aggs = share_aggs(spec, ok & yes, ok & no) + drops(spec, ok, why, scope)
    return spec


def build_specs(cols: set[str], scope: Scope, opts: TicketOptions,
                satisfaction_sample: list | None = None) -> list[Spec]:
    """Every ticket KPI, with the rule it uses, or the reason it cannot be computed."""
    ok = in_scope(scope, cols)
    resolved = pl.col("__resolved")
    specs: list[Spec] = []

    vol = Spec("volume", "tickets created (in scope)", 0, kind="count", finisher=_volume)
    vol.aggs = [ok.sum().alias(vol.col("n")), (ok & resolved).sum().alias(vol.col("resolved"))]
    vol.aggs += drops(vol, ok, {}, scope)
    specs.append(vol)

    hours = (f"business hours ({opts.schedule.describe()})" if opts.schedule else
             "calendar hours")
    for kpi, col, why, what in (
        ("first_response_time", "__frt", "no_response", "first response - created"),
        ("resolution_time", "__res", "unresolved", "resolved - created, resolved tickets"),
    ):
        if col not in cols:
            spec = Spec(kpi, "", 2)
            spec.unavailable = (f"no {'first response' if kpi[0] == 'f' else 'resolution'} "
                                "timestamp or duration column")
        else:
            # no time: not answered, or not resolved (or resolved with no time, rarely)
            # resolution: over resolved tickets only (a reopened one may keep its old close time)
            gone = pl.col(col).is_null() | (~resolved if kpi == "resolution_time" else False)
            why_not = {why: gone}
            if col + "_bad" in cols:  # both times given, but one cannot be read
                why_not = {"invalid_time": pl.col(col).is_null() & pl.col(col + "_bad"),
                           **why_not}
            spec = _duration_spec(kpi, col, ok, scope, why_not)
            spec.rule = f"{what}, in {hours}; mean (t interval), median, p90"
        specs.append(spec)

    specs.append(_fcr_spec(cols, ok, resolved, scope, opts))

    if "reopens" in cols:
        r = pl.col("reopens")
        spec = _share_spec("reopen_rate", resolved & (r >= 1), resolved & (r == 0), ok, scope,
                           {"unresolved": ~resolved, "unknown": resolved & r.is_null()},
                           ("reopened", "not_reopened"))
        spec.rule = "resolved tickets reopened at least once / resolved tickets"
    else:
        spec = Spec("reopen_rate", "", unavailable="no reopens column (pass --column reopens=COL)")
    specs.append(spec)

    for kpi, col, target, status_col, flag in (
        ("sla_first_response", "__frt", opts.sla_first_response, "first_response_status",
         "--sla-first-response"),
        ("sla_resolution", "__res", opts.sla_resolution, "resolution_status", "--sla-resolution"),
    ):
        specs.append(_sla_spec(kpi, col, target, status_col, flag, cols, ok, scope, hours,
                               opts.vocabulary))

    if "satisfaction" in cols:
        specs.append(_csat_spec(ok, scope, satisfaction_sample))
    else:
        specs.append(Spec("csat", "", unavailable="no satisfaction column"))
    return specs


def _fcr_spec(cols, ok, resolved, scope, opts) -> Spec:
    """KPIS.md: the explicit flag; else contacts <= 1 and no reopen; else no repeat ticket."""
    unresolved = {"unresolved": ~resolved}
    if "fcr" in cols:
        if FCR_FOLDED in cols:
            yes, no = pl.col(FCR_FOLDED).is_in(TRUE), pl.col(FCR_FOLDED).is_in(FALSE)
        else:
            yes, no = (_text_in("fcr", TRUE, opts.vocabulary),
                       _text_in("fcr", FALSE, opts.vocabulary))
        rule = "the export's first-contact flag"
    elif "contacts" in cols:
        c = pl.col("contacts")
        reopened = (pl.col("reopens") >= 1) if "reopens" in cols else pl.lit(False)
        yes = (c <= 1) & ~reopened.fill_null(False)
        no = (c > 1) | reopened.fill_null(False)
        rule = "contacts <= 1 and no reopen" if "reopens" in cols else "contacts <= 1"
    elif "__repeat" in cols:
        yes, no = ~pl.col("__repeat"), pl.col("__repeat")
        days = opts.repeat_window_hours / 24
        same = " in the same category" if "category" in cols else ""
        rule = f"no other ticket from the same customer{same} within {days:g} days after it"
    else:
        return Spec("fcr", "", unavailable="no fcr flag, contacts or customer column "
                    "(pass --column fcr=COL, --column contacts=COL or --customer COL)")
    spec = _share_spec("fcr", resolved & yes, resolved & no, ok, scope,
                       {**unresolved, "unknown": resolved & ~yes.fill_null(False)
                        & ~no.fill_null(False)},
                       ("first_contact", "not_first_contact"))
    spec.rule = "FCR = resolved at first contact / resolved tickets; rule: " + rule
    return spec


def with_repeats(lf: pl.LazyFrame, opts: TicketOptions) -> pl.LazyFrame | None:
    """The tickets with the repeat flag when FCR is measured by repeat tickets (no FCR flag
    nor contact count, a customer id), else None."""
    cols = set(lf.collect_schema().names())
    if {"fcr", "contacts"} & cols or "customer_id" not in cols:
        return None
    from cxkit.kpi.repeats import add_repeats

    return add_repeats(lf, cols, opts.repeat_window_hours, opts.parsed_each_read)


def _sla_spec(kpi, col, target, status_col, flag, cols, ok, scope, hours, vocabulary) -> Spec:
    if target is not None and col in cols:
        value = pl.col(col)
        measured = value.is_not_null() & (value >= 0)
        if kpi == "sla_resolution":  # as resolution time: resolved tickets only
            measured = measured & pl.col("__resolved")
        spec = _share_spec(kpi, measured & (value <= target), measured & (value > target), ok,
                           scope, {"not_measured": ~measured}, ("within", "breached"))
        spec.rule = f"within target: <= {target:g} h ({hours}); on target counts as within"
    elif status_col in cols:
        within = _text_in(status_col, WITHIN_SLA, vocabulary)
        broken = _text_in(status_col, BROKEN_SLA, vocabulary)
        spec = _share_spec(kpi, within, broken, ok, scope,
                           {"not_measured": (~(within | broken)).fill_null(True)},
                           ("within", "breached"))
        spec.rule = f"the export's own SLA status column (pass {flag} to set a target)"
    else:
        return Spec(kpi, "", unavailable=f"no target (pass {flag} 4h)")
    return spec


def _csat_spec(ok: pl.Expr, scope: Scope, sample: list) -> Spec:
    """Ticket CSAT: satisfied = the top two of 1-5 (Intercom, Gorgias), Good of Good/Bad
    (Zendesk), Great of Great/Okay/Not Good (Help Scout); labels read as `cxkit csat` reads
    them, on the scale the sampled labels fit."""
    chosen, lookup = label_scale(sample, "csat")
    low, high = (chosen.low, chosen.high) if chosen else (1, 5)
    cut = high - 1 if high - low >= 3 else high
    score = score_value("satisfaction", pl.String, lookup)
    blank = is_blank("satisfaction", pl.String)
    rated = ~blank & score.is_not_null() & (score >= low) & (score <= high)
    spec = _share_spec("csat", rated & (score >= cut), rated & (score < cut), ok, scope,
                       {"not_rated": blank, "invalid": ~blank & ~rated},
                       ("satisfied", "not_satisfied"))
    if chosen:
        top = [labels[0] for labels, v in zip(chosen.points, chosen.scores, strict=True)
               if v >= cut]
        good = f"{' or '.join(top)} of the {chosen.name}"
    else:
        good = f"{cut}-{high} of 1-{high}"
    spec.rule = f"satisfied = {good}; CSAT = 100 * satisfied / rated"
    return spec


def _backlog_spec(cols: set, ok: pl.Expr, scope: Scope, as_of: datetime) -> Spec:
    """Tickets created by `as_of` and not resolved by then, with their age in hours."""
    created, resolved = pl.col("created_at"), pl.col("__resolved")
    closed = resolved & (pl.col("resolved_at").is_null() | (pl.col("resolved_at") <= as_of)) \
        if "resolved_at" in cols else resolved
    is_open = ok & (created <= as_of) & ~closed
    age = _hours(pl.lit(as_of) - created)
    rule = (f"tickets open at {as_of:%Y-%m-%d %H:%M} (created by then, not resolved by then); "
            "age = as-of - created, calendar hours")
    if scope.period:
        rule += (f"; per {scope.period}: the tickets open at its end (created by then and not "
                 f"resolved by then; the last {scope.period} at the as-of time), so each point "
                 "is the backlog carried at that date, not the tickets created in the period"
                 + ("" if "resolved_at" in cols else "; without resolution times, a resolved "
                    "ticket counts as resolved at every period end"))
    spec = Spec("backlog", rule, 0, kind="backlog", finisher=_backlog)
    spec.aggs = [is_open.sum().alias(spec.col("n"))]
    spec.subsets.append((is_open, _age_aggs(spec, age)))  # the open tickets' ages only
    if scope.period:  # the last period measured at its end, found in the same pass
        spec.aggs.append(pl.when(_counted(cols, ok, as_of)).then(created).max()
                         .dt.truncate(PERIODS[scope.period]).dt.date().alias(spec.col(LAST)))
    spec.aggs += drops(spec, ok, {"created_after_as_of": created > as_of}, scope)
    return spec


def _age_aggs(spec: Spec, age: pl.Expr) -> list[pl.Expr]:
    """Mean, median and max age of the open tickets and how many fall in each age bucket."""
    out = [age.mean().alias(spec.col("mean_age")), age.median().alias(spec.col("median_age")),
           age.max().alias(spec.col("max_age"))]
    for name, lo, hi in AGE_BUCKETS:
        cond = age >= lo if hi is None else (age >= lo) & (age < hi)
        out.append(cond.sum().alias(spec.col(name)))
    return out


def _counted(cols: set, ok: pl.Expr, as_of: datetime) -> pl.Expr:
    """Tickets the backlog at period ends lists: in scope, created by the as-of time, and not
    resolved at an unknown time (closed at every period end, as at the as-of time)."""
    created = pl.col("created_at")
    rt = pl.col("resolved_at").is_null() if "resolved_at" in cols else pl.lit(True)
    return ok & created.is_not_null() & (created <= as_of) & ~(pl.col("__resolved") & rt)


def _period_ends(lf: pl.LazyFrame, cols: set, scope: Scope, as_of: datetime,
                 span: tuple[datetime | None, datetime], spec: Spec) -> list[pl.DataFrame]:
    """The backlog at each period's end, per segment and period and per period, in one pass
    after the other KPIs' (`_at_period_ends` finishes them).

    A ticket is open at instant t when it was created by t and not resolved by t (the as-of
    rule, at t). Each period is measured at its end, and the last period (the last with a
    ticket created in scope) at the as-of time, so that its point is the headline. A ticket
    resolved by the as-of time is listed once per period end it is open at (from its creation
    period to its resolution's: a ticket resolved within its own period adds no row); the others
    are open at every end from their creation period's on and are counted per end without being
    listed (`cxkit.kpi.backlog`). Periods with nothing open show 0, from each segment's first
    period on. The last period is known only after the pass: the ends run to `bound`'s period
    (`span`: the earliest creation time and the bound, the as-of time or the export's latest
    creation time when earlier), which is measured at the as-of time, and `_at_period_ends`
    moves it onto the last period when that is earlier.
    """
    every = PERIODS[scope.period]
    stamp = lf.collect_schema()["created_at"]
    created, resolved = pl.col("created_at"), pl.col("__resolved")
    rt = pl.col("resolved_at") if "resolved_at" in cols else pl.lit(None, dtype=stamp)
    period = lambda e: period_start(e.dt.date(), scope.period)  # noqa: E731
    counted = _counted(cols, in_scope(scope, cols), as_of)
    earliest, bound = span
    # every period from the earliest creation's to the bound's, numbered from 0, and the instant
    # each is measured at (its end; the last, the bound's, at the as-of time)
    lo, final = pl.select(period(pl.lit(t, stamp)).alias(n) for n, t in
                          (("lo", earliest or bound), ("final", bound))).row(0)
    starts = pl.date_range(min(lo, final), final, every, eager=True).alias(START)
    last = len(starts) - 1
    at_table = starts.to_frame().select(
        pl.when(pl.int_range(pl.len()) == last).then(pl.lit(as_of, stamp))
        .otherwise(pl.col(START).dt.offset_by(every).cast(stamp)).alias("at"))["at"]
    number = lambda e: pl.lit(starts).search_sorted(e)  # noqa: E731
    stop = pl.lit(last + 1, pl.UInt32)  # the number after the bound's period
    by = list(scope.by)
    first = number(period(created))
    at_first = pl.lit(at_table).gather(pl.min_horizontal(first, last))  # in range if counted
    # open at the end of its creation period (else at no end: resolved by then)
    still = lf.filter(counted & ~(resolved & (rt <= at_first)).fill_null(False))
    closes = (resolved & (rt <= as_of)).fill_null(False)
    us = created.dt.epoch("us").alias(C)
    short = (still.filter(closes)
             .select(*[pl.col(b) for b in by], us, rt.alias("__rt"),
                     pl.int_ranges(first, pl.min_horizontal(number(period(rt)) + 1, stop),
                                   dtype=pl.UInt32).alias(K))
             .explode(K).drop_nulls(K)
             .filter(pl.col("__rt") > pl.lit(at_table).gather(pl.col(K)))
             .select(*by, K, C))
    long = still.filter(~closes).select(*[pl.col(b) for b in by], us, first.alias(K))
    seen = lf.filter(counted)
    # (the period of the earliest time, not the earliest of every row's period: a truncation is
    # monotonic, and this one runs once, not on each of 5M rows)
    earliest_period = period(created.min()).alias("__first")
    levels = [by] + ([[]] if by else [])
    firsts = [seen.group_by(keys).agg(earliest_period) if keys else seen.select(earliest_period)
              for keys in levels]
    short, long, *firsts = pl.collect_all([short, long, *firsts], engine="streaming")
    ends = at_table.dt.epoch("us").to_list()
    zero = [spec.col("n")] + [spec.col(b[0]) for b in AGE_BUCKETS]

    def per(keys: list[str], seen: pl.DataFrame) -> pl.DataFrame:
        grid = (seen.with_columns(pl.date_ranges("__first", pl.lit(final).dt.offset_by(every),
                                                   every, closed="left").alias(START))
                .explode(START).drop_nulls(START).drop("__first"))
        measured = (at_ends(short, long, keys, ends, spec.col)
                    .with_columns(pl.lit(starts).gather(pl.col(K)).alias(START)).drop(K))
        return (grid.join(measured, on=[*keys, START], how="left", nulls_equal=True)
                .with_columns(pl.col(zero).fill_null(0), pl.lit(final).alias("__final")))

    return [per(keys, f) for keys, f in zip(levels, firsts, strict=True)]


def _at_period_ends(frames: list[pl.DataFrame], last: date | None, scope: Scope, spec: Spec,
                    result: KpiResult, z: float, confidence: float) -> None:
    """Replace the backlog's groups and trend by `_period_ends`' frames; `last`: the last
    period with a counted ticket (None: nothing counted), from the main pass."""
    from cxkit.kpi.specs import _groups, _trend

    if last is None:
        result.groups, result.trend, result.change, result.significant = [], [], None, None
        return
    # the bound's period was measured at the as-of time: it stands for the last period
    frames = [df.filter((pl.col(START) != last) | (pl.col("__final") == last))
              .with_columns(pl.when(pl.col(START) == pl.col("__final")).then(pl.lit(last))
                            .otherwise(pl.col(START)).alias(START))
              .filter(pl.col(START) <= last).drop("__final") for df in frames]
    result.groups = _groups(spec, frames[0], scope, z, confidence)
    result.change = result.significant = None
    _trend(spec, frames[-1], scope, z, confidence, result)


def _volume(get) -> dict:
    n, res = int(get("n") or 0), int(get("resolved") or 0)
    return {"value": float(n), "n": n, "counts": {"resolved": res, "unresolved": n - res}}


def _backlog(get) -> dict:
    n = int(get("n") or 0)
    return {"value": float(n), "n": n, "counts": {b[0]: int(get(b[0]) or 0) for b in AGE_BUCKETS},
            "extra": {"mean_age_hours": get("mean_age"), "median_age_hours": get("median_age"),
                      "max_age_hours": get("max_age")}}


def latest_times(lf: pl.LazyFrame, cols: set
                 ) -> tuple[datetime | None, datetime | None, datetime | None]:
    """The latest timestamp of the export and its latest and earliest creation times, in one
    pass."""
    stamps = [pl.col(c) for c in ("created_at", "first_response_at", "resolved_at") if c in cols]
    created = pl.col("created_at")
    row = lf.select(pl.max_horizontal([s.max() for s in stamps]).alias("latest"),
                    created.max().alias("created"), created.min().alias("earliest")
                    ).collect(engine="streaming")
    return row["latest"][0], row["created"][0], row["earliest"][0]


def compute(lf: pl.LazyFrame, scope: Scope, opts: TicketOptions,
            only: list[str] | None = None) -> list[KpiResult]:
    """Every ticket KPI (or those in `only`) overall, per group and per period."""
    return collect_plans([plan(lf, scope, opts, only)])[0]


@dataclass
class Shared:
    """One prepared frame for several plans (the report's cards and breakdowns), cached so
    that all their queries read one pass and one repeat sort: common subplan elimination
    merges nothing below a node that differs, and its caches are not nested. `scope`: the
    scope it is prepared with, whose per-row columns cover every plan's."""

    scope: Scope
    frame: pl.LazyFrame


def share(lf: pl.LazyFrame, scope: Scope, opts: TicketOptions) -> Shared:
    repeated = with_repeats(lf, opts)
    return Shared(scope, prepare(lf if repeated is None else repeated, scope, opts)[0].cache())


def plan(lf: pl.LazyFrame, scope: Scope, opts: TicketOptions,
         only: list[str] | None = None, shared: Shared | None = None,
         groups_only: bool = False) -> Plan:
    """`compute` as queries and their finish, to collect with others over the same scan
    (`shared`: the prepared frame several plans read; `groups_only`: per group of `scope.by`,
    no overall value, as a report's breakdown shows them)."""
    groups_only = groups_only and bool(scope.by) and not scope.period
    cols = set(lf.collect_schema().names())
    # the labels of the ratings, from the first rows
    sample = (lf.select(pl.col("satisfaction").cast(pl.String)).head(SAMPLE).collect()
              ["satisfaction"].drop_nulls().unique().to_list()
              if "satisfaction" in cols and (only is None or "csat" in only) else [])
    # what only FCR reads (the repeat flag: a sort of every ticket) stays out of the other
    # queries: the as-of time and the backlog at period ends read `plain`
    plain, plain_cols = prepare(lf, shared.scope if shared else scope, opts)
    if shared is not None:
        lf = shared.frame
        cols = set(lf.collect_schema().names())
    else:
        repeated = with_repeats(lf, opts) if only is None or "fcr" in only else None
        lf, cols = (plain, plain_cols) if repeated is None else prepare(repeated, scope, opts)
    specs = build_specs(cols, scope, opts, sample)
    as_of = created = earliest = None
    if only is None or "backlog" in only:
        if opts.as_of is None or scope.period:
            latest, created, earliest = opts.latest or latest_times(plain, plain_cols)
            as_of = opts.as_of or latest
        else:
            as_of = opts.as_of
        specs.insert(3, _backlog_spec(cols, in_scope(scope, cols), scope, as_of) if as_of else
                     Spec("backlog", "", 0, unavailable="no dates to take the as-of time from"))
    if only:
        specs = [s for s in specs if s.kpi in only]
    if SPAM in cols:
        _count_spam(specs, scope)
    live = [s for s in specs if not s.unavailable]
    aggs = [a for s in live for a in s.aggs]
    keys = list(scope.by) + ([START] if scope.period else [])
    ends = next((s for s in live if s.kpi == "backlog" and scope.period), None)

    beside = []
    if ends:  # a pass of its own, from `plain`, in a thread beside the others' (with them, in
        # one collect, it ran 30 % slower on 5M tickets and 2 cores; a frame under the sort
        # would sort again, and on the report's shared cache it was no faster and held 0.2 GB
        # more); beside them rather than after: `cxkit tickets --period month` on 5M Parquet
        # tickets 3.15 -> 2.94 s, the ticket report on CSV 5.29 -> 5.01 s
        bound = min(as_of, created or as_of)
        beside.append(lambda: _period_ends(plain, plain_cols, scope, as_of, (earliest, bound),
                                           ends))

    def finish(frames: list) -> list[KpiResult]:
        z = stats.z_value(opts.confidence)
        per = frames.pop() if ends else None
        if groups_only:
            frames = [None, *frames]
        results = [to_result(spec, frames, scope, z, opts.confidence) for spec in specs]
        if ends:
            _at_period_ends(per, frames[0][ends.col(LAST)][0], scope, ends,
                            results[specs.index(ends)], z, opts.confidence)
        return results

    # counts and shares are sums: the coarser levels re-sum the finest (the medians of the
    # durations and the backlog's ages are subsets, aggregated per level on their own rows)
    additive = counts_only(lf, aggs)
    subsets = [sub for s in live for sub in s.subsets]
    if subsets and shared is None:  # one frame under the queries and the subsets' filters
        lf = lf.cache()
    return Plan(aggregate(lf, aggs, keys, scope, additive, subsets, not groups_only)
                if aggs else [], finish, beside)
