"""Benchmark `cxkit nps` against DuckDB and pandas on CSV and Parquet.

    python bench/run.py [--rows N] [--repeat R] [--keep]

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
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
FORMATS = {"csv": DATA_DIR / "responses.csv", "parquet": DATA_DIR / "responses.parquet"}
TOOLS = ["cxkit", "duckdb", "pandas"]
# (format, measure, baseline tool, limit): cxkit / baseline must be <= limit.
TARGETS = [
    ("parquet", "seconds", "duckdb", 0.6),
    ("csv", "seconds", "duckdb", 0.9),
    ("parquet", "peak_mib", "pandas", 0.33),
    ("csv", "peak_mib", "pandas", 0.33),
]
NPS_TOLERANCE = 0.05


@dataclass
class Result:
    seconds: float | None = None
    peak_mib: float | None = None
    groups: dict | None = None
    error: str | None = None


def command(tool: str, path: Path) -> list[str]:
    if tool == "cxkit":
        args = ["nps", str(path), "--period", "month", "--by", "channel", "--format", "json"]
        return [sys.executable, "-m", "cxkit", *args]
    return [sys.executable, str(BENCH_DIR / f"nps_{tool}.py"), str(path)]


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


def measure(tool: str, path: Path, repeat: int) -> Result:
    result = Result()
    for _ in range(repeat):
        seconds, peak, code, stdout, stderr = run_once(command(tool, path))
        if code != 0:
            return Result(error=f"failed (exit {code}): {error_line(stderr)}")
        try:
            result.groups = parse_groups(stdout)
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


def compare(groups: dict, reference: dict) -> list[str]:
    """Differences between a tool's groups and the DuckDB reference groups."""
    problems = [f"missing group {key}" for key in reference.keys() - groups.keys()]
    problems += [f"extra group {key}" for key in groups.keys() - reference.keys()]
    for key in sorted(reference.keys() & groups.keys()):
        (n, value), (ref_n, ref_value) = groups[key], reference[key]
        if n != ref_n or value is None or abs(value - ref_value) > NPS_TOLERANCE + 1e-9:
            problems.append(f"{key}: n={n} nps={value} vs duckdb n={ref_n} nps={ref_value:.2f}")
    return problems


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def report(results: dict[tuple[str, str], Result]) -> None:
    print(f"\n{'format':<8} {'tool':<7} {'seconds':>8} {'peak MiB':>9}  status")
    for (fmt_name, tool), res in results.items():
        seconds, peak = fmt(res.seconds, ".2f"), fmt(res.peak_mib, ".0f")
        print(f"{fmt_name:<8} {tool:<7} {seconds:>8} {peak:>9}  {res.error or 'ok'}")

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
            if reference is None or groups is None:
                print(f"  {fmt_name:<8} {tool:<7} not compared (a run failed)")
                continue
            problems = compare(groups, reference)
            if not problems:
                print(f"  {fmt_name:<8} {tool:<7} results agree ({len(reference)} groups)")
                continue
            print(f"  {fmt_name:<8} {tool:<7} {len(problems)} differences:")
            for line in problems[:10]:
                print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows to generate")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best time)")
    parser.add_argument("--keep", action="store_true", help="keep bench/data/ after the run")
    args = parser.parse_args()

    start = time.perf_counter()
    subprocess.run([sys.executable, str(BENCH_DIR / "generate.py"), str(args.rows)], check=True)
    print(f"data ready in {time.perf_counter() - start:.1f}s")
    print(f"peak memory via {'/usr/bin/time -v' if TIME_BIN else 'os.wait4 rusage'}")
    print(f"best of {args.repeat} runs, {os.cpu_count()} CPUs")

    results = {}
    try:
        for fmt_name, path in FORMATS.items():
            for tool in TOOLS:
                res = measure(tool, path, args.repeat)
                results[fmt_name, tool] = res
                status = res.error or f"{res.seconds:.2f}s, {res.peak_mib:.0f} MiB"
                print(f"  {fmt_name:<8} {tool:<7} {status}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(DATA_DIR, ignore_errors=True)
    report(results)


if __name__ == "__main__":
    main()
