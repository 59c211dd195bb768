"""KPIs computed from rows of sums: one `Spec` per KPI, shared by tickets and orders.

A Spec lists the Polars aggregations it needs (named `<kpi>__<part>`, so every spec of a command
shares one `group_by` pass) and how to turn one row of those sums into value, n, interval,
counts and extras. `to_result` does that overall, per group (with the change against the
previous period of the same segment) and per period (the trend).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from cxkit.kpi import stats
from cxkit.kpi.grouping import PERIOD_COL, START, Scope, label_periods, sort_groups
from cxkit.kpi.result import Group, KpiResult

DATE_DROPS = ("missing_date", "invalid_date", "outside_dates")
ROW = "__row"  # 0 in scope, else 1 + the index of the reason in DATE_DROPS


@dataclass
class Spec:
    """One KPI: its aggregations (names prefixed with the KPI) and how to finish a row."""

    kpi: str
    rule: str
    digits: int = 1
    unavailable: str | None = None  # why it cannot be computed from this export (and the fix)
    aggs: list[pl.Expr] = field(default_factory=list)
    # share: a % with a Wilson interval; mean: a mean with a t interval (clipped at 0),
    # median, p90; other kinds finish with `finisher`
    kind: str = "share"
    labels: tuple[str, ...] = ("yes", "no")  # the two counts of a share
    reasons: list[str] = field(default_factory=list)  # why rows were dropped, in order
    finisher: Callable[[Callable[[str], Any]], dict] | None = None  # replaces the kind's finish
    extras: Callable[[Callable[[str], Any]], dict] | None = None  # fields added after it
    hide: tuple[str, ...] = ("sd",)  # extras used for tests of change, not printed
    # (condition, aggregations) over the rows the condition keeps, in a query of their own
    # joined to each level's (`aggregate`): a median inside a group-by keeps a value for every
    # row, kept or not (the backlog's ages: 392k open of 5M tickets)
    subsets: list[tuple[pl.Expr, list[pl.Expr]]] = field(default_factory=list)

    def col(self, name: str) -> str:
        return f"{self.kpi}__{name}"


def row_status(at: str, scope: Scope) -> pl.Expr:
    """ROW: 0 in the date scope, 1 date cell empty, 2 unreadable, 3 outside --since/--until."""
    day = pl.col(at).dt.date()
    outside = pl.lit(False)
    if scope.since:
        outside = outside | (day < scope.since)
    if scope.until:
        outside = outside | (day > scope.until)
    return (pl.when(pl.col(at + "__blank")).then(1).when(pl.col(at).is_null()).then(2)
            .when(outside).then(3).otherwise(0)).cast(pl.Int8).alias(ROW)


def drops(spec: Spec, ok: pl.Expr, reasons: dict[str, pl.Expr], scope: Scope) -> list[pl.Expr]:
    """Rows out of the date scope, then the KPI's own reasons (first that applies wins)."""
    dates = list(DATE_DROPS) if scope.uses_date else []
    spec.reasons = dates + list(reasons)
    out = [(pl.col(ROW) == i).sum().alias(spec.col(r)) for i, r in enumerate(dates, 1)]
    taken = pl.lit(False)
    for r, cond in reasons.items():
        cond = cond.fill_null(False)
        out.append((ok & cond & ~taken).sum().alias(spec.col(r)))
        taken = taken | cond
    return out


def _shape(agg: pl.Expr) -> str:
    """An aggregation without its name, as text: equal for the same computation."""
    return agg.meta.undo_aliases().meta.serialize(format="json")


def group(lf: pl.LazyFrame, level: list[str], aggs: list[pl.Expr]) -> pl.LazyFrame:
    """`lf` aggregated by `level` (no level: one row), each distinct aggregation once: specs
    share their drop counts, the same expression under several names (the orders'
    headline: 82 aggregations, 22 distinct); the others are copied from it, on the
    aggregated rows."""
    first: dict[str, str] = {}
    once, copies = [], []
    for a in aggs:
        key = _shape(a)
        name = a.meta.output_name()
        if key in first:
            copies.append(pl.col(first[key]).alias(name))
        else:
            first[key] = name
            once.append(a)
    out = lf.group_by(level).agg(once) if level else _select(lf, once)
    if not copies:
        return out
    return out.with_columns(copies).select(*level, *(a.meta.output_name() for a in aggs))


P90 = 0.9


def _select(lf: pl.LazyFrame, aggs: list[pl.Expr]) -> pl.LazyFrame:
    """`lf.select(aggs)`, where the median and the p90 of one float input are one
    `quantile([0.5, 0.9])`: one selection pass over the values for both, where `median()` and
    `quantile(0.9)` make one each (4.2M resolution times: 0.23 -> 0.11 s; the same values to
    the last bit, 300 random samples of even and odd sizes). A group-by takes no list of
    quantiles (Polars 2.1), so only the overall level does this."""
    found: dict[str, tuple[pl.Expr, dict[float, str]]] = {}  # input's shape -> input, q -> name
    for a in aggs:
        shape = _shape(a)
        if '"Median"' not in shape and '"Quantile"' not in shape:
            continue
        for inner in a.meta.undo_aliases().meta.pop()[:2]:  # a quantile's: its q, its input
            for q, stat in ((0.5, inner.median()),
                            (P90, inner.quantile(P90, interpolation="linear"))):
                if _shape(stat) == shape:
                    found.setdefault(_shape(inner), (inner, {}))[1][q] = a.meta.output_name()
    pairs = [(inner, qs) for inner, qs in found.values() if len(qs) > 1]
    if pairs:
        types = lf.select(inner.alias(f"__q{i}") for i, (inner, _) in enumerate(pairs))
        kinds = types.collect_schema().dtypes()
        pairs = [p for p, kind in zip(pairs, kinds, strict=True) if kind.is_float()]
    if not pairs:
        return lf.select(aggs)
    merged = {name for _, qs in pairs for name in qs.values()}
    lists = [inner.quantile(list(qs), interpolation="linear").alias(f"__q{i}")
             for i, (inner, qs) in enumerate(pairs)]
    picks = [pl.col(f"__q{i}").list.get(j).alias(name)
             for i, (_, qs) in enumerate(pairs) for j, name in enumerate(qs.values())]
    return (lf.select(*[a for a in aggs if a.meta.output_name() not in merged], *lists)
            .with_columns(picks).select(a.meta.output_name() for a in aggs))


def money_sum(amount: pl.Expr) -> pl.Expr:
    """A per-customer sum of amounts, rounded to 6 decimals: parallel summation adds in any
    order, and the last-bit noise would otherwise flip a median of two sums that ends in half a
    cent (87.365 printed 87.36 on one run and 87.37 on the next)."""
    return amount.sum().round(6)


def _mean_stats(spec: Spec, v: pl.Expr, p90: bool) -> list[pl.Expr]:
    out = [v.mean().alias(spec.col("mean")), v.median().alias(spec.col("median")),
           v.std().alias(spec.col("sd"))]
    if p90:
        out.append(v.quantile(P90, interpolation="linear").alias(spec.col("p90")))
    return out


def mean_aggs(spec: Spec, value: pl.Expr, good: pl.Expr, p90: bool = True) -> list[pl.Expr]:
    return [good.sum().alias(spec.col("n"))] + _mean_stats(spec, value.filter(good), p90)


def mean_subset(spec: Spec, value: pl.Expr, good: pl.Expr, p90: bool = True) -> list[pl.Expr]:
    """`mean_aggs` with the statistics as a subset (`Spec.subsets`) of the rows `good` keeps;
    returns the count, summed over every row."""
    spec.subsets.append((good, _mean_stats(spec, value, p90)))
    return [good.sum().alias(spec.col("n"))]


def share_aggs(spec: Spec, yes: pl.Expr, no: pl.Expr) -> list[pl.Expr]:
    return [yes.sum().alias(spec.col(spec.labels[0])), no.sum().alias(spec.col(spec.labels[1]))]


def finish(spec: Spec, row: dict, z: float, confidence: float) -> dict:
    """value, n, ci, counts and extras of one spec from one row of sums."""
    get = lambda name: row.get(spec.col(name))  # noqa: E731
    out: dict[str, Any] = {"ci": None, "counts": {}, "extra": {}}
    if spec.finisher:
        out.update(spec.finisher(get))
    elif spec.kind == "mean":
        n, mean, sd = int(get("n") or 0), get("mean"), get("sd")
        extra = {"median": get("median"), "sd": sd}
        if spec.col("p90") in row:
            extra["p90"] = get("p90")
        out.update(value=mean, n=n, extra=extra)
        if n >= 2 and sd is not None:  # durations and amounts: clip the interval at 0
            low, high = stats.t_interval(mean, sd, n, confidence)
            out["ci"] = (max(low, 0.0), high)
    else:
        yes, no = (int(get(lab) or 0) for lab in spec.labels)
        n = yes + no
        out.update(value=100 * yes / n if n else None, n=n,
                   counts={spec.labels[0]: yes, spec.labels[1]: no},
                   ci=stats.wilson(yes, n, z) if n else None)
    if spec.extras:
        out["extra"] = {**out["extra"], **spec.extras(get)}
    out["dropped"] = {r: int(get(r) or 0) for r in spec.reasons}
    return out


def differ(spec: Spec, a: dict, b: dict, z: float, confidence: float) -> bool | None:
    """Is the change between two rows of sums significant (None: no test for this KPI)."""
    if spec.finisher:
        return None
    if spec.kind == "share":
        ka, kb = a["counts"][spec.labels[0]], b["counts"][spec.labels[0]]
        return stats.proportions_differ(ka, a["n"], kb, b["n"], z)[1] if a["n"] and b["n"] \
            else None
    if spec.kind == "mean" and a["n"] >= 2 and b["n"] >= 2:
        sa, sb = a["extra"].get("sd"), b["extra"].get("sd")
        if sa is not None and sb is not None:
            return stats.means_differ(a["value"], sa, a["n"], b["value"], sb, b["n"],
                                      confidence)[1]
    return None


def counts_only(lf: pl.LazyFrame, aggs: list[pl.Expr]) -> bool:
    """Every aggregation is a sum or a count with a whole-number result: re-summed over groups
    it gives the coarser levels exactly (`aggregate(additive=True)`)."""
    return bool(aggs) and all(whole_counts(lf, aggs))


def whole_counts(lf: pl.LazyFrame, aggs: list[pl.Expr]) -> list[bool]:
    """For each aggregation: a sum or a count with a whole-number result (one schema
    resolution for all of them)."""
    kinds = ('{"Agg":{"Sum":', '{"Agg":{"Count":', '"Len"')
    shaped = [_shape(a).startswith(kinds) for a in aggs]
    if not any(shaped):
        return shaped
    dtypes = lf.select(aggs).collect_schema().dtypes()
    return [s and d.is_integer() for s, d in zip(shaped, dtypes, strict=True)]


def aggregate(lf: pl.LazyFrame, aggs: list[pl.Expr], keys: list[str], scope: Scope,
              additive: bool = False, subsets: list[tuple[pl.Expr, list[pl.Expr]]] = (),
              overall: bool = True) -> list[pl.LazyFrame]:
    """Overall, per group, per period (when grouped by segment and period): three queries
    over the same rows. Medians do not add up, so each level is aggregated from the rows;
    `additive`: the whole-number counts among `aggs` (`counts_only`) of the coarser levels
    re-sum the finest level's instead (one pass over the rows, not three), the others (money
    sums, means, medians) are aggregated per level from the rows and joined. `subsets`
    (`Spec.subsets`): aggregated on their rows and joined to each level; `lf` should then be a
    `cache()`d frame, or the filtered branch gets a cache of its own and reads (and sorts)
    everything below it again. `overall=False`: the groups' levels only (a report's breakdown
    shows no overall)."""
    levels = [[]] + ([keys] if keys else []) + ([[START]] if keys and scope.period and scope.by
                                                  else [])
    whole = whole_counts(lf, aggs) if additive and keys else [False] * len(aggs)
    counts = [a for a, w in zip(aggs, whole, strict=True) if w]
    rest = [a for a, w in zip(aggs, whole, strict=True) if not w]
    if counts:
        finest = group(lf, keys, counts)
        if rest:  # read beside the rows' own aggregations at every level
            finest = finest.cache()
        sums = [pl.col(a.meta.output_name()).sum() for a in counts]
        mains = [finest.select(sums), finest] + ([finest.group_by(START).agg(sums)]
                                                 if len(levels) == 3 else [])
        if rest:
            mains = [_beside(m, group(lf, level, rest), level)
                     for m, level in zip(mains, levels, strict=True)]
    else:
        mains = [group(lf, level, aggs) for level in levels]
    if not overall and keys:
        levels, mains = levels[1:], mains[1:]
    queries = []
    for level, query in zip(levels, mains, strict=True):
        for cond, sub in subsets:
            part = lf.filter(cond)
            # a group with no row kept has null statistics
            query = _beside(query, part.group_by(level).agg(sub) if level else _select(part, sub),
                            level)
        queries.append(query)
    return queries


def _beside(query: pl.LazyFrame, more: pl.LazyFrame, level: list[str]) -> pl.LazyFrame:
    """`more`'s columns joined to each group of `query` (one row each with no level)."""
    if level:
        return query.join(more, on=level, how="left", nulls_equal=True)
    return query.join(more, how="cross")


@dataclass
class Plan:
    """A command's KPIs as lazy queries and the function that turns their frames into results:
    several plans over the same rows are collected together, so the scan is made once."""

    queries: list[pl.LazyFrame]
    finish: Callable[[list[Any]], list[KpiResult]]
    # passes of their own, run in threads while the queries are collected; their results
    # follow the queries' frames in what `finish` receives
    beside: list[Callable[[], Any]] = field(default_factory=list)


def collect_plans(plans: list[Plan]) -> list[list[KpiResult]]:
    """Every plan's queries in one `pl.collect_all` (common subplans, the scan among them, run
    once), with the plans' `beside` passes in threads meanwhile (Polars releases the GIL: on
    2 cores the streaming pass leaves a core part idle), then each plan's finish on its own
    frames and side results."""
    from concurrent.futures import ThreadPoolExecutor

    queries = [q for p in plans for q in p.queries]
    sides = [f for p in plans for f in p.beside]
    with ThreadPoolExecutor(max(len(sides), 1)) as pool:
        futures = [pool.submit(f) for f in sides]
        frames = pl.collect_all(queries, engine="streaming") if queries else []
        besides = [f.result() for f in futures]
    out, at, side = [], 0, 0
    for p in plans:
        out.append(p.finish([*frames[at:at + len(p.queries)],
                             *besides[side:side + len(p.beside)]]))
        at += len(p.queries)
        side += len(p.beside)
    return out


def unavailable(spec: Spec, confidence: float) -> KpiResult:
    return KpiResult(spec.kpi, None, 0, None, {}, {}, "not computed: " + (spec.unavailable or ""),
                     spec.digits, confidence=confidence)


def to_result(spec: Spec, frames: list[pl.DataFrame], scope: Scope, z: float,
              confidence: float) -> KpiResult:
    if spec.unavailable:
        return unavailable(spec, confidence)
    if frames[0] is None:  # groups only (`aggregate(overall=False)`): no overall row
        result = KpiResult(spec.kpi, None, 0, None, {}, {}, spec.rule, spec.digits,
                           confidence=confidence)
    else:
        overall = finish(spec, frames[0].row(0, named=True), z, confidence)
        result = KpiResult(spec.kpi, overall["value"], overall["n"], overall["ci"],
                           overall["counts"], overall["dropped"], spec.rule, spec.digits,
                           overall["extra"], confidence=confidence)
        result.basis = basis(spec, overall)
    if len(frames) > 1:
        result.groups = _groups(spec, frames[1], scope, z, confidence)
        result.group_keys = list(scope.by) + ([PERIOD_COL] if scope.period else [])
    if scope.period:
        per = frames[2] if len(frames) > 2 else frames[1]
        _trend(spec, per, scope, z, confidence, result)
    for part in [result.extra] + [g.extra for g in result.groups]:
        for name in spec.hide:
            part.pop(name, None)
    return result


def _groups(spec, df, scope, z, confidence) -> list[Group]:
    if scope.period:
        df = label_periods(df.filter(pl.col(START).is_not_null()), scope.period)
    rows = sort_groups(df, scope).to_dicts()
    done = {}
    for row in rows:
        done[(tuple(row[b] for b in scope.by), row.get(START))] = finish(spec, row, z, confidence)
    out = []
    for row in rows:
        res = done[(tuple(row[b] for b in scope.by), row.get(START))]
        key = {b: row[b] for b in scope.by}
        group = Group(key, res["value"], res["n"], res["ci"], res["counts"], res["extra"])
        group.basis = basis(spec, res)
        if scope.period:
            key[PERIOD_COL] = row[PERIOD_COL]
            group.compared = True
            prev = done.get((tuple(row[b] for b in scope.by), row["__prev_start"]))
            group.change, group.significant = _compare(spec, res, prev, z, confidence)
        out.append(group)
    return out


def _compare(spec, res, prev, z, confidence):
    if prev is None or res["value"] is None or prev["value"] is None:
        return None, None
    return res["value"] - prev["value"], differ(spec, res, prev, z, confidence)


def _trend(spec, df, scope, z, confidence, result: KpiResult) -> None:
    rows = label_periods(df.filter(pl.col(START).is_not_null()).sort(START),
                         scope.period).to_dicts()
    done = [finish(spec, row, z, confidence) for row in rows]
    result.trend = [{"period": row[PERIOD_COL], "value": res["value"], "n": res["n"]}
                    for row, res in zip(rows, done, strict=True)]
    if len(rows) >= 2 and rows[-2][START] == rows[-1]["__prev_start"]:
        result.change, result.significant = _compare(spec, done[-1], done[-2], z, confidence)
        result.change_test = difference(spec, basis(spec, done[-2]), basis(spec, done[-1]), z,
                                        confidence)


def basis(spec: Spec, res: dict) -> dict:
    """What a share or a mean is made of, for a test against another group or period: the two
    counts, or n, mean and standard deviation (other kinds have no test: empty)."""
    if spec.finisher or spec.kind not in ("share", "mean"):
        return {}
    if spec.kind == "share":
        yes, no = (res["counts"].get(lab, 0) for lab in spec.labels)
        return {"n": yes + no, "yes": yes}
    return {"n": res["n"], "mean": res["value"], "sd": res["extra"].get("sd")}


def difference(spec: Spec, base: dict, new: dict, z: float, confidence: float):
    """new - base with its interval and p (stats.Difference): Newcombe and the pooled z test for
    a share, Welch's t for a mean; None when there is no test (too few rows, another kind)."""
    if not base or not new:
        return None
    if spec.kind == "share":
        if not base["n"] or not new["n"]:
            return None
        return stats.proportion_diff(base["yes"], base["n"], new["yes"], new["n"], z)
    if base["n"] < 2 or new["n"] < 2 or base["sd"] is None or new["sd"] is None:
        return None
    return stats.welch_diff(base["mean"], base["sd"], base["n"], new["mean"], new["sd"],
                            new["n"], confidence)
