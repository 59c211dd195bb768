"""Two revisions of cxkit on one command, alternating whole processes: did a change make it
faster? Prints each revision's median, quartiles and fastest run.

    python bench/ab.py HEAD~1 HEAD -- tickets bench/data/tickets.parquet --kpi backlog
    python bench/ab.py --runs 11 main WORKTREE -- report --tickets bench/data/tickets.csv

A revision is anything `git worktree add` takes (a commit, a branch), or WORKTREE: this
checkout as it is, uncommitted changes included. Each revision is checked out into a scratch
folder, its bytecode compiled (as `pip install` writes it), and run as `python -m cxkit` with
that folder on PYTHONPATH from a folder of its own: run from the repository, `python -m` would
put the repository's cxkit first on sys.path whatever PYTHONPATH says, and both sides would be
the same code. Arguments naming files are made absolute. The revision each side imports is
checked before the runs; the outputs of the two are compared (a change that only speeds up
should print the same bytes).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKTREE = "WORKTREE"


def checkout(rev: str, scratch: Path) -> Path:
    """The folder holding `rev`'s cxkit, its bytecode compiled."""
    if rev == WORKTREE:
        folder = ROOT
    else:
        folder = scratch / hashlib.sha1(rev.encode()).hexdigest()[:12]
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q",
                        str(folder), rev], check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "cxkit")],
                   check=True)
    return folder


def absolute(args: list[str]) -> list[str]:
    """Arguments that name an existing file or glob, as absolute paths."""
    out = []
    for a in args:
        path = Path(a)
        near = path.parent if any(ch in a for ch in "*?[") else path
        out.append(str(path.resolve()) if not a.startswith("-") and near.exists() else a)
    return out


def run(folder: Path, args: list[str], cwd: str) -> tuple[float, bytes]:
    env = {**os.environ, "PYTHONPATH": str(folder)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cxkit", *args], env=env, cwd=cwd,
                          capture_output=True, check=False)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the revision before (or WORKTREE)")
    parser.add_argument("b", help="the revision after (or WORKTREE)")
    parser.add_argument("--runs", type=int, default=7, help="runs of each (default 7)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then cxkit's arguments")
    opts = parser.parse_args()
    args = absolute(opts.command[1:] if opts.command[:1] == ["--"] else opts.command)
    with tempfile.TemporaryDirectory(prefix="cxkit-ab-") as tmp:
        scratch = Path(tmp)
        cwd = scratch / "run"
        cwd.mkdir()
        folders: dict[str, Path] = {}
        try:
            for rev in (opts.a, opts.b):
                folders[rev] = checkout(rev, scratch)
            for rev, folder in folders.items():
                probe = subprocess.run(
                    [sys.executable, "-c", "import cxkit; print(cxkit.__file__)"],
                    env={**os.environ, "PYTHONPATH": str(folder)}, cwd=cwd,
                    capture_output=True, text=True, check=True).stdout.strip()
                if not probe.startswith(str(folder)):
                    sys.exit(f"{rev}: python imports {probe}, not the checkout in {folder}")
            times: dict[str, list[float]] = {rev: [] for rev in folders}
            outputs: dict[str, bytes] = {}
            for _ in range(opts.runs):
                for rev, folder in folders.items():
                    seconds, out = run(folder, args, str(cwd))
                    times[rev].append(seconds)
                    outputs.setdefault(rev, out)
        finally:
            for folder in folders.values():
                if folder != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                    str(folder)], check=False)
    for rev, ts in times.items():
        ts.sort()
        print(f"{rev:<16} median {statistics.median(ts):.3f} s  quartiles "
              f"{ts[len(ts) // 4]:.3f}-{ts[(3 * len(ts)) // 4]:.3f}  fastest {ts[0]:.3f}")
    same = outputs[opts.a] == outputs[opts.b]
    print("the same output" if same else "the outputs differ")


if __name__ == "__main__":
    main()
