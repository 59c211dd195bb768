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

from cxkit.io import (
    DATE_SAMPLE,
    LoadOptions,
    column_format,
    find_column,
    require_roles,
    sample_columns,
)
from cxkit.io.dates import DateFormat, in_range, parse_expr
from cxkit.io.overlap import without_repeats
from cxkit.io.presets import Preset, open_export
from cxkit.io.read import Table
from cxkit.io.roles import ORDER_ROLES
from cxkit.io.tickets import timestamp_expr
from cxkit.io.vocabulary import distinct, matching, one_of

STATES = ("completed", "cancelled", "abandoned", "pending", "failed")
# `state` as an Enum of STATES: each KPI compares it to a state name several times per row, as
# one-byte codes instead of text
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
BLANK_IS_NONE = ("customer_id", "referred_by")

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


STATUS_KEY = "__status_key"


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


def state_expr(status: pl.Expr | None, cancelled_at: pl.Expr | None,
               folded: bool = False, vocabulary: list[str] | None = None) -> pl.Expr:
    """completed, cancelled, abandoned, pending or failed; no status means completed.
    `folded`: the status is already `status_key`'s fold. `vocabulary`: every distinct raw
    status of the export (`cxkit.io.vocabulary`): they are folded, not the rows, which are
    then matched on their raw value."""
    def lit(name: str) -> pl.Expr:
        return pl.lit(name, dtype=pl.Enum(STATES))

    state = lit("completed")
    if status is not None:
        # a chain of is_in: replace_strict (one lookup) kept every row in memory (10M orders:
        # +800 MB) and took twice the time
        words = _STATUS if vocabulary is None else {
            name: matching(vocabulary, status_key, these) for name, these in _STATUS.items()}
        key = status if folded or vocabulary is not None else status_key(status)
        chain = None
        for name, these in words.items():
            if these:
                then = (pl if chain is None else chain).when(one_of(key, these))
                chain = then.then(lit(name))
        state = state if chain is None else chain.otherwise(state)
    if cancelled_at is not None:  # Shopify: `Cancelled at` filled beats the financial status
        text = cancelled_at.cast(pl.String).str.strip_chars()
        state = pl.when(text.is_not_null() & (text != "")).then(lit("cancelled")) \
            .otherwise(state)
    return state


def decimal_style(sample: pl.Series, comma_hint: bool) -> str:
    """`comma` (1 299,00 / 1.299,00) or `point` (1,299.00), voted by the sampled values.

    The last separator followed by 1-2 digits (or with the other separator before it) decides
    a value; `1,299` and `1.299` decide nothing, and the file's style (`;`, decimal comma in
    other columns, cp1252) breaks a tie. An exponent (`1.5E+03`) is not looked at.
    """
    text = sample.cast(pl.String).str.strip_chars().str.replace(r"[eE][-+]?\d+$", "")
    text = text.str.replace_all(r"[^\d,.]", "")
    comma = (text.str.contains(r",\d{1,2}$") | text.str.contains(r"\.\d{3},\d*$")).sum()
    point = (text.str.contains(r"\.\d{1,2}$") | text.str.contains(r",\d{3}\.\d*$")).sum()
    if comma != point:
        return "comma" if comma > point else "point"
    return "comma" if comma_hint else "point"


# Amounts (AMOUNT_RULES): what is not one of these is not an amount: null, counted invalid_amount.
AMOUNT_RULES = ("currency signs and codes before or after the number, spaces (also no-break) "
                "and apostrophes between digits; thousands separators only in groups of three; "
                "a minus before or after the number (also the minus sign U+2212 and an en "
                "dash), or parentheses, for a negative; an exponent (1.5E+03); "
                "not an amount: 3/4, 12%, 1.2.3, NaN, infinity, |amount| >= 1e12")
MAX_AMOUNT = 1e12  # no order is worth a trillion: 1e308 is an export bug (and overflows sums)
_MINUS = "\u2212\u2012\u2013\ufe63\uff0d"  # minus sign, figure/en dash, small/wide minus
# spaces (also no-break, narrow no-break, thin, tab) and apostrophes (Swiss 1'299.00)
_BLANKS = " \u00a0\u202f\u2009\u2007\t'\u2019"
# before or after the number: currency signs, ISO codes and local abbreviations (kr., zł, R$)
_CURRENCY = ("$€£¥₹₽₩₺₪₫฿₴₦₱¢₡₲₵₸₼₾₿" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
             + "złКкрбуРлвč")
CURRENCY_CHARS = 5  # at most this many of them on each side together (`US$`, `EUR`, `kr.`)


def _number_body(style: str) -> tuple[str, str]:
    """(regex a well-formed number part matches, its thousands separator) in `style`."""
    group = "." if style == "comma" else ","
    g, d = (r"\.", ",") if style == "comma" else (",", r"\.")
    return rf"^(?:\d{{1,3}}(?:{g}\d{{3}})+|\d+)?(?:{d}\d*)?$", group


def amount_expr(column: str, style: str, dtype: pl.DataType, divisor: int = 1) -> pl.Expr:
    """Money as Float64 (AMOUNT_RULES); what is not an amount becomes null, never a number
    made of its digits (`2e3` is 2000, not 23; `3/4` is null, not 34)."""
    if dtype.is_numeric():
        value = pl.col(column).cast(pl.Float64) / divisor
        return pl.when(value.is_finite() & (value.abs() < MAX_AMOUNT)).then(value)
    # batch by batch: plain numbers are cast at once, only the others go through the rules
    return pl.col(column).cast(pl.String).map_batches(
        lambda s: parse_amounts(s, style, divisor), return_dtype=pl.Float64,
        is_elementwise=True)


def parse_amounts(values: pl.Series, style: str, divisor: int = 1) -> pl.Series:
    """`amount_expr` on a Series of text."""
    text = values.str.strip_chars()
    dec = r"," if style == "comma" else r"\."
    plain = text.str.contains(rf"^-?\d+(?:{dec}\d+)?$").fill_null(False)
    fast = text.str.replace(",", ".", literal=True) if style == "comma" else text
    out = fast.cast(pl.Float64, strict=False).zip_with(plain, pl.Series([None], dtype=pl.Float64))
    rest = ~plain & text.is_not_null() & (text != "")
    if rest.any():
        idx = rest.arg_true()
        out = out.scatter(idx, _by_the_rules(text.gather(idx), style))
    out = out / divisor
    return out.zip_with(out.is_finite().fill_null(False) & (out.abs() < MAX_AMOUNT),
                        pl.Series([None], dtype=pl.Float64))


def _by_the_rules(text: pl.Series, style: str) -> pl.Series:
    """The values that are not plain numbers, read by AMOUNT_RULES (null: not an amount).

    String functions, not one big regex: a Unicode regex per row is ten times slower."""
    df = pl.DataFrame({"t": text})
    t = pl.col("t")
    df = df.with_columns((t.str.starts_with("(") & t.str.ends_with(")")).alias("paren"))
    if df["paren"].any():
        df = df.with_columns(pl.when("paren").then(t.str.slice(1, t.str.len_chars() - 2))
                             .otherwise(t).alias("t"))
    clean = t  # only the characters this batch holds: one pass each is the cost
    for chars, by in ((_MINUS, "-"), (_BLANKS, "")):
        for ch in chars:
            if df["t"].str.contains(ch, literal=True).any():
                clean = clean.str.replace_all(ch, by, literal=True)
    df = df.with_columns(clean)
    signs = [pl.col("paren").cast(pl.Int8)]
    minus = [pl.col("paren").cast(pl.Int8)]
    removed = []
    # sign, currency, sign, number, sign, currency, sign: each sign part may be there or not
    for i, at_end in enumerate((False, None, False, True, None, True)):
        if at_end is None:  # a currency sign or code: at most CURRENCY_CHARS characters
            before = t.str.len_chars()
            if i > 2:  # `12.50 Fr.`: a dot ends an abbreviation (and `12.` is 12 anyway)
                cut = t.str.strip_chars_end(_CURRENCY + ".")
            else:  # `kr. 12`: a dot right after a code is the code's, not a decimal point
                cut = t.str.strip_chars_start(_CURRENCY)
                cut = pl.when((cut.str.len_chars() <= before - 2) & cut.str.starts_with(".")) \
                    .then(cut.str.slice(1)).otherwise(cut)
            df = df.with_columns((before - cut.str.len_chars()).alias(f"r{i}"), cut.alias("t"))
            removed.append(pl.col(f"r{i}"))
            continue
        one = t.str.slice(-1) if at_end else t.str.slice(0, 1)
        rest = t.str.slice(0, t.str.len_chars() - 1) if at_end else t.str.slice(1)
        sign = (one == "-") | (one == "+") if not at_end else one == "-"
        df = df.with_columns(sign.fill_null(False).alias(f"s{i}"), (one == "-").fill_null(False)
                             .alias(f"m{i}"))
        df = df.with_columns(pl.when(f"s{i}").then(rest).otherwise(t).alias("t"))
        signs.append(pl.col(f"s{i}").cast(pl.Int8))
        minus.append(pl.col(f"m{i}").cast(pl.Int8))
    parts = t.str.extract_groups(r"^(\d[\d,.]*|[.,]\d+)([eE][-+]?\d{1,3})?$")
    df = df.with_columns(parts.struct.field("1").alias("body"), parts.struct.field("2")
                         .alias("exp"), pl.sum_horizontal(signs).alias("signs"),
                         pl.sum_horizontal(minus).alias("minus"),
                         pl.sum_horizontal(removed).alias("removed"))
    shape, group = _number_body(style)
    body = pl.col("body")
    number = body.str.replace_all(group, "", literal=True)
    if style == "comma":
        number = number.str.replace(",", ".", literal=True)
    v = (number + pl.col("exp").fill_null("")).cast(pl.Float64, strict=False)
    ok = body.str.contains(shape) & (pl.col("signs") <= 1) \
        & (pl.col("removed") <= CURRENCY_CHARS)
    return df.select(pl.when(ok).then(pl.when(pl.col("minus") == 1).then(-v).otherwise(v))
                     .alias("v"))["v"]


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
    # the samples of the date, the amount and the status, in one read of the head
    wanted = {date_col: DATE_SAMPLE}
    wanted |= {cols[r]: n for r, n in (("amount", 500), ("order_status", 2000)) if r in cols}
    samples = sample_columns(table, wanted)
    fmt: DateFormat = column_format(table, date_col, opts.dayfirst, notices,
                                    samples.get(date_col))
    if day_only and fmt.prefix and not timezone:  # only the day: parse `YYYY-MM-DD`, not times
        stamp = in_range(pl.col(date_col).str.slice(0, fmt.prefix).str.strptime(
            pl.Date, fmt.date_part, strict=False), pl.Date)
    else:
        stamp = timestamp_expr(date_col, fmt, timezone) if timezone else parse_expr(date_col,
                                                                                     fmt)
        stamp = stamp.dt.date() if day_only else stamp
    exprs.append(stamp.alias("ordered_at"))
    exprs.append(_blank(date_col, schema[date_col]).alias("ordered_at__blank"))

    amount_rule, refunded = "no amount column", None
    if "amount" in cols:
        acol = cols["amount"]
        sample = samples[acol]
        minor = _minor_units(preset, acol, sample, amount_unit)
        style = decimal_style(sample, table.dayfirst_hint)
        divisor = 100 if minor else 1
        exprs.append(amount_expr(acol, style, schema[acol], divisor).alias("amount"))
        exprs.append(_blank(acol, schema[acol]).alias("amount__blank"))
        amount_rule = ("minor units (cents) / 100" if minor else "major units") + (
            "" if schema[acol].is_numeric() else
            f", decimal {'comma' if style == 'comma' else 'point'}")
        _unreadable_amounts(table, acol, sample, style, schema[acol], notices)
        if minor and not amount_unit:
            notices.append(f"{table.name}: '{acol}' read as minor units (cents), as the Stripe "
                           "API writes them (pass --amount-unit major if not)")
        if "refunded_amount" in cols:
            rcol = cols["refunded_amount"]
            refunded = amount_expr(rcol, style, schema[rcol], divisor)
            exprs.append(refunded.alias("refunded"))

    # the status folded once per row (`status_key` is five string passes), read twice below;
    # or only its distinct values folded, when they are cheap to read
    lf, status, returned_words, vocabulary = source.lf, None, RETURNED, None
    if "order_status" in cols:
        vocabulary = distinct(table, [cols["order_status"]]).get(cols["order_status"])
        if vocabulary is None:
            lf = lf.with_columns(status_key(pl.col(cols["order_status"])).alias(STATUS_KEY))
            status = pl.col(STATUS_KEY)
        else:
            status = pl.col(cols["order_status"]).cast(pl.String)
            returned_words = matching(vocabulary, status_key, RETURNED)
    cancelled = pl.col(cols["cancelled_at"]) if "cancelled_at" in cols else None
    exprs.append(state_expr(status, cancelled, folded=True, vocabulary=vocabulary)
                 .alias("state"))
    returned = pl.lit(False)
    if status is not None:
        returned = returned | one_of(status, returned_words).fill_null(False)
        _unknown_statuses(table, cols["order_status"], samples[cols["order_status"]], notices)
    if "returned" in cols:
        flag = pl.col(cols["returned"]).cast(pl.String).str.strip_chars().str.to_lowercase()
        returned = returned | flag.is_in(TRUE).fill_null(False)
    if refunded is not None:
        returned = returned | (refunded > 0).fill_null(False)
    exprs.append(returned.alias("returned"))
    for role in TEXT_ROLES:
        if role in cols:
            text = pl.col(cols[role]).cast(pl.String).str.strip_chars()
            if role in BLANK_IS_NONE:  # spaces only: no customer, as an empty cell
                text = pl.when(text != "").then(text)
            exprs.append(text.alias(role))
    names = {e.meta.output_name() for e in exprs}
    exprs.extend(pl.col(b) for b in by if b not in names)
    return OrderLoad(lf.select(exprs), table, cols, notices, by, amount_rule)


def _unreadable_amounts(table: Table, column: str, sample: pl.Series, style: str,
                        dtype: pl.DataType, notices: list[str]) -> None:
    """Name sampled values that are not amounts (`3/4`, `12%`, NaN): dropped as invalid_amount."""
    if sample.is_empty():
        return
    frame = pl.DataFrame({column: sample})
    read = frame.select(amount_expr(column, style, dtype).alias("v"))["v"]
    text = sample.cast(pl.String).str.strip_chars()
    bad = sample.filter(read.is_null() & text.is_not_null() & (text != ""))
    if bad.len():
        examples = ", ".join(repr(v) for v in bad.cast(pl.String).unique(maintain_order=True)
                             .head(3).to_list())
        notices.append(f"{table.name}: '{column}': {bad.len():,} of {sample.len():,} sampled "
                       f"values are not amounts (e.g. {examples}); such orders are counted "
                       "as invalid_amount, not in revenue")


def _blank(col: str, dtype: pl.DataType) -> pl.Expr:
    """The cell is empty: null, or only spaces in a text column (a typed column has no text
    to strip: `is_null` alone, not a cast of every row to text)."""
    if dtype.is_temporal() or dtype.is_numeric() or dtype == pl.Boolean:
        return pl.col(col).is_null()
    text = pl.col(col).cast(pl.String).str.strip_chars()
    return text.is_null() | (text == "")


def _unknown_statuses(table: Table, column: str, sample: pl.Series, notices: list[str]
                      ) -> None:
    """Name status values cxkit does not know (they count as completed orders), from the
    column's sample."""
    keys = status_key(pl.col(column))
    known = [v for vs in _STATUS.values() for v in vs] + COMPLETED
    odd = (pl.DataFrame({column: sample}).select(keys.alias("k"), pl.col(column).alias("raw"))
           .filter(~pl.col("k").is_in(known) & (pl.col("k") != "")).unique("k", keep="first")
           .sort("k")["raw"].head(5).to_list())
    if odd:
        notices.append(f"{table.name}: status values counted as completed orders: "
                       + ", ".join(repr(v) for v in odd)
                       + " (cxkit knows paid/completed, cancelled, abandoned, pending, failed)")
