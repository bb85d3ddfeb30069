"""Parsers for DOCX, CSV, JSON and PDF tables, on files made by the tests."""

from __future__ import annotations

import io
import json

import docx
import pytest
from fpdf import FPDF

from app.ingest.parsers import ParseError, parser_for
from app.ingest.parsers.data import parse_csv, parse_json
from app.ingest.parsers.docx import parse_docx
from app.ingest.parsers.layout import layout_to_text, looks_multicolumn
from app.ingest.parsers.pdf import parse_pdf
from app.ingest.splitter import split_pages


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Travel policy", level=1)
    document.add_paragraph("Book flights through the travel desk.")
    document.add_paragraph("Keep every receipt.", style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for row, (city, limit) in zip(
        table.rows, [("City", "Hotel limit"), ("Boise", "$175"), ("New York", "$300")], strict=True
    ):
        row.cells[0].text, row.cells[1].text = city, limit
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_keeps_headings_lists_and_tables_in_order() -> None:
    [page] = parse_docx(make_docx())
    assert page.text.split("\n\n") == [
        "## Travel policy",
        "Book flights through the travel desk.",
        "- Keep every receipt.",
        "| City | Hotel limit |\n|---|---|\n| Boise | $175 |\n| New York | $300 |",
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"not a zip at all", "not a DOCX"), (b"PK\x03\x04broken zip", "not a readable DOCX")],
)
def test_mislabelled_docx_is_reported(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_docx(data)


def test_csv_becomes_a_table_split_into_row_groups_with_the_header() -> None:
    rows = ["name;team;extension"] + [f"Person {i};Team {i % 7};{2000 + i}" for i in range(300)]
    [page] = parse_csv("\n".join(rows).encode())
    assert page.text.startswith(
        "| name | team | extension |\n|---|---|---|\n| Person 0 | Team 0 | 2000 |"
    )
    chunks = split_pages([page], max_tokens=200, overlap_tokens=0)
    assert len(chunks) > 3
    assert all(c.text.startswith("| name | team | extension |\n|---|---|---|") for c in chunks)
    assert sum(c.text.count("| Person ") for c in chunks) == 300


def test_json_records_and_nested_documents() -> None:
    records = [
        {"plan": "Plus", "deductible": 1000},
        {"plan": "Premier", "deductible": 250, "hsa": None},
    ]
    [page] = parse_json(json.dumps(records).encode())
    assert page.text == (
        "| plan | deductible | hsa |\n|---|---|---|\n| Plus | 1000 |  |\n| Premier | 250 |  |"
    )
    [nested] = parse_json(b'{"plans": {"plus": {"deductible": 1000}}, "tiers": [5, 25]}')
    assert nested.text.splitlines() == [
        "plans.plus.deductible: 1000",
        "tiers[0]: 5",
        "tiers[1]: 25",
    ]
    with pytest.raises(ParseError, match=r"invalid JSON \(line 2\)"):
        parse_json(b'{"a": 1,\n oops}')


def test_pdf_tables_become_pipe_tables_with_headings() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "The table lists copays for each plan.")
    pdf.ln(4)
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 8, "Copays")
    pdf.ln(10)
    pdf.set_font("Helvetica", size=11)
    with pdf.table() as table:
        for cells in [
            ("Visit", "Plus", "Premier"),
            ("Primary care", "$25", "$10"),
            ("Specialist", "$50", "$30"),
        ]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    [page] = parse_pdf(bytes(pdf.output()))
    assert "| Visit | Plus | Premier |\n|---|---|---|\n| Primary care | $25 | $10 |" in page.text
    assert "## Copays" in page.text


def test_layout_text_rules() -> None:
    text = "Intro sentence.\nShort Title\nBody text follows here.\n\nPage 2 of 9\n"
    assert layout_to_text(text) == "Intro sentence.\n\n## Short Title\n\nBody text follows here."
    two_columns = "\n".join(
        "Left column prose keeps going on here      Right column prose keeps going on too"
        for _ in range(10)
    )
    assert looks_multicolumn(two_columns)
    assert not looks_multicolumn("A  1\nB  2\nPlain prose line without gaps")


def test_layout_tables_use_the_one_table_format_header_included() -> None:
    text = "Plan | tier      Copay\nPlus      $25\nPremier      $10\n"
    assert layout_to_text(text) == (
        "| Plan / tier | Copay |\n|---|---|\n| Plus | $25 |\n| Premier | $10 |"
    )


def test_every_supported_extension_has_a_parser() -> None:
    for name in ("a.pdf", "a.docx", "a.csv", "a.tsv", "a.json", "a.md", "a.txt", "a.html", "a.htm"):
        assert parser_for(name) is not None
