"""`cxkit clv --model bgnbd`: predictive CLV, its holdout check and the per-customer scores."""

from __future__ import annotations

from cxkit.cli.context import Env
from cxkit.errors import UsageError

SCORE_DIGITS = {"t_x": 2, "T": 2, "mean_repeat_spend": 2, "p_alive": 4, "expected_purchases": 3,
                "expected_spend": 2, "clv": 2}
SHOWN = 20  # customers a terminal shows with --customers and no --top


def _discount(text: str | None) -> float:
    from cxkit.units import share

    if text is None or text.strip().rstrip("%").strip() in ("0", "0.0"):
        return 0.0
    rate = share(text)
    if rate is None:
        raise UsageError(f"--discount '{text}': expected an annual rate, e.g. 10% or 0.1",
                         "e.g. --discount 8%")
    return rate


def options(args: dict, by: list[str]):
    from cxkit.io.dates import parse_bound, parse_duration
    from cxkit.kpi.clv import parse_share
    from cxkit.kpi.models.predict import PredictOptions

    if args["kpi"]:
        raise UsageError("--kpi goes with the historical CLV: --model bgnbd reports one KPI, "
                         "clv_predicted", "drop --kpi (--value and --fail-under X work as is)")
    unit = args["time_unit"].value
    hours = parse_duration(args["horizon"], "--horizon") if args["horizon"] else None
    return PredictOptions(
        calibration_end=parse_bound(args["calibration_end"], "--calibration-end")
        if args["calibration_end"] else None,
        time_unit=unit,
        horizon=None if hours is None else hours / (168 if unit == "week" else 24),
        margin=parse_share(args["margin"], "--margin") if args["margin"] else None,
        discount=_discount(args["discount"]),
        by=by,
    )


def run_predicted(args: dict, start, load) -> None:
    from cxkit.cli.output import check_many, choose_format, emit
    from cxkit.io.read import reading
    from cxkit.kpi.models.predict import predict

    env, under, over = start(args, ["clv_predicted"], "clv_predicted")
    by = list(args["by"] or [])
    opts = options(args, by)
    with env.status(f"Reading {', '.join(args['files'])}"):
        loaded = load(args, env, by, day_only=True, command="cxkit clv")
        opts.by = loaded.by
        with reading(loaded.table):
            try:
                found = predict(loaded.lf, opts)
            except ValueError as exc:  # a horizon or discount the model cannot use
                raise UsageError(str(exc), "check --horizon and --discount") from None
    result = found.result
    result.columns = loaded.columns
    for warning in result.warnings:
        env.warn(f"{loaded.table.name}: {warning}")
    fmt = choose_format(args["format"].value if args["format"] else None, args["output"], env)
    top = found.customers.head(args["top"]) if args["top"] else None
    if args["customers"]:
        _customers(found.customers if top is None else top, fmt, args, env)
    elif fmt == "table" and not args["output"] and not args["value"]:
        from cxkit.render.models import render

        render(result, env.console(), None if top is None else top.to_dicts())
    elif top is not None and fmt in ("csv", "tsv", "ndjson") and not args["value"]:
        _customers(top, fmt, args, env)  # a list of customers is what --top asks for
    else:
        emit(result, fmt, args["value"], args["output"], env)
    if result.value is None:
        env.warn(f"{loaded.table.name}: predictive CLV not computed: "
                 + result.rule.removeprefix("not computed: ").split(";")[0])
    check_many([result], under, over, env)


def _customers(frame, fmt: str, args: dict, env: Env) -> None:
    """The per-customer scores: from Polars straight to csv/tsv/json/ndjson; a table or markdown
    shows the first rows (all of them with -o FILE.md)."""
    from cxkit.cli.output import deliver
    from cxkit.render.frame import frame_text

    if fmt in ("csv", "tsv", "ndjson"):
        deliver(frame_text(frame, fmt, SCORE_DIGITS), args["output"], env)
        return
    if fmt == "json":
        deliver('{"customers": ' + frame_text(frame, "json", SCORE_DIGITS).rstrip("\n") + "}\n",
                args["output"], env)
        return
    from cxkit.kpi.report import Section
    from cxkit.render.sections import section_markdown, section_table

    shown = frame if args["output"] or fmt == "markdown" else frame.head(SHOWN)
    rounded = shown.with_columns(shown[c].round(d) for c, d in SCORE_DIGITS.items()
                                 if c in shown.columns)
    section = Section("clv_customers", "Predictive CLV per customer", rounded.columns,
                      [list(r) for r in rounded.iter_rows()],
                      note=f"the {len(shown):,} most valuable of {len(frame):,} customers"
                      if len(shown) < len(frame) else f"{len(frame):,} customers",
                      column_digits=[SCORE_DIGITS.get(c, 0) for c in rounded.columns])
    if fmt == "markdown":
        deliver(section_markdown(section), args["output"], env)
    else:
        env.console().print(section_table(section))
