"""PDF with pypdf, one `Page` per page so citations can say `file.pdf#page=N`."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from app.ingest.parsers.base import Page, ParseError


def parse_pdf(data: bytes) -> list[Page]:
    """The text of each page; encrypted, corrupt and text-less PDFs raise ParseError."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise ParseError("not a PDF (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ParseError("encrypted PDF")
        pages = [Page(page.extract_text() or "", n) for n, page in enumerate(reader.pages, 1)]
    except FileNotDecryptedError:
        raise ParseError("encrypted PDF") from None
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ParseError(f"corrupt PDF ({type(exc).__name__})") from None
    return [page for page in pages if page.text.strip()]
