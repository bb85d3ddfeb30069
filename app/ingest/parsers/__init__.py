"""Parsers: one per format, each turning a file's bytes into pages of text.

A parser returns `Page`s; formats without pages (HTML, Markdown, text) return one. Parser
modules are imported on first use (pypdf, python-docx and BeautifulSoup take a while to
load), so a run that finds every file unchanged never loads them. Adding a format means
adding a module here and a line in `PARSERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import PurePath

from app.ingest.parsers.base import Page, ParseError

Parser = Callable[[bytes], list[Page]]

# extension -> "module:function" under app.ingest.parsers
PARSERS: dict[str, str] = {
    ".md": "text:parse_markdown",
    ".markdown": "text:parse_markdown",
    ".txt": "text:parse_text",
    ".html": "html:parse_html",
    ".htm": "html:parse_html",
    ".pdf": "pdf:parse_pdf",
    ".docx": "docx:parse_docx",
    ".csv": "data:parse_csv",
    ".tsv": "data:parse_csv",
    ".json": "data:parse_json",
}


def is_supported(name: str) -> bool:
    """Whether a file name's extension has a parser."""
    return PurePath(name).suffix.lower() in PARSERS


def parser_for(name: str) -> Parser | None:
    """The parser for a file name's extension, or None when the format is not supported."""
    target = PARSERS.get(PurePath(name).suffix.lower())
    if target is None:
        return None
    module, function = target.split(":")
    parser: Parser = getattr(import_module(f"{__name__}.{module}"), function)
    return parser


__all__ = ["PARSERS", "Page", "ParseError", "Parser", "is_supported", "parser_for"]
