"""Parsers: one per format, each turning a file's bytes into pages of text.

A parser returns `Page`s; formats without pages (HTML, Markdown, text) return one. Adding a
format means adding a module here and a line in `PARSERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from app.ingest.parsers.base import Page, ParseError
from app.ingest.parsers.data import parse_csv, parse_json
from app.ingest.parsers.docx import parse_docx
from app.ingest.parsers.html import parse_html
from app.ingest.parsers.pdf import parse_pdf
from app.ingest.parsers.text import parse_markdown, parse_text

Parser = Callable[[bytes], list[Page]]

PARSERS: dict[str, Parser] = {
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".txt": parse_text,
    ".html": parse_html,
    ".htm": parse_html,
    ".pdf": parse_pdf,
    ".docx": parse_docx,
    ".csv": parse_csv,
    ".tsv": parse_csv,
    ".json": parse_json,
}


def parser_for(name: str) -> Parser | None:
    """The parser for a file name's extension, or None when the format is not supported."""
    return PARSERS.get(PurePath(name).suffix.lower())


__all__ = ["PARSERS", "Page", "ParseError", "Parser", "parser_for"]
