"""Text normalisation shared by ingest, retrieval, verification and evaluation.

Quotes are matched after NFKC (ligatures such as "ﬁ" become "fi"), case folding, unified
quote/dash characters and collapsed whitespace; `find_quote` maps a match back to offsets in
the original text so a citation can be highlighted where it really is.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
        "\u00ad": "",
    }
)
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")


def _norm_char_map(text: str) -> tuple[str, list[int]]:
    """Normalise text and return, for each output char, the index of its source char."""
    out: list[str] = []
    src: list[int] = []
    prev_space = True
    for i, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", ch).translate(_TRANSLATE).casefold()
        for c in piece:
            if c.isspace():
                if prev_space:
                    continue
                c = " "
                prev_space = True
            else:
                prev_space = False
            out.append(c)
            src.append(i)
    while out and out[-1] == " ":
        out.pop()
        src.pop()
    return "".join(out), src


def normalize(text: str) -> str:
    """NFKC + casefold + unified punctuation + single spaces."""
    if text.isascii():
        # NFKC and the punctuation table only touch non-ASCII characters: same result, 16x faster.
        return " ".join(text.casefold().split())
    return _norm_char_map(text)[0]


def norm_tokens(text: str) -> list[str]:
    """Word tokens of the normalised text (used for overlap metrics and lexical search)."""
    return _WORD.findall(normalize(text))


def find_quote(haystack: str, quote: str) -> tuple[int, int] | None:
    """Locate `quote` in `haystack` tolerating case/whitespace/ligature/quote-mark differences.

    Returns (start, end) offsets into the original `haystack`, or None when absent.
    Leading/trailing punctuation and ellipses of the quote are ignored.
    """
    q = normalize(quote).strip(" .,;:\"'…-")
    if len(q) < 3:
        return None
    norm, src = _norm_char_map(haystack)
    pos = norm.find(q)
    if pos < 0:
        return None
    return src[pos], src[pos + len(q) - 1] + 1


def _hits(tokens: list[str], pool_tokens: list[str]) -> int:
    """How many of `tokens` (multiset) occur in `pool_tokens`."""
    pool: dict[str, int] = {}
    for t in pool_tokens:
        pool[t] = pool.get(t, 0) + 1
    hit = 0
    for t in tokens:
        if pool.get(t, 0) > 0:
            pool[t] -= 1
            hit += 1
    return hit


def token_overlap(a: str, b: str) -> float:
    """Share of the shorter text's tokens that occur in the other (multiset), 0..1."""
    ta, tb = norm_tokens(a), norm_tokens(b)
    if not ta or not tb:
        return 0.0
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return _hits(short, long_) / len(short)


def coverage(quote: str, chunk: str) -> float:
    """Share of the quote's tokens (multiset) found in the chunk, 0..1."""
    tq = norm_tokens(quote)
    return _hits(tq, norm_tokens(chunk)) / len(tq) if tq else 0.0


_SENT_END = re.compile(
    r"(?<=[.!?;])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9•\-*])|\n\s*\n|\n(?=\s*[-*•]\s)|\n(?=\s*\d+[.)]\s)"
    # structured lines end a sentence too: "key: value" (front matter, forms), table rows, headings
    r"|\n(?=\s*[A-Za-z][\w ./()-]{0,40}:\s)|\n(?=\s*\|)|\n(?=\s*#)|\n(?=---)"
)
_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|cf|no|art|fig|sec|p|pp|approx|incl|dr|mr|ms|inc|ltd|co)\.|\b[A-Z]\.|\b\d+\.)$",
    re.I,
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`; bullets and blank-line breaks end a sentence too."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        cut = m.start()
        if _ABBREV.search(text[max(start, cut - 12) : cut]) and not m.group(0).startswith("\n"):
            continue
        if text[start:cut].strip():
            spans.append(_trim(text, start, cut))
        start = m.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
