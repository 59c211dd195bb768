"""Benchmark `cxkit themes` on generated survey comments (English and French).

    python bench/themes.py [--rows N] [--repeat R] [--keep]

Writes --rows answers (default 1,000,000; seeded numpy draws, so the data is the same on every
run of one numpy version) to bench/data/comments.{csv,parquet}: a 0-10 score, a date, and a
comment made of a phrase of the score's side (80 %; else any side) and 0-4 filler words from
3,000, so most comments are distinct. Then times `cxkit themes FILE --format json` in this
process (best of --repeat), for each file, and prints the seconds, the peak RSS and the first
terms. The data files are removed afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

DATA_DIR = Path(__file__).resolve().parent / "data"
BAD = ["late delivery", "the parcel never arrived", "Colis perdu", "le SAV n'a jamais répondu",
       "attente de 40 minutes au téléphone", "refund still pending, call me on 06 12 34 56 78",
       "trop de frais de livraison", "wrong item delivered", "rude agent on the phone",
       "l'application plante souvent", "produit défectueux à la réception",
       "nobody answers the chat, write to me at jane.doe@example.com"]
MIDDLE = ["ok overall", "correct, sans plus", "delivery was a bit slow but fine",
          "bon produit mais emballage abîmé", "prices are fine"]
GOOD = ["fast delivery", "very helpful staff", "livraison très rapide", "great app, easy checkout",
        "conseiller à l’écoute et sympathique", "commande reçue en 24h",
        "love the loyalty programme", "smooth experience from start to finish",
        "très bon accueil en magasin", "quick answer from customer service"]


def generate(rows: int) -> dict[str, Path]:
    rng = np.random.default_rng(2008)
    score = rng.integers(0, 11, rows)
    side = np.where(score <= 6, 0, np.where(score >= 9, 2, 1))
    side = np.where(rng.random(rows) < 0.8, side, rng.integers(0, 3, rows))
    pools = [np.array(BAD), np.array(MIDDLE), np.array(GOOD)]
    phrase = np.empty(rows, dtype=object)
    for k, pool in enumerate(pools):
        mask = side == k
        phrase[mask] = pool[rng.integers(0, len(pool), mask.sum())]
    filler = np.array([f"mot{i}" for i in range(3000)])
    words = filler[rng.integers(0, len(filler), (rows, 4))]
    frame = pl.DataFrame({"phrase": phrase.astype(str), "words": words.tolist(),
                          "k": rng.integers(0, 5, rows)})
    extra = pl.col("words").list.head(pl.col("k")).list.join(" ")
    comment = pl.when(pl.col("k") > 0).then(pl.col("phrase") + ", " + extra + ".").otherwise(
        pl.col("phrase"))
    days = pl.date_range(pl.date(2024, 1, 1), pl.date(2025, 12, 31), eager=True)
    out = pl.DataFrame({
        "response_id": pl.int_range(rows, eager=True).cast(pl.String).str.zfill(8),
        "responded_at": days.gather(rng.integers(0, len(days), rows)).sort(),
        "nps_score": score,
    }).with_columns(frame.select(comment.alias("comment")).to_series())
    DATA_DIR.mkdir(exist_ok=True)
    paths = {"csv": DATA_DIR / "comments.csv", "parquet": DATA_DIR / "comments.parquet"}
    out.write_csv(paths["csv"])
    out.write_parquet(paths["parquet"])
    return paths


def run_once(path: Path) -> tuple[float, dict]:
    from cxkit.cli import themes
    from cxkit.cli.main import app, main

    if not any(c.name == "themes" for c in app.registered_commands):
        themes.register(app)
    buf = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
        main(["themes", str(path), "--format", "json"])
    return time.perf_counter() - start, json.loads(buf.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    paths = generate(args.rows)
    try:
        for fmt, path in paths.items():
            runs = [run_once(path) for _ in range(args.repeat)]
            best, data = min(runs, key=lambda r: r[0])
            top = ", ".join(f"{t['term']} ({t['z']})" for t in data["terms"][:3])
            print(f"{fmt:8} {args.rows:,} answers, {sum(data['n'].values()):,} compared "
                  f"comments: {best:.2f} s (best of {args.repeat}); top: {top}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak:,.0f} MiB", file=sys.stderr)
    finally:
        if not args.keep:
            for path in paths.values():
                path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
