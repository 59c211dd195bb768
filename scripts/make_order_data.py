"""Generate the sample order exports in sample_data/.

    python3 scripts/make_order_data.py

Deterministic (one seeded ``random.Random`` per file, fixed calendar), stdlib only. Customers
come from the ``C00001``..``C01400`` pool of make_sample_data.py and make_ticket_data.py, so
orders, tickets and survey answers join on customer id; the Shopify, Stripe and WooCommerce
files identify customers by e-mail instead (``c00042@example.com``), and reuse the customer
names of make_ticket_data.py.
Writes (UTF-8, ``,``, LF unless said otherwise):
  sample_data/orders.csv              generic orders export, ~9,000 orders 2024-01-01..2025-12-31,
                                      with acquisition channel and referrer per customer
  sample_data/orders_shopify.csv      Shopify orders export, ~400 orders 2025, one row per line
                                      item, order-level fields only on an order's first row,
                                      dates ``YYYY-MM-DD HH:MM:SS +0100`` (Europe/Paris, DST)
  sample_data/orders_fr.csv           French Excel export, ~1,500 orders 2025: cp1252, ``;``,
                                      CRLF, ``dd/mm/yyyy HH:MM``, amounts ``1 299,00`` (decimal
                                      comma, U+00A0 no-break space between thousands)
  sample_data/orders_stripe.csv       Stripe Dashboard payments export, ~600 charges 2025, amounts
                                      in major units, UTC dates, newest first (as Stripe sorts)
  sample_data/orders_woocommerce.csv  WooCommerce legacy one-row-per-order export, ~300 orders
                                      2025, dates ``5/31/2025 0:37``
Deliberate quirks: abandoned checkouts kept as rows (often followed by the completed order),
a few customers whose only rows are abandoned or cancelled, a Shopify product name with a comma
and an order note with a line break, failed Stripe charges retried minutes later, partial Stripe
refunds left with Status ``Paid``, a few WooCommerce statuses with the database ``wc-`` prefix.
"""

from __future__ import annotations

import calendar
import csv
import math
import random
import string
from datetime import date, datetime, time, timedelta
from pathlib import Path

from make_ticket_data import make_people  # same names per customer id as in the ticket files

OUT_DIR = Path(__file__).resolve().parent.parent / "sample_data"
FMT = "%Y-%m-%d %H:%M:%S"
N_CUSTOMERS = 1400
START, END = date(2024, 1, 1), date(2025, 12, 31)
YEAR = 2025  # the platform exports cover this year only
N_SHOPIFY, N_FR, N_STRIPE, N_WOO = 400, 1500, 600, 300

# Relative volume per month: summer dip, November/December peak (as in make_ticket_data.py).
MONTH_WEIGHTS = [1.00, 0.90, 0.98, 0.95, 1.00, 0.92, 0.85, 0.82, 1.00, 1.08, 1.40, 1.55]
# Local hours of online orders: lunch break and evening peaks, few at night.
WEB_HOURS = {0: 2, 1: 1, 2: 0.5, 3: 0.3, 4: 0.3, 5: 0.5, 6: 1, 7: 2.5, 8: 3.5, 9: 4, 10: 4.5,
             11: 5, 12: 6, 13: 6, 14: 5, 15: 4.5, 16: 4.5, 17: 5, 18: 6, 19: 7, 20: 8, 21: 8,
             22: 6, 23: 3.5}

# --- orders.csv --------------------------------------------------------------------------
ORDER_HEADER = ["order_id", "customer_id", "ordered_at", "amount", "status", "refunded_amount",
                "channel", "acquisition_channel", "referred_by"]
ORDER_STATUS = {"paid": 88, "refunded": 3, "partially_refunded": 2, "cancelled": 4,
                "abandoned": 3}
ORDER_CHANNEL = {"web": 50, "app": 35, "store": 15}
ACQUISITION = {"organic": 40, "ads": 30, "email": 15, "referral": 15}
# Chance that a customer comes back at all, by acquisition channel (referrals stay best).
RETURN_P = {"organic": 0.44, "ads": 0.33, "email": 0.50, "referral": 0.60}
REPEAT_RATE = 24  # median repeat chances per year of a returning customer (December rate)
REPEAT_STOP = 0.028  # chance to lapse for good after each repeat order
ABANDON_COMPLETED = 0.40  # abandoned checkouts completed by a paid order within 36 h

# --- platform exports --------------------------------------------------------------------
# sku, name, unit price excl. VAT (cents), vendor, compare-at price (cents) or 0
CATALOG = [
    ("TS-BIO-M", "T-shirt coton bio - M", 2490, "Atelier Nord", 2990),
    ("TS-BIO-L", "T-shirt coton bio - L", 2490, "Atelier Nord", 0),
    ("SW-CAP-L", "Sweat à capuche - L", 5990, "Atelier Nord", 6990),
    ("JN-SLIM-32", "Jean slim brut - 32", 7990, "Denim & Co", 0),
    ("CH-LAINE", "Chaussettes laine mérinos (lot de 3)", 1890, "Maison Laine", 0),
    ("BN-LAINE", "Bonnet laine mérinos", 2290, "Maison Laine", 0),
    ("EC-SOIE", "Écharpe en soie", 4490, "Maison Laine", 5490),
    ("SAC-CUIR", "Sac cabas cuir", 12900, "Cuirs de Lyon", 0),
    ("PF-CUIR", "Portefeuille cuir", 4590, "Cuirs de Lyon", 0),
    ("CEINT-95", "Ceinture cuir - 95 cm", 3490, "Cuirs de Lyon", 0),
    ("GOURDE-75", "Gourde inox 750 ml", 1990, "Éco Maison", 0),
    ("TASSE-GRS", "Tasse grès émaillé", 1490, "Éco Maison", 0),
    ("BOUG-FIG", "Bougie parfumée figue", 2190, "Éco Maison", 0),
    ("COF-LTD", "Coffret cadeau, édition limitée", 8900, "Éco Maison", 9900),
    ("CARTE-50", "Carte cadeau 50 €", 5000, "Boutique", 0),
    ("PARAP-NR", "Parapluie pliant noir", 2790, "Denim & Co", 0),
]
APPAREL = ("TS-", "SW-", "JN-", "CEINT")
VAT = 0.20

SHOPIFY_HEADER = (
    "Name|Email|Financial Status|Paid at|Fulfillment Status|Fulfilled at|Accepts Marketing"
    "|Currency|Subtotal|Shipping|Taxes|Total|Discount Code|Discount Amount|Shipping Method"
    "|Created at|Lineitem quantity|Lineitem name|Lineitem price|Lineitem compare at price"
    "|Lineitem sku|Lineitem requires shipping|Lineitem taxable|Lineitem fulfillment status"
    "|Billing Name|Billing Street|Billing Address1|Billing Address2|Billing Company|Billing City"
    "|Billing Zip|Billing Province|Billing Country|Billing Phone|Shipping Name|Shipping Street"
    "|Shipping Address1|Shipping Address2|Shipping Company|Shipping City|Shipping Zip"
    "|Shipping Province|Shipping Country|Shipping Phone|Notes|Note Attributes|Cancelled at"
    "|Payment Method|Payment Reference|Refunded Amount|Vendor|Outstanding Balance|Employee"
    "|Location|Device ID|Id|Tags|Risk Level|Source|Lineitem discount|Tax 1 Name|Tax 1 Value"
    "|Tax 2 Name|Tax 2 Value|Tax 3 Name|Tax 3 Value|Tax 4 Name|Tax 4 Value|Tax 5 Name|Tax 5 Value"
).split("|")
# Columns also filled on the continuation rows of a multi-item order.
SHOPIFY_LINE_COLS = ("Name", "Email", "Lineitem quantity", "Lineitem name", "Lineitem price",
                     "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
                     "Lineitem taxable", "Lineitem fulfillment status", "Vendor",
                     "Lineitem discount")
SHOPIFY_FINANCIAL = {"paid": 82, "refunded": 5, "partially_refunded": 5, "pending": 3,
                     "voided": 3, "authorized": 1}
SHOPIFY_SOURCE = {"web": 80, "pos": 9, "iphone": 6, "shopify_draft_order": 5}
# code -> percentage off the subtotal, or a fixed amount in cents when > 1
DISCOUNTS = {"WELCOME10": 0.10, "FIDELITE15": 0.15, "MERCI5": 500}
BLACK_FRIDAY = ("BLACKFRIDAY20", 0.20, date(YEAR, 11, 24), date(YEAR, 12, 1))
# method -> (share of orders, price excl. VAT in cents)
SHIPPING = {"Colissimo Domicile": (60, 490), "Mondial Relay Point Relais": (30, 390),
            "Chronopost 24h": (10, 990)}
FREE_SHIPPING_FROM = 6000  # cents, after discount
POS_STAFF = ["Julie Moreau", "Mehdi Haddad"]
NOTES = ["Merci de laisser le colis chez le voisin", "Emballage cadeau svp",
         "Digicode 4521B\nInterphone au nom de Martin", "Livrer après 18h"]
ADDRESSES = [tuple(a.split("|")) for a in (  # street, zip, city, country
    "rue Oberkampf|75011|Paris|FR", "place Bellecour|69002|Lyon|FR",
    "cours Julien|13006|Marseille|FR", "rue Sainte-Catherine|33000|Bordeaux|FR",
    "rue des Carmes|31000|Toulouse|FR", "quai de la Fosse|44000|Nantes|FR",
    "rue Nationale|59000|Lille|FR", "rue du Vieux-Marché|01000|Bourg-en-Bresse|FR",
    "avenue Jean Médecin|06000|Nice|FR", "rue Neuve|1000|Bruxelles|BE",
    "rue du Rhône|1204|Genève|CH", "Grand-Rue|1660|Luxembourg|LU")]

FR_HEADER = ["N° commande", "Client", "Date de commande", "Montant TTC", "Statut", "Canal"]
FR_STATUS = {"Payée": 88, "Remboursée": 5, "Annulée": 4, "En attente": 3}
FR_CHANNEL = {"Site web": 55, "Application": 30, "Magasin": 15}
FR_LARGE_SHARE = 0.015  # professional orders of 1 000 € and more
NBSP = "\u00a0"

STRIPE_HEADER = ["id", "Created date (UTC)", "Amount", "Amount Refunded", "Currency", "Captured",
                 "Converted Amount", "Converted Amount Refunded", "Converted Currency",
                 "Decline Reason", "Description", "Fee", "Mode", "Status", "Customer ID",
                 "Customer Email"]
STRIPE_OUTCOME = {"paid": 86, "refunded": 5, "partial": 2, "failed": 7}
DECLINES = {"insufficient_funds": 35, "generic_decline": 30, "expired_card": 10,
            "incorrect_cvc": 10, "do_not_honor": 8, "authentication_required": 7}
STRIPE_RETRY = 0.6  # failed charges followed by a successful one a few minutes later
ALNUM = string.ascii_letters + string.digits

WOO_HEADER = (
    "order_id,order_number_formatted,order_number,date,status,order_shipping,order_shipping_tax,"
    "order_fees,order_fee_tax,order_tax,cart_discount,order_discount,order_total,payment_method,"
    "shipping_method,customer_user,billing_first_name,billing_last_name,billing_email,"
    "billing_phone,billing_address_1,billing_address_2,billing_postcode,billing_city,"
    "billing_state,billing_country,billing_company,shipping_first_name,shipping_last_name,"
    "shipping_address_1,shipping_address_2,shipping_postcode,shipping_city,shipping_state,"
    "shipping_country,shipping_company,customer_note,order_item_1,order_item_2,"
    "download_permissions_granted,order_notes,shipping_method_1,shipping_cost_1"
).split(",")
WOO_STATUS = {"completed": 70, "processing": 7, "refunded": 5, "cancelled": 5, "on-hold": 4,
              "failed": 5, "wc-completed": 2}
WOO_PAYMENT = {"stripe": 60, "paypal": 30, "bacs": 10}
WOO_SHIPPING = {"flat_rate": ("Flat rate", 490), "free_shipping": ("Free shipping", 0),
                "local_pickup": ("Local pickup", 0)}


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def cust_id(n: int) -> str:
    return f"C{n:05d}"


def email_of(cust: str) -> str:
    return f"{cust.lower()}@example.com"


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def draw_day(rng: random.Random, first: date, last: date) -> date:
    """A day in [first, last] following MONTH_WEIGHTS."""
    months = [(y, m) for y in range(first.year, last.year + 1) for m in range(1, 13)
              if first.replace(day=1) <= date(y, m, 1) <= last]
    y, m = rng.choices(months, weights=[MONTH_WEIGHTS[m - 1] for _, m in months])[0]
    while True:
        day = date(y, m, rng.randint(1, calendar.monthrange(y, m)[1]))
        if first <= day <= last:
            return day


def local_stamp(rng: random.Random, day: date, store: bool = False) -> datetime:
    """Wall-clock time of an order on ``day``: shop hours in store, else WEB_HOURS."""
    hour = rng.randint(9, 18) if store else weighted(rng, WEB_HOURS)
    return datetime.combine(day, time(hour)) + timedelta(seconds=rng.randrange(3600))


def last_sunday(year: int, month: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() + 1) % 7)


def paris_offset(utc: datetime) -> int:
    """Europe/Paris UTC offset in hours: summer time from the last Sunday of March 01:00 UTC
    to the last Sunday of October 01:00 UTC."""
    begin = datetime.combine(last_sunday(utc.year, 3), time(1))
    end = datetime.combine(last_sunday(utc.year, 10), time(1))
    return 2 if begin <= utc < end else 1


def paris_to_utc(local: datetime) -> datetime:
    """A Paris wall-clock time as UTC (a time skipped by the spring change moves 1 h back)."""
    return local - timedelta(hours=paris_offset(local - timedelta(hours=1)))


def shopify_time(utc: datetime | None) -> str:
    if utc is None:
        return ""
    off = paris_offset(utc)
    return f"{(utc + timedelta(hours=off)).strftime(FMT)} +0{off}00"


# --- orders.csv --------------------------------------------------------------------------

def customer_orders(rng: random.Random, cust: str, first: date) -> list[list]:
    """[timestamp, customer, amount (cents), status, refunded (cents), channel] rows of one
    customer: a first order, then (for returning customers) repeat orders at weeks-to-months
    gaps, damped in quiet months, until the customer lapses or the period ends."""
    acquisition = weighted(rng, ACQUISITION)
    preferred = weighted(rng, ORDER_CHANNEL)
    level = rng.lognormvariate(0, 0.35)  # some customers buy bigger baskets
    days = [first]
    if rng.random() < RETURN_P[acquisition]:
        per_year = rng.lognormvariate(math.log(REPEAT_RATE), 0.7)
        day = first
        while True:
            day += timedelta(days=max(3, round(rng.expovariate(per_year / 365))))
            if day > END:
                break
            if rng.random() > MONTH_WEIGHTS[day.month - 1] / max(MONTH_WEIGHTS):
                continue  # thinning: fewer repeat orders in quiet months
            days.append(day)
            if rng.random() < REPEAT_STOP:
                break
    rows = []
    for day in days:
        channel = preferred if rng.random() < 0.75 else weighted(rng, ORDER_CHANNEL)
        if channel == "store" and day.weekday() == 6:  # shops close on Sundays
            channel = "web"
        ts = local_stamp(rng, day, store=channel == "store")
        basket = rng.lognormvariate(4.0, 0.6) * level * (1.15 if day.month >= 11 else 1)
        amount = max(500, round(basket * 100))
        status = weighted(rng, ORDER_STATUS)
        if channel == "store" and status == "abandoned":  # no checkout to abandon in a shop
            status = "paid"
        refunded = amount if status == "refunded" else (
            round(amount * rng.uniform(0.1, 0.7)) if status == "partially_refunded" else None)
        rows.append([ts, cust, amount, status, refunded, channel])
        if status == "abandoned" and rng.random() < ABANDON_COMPLETED:
            later = ts + timedelta(minutes=rng.randint(10, 36 * 60))
            if later.date() <= END:
                rows.append([later, cust, amount, "paid", None, channel])
    return [[acquisition, *r] for r in rows]


def order_rows(rng: random.Random) -> list[dict]:
    orders = []
    for n in range(1, N_CUSTOMERS + 1):
        orders += customer_orders(rng, cust_id(n), draw_day(rng, START, END))
    orders.sort(key=lambda r: (r[1], r[2]))
    first_seen, first_paid, paid_count = {}, {}, {}
    for acq, ts, cust, _, status, _, _ in orders:
        first_seen.setdefault(cust, (ts, acq))
        if status in ("paid", "refunded", "partially_refunded"):
            first_paid.setdefault(cust, ts)
            paid_count[cust] = paid_count.get(cust, 0) + 1
    # A referral customer names a customer whose first paid order came earlier; loyal
    # customers refer more. Without any earlier customer the acquisition becomes organic.
    acquisition, referrer = {}, {}
    for cust, (ts, acq) in sorted(first_seen.items(), key=lambda kv: kv[1][0]):
        if acq == "referral":
            pool = [c for c, t in first_paid.items() if t < ts - timedelta(days=1)]
            if pool:
                referrer[cust] = rng.choices(pool, weights=[paid_count[c] for c in pool])[0]
            else:
                acq = "organic"
        acquisition[cust] = acq
    return [dict(zip(ORDER_HEADER, [
        f"O{i:06d}", cust, ts.strftime(FMT), money(amount), status,
        "" if refunded is None else money(refunded), channel, acquisition[cust],
        referrer.get(cust, "")], strict=True))
        for i, (_, ts, cust, amount, status, refunded, channel) in enumerate(orders, start=1)]


# --- shared by the platform exports ------------------------------------------------------

def customer_picker(rng: random.Random):
    """Draw customers with uneven appetite, so some come back several times in the year."""
    appetite = [rng.lognormvariate(0, 1.0) for _ in range(N_CUSTOMERS)]
    ids = [cust_id(n) for n in range(1, N_CUSTOMERS + 1)]
    return lambda: rng.choices(ids, weights=appetite)[0]


def year_stamps(rng: random.Random, n: int, channels: dict,
                store: str = "") -> list[tuple[datetime, str]]:
    """``n`` (Paris wall-clock time, channel) pairs over YEAR in time order; orders in the
    ``store`` channel fall in shop hours."""
    draws = []
    for _ in range(n):
        channel = weighted(rng, channels)
        day = draw_day(rng, date(YEAR, 1, 1), date(YEAR, 12, 31))
        draws.append((local_stamp(rng, day, store=channel == store), channel))
    return sorted(draws)


def basket(rng: random.Random, max_items: int) -> list[tuple[tuple, int]]:
    """(catalog entry, quantity) pairs: 1-4 distinct products, ~45% with 2 or more."""
    k = min(max_items, rng.choices([1, 2, 3, 4], weights=[52, 26, 14, 8])[0])
    return [(p, rng.choices([1, 2, 3], weights=[82, 14, 4])[0]) for p in rng.sample(CATALOG, k)]


def address(rng: random.Random) -> tuple[str, str, str, str, str]:
    street, zip_code, city, country = rng.choice(ADDRESSES)
    number = rng.randint(1, 120)
    street = f"{number} {street}"
    extra = rng.choice(["Bât. B", "Appt 12", "3e étage"]) if rng.random() < 0.15 else ""
    return street, extra, zip_code, city, country


def phone(rng: random.Random) -> str:
    return "+33 6 " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))


def split_cents(total: int, parts: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``parts``; the last part takes the rounding."""
    whole = sum(parts)
    shares = [total * p // whole for p in parts[:-1]]
    return [*shares, total - sum(shares)]


# --- orders_shopify.csv ------------------------------------------------------------------

def shopify_order(rng: random.Random, i: int, local: datetime, source: str, cust: str,
                  people: dict, marketing: dict) -> list[dict]:
    pos = source == "pos"
    created = paris_to_utc(local)
    items = basket(rng, 4)
    lines = [p[2] * q for p, q in items]
    subtotal = sum(lines)
    code, off = "", 0.0
    if BLACK_FRIDAY[2] <= local.date() <= BLACK_FRIDAY[3] and rng.random() < 0.6:
        code, off = BLACK_FRIDAY[:2]
    elif not pos and rng.random() < 0.18:
        code = rng.choice(list(DISCOUNTS))
        off = DISCOUNTS[code]
    discount = min(subtotal, round(subtotal * off) if off < 1 else int(off))
    line_discounts = split_cents(discount, lines)
    method = "" if pos else weighted(rng, {m: share for m, (share, _) in SHIPPING.items()})
    shipping = 0 if pos or subtotal - discount >= FREE_SHIPPING_FROM else SHIPPING[method][1]
    taxes = round((subtotal - discount + shipping) * VAT)
    total = subtotal + shipping + taxes - discount

    status = "paid" if pos else weighted(rng, SHOPIFY_FINANCIAL)
    cancelled = status == "voided" or (status == "refunded" and rng.random() < 0.35)
    paid = created + timedelta(seconds=rng.randint(2, 90)) if status in (
        "paid", "refunded", "partially_refunded") else None
    if cancelled:
        fulfil = "unfulfilled"
    elif status in ("pending", "authorized"):
        fulfil = "unfulfilled"
    elif pos:
        fulfil = "fulfilled"
    else:
        fulfil = weighted(rng, {"fulfilled": 94, "unfulfilled": 3, "partial": 3})
        fulfil = "fulfilled" if fulfil == "partial" and len(items) == 1 else fulfil
    fulfilled_at = None
    if fulfil in ("fulfilled", "partial") and pos:
        fulfilled_at = created + timedelta(minutes=rng.randint(1, 5))
    elif fulfil in ("fulfilled", "partial"):  # shipped by the warehouse, Mon-Sat 8:00-17:00
        day = local.date() + timedelta(days=rng.randint(1, 3))
        day += timedelta(days=day.weekday() == 6)
        fulfilled_at = paris_to_utc(datetime.combine(day, time(rng.randint(8, 16)))
                                    + timedelta(seconds=rng.randrange(3600)))
    cancelled_at = created + timedelta(hours=rng.uniform(0.2, 30)) if cancelled else None
    if status == "refunded":
        refunded = total
    elif status == "partially_refunded":
        refunded = (round((lines[-1] - line_discounts[-1]) * (1 + VAT)) if len(items) > 1
                    else round(total * rng.uniform(0.2, 0.6)))
    else:
        refunded = 0
    outstanding = total if status in ("pending", "authorized") else 0
    if pos:
        payment = "Cash" if rng.random() < 0.3 else "Shopify Payments"
    elif status == "pending":
        payment = "Bank Deposit"
    else:
        payment = weighted(rng, {"Shopify Payments": 78, "PayPal Express Checkout": 22})

    name, mail = f"#{1001 + i}", email_of(cust)
    full_name = people[cust][0]
    street, extra, zip_code, city, country = address(rng)
    tel = phone(rng) if rng.random() < 0.6 else ""
    ship_to = (full_name, street, extra, zip_code, city, country, tel)
    if rng.random() < 0.1:  # a gift sent to someone else
        other = people[cust_id(rng.randint(1, N_CUSTOMERS))][0]
        ship_to = (other, *address(rng), "")
    first = {
        "Financial Status": status, "Paid at": shopify_time(paid), "Fulfillment Status": fulfil,
        "Fulfilled at": shopify_time(fulfilled_at), "Accepts Marketing": marketing[cust],
        "Currency": "EUR", "Subtotal": money(subtotal), "Shipping": money(shipping),
        "Taxes": money(taxes), "Total": money(total), "Discount Code": code,
        "Discount Amount": money(discount), "Shipping Method": method,
        "Created at": shopify_time(created),
        "Billing Name": full_name, "Billing Street": f"{street}, {extra}" if extra else street,
        "Billing Address1": street, "Billing Address2": extra, "Billing Company": "",
        "Billing City": city, "Billing Zip": zip_code, "Billing Province": "",
        "Billing Country": country, "Billing Phone": tel,
        "Notes": rng.choice(NOTES) if not pos and rng.random() < 0.04 else "",
        "Note Attributes": "gift_wrap: yes" if rng.random() < 0.03 else "",
        "Cancelled at": shopify_time(cancelled_at), "Payment Method": payment,
        "Payment Reference": "" if pos else f"c{rng.randint(10**10, 10**11 - 1)}.1",
        "Refunded Amount": money(refunded), "Outstanding Balance": money(outstanding),
        "Employee": rng.choice(POS_STAFF) if pos else "",
        "Location": "Boutique Paris Marais" if pos else "",
        "Device ID": str(rng.randint(10**8, 10**9 - 1)) if pos else "",
        "Id": "", "Tags": weighted(rng, {"": 90, "VIP": 7, "wholesale": 3}),
        "Risk Level": "Low" if pos else weighted(rng, {"Low": 92, "Medium": 6, "High": 2}),
        "Source": source, "Tax 1 Name": "FR TVA 20%", "Tax 1 Value": money(taxes),
    }
    if not pos:
        first.update(dict(zip(("Shipping Name", "Shipping Street", "Shipping Address2",
                               "Shipping Zip", "Shipping City", "Shipping Country",
                               "Shipping Phone"), ship_to, strict=True)))
        first["Shipping Address1"] = first["Shipping Street"]
        if first["Shipping Address2"]:
            first["Shipping Street"] += f", {first['Shipping Address2']}"
        first.update({"Shipping Company": "", "Shipping Province": ""})
    rows = []
    for k, ((sku, title, price, vendor, compare), qty) in enumerate(items):
        line_state = "fulfilled" if fulfil == "fulfilled" or (fulfil == "partial" and k == 0) \
            else "pending"
        row = {"Name": name, "Email": mail, "Lineitem quantity": qty, "Lineitem name": title,
               "Lineitem price": money(price),
               "Lineitem compare at price": money(compare) if compare else "",
               "Lineitem sku": sku, "Lineitem requires shipping": str(not sku.startswith(
                   "CARTE")).lower(), "Lineitem taxable": "true",
               "Lineitem fulfillment status": line_state, "Vendor": vendor,
               "Lineitem discount": money(line_discounts[k])}
        rows.append({**first, **row} if k == 0 else row)
    return rows


def shopify_rows(rng: random.Random, people: dict) -> list[dict]:
    pick = customer_picker(rng)
    marketing = {cust_id(n): "yes" if rng.random() < 0.45 else "no"
                 for n in range(1, N_CUSTOMERS + 1)}
    rows, order_id = [], 5_870_000_000_000
    for i, (local, source) in enumerate(year_stamps(rng, N_SHOPIFY, SHOPIFY_SOURCE, "pos")):
        order_id += rng.randint(20_000_000, 90_000_000)
        order = shopify_order(rng, i, local, source, pick(), people, marketing)
        order[0]["Id"] = str(order_id)
        rows += order
    return [{col: row.get(col, "") for col in SHOPIFY_HEADER} for row in rows]


# --- orders_fr.csv -----------------------------------------------------------------------

def french_amount(cents: int) -> str:
    """``1 299,00``: decimal comma, no-break space between thousands."""
    return f"{cents // 100:,}".replace(",", NBSP) + f",{cents % 100:02d}"


def french_rows(rng: random.Random) -> list[dict]:
    pick = customer_picker(rng)
    rows = []
    for i, (local, channel) in enumerate(year_stamps(rng, N_FR, FR_CHANNEL, "Magasin"), start=1):
        if rng.random() < FR_LARGE_SHARE:
            cents = round(rng.uniform(1000, 3500)) * 100 + rng.choice([0, 0, 50, 90])
        else:
            cents = round(rng.lognormvariate(4.1, 0.7) * (1.15 if local.month >= 11 else 1) * 100)
        rows.append({"N° commande": f"CMD-{i:05d}", "Client": pick(),
                     "Date de commande": local.strftime("%d/%m/%Y %H:%M"),
                     "Montant TTC": french_amount(max(cents, 500)),
                     "Statut": weighted(rng, FR_STATUS), "Canal": channel})
    return rows


# --- orders_stripe.csv -------------------------------------------------------------------

def stripe_rows(rng: random.Random) -> list[dict]:
    pick = customer_picker(rng)
    stripe_ids: dict[str, str] = {}
    charges = []
    order_no = 30_000
    # Retried charges add rows: draw a few fewer payments than N_STRIPE.
    n_payments = round(N_STRIPE / (1 + STRIPE_OUTCOME["failed"] / 100 * STRIPE_RETRY))
    for local, _ in year_stamps(rng, n_payments, {"online": 1}):
        cust = pick()
        if cust not in stripe_ids:
            stripe_ids[cust] = "cus_" + "".join(rng.choices(ALNUM, k=14))
        order_no += rng.randint(1, 4)
        created = paris_to_utc(local)
        amount = max(500, round(rng.lognormvariate(4.1, 0.7) * 100))
        outcome = weighted(rng, STRIPE_OUTCOME)
        attempts = [outcome]
        if outcome == "failed" and rng.random() < STRIPE_RETRY:
            attempts.append("paid")
        for k, state in enumerate(attempts):
            refunded = amount if state == "refunded" else (
                round(amount * rng.uniform(0.15, 0.6)) if state == "partial" else 0)
            fee = 0 if state == "failed" else round(amount * 0.015) + 25
            charges.append({
                "id": "ch_" + "".join(rng.choices(ALNUM, k=24)),
                "created": created + timedelta(seconds=k * rng.randint(60, 600)),
                "Amount": money(amount), "Amount Refunded": money(refunded), "Currency": "eur",
                "Captured": "false" if state == "failed" else "true",
                "Converted Amount": money(amount), "Converted Amount Refunded": money(refunded),
                "Converted Currency": "eur",
                "Decline Reason": weighted(rng, DECLINES) if state == "failed" else "",
                "Description": f"Order #{order_no}", "Fee": money(fee), "Mode": "Live",
                "Status": {"failed": "Failed", "refunded": "Refunded"}.get(state, "Paid"),
                "Customer ID": stripe_ids[cust], "Customer Email": email_of(cust)})
    charges.sort(key=lambda c: c["created"], reverse=True)
    return [dict(c, **{"Created date (UTC)": c["created"].strftime(FMT)}) for c in charges]


# --- orders_woocommerce.csv --------------------------------------------------------------

def plain(cents: int) -> str:
    """WooCommerce item totals as stored: ``30``, ``29.9``, ``24.95``."""
    return f"{cents / 100:.2f}".rstrip("0").rstrip(".")


def woo_rows(rng: random.Random, people: dict) -> list[dict]:
    pick = customer_picker(rng)
    wp_users: dict[str, int] = {}
    product_ids = {p[0]: 4950 + 7 * k for k, p in enumerate(CATALOG)}
    rows, post_id = [], 48_213
    for i, (local, _) in enumerate(year_stamps(rng, N_WOO, {"online": 1})):
        post_id += rng.randint(1, 9)
        cust = pick()
        if cust not in wp_users and rng.random() < 0.75:  # the rest check out as guests
            wp_users[cust] = 100 + len(wp_users) * 3 + rng.randint(0, 2)
        status = weighted(rng, WOO_STATUS)
        items = basket(rng, 2)  # the legacy layout has two item columns
        lines = [p[2] * q for p, q in items]
        discount = round(sum(lines) * 0.10) if rng.random() < 0.15 else 0
        ship_key = "free_shipping" if sum(lines) - discount >= FREE_SHIPPING_FROM else weighted(
            rng, {"flat_rate": 85, "local_pickup": 15})
        ship_title, shipping = WOO_SHIPPING[ship_key]
        ship_tax = round(shipping * VAT)
        tax = round((sum(lines) - discount) * VAT)
        total = sum(lines) - discount + shipping + ship_tax + tax
        first, last = people[cust][0].split(" ", 1)
        street, extra, zip_code, city, country = address(rng)
        coded = []
        for (sku, _, _, _, _), qty in items:
            meta = (f"size: {rng.choice(['Small', 'Medium', 'Large'])}" if sku.startswith(APPAREL)
                    else f"color: {rng.choice(['Black', 'Blue', 'Natural'])}")
            line = next(p[2] for p in CATALOG if p[0] == sku) * qty
            coded.append(f"product_id:{product_ids[sku]}|{qty}|{plain(line)}|{meta}")
        payment = "bacs" if status == "on-hold" else weighted(rng, WOO_PAYMENT)
        note = {"failed": "Payment failed: card declined.",
                "on-hold": "Awaiting BACS payment Order status changed from Pending payment to "
                           "On hold.",
                "refunded": f"Refunded {money(total)} EUR - Order status changed from Completed "
                            "to Refunded."}.get(status, "")
        rows.append({
            "order_id": post_id, "order_number_formatted": f"#{1001 + i}",
            "order_number": 1001 + i,
            "date": f"{local.month}/{local.day}/{local.year} {local.hour}:{local.minute:02d}",
            "status": status, "order_shipping": money(shipping),
            "order_shipping_tax": money(ship_tax), "order_fees": "0.00", "order_fee_tax": "0.00",
            "order_tax": money(tax), "cart_discount": money(discount), "order_discount": "0.00",
            "order_total": money(total), "payment_method": payment, "shipping_method": ship_key,
            "customer_user": wp_users.get(cust, 0), "billing_first_name": first,
            "billing_last_name": last, "billing_email": email_of(cust),
            "billing_phone": phone(rng) if rng.random() < 0.7 else "",
            "billing_address_1": street, "billing_address_2": extra,
            "billing_postcode": zip_code, "billing_city": city, "billing_state": "",
            "billing_country": country, "billing_company": "",
            "shipping_first_name": first, "shipping_last_name": last,
            "shipping_address_1": street, "shipping_address_2": extra,
            "shipping_postcode": zip_code, "shipping_city": city, "shipping_state": "",
            "shipping_country": country, "shipping_company": "",
            "customer_note": "Merci !" if rng.random() < 0.03 else "",
            "order_item_1": coded[0], "order_item_2": coded[1] if len(coded) > 1 else "",
            "download_permissions_granted": int(status.endswith(("completed", "processing"))),
            "order_notes": note, "shipping_method_1": ship_title,
            "shipping_cost_1": money(shipping)})
    return rows


def write(path: Path, header: list[str], rows: list[dict], encoding: str = "utf-8",
          delimiter: str = ",", newline: str = "\n", what: str = "") -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator=newline)
        writer.writerow(header)
        writer.writerows([row[col] for col in header] for row in rows)
    print(f"wrote {len(rows)} rows{what} to {path}")


def main() -> None:
    people = make_people(random.Random(2025))  # as in make_ticket_data.py: same names per id
    OUT_DIR.mkdir(exist_ok=True)
    write(OUT_DIR / "orders.csv", ORDER_HEADER, order_rows(random.Random(2026)))
    shopify = shopify_rows(random.Random(2027), people)
    n_orders = sum(1 for r in shopify if r["Created at"])
    write(OUT_DIR / "orders_shopify.csv", SHOPIFY_HEADER, shopify,
          what=f" ({n_orders} orders, one row per line item)")
    write(OUT_DIR / "orders_fr.csv", FR_HEADER, french_rows(random.Random(2028)),
          encoding="cp1252", delimiter=";", newline="\r\n")
    write(OUT_DIR / "orders_stripe.csv", STRIPE_HEADER, stripe_rows(random.Random(2029)))
    write(OUT_DIR / "orders_woocommerce.csv", WOO_HEADER, woo_rows(random.Random(2030), people))


if __name__ == "__main__":
    main()
