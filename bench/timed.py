"""Where a cxkit command's wall time goes: run it in this process with a timer around each named
function, printed to stderr as it returns (its own time and when it started).

    python bench/timed.py cxkit.io.tickets:load_tickets,cxkit.kpi.specs:collect_plans -- \\
        tickets bench/data/tickets.csv --kpi backlog --by channel --format json > /dev/null

A function is patched where it is defined and, for a `from module import name` made before,
in the modules already imported that hold that same function. Start-up (`import polars`),
the total and the exit are timed too; nothing in cxkit changes.
"""

from __future__ import annotations

import functools
import importlib
import sys
import time

T0 = time.perf_counter()


def _say(text: str) -> None:
    print(f"  {text}", file=sys.stderr, flush=True)


def wrap(spec: str) -> None:
    """Time `module:function` wherever that function object is bound."""
    module_name, _, name = spec.partition(":")
    module = importlib.import_module(module_name)
    original = getattr(module, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _say(f"{name:<26} {time.perf_counter() - start:7.3f} s (at {start - T0:6.3f})")

    for held in list(sys.modules.values()):
        if getattr(held, name, None) is original:
            setattr(held, name, timed)


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") != 1:
        print(__doc__, file=sys.stderr)
        return 2
    import polars  # noqa: F401  (its import is start-up, timed on its own)

    _say(f"{'import polars':<26} {time.perf_counter() - T0:7.3f} s")
    import cxkit.cli.main as cli

    for spec in filter(None, argv[0].split(",")):
        wrap(spec)
    sys.argv = ["cxkit", *argv[2:]]
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
    _say(f"{'total':<26} {time.perf_counter() - T0:7.3f} s")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
