"""A seeded mutation fuzz over small realistic exports: no input gives a traceback.

Each mutant of a survey, ticket or order export (bytes flipped, CR, quotes, NUL, delimiters and
BOMs inserted, lines cut, repeated or joined, a field blown up, the header garbled, the file
truncated) is given to the commands that read that kind of export, in this interpreter. Every
run must end with one of the exit codes of KPIS.md that a bad file may give (0 read, 65 data,
66 input) and never print a traceback. The seed is fixed: a failure names the mutant, which can
be rebuilt with `mutate(SOURCES[kind], seed)`.
"""

from __future__ import annotations

import random

import pytest
from conftest import run_cli

ALLOWED = {0, 65, 66}
MUTANTS = 80  # per kind: 240 mutants, each run by two commands
CHUNKS = 4  # test cases per kind, so that pytest-xdist spreads them over the cores

SOURCES = {
    "responses": (
        "response_id,customer_id,responded_at,channel,nps_score,csat_score,ces_score,comment\n"
        "R1,C1,2025-01-05 09:00:00,email,10,5,1,Great service\n"
        'R2,C2,2025-01-06 10:30:00,web,6,2,4,"Slow, very slow"\n'
        "R3,C3,2025-02-03 11:00:00,app,9,4,2,\n"
        "R4,C1,2025-02-04 12:15:00,email,3,1,5,Rude agent\n"
        'R5,C4,2025-03-01 08:00:00,web,8,4,3,"He said ""soon"""\n'
        "R6,C5,2025-03-02 09:45:00,app,,3,,No answer\n"
    ),
    "tickets": (
        "Id,Requester id,Status,Via,Ticket type,Created at,Solved at,Reopens,Replies,"
        "Satisfaction Score\n"
        "1,C1,Solved,Mail,Problem,2025-01-06 09:00,2025-01-06 15:00,0,1,Good\n"
        "2,C2,Closed,Web form,Complaint,2025-01-06 10:00,2025-01-07 10:00,1,2,Bad\n"
        "3,C3,Open,Chat,Question,2025-01-07 08:00,,0,1,Offered\n"
        "4,C1,Solved,Mail,Complaint,2025-02-03 12:00,2025-02-03 13:30,0,1,Good\n"
        "5,C4,Pending,Chat,Incident,2025-02-04 09:00,,0,0,\n"
    ),
    "orders": (
        "order_id,customer_id,ordered_at,amount,status,refunded_amount,channel\n"
        "O1,C1,2025-01-05 09:00:00,35.50,paid,,web\n"
        "O2,C2,2025-01-06 10:00:00,120.00,paid,20.00,app\n"
        "O3,C1,2025-02-03 11:00:00,12.99,cancelled,,web\n"
        'O4,C3,2025-02-04 12:00:00,"1,299.00",paid,,store\n'
        "O5,C1,2025-03-01 08:00:00,49.90,refunded,49.90,web\n"
    ),
}
COMMANDS = {"responses": [("nps",), ("csat", "--period", "month")],
            "tickets": [("tickets",), ("columns",)],
            "orders": [("orders",), ("retention", "--period", "month")]}
INSERTS = [b"\r", b"\n", b'"', b"\x00", b",", b";", b"\t", b"\xef\xbb\xbf", b"\xff\xfe",
           b"\r\n\r\n", b",,,,\n", b"\x1b[2J", b"=cmd|' /C calc'!A0", "\u2212".encode(),
           b"0001-01-01 00:00:00", b"9999-12-31", b"1e308", b"NaN", b"\\", b"'", b"\xc3"]


def mutate(text: str, seed: int) -> bytes:
    """One to four seeded edits of the file's bytes."""
    rng = random.Random(seed)
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(9)
        at = rng.randrange(len(data) + 1) if data else 0
        if kind == 0:  # flip a byte
            if data:
                data[min(at, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:  # insert something awkward
            data[at:at] = rng.choice(INSERTS)
        elif kind == 2:  # delete a run of bytes
            del data[at:at + rng.randint(1, 20)]
        elif kind == 3:  # truncate
            del data[at:]
        elif kind == 4:  # repeat a line
            lines = data.split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
        elif kind == 5:  # join two lines (a lost line end)
            first = data.find(b"\n", at)
            if first != -1:
                del data[first]
        elif kind == 6:  # a huge field
            data[at:at] = b"x" * rng.choice([1000, 70_000, 140_000])
        elif kind == 7:  # CR-only line ends, or CRLF
            data = bytearray(data.replace(b"\n", rng.choice([b"\r", b"\r\n"])))
        else:  # garble the header
            end = data.find(b"\n")
            cut = end if end > 0 else len(data)
            header = bytearray(data[:cut])
            if header:
                header[rng.randrange(len(header))] = rng.choice(b',;"\t ')
            data[:cut] = header
    return bytes(data)


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("kind", list(SOURCES))
def test_mutants_never_give_a_traceback(kind, chunk, tmp_path):
    failures = []
    for seed in range(chunk, MUTANTS, CHUNKS):
        path = tmp_path / f"{kind}_{seed}.csv"
        path.write_bytes(mutate(SOURCES[kind], seed))
        for command in COMMANDS[kind]:
            run = run_cli(command[0], path, *command[1:], "--format", "json")
            if run.returncode not in ALLOWED or "Traceback" in run.stderr:
                failures.append((seed, command, run.returncode, run.stderr[-300:]))
            elif run.returncode:
                lines = run.stderr.splitlines()
                errors = [ln for ln in lines if ln.startswith("cxkit: error:")]
                if len(errors) != 1:  # one plain line says what is wrong (and a fix line)
                    failures.append((seed, command, run.returncode, run.stderr[-300:]))
    assert not failures, failures[:5]


def test_the_originals_are_read():
    # the unmutated files are good exports: the fuzz starts from files that work
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        for kind, text in SOURCES.items():
            path = Path(folder) / f"{kind}.csv"
            path.write_text(text, encoding="utf-8")
            for command in COMMANDS[kind]:
                run = run_cli(command[0], path, *command[1:], "--format", "json")
                assert run.returncode == 0, (kind, command, run)
