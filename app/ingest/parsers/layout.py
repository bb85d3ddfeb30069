"""Turn layout-preserving text (pypdf's layout mode) into paragraphs and pipe tables.

Layout mode keeps each table row on one line with its columns separated by runs of spaces.
Three or more consecutive lines that split into the same number (≥2) of such columns are a
table; it becomes a Markdown pipe table whose first line is the header, so the splitter can
keep it whole or repeat its header, and a quoted row still says what its numbers mean.
A short line that starts with a capital, ends without punctuation and follows the end of a
sentence is a heading (`## ...`), so it is not glued to the sentence after it. Other lines
have their runs of spaces folded; blank lines keep separating paragraphs. Page footers such
as "Page 2 of 3" are dropped.
"""

from __future__ import annotations

import re

from app.ingest.parsers.tables import pipe_table

_COLUMN_GAP = re.compile(r"\s{2,}")
_MIN_ROWS = 3
_PAGE_FOOTER = re.compile(r"^(page\s+)?\d+(\s+(of|/)\s+\d+)?$", re.IGNORECASE)
_HEADING_MAX = 60


def layout_to_text(text: str) -> str:
    """Paragraphs and pipe tables from layout-mode text."""
    out: list[str] = []
    pending: list[list[str]] = []
    gap = False  # a blank line seen inside a table candidate (tall rows leave them)
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        cells = _COLUMN_GAP.split(line) if line else []
        if not line and pending:
            gap = True
            continue
        if len(cells) >= 2 and (not pending or len(cells) == len(pending[0])):
            pending.append(cells)
            gap = False
            continue
        _flush(pending, out)
        if gap:
            out.append("")
            gap = False
        pending = [cells] if len(cells) >= 2 else []
        if pending:
            continue
        line = " ".join(line.split())
        if _PAGE_FOOTER.match(line):
            continue
        if _is_heading(line, out[-1] if out else ""):
            out += ["", f"## {line}", ""]
        else:
            out.append(line)
    _flush(pending, out)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def looks_multicolumn(text: str) -> bool:
    """Whether most lines are two long runs of prose side by side (a two-column page)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    split = [_COLUMN_GAP.split(line) for line in lines]
    side_by_side = sum(len(cells) == 2 and min(map(len, cells)) >= 25 for cells in split)
    return side_by_side > 0.4 * len(lines)


def _is_heading(line: str, previous: str) -> bool:
    return (
        len(line) <= _HEADING_MAX
        and line[:1].isupper()
        and line[-1:] not in ".,;:!?"
        and (
            not previous
            or previous.startswith("#")
            or previous[-1:] in ".!?:"
            or previous.startswith("|")
        )
    )


def _flush(rows: list[list[str]], out: list[str]) -> None:
    if len(rows) >= _MIN_ROWS:
        out += ["", pipe_table(rows), ""]  # header cells escaped like the others
    else:
        out += [" ".join(" ".join(row).split()) for row in rows]
    rows.clear()
