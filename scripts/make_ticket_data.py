"""Generate the sample ticket exports in sample_data/.

    python3 scripts/make_ticket_data.py

Deterministic (seeded ``random.Random(2025)``, fixed 2025 calendar, exports "taken" on
2026-01-05 09:00), stdlib only. Customers come from the ``C00001``..``C01400`` pool of
make_sample_data.py, so tickets, orders and survey answers join on customer id (the orders
come from make_order_data.py).
Writes (UTF-8, ``,``, LF, dates ``YYYY-MM-DD HH:MM:SS`` in Europe/Paris wall-clock time):
  sample_data/tickets.csv            Zendesk Support CSV export, ~4,000 tickets
  sample_data/tickets_freshdesk.csv  Freshdesk ticket export, ~600 tickets
Deliberate quirks: a dozen Zendesk tickets solved before they were created, ~5% without a
first reply, Freshdesk ``(in hrs)`` durations left empty on some rows that have timestamps.
"""

from __future__ import annotations

import calendar
import csv
import math
import random
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "sample_data"
YEAR = 2025
EXPORT_AT = datetime(2026, 1, 5, 9, 0)
BACKLOG_FROM = datetime(YEAR, 12, 10)  # tickets created after this are often still open
N_CUSTOMERS, N_TICKETS, N_FRESH = 1400, 4000, 600
N_NEGATIVE = 12  # solved tickets whose "Solved at" precedes "Created at"
FMT = "%Y-%m-%d %H:%M:%S"

# Relative volume per month: summer dip, November/December peak.
MONTH_WEIGHTS = [1.00, 0.90, 0.98, 0.95, 1.00, 0.92, 0.85, 0.82, 1.00, 1.08, 1.40, 1.55]
SLOW_MONTH, SLOW_FACTOR = 8, 1.8  # August: short-staffed, replies take longer

CATEGORIES = {"delivery": 30, "billing": 20, "product": 25, "returns": 15, "account": 10}
COMPLAINT_CATEGORIES = {"delivery": 50, "billing": 30, "product": 10, "returns": 7, "account": 3}
COMPLAINT_SHARE = 0.08
CATEGORY_GROUP = {"delivery": "Logistics", "returns": "Logistics", "billing": "Billing",
                  "product": "Support", "account": "Support"}
GROUP_AGENTS = {"Support": ["Sarah Martin", "Kevin Dubois", "Pieter de Vries"],
                "Billing": ["Nadia Benali", "Laura García"],
                "Logistics": ["Tom Becker", "Mehdi Haddad", "Julie Moreau"]}
# Per category: tags (one goes on the ticket) and "|"-separated subjects (one is picked).
CATEGORY_TEXT = {
    "delivery": ("delivery_delay lost_parcel tracking",
                 "Where is my order?|Parcel not delivered|Colis non reçu|Delivery date changed"),
    "billing": ("double_charge refund_pending invoice",
                "Charged twice|Invoice request|Refund not received|Question sur ma facture"),
    "product": ("defective_item how_to missing_part",
                "Item arrived damaged|How do I use this?|Produit défectueux|Missing part"),
    "returns": ("return_label exchange refund_pending",
                "Return label request|Where is my return?|Retour d'un article|Wrong size"),
    "account": ("password_reset address_change loyalty",
                "Cannot log in|Change my address|Delete my account|Loyalty points missing"),
}

# Zendesk: median first-reply hours per channel (before staffed-hours shifting).
ZD_VIA = {"Mail": 38, "Web form": 30, "Chat": 14, "Phone": 10, "API": 8}
ZD_REPLY_MEDIAN_H = {"Mail": 3.5, "Web form": 2.5, "Chat": 0.1, "Phone": 0.05, "API": 2.0}
ZD_PRIORITY = {"Low": 20, "Normal": 55, "High": 20, "Urgent": 5}
ZD_PRIORITY_COMPLAINT = {"Low": 5, "Normal": 45, "High": 38, "Urgent": 12}
ZD_TYPES = {"Question": 50, "Incident": 28, "Problem": 8, "Task": 14}
ZD_OPEN_STATUSES = {"New": 25, "Open": 40, "Pending": 25, "On-hold": 10}
ZD_HEADER = (
    "Id|Requester|Requester id|Requester email|Assignee|Group|Subject|Tags|Status|Priority|Via"
    "|Ticket type|Created at|Updated at|Solved at|Resolution time|Satisfaction Score|Reopens"
    "|Replies|First reply time in minutes|First reply time in minutes within business hours"
    "|Full resolution time in minutes|Full resolution time in minutes within business hours"
    "|Ticket Category [list]"
).split("|")

FD_SOURCES = {"Email": 45, "Portal": 30, "Phone": 12, "Chat": 13}
FD_REPLY_MEDIAN_H = {"Email": 3.0, "Portal": 2.5, "Phone": 0.1, "Chat": 0.2}
FD_PRIORITY = {"Low": 25, "Medium": 50, "High": 20, "Urgent": 5}
FD_SLA_H = {"Low": (8, 72), "Medium": (4, 48), "High": (2, 24), "Urgent": (1, 8)}  # reply, fix
FD_SURVEY = {"Extremely satisfied": 35, "Satisfied": 30, "Neutral": 15, "Unsatisfied": 12,
             "Extremely unsatisfied": 8}
FD_EMPTY_DURATION_SHARE = 0.10
FD_HEADER = (
    "Ticket ID|Subject|Status|Priority|Source|Type|Agent|Group|Created time|Due by Time"
    "|Resolved time|Closed time|Last update time|Initial response time"
    "|First response time (in hrs)|Resolution time (in hrs)|Agent interactions"
    "|Customer interactions|Resolution status|First response status|Tags|Survey results"
    "|Full name|Email|Contact ID"
).split("|")

FIRST_NAMES = ("Camille Lucas Léa Hugo Chloé Louis Emma Jules Manon Thomas Sophie Jan Anna Lukas"
               " Mia Oliver Amelia Harry Isla Lucía Pablo Carmen Javier Lotte Daan Sanne").split()
LAST_NAMES = ("Martin|Bernard|Dubois|Lefèvre|Moreau|Müller|Schmidt|Schneider|Fischer|Smith|Jones"
              "|Taylor|Brown|García|López|Sánchez|Janssens|Peeters|de Jong|Bakker|Petit").split("|")


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_people(rng: random.Random) -> dict[str, tuple[str, str]]:
    """Customer id -> (full name, unique e-mail derived from the name)."""
    people, seen = {}, set()
    for n in range(1, N_CUSTOMERS + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore")
        local = ascii_name.decode().lower().replace(" ", "")
        while local in seen:
            local = f"{local.rstrip('0123456789')}{rng.randint(1, 99)}"
        seen.add(local)
        domain = rng.choice(["example.com", "example.fr", "example.de", "example.org"])
        people[f"C{n:05d}"] = (f"{first} {last}", f"{local}@{domain}")
    return people


def draw_day(rng: random.Random) -> date:
    """A 2025 day following MONTH_WEIGHTS; weekends are kept only 30% of the time."""
    month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
    while True:
        day = date(YEAR, month, rng.randint(1, calendar.monthrange(YEAR, month)[1]))
        if day.weekday() < 5 or rng.random() < 0.3:
            return day


def stamp_on(rng: random.Random, day: date) -> datetime:
    """Creation time on ``day``: weekdays mostly 08:00-19:00, some evenings and nights."""
    if day.weekday() >= 5:
        hour = rng.randint(8, 22)
    elif rng.random() < 0.88:
        hour = rng.choices(range(8, 19), weights=[5, 8, 9, 8, 6, 6, 7, 7, 6, 5, 4])[0]
    else:
        hour = rng.choice([19, 20, 21, 22, 23, 0, 1, 6, 7])
    return datetime.combine(day, time(hour)) + timedelta(seconds=rng.randrange(3600))


def staffed(rng: random.Random, ts: datetime) -> datetime:
    """Agents work Mon-Fri 08:00-20:00: move an agent action to the next opening."""
    if ts.weekday() < 5 and 8 <= ts.hour < 20:
        return ts
    day = ts.date() if ts.hour < 8 else ts.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8)) + timedelta(seconds=rng.randrange(60, 5400))


def lognorm_h(rng: random.Random, median_h: float, sigma: float) -> timedelta:
    return timedelta(hours=rng.lognormvariate(math.log(median_h), sigma))


def minutes(start: datetime, end: datetime) -> int:
    return math.floor((end - start).total_seconds() / 60 + 0.5)


def business_minutes(start: datetime, end: datetime) -> int:
    """Minutes of [start, end] falling in Mon-Fri 09:00-18:00 (negative if end < start)."""
    if end < start:
        return -business_minutes(end, start)
    total, day = 0.0, start.date()
    while day <= end.date():
        if day.weekday() < 5:
            lo = max(start, datetime.combine(day, time(9)))
            hi = min(end, datetime.combine(day, time(18)))
            total += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return math.floor(total / 60 + 0.5)


def fmt(ts: datetime | None) -> str:
    return ts.strftime(FMT) if ts else ""


def subject(rng: random.Random, cat: str) -> str:
    return rng.choice(CATEGORY_TEXT[cat][1].split("|"))


def sla(done: datetime | None, due: datetime) -> str:
    return "" if done is None else "Within SLA" if done <= due else "SLA Violated"


def hms(delta: timedelta) -> str:
    secs = round(delta.total_seconds())
    return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def ticket_seeds(rng: random.Random) -> list[tuple[datetime, str, str, bool]]:
    """(created, customer, category, complaint); some complaints recur within 90 days."""
    seeds = []
    while len(seeds) < round(N_TICKETS * COMPLAINT_SHARE):
        day, cust = draw_day(rng), f"C{rng.randint(1, N_CUSTOMERS):05d}"
        cat = weighted(rng, COMPLAINT_CATEGORIES)
        for i in range(rng.choices([1, 2, 3], weights=[78, 17, 5])[0]):
            day += timedelta(days=rng.randint(4, 40) if i else 0)  # at most 80 days later
            if day.year == YEAR:
                seeds.append((stamp_on(rng, day), cust, cat, True))
    while len(seeds) < N_TICKETS:
        cust = f"C{rng.randint(1, N_CUSTOMERS):05d}"
        seeds.append((stamp_on(rng, draw_day(rng)), cust, weighted(rng, CATEGORIES), False))
    return sorted(seeds)


def zendesk_ticket(rng: random.Random, seed: tuple) -> dict:
    created, cust, cat, complaint = seed
    via = weighted(rng, ZD_VIA)
    prio = weighted(rng, ZD_PRIORITY_COMPLAINT if complaint else ZD_PRIORITY)
    solve_p = 0.50 if created >= BACKLOG_FROM else 0.89
    status = "Solved" if rng.random() < solve_p else weighted(rng, ZD_OPEN_STATUSES)
    reply = None
    if status != "New" and rng.random() > 0.025:
        slow = SLOW_FACTOR if created.month == SLOW_MONTH else 1
        slow *= 0.5 if prio == "Urgent" else 1
        reply = staffed(rng, created + lognorm_h(rng, ZD_REPLY_MEDIAN_H[via] * slow, 1.3))
        if reply > EXPORT_AT:
            reply, status = None, "New"
    reopens, replies, solved = 0, (rng.randint(1, 3) if reply else 0), None
    if status == "Solved":
        reopens = rng.choices([0, 1, 2], weights=[92, 7, 1])[0]
        first_contact = reply and not reopens and rng.random() < 0.67
        replies = 0 if reply is None else 1 if first_contact else rng.randint(2, 6)
        if replies == 1:  # solved with the first answer, or shortly after
            quick = rng.random() < 0.6
            work = timedelta(seconds=rng.randint(0, 180)) if quick else lognorm_h(rng, 0.5, 1)
        else:
            work = lognorm_h(rng, 6 * max(1, replies - 1), 1.0)
        work += sum((lognorm_h(rng, 30, 0.8) for _ in range(reopens)), timedelta())
        solved = staffed(rng, (reply or created) + work)
        if solved > EXPORT_AT:
            solved, status, reopens = None, "Open", 0
    updated = (reply or created) + timedelta(minutes=rng.randint(0, 4000))
    if solved:
        closed = solved + timedelta(days=rng.uniform(4, 28))
        status, updated = ("Closed", closed) if closed <= EXPORT_AT else ("Solved", solved)
        updated += timedelta(minutes=rng.randint(0, 30))
        p_bad = 0.22 if complaint or reopens else 0.06
        u = rng.random()
        score = ("Bad" if u < p_bad else "Good" if u < p_bad + 0.35
                 else "Offered" if u < p_bad + 0.585 else "Not Offered")
    else:
        score = "Not Offered"
    tags = ["complaint"] if complaint else []
    tags += [rng.choice(CATEGORY_TEXT[cat][0].split())] if complaint or rng.random() < 0.93 else []
    tags += ["vip"] if rng.random() < 0.08 else []
    tags += ["escalated"] if complaint and rng.random() < 0.3 else []
    group = CATEGORY_GROUP[cat]
    kind = weighted(rng, {"Incident": 60, "Problem": 40} if complaint else ZD_TYPES)
    return {"created": created, "reply": reply, "solved": solved, "cust": cust,
            "updated": min(max(updated, created), EXPORT_AT), "status": status,
            "Assignee": "" if status == "New" and rng.random() < 0.6
            else rng.choice(GROUP_AGENTS[group]),
            "Group": group, "Subject": subject(rng, cat), "Tags": " ".join(tags),
            "Priority": prio, "Via": via, "Satisfaction Score": score,
            "Ticket type": kind,
            "Reopens": reopens, "Replies": replies, "Ticket Category [list]": cat}


def zendesk_rows(rng: random.Random, people: dict) -> list[dict]:
    tickets = [zendesk_ticket(rng, seed) for seed in ticket_seeds(rng)]
    solved = [t for t in tickets if t["solved"]]
    for t in rng.sample(solved, N_NEGATIVE):  # export glitch: solved before created
        t["solved"] = t["created"] - timedelta(seconds=rng.randint(60, 5400))
    rows = []
    for tid, t in enumerate(tickets, start=18231):
        c, r, s = t["created"], t["reply"], t["solved"]
        name, email = people[t["cust"]]
        rows.append(dict(
            t, **{"Id": tid, "Requester": name, "Requester id": t["cust"],
                  "Requester email": email, "Status": t["status"], "Created at": fmt(c),
                  "Updated at": fmt(t["updated"]), "Solved at": fmt(s),
                  "Resolution time": math.floor(minutes(c, s) / 60 + 0.5) if s else "",
                  "First reply time in minutes": minutes(c, r) if r else "",
                  "First reply time in minutes within business hours":
                      business_minutes(c, r) if r else "",
                  "Full resolution time in minutes": minutes(c, s) if s else "",
                  "Full resolution time in minutes within business hours":
                      business_minutes(c, s) if s else ""}))
    return rows


def freshdesk_rows(rng: random.Random, people: dict) -> list[dict]:
    rows = []
    stamps = sorted(stamp_on(rng, draw_day(rng)) for _ in range(N_FRESH))
    complaints = set(rng.sample(range(1001, 1001 + N_FRESH), round(N_FRESH * COMPLAINT_SHARE)))
    for tid, created in enumerate(stamps, start=1001):
        cust = f"C{rng.randint(1, N_CUSTOMERS):05d}"
        complaint = tid in complaints
        kind = "Complaint" if complaint else weighted(rng, {"Question": 55, "Incident": 30,
                                                            "Problem": 15})
        cat = weighted(rng, COMPLAINT_CATEGORIES if complaint else CATEGORIES)
        source, prio = weighted(rng, FD_SOURCES), weighted(rng, FD_PRIORITY)
        resolved = rng.random() < (0.5 if created >= BACKLOG_FROM else 0.9)
        reply = closed = fixed = None
        if resolved or rng.random() > 0.3:
            slow = SLOW_FACTOR if created.month == SLOW_MONTH else 1
            reply = staffed(rng, created + lognorm_h(rng, FD_REPLY_MEDIAN_H[source] * slow, 1.3))
            reply = reply if reply <= EXPORT_AT else None
        if resolved and reply:
            fixed = staffed(rng, reply + lognorm_h(rng, 10, 1.2))
            fixed = fixed if fixed <= EXPORT_AT else None
        if fixed:
            status = "Closed" if rng.random() < 0.6 else "Resolved"
            if status == "Closed":
                closed = min(EXPORT_AT, fixed + timedelta(hours=rng.uniform(0, 72)))
        else:
            status = "Open" if reply is None else weighted(
                rng, {"Open": 40, "Pending": 30, "Waiting on Customer": 30})
        last = max(x for x in (created, reply, fixed, closed) if x)
        agents = (1 if rng.random() < 0.55 else rng.randint(2, 6)) if fixed else (
            rng.randint(1, 3) if reply else 0)
        fr_due, due = (created + timedelta(hours=h) for h in FD_SLA_H[prio])
        tags = (["complaint"] if complaint else []) + [rng.choice(CATEGORY_TEXT[cat][0].split())]
        name, email = people[cust]
        group = CATEGORY_GROUP[cat]
        rows.append({
            "Ticket ID": tid, "Subject": subject(rng, cat), "Status": status,
            "Priority": prio, "Source": source, "Type": kind,
            "Agent": "" if reply is None and rng.random() < 0.5
            else rng.choice(GROUP_AGENTS[group]),
            "Group": group, "Created time": fmt(created), "Due by Time": fmt(due),
            "Resolved time": fmt(fixed), "Closed time": fmt(closed),
            "Last update time": fmt(min(EXPORT_AT, last + timedelta(minutes=rng.randint(0, 600)))),
            "Initial response time": fmt(reply),
            "First response time (in hrs)": hms(reply - created)
            if reply and rng.random() > FD_EMPTY_DURATION_SHARE else "",
            "Resolution time (in hrs)": hms(fixed - created)
            if fixed and rng.random() > FD_EMPTY_DURATION_SHARE else "",
            "Agent interactions": agents,
            "Customer interactions": rng.randint(1, agents + 1),
            "Resolution status": sla(fixed, due),
            "First response status": sla(reply, fr_due),
            "Tags": ",".join(tags),
            "Survey results": weighted(rng, FD_SURVEY) if fixed and rng.random() < 0.3 else "",
            "Full name": name, "Email": email, "Contact ID": cust,
        })
    return rows


def write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([row[col] for col in header] for row in rows)
    print(f"wrote {len(rows)} rows to {path}")


def main() -> None:
    rng = random.Random(2025)
    people = make_people(rng)
    OUT_DIR.mkdir(exist_ok=True)
    write(OUT_DIR / "tickets.csv", ZD_HEADER, zendesk_rows(rng, people))
    write(OUT_DIR / "tickets_freshdesk.csv", FD_HEADER, freshdesk_rows(rng, people))


if __name__ == "__main__":
    main()
