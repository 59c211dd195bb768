"""Python's cyclic garbage collector in the `cxkit` program: rarely while it runs, and not over
the objects still alive as it exits.

A command's data lives in Polars (Rust) and numpy buffers, freed by reference counting; what
the collector walks is the interpreter's own objects, most of them made by the imports
(Typer, Rich, Polars' Python layer), and it walks them all again as the interpreter shuts
down. `cxkit tickets --kpi backlog` on 5M Parquet tickets, 15 alternating runs each: 0.477 s
as it was, 0.451 s with `skip_at_exit`, 0.442 s with both; `cxkit --help` 0.136 -> 0.118 s.
Cycles are still collected while it runs (every FIRST new containers instead of 700).

Only `cxkit.cli.main.run`, the program, calls these: `main` also runs inside other processes
(the tests call it in-process thousands of times), whose collector is theirs.
"""

from __future__ import annotations

import gc

FIRST = 50_000  # new containers between two collections of the youngest generation
LATER = (20, 100)  # collections of one generation between two of the next (700, 10, 10 before)


def relax() -> None:
    """Collect less often for the rest of the process."""
    gc.set_threshold(FIRST, *LATER)


def skip_at_exit() -> None:
    """Leave the objects alive now out of every collection to come, the ones at shutdown
    among them: the process ends next and its memory goes back to the system with it."""
    gc.freeze()
