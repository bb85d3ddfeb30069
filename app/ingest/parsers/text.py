"""Plain text and Markdown: already text, kept as written (Markdown headings and tables help
the splitter and the extractive answerer)."""

from __future__ import annotations

from app.ingest.parsers.base import Page, decode_text


def parse_text(data: bytes) -> list[Page]:
    """One page of text, line endings normalised."""
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    return [Page(text)] if text.strip() else []


parse_markdown = parse_text
