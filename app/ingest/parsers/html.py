"""HTML to Markdown-like text: headings as `#`, list items as `-`, tables as pipe tables."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from app.ingest.parsers.base import Page, decode_text
from app.ingest.parsers.tables import pipe_table

_SKIP = ("script", "style", "noscript", "template", "nav", "footer", "svg", "form")
_BLOCKS = ("p", "li", "pre", "blockquote", "dt", "dd", "figcaption", "caption")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def parse_html(data: bytes) -> list[Page]:
    """One page of text from an HTML document."""
    soup = BeautifulSoup(decode_text(data), "html.parser")
    for tag in soup(_SKIP):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    root = soup.body or soup
    lines: list[str] = []
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if title and not root.find("h1"):
        lines.append(f"# {title}")
    for element in root.find_all([*_HEADINGS, *_BLOCKS, "table"]):
        if _inside(element, ("table", *_BLOCKS)):
            continue  # its text is part of an enclosing table or block
        if element.name == "table":
            lines.append(_table(element))
        elif element.name in _HEADINGS:
            lines.append("#" * int(element.name[1]) + " " + _text(element))
        elif element.name == "li":
            lines.append("- " + _text(element))
        else:
            lines.append(_text(element))
    text = "\n\n".join(line for line in lines if line.strip("#- "))
    return [Page(text)] if text.strip() else []


def _text(element: Tag) -> str:
    # No separator: inline tags carry their own spacing ("on <b>tenure</b>." stays "tenure.").
    return " ".join(element.get_text().split())


def _inside(element: Tag, names: tuple[str, ...]) -> bool:
    return any(parent.name in names for parent in element.parents)


def _table(table: Tag) -> str:
    rows = [[_text(cell) for cell in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
    caption = table.find("caption")
    body = pipe_table(rows)
    return f"{_text(caption)}\n\n{body}" if caption and body else body
