"""Small text helpers shared by retrieval and the extractive answerer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import Stemmer

# Common English words that carry no meaning for retrieval.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    tell please know get got give many much also may might must shall us let lets i'm i've
    what's whats doesn't dont don't""".split()  # noqa: SIM905
)

_APOSTROPHE = "\u2019"  # typographic apostrophe, as in "employee\u2019s"
# "401k" and "401(k)" both become "401" + "k": split where digits meet letters.
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_WORD = re.compile(rf"[\w'{_APOSTROPHE}-]+", re.UNICODE)
# A sentence ends at . ! or ? (and any closing quote or bracket) before what starts one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9$])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "no.", "mr.", "ms.", "dr.", "st.", "inc.", "u.s.")


def keywords(text: str) -> list[str]:
    """The distinct meaningful words of `text`, lower-cased, in order of appearance."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(_DIGIT_LETTER.sub(" ", text.lower())):
        word = match.group().replace(_APOSTROPHE, "'").strip("'-")
        if (len(word) > 1 and word not in STOPWORDS) or word.isdigit():
            seen.setdefault(word, None)
    return list(seen)


_STEMMER = Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem: "contributes" and "contribution" both give "contribut"."""
    return str(_STEMMER.stemWord(word))


def stems(text: str) -> set[str]:
    """The stems of the keywords of `text`."""
    return {stem(word) for word in keywords(text)}


def sentences(paragraph: str) -> Iterator[str]:
    """The sentences of one paragraph, in order; "e.g." and the like end none. The one rule
    for ingestion (chunks cut between sentences) and for the extractive answerer's quotes."""
    pending = ""
    for part in _SENTENCE_END.split(paragraph):
        pending = f"{pending} {part}".strip() if pending else part.strip()
        if pending and not pending.lower().endswith(_ABBREVIATIONS):
            yield pending
            pending = ""
    if pending:
        yield pending
