"""PDF with pypdf, one `Page` per page so citations can say `file.pdf#page=N`.

Text comes from pypdf's layout mode, which keeps table rows on one line, turned into
paragraphs, headings and pipe tables by `layout_to_text`; two-column pages fall back to the
plain mode, which reads each column in order.
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from app.ingest.parsers.base import Page, ParseError
from app.ingest.parsers.layout import layout_to_text, looks_multicolumn


def parse_pdf(data: bytes) -> list[Page]:
    """The text of each page; encrypted, corrupt and text-less PDFs raise ParseError."""
    if data.lstrip()[:5] != b"%PDF-":
        raise ParseError("not a PDF (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ParseError("encrypted PDF")
        pages = [Page(_page_text(page), n) for n, page in enumerate(reader.pages, 1)]
    except FileNotDecryptedError:
        raise ParseError("encrypted PDF") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParseError(f"corrupt PDF ({type(exc).__name__})") from None
    kept = [page for page in pages if page.text.strip()]
    if pages and not kept:
        raise ParseError("no text layer (a scanned PDF needs OCR first)")
    return kept


def _page_text(page: PageObject) -> str:
    layout = page.extract_text(extraction_mode="layout")
    if looks_multicolumn(layout):
        return page.extract_text() or ""
    return layout_to_text(layout)
