"""What every parser returns, and the error it raises for a file it cannot read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Page:
    """The text of one page; `number` is 1-based, or None for formats without pages."""

    text: str
    number: int | None = None


class ParseError(Exception):
    """The file cannot be parsed; the message says why, for the ingestion report."""


def decode_text(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else Latin-1; NUL bytes mean not text."""
    if b"\x00" in data[:8192]:
        raise ParseError("binary content, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
