"""Benchmark every cxkit workload against the same query in DuckDB, in one run.

    python bench/run.py [--only surveys|tickets|orders|report]... [--workload NAME]...
                        [--format csv|parquet|parquet_text]... [--rows N] [--tickets N]
                        [--orders N] [--big [N]] [--repeat R] [--pandas] [--polars] [--keep]
                        [--save F] [--data DIR]

The workloads (bench/surveys.py, tickets.py, orders.py) run on each format of their data set:
surveys and tickets on CSV and Parquet, orders on four CSV files read by glob, Parquet, and
Parquet with the timestamps stored as text; --big adds the survey workloads on one Parquet file
of 100M responses. Each measurement alternates the two whole processes, `python -m cxkit ...`
then `python bench/<x>_duckdb.py ...`, R times (default 3): the times are medians, the ratio
is the median of the R per-pair ratios (the lowest and highest of them under "pairs": how far
the host's noise moved it), peak memory the largest maximum RSS of each (GNU
`/usr/bin/time -v` when available, else `os.wait4`). One line per workload and format: time
ratio (target <= 1.00), memory ratio (target <= 2.00), agreement (counts exact, values within
the rounding cxkit prints), and the 1-minute load average when the pairs started. --polars
adds a line per survey, ticket, retention and cohort workload against the same query in plain
Polars (bench/*_polars.py): cxkit's own cost over its engine's.
Predictive CLV (orders): `cxkit clv --model bgnbd`, the whole command, against the customer
summary it fits on computed in DuckDB (the time ratio is information only: DuckDB fits no
model), with absolute targets of its own (median < 30 s, peak memory < 2 GB) in a table of
their own; and `clv_summary`, that summary step alone: bench/clv_summary.py (cxkit's loader and
`summary.build`, in-process) against bench/clv_summary_duckdb.py, each timing its step inside
the process (the times and ratio are of those seconds; memory is the processes' peak).
Then `cxkit report` on each source (and on the three together) against the slowest single
command on the same source and format (target <= 1.50) and, as information, against its
sections one command each (NPS + CSAT + CES; `cxkit tickets` by month, every ticket KPI in one
command; orders + retention + cohorts + the CLV model).

Data comes from bench/generate.py, in bench/data/ or --data DIR (reused when meta.json
matches, removed after the run unless --keep). This script imports no data library, so a
child's RSS, which on Linux starts from the parent's at fork, is not inflated by it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

import orders  # bench/*.py, next to this script
import surveys
import tickets
from common import Workload, fill

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
WORKLOADS = surveys.WORKLOADS + tickets.WORKLOADS + orders.WORKLOADS
# family -> (data set of generate.py, {format: file or glob in bench/data})
DATA = {
    "surveys": ("responses", {"csv": "responses.csv", "parquet": "responses.parquet"}),
    "tickets": ("tickets", {"csv": "tickets.csv", "parquet": "tickets.parquet"}),
    "orders": ("orders", {"csv": "orders_*.csv", "parquet": "orders.parquet",
                          "parquet_text": "orders_text.parquet"}),
}
BIG = ("big", {"parquet_big": "responses_big.parquet"})
REPORTS = {  # source -> `cxkit report` arguments; {surveys} etc. are that source's file
    "surveys": ("report", "--responses", "{surveys}"),
    "tickets": ("report", "--tickets", "{tickets}", "--sla-first-response", "4h"),
    "orders": ("report", "--orders", "{orders}"),
}
# what the report's sections cost one command each (information beside the target): the sum
# of these workloads' medians in the same run, or for tickets one command of its own (`cxkit
# tickets` computes every ticket card in one pass, by the report's period)
SECTION_WORKLOADS = {"surveys": ("nps", "csat", "ces"),
                     "orders": ("orders", "retention", "cohorts", "clv_model")}
SECTION_COMMANDS = {"tickets": ("tickets", "{tickets}", "--sla-first-response", "4h",
                                "--period", "month")}
REPORT_FORMATS = ("csv", "parquet")
TIME_TARGET, MEMORY_TARGET, REPORT_TARGET = 1.0, 2.0, 1.5


@dataclass
class Runs:
    seconds: list[float] = field(default_factory=list)
    step: list[float] = field(default_factory=list)  # a `step` workload: the seconds it printed
    peak_mib: float | None = None
    output: str | None = None  # stdout of the first run
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def step_median(self) -> float | None:
        return statistics.median(self.step) if self.step else None


@dataclass
class Line:
    workload: str
    family: str
    baseline: str
    format: str
    load: float  # 1-minute load average when the pairs started
    runs: dict[str, Runs]  # tool -> its runs
    ratio: float | None = None  # median of the per-pair time ratios, cxkit / baseline
    ratios: list[float] = field(default_factory=list)  # each pair's ratio, in run order
    agreement: str = "-"
    problems: list[str] = field(default_factory=list)
    step: bool = False  # times and ratio of the seconds the scripts printed (Workload.step)
    ratio_info: bool = False  # the ratio has no target (Workload.ratio_info)
    limits: tuple[float, float] | None = None  # cxkit's own (median s, peak MiB) targets


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


def error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "(no stderr)"
    # A Python traceback's first line says nothing; its last line names the error.
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def run_into(runs: Runs, cmd: list[str], step: bool = False) -> float | None:
    """One run of cmd recorded in `runs`; its seconds (`step`: the seconds it printed), or None
    when it failed (or had)."""
    if runs.error:
        return None
    seconds, peak, code, stdout, stderr = run_once(cmd)
    if code != 0:
        runs.error = f"exit {code}: {error_line(stderr)}"
        return None
    if step:
        try:
            runs.step.append(float(json.loads(stdout)["seconds"]))
        except (ValueError, KeyError, TypeError):
            runs.error = "no seconds in its output"
            return None
    runs.seconds.append(seconds)
    runs.peak_mib = max(peak, runs.peak_mib or peak)
    runs.output = runs.output if runs.output is not None else stdout
    return runs.step[-1] if step else seconds


def commands(w: Workload, path: str, extra: set[str]) -> dict[str, list[str]]:
    """The command lines of cxkit, DuckDB and the `extra` baselines (pandas, polars) that the
    workload has."""
    files = {"file": path}
    if w.step:  # a bench/ script timing one step of cxkit
        script, *rest = w.cxkit
        cmds = {"cxkit": [sys.executable, str(BENCH_DIR / script), *fill(tuple(rest), files)]}
    else:
        cmds = {"cxkit": [sys.executable, "-m", "cxkit", *fill(w.cxkit, files)]}
    script, *rest = w.duckdb
    cmds["duckdb"] = [sys.executable, str(BENCH_DIR / script), *fill(tuple(rest), files)]
    for tool, script_args in (("pandas", w.pandas), ("polars", w.polars)):
        if tool in extra and script_args:
            script, *rest = script_args
            cmds[tool] = [sys.executable, str(BENCH_DIR / script), *fill(tuple(rest), files)]
    return cmds


def measure(w: Workload, fmt: str, path: str, repeat: int, extra: set[str]) -> list[Line]:
    """cxkit, DuckDB (and pandas, polars), cxkit, DuckDB...: one Line per baseline."""
    load = os.getloadavg()[0]
    cmds = commands(w, path, extra)
    runs = {tool: Runs() for tool in cmds}
    pairs: dict[str, list[float]] = {tool: [] for tool in cmds if tool != "cxkit"}
    for _ in range(repeat):
        mine = run_into(runs["cxkit"], cmds["cxkit"], w.step)
        for tool in pairs:
            theirs = run_into(runs[tool], cmds[tool], w.step)
            if mine and theirs:
                pairs[tool].append(mine / theirs)
    lines = []
    for tool, ratios in pairs.items():
        name = w.name if tool == "duckdb" else f"{w.name} ({tool})"
        line = Line(name, w.family, tool, fmt, load, {"cxkit": runs["cxkit"], tool: runs[tool]},
                    statistics.median(ratios) if ratios else None, ratios, step=w.step,
                    ratio_info=w.ratio_info, limits=w.limits)
        line.agreement, line.problems = agreement(w, runs["cxkit"], runs[tool], tool)
        lines.append(line)
    return lines


def agreement(w: Workload, mine: Runs, ref: Runs, base: str) -> tuple[str, list[str]]:
    if mine.output is None or ref.output is None:
        return "not compared (a run failed)", []
    try:
        got, want = w.parse(mine.output), w.reference(ref.output)
    except (ValueError, KeyError, TypeError) as exc:
        return f"not compared (unexpected output: {exc!r})", []
    problems = w.compare(got, want, base)
    if problems:
        return f"{len(problems)} differences", problems
    return f"ok ({len(want)} groups)", []


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def verdict(value: float | None, limit: float) -> str:
    return "" if value is None else ("ok" if value <= limit else "MISS")


HEADER = (f"{'workload':<20} {'format':<12} {'load':>5}  {'cxkit s':>8} {'base s':>8} "
          f"{'ratio':>6} {'':4} {'pairs':>9}  {'cxkit MiB':>9} {'base MiB':>9} {'ratio':>6} "
          f"{'':4}  agreement")


def spread(ratios: list[float]) -> str:
    """The lowest and highest per-pair ratio: how far the host's noise moved this line (the
    same build read 1.00 one run and 1.33 the next for one line on a 2-core machine)."""
    return f"{min(ratios):.2f}-{max(ratios):.2f}" if len(ratios) > 1 else "-"


def print_line(line: Line) -> None:
    mine, base = (line.runs[t] for t in line.runs)
    mem = mine.peak_mib / base.peak_mib if mine.peak_mib and base.peak_mib else None
    errors = "; ".join(f"{t}: {r.error}" for t, r in line.runs.items() if r.error)
    took = [r.step_median if line.step else r.median for r in (mine, base)]
    time_verdict = "info" if line.ratio_info and line.ratio else verdict(line.ratio, TIME_TARGET)
    note = (f"; in-process s, processes {fmt(mine.median, '.2f')} / {fmt(base.median, '.2f')} s"
            if line.step else "")
    print(f"{line.workload:<20} {line.format:<12} {line.load:>5.1f}  {fmt(took[0], '.2f'):>8} "
          f"{fmt(took[1], '.2f'):>8} {fmt(line.ratio, '.2f'):>6} "
          f"{time_verdict:4} {spread(line.ratios):>9}  {fmt(mine.peak_mib, '.0f'):>9} "
          f"{fmt(base.peak_mib, '.0f'):>9} {fmt(mem, '.2f'):>6} "
          f"{verdict(mem, MEMORY_TARGET):4}  {errors or line.agreement + note}", flush=True)


def print_limits(lines: list[Line]) -> None:
    """The commands with targets of their own: median seconds and peak MiB against them."""
    bounded = [line for line in lines if line.limits and line.baseline == "duckdb"]
    if not bounded:
        return
    print("\n== commands with absolute targets: median time and peak memory ==")
    print(f"{'workload':<20} {'format':<12} {'cxkit s':>8} {'target':>7} {'':4}  "
          f"{'cxkit MiB':>9} {'target':>7} {'':4}  slowest s")
    for line in bounded:
        runs, (seconds, mib) = line.runs["cxkit"], line.limits
        print(f"{line.workload:<20} {line.format:<12} {fmt(runs.median, '.2f'):>8} "
              f"{'< ' + format(seconds, 'g'):>7} {below(runs.median, seconds):4}  "
              f"{fmt(runs.peak_mib, '.0f'):>9} {'< ' + format(mib, 'g'):>7} "
              f"{below(runs.peak_mib, mib):4}  "
              f"{fmt(max(runs.seconds) if runs.seconds else None, '.2f')}"
              + (f"  {runs.error}" if runs.error else ""), flush=True)


def below(value: float | None, limit: float) -> str:
    return "" if value is None else ("ok" if value < limit else "MISS")


def run_reports(files: dict[str, dict[str, str]], lines: list[Line], repeat: int,
                families: list[str]) -> list[dict]:
    """`cxkit report` per source (and on all three) vs the slowest single command there."""
    print(f"\n== cxkit report vs the slowest single cxkit command on the same source "
          f"(target <= {REPORT_TARGET:.2f}); 'sections' (information): the report's sections "
          "one command each ==")
    print(f"{'report':<12} {'format':<8} {'load':>5}  {'report s':>8}  {'slowest single':<18} "
          f"{'s':>6} {'ratio':>6}       {'sections s':>10} {'ratio':>6}")
    out = []
    for fmt_name in REPORT_FORMATS:
        slowest = {}
        for family in families:
            timed = [(line.runs["cxkit"].median, line.workload) for line in lines
                     if line.format == fmt_name and line.family == family
                     and line.baseline == "duckdb" and not line.step
                     and line.runs["cxkit"].median]
            slowest[family] = max(timed) if timed else (None, "-")
        paths = {f: files[f][fmt_name] for f in families}
        sections = {f: section_seconds(f, fmt_name, lines, paths, repeat) for f in families}
        cases = [(f, REPORTS[f], slowest[f]) for f in families]
        if len(families) > 1:
            args = ("report", *[a for f in families for a in REPORTS[f][1:]])
            total = sum(s for s, _ in slowest.values() if s) if all(
                s for s, _ in slowest.values()) else None
            cases.append(("all three" if len(families) == 3 else "together", args,
                          (total, "sum of those")))
            sections["all"] = sum(sections.values()) if all(sections.values()) else None
        for name, args, (single, which) in cases:
            load = os.getloadavg()[0]
            runs = Runs()
            cmd = [sys.executable, "-m", "cxkit", *fill(args, paths), "--format", "json"]
            for _ in range(repeat):
                run_into(runs, cmd)
            ratio = runs.median / single if runs.median and single else None
            note = f"  {runs.error}" if runs.error else ""
            limit = verdict(ratio, REPORT_TARGET) if name in REPORTS else "info"
            apart = sections[name if name in REPORTS else "all"]
            apart_ratio = runs.median / apart if runs.median and apart else None
            print(f"{name:<12} {fmt_name:<8} {load:>5.1f}  {fmt(runs.median, '.2f'):>8}  "
                  f"{which:<18} {fmt(single, '.2f'):>6} {fmt(ratio, '.2f'):>6} {limit:<5} "
                  f"{fmt(apart, '.2f'):>10} {fmt(apart_ratio, '.2f'):>6}{note}", flush=True)
            out.append({"report": name, "format": fmt_name, "load": load, **asdict(runs),
                        "slowest": which, "slowest_s": single, "ratio": ratio,
                        "sections_s": apart, "sections_ratio": apart_ratio})
    return out


def section_seconds(family: str, fmt_name: str, lines: list[Line], paths: dict[str, str],
                    repeat: int) -> float | None:
    """What the report's sections on `family` take one command each: the sum of the medians
    of SECTION_WORKLOADS measured in this run, or the median of SECTION_COMMANDS' command."""
    if family in SECTION_COMMANDS:
        runs = Runs()
        cmd = [sys.executable, "-m", "cxkit", *fill(SECTION_COMMANDS[family], paths),
               "--format", "json"]
        for _ in range(repeat):
            run_into(runs, cmd)
        return runs.median
    medians = {line.workload: line.runs["cxkit"].median for line in lines
               if line.format == fmt_name and line.family == family
               and line.baseline == "duckdb"}
    wanted = SECTION_WORKLOADS.get(family, ())
    if not wanted or not all(medians.get(w) for w in wanted):
        return None
    return sum(medians[w] for w in wanted)


def generate(sets: dict[str, int], data_dir: Path) -> None:
    """Generate (or reuse) the data sets, {name: rows}, in data_dir with bench/generate.py."""
    for name, rows in sets.items():
        size = {"responses": "--rows", "big": "--big", "tickets": "--tickets",
                "orders": "--orders"}[name]
        start = time.perf_counter()
        subprocess.run([sys.executable, str(BENCH_DIR / "generate.py"), "--only", name,
                        size, str(rows), "--out", str(data_dir)], check=True)
        print(f"  ({time.perf_counter() - start:.1f}s)", flush=True)


def cleanup(sets: list[str], data_dir: Path) -> None:
    """Remove the data files of these sets, and data_dir when nothing else is left."""
    meta_path = data_dir / "meta.json"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        meta = {}
    for name in sets:
        entry = meta.pop({"big": "responses_big"}.get(name, name), None)
        for file in (entry or {}).get("files", []):
            (data_dir / file).unlink(missing_ok=True)
    if meta:
        meta_path.write_text(json.dumps(meta, indent=1))
    else:
        meta_path.unlink(missing_ok=True)
        try:
            data_dir.rmdir()
        except OSError:  # missing, or holds other files
            pass


def cxkit_state() -> str:
    """The commit, the files of cxkit/ changed since, and a hash of its sources: the code
    measured, when others edit it during a run."""
    import hashlib

    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # git status without touching the index
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, env=env, capture_output=True,  # noqa: E731
                                    text=True).stdout.strip()
    changed = len(git("status", "--porcelain", "--", "cxkit").splitlines())
    digest = hashlib.sha1()
    for path in sorted((ROOT / "cxkit").rglob("*.py")):
        digest.update(path.read_bytes())
    return f"cxkit {git('rev-parse', '--short', 'HEAD') or '?'} + {changed} changed files, " \
        f"sources {digest.hexdigest()[:10]}"


def versions() -> str:
    found = []
    for name in ("polars", "duckdb", "pandas"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=[*DATA, "report"],
                        help="run these families (repeatable; default: all and the reports)")
    parser.add_argument("--workload", action="append", choices=[w.name for w in WORKLOADS],
                        metavar="NAME", help="run this workload only (repeatable): "
                        + ", ".join(w.name for w in WORKLOADS))
    parser.add_argument("--format", action="append", dest="formats", metavar="FORMAT",
                        help="only these formats: csv, parquet, parquet_text, parquet_big")
    parser.add_argument("--rows", type=int, default=10_000_000, help="survey responses")
    parser.add_argument("--tickets", type=int, default=5_000_000, help="tickets")
    parser.add_argument("--orders", type=int, default=10_000_000, help="orders")
    parser.add_argument("--big", type=int, nargs="?", const=100_000_000, default=None,
                        help="also the survey workloads on one Parquet file of N responses "
                        "(default N: 100,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs per measurement")
    parser.add_argument("--pandas", action="store_true", help="NPS against pandas too")
    parser.add_argument("--polars", action="store_true",
                        help="the survey, ticket, retention and cohort workloads against the "
                        "same query in plain Polars too (cxkit's own cost over its engine's)")
    parser.add_argument("--keep", action="store_true", help="keep the data for the next run")
    parser.add_argument("--data", type=Path, default=DATA_DIR, metavar="DIR",
                        help="the data sets' folder (default bench/data; another one for a "
                        "small run, e.g. /tmp/bench_small, leaves bench/data as it is)")
    parser.add_argument("--save", type=Path, help="write every measurement to this JSON file")
    args = parser.parse_args()

    # cxkit's bytecode, as `pip install` writes it: with PYTHONDONTWRITEBYTECODE set (this
    # machine has it) every run would compile cxkit's modules again (~0.08 s a command)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "cxkit")], check=True)
    extra = {tool for tool, wanted in (("pandas", args.pandas), ("polars", args.polars))
             if wanted}
    only = args.only or [*DATA, "report"]
    if args.workload:
        chosen = [w for w in WORKLOADS if w.name in args.workload]
        families, reports = list(dict.fromkeys(w.family for w in chosen)), False
    else:  # --only report alone: the reports on the three sources
        families = [f for f in DATA if f in only] or list(DATA)
        chosen, reports = [w for w in WORKLOADS if w.family in only], "report" in only
    sizes = {"surveys": args.rows, "tickets": args.tickets, "orders": args.orders}
    sets = {DATA[f][0]: sizes[f] for f in families}
    if args.big and "surveys" in families:
        sets["big"] = args.big
    data_dir = args.data.resolve()
    files = {f: {k: str(data_dir / v) for k, v in DATA[f][1].items()} for f in DATA}
    if "big" in sets:
        files["surveys"].update({k: str(data_dir / v) for k, v in BIG[1].items()})

    print(f"cxkit vs DuckDB, {datetime.now():%Y-%m-%d %H:%M}; {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {versions()}")
    print(f"{args.rows:,} responses, {args.tickets:,} tickets, {args.orders:,} orders"
          + (f", {args.big:,} responses in one Parquet file" if "big" in sets else "")
          + f"; {args.repeat} pairs per line; peak memory via "
          + ("/usr/bin/time -v" if TIME_BIN else "os.wait4 rusage"), flush=True)
    print(cxkit_state(), flush=True)
    generate(sets, data_dir)
    lines: list[Line] = []
    report_rows: list[dict] = []
    try:
        print(f"\ntime: median s, ratio = median of cxkit/base per pair (target <= "
              f"{TIME_TARGET:.2f}); memory: peak RSS, ratio target <= {MEMORY_TARGET:.2f}; "
              "base = DuckDB unless named")
        print(HEADER, flush=True)
        for w in chosen:
            for fmt_name, path in files[w.family].items():
                if args.formats and fmt_name not in args.formats:
                    continue
                for line in measure(w, fmt_name, path, args.repeat, extra):
                    print_line(line)
                    lines.append(line)
        print_limits(lines)
        if reports:
            report_rows = run_reports(files, lines, args.repeat, families)
        differences = [line for line in lines if line.problems]
        for line in differences:
            print(f"\n{line.workload} {line.format}: {len(line.problems)} differences, e.g.")
            for problem in line.problems[:8]:
                print(f"  {problem}")
        print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
              f"{cxkit_state()}")
    finally:
        if not args.keep:
            cleanup(list(sets), data_dir)
    if args.save:
        saved = [asdict(line) for line in lines]
        for item in saved + [{"runs": {"cxkit": r}} for r in report_rows]:
            for runs in item["runs"].values():
                runs.pop("output", None)  # the commands' stdout: not kept
        args.save.write_text(json.dumps({"lines": saved, "reports": report_rows}, indent=1))


if __name__ == "__main__":
    main()
