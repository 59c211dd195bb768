"""The order statuses cxkit does not count as completed, and the returned ones, folded as
cxkit.io.orders folds them: shared by the DuckDB and plain-Polars reference scripts (no data
library imported here)."""

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
