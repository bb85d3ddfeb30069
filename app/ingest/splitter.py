"""Split pages into chunks of about `max_tokens`, on sentence and block boundaries.

Blocks are paragraphs, list items, headings and whole tables. A block that fits in a chunk is
never cut; a longer one is cut between sentences, and a sentence longer than a chunk between
words (a single "word" longer than a chunk is a blob, cut on token boundaries). Consecutive
chunks of a page share their last sentences, up to `overlap_tokens`, so a fact split across a
boundary is still whole in one chunk. The most recent heading is repeated
at the top of a chunk that starts mid-section, so the chunk says what it is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from app.ingest.parsers import Page
from app.text import sentences
from app.tokens import count_tokens, encoding

_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class TextChunk:
    """A chunk of one page."""

    text: str
    page: int | None


def split_pages(
    pages: Sequence[Page], *, max_tokens: int = 500, overlap_tokens: int = 60
) -> list[TextChunk]:
    """Chunks of every page, in order."""
    return [
        TextChunk(text, page.number)
        for page in pages
        for text in _split(page.text, max_tokens, overlap_tokens)
    ]


def _split(text: str, max_tokens: int, overlap_tokens: int) -> Iterator[str]:
    current: list[tuple[str, int]] = []  # (piece, tokens)
    size = 0
    heading = ""
    fresh = False  # whether `current` holds anything not yet emitted
    for piece in _pieces(text, max_tokens):
        tokens = count_tokens(piece) + 1
        if current and size + tokens > max_tokens:
            yield "\n\n".join(p for p, _ in current)
            current = _overlap(current, overlap_tokens)
            if heading and not any(p == heading for p, _ in current):
                current.insert(0, (heading, count_tokens(heading) + 1))
            size = sum(t for _, t in current)
            if size + tokens > max_tokens:  # the carried context does not leave room
                current, size = [], 0
        if piece.startswith("#"):
            heading = piece
        current.append((piece, tokens))
        size += tokens
        fresh = True
    if fresh:
        yield "\n\n".join(p for p, _ in current)


def _pieces(text: str, max_tokens: int) -> Iterator[str]:
    """Blocks that fit, else their sentences, else word runs; never a cut inside a word."""
    for block in _BLANK_LINES.split(text):
        block = block.strip()
        if not block:
            continue
        if count_tokens(block) <= max_tokens:
            yield block
            continue
        lines = block.splitlines()
        if lines[0].startswith("|"):
            yield from _table_parts(lines, max_tokens)
            continue
        for sentence in sentences(" ".join(block.split())):
            if count_tokens(sentence) <= max_tokens:
                yield sentence
            else:
                yield from _word_runs(sentence, max_tokens)


def _table_parts(lines: list[str], max_tokens: int) -> Iterator[str]:
    """A long table in parts, each repeating the header row (and its rule line)."""
    header = lines[:2] if len(lines) > 1 and set(lines[1]) <= set("|-: ") else lines[:1]
    part: list[str] = []
    for line in lines[len(header) :]:
        if part and count_tokens("\n".join(header + part + [line])) > max_tokens:
            yield "\n".join(header + part)
            part = []
        part.append(line)
    if part:
        yield "\n".join(header + part)


def _word_runs(sentence: str, max_tokens: int) -> Iterator[str]:
    # Counting each word on its own (with its leading space) keeps this linear in the length;
    # the count of a joined run can differ by a token or two, so each run is checked exactly.
    words: list[str] = []
    used = 0
    for word in sentence.split():
        tokens = count_tokens(" " + word)
        if tokens > max_tokens:
            # Not a word but a blob (base64, a URL with data): cut it on token boundaries.
            yield from _fitting(words, max_tokens)
            words, used = [], 0
            yield from _token_slices(word, max_tokens)
            continue
        if words and used + tokens > max_tokens:
            yield from _fitting(words, max_tokens)
            words, used = [], 0
        words.append(word)
        used += tokens
    yield from _fitting(words, max_tokens)


def _fitting(words: list[str], max_tokens: int) -> Iterator[str]:
    """`words` joined, in as few runs as fit in `max_tokens` exactly."""
    while words:
        end = len(words)
        while end > 1 and count_tokens(" ".join(words[:end])) > max_tokens:
            end -= 1
        yield " ".join(words[:end])
        words = words[end:]


def _token_slices(blob: str, max_tokens: int) -> Iterator[str]:
    tokens = encoding().encode(blob, disallowed_special=())
    for start in range(0, len(tokens), max_tokens):
        yield encoding().decode(tokens[start : start + max_tokens])


def _overlap(pieces: list[tuple[str, int]], budget: int) -> list[tuple[str, int]]:
    kept: list[tuple[str, int]] = []
    used = 0
    for piece, tokens in reversed(pieces):
        if used + tokens > budget:
            break
        kept.insert(0, (piece, tokens))
        used += tokens
    return kept
