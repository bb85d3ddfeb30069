"""Word documents with python-docx: headings, list items and tables, in document order."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from app.ingest.parsers.base import Page, ParseError
from app.ingest.parsers.tables import pipe_table


def parse_docx(data: bytes) -> list[Page]:
    """One page of text from a .docx file (Word has no fixed pages)."""
    if not data.startswith(b"PK"):
        raise ParseError("not a DOCX (not a zip archive)")
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ParseError(f"not a readable DOCX ({type(exc).__name__})") from None
    blocks = []
    for item in document.iter_inner_content():
        text = _table(item) if isinstance(item, Table) else _paragraph(item)
        if text:
            blocks.append(text)
    text = "\n\n".join(blocks)
    return [Page(text)] if text.strip() else []


def _paragraph(paragraph: Paragraph) -> str:
    text = " ".join(paragraph.text.split())
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if not text:
        return ""
    if style == "Title":
        return f"# {text}"
    if style.startswith("Heading") and style[-1:].isdigit():
        return "#" * min(int(style[-1]) + 1, 6) + " " + text
    if style.startswith("List"):
        return f"- {text}"
    return text


def _table(table: Table) -> str:
    rows = [[" ".join(cell.text.split()) for cell in row.cells] for row in table.rows]
    return pipe_table(rows)
