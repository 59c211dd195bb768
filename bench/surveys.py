"""Survey workloads of bench/run.py: NPS, CSAT, CES by month x channel (bench/surveys_duckdb.py)."""

from common import FILE, Workload


def _survey(kpi: str, fields: tuple[str, ...], digits: dict[str, int], **more) -> Workload:
    return Workload(
        kpi, "surveys", f"{kpi.upper()} by month x channel",
        (kpi, FILE, "--period", "month", "--by", "channel", "--format", "json"),
        ("surveys_duckdb.py", kpi, FILE), {kpi: ("n", "value", *fields)}, digits,
        polars=("surveys_polars.py", kpi, FILE), **more)


WORKLOADS = [
    _survey("nps", ("promoters", "detractors"), {"value": 1},
            pandas=("nps_pandas.py", FILE)),
    _survey("csat", ("satisfied", "mean_score"), {"value": 1, "mean_score": 2}),
    _survey("ces", ("low_effort", "pct_low_effort"), {"value": 2, "pct_low_effort": 2}),
]
