"""Comments to terms: words and two-word phrases, in Polars expressions (no loop over comments).

The rules (README "Comment themes"):

- Text is put in NFC form and lower-cased; curly apostrophes (’ ‘ ʼ ` ´ ′) become straight ones.
- E-mail addresses, web addresses and phone numbers (9 digits or more, spaces, dots, dashes or
  brackets between them) are taken out before anything else: they are never terms.
- French elisions are taken off the word they stick to: l' d' qu' j' n' s' c' m' t' jusqu'
  lorsqu' puisqu' ("l'accueil" -> "accueil"), and an English possessive 's ("customer's" ->
  "customer"). Apostrophes inside a word stay ("aujourd'hui", "don't").
- A comment is cut into clauses at . , ; : ! ? ( ) [ ] { } " « » “ ” „ … / | • – — line breaks
  and a spaced hyphen: a two-word phrase never spans one of those.
- A word is a run of letters and digits, hyphens and apostrophes inside it ("e-mail",
  "peut-être"). Words are compared folded (accents and case off: "très" = "tres", "œ" = "oe");
  what is shown is the most common way the comments wrote them.
- Each word is a stop word (English or French function words, `stopwords_en.txt`,
  `stopwords_fr.txt`; also words of one character and numbers), an opener (negations and
  intensifiers: `OPENERS`) or a content word. A term is a content word, or two words next to each
  other in one clause whose second is a content word and whose first is a content word or an
  opener: "late delivery", "not delivered", "jamais répondu", "very helpful". A phrase with a stop
  word in it is not a term ("frais de livraison" gives "frais" and "livraison", no phrase), so a
  term is always something the comments actually wrote; nor is a word twice ("late late").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
APOSTROPHES = "[’‘ʼ`´′]"
EMAIL = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
URL = r"(?:https?://|www\.)\S+"
PHONE = r"\+?\d(?:[\s.\-()]{0,2}\d){8,}"
ELISION = r"\b(?:jusqu|lorsqu|puisqu|qu|[ldjnsmct])'"
POSSESSIVE = r"'s\b"
BREAK = "\x1f"  # clause boundary, once punctuation is replaced
CLAUSE = r"[.,;:!?()\[\]{}\"«»“”„…/|•\r\n\t–—\x1f]+|\s-+\s"
WORD = r"[\p{L}\p{M}\p{N}]+(?:['\-][\p{L}\p{M}\p{N}]+)*"

# Not a theme alone, but the first word of a phrase: negations and intensifiers.
OPENERS = (
    "not", "no", "never", "nothing", "nobody", "none", "nowhere", "without", "cannot", "can't",
    "cant", "don't", "doesn't", "doesnt", "didn't", "didnt", "isn't", "isnt", "aren't", "arent",
    "wasn't", "wasnt", "weren't", "werent", "won't", "wouldn't", "wouldnt", "couldn't",
    "couldnt", "shouldn't", "shouldnt", "haven't", "havent", "hasn't", "hasnt", "hadn't",
    "very", "too", "really", "extremely",
    "pas", "jamais", "rien", "aucun", "aucune", "sans", "non", "très", "trop", "vraiment",
)
STOP, OPENER, CONTENT = 0, 1, 2  # word classes

# columns of the frames this module returns
DOC = "__doc"
TERM = "term"  # the term's id: word id + 1, or (first word id + 1) * SHIFT + second word id + 1
SURFACE = "surface"  # the same for the term as this comment wrote it (accents kept)
SHIFT = 1 << 32


def fold(expr: pl.Expr) -> pl.Expr:
    """Lower case without accents: "Très" -> "tres", "œuvre" -> "oeuvre"."""
    return (expr.str.to_lowercase().str.normalize("NFD").str.replace_all(r"\p{Mn}+", "")
            .str.replace_all("œ", "oe", literal=True).str.replace_all("æ", "ae", literal=True))


def read_list(name: str) -> list[str]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(stop words, openers), folded as the comments are."""
    words = read_list("stopwords_en.txt") + read_list("stopwords_fr.txt")
    folded = pl.DataFrame({"w": words, "o": [False] * len(words)}).vstack(
        pl.DataFrame({"w": list(OPENERS), "o": [True] * len(OPENERS)})
    ).select(fold(pl.col("w").str.replace_all(APOSTROPHES, "'")), "o")
    openers = set(folded.filter(pl.col("o"))["w"])
    stops = set(folded.filter(~pl.col("o"))["w"]) - openers
    return tuple(sorted(stops)), tuple(sorted(openers))


def prepared(text: pl.Expr) -> pl.Expr:
    """A comment as clauses joined by BREAK: lower case, straight apostrophes, no e-mails, web
    addresses or phone numbers, no elisions, punctuation turned into clause breaks."""
    return (
        text.cast(pl.String).str.to_lowercase().str.replace_all(APOSTROPHES, "'")
        .str.replace_all(f"{EMAIL}|{URL}|{PHONE}", f" {BREAK} ")
        .str.replace_all(f"{ELISION}|{POSSESSIVE}", "")
        .str.replace_all(CLAUSE, BREAK)
    )


def word_class(key: pl.Expr) -> pl.Expr:
    stops, openers = vocabulary()
    meaningless = key.is_in(stops) | (key.str.len_chars() < 2) | key.str.contains(r"^[\p{N}'\-]+$")
    return (pl.when(meaningless).then(pl.lit(STOP, pl.Int8))
            .when(key.is_in(openers)).then(pl.lit(OPENER, pl.Int8))
            .otherwise(pl.lit(CONTENT, pl.Int8)))


def _dense(col: str) -> pl.Expr:
    return (pl.col(col).rank("dense") - 1).cast(pl.UInt32)


def lexicon(tokens: pl.Series) -> pl.DataFrame:
    """One row per distinct token as extracted (its index is its id): the token in NFC form
    (`shown`, with an id `sid`), folded (`key`, with an id `kid`) and its word class."""
    lex = pl.DataFrame({"raw": tokens.unique().sort()}).with_columns(
        pl.col("raw").str.normalize("NFC").alias("shown"))
    lex = lex.with_columns(fold(pl.col("shown")).alias("key"))
    return lex.with_columns(_dense("shown").alias("sid"), _dense("key").alias("kid"),
                            word_class(pl.col("key")).alias("class"))


CODES = "__codes"


@dataclass
class Tokens:
    """The tokens of each comment (`lists`: DOC, the carried columns and CODES) and the words
    behind them (`words`). A token's code packs its word class, the id of its folded form
    (`kid`) and the id of its shown form (`sid`): ((sid << bits) | kid) << 2 | class, so the
    terms are list arithmetic, no lookup per comment. A clause break is a stop token."""

    lists: pl.DataFrame
    words: pl.DataFrame
    bits: int

    def _parts(self, codes: pl.Expr, which: str) -> tuple[pl.Expr, pl.Expr]:
        """(class, id + 1) of each code of a list; `which` is "kid" or "sid"."""
        word = codes // 4
        ids = word % (1 << self.bits) if which == "kid" else word // (1 << self.bits)
        return codes % 4, ids + 1

    def _terms(self, which: str) -> pl.Expr:
        """Per comment: its words' ids, then its phrases' ids (0 where there is no term)."""
        codes, n = pl.col(CODES), pl.col(CODES).list.len()
        cls, one = self._parts(codes, which)
        word = cls // CONTENT * one  # CONTENT is 2: 1 for a content word, else 0
        a_cls, a = self._parts(codes.list.head(n - 1), which)
        b_cls, b = self._parts(codes.list.slice(1), which)
        # a phrase: an opener or content word (class 1 or 2), then a content word
        phrase = (a_cls + 1) // 2 * (b_cls // CONTENT) * (a * SHIFT + b)
        return pl.concat_list(word, phrase)

    def occurrences(self, docs: pl.Series | None = None) -> pl.LazyFrame:
        """One row per term occurrence: DOC, carried columns, TERM and SURFACE ids (of the
        comments `docs` only, when given)."""
        lists = self.lists.lazy()
        if docs is not None:
            lists = lists.join(pl.LazyFrame({DOC: docs}), on=DOC, how="semi")
        frame = lists.select(pl.exclude(CODES), self._terms("kid").alias(TERM),
                             self._terms("sid").alias(SURFACE))
        return _real(frame.explode([TERM, SURFACE]))

    def pairs(self) -> pl.LazyFrame:
        """One row per comment and term (a comment saying a term three times counts once)."""
        frame = self.lists.lazy().select(
            pl.exclude(CODES), self._terms("kid").list.unique().alias(TERM))
        return _real(frame.explode(TERM))

    def shown(self, ids: pl.Expr) -> pl.Expr:
        """A SURFACE id as text: "late delivery"."""
        table = self.words.unique("sid").sort("sid")["shown"]
        first = pl.lit(table).gather((ids // SHIFT).cast(pl.Int64) - 1)
        second = pl.lit(table).gather((ids % SHIFT).cast(pl.Int64) - 1)
        return pl.when(ids >= SHIFT).then(first + " " + second).otherwise(second)


def _real(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Terms only (not the 0 of a non-term), and no phrase of one word twice ("late late")."""
    term = pl.col(TERM)
    return frame.filter((term > 0) & ((term < SHIFT) | (term // SHIFT != term % SHIFT)))


def tokens(docs: pl.LazyFrame, text: str, carry: list[str]) -> Tokens:
    """The tokens of the comments in column `text` of `docs` (DOC is the row index)."""
    raw = "__raw"
    lists = (docs.with_row_index(DOC)
             .select(DOC, *carry, prepared(pl.col(text)).str.extract_all(f"{WORD}|{BREAK}")
                     .alias(raw))
             .collect(engine="streaming"))
    words = lexicon(lists[raw].explode().drop_nulls())
    bits = max(1, words.height.bit_length())
    codes = words.select(
        (((pl.col("sid").cast(pl.UInt64) * (1 << bits)) + pl.col("kid")) * 4 + pl.col("class"))
        .cast(pl.UInt64)).to_series()
    packed = pl.col(raw).list.eval(pl.element().replace_strict(words["raw"], codes))
    if words.is_empty():  # no token at all (list.eval would keep the String type)
        packed = pl.lit(None, pl.List(pl.UInt64))
    return Tokens(lists.with_columns(packed.alias(CODES)).drop(raw), words, bits)


def terms_of(texts: list[str]) -> list[list[str]]:
    """The terms of each text, as shown (for tests and for reading the rules): the distinct
    terms of one comment, words first, in the order they appear."""
    occ = tokens(pl.LazyFrame({"text": texts}), "text", [])
    firsts = occ.occurrences().collect().unique([DOC, TERM], keep="first", maintain_order=True)
    got = firsts.group_by(DOC, maintain_order=True).agg(occ.shown(pl.col(SURFACE)).alias(SURFACE))
    full = pl.DataFrame({DOC: range(len(texts))}, schema={DOC: pl.UInt32}).join(
        got, on=DOC, how="left", maintain_order="left")
    return [terms or [] for terms in full[SURFACE].to_list()]


def masked(text: pl.Expr) -> pl.Expr:
    """A comment shown as an example: e-mail addresses and phone numbers masked, spaces
    collapsed, at most 280 characters."""
    short = (text.cast(pl.String).str.replace_all(EMAIL, "[email]")
             .str.replace_all(PHONE, "[phone]").str.replace_all(r"\s+", " ").str.strip_chars())
    return (pl.when(short.str.len_chars() > 280)
            .then(short.str.slice(0, 279).str.strip_chars_end() + "…").otherwise(short))
