"""Splitter properties, checked with hypothesis: nothing lost, limits held, overlap bounded."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.ingest.parsers import Page
from app.ingest.splitter import split_pages
from app.tokens import count_tokens

MAX_TOKENS = 60
OVERLAP = 8

word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
number = st.integers(min_value=0, max_value=99_999).map(str)
sentence = st.lists(st.one_of(word, number), min_size=1, max_size=40).map(
    lambda words: " ".join(words).capitalize() + "."
)
paragraph = st.lists(sentence, min_size=1, max_size=12).map(" ".join)
heading = word.map(lambda w: f"## {w.capitalize()}")
table = st.lists(st.lists(word, min_size=3, max_size=3), min_size=2, max_size=40).map(
    lambda rows: "\n".join(
        ["| A | B | C |", "|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in rows]
    )
)
document = st.lists(st.one_of(paragraph, paragraph, heading, table), min_size=1, max_size=12).map(
    "\n\n".join
)

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def split(text: str) -> list[str]:
    return [
        c.text for c in split_pages([Page(text, 1)], max_tokens=MAX_TOKENS, overlap_tokens=OVERLAP)
    ]


@PROPERTY_SETTINGS
@given(document)
# Found by hypothesis: per-word token counts summed to 60, the joined sentence was 61.
@example(
    "Gnqabgabfexa a a a a a a a aab aab bbbd aabbaa bbaaae bbbwvabj qfbbfbbd bbbdabbaa bbbfbbdabf 0 0."
)
def test_token_limit_holds(text: str) -> None:
    assert all(count_tokens(chunk) <= MAX_TOKENS for chunk in split(text))


@PROPERTY_SETTINGS
@given(document)
def test_no_text_is_lost_and_order_is_kept(text: str) -> None:
    chunks = split(text)
    words = [w for w in text.split() if w not in ("|", "|---|---|---|")]
    emitted = [w for chunk in chunks for w in chunk.split()]
    position = 0
    for w in words:  # every input word appears, in order (overlap may repeat some)
        if w.startswith("##") and w not in emitted:
            continue
        position = emitted.index(w, position) + 1 if w in emitted[position:] else -1
        assert position > 0, f"lost {w!r}"


@PROPERTY_SETTINGS
@given(document)
def test_words_are_never_cut(text: str) -> None:
    vocabulary = set(text.split())
    assert all(w in vocabulary for chunk in split(text) for w in chunk.split())


# Numbered sentences, so a block shared by two chunks is overlap, not a repeated sentence.
unique_document = st.lists(st.lists(word, min_size=1, max_size=25), min_size=1, max_size=40).map(
    lambda sentences: "\n\n".join(
        f"S{i} " + " ".join(words) + "." for i, words in enumerate(sentences)
    )
)


@PROPERTY_SETTINGS
@given(unique_document)
def test_overlap_is_bounded(text: str) -> None:
    chunks = split(text)
    for before, after in itertools.pairwise(chunks):
        earlier = set(before.split("\n\n"))
        shared = []
        for block in after.split("\n\n"):
            if block not in earlier:
                break
            shared.append(block)
        repeated = [b for b in shared if not b.startswith("##")]  # the repeated heading is extra
        assert sum(count_tokens(b) + 1 for b in repeated) <= OVERLAP


def test_a_blob_longer_than_a_chunk_is_cut_on_token_boundaries() -> None:
    blob = "QUJD" * 400
    chunks = split(f"Before. {blob} After.")
    assert "".join(chunks).replace(" ", "").replace("\n", "").count("QUJD") >= 399
    assert all(count_tokens(chunk) <= MAX_TOKENS for chunk in chunks)
