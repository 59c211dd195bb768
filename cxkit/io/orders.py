"""Order exports: presets for Shopify, WooCommerce and Stripe, line items, amounts, statuses.

`load_orders` returns a LazyFrame with canonical columns (KPIS.md "Inputs", orders):
`ordered_at` (naive Datetime of the shop's wall-clock time, or a Date with `day_only`) and
`ordered_at__blank`, `amount` and `refunded` (Float64, major units), `state` (completed,
cancelled, abandoned, pending or failed), `returned` (Boolean), text roles as stripped strings
(`order_id`, `customer_id`, `referred_by`, `acquisition_channel`) and the `--by` columns.
A Shopify export (one row per line item, order fields on the first row only) is collapsed to
one row per order first.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cxkit.io import LoadOptions, column_format, find_column, require_roles, sample_column
from cxkit.io.dates import DateFormat, parse_expr
from cxkit.io.overlap import without_repeats
from cxkit.io.presets import Preset, open_export
from cxkit.io.read import Table
from cxkit.io.roles import ORDER_ROLES
from cxkit.io.tickets import timestamp_expr

STATES = ("completed", "cancelled", "abandoned", "pending", "failed")
# Status words of Shopify, WooCommerce, Stripe and French back offices, folded to lower case
# with `wc-` dropped and spaces/hyphens as `_`. Anything else counts as completed (with a note).
_STATUS = {
    "cancelled": ["cancelled", "canceled", "voided", "void", "annulee", "annulée", "annule",
                  "annulé", "refused_by_merchant"],
    "abandoned": ["abandoned", "abandoned_checkout", "abandoned_cart", "checkout", "cart",
                  "abandonne", "abandonné", "abandonnee", "abandonnée", "panier_abandonne",
                  "panier_abandonné"],
    "pending": ["pending", "pending_payment", "authorized", "on_hold", "onhold", "unpaid",
                "awaiting_payment",
                "uncaptured", "incomplete", "requires_payment_method", "requires_capture",
                "requires_action", "draft", "en_attente", "en_attente_de_paiement",
                "checkout_draft"],
    "failed": ["failed", "declined", "expired", "blocked", "echouee", "échouée", "echoue",
               "échoué", "refusee", "refusée", "refuse", "refusé"],
}
COMPLETED = ["paid", "completed", "complete", "processing", "fulfilled", "succeeded",
             "success", "captured", "refunded", "partially_refunded", "partially_paid",
             "shipped", "delivered", "closed", "disputed", "returned", "payee", "payée", "paye",
             "payé", "livree", "livrée", "expediee", "expédiée", "terminee", "terminée",
             "remboursee", "remboursée", "rembourse", "remboursé", "partiellement_remboursee",
             "partiellement_remboursée", "retournee", "retournée", "validee", "validée",
             "confirmee", "confirmée"]
RETURNED = ["refunded", "partially_refunded", "returned", "remboursee", "remboursée",
            "rembourse", "remboursé", "partiellement_remboursee", "partiellement_remboursée",
            "retournee", "retournée", "disputed"]
TRUE = ["1", "true", "yes", "y", "oui", "vrai", "x"]
TEXT_ROLES = ("order_id", "customer_id", "referred_by", "acquisition_channel")

PRESETS = {
    "shopify": Preset(
        "shopify",
        ("financialstatus", "fulfillmentstatus", "lineitemquantity", "lineitemname",
         "lineitemprice", "acceptsmarketing", "paidat", "fulfilledat", "refundedamount",
         "outstandingbalance"),
        {
            "order_id": ["name"],
            "customer_id": ["email"],
            "ordered_at": ["createdat", "paidat"],
            "amount": ["total"],
            "order_status": ["financialstatus"],
            "refunded_amount": ["refundedamount"],
            "cancelled_at": ["cancelledat"],
        },
        line_items=True,
    ),
    "stripe": Preset(
        "stripe",
        ("createddateutc", "amountrefunded", "convertedamount", "convertedamountrefunded",
         "captured", "declinereason", "paymentsourcetype", "customeremail", "outcometype",
         "islink", "taxesonfee"),
        {
            "order_id": ["id"],
            "customer_id": ["customerid", "customeremail", "customer"],
            "ordered_at": ["createddateutc", "createdutc", "created", "createddate"],
            "amount": ["convertedamount", "amount"],
            "order_status": ["status"],
            "refunded_amount": ["convertedamountrefunded", "amountrefunded"],
        },
    ),
    "woocommerce": Preset(
        "woocommerce",
        ("ordernumberformatted", "ordertotal", "ordershipping", "cartdiscount",
         "customeruser", "billingemail", "paymentmethodtitle", "orderstatus",
         "ordertotalamount", "orderdate", "ordercurrency", "shippingmethod"),
        {
            "order_id": ["orderid", "ordernumber", "order"],
            # emails first: a guest's customer_user (and customer_id) is 0
            "customer_id": ["customeremail", "billingemail", "customerid", "customeruser",
                            "customer"],
            "ordered_at": ["orderdate", "date", "paiddate"],
            "amount": ["ordertotal", "ordertotalamount", "netsales"],
            "order_status": ["status", "orderstatus"],
            "refunded_amount": ["orderrefund", "refundtotal", "totalrefunded"],
        },
        label="WooCommerce",
    ),
}


@dataclass
class OrderLoad:
    lf: pl.LazyFrame
    table: Table
    columns: dict[str, str]  # role -> input column
    notices: list[str]
    by: list[str]
    amount_rule: str  # how amounts were read: decimal separator, units


def status_key(expr: pl.Expr) -> pl.Expr:
    """`wc-Completed`, `Partially refunded`, `on-hold` -> `completed`, `partially_refunded`.

    Literal replacements only: this runs on every row of big exports."""
    text = expr.cast(pl.String).str.strip_chars().str.to_lowercase().str.strip_prefix("wc-")
    return text.str.replace_all(" ", "_", literal=True).str.replace_all("-", "_", literal=True)


def state_expr(status: pl.Expr | None, cancelled_at: pl.Expr | None) -> pl.Expr:
    """completed, cancelled, abandoned, pending or failed; no status means completed."""
    state = pl.lit("completed")
    if status is not None:  # one lookup of the folded status (a chain of is_in costs 4 passes)
        words = {w: name for name, ws in _STATUS.items() for w in ws}
        state = status_key(status).replace_strict(list(words), list(words.values()),
                                                  default="completed", return_dtype=pl.String)
    if cancelled_at is not None:  # Shopify: `Cancelled at` filled beats the financial status
        text = cancelled_at.cast(pl.String).str.strip_chars()
        state = pl.when(text.is_not_null() & (text != "")).then(pl.lit("cancelled")) \
            .otherwise(state)
    return state


def decimal_style(sample: pl.Series, comma_hint: bool) -> str:
    """`comma` (1 299,00 / 1.299,00) or `point` (1,299.00), voted by the sampled values.

    The last separator followed by 1-2 digits (or with the other separator before it) decides
    a value; `1,299` and `1.299` decide nothing, and the file's style (`;`, decimal comma in
    other columns, cp1252) breaks a tie.
    """
    text = sample.cast(pl.String).str.replace_all(r"[^\d,.]", "")
    comma = (text.str.contains(r",\d{1,2}$") | text.str.contains(r"\.\d{3},\d*$")).sum()
    point = (text.str.contains(r"\.\d{1,2}$") | text.str.contains(r",\d{3}\.\d*$")).sum()
    if comma != point:
        return "comma" if comma > point else "point"
    return "comma" if comma_hint else "point"


def amount_expr(column: str, style: str, dtype: pl.DataType, divisor: int = 1) -> pl.Expr:
    """Money as Float64: currency signs, spaces (also no-break) and thousands separators go;
    `(12.00)` is negative; unreadable text becomes null."""
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64) / divisor
    text = pl.col(column).cast(pl.String).str.strip_chars()
    negative = text.str.starts_with("(") & text.str.ends_with(")")
    text = text.str.replace_all(r"[^\d,.\-]", "")
    text = (text.str.replace_all(r"\.", "").str.replace(",", ".") if style == "comma"
            else text.str.replace_all(",", ""))
    value = text.cast(pl.Float64, strict=False) / divisor
    return pl.when(negative).then(-value).otherwise(value)


def _minor_units(preset: Preset | None, amount_col: str, sample: pl.Series,
                 unit: str | None) -> bool:
    """Stripe's API and Fivetran write cents under upper-case names (EXPORTS.md 1.8)."""
    if unit:
        return unit == "minor"
    if not preset or preset.name != "stripe" or not amount_col.isupper():
        return False
    text = sample.cast(pl.String).str.strip_chars()
    return len(text) > 0 and bool(text.str.contains(r"^-?\d+$").all())


def _blank_to_null(col: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.String:
        text = pl.col(col).str.strip_chars()
        return pl.when(text == "").then(None).otherwise(pl.col(col)).alias(col)
    return pl.col(col)


def collapse_line_items(table: Table, order_col: str, keep: list[str]) -> pl.LazyFrame:
    """One row per order: the first non-empty value of each column within the order's rows.

    Shopify fills order fields on the first row only, so the first non-empty value is the
    order's, wherever the rows land; `Total` is never summed over line items.
    """
    schema = table.lf.collect_schema()
    cols = [c for c in dict.fromkeys(keep) if c != order_col]
    lf = table.lf.select([pl.col(order_col)] + [_blank_to_null(c, schema[c]) for c in cols])
    lf = lf.filter(pl.col(order_col).is_not_null())
    return lf.group_by(order_col).agg([pl.col(c).drop_nulls().first() for c in cols])


def load_orders(opts: LoadOptions, preset_name: str | None = None, timezone: str | None = None,
                flags: dict[str, str] | None = None, amount_unit: str | None = None,
                day_only: bool = False, command: str = "cxkit orders") -> OrderLoad:
    flags = flags or {}
    table, notices, preset, roles = open_export(opts, PRESETS, preset_name, ORDER_ROLES, flags,
                                                "orders", command, ("ordered_at",))
    require_roles(table, roles, ("ordered_at",), {"ordered_at": "--ordered", **flags},
                  {"ordered_at": "the order date"})
    cols = {r: m.column for r, m in roles.items()}
    by = [find_column(table, b, "--by") for b in opts.by]
    line_items = any(c.lower().startswith("lineitem") for c in table.columns) or bool(
        preset and preset.line_items)
    raw = list(dict.fromkeys(list(cols.values()) + by))
    # several files: an order in two of them counts once (line items are compared row by row)
    source = Table(without_repeats(table, [pl.col(c) for c in raw], cols.get("order_id"),
                                   "order id", notices), raw, table.sources, table.kind,
                   table.labels, table.layout)
    if line_items and "order_id" in cols:
        lf = collapse_line_items(source, cols["order_id"], raw)
        source = Table(lf, raw, table.sources, table.kind, table.labels, table.layout)
        notices.append(f"{table.name}: one row per line item; collapsed to one row per order "
                       f"('{cols['order_id']}'), order fields from the order's first row")
    schema = source.lf.collect_schema()

    exprs = []
    date_col = cols["ordered_at"]
    fmt: DateFormat = column_format(table, date_col, opts.dayfirst, notices)
    if day_only and fmt.prefix and not timezone:  # only the day: parse `YYYY-MM-DD`, not times
        stamp = pl.col(date_col).str.slice(0, fmt.prefix).str.strptime(
            pl.Date, fmt.date_part, strict=False)
    else:
        stamp = timestamp_expr(date_col, fmt, timezone) if timezone else parse_expr(date_col,
                                                                                     fmt)
        stamp = stamp.dt.date() if day_only else stamp
    exprs.append(stamp.alias("ordered_at"))
    raw = pl.col(date_col)
    if schema[date_col].is_temporal():
        exprs.append(raw.is_null().alias("ordered_at__blank"))
    else:
        text = raw.cast(pl.String).str.strip_chars()
        exprs.append((text.is_null() | (text == "")).alias("ordered_at__blank"))

    amount_rule, refunded = "no amount column", None
    if "amount" in cols:
        acol = cols["amount"]
        sample = sample_column(table, acol, 500)
        minor = _minor_units(preset, acol, sample, amount_unit)
        style = decimal_style(sample, table.dayfirst_hint)
        divisor = 100 if minor else 1
        exprs.append(amount_expr(acol, style, schema[acol], divisor).alias("amount"))
        text = pl.col(acol).cast(pl.String).str.strip_chars()
        exprs.append((text.is_null() | (text == "")).alias("amount__blank"))
        amount_rule = ("minor units (cents) / 100" if minor else "major units") + (
            "" if schema[acol].is_numeric() else
            f", decimal {'comma' if style == 'comma' else 'point'}")
        if minor and not amount_unit:
            notices.append(f"{table.name}: '{acol}' read as minor units (cents), as the Stripe "
                           "API writes them (pass --amount-unit major if not)")
        if "refunded_amount" in cols:
            rcol = cols["refunded_amount"]
            refunded = amount_expr(rcol, style, schema[rcol], divisor)
            exprs.append(refunded.alias("refunded"))

    status = pl.col(cols["order_status"]) if "order_status" in cols else None
    cancelled = pl.col(cols["cancelled_at"]) if "cancelled_at" in cols else None
    exprs.append(state_expr(status, cancelled).alias("state"))
    returned = pl.lit(False)
    if status is not None:
        returned = returned | status_key(status).is_in(RETURNED).fill_null(False)
        _unknown_statuses(table, cols["order_status"], notices)
    if "returned" in cols:
        flag = pl.col(cols["returned"]).cast(pl.String).str.strip_chars().str.to_lowercase()
        returned = returned | flag.is_in(TRUE).fill_null(False)
    if refunded is not None:
        returned = returned | (refunded > 0).fill_null(False)
    exprs.append(returned.alias("returned"))
    for role in TEXT_ROLES:
        if role in cols:
            exprs.append(pl.col(cols[role]).cast(pl.String).str.strip_chars().alias(role))
    names = {e.meta.output_name() for e in exprs}
    exprs.extend(pl.col(b) for b in by if b not in names)
    return OrderLoad(source.lf.select(exprs), table, cols, notices, by, amount_rule)


def _unknown_statuses(table: Table, column: str, notices: list[str]) -> None:
    """Name status values cxkit does not know (they count as completed orders)."""
    sample = sample_column(table, column, 2000)
    keys = status_key(pl.col(column))
    known = [v for vs in _STATUS.values() for v in vs] + COMPLETED
    odd = (pl.DataFrame({column: sample}).select(keys.alias("k"), pl.col(column).alias("raw"))
           .filter(~pl.col("k").is_in(known) & (pl.col("k") != "")).unique("k", keep="first")
           .sort("k")["raw"].head(5).to_list())
    if odd:
        notices.append(f"{table.name}: status values counted as completed orders: "
                       + ", ".join(repr(v) for v in odd)
                       + " (cxkit knows paid/completed, cancelled, abandoned, pending, failed)")
