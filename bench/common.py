"""A benchmark workload: a cxkit command, the same query as a DuckDB script, and how the two
outputs are read and compared.

Both outputs are read into one shape, {group key: {field: value}} ("*" is the headline; see
bench/duck.py): the DuckDB scripts print it, `Workload.parse` reads it from cxkit's JSON.
Counts are compared exactly; a field listed in `digits` is compared within the rounding cxkit
prints it with (half a unit of its last decimal), since cxkit rounds and DuckDB does not.
A `step` workload times one step of cxkit in-process, not a command: both sides are bench/
scripts printing {"seconds": s, "records": {group key: {field: value}}}, and its time ratio is
of those seconds (bench/clv_summary.py).
This module imports no data library (bench/run.py imports it: see run.py on peak memory).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

FILE = "{file}"  # in a command line: the input file (or glob)


@dataclass(frozen=True)
class Workload:
    name: str
    family: str  # surveys, tickets or orders: the data set it reads (bench/run.py DATA)
    what: str
    cxkit: tuple[str, ...]  # arguments after `python -m cxkit`; `step`: a bench/ script, its
    duckdb: tuple[str, ...]  # a bench/ script and its arguments
    kpis: dict[str, tuple[str, ...]]  # cxkit KPI -> the fields compared
    digits: dict[str, int] = field(default_factory=dict)  # field -> decimals cxkit prints
    prefix: bool = False  # fields named `kpi.field` (a command printing several KPIs)
    pandas: tuple[str, ...] | None = None  # a pandas script, for --pandas
    polars: tuple[str, ...] | None = None  # the query in plain Polars, for --polars
    step: bool = False  # both sides print {"seconds", "records"}: the seconds are compared
    ratio_info: bool = False  # the baseline does less than cxkit: the time ratio is information
    limits: tuple[float, float] | None = None  # cxkit's own targets: (median s, peak MiB) below

    def parse(self, stdout: str) -> dict[str, dict]:
        """cxkit's JSON (one KPI, or {"kpis": [...]}) -> {group key: {field: value}}; groups
        with n = 0 (every row dropped) are left out, as the DuckDB scripts have none. A field
        with dots (`dropped.cancelled`, `model.gamma_gamma.n`) is a path into the KPI."""
        doc = json.loads(stdout)
        if self.step:
            return doc["records"]
        out: dict[str, dict] = {}
        for kpi in doc.get("kpis", [doc]):
            fields = self.kpis.get(kpi["kpi"])
            if fields is None or kpi["rule"].startswith("not computed"):
                continue
            groups = [("|".join(str(v) for v in g["key"].values()), g) for g in kpi["groups"]]
            for key, g in [("*", kpi), *groups]:
                if key != "*" and not g["n"]:
                    continue
                record = out.setdefault(key, {})
                for name in fields:
                    value = g.get(name, g.get("counts", {}).get(name))
                    if value is None and "." in name:
                        value = path(g, name)
                    if isinstance(value, list):  # the cohort matrix: no trailing nulls
                        while value and value[-1] is None:
                            value = value[:-1]
                    if value is not None:
                        record[f"{kpi['kpi']}.{name}" if self.prefix else name] = value
        return out

    def reference(self, stdout: str) -> dict[str, dict]:
        """The baseline's records."""
        doc = json.loads(stdout)
        return doc["records"] if self.step else doc

    def compare(self, mine: dict[str, dict], ref: dict[str, dict], base: str = "duckdb"
                ) -> list[str]:
        """Differences between cxkit's records and the baseline's (every field it gives)."""
        problems = [f"missing group {k}" for k in sorted(ref.keys() - mine.keys())]
        problems += [f"extra group {k}" for k in sorted(mine.keys() - ref.keys())]
        for key in sorted(ref.keys() & mine.keys()):
            for name, want in ref[key].items():
                got = mine[key].get(name)
                if not close(got, want, self.digits.get(name)):
                    problems.append(f"{key} {name}: cxkit {got} vs {base} {want}")
        return problems


def path(doc: dict, name: str):
    """doc["a"]["b"] for `a.b`; None when a step is missing."""
    for part in name.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def close(got, want, digits: int | None) -> bool:
    if digits is None or got is None or want is None:
        return got == want
    return abs(got - want) <= 0.505 * 10 ** -digits + 1e-12 * abs(want)


def fill(args: tuple[str, ...], files: dict[str, str]) -> list[str]:
    """A command line with its placeholders ({file}, {surveys}...) replaced by paths."""
    return [a.format(**files) if a.startswith("{") and a.endswith("}") else a for a in args]
