"""Benchmark `cxkit nps` (vs DuckDB, pandas), `tickets`, `retention` (vs DuckDB); CSV, Parquet.

    python bench/run.py [--only nps|tickets|orders] [--rows N] [--tickets N] [--orders N]
                        [--repeat R] [--keep]

nps: NPS by month and channel on --rows survey responses (default 10M). tickets: resolution
time median and p90 by ISO week and channel on --tickets tickets (default 5M). orders: on
--orders orders (default 10M, ~2M customers), monthly retention (`cxkit retention --period
month`) and the monthly cohort matrix (the same with --cohorts), each against DuckDB
(bench/orders_duckdb.py), counts compared exactly (bench/orders.py). All parts run unless
--only; without --keep each part's data files are removed after its runs.

Data is generated (or reused) by bench/generate.py. Each measured command runs in its
own subprocess: wall-clock time is the best of --repeat runs, peak memory is the largest
maximum RSS seen (GNU `/usr/bin/time -v` when available, else `os.wait4` resource usage of
that one child). This script imports no data library, so a child's RSS, which on Linux
starts from the parent's at fork, is not inflated by it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import orders  # bench/orders.py, next to this script

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
FORMATS = {"csv": DATA_DIR / "responses.csv", "parquet": DATA_DIR / "responses.parquet"}
TICKET_FORMATS = {"csv": DATA_DIR / "tickets.csv", "parquet": DATA_DIR / "tickets.parquet"}
ORDER_FORMATS = {"csv": DATA_DIR / "orders.csv", "parquet": DATA_DIR / "orders.parquet"}
# Files each part writes; removed after that part unless --keep.
DATA_FILES = {
    "nps": [*FORMATS.values(), DATA_DIR / "meta.json"],
    "tickets": [*TICKET_FORMATS.values(), DATA_DIR / "tickets_meta.json"],
    "orders": [*ORDER_FORMATS.values(), DATA_DIR / "orders_meta.json"],
}
TOOLS = ["cxkit", "duckdb", "pandas"]
# (format, measure, baseline tool, limit): cxkit / baseline must be <= limit.
TARGETS = [
    ("parquet", "seconds", "duckdb", 0.6),
    ("csv", "seconds", "duckdb", 0.9),
    ("parquet", "peak_mib", "pandas", 0.33),
    ("csv", "peak_mib", "pandas", 0.33),
]
NPS_TOLERANCE = 0.05
TICKET_TOOLS = ["cxkit", "duckdb"]
TICKET_KPI = "resolution_time"
# (format, baseline tool, limit): cxkit seconds / baseline seconds must be <= limit.
TICKET_TARGETS = [("parquet", "duckdb", 1.0), ("csv", "duckdb", 1.0)]
HOURS_TOLERANCE = 0.01
ORDER_TOOLS = ["cxkit", "duckdb"]
# (analysis, format, baseline tool, limit): cxkit seconds / baseline seconds must be <= limit.
ORDER_TARGETS = [
    ("retention", "parquet", "duckdb", 1.0),
    ("retention", "csv", "duckdb", 1.0),
    ("cohorts", "parquet", "duckdb", 1.0),
    ("cohorts", "csv", "duckdb", 1.0),
]


@dataclass
class Result:
    seconds: float | None = None
    peak_mib: float | None = None
    groups: dict | None = None
    error: str | None = None


def command(tool: str, path: Path, part: str = "nps") -> list[str]:
    """The command measured: part is nps, tickets or one orders analysis (retention, cohorts)."""
    if part in orders.ANALYSES:
        if tool == "cxkit":
            return [sys.executable, "-m", "cxkit", *orders.cxkit_args(str(path), part)]
        script = BENCH_DIR / f"orders_{tool}.py"
        return [sys.executable, str(script), str(path), *orders.duckdb_args(part)]
    if tool == "cxkit":
        if part == "tickets":
            options = f"--period week --by channel --kpi {TICKET_KPI} --format json"
            args = ["tickets", str(path), *options.split()]
        else:
            args = ["nps", str(path), "--period", "month", "--by", "channel", "--format", "json"]
        return [sys.executable, "-m", "cxkit", *args]
    return [sys.executable, str(BENCH_DIR / f"{part}_{tool}.py"), str(path)]


def run_once(cmd: list[str]) -> tuple[float, float, int, str, str]:
    """Run cmd; return (seconds, peak MiB, exit code, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path, time_path = (Path(tmp, name) for name in ("out", "err", "time"))
        with out_path.open("wb") as out, err_path.open("wb") as err:
            if TIME_BIN:
                cmd = [TIME_BIN, "-v", "-o", str(time_path), *cmd]
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            proc.returncode = code = os.waitstatus_to_exitcode(status)
        # ru_maxrss is in KiB on Linux, bytes on macOS.
        peak_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
        if TIME_BIN:
            peak_kib = read_time_peak(time_path) or peak_kib
        stdout = out_path.read_text(errors="replace")
        stderr = err_path.read_text(errors="replace")
    return seconds, peak_kib / 1024, code, stdout, stderr


def read_time_peak(path: Path) -> float | None:
    for line in path.read_text(errors="replace").splitlines():
        if "Maximum resident set size" in line:
            return float(line.rsplit(":", 1)[1])
    return None


def measure(tool: str, path: Path, repeat: int, part: str = "nps") -> Result:
    parse = {"nps": parse_groups, "tickets": parse_ticket_groups, **orders.PARSERS}[part]
    result = Result()
    for _ in range(repeat):
        seconds, peak, code, stdout, stderr = run_once(command(tool, path, part))
        if code == 2 and "No such command" in stderr:
            return Result(error="missing")  # this cxkit has no such subcommand yet
        if code != 0:
            return Result(error=f"failed (exit {code}): {error_line(stderr)}")
        try:
            result.groups = parse(stdout)
        except (ValueError, KeyError, TypeError) as exc:
            return Result(error=f"failed: unexpected output ({exc!r}): {stdout[:80]!r}")
        result.seconds = min(seconds, result.seconds or seconds)
        result.peak_mib = max(peak, result.peak_mib or peak)
    return result


def error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "(no stderr)"
    # A Python traceback's first line says nothing; its last line names the error.
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def parse_groups(stdout: str) -> dict[tuple[str, str], tuple[int, float | None]]:
    """{(channel, period): (n, nps)} from a cxkit-style JSON document."""
    groups = json.loads(stdout)["groups"]
    return {(g["key"]["channel"], g["key"]["period"]): (g["n"], g["value"]) for g in groups}


def parse_ticket_groups(stdout: str) -> dict[tuple[str, str], tuple[int, float, float]]:
    """{(channel, period): (n, median, p90)} from a cxkit-style resolution_time document.

    Accepts one KPI's document ({"kpi": ..., "groups": [...]}) or a set of them ({"kpis":
    [...]}, the resolution_time one is used). Groups with n = 0 (no valid duration) are
    left out: the reference only has groups that hold at least one ticket.
    """
    doc = json.loads(stdout)
    if "kpis" in doc:
        matches = [kpi for kpi in doc["kpis"] if kpi.get("kpi") == TICKET_KPI]
        if not matches:
            raise KeyError(TICKET_KPI)
        doc = matches[0]
    return {
        (g["key"]["channel"], g["key"]["period"]): (g["n"], g["median"], g["p90"])
        for g in doc["groups"]
        if g["n"]
    }


def compare(groups: dict, reference: dict) -> list[str]:
    """Differences between a tool's groups and the DuckDB reference groups."""
    problems = [f"missing group {key}" for key in reference.keys() - groups.keys()]
    problems += [f"extra group {key}" for key in groups.keys() - reference.keys()]
    for key in sorted(reference.keys() & groups.keys()):
        (n, value), (ref_n, ref_value) = groups[key], reference[key]
        if n != ref_n or value is None or abs(value - ref_value) > NPS_TOLERANCE + 1e-9:
            problems.append(f"{key}: n={n} nps={value} vs duckdb n={ref_n} nps={ref_value:.2f}")
    return problems


def compare_tickets(groups: dict, reference: dict) -> list[str]:
    """Differences between cxkit's resolution-time groups and the DuckDB reference groups."""
    problems = [f"missing group {key}" for key in reference.keys() - groups.keys()]
    problems += [f"extra group {key}" for key in groups.keys() - reference.keys()]

    def close(value: float | None, ref: float) -> bool:
        return value is not None and abs(value - ref) <= HOURS_TOLERANCE + 1e-9

    for key in sorted(reference.keys() & groups.keys()):
        (n, median, p90), (ref_n, ref_median, ref_p90) = groups[key], reference[key]
        if n != ref_n or not close(median, ref_median) or not close(p90, ref_p90):
            problems.append(
                f"{key}: n={n} median={median} p90={p90} vs duckdb n={ref_n} "
                f"median={ref_median:.3f} p90={ref_p90:.3f}"
            )
    return problems


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_runs(results: dict[tuple[str, str], Result]) -> None:
    print(f"\n{'format':<8} {'tool':<7} {'seconds':>8} {'peak MiB':>9}  status")
    for (fmt_name, tool), res in results.items():
        seconds, peak = fmt(res.seconds, ".2f"), fmt(res.peak_mib, ".0f")
        print(f"{fmt_name:<8} {tool:<7} {seconds:>8} {peak:>9}  {res.error or 'ok'}")


def print_agreement(fmt_name: str, tool: str, problems: list[str] | None, why: str,
                    groups: int) -> None:
    """One tool's agreement with DuckDB: agree, the first differences, or why not compared."""
    if problems is None:
        print(f"  {fmt_name:<8} {tool:<7} not compared ({why})")
    elif not problems:
        print(f"  {fmt_name:<8} {tool:<7} results agree ({groups} groups)")
    else:
        print(f"  {fmt_name:<8} {tool:<7} {len(problems)} differences:")
        for line in problems[:10]:
            print(f"    {line}")


def print_time_target(label: str, mine: Result, theirs: Result, baseline: str, limit: float,
                      width: int = 30) -> None:
    """A seconds ratio against its limit (PASS/MISS), then the peak memory ratio (no limit)."""
    timed = f"{label} time vs {baseline}"
    if mine.seconds is None or not theirs.seconds:
        print(f"  {timed:<{width}} {'-':>6}  (<= {limit:.2f})  n/a")
    else:
        ratio = mine.seconds / theirs.seconds
        verdict = "PASS" if ratio <= limit else "MISS"
        print(f"  {timed:<{width}} {ratio:>6.2f}  (<= {limit:.2f})  {verdict}")
    mib = f"cxkit {fmt(mine.peak_mib, '.0f')} MiB, {baseline} {fmt(theirs.peak_mib, '.0f')} MiB"
    both = mine.peak_mib and theirs.peak_mib
    ratio = f"{mine.peak_mib / theirs.peak_mib:.2f}" if both else "-"
    print(f"  {label + ' peak memory':<{width}} {ratio:>6}  ({mib})")


def report(results: dict[tuple[str, str], Result]) -> None:
    print_runs(results)

    print("\ntargets (cxkit / baseline)")
    for fmt_name, measure_name, baseline, limit in TARGETS:
        mine = getattr(results[fmt_name, "cxkit"], measure_name)
        theirs = getattr(results[fmt_name, baseline], measure_name)
        label = f"{fmt_name} {'time' if measure_name == 'seconds' else 'memory'} vs {baseline}"
        if mine is None or not theirs:
            print(f"  {label:<26} {'-':>6}  (<= {limit:.2f})  n/a")
            continue
        ratio = mine / theirs
        verdict = "PASS" if ratio <= limit else "MISS"
        print(f"  {label:<26} {ratio:>6.2f}  (<= {limit:.2f})  {verdict}")

    print("\nagreement with duckdb (n exact, NPS within 0.05)")
    for fmt_name in FORMATS:
        reference = results[fmt_name, "duckdb"].groups
        for tool in ("cxkit", "pandas"):
            groups = results[fmt_name, tool].groups
            compared = reference is not None and groups is not None
            print_agreement(fmt_name, tool, compare(groups, reference) if compared else None,
                            "a run failed", len(reference or []))


def report_tickets(results: dict[tuple[str, str], Result]) -> None:
    print_runs(results)

    print("\ntargets (cxkit / baseline)")
    for fmt_name, baseline, limit in TICKET_TARGETS:
        mine, theirs = results[fmt_name, "cxkit"], results[fmt_name, baseline]
        print_time_target(f"tickets {fmt_name}", mine, theirs, baseline, limit)

    tolerance = f"median and p90 within {HOURS_TOLERANCE} h"
    print(f"\nagreement with duckdb (same groups, n exact, {tolerance})")
    for fmt_name in TICKET_FORMATS:
        reference = results[fmt_name, "duckdb"].groups
        groups = results[fmt_name, "cxkit"].groups
        missing = results[fmt_name, "cxkit"].error == "missing"
        compared = reference is not None and groups is not None
        print_agreement(fmt_name, "cxkit",
                        compare_tickets(groups, reference) if compared else None,
                        "cxkit tickets missing" if missing else "a run failed",
                        len(reference or []))


def report_orders(results: dict[tuple[str, str, str], Result]) -> None:
    for analysis, what in orders.ANALYSES.items():
        print(f"\n{analysis}: {what}", end="")
        print_runs({key[1:]: res for key, res in results.items() if key[0] == analysis})

    print("\ntargets (cxkit / baseline)")
    for analysis, fmt_name, baseline, limit in ORDER_TARGETS:
        mine, theirs = results[analysis, fmt_name, "cxkit"], results[analysis, fmt_name, baseline]
        print_time_target(f"{analysis} {fmt_name}", mine, theirs, baseline, limit, width=32)

    exact = {"retention": "n, retained, churned per month", "cohorts": "customers per cell"}
    for analysis in orders.ANALYSES:
        print(f"\nagreement with duckdb, {analysis} ({exact[analysis]} exact)")
        for fmt_name in ORDER_FORMATS:
            reference = results[analysis, fmt_name, "duckdb"].groups
            mine = results[analysis, fmt_name, "cxkit"]
            compared = reference is not None and mine.groups is not None
            problems = orders.compare(analysis, mine.groups, reference) if compared else None
            why = "cxkit retention missing" if mine.error == "missing" else "a run failed"
            print_agreement(fmt_name, "cxkit", problems, why, len(reference or []))


def generate(part: str, rows: int) -> None:
    """Generate (or reuse) one part's data and print how long it took."""
    count = [f"--{part}", str(rows)] if part in ("tickets", "orders") else [str(rows)]
    start = time.perf_counter()
    script = str(BENCH_DIR / "generate.py")
    subprocess.run([sys.executable, script, *count, "--only", part], check=True)
    label = f"{part} data" if part in ("tickets", "orders") else "data"
    print(f"{label} ready in {time.perf_counter() - start:.1f}s")


def cleanup(part: str) -> None:
    """Remove one part's data files, and bench/data/ once it is empty."""
    for path in DATA_FILES[part]:
        path.unlink(missing_ok=True)
    try:
        DATA_DIR.rmdir()
    except OSError:  # missing, or still holds another part's files
        pass


def run_orders(repeat: int) -> dict[tuple[str, str, str], Result]:
    """Each analysis on each format, cxkit then DuckDB: {(analysis, format, tool): result}."""
    results = {}
    for fmt_name, path in ORDER_FORMATS.items():
        for analysis in orders.ANALYSES:
            for tool in ORDER_TOOLS:
                res = measure(tool, path, repeat, analysis)
                results[analysis, fmt_name, tool] = res
                status = res.error or f"{res.seconds:.2f}s, {res.peak_mib:.0f} MiB"
                print(f"  {analysis:<9} {fmt_name:<8} {tool:<7} {status}", flush=True)
    return results


def run_part(part: str, repeat: int) -> dict[tuple[str, str], Result]:
    if part == "orders":
        return run_orders(repeat)
    formats, tools = (TICKET_FORMATS, TICKET_TOOLS) if part == "tickets" else (FORMATS, TOOLS)
    results = {}
    for fmt_name, path in formats.items():
        for tool in tools:
            res = measure(tool, path, repeat, part)
            results[fmt_name, tool] = res
            status = res.error or f"{res.seconds:.2f}s, {res.peak_mib:.0f} MiB"
            print(f"  {fmt_name:<8} {tool:<7} {status}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=["nps", "tickets", "orders"], help="run one part (default: all)"
    )
    parser.add_argument(
        "--rows", type=int, default=10_000_000, help="survey responses to generate (nps part)"
    )
    parser.add_argument(
        "--tickets", type=int, default=5_000_000, help="tickets to generate (tickets part)"
    )
    parser.add_argument(
        "--orders", type=int, default=10_000_000, help="orders to generate (orders part)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best time)")
    parser.add_argument("--keep", action="store_true", help="keep bench/data/ after the run")
    args = parser.parse_args()

    parts = [args.only] if args.only else ["nps", "tickets", "orders"]
    sizes = {"nps": args.rows, "tickets": args.tickets, "orders": args.orders}
    for index, part in enumerate(parts):
        if part == "tickets":
            print(
                f"\n== tickets: resolution time median and p90 by ISO week and channel, "
                f"{args.tickets:,} tickets ==",
                flush=True,
            )
        if part == "orders":
            print(
                f"\n== orders: monthly retention and cohort matrix, {args.orders:,} orders ==",
                flush=True,
            )
        generate(part, sizes[part])
        if index == 0:
            print(f"peak memory via {'/usr/bin/time -v' if TIME_BIN else 'os.wait4 rusage'}")
            print(f"best of {args.repeat} runs, {os.cpu_count()} CPUs", flush=True)
        try:
            results = run_part(part, args.repeat)
        finally:
            if not args.keep:
                cleanup(part)
        {"nps": report, "tickets": report_tickets, "orders": report_orders}[part](results)


if __name__ == "__main__":
    main()
