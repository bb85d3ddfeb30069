"""Split chunk text into quotable units: sentences, list items and table rows.

Table rows become "Header: value; Header: value" so that a row quoted on its own still says
what its numbers mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.text import sentences

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")
_DOT_LEADER = re.compile(r"(\.\s?){5,}")
_RULE = re.compile(r"^[-=_*~#\s]{3,}$")


@dataclass(frozen=True, slots=True)
class Unit:
    """A quotable unit; `words` is what it says itself, `context` what frames it.

    For a sentence, the context is its section heading. For a table row, the column names are
    context too: "Holiday: Trail Day" matches "holiday" only because of its column, as every
    other row of the table does.
    """

    text: str
    words: str
    context: str


def units_in(text: str) -> Iterator[Unit]:
    """Each quotable unit of `text`, with its own words and its context.

    Table-of-contents lines (dot leaders) are left out: they match many words and say nothing.
    """
    heading = ""
    header: list[str] | None = None
    paragraph: list[str] = []
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if line.startswith("|"):
            yield from (Unit(s, s, heading) for s in sentences(" ".join(paragraph)))
            paragraph = []
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if _TABLE_RULE.match(line):
                continue
            if header is None:
                header = cells
            else:
                yield Unit(_row(header, cells), " ".join(cells), f"{heading} {' '.join(header)}")
            continue
        header = None
        if _DOT_LEADER.search(line):
            line = ""  # a table-of-contents line: ends the paragraph, quotes nothing
        if not line or line.startswith("#") or _BULLET.match(line) or _is_structure(line):
            yield from (Unit(s, s, heading) for s in sentences(" ".join(paragraph)))
            # A list item starts a paragraph of its own; wrapped lines that follow continue it.
            paragraph = [_BULLET.sub("", line)] if _BULLET.match(line) else []
            if line.startswith("#") or (line and not _RULE.match(line) and _is_structure(line)):
                heading = line.lstrip("#").strip()
            continue
        paragraph.append(line)


def sections(text: str) -> Iterator[tuple[str, str]]:
    """(heading, body) for each `##`-or-deeper section of `text`; the document title is skipped."""
    title, body = "", list[str]()
    for line in [*text.splitlines(), "## "]:
        if line.startswith("##"):
            if title:
                yield title, "\n".join(body)
            title, body = line.lstrip("#").strip(), []
        else:
            body.append(line)


def _is_structure(line: str) -> bool:
    """A rule line (`-----`) or a plain-text heading in capitals ("HOW DO I GET MY BADGE?")."""
    if _RULE.match(line):
        return True
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _row(header: list[str], cells: list[str]) -> str:
    pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False) if c]
    return "; ".join(pairs) + "."
