"""The terminal view of KPI results: headline, counts, drops, trend, groups; and `Fit`, the table
every terminal view is drawn with, which lays itself out for the width it is printed at and never
cuts a number.

Every figure of a result's JSON is in its terminal view, with at least the decimals the JSON
gives it (the JSON's own rounding: `KpiResult.to_dict`), so a person reads what a script reads.
"""

from __future__ import annotations

import re
from typing import Any

from rich import box as boxes
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from cxkit.kpi.result import KpiResult, _num
from cxkit.render.cards import sparkline
from cxkit.render.inert import term

STATUS_STYLE = {"excellent": "bold green", "good": "yellow", "below": "bold red"}
TITLES = {"nps": "NPS", "csat": "CSAT %", "ces": "CES"}
MANY_TITLES = {"volume": "Tickets", "first_response_time": "First response (h)",
               "resolution_time": "Resolution (h)", "fcr": "FCR %", "reopen_rate": "Reopen %",
               "backlog": "Backlog", "sla_first_response": "SLA first response %",
               "sla_resolution": "SLA resolution %", "csat": "CSAT %",
               "orders": "Orders", "customers": "Customers", "revenue": "Revenue",
               "aov": "AOV", "purchase_frequency": "Orders per customer",
               "repeat_purchase_rate": "Repeat purchase %", "return_rate": "Return %",
               "cart_abandonment_rate": "Cart abandonment %", "referral_rate": "Referral %",
               "clv": "CLV (historical)", "clv_formula": "CLV (formula)",
               "top_customers": "Top customers' revenue", "retention_rate": "Retention %",
               "churn_rate": "Churn %", "cohort_retention": "Cohort retention +1 %",
               "inactivity_churn": "Inactivity churn %",
               "complaint_rate": "Complaint rate", "complaints": "Complaints",
               "recurrence_rate": "Recurrence %", "nps_revenue": "NPS x revenue"}
# a group's value and n where "n" would not say what they count
GROUP_HEADS = {"top_customers": ("revenue", "orders"), "complaints": ("complaints", "n")}
# names of counts and extras as people read them: key -> (label, suffix); others: `_` -> space
LABELS = {"mean_score": ("mean score", ""), "pct_low_effort": ("% low effort", ""),
          "share": ("share", "%"), "net_revenue": ("net", ""), "value_rate": ("by value", "%"),
          "referrer_rate": ("referrers", "%"), "share_of_revenue": ("share of revenue", "%"),
          "repeated_order_ids": ("repeated ids", ""), "aov": ("AOV", ""),
          "purchases_per_year": ("orders per customer per year", ""),
          "margin": ("margin", "%"), "annual_churn": ("annual churn", "%"),
          "lifetime_years": ("lifetime", " years"), "years_of_data": ("years of orders", ""),
          "mean_age_hours": ("mean age", " h"), "median_age_hours": ("median age", " h"),
          "max_age_hours": ("max age", " h"), "under_1d": ("under 1 d", ""),
          "1_3d": ("1-3 d", ""), "3_7d": ("3-7 d", ""), "over_7d": ("over 7 d", ""),
          "customers_with_2_plus": ("customers with 2+ complaints", ""),
          "window_days": ("window", " days"), "as_of": ("as of", ""),
          "first_order": ("first order", ""), "last_order": ("last order", "")}
# extras that are the result's settings, not figures, or drawn elsewhere
QUIET_EXTRAS = {"period", "periods_since", "label", "source"}


def _fmt(value: Any, digits: int) -> str:
    value = _num(value, digits)
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def _ci(ci, digits: int) -> str:
    return f"{_fmt(ci[0], digits)} – {_fmt(ci[1], digits)}" if ci else ""


def _change(change, significant, digits) -> Text:
    """`▲ +2.1 *`: the change as the JSON rounds it (a change that rounds to 0 is `= 0.0`)."""
    shown = _num(change, digits)
    if shown is None:
        return Text("")
    arrow = "▲" if shown > 0 else "▼" if shown < 0 else "="
    text = Text(f"{arrow} {shown:+,.{digits}f}" if shown else f"= {0:.{digits}f}")
    if significant:
        text.append(" *", style="bold")
        text.stylize("bold")
    return text


# ------------------------------------------------------------------------------------------------
# Fit: a table for the width it is printed at

MAX_CHUNKS = 3  # a table folded into more pieces than this is stacked instead
TEXT_MIN = 12  # free text wraps down to this width (or its widest cell, if narrower)
TEXT_WORD_CAP = 24  # a longer word of free text (a URL, an e-mail) may be folded
TEXT_COMFORT = 28  # free text is not wrapped narrower than this to keep a bar column
KINDS = ("key", "num", "text", "bar")


def _plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _words(text: str) -> list[str]:
    return text.split()


class Fit(Table):
    """A table laid out when it is printed, for the width it gets (`options.max_width`).

    Columns are of a kind: `key` (what a row is: a segment, a period; repeated when the table is
    folded), `num` (a figure, or any short value that must not be cut: never narrower than its
    widest cell), `text` (free text: wraps at its spaces) or `bar` (a sparkline or a bar: left
    out when space runs short). The layout is the first of these that fits:

    1. the table at its natural width;
    2. headers wrapped at their spaces and free text wrapped, down to each column's minimum
       (figures and keys keep their widest cell, a header its longest word);
    3. the same without the `bar` columns (first without them when that spares free text
       from wrapping narrower than TEXT_COMFORT);
    4. folded: up to `max_chunks` tables (MAX_CHUNKS; None: any number, e.g. a heat map) one
       under the other, each repeating the key columns;
    5. stacked: one block per row, its keys on a line, then `label: value` items.

    Rich is never left to ellipsise or fold a figure: every column gets an exact width. Columns
    with nothing in them are left out. Title and note (caption) are printed above and below the
    table, wrapped at the full width. Strings given as cells or headers are shown literally
    (never Rich markup)."""

    def __init__(self, title: Text | str | None = None, caption: Text | str | None = None, *,
                 box: boxes.Box | None = boxes.HEAVY_HEAD, padding: tuple[int, int] = (0, 1),
                 max_chunks: int | None = MAX_CHUNKS) -> None:
        super().__init__(box=box, padding=padding, show_edge=False, pad_edge=False,
                         header_style="bold")
        self.kinds: list[str] = []
        self._measured: dict[int, tuple[int, int]] = {}  # column -> (narrowest, natural)
        self.max_chunks = max_chunks  # None: folded however many pieces it takes, never stacked
        self.fit_title = Text(title, style="bold") if isinstance(title, str) else title
        self.fit_caption = Text(caption, style="dim") if isinstance(caption, str) else caption

    def add_column(self, header: Any = "", kind: str = "num", *,  # type: ignore[override]
                   justify: str | None = None, style: str | None = None) -> None:
        assert kind in KINDS, kind
        super().add_column(Text(header) if isinstance(header, str) else header,
                           justify=justify or ("right" if kind == "num" else "left"),  # type: ignore[arg-type]
                           style=style)
        self.kinds.append(kind)
        self._measured.clear()

    def add_row(self, *cells: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().add_row(*[Text(c) if isinstance(c, str) else c for c in cells], **kwargs)
        self._measured.clear()

    # -- measuring -------------------------------------------------------------------------

    def _cells(self, i: int) -> list[Any]:
        return list(self.columns[i]._cells)

    def _measure(self, i: int) -> tuple[int, int]:
        """(narrowest, natural) content width of column i, padding not included."""
        if i not in self._measured:
            self._measured[i] = self._fit_measure(i)
        return self._measured[i]

    def _fit_measure(self, i: int) -> tuple[int, int]:
        kind = self.kinds[i]
        cells = [_plain(c) for c in self._cells(i)]
        head = " ".join(_words(_plain(self.columns[i].header)))
        widest = max((cell_len(line) for c in cells for line in c.split("\n")), default=0)
        head_word = max((cell_len(w) for w in _words(head)), default=0)
        if kind == "text":
            words = [w for c in cells for w in _words(c)]
            longest = max((cell_len(w) for w in words), default=0)
            figures = max((cell_len(w) for w in words if any(ch.isdigit() for ch in w)),
                          default=0)  # a word with a digit is a figure: never folded
            low = max(min(longest, TEXT_WORD_CAP), figures, min(TEXT_MIN, widest), head_word)
            return low, max(widest, low, cell_len(head))
        low = max(widest, head_word)
        return low, max(widest, cell_len(head))

    def _extra(self, count: int) -> int:
        """Width of separators and padding between `count` columns (no outer edge)."""
        _, right, _, left = self.padding
        return max(count - 1, 0) * ((1 if self.box else 0) + left + right)

    def _widths(self, idx: list[int], width: int, comfort: bool = False) -> list[int] | None:
        """Content widths of the columns `idx` within `width`, or None when they cannot fit.
        With `comfort`, free text may not be wrapped narrower than TEXT_COMFORT."""
        if not idx:
            return []
        lows, nats = zip(*(self._measure(i) for i in idx), strict=True)
        if comfort:
            lows = tuple(max(lo, min(nat, TEXT_COMFORT)) if self.kinds[i] == "text" else lo
                         for i, lo, nat in zip(idx, lows, nats, strict=True))
        extra = self._extra(len(idx))
        if sum(nats) + extra <= width:
            return list(nats)
        if sum(lows) + extra > width:
            return None
        widths, over = list(nats), sum(nats) + extra - width
        while over > 0:  # narrow the column with the most room above its minimum
            j = max(range(len(idx)), key=lambda k: (widths[k] - lows[k], widths[k]))
            widths[j] -= 1
            over -= 1
        return widths

    def natural(self) -> int:
        """The width of the whole table when nothing has to wrap."""
        idx = self._shown()
        return sum(self._measure(i)[1] for i in idx) + self._extra(len(idx))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        top = min(max(self.natural(), 1), options.max_width)
        return Measurement(min(20, top), top)

    # -- laying out --------------------------------------------------------------------------

    def _shown(self) -> list[int]:
        return [i for i, kind in enumerate(self.kinds)
                if kind == "key" or any(_plain(c).strip() for c in self._cells(i))]

    def _table(self, idx: list[int], widths: list[int]) -> Table:
        table = Table(box=self.box, padding=self.padding, show_edge=False, pad_edge=False,
                      header_style=self.header_style)
        for i, w in zip(idx, widths, strict=True):
            col = self.columns[i]
            table.add_column(col.header, justify=col.justify, style=col.style, width=w,
                             overflow="fold", no_wrap=False)
        for r in range(self.row_count):
            table.add_row(*[self.columns[i]._cells[r] for i in idx], style=self.rows[r].style)
        return table

    def _greedy(self, keys: list[int], values: list[int], width: int
                ) -> list[list[int]] | None:
        chunks: list[list[int]] = []
        current: list[int] = []
        for v in values:
            if self._widths(keys + current + [v], width) is not None:
                current.append(v)
                continue
            if not current:
                return None  # one column does not fit beside the keys
            chunks.append(current)
            current = [v]
            if self._widths(keys + current, width) is None:
                return None
        if current:
            chunks.append(current)
        return chunks

    def _chunks(self, keys: list[int], values: list[int], width: int) -> list[list[int]] | None:
        """The value columns in as few pieces as fit beside the keys, in order, as even as
        can be (the narrowest limit that needs no more pieces)."""
        chunks = self._greedy(keys, values, width)
        if chunks is None or len(chunks) < 2:
            return chunks
        for limit in range(width // len(chunks), width):
            even = self._greedy(keys, values, limit)
            if even is not None and len(even) == len(chunks):
                return even
        return chunks

    def _stacked(self, keys: list[int], values: list[int], width: int) -> list[Any]:
        out: list[Any] = []
        heads = {i: " ".join(_words(_plain(self.columns[i].header))) for i in values}
        for r in range(self.row_count):
            title = Text(" · ", style="bold").join(
                Text(_plain(self.columns[k]._cells[r]), style="bold") for k in keys)
            if not keys:
                title = Text(f"#{r + 1}", style="bold")
            items = []
            for v in values:
                cell = self.columns[v]._cells[r]
                cell = cell.copy() if isinstance(cell, Text) else Text(str(cell))
                if not cell.plain.strip():
                    continue
                item = Text(f"{heads[v]}: " if heads[v] else "", style="dim")
                item.append_text(cell)
                items.append(item)
            out.append(title)
            out += _pack(items, width, indent=2)
        return out

    def layout(self, width: int) -> list[Any]:
        """The renderables this table prints as at `width` columns."""
        idx = self._shown()
        parts: list[Any] = [self.fit_title] if self.fit_title is not None else []
        plain = [i for i in idx if self.kinds[i] != "bar"]
        widths = None
        # a bar is left out when that spares free text from wrapping narrower than
        # TEXT_COMFORT, or when nothing else fits
        for cols, comfort in ((idx, True), (plain, True), (idx, False), (plain, False)):
            widths = self._widths(cols, width, comfort)
            if widths is not None:
                idx = cols
                break
        if widths is not None:
            parts.append(self._table(idx, widths))
        else:
            keys = [i for i in idx if self.kinds[i] == "key"]
            values = [i for i in idx if self.kinds[i] not in ("key", "bar")]
            chunks = self._chunks(keys, values, width)
            if chunks is not None and (self.max_chunks is None
                                       or len(chunks) <= self.max_chunks):
                for n, chunk in enumerate(chunks):
                    if n:
                        parts.append(Text(""))
                    cols = keys + chunk
                    parts.append(self._table(cols, self._widths(cols, width) or []))
            else:
                parts += self._stacked(keys, values, width)
        if self.fit_caption is not None and self.fit_caption.plain:
            parts.append(self.fit_caption)
        return parts

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.layout(options.max_width)


def _pack(items: list[Text], width: int, indent: int = 0, sep: str = "   ") -> list[Text]:
    """Items on lines of at most `width` cells, greedily, each line indented; an item wider
    than a line is a line of its own (Rich wraps it at its spaces)."""
    lines: list[Text] = []
    line: Text | None = None
    room = max(width - indent, 1)
    for item in items:
        if line is not None and cell_len(line.plain) + len(sep) + cell_len(item.plain) <= room:
            line.append(sep)
            line.append_text(item)
            continue
        if line is not None:
            lines.append(line)
        line = item.copy()
    if line is not None:
        lines.append(line)
    return [Text(" " * indent) + ln for ln in lines]


def pack_line(items: list[Text], width: int, sep: str = "  ") -> list[Text]:
    """`_pack` without indent: a headline or details line broken between its items, never
    inside one (an interval, a count and its share stay together)."""
    return _pack([i for i in items if i.plain], width, 0, sep)


class Lines:
    """Items (Text) packed on lines at the width they are printed at (`pack_line`)."""

    def __init__(self, items: list[Text], sep: str = "  ") -> None:
        self.items, self.sep = items, sep

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from pack_line(self.items, options.max_width, self.sep)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        total = sum(cell_len(i.plain) for i in self.items) + len(self.sep) * len(self.items)
        return Measurement(min(20, options.max_width), min(total, options.max_width))


# ------------------------------------------------------------------------------------------------
# one KPI result

def _label(name: str) -> tuple[str, str]:
    return LABELS.get(name, (name.replace("_", " "), ""))


def _extra_digits(result: KpiResult) -> int:
    """Decimals the JSON gives the result's extras (`KpiResult.to_dict`)."""
    given = getattr(result, "extra_digits", None)
    return max(result.digits, 2) if given is None else given


def _value_text(name: str, value: Any, digits: int) -> str | None:
    """An extra as text at the JSON's precision; None for what is not a figure or a word."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict, tuple)):
        return None
    label, suffix = _label(name)
    if isinstance(value, str):
        return f"{label} {value}"
    if name == "margin":  # a percentage given by the user: as given (35%, 37.5%)
        shown = _num(value, digits)
        return None if shown is None else f"{label} {shown:g}{suffix}"
    return f"{label} {_fmt(value, digits)}{suffix}"


def extra_items(result: KpiResult, skip: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """The result's extras as `label value` texts, at the decimals of the JSON."""
    digits = _extra_digits(result)
    out = []
    for name, val in result.extra.items():
        if name in QUIET_EXTRAS or name in skip:
            continue
        if isinstance(val, dict) and "value" in val and "period" in val:  # {"period", "value"}
            if val.get("value") is not None:
                out.append(f"{name} {val.get('period', '')}: {_fmt(val['value'], digits)}")
            continue
        text = _value_text(name, val, digits)
        if text is not None:
            out.append(text)
    return out


def benchmark_text(result: KpiResult) -> str:
    """`(good > 0, excellent > 50)`, or for a KPI where lower is better (CES)
    `(good < 3, excellent ≤ 2; lower is better)`: the marks as `cxkit.kpi.benchmarks` applies
    them."""
    from cxkit.kpi.report import info

    b = result.benchmark or {}
    if info(result.kpi).higher_is_better is False:
        return f"(good < {b['good']:g}, excellent ≤ {b['excellent']:g}; lower is better)"
    return f"(good > {b['good']:g}, excellent > {b['excellent']:g})"


def headline_items(result: KpiResult) -> list[Text]:
    d = result.digits
    title = TITLES.get(result.kpi) or MANY_TITLES.get(result.kpi, result.kpi)
    status = (result.benchmark or {}).get("status")
    first = Text(f"{title} ", style="bold")
    first.append(_fmt(result.value, d), style=STATUS_STYLE.get(status, "bold"))
    items = [first]
    ci = _ci(result.ci, d)
    if ci:
        items.append(Text(f"({ci})"))
    items.append(Text(f"n={result.n:,}"))
    if result.benchmark and status:
        b = result.benchmark
        mark = Text(f"{status} for {b['sector']} ", style=STATUS_STYLE.get(status, ""))
        mark.append(benchmark_text(result), style="dim")
        items.append(mark)
    return items


def headline(result: KpiResult) -> Text:
    """The headline on one line (it wraps as Rich wraps text); `Lines(headline_items(...))`
    breaks it between its items instead."""
    return Text("  ").join(headline_items(result))


def _count_items(result: KpiResult) -> list[Text]:
    n = result.n or 1
    items = []
    for k, v in result.counts.items():
        label, _ = _label(k)
        items.append(Text(f"{label} {v:,} ({100 * v / n:.0f}%)" if result.n else f"{label} {v:,}"))
    return items


def details(result: KpiResult) -> Text:
    """Counts and extras on one line, then what was dropped (kept for callers that want one
    Text; the views below use `details_parts`)."""
    parts = [i.plain for i in _count_items(result)] + extra_items(result)
    text = term("  ".join(parts))
    text.append("\n" + dropped_text(result), style="dim")
    return text


def dropped_text(result: KpiResult) -> str:
    dropped = [f"{v:,} {k.replace('_', ' ')}" for k, v in result.dropped.items() if v]
    return "dropped: " + (", ".join(dropped) if dropped else "none")


def details_parts(result: KpiResult) -> list[Any]:
    items = _count_items(result) + [term(t) for t in extra_items(result)]
    return [Lines(items), Text(dropped_text(result), style="dim")]


def trend_line(result: KpiResult) -> Text | None:
    if not result.trend:
        return None
    values = [t["value"] for t in result.trend]
    text = term(f"trend {result.trend[0]['period']} ")
    text.append(sparkline(values), style="cyan")
    text.append_text(term(f" {result.trend[-1]['period']}"))
    if result.change is not None:
        text.append("  last period ")
        text.append_text(_change(result.change, result.significant, result.digits))
        text.append(" significant" if result.significant else " not significant", style="dim")
    return text


def trend_table(result: KpiResult) -> Fit | None:
    """The overall value per period, when the groups are segments by period (the groups table
    then holds each segment's periods, not the whole's): one column per period."""
    if not result.trend or result.group_keys == ["period"] or not result.groups:
        return None
    title = TITLES.get(result.kpi) or MANY_TITLES.get(result.kpi, result.kpi)
    table = Fit(Text(f"{title} by period, every segment together", style="bold"))
    table.add_column("", "key")
    for t in result.trend:
        table.add_column(term(t["period"]))
    table.add_row(Text(title, style="bold"), *[_fmt(t.get("value"), result.digits)
                                               for t in result.trend])
    table.add_row("n", *["" if t.get("n") is None else f"{t['n']:,}" for t in result.trend])
    return table


def extra_columns(result: KpiResult) -> list[str]:
    """The groups' extras that are figures or words (not lists, not settings), in order."""
    e = max(result.digits, 2)
    return [k for k in dict.fromkeys(k for g in result.groups for k in g.extra)
            if k not in QUIET_EXTRAS
            and any(_value_text(k, g.extra.get(k), e) is not None for g in result.groups)]


def extra_header(name: str) -> str:
    label, suffix = _label(name)
    return label + (" %" if suffix == "%" else suffix and f" ({suffix.strip()})")


def extra_cell(value: Any, digits: int) -> Any:
    """A group's extra as its JSON rounds it (`Group.to_dict`: at least two decimals)."""
    if value is None or isinstance(value, (bool, list, dict, tuple)):
        return ""
    return term(value) if isinstance(value, str) else _fmt(value, digits)


def groups_table(result: KpiResult, width: int = 120) -> Fit | None:
    """Segments and periods: keys, value, interval, n, every count and extra of the group (as
    the JSON has them), the change. `width` is not used: the table fits the width it is
    printed at (`Fit`)."""
    if not result.groups:
        return None
    d, e = result.digits, max(result.digits, 2)
    head, n_head = GROUP_HEADS.get(result.kpi, (TITLES.get(result.kpi)
                                                or MANY_TITLES.get(result.kpi, result.kpi), "n"))
    table = Fit()
    for key in result.group_keys:  # column names and keys come from the data: inert Text
        table.add_column(term(key), "key")
    table.add_column(head)
    table.add_column(f"{result.confidence:.0%} CI")
    same_n = all(_num(g.value, d) == g.n for g in result.groups)  # a count: n says it again
    if not same_n:
        table.add_column(n_head)
    compared = result.groups[0].compared
    if compared:  # beside the value: it stays in the first piece when the table is folded
        table.add_column("change")
    counts = list(dict.fromkeys(k for g in result.groups for k in g.counts))
    for name in counts:
        table.add_column(_label(name)[0])
    extras = extra_columns(result)
    for name in extras:
        table.add_column(extra_header(name))
    for g in result.groups:
        cells: list[Any] = [term("(missing)" if g.key.get(k) is None else g.key[k])
                            for k in result.group_keys]
        cells += [_fmt(g.value, d), _ci(g.ci, d)]
        cells += [] if same_n else [f"{g.n:,}"]
        if compared:
            cells.append(_change(g.change, g.significant, d))
        cells += ["" if g.counts.get(k) is None else f"{g.counts[k]:,}" for k in counts]
        cells += [extra_cell(g.extra.get(name), e) for name in extras]
        table.add_row(*cells)
    return table


def _cohort_note(result: KpiResult) -> Text | None:
    """Why n is not every customer of the matrix: the latest cohorts have no +1 period yet."""
    total = result.extra.get("customers")
    if not isinstance(total, int) or total == result.n:
        return None
    period = result.extra.get("period") or "period"
    later = [str(g.key.get("cohort")) for g in result.groups if g.value is None]
    which = f" ({', '.join(later)})" if later else ""
    return term(f"n={result.n:,}: the customers of the cohorts seen one {period} after their "
                f"first; the other {total - result.n:,} of the {total:,} customers are in "
                f"cohorts with no +1 {period} yet{which}, shown in the matrix but not in the "
                "headline", style="dim")


def render(result: KpiResult, console: Console) -> None:
    parts: list[Any] = [Lines(headline_items(result)), *details_parts(result)]
    if result.kpi == "cohort_retention":
        from cxkit.render.matrix import heat_table

        note = _cohort_note(result)
        parts += [note] if note is not None else []
        console.print(Group(*parts, Text(""), heat_table(result, color=not console.no_color)))
        return
    line = trend_line(result)
    if line is not None:
        parts.append(line)
    overall = trend_table(result)
    if overall is not None:
        parts += [Text(""), overall]
    table = groups_table(result)
    if table is not None:
        parts += [Text(""), table]
        if result.groups[0].compared:
            parts.append(Text("* significant change against the previous period", style="dim"))
    console.print(Group(*parts))


# ------------------------------------------------------------------------------------------------
# several KPIs of one export

def _detail(result: KpiResult) -> Text:
    if result.value is None and result.rule.startswith("not computed"):
        return Text(result.rule, style="dim")
    words = [f"{_label(k)[0]} {v:,}" for k, v in result.counts.items()]
    skip = {"margin", "aov", "purchases_per_year", "lifetime_years", "annual_churn",
            "years_of_data"} if result.kpi == "clv_formula" else set()
    words += extra_items(result, skip)
    return term(" · ".join(words))


def clv_note(result: KpiResult) -> list[Text]:
    """What the formula CLV rests on, where it is read: the factors, the margin (assumed 100 %
    unless --margin gives it) and the annual churn (measured, unless --churn gives it)."""
    e = result.extra
    if result.kpi != "clv_formula" or "margin" not in e:
        return []
    dg = _extra_digits(result)
    title = MANY_TITLES["clv_formula"]
    churn = e.get("annual_churn")
    lines = [f"{title} = AOV {_fmt(e.get('aov'), dg)} x {_fmt(e.get('purchases_per_year'), dg)} "
             f"orders per customer per year x margin {_num(e['margin'], dg):g}% x lifetime "
             f"{_fmt(e.get('lifetime_years'), dg)} years (1 / annual churn "
             f"{_fmt(churn, dg)}%), over {_fmt(e.get('years_of_data'), dg)} years of orders"
             f" = {_fmt(result.value, result.digits)}"]
    if "no --margin" in result.rule:
        lines.append(f"assumed: margin {_num(e['margin'], dg):g}% (no --margin given): this is "
                     "revenue per customer, not profit; pass --margin 35% for your gross margin")
    else:
        lines.append(f"margin {_num(e['margin'], dg):g}% (--margin)")
    if "(--churn)" in result.rule:
        lines.append(f"annual churn {_fmt(churn, dg)}% (--churn)")
    elif churn is None:
        lines.append("annual churn not measured: it needs more than a year of orders; pass "
                     "--churn 40% to give it")
    else:
        before = re.search(r"year before (\S+)", result.rule)
        when = f" in the year before {before.group(1)}" if before else ""
        base = sum(result.counts.values())
        lines.append(f"measured: annual churn {_fmt(churn, dg)}% = "
                     f"{result.counts.get('churned', 0):,} of the {base:,} customers who "
                     f"ordered{when} did not order after it; pass --churn 40% to give it")
    return [term(line, style="dim") for line in lines]


def render_many(results: list[KpiResult], console: Console) -> None:
    """Several KPIs of one export: one row each, then each KPI's groups (value, interval, n,
    counts and extras per segment or period), then the notes its numbers rest on."""
    periods = any(r.trend for r in results)
    dropped = [", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in r.dropped.items() if v)
               for r in results]
    # the drops most KPIs share are said once, under the table; the others in a column
    common = max(set(dropped), key=lambda t: (dropped.count(t), t)) if dropped else ""
    shared = len(results) > 1 and dropped.count(common) * 2 > len(results)
    table = Fit()
    table.add_column("KPI", "key")
    table.add_column("value")
    table.add_column(f"{results[0].confidence:.0%} CI" if results else "CI")
    table.add_column("n")
    table.add_column("detail", "text")
    if not shared:
        table.add_column("dropped", "text")
    if periods:
        table.add_column("trend", "bar")
        table.add_column("change")
    for r, gone in zip(results, dropped, strict=True):
        cells: list[Any] = [MANY_TITLES.get(r.kpi, r.kpi), Text(_fmt(r.value, r.digits),
                            style="bold"), _ci(r.ci, r.digits), f"{r.n:,}", _detail(r)]
        if not shared:
            cells.append(Text(gone, style="dim"))
        if periods:
            cells += [Text(sparkline([t["value"] for t in r.trend]), style="cyan"),
                      _change(r.change, r.significant, r.digits)]
        table.add_row(*[term(c) if isinstance(c, str) else c for c in cells])
    parts: list[Any] = [table]
    if shared:
        theirs = "; ".join(f"by {MANY_TITLES.get(r.kpi, r.kpi)}: {gone or 'none'}"
                           for r, gone in zip(results, dropped, strict=True) if gone != common)
        if not theirs:
            said = f"dropped, by every KPI: {common}" if common else "dropped: none"
        elif common:
            said = f"dropped: {common}; {theirs}"
        else:
            said = f"dropped {theirs}; by the others: none"
        parts.append(term(said, style="dim"))
    for r in results:
        parts += clv_note(r)
    if periods:
        parts.append(Text("change: the latest period against the one before (* significant); "
                          "trend: oldest to latest period, where there is room", style="dim"))
    for r in results:
        groups = groups_table(r)
        if groups is not None:
            parts += [Text(""), term(MANY_TITLES.get(r.kpi, r.kpi), style="bold"), groups]
    console.print(Group(*parts))
