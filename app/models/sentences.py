"""Split chunk text into quotable units: sentences, list items and table rows.

Table rows become "Header: value; Header: value" so that a row quoted on its own still says
what its numbers mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9$])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "no.", "mr.", "ms.", "dr.", "st.", "inc.", "u.s.")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")
_DOT_LEADER = re.compile(r"(\.\s?){5,}")
_RULE = re.compile(r"^[-=_*~#\s]{3,}$")


def quotable_units(text: str) -> Iterator[str]:
    """Yield the sentences, list items and table rows of `text`, in order.

    Table-of-contents lines (dot leaders) are left out: they match many words and say nothing.
    """
    header: list[str] | None = None
    paragraph: list[str] = []
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if line.startswith("|"):
            yield from _sentences(" ".join(paragraph))
            paragraph = []
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if _TABLE_RULE.match(line):
                continue
            if header is None:
                header = cells
            else:
                yield _row(header, cells)
            continue
        header = None
        if _DOT_LEADER.search(line):
            line = ""  # a table-of-contents line: ends the paragraph, quotes nothing
        if not line or line.startswith("#") or _BULLET.match(line) or _is_structure(line):
            yield from _sentences(" ".join(paragraph))
            # A list item starts a paragraph of its own; wrapped lines that follow continue it.
            paragraph = [_BULLET.sub("", line)] if _BULLET.match(line) else []
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


def _sentences(paragraph: str) -> Iterator[str]:
    pending = ""
    for part in _SENTENCE_END.split(paragraph):
        pending = f"{pending} {part}".strip() if pending else part.strip()
        if pending and not pending.lower().endswith(_ABBREVIATIONS):
            yield pending
            pending = ""
    if pending:
        yield pending


def _row(header: list[str], cells: list[str]) -> str:
    pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False) if c]
    return "; ".join(pairs) + "."
