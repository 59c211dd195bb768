"""Ticket KPIs on any engine (cxkit tickets): the same sums as `cxkit.kpi.tickets`, written
once in Narwhals, finished by `cxkit.kpi.specs.to_result` as on Polars.

Volume, first response and resolution time (mean, exact median and p90, in calendar hours from
epoch microseconds: Spark has no duration totals), FCR by the export's flag, by contacts or by
repeat contact (a window over each customer's tickets), reopen rate, SLA attainment and the
backlog at the as-of time. What runs on Polars only is said in cxkit.engines.CANNOT or in the
KPI's `rule` ("not computed: ...").
"""

from __future__ import annotations

from cxkit.engines import Source, collect, import_engine
from cxkit.engines.orders import collect_levels, count, finish_frame, levels_of
from cxkit.engines.typed import DAYS, load_typed, outside_dates, period_key, with_epochs

ROW, START = "__row", "__period_start"
COUNTS = ("volume", "fcr", "reopen_rate", "sla_first_response", "sla_resolution")
TIMES = ("created_at", "first_response_at", "resolved_at")
HOUR_US = 3_600_000_000


def load(source: Source, columns: dict[str, str], by: list[str], flags: dict[str, str]):
    from cxkit.io.roles import TICKET_ROLES

    # durations written as minutes need their unit guessed from the values: Polars only
    wanted = tuple(r for r in TICKET_ROLES if not r.endswith("_minutes"))
    return load_typed(source, wanted, ("created_at",), columns, by, flags, "created_at", True,
                      dated=TIMES)


def canonical(source: Source, loaded, scope, opts):
    """`load_tickets` + `kpi.tickets.prepare` on the engine: times, text roles, counts, ROW,
    the period key, durations in hours and `__resolved`."""
    import narwhals as nw

    from cxkit.io.dates import MIN_YEAR, max_year
    from cxkit.io.tickets import BLANK_IS_NONE, COUNT_ROLES, TEXT_ROLES
    from cxkit.kpi.tickets import RESOLVED

    cols = {r: m.column for r, m in loaded.roles.items()}
    exprs = []
    for role in TIMES:
        if role in cols:
            at = nw.col(cols[role])
            year = at.dt.year()
            exprs += [nw.when((year >= MIN_YEAR) & (year <= max_year())).then(at).alias(role),
                      at.is_null().alias(role + "__blank")]
    for role in TEXT_ROLES:
        if role in cols:
            text = nw.col(cols[role]).cast(nw.String).str.strip_chars()
            if role in BLANK_IS_NONE:  # spaces only: no customer, as in cxkit.io.tickets
                text = nw.when(text != "").then(text)
            exprs.append(text.alias(role))
    for role in COUNT_ROLES:
        if role in cols:
            exprs.append(nw.col(cols[role]).cast(nw.Float64).alias(role))
    names = {e for r in TIMES for e in (r, r + "__blank")} | set(TEXT_ROLES) | set(COUNT_ROLES)
    exprs += [nw.col(b) for b in loaded.by if b not in names]
    lf = source.lf.select(exprs)
    have = set(lf.collect_schema().names())

    created = nw.col("created_at")
    new = []
    if scope.uses_date:
        outside = outside_dates(created.cast(nw.Date), scope)
        new.append(nw.when(nw.col("created_at__blank")).then(nw.lit(1))
                   .when(created.is_null()).then(nw.lit(2)).when(outside).then(nw.lit(3))
                   .otherwise(nw.lit(0)).alias(ROW))
    # microseconds since 1970 of each time (`__created_at_us`: also the backlog's and the repeat
    # window's), as columns: Spark builds an expression per use
    lf = with_epochs(source, lf, {f"__{t}_us": t for t in TIMES if t in have})
    for kpi, end in (("frt", "first_response_at"), ("res", "resolved_at")):
        if end in have:
            hours = (nw.col(f"__{end}_us") - nw.col("__created_at_us")) / HOUR_US
            new += [hours.alias("__" + kpi),
                    (hours.is_null() & ~nw.col("created_at__blank") & ~nw.col(end + "__blank"))
                    .alias(f"__{kpi}_bad")]
    if "status" in have:
        resolved = nw.col("status").str.to_lowercase().is_in(RESOLVED)
        if "resolved_at" in have:
            resolved = resolved | (nw.col("status").is_null() & ~nw.col("resolved_at").is_null())
    elif "resolved_at" in have:
        resolved = ~nw.col("resolved_at").is_null()
    else:
        resolved = nw.lit(False)
    new.append(resolved.fill_null(False).alias("__resolved"))
    lf = lf.with_columns(*new)
    if scope.period:
        days = None
        if scope.period in ("day", "week"):
            lf, days = with_epochs(source, lf, {DAYS: "created_at"}, "days"), nw.col(DAYS)
        key = period_key(created, scope.period, days)
        lf = lf.with_columns((nw.when(nw.col(ROW) == 0).then(key)).alias(START))
    if {"customer_id", "created_at"} <= have and not {"fcr", "contacts"} & have:
        keys = ["customer_id"] + (["category"] if "category" in have else [])
        at = nw.col("__created_at_us")
        gap = (at.shift(-1).over(*keys, order_by="__created_at_us") - at) / HOUR_US
        repeat = nw.when(nw.col("customer_id").is_null() | created.is_null()).then(
            nw.lit(None, dtype=nw.Boolean)).otherwise(
            ~gap.is_null() & (gap <= opts.repeat_window_hours))
        lf = lf.with_columns(repeat.alias("__repeat"))
    return lf, set(lf.collect_schema().names())


def _drops(spec, ok, reasons: dict, scope) -> list:
    from cxkit.engines.orders import _drops as drops

    return drops(spec, ok, reasons, scope)


def _text_in(column: str, values: list[str]):
    import narwhals as nw

    return nw.col(column).str.to_lowercase().is_in(values)


def _share(spec, yes, no, ok, reasons: dict, scope) -> list:
    yes_label, no_label = spec.labels
    return [count(ok & yes).alias(spec.col(yes_label)), count(ok & no).alias(spec.col(no_label))
            ] + _drops(spec, ok, reasons, scope)


def _mean(spec, value, good, p90: bool = True) -> list:
    import narwhals as nw

    v = nw.when(good).then(value)
    out = [count(good).alias(spec.col("n")), v.mean().alias(spec.col("mean")),
           v.median().alias(spec.col("median")), v.std(ddof=1).alias(spec.col("sd"))]
    if p90:
        out.append(v.quantile(0.9, interpolation="linear").alias(spec.col("p90")))
    return out


def sums(spec, cols: set, scope, opts, as_of) -> list:
    """The Narwhals sums of one spec, named as `cxkit.kpi.tickets.build_specs` names them."""
    import narwhals as nw

    from cxkit.kpi.backlog import AGE_BUCKETS
    from cxkit.kpi.tickets import BROKEN_SLA, FALSE, TRUE, WITHIN_SLA

    ok = nw.col(ROW) == 0 if scope.uses_date else ~nw.col("created_at__blank").is_null()
    resolved = nw.col("__resolved")
    kpi = spec.kpi
    if kpi == "volume":
        return [count(ok).alias(spec.col("n")), count(ok & resolved).alias(spec.col("resolved"))
                ] + _drops(spec, ok, {}, scope)
    if kpi in ("first_response_time", "resolution_time"):
        col = "__frt" if kpi[0] == "f" else "__res"
        value = nw.col(col)
        gone = value.is_null() | (~resolved if kpi == "resolution_time" else nw.lit(False))
        why = {"no_response" if kpi[0] == "f" else "unresolved": gone}
        if col + "_bad" in cols:
            why = {"invalid_time": value.is_null() & nw.col(col + "_bad"), **why}
        good = ok & ~value.is_null() & (value >= 0)
        for cond in why.values():
            good = good & ~cond.fill_null(False)
        return _mean(spec, value, good) + _drops(spec, ok, {**why, "negative": value < 0}, scope)
    if kpi == "fcr":
        if "fcr" in cols:
            yes, no = _text_in("fcr", TRUE), _text_in("fcr", FALSE)
        elif "contacts" in cols:
            c = nw.col("contacts")
            reopened = (nw.col("reopens") >= 1).fill_null(False) if "reopens" in cols else \
                nw.lit(False)
            yes, no = (c <= 1) & ~reopened, (c > 1) | reopened
        else:
            yes, no = ~nw.col("__repeat"), nw.col("__repeat")
        return _share(spec, resolved & yes, resolved & no, ok,
                      {"unresolved": ~resolved,
                       "unknown": resolved & ~yes.fill_null(False) & ~no.fill_null(False)}, scope)
    if kpi == "reopen_rate":
        r = nw.col("reopens")
        return _share(spec, resolved & (r >= 1), resolved & (r == 0), ok,
                      {"unresolved": ~resolved, "unknown": resolved & r.is_null()}, scope)
    if kpi in ("sla_first_response", "sla_resolution"):
        col, target, status = (("__frt", opts.sla_first_response, "first_response_status")
                               if kpi == "sla_first_response" else
                               ("__res", opts.sla_resolution, "resolution_status"))
        if target is not None and col in cols:
            value = nw.col(col)
            measured = ~value.is_null() & (value >= 0)
            if kpi == "sla_resolution":
                measured = measured & resolved
            return _share(spec, measured & (value <= target), measured & (value > target), ok,
                          {"not_measured": ~measured}, scope)
        within, broken = _text_in(status, WITHIN_SLA), _text_in(status, BROKEN_SLA)
        return _share(spec, within, broken, ok,
                      {"not_measured": (~(within | broken)).fill_null(True)}, scope)
    if kpi == "backlog":
        created = nw.col("created_at")
        closed = resolved & (nw.col("resolved_at").is_null()
                             | (nw.col("resolved_at") <= nw.lit(as_of))) \
            if "resolved_at" in cols else resolved
        is_open = ok & (created <= nw.lit(as_of)) & ~closed
        # as-of in epoch microseconds (719163: the ordinal of 1970-01-01)
        as_of_us = ((as_of.toordinal() - 719163) * 86400 + as_of.hour * 3600 + as_of.minute * 60
                    + as_of.second) * 1_000_000 + as_of.microsecond
        age = nw.when(is_open).then((nw.lit(as_of_us) - nw.col("__created_at_us")) / HOUR_US)
        out = [count(is_open).alias(spec.col("n")), age.mean().alias(spec.col("mean_age")),
               age.median().alias(spec.col("median_age")), age.max().alias(spec.col("max_age"))]
        for name, lo, hi in AGE_BUCKETS:
            cond = age >= lo if hi is None else (age >= lo) & (age < hi)
            out.append(count(cond).alias(spec.col(name)))
        return out + _drops(spec, ok, {"created_after_as_of": created > nw.lit(as_of)}, scope)
    raise AssertionError(kpi)


def _approx_columns(live, cols: set, scope) -> dict:
    """--approx-quantiles: the durations each spec's median and p90 are taken over, as columns
    (null where the spec does not count the row): spec column -> (column, expression)."""
    import narwhals as nw

    out = {}
    for spec in live:
        if spec.kpi not in ("first_response_time", "resolution_time"):
            continue
        # the `good` rows of `sums`: the mean's count, rebuilt on the rows
        col = "__frt" if spec.kpi[0] == "f" else "__res"
        ok = nw.col(ROW) == 0 if scope.uses_date else ~nw.col("created_at__blank").is_null()
        value = nw.col(col)
        good = ok & ~value.is_null() & (value >= 0)
        if spec.kpi == "resolution_time":
            good = good & nw.col("__resolved")
        if col + "_bad" in cols:
            good = good & ~(value.is_null() & nw.col(col + "_bad")).fill_null(False)
        out[spec.kpi] = ("__q_" + col, nw.when(good).then(value))
    return out


def _with_approx(source: Source, lf, level: list[str], frame, approx: dict):
    """Replace the exact medians and p90s of `frame` by the engine's approximate ones."""
    import narwhals as nw

    from cxkit.engines import import_engine

    wanted = {}
    for kpi, (col, _) in approx.items():
        wanted[f"{kpi}__median"] = (col, 0.5)
        wanted[f"{kpi}__p90"] = (col, 0.9)
    native = nw.to_native(lf.select(*level, *[nw.col(c) for c, _ in approx.values()]))
    got = collect(source, nw.from_native(import_engine(source.engine).approx_quantiles(
        native, level, wanted)))
    frame = frame.drop(list(wanted))
    if not level:
        import polars as pl

        return pl.concat([frame, got], how="horizontal")
    return frame.join(got, on=level, how="left", nulls_equal=True)


ON_POLARS = {"csat": "ticket CSAT reads rating labels on Polars only (on this engine: "
                     "cxkit csat TABLE --engine ENGINE --score COL)",
             "backlog": "the backlog at each period's end is computed on Polars only"}


def compute(source: Source, loaded, scope, opts, only: list[str] | None = None):
    """cxkit.kpi.tickets.compute on the engine: the same KpiResults."""
    import narwhals as nw

    from cxkit.kpi import stats
    from cxkit.kpi.specs import Spec, to_result
    from cxkit.kpi.tickets import build_specs

    lf, cols = canonical(source, loaded, scope, opts)
    specs = build_specs(cols - {"satisfaction"}, scope, opts, [])
    specs = [Spec("csat", "", unavailable=ON_POLARS["csat"]) if s.kpi == "csat"
             and "satisfaction" in cols else s for s in specs]
    as_of = None
    if only is None or "backlog" in only:
        from cxkit.kpi.tickets import _backlog_spec

        stamps = [c for c in TIMES if c in cols]
        as_of = opts.as_of or collect(source, lf.select(
            nw.max_horizontal(*[nw.col(c).max() for c in stamps]).alias("t"))).item()
        if as_of is None:
            backlog = Spec("backlog", "", 0, unavailable="no dates to take the as-of time from")
        elif scope.period:
            backlog = Spec("backlog", "", 0, unavailable=ON_POLARS["backlog"])
        else:
            import polars as pl

            # the spec's rule and reasons; its sums are made by `sums` on the engine
            backlog = _backlog_spec(cols, pl.lit(True), scope, as_of)
        specs.insert(3, backlog)
    if only:
        specs = [s for s in specs if s.kpi in only]
    live = [s for s in specs if not s.unavailable]
    aggs = [a for s in live for a in sums(s, cols, scope, opts, as_of)]
    approx = _approx_columns(live, cols, scope) if source.approx_quantiles else {}
    if approx:
        lf = lf.with_columns(*[expr.alias(col) for col, expr in approx.values()])
    frames = []
    levels = levels_of(scope) if aggs else []
    additive = all(s.kpi in COUNTS for s in live)  # `sums` gives counts only for these
    for level, frame in zip(levels, collect_levels(source, lf, levels, aggs, additive)
                            if aggs else [], strict=True):
        if approx:
            frame = _with_approx(source, lf, level, frame, approx)
        frames.append(finish_frame(frame, scope, []))
    for spec in live:
        if spec.kpi in ("first_response_time", "resolution_time") and approx:
            spec.rule = spec.rule.replace("median, p90", "median and p90 approximate ("
                                          + import_engine(source.engine).APPROX + ")")
    z = stats.z_value(opts.confidence)
    return [to_result(spec, frames, scope, z, opts.confidence) for spec in specs]
