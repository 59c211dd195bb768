"""Generate the sample survey exports in sample_data/.

    python scripts/make_sample_data.py

Deterministic (seeded ``random.Random(2024)``, fixed 2025 calendar), stdlib only.
Writes:
  sample_data/responses.csv     UTF-8, ``,``, ISO timestamps, English headers
  sample_data/responses_fr.csv  the same rows as a French Excel export
                                (cp1252, ``;``, CRLF, dd/mm/yyyy HH:MM, decimal commas)
"""

from __future__ import annotations

import calendar
import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "sample_data"
N_ROWS = 3000
N_CUSTOMERS = 1400  # pool size; ~1,200 distinct customers end up answering
YEAR = 2025

# Relative survey volume per month (summer dip, year-end peak).
MONTH_WEIGHTS = [1.00, 0.92, 1.02, 0.95, 1.05, 0.90, 0.78, 0.72, 1.00, 1.08, 1.20, 1.38]

CHANNELS = {"email": 0.30, "web": 0.25, "app": 0.20, "phone": 0.15, "store": 0.10}
REGIONS = {"France": 0.35, "Germany": 0.20, "UK": 0.20, "Spain": 0.15, "Benelux": 0.10}
# Target NPS per channel in H1; H2 improves by NPS_H2_GAIN points.
CHANNEL_NPS = {"email": 20, "web": 30, "app": 45, "phone": 5, "store": 15}
NPS_H2_GAIN = 5
PASSIVE_SHARE = 0.30

MISSING_NPS_SHARE = 0.01
JUNK_NPS_VALUES = ["11", "n/a", "7.5", "-1", "10/10", "N/A", "12", "?", "7.5"]  # ~0.3%
MISSING_CSAT_SHARE = 0.20
MISSING_CES_SHARE = 0.30

FR_CHANNELS = {
    "email": "e-mail",
    "web": "site web",
    "app": "application",
    "phone": "téléphone",
    "store": "magasin",
}
HEADER = [
    "response_id",
    "customer_id",
    "responded_at",
    "channel",
    "region",
    "nps_score",
    "csat_score",
    "ces_score",
    "comment",
]
FR_HEADER = [
    "Identifiant",
    "Client",
    "Date de réponse",
    "Canal",
    "Région",
    "Note de recommandation",
    "Satisfaction",
    "Effort",
    "Commentaire",
    "Panier moyen",
]

POSITIVE = [
    "Great app, easy checkout",
    "Fast delivery, well packaged",
    "Very helpful staff in store",
    "Love the new loyalty programme",
    "Smooth experience from start to finish",
    "Quick answer from customer service, thanks!",
    "Livraison très rapide, merci !",
    "Très bon accueil en magasin",
    "Application simple et efficace",
    "Conseiller à l'écoute et sympathique",
    "Produit conforme, rien à redire",
    "Commande reçue en 24h, parfait",
]
NEUTRAL = [
    "OK overall",
    "Delivery was a bit slow but fine",
    "Prices went up a little",
    "Website could be clearer",
    "Correct, sans plus",
    "Délai de livraison un peu long",
    "Bon produit mais emballage abîmé",
    "Le site est parfois lent",
]
NEGATIVE = [
    "Le SAV n'a jamais répondu",
    "Colis perdu, remboursement toujours en attente",
    "Attente de 40 minutes au téléphone",
    "Produit défectueux à la réception",
    "Trop de frais de livraison",
    "Never received my refund",
    "Waited 30 minutes on hold",
    "App keeps crashing at payment",
    "Wrong item delivered, twice",
    "Nobody answers the chat",
]
# Awkward-but-real comments: CSV quoting, multi-line, and untrusted text.
SPECIAL_COMMENTS = [
    'Item arrived broken, the box said "fragile", not impressed',
    "Livraison OK.\nMais le livreur n'a pas sonné",
    "Prix corrects ; service moyen",
    '=HYPERLINK("http://x","click")',
    "<script>alert(1)</script>",
]


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def draw_nps(rng: random.Random, target_nps: float) -> int:
    """Draw a 0-10 score so that the expected NPS is ``target_nps``."""
    promoters = (1 - PASSIVE_SHARE + target_nps / 100) / 2
    u = rng.random()
    if u < promoters:
        return rng.choices([9, 10], weights=[45, 55])[0]
    if u < promoters + PASSIVE_SHARE:
        return rng.choices([7, 8], weights=[40, 60])[0]
    return rng.choices(range(7), weights=[4, 2, 3, 5, 7, 12, 17])[0]


def draw_timestamp(rng: random.Random, month: int) -> datetime:
    day = rng.randint(1, calendar.monthrange(YEAR, month)[1])
    hour = rng.choices(range(7, 23), weights=[1, 3, 5, 6, 6, 7, 7, 6, 6, 6, 6, 7, 8, 7, 5, 3])[0]
    return datetime(YEAR, month, day, hour) + timedelta(seconds=rng.randrange(3600))


def clamp(value: float, low: int = 1, high: int = 5) -> int:
    return max(low, min(high, round(value)))


def draw_comment(rng: random.Random, nps: int) -> str:
    if nps >= 9:
        share, pool = 0.35, POSITIVE + NEUTRAL[:2]
    elif nps >= 7:
        share, pool = 0.30, NEUTRAL + POSITIVE[:3]
    else:
        share, pool = 0.60, NEGATIVE + NEUTRAL[-3:]
    return rng.choice(pool) if rng.random() < share else ""


def build_rows(rng: random.Random) -> list[dict]:
    months = rng.choices(range(1, 13), weights=MONTH_WEIGHTS, k=N_ROWS)
    stamps = sorted(draw_timestamp(rng, m) for m in months)
    rows = []
    for i, ts in enumerate(stamps, start=1):
        channel = weighted(rng, CHANNELS)
        target = CHANNEL_NPS[channel] + (NPS_H2_GAIN if ts.month >= 7 else 0)
        nps = draw_nps(rng, target)
        csat = clamp(1 + nps * 0.4 + rng.gauss(0, 0.7))
        ces = clamp(4.5 - nps * 0.35 + rng.gauss(0, 0.8))
        rows.append(
            {
                "response_id": f"R{i:06d}",
                "customer_id": f"C{rng.randint(1, N_CUSTOMERS):05d}",
                "responded_at": ts,
                "channel": channel,
                "region": weighted(rng, REGIONS),
                "nps_score": str(nps),
                "csat_score": "" if rng.random() < MISSING_CSAT_SHARE else str(csat),
                "ces_score": "" if rng.random() < MISSING_CES_SHARE else str(ces),
                "comment": draw_comment(rng, nps),
                "basket": round(rng.lognormvariate(4.0, 0.6), 2),
            }
        )

    # Missing and junk NPS answers, and the awkward comments, on distinct random rows.
    n_missing = round(N_ROWS * MISSING_NPS_SHARE)
    picked = rng.sample(range(N_ROWS), n_missing + len(JUNK_NPS_VALUES) + len(SPECIAL_COMMENTS))
    for idx in picked[:n_missing]:
        rows[idx]["nps_score"] = ""
    picked = picked[n_missing:]
    for idx, junk in zip(picked, JUNK_NPS_VALUES, strict=False):
        rows[idx]["nps_score"] = junk
    for idx, comment in zip(picked[len(JUNK_NPS_VALUES) :], SPECIAL_COMMENTS, strict=True):
        rows[idx]["comment"] = comment
    return rows


def write_english(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for row in rows:
            values = dict(row, responded_at=row["responded_at"].strftime("%Y-%m-%d %H:%M:%S"))
            writer.writerow([values[col] for col in HEADER])


def write_french(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="cp1252", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(FR_HEADER)
        for row in rows:
            writer.writerow(
                [
                    row["response_id"],
                    row["customer_id"],
                    row["responded_at"].strftime("%d/%m/%Y %H:%M"),
                    FR_CHANNELS[row["channel"]],
                    row["region"],
                    row["nps_score"],
                    row["csat_score"],
                    row["ces_score"],
                    row["comment"],
                    f"{row['basket']:.2f}".replace(".", ","),
                ]
            )


def main() -> None:
    rng = random.Random(2024)
    rows = build_rows(rng)
    OUT_DIR.mkdir(exist_ok=True)
    write_english(rows, OUT_DIR / "responses.csv")
    write_french(rows, OUT_DIR / "responses_fr.csv")
    print(f"wrote {len(rows)} rows to {OUT_DIR}/responses.csv and responses_fr.csv")


if __name__ == "__main__":
    main()
