"""The work behind `cxkit report`: settings (flags over cxkit.toml), loading, building, writing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cxkit.cli.context import Env
from cxkit.errors import UsageError

KINDS = ("responses", "tickets", "orders")


def run(args: dict) -> None:
    from cxkit.cli.output import check_many, parse_thresholds
    from cxkit.config import fill_placeholders
    from cxkit.kpi.report import KPI_INFO

    env = Env(quiet=args["quiet"], no_color=args["no_color"])
    cfg = _config(args)
    rcfg = cfg.report if cfg else {}
    specs = source_specs(args, cfg)
    opts = report_options(args, rcfg, cfg, specs)
    names = list(KPI_INFO) + ["complaint_rate"]
    under = dict(cfg.fail_under if cfg else {})
    under |= parse_thresholds(args["fail_under"], "--fail-under", names)
    over = dict(cfg.fail_over if cfg else {})
    over |= parse_thresholds(args["fail_over"], "--fail-over", names)
    output = args["output"] or rcfg.get("output")
    fmt = _format(args["format"], output, env)
    if fmt in ("csv", "tsv", "ndjson") and "kpis" not in opts.sections:
        how = "" if args["format"] or output else " (the format when output is piped)"
        raise UsageError(f"{fmt} output{how} is one row per KPI (headline, per period, per "
                         "segment), and --sections leaves out kpis",
                         "add kpis to --sections, or write the tables with -f json, "
                         "-f markdown or -o report.html")
    with env.status("Building the report"):
        report = build(specs, opts, env)
    if output:
        output = fill_placeholders(output, date.today(), report.last_period)
        from cxkit.cli.output import guard_output

        guard_output(output, [f for s in specs.values() for f in s.files])
    checked = report.kpis
    if "kpis" not in opts.sections:  # no cards shown; thresholds still apply
        report.kpis = []
    write(report, fmt, output, env)
    check_many(checked, under, over, env)


def _config(args: dict):
    from cxkit.config import find_config, load_config

    found = find_config(args["config"], Path.cwd())
    return load_config(*found) if found else None


def _column_flags(items: list[str] | None) -> dict[str, dict[str, str]]:
    """`--column responses.customer_id=Email` or `--column customer_id=Email` (every source)."""
    out: dict[str, dict[str, str]] = {k: {} for k in KINDS}
    for item in items or []:
        key, sep, col = item.partition("=")
        source, dot, role = key.strip().rpartition(".")
        if not sep or not col.strip() or (dot and source not in KINDS) or not role:
            raise UsageError(f"--column '{item}': expected SOURCE.ROLE=COLUMN",
                             "e.g. --column responses.customer_id=Email (sources: "
                             + ", ".join(KINDS) + ")")
        for kind in ([source] if dot else KINDS):
            out[kind][role] = col.strip()
    return out


def source_specs(args: dict, cfg) -> dict:
    """Which files are which source, and how to read each: flags over the config file."""
    from cxkit.io.sources import SourceSpec, check_source, classify

    given = {k: list(args[k] or []) for k in KINDS}
    classified = {}
    for path in args["files"] or []:
        classified[path] = classify(path, args["encoding"], args["delimiter"])
        given[classified[path]].append(path)
    columns = _column_flags(args["column"])
    specs = {}
    for kind in KINDS:
        sc = cfg.sources.get(kind) if cfg else None
        files = given[kind] or [_near(f) for f in (sc.files if sc and sc.files else [])]
        if not files:
            continue
        spec = SourceSpec(files=files)
        if sc:
            for name in ("encoding", "delimiter", "dayfirst", "preset", "timezone",
                         "amount_unit"):
                if getattr(sc, name, None) is not None and hasattr(spec, name):
                    setattr(spec, name, getattr(sc, name))
            spec.columns.update(sc.columns or {})
        for name in ("encoding", "delimiter", "dayfirst", "timezone"):
            if args.get(name) is not None:
                setattr(spec, name, args[name])
        spec.columns.update(columns[kind])
        for path in [] if spec.preset else [f for f in files if classified.get(f) != kind]:
            check_source(kind, path, spec.encoding, spec.delimiter)  # --tickets: tickets?
        specs[kind] = spec
    if not specs:
        raise UsageError("no input: give exports as FILE, --responses, --tickets or --orders",
                         "e.g. cxkit report --responses responses.csv --orders orders.csv, "
                         "or list them in cxkit.toml")
    return specs


def _near(path: str) -> str:
    """A config path (made absolute from the file's folder) shown relative to here if inside."""
    p = Path(path)
    try:
        return str(p.relative_to(Path.cwd())) if p.is_absolute() else path
    except ValueError:
        return path


def report_options(args: dict, rcfg: dict, cfg, specs: dict):
    from cxkit.io.dates import parse_bound, parse_duration
    from cxkit.kpi.report import SECTIONS
    from cxkit.kpi.report_build import ReportOptions

    def pick(name, default=None):
        return args[name] if args.get(name) not in (None, []) else rcfg.get(name, default)

    sections = pick("sections", list(SECTIONS))
    if isinstance(sections, str):
        sections = [s.strip() for s in sections.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise UsageError(f"--sections: unknown section {', '.join(unknown)}",
                         "choose from " + ", ".join(SECTIONS))
    since, until = pick("since"), pick("until")
    period = pick("period", "month")
    bench = pick("benchmark")
    opts = ReportOptions(
        title=pick("title", "CX report"),
        period=getattr(period, "value", period),
        since=parse_bound(since, "--since") if since else None,
        until=parse_bound(until, "--until") if until else None,
        by=list(pick("by", ["channel"])),
        by_given=pick("by") is not None,
        sections=tuple(s for s in SECTIONS if s in sections),
        confidence=float(pick("confidence", 0.95)),
        benchmark=getattr(bench, "value", bench),
        window_days=parse_duration(pick("window", "90d"), "--window") / 24,
        followup_limit=int(pick("followup_limit", 20)),
    )
    sc = cfg.sources.get("orders") if cfg else None
    if sc is not None and sc.margin is not None:
        from cxkit.kpi.clv import parse_share

        opts.margin = parse_share(sc.margin, "margin")
    if "tickets" in specs:
        opts.tickets = _ticket_options(args, cfg, opts.confidence, specs["tickets"].timezone)
    return opts


def _ticket_options(args: dict, cfg, confidence: float, timezone: str | None):
    from cxkit.io.dates import parse_duration
    from cxkit.kpi.business_hours import parse_schedule, read_holidays
    from cxkit.kpi.tickets import TicketOptions

    sc = cfg.sources.get("tickets") if cfg else None

    def pick(name):
        return args.get(name) or (getattr(sc, name, None) if sc else None)

    hours = {n: parse_duration(pick(n), "--" + n.replace("_", "-")) if pick(n) else None
             for n in ("sla_first_response", "sla_resolution")}
    holidays = read_holidays(pick("holidays")) if pick("holidays") else []
    if holidays and not pick("business_hours"):
        raise UsageError("--holidays needs --business-hours",
                         'add e.g. --business-hours "Mon-Fri 09:00-18:00"')
    schedule = parse_schedule(pick("business_hours"), holidays) if pick("business_hours") \
        else None
    return TicketOptions(sla_first_response=hours["sla_first_response"],
                         sla_resolution=hours["sla_resolution"], schedule=schedule,
                         timezone=timezone, confidence=confidence)


def _format(fmt, output: str | None, env: Env) -> str:
    from cxkit.cli.output import EXTENSIONS
    from cxkit.cli.report import REPORT_EXTENSIONS

    if fmt:
        chosen = fmt.value
    elif output:
        ext = Path(output).suffix.lower()
        known = EXTENSIONS | REPORT_EXTENSIONS
        if ext not in known:
            raise UsageError(f"--output {output}: unknown extension '{ext}'",
                             "use one of " + " ".join(known) + ", or pass --format")
        chosen = known[ext]
    else:
        chosen = "table" if env.stdout_isatty else "csv"
    if chosen == "xlsx" and not output:
        raise UsageError("xlsx is a binary file: it needs --output", "add -o report.xlsx")
    return chosen


def build(specs: dict, opts, env: Env):
    """Load each source, compute its part, then what joins them."""
    from concurrent.futures import ThreadPoolExecutor

    from cxkit.io.read import reading, spill
    from cxkit.io.sources import load_orders_source, load_responses, load_tickets_source
    from cxkit.kpi import report_build as rb
    from cxkit.kpi.report import Report

    report = Report(title=opts.title, period=opts.period, sources=[], kpis=[])
    show_breakdowns = "breakdowns" in opts.sections
    by = opts.by if show_breakdowns else []
    loaded = {}

    def add(source: str, cards: list, sections: list, details: list, columns: dict) -> None:
        report.sources.append(rb.sources_row(source, specs[source].files, cards, columns))
        report.kpis += cards
        report.sections += sections
        report.breakdowns += [d for d in details if d[2]]

    if "responses" in specs:
        moved = "what_moved" in opts.sections
        r = loaded["responses"] = load_responses(specs["responses"],
                                                 opts.by if moved or show_breakdowns else [])
        _notices(r.notices, env)
        roles = set(r.roles)
        dated = "responded_at" in roles
        with reading(r.table):
            condensed = rb.condense_surveys(r.lf, roles, r.by, dated, r.day_format, opts)
            cards, sections, details = rb.survey_part(condensed, r.by if show_breakdowns
                                                      else [], dated, r.day_format, opts)
            extra = [moved and dated and rb.moved_section(condensed, r.by, r.day_format, opts),
                     "themes" in opts.sections and rb.themes_section(r.lf, roles, r.day_format,
                                                                      opts)]
        add("responses", cards, sections + [s for s in extra if s], details,
            {k: m.column for k, m in r.roles.items()})
    if "orders" in specs:
        ol = loaded["orders"] = load_orders_source(specs["orders"], by)
        _notices(ol.notices, env)
        with reading(ol.table):
            ol.lf = spill(ol.lf, ol.table)  # read by several sections: parsed once
            cards, sections, details = rb.orders_part(ol.lf, ol.by, opts)
        add("orders", cards, sections, details, ol.columns)
    if "tickets" in specs:
        tl = loaded["tickets"] = load_tickets_source(specs["tickets"], by)
        _notices(tl.notices, env)
        with reading(tl.table):
            tl.lf = spill(tl.lf, tl.table)  # read by several sections: parsed once
            opts.tickets.vocabulary = tl.vocabulary
            # the complaint card (distinct customers: hashing, on one core much of the time)
            # beside the ticket cards: 5M Parquet tickets, report 5.8-6.6 -> 5.4-6.0 s (CSV
            # 9.2 -> 8.6 s), peak 0.91 -> 1.07 GB
            with ThreadPoolExecutor(1) as pool:
                card = pool.submit(rb.complaint_card, tl.lf,
                                   loaded["orders"].lf if "orders" in loaded else None, opts)
                cards, sections, details = rb.tickets_part(tl.lf, tl.by, opts)
                rate = card.result()
        if rate is not None:
            rate.extra["source"] = "tickets"
            cards.append(rate)
        add("tickets", cards, sections, details, tl.columns)
    if opts.by_given and (show_breakdowns or "what_moved" in opts.sections):
        _check_by(opts.by, loaded)
    if "responses" in loaded:
        report.sections += across(loaded["responses"], loaded.get("orders"), opts, env)
    report.notices += rb.skipped_notices(report.kpis)
    report.kpis = [k for k in report.kpis if not k.rule.startswith("not computed")]
    return rb.finish(report)


def across(responses, orders, opts, env: Env) -> list:
    """NPS x revenue, the follow-up list and how ids matched: answers joined to orders."""
    from cxkit.kpi import joined
    from cxkit.kpi.report import Section

    wanted = {"nps_revenue", "followup", "matching"} & set(opts.sections)
    if not wanted or not {"nps_score", "customer_id", "responded_at"} <= set(responses.roles):
        return []
    window = int(round(opts.window_days))
    answers = joined.latest_answers(responses.lf, responses.day_format, opts.since, opts.until)
    matched = joined.match_orders(answers, orders.lf, window) if orders else None
    out = []
    if matched and "nps_revenue" in wanted:
        result = joined.nps_revenue(answers, matched, window, opts.confidence)
        out.append(joined.revenue_section(result))
    if "followup" in wanted:
        out.append(joined.followup(answers, matched, limit=opts.followup_limit))
    if matched and "matching" in wanted:
        m = matched.matching
        rows = [["exact", m.get("exact", 0)], ["after folding case and spaces",
                                                m.get("case_or_spaces", 0)],
                ["unmatched", m.get("unmatched", 0)]]
        out.append(Section("matching", "Customer ids: responses matched to orders",
                           ["ids", "customers"], rows, note=matched.hint or
                           "respondents (latest answer each) whose id is in the orders"))
        if m.get("unmatched"):
            env.warn(f"{m['unmatched']:,} respondents have no orders under the same customer id"
                     + (f": {matched.hint}" if matched.hint else ""))
    return out


def _check_by(by: list[str], loaded: dict) -> None:
    """A --by column that none of the exports has is a typo, not a breakdown to skip."""
    import difflib

    from cxkit.errors import DataError
    from cxkit.io.roles import normalise

    columns = {name: src.table.columns for name, src in loaded.items()}
    every = [c for cols in columns.values() for c in cols]
    for wanted in by:
        if not any(normalise(c) == normalise(wanted) for c in every):
            close = difflib.get_close_matches(wanted, every, n=1)
            raise DataError(
                f"--by {wanted}: no column of that name in "
                + ", ".join(f"the {name} ({', '.join(cols)})" for name, cols in columns.items()),
                (f"did you mean '{close[0]}'? " if close else "") + "pass a column one of the "
                "exports has (`cxkit columns FILE` lists them)")


def _notices(notes: list[str], env: Env) -> None:
    for note in notes:
        env.notice(note)


def write(report, fmt: str, output: str | None, env: Env) -> None:
    from cxkit.cli.output import deliver

    if fmt == "table" and not output:
        from cxkit.render.report import render_report

        render_report(report, env.console())
        return
    deliver(render(report, fmt), output, env)


def render(report, fmt: str) -> str | bytes:
    if fmt == "html":
        from cxkit.render.html import to_html

        return to_html(report)
    if fmt == "xlsx":
        from cxkit.render.xlsx import to_xlsx

        return to_xlsx(report)
    from cxkit.render.report_formats import to_delimited, to_json, to_markdown, to_ndjson

    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return to_markdown(report)
    if fmt == "table":
        from cxkit.render.report import to_text

        return to_text(report)
    if fmt == "ndjson":
        return to_ndjson(report)
    return to_delimited(report, "\t" if fmt == "tsv" else ",")
