"""Ingestion: parsers, splitter, the incremental pipeline and the CLI, on the local backend."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from app.ingest.__main__ import main
from app.ingest.parsers import Page, ParseError, parser_for
from app.ingest.parsers.html import parse_html
from app.ingest.parsers.pdf import parse_pdf
from app.ingest.splitter import split_pages
from app.search import SearchOptions
from app.search.local import LocalIndex
from app.tokens import count_tokens


def make_pdf(pages: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def test_html_keeps_headings_lists_and_tables() -> None:
    html = b"""<!doctype html><html><head><title>PTO</title><style>p{}</style></head><body>
    <nav>Home | About</nav><h1>Time off</h1><p>Accrual depends on <b>tenure</b>.</p>
    <p>Line one<br>line two.</p>
    <table><caption>Accrual</caption><tr><th>Years</th><th>Days</th></tr>
    <tr><td>0-2</td><td>15</td></tr><tr><td>3+</td><td>18 | more</td></tr></table>
    <ul><li>Carry over 40 hours.</li></ul><script>alert(1)</script></body></html>"""
    [page] = parse_html(html)
    assert page.text.split("\n\n") == [
        "# Time off",
        "Accrual depends on tenure.",
        "Line one line two.",
        "Accrual",
        "| Years | Days |\n|---|---|\n| 0-2 | 15 |\n| 3+ | 18 / more |",
        "- Carry over 40 hours.",
    ]
    assert "alert" not in page.text
    assert "Home" not in page.text


def test_pdf_pages_are_numbered() -> None:
    pages = parse_pdf(make_pdf(["First page about plans.", "Second page with deductibles."]))
    assert [(p.number, p.text.strip()) for p in pages] == [
        (1, "First page about plans."),
        (2, "Second page with deductibles."),
    ]


def test_bad_pdfs_raise_parse_error_with_a_reason() -> None:
    with pytest.raises(ParseError, match="not a PDF"):
        parse_pdf(b"\x00\x01binary junk")
    with pytest.raises(ParseError, match="corrupt"):
        parse_pdf(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf(["secret"]))))
    writer.encrypt("password")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ParseError, match="encrypted"):
        parse_pdf(buffer.getvalue())


def test_parser_registry() -> None:
    assert parser_for("a/B.MD") is not None
    assert parser_for("x.pdf") is parse_pdf
    assert parser_for("x.exe") is None
    with pytest.raises(ParseError, match="binary"):
        parser_for("x.txt")(b"\x00\x00\x00")  # type: ignore[misc]


def test_splitter_respects_token_limit_and_keeps_all_words() -> None:
    sentences = [f"Sentence number {i} talks about benefit {i * 7}." for i in range(300)]
    text = (
        "## Section\n\n"
        + " ".join(sentences)
        + "\n\n| A | B |\n|---|---|\n"
        + "\n".join(f"| {i} | x |" for i in range(200))
    )
    chunks = split_pages([Page(text, 3)], max_tokens=120, overlap_tokens=20)
    assert len(chunks) > 5
    assert all(c.page == 3 for c in chunks)
    assert all(count_tokens(c.text) <= 120 for c in chunks)
    joined = " ".join(c.text for c in chunks)
    assert all(s in joined for s in sentences)
    table_parts = [c.text for c in chunks if "| 150 | x |" in c.text]
    assert table_parts
    assert table_parts[0].startswith("| A | B |\n|---|---|")


def test_splitter_cuts_long_blocks_between_sentences_as_the_answerer_quotes_them() -> None:
    """One sentence rule for both: no cut after "e.g." or "Dr.", so every sentence the
    answerer could quote is whole in some chunk."""
    sentence = "Bring gear, e.g. Tents or stoves, and ask Dr. Reyes about it."
    text = " ".join(f"{sentence} Item {i} follows." for i in range(60))
    chunks = split_pages([Page(text, None)], max_tokens=20, overlap_tokens=0)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text.startswith(("Bring gear", "Item "))
        assert chunk.text.endswith(("about it.", "follows."))


def test_splitter_cuts_a_huge_line_between_words() -> None:
    words = [f"word{i}" for i in range(3000)]
    chunks = split_pages([Page(" ".join(words))], max_tokens=100, overlap_tokens=0)
    assert " ".join(c.text for c in chunks).split() == words


def write_corpus(folder: Path) -> None:
    folder.mkdir()
    (folder / "plans.md").write_text("# Plans\n\nThe Plus plan deductible is $1,000.\n")
    (folder / "leave.html").write_text("<h1>Leave</h1><p>Parental leave lasts 14 weeks.</p>")
    (folder / "guide.pdf").write_bytes(
        make_pdf(["Intro page.", "Claims are filed within 90 days."])
    )
    (folder / ".hidden.md").write_text("secret")


def search(index_dir: Path, query: str) -> list[str]:
    return asyncio.run(_search(index_dir, query))


async def _search(index_dir: Path, query: str) -> list[str]:
    index = await LocalIndex.open(index_dir / "index.sqlite3")
    try:
        return [
            h.sourcepage for h in await index.search(SearchOptions(query=query, top=5), user=None)
        ]
    finally:
        await index.close()


def test_cli_indexes_skips_unchanged_and_replaces_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "docs"
    write_corpus(corpus)
    monkeypatch.setenv("LOCAL_INDEX_DIR", str(tmp_path / "index"))
    assert main([str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "3 indexed, 0 unchanged, 0 failed" in out
    assert ".hidden.md" not in out
    assert search(tmp_path / "index", "claims filed") == ["guide.pdf#page=2"]
    assert (tmp_path / "index" / "content" / "guide.pdf").read_bytes().startswith(b"%PDF")

    assert main([str(corpus)]) == 0
    assert "0 indexed, 3 unchanged" in capsys.readouterr().out

    (corpus / "plans.md").write_text("# Plans\n\nThe Premier plan deductible is $500.\n")
    assert main([str(corpus), "--category", "benefits"]) == 0
    assert "1 indexed, 2 unchanged" in capsys.readouterr().out
    assert search(tmp_path / "index", "Premier") == ["plans.md"]
    assert search(tmp_path / "index", "Plus") == []

    assert main(["--remove", "plans.md"]) == 0
    assert search(tmp_path / "index", "Premier") == []
    assert not (tmp_path / "index" / "content" / "plans.md").exists()
    assert main(["--remove-all"]) == 0
    assert search(tmp_path / "index", "claims") == []


def test_cli_reports_failures_and_keeps_going(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "docs"
    write_corpus(corpus)
    (corpus / "junk.pdf").write_bytes(b"\x00junk")
    (corpus / "empty.txt").write_text("   \n")
    (corpus / "tool.exe").write_bytes(b"MZ")
    monkeypatch.setenv("LOCAL_INDEX_DIR", str(tmp_path / "index"))
    assert main([str(corpus)]) == 1
    out = capsys.readouterr().out
    assert "failed   junk.pdf (not a PDF" in out
    assert "failed   empty.txt (no text found)" in out
    assert "failed   tool.exe (unsupported format '.exe')" in out
    assert "3 indexed, 0 unchanged, 3 failed" in out
    assert main([str(tmp_path / "missing")]) == 2


def test_cli_refuses_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SEARCH_BACKEND", "azure")
    assert main([]) == 2
    assert "AZURE_SEARCH_ENDPOINT" in capsys.readouterr().err
