"""What the DuckDB and plain-Polars order scripts share (no data library imported here): the
order statuses cxkit does not count as completed and the returned ones, folded as
cxkit.io.orders folds them, and the retention and cohort records built from their counts."""

# cxkit.io.orders: the statuses of orders that are not completed, folded as cxkit folds them
# (lower case, `wc-` dropped, spaces and hyphens as `_`); any other status is a completed order
NOT_COMPLETED = {
    "cancelled": ["cancelled", "canceled", "voided", "void", "annulee", "annulée", "annule",
                  "annulé", "refused_by_merchant"],
    "abandoned": ["abandoned", "abandoned_checkout", "abandoned_cart", "checkout", "cart",
                  "abandonne", "abandonné", "abandonnee", "abandonnée", "panier_abandonne",
                  "panier_abandonné"],
    "pending": ["pending", "pending_payment", "authorized", "on_hold", "onhold", "unpaid",
                "awaiting_payment", "uncaptured", "incomplete", "requires_payment_method",
                "requires_capture", "requires_action", "draft", "en_attente",
                "en_attente_de_paiement", "checkout_draft"],
    "failed": ["failed", "declined", "expired", "blocked", "echouee", "échouée", "echoue",
               "échoué", "refusee", "refusée", "refuse", "refusé"],
}
RETURNED = ["refunded", "partially_refunded", "returned", "remboursee", "remboursée",
            "rembourse", "remboursé", "partiellement_remboursee", "partiellement_remboursée",
            "retournee", "retournée", "disputed"]


def label(month: int) -> str:
    """A month numbered year * 12 + month - 1, as cxkit labels it: 2025-01."""
    return f"{month // 12}-{month % 12 + 1:02d}"


def retention_records(counts: dict[int, tuple[int, int]]) -> dict[str, dict]:
    """{month: (customers active the month before, of whom active in it)} -> the records, from
    the first month to the one before the last (the last + 1 has no orders), and the pooled
    headline."""
    out = {}
    for month in range(min(counts, default=0), max(counts, default=0)):
        n, kept = counts.get(month, (0, 0))
        if n:
            out[label(month)] = {"n": n, "retained": kept, "churned": n - kept}
    n = sum(r["n"] for r in out.values())
    kept = sum(r["retained"] for r in out.values())
    out["*"] = {"n": n, "retained": kept, "churned": n - kept}
    return out


def cohort_records(counts: dict[tuple[int, int], int]) -> dict[str, dict]:
    """{(cohort month, months since): customers active} -> each cohort's row of customers and
    the headline: the share active one month on, pooled over the cohorts that month is seen
    for."""
    last = max((c + s for c, s in counts), default=0)
    out = {}
    for cohort in sorted({c for c, _ in counts}):
        customers = [counts.get((cohort, s), 0) for s in range(last - cohort + 1)]
        out[label(cohort)] = {"n": customers[0], "customers": customers}
    seen = [c for c in {c for c, _ in counts} if c + 1 <= last]
    base = sum(counts.get((c, 0), 0) for c in seen)
    retained = sum(counts.get((c, 1), 0) for c in seen)
    out["*"] = {"n": base, "retained": retained, "not_retained": base - retained}
    return out
