"""Write the sample health plan summary PDF used by the demo document corpus.

The PDF describes the fictional Cairnwood Outdoor Co. medical, pharmacy,
dental and vision plans. Each page carries its own set of facts so that
page-level citations such as ``health-plans.pdf#page=2`` point somewhere
meaningful:

* page 1: overview of the three medical plans, networks and contacts;
* page 2: deductibles, copays and out-of-pocket maximums per plan;
* page 3: pharmacy tiers, dental, vision and how to file a claim.

Only the core Helvetica font and latin-1 text are used, so no font files are
needed. The creation date is fixed, so reruns produce identical bytes.

Usage::

    python scripts/make_sample_pdf.py [OUTPUT_PATH]

OUTPUT_PATH defaults to ``data/health-plans.pdf`` in the repository root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "data" / "health-plans.pdf"
CREATION_DATE = dt.datetime(2025, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
EXPECTED_PAGES = 3

DOC_TITLE = "Health Plan Summary, 2025"
COMPANY = "Cairnwood Outdoor Co."

BODY_SIZE = 9.5
LINE_HEIGHT = 4.6
HEADING_FILL = (222, 232, 224)

Section = tuple[str, Sequence[str]]
TableRows = Sequence[Sequence[str]]

# --------------------------------------------------------------------------
# Page 1: overview of the plans
# --------------------------------------------------------------------------

PAGE1_INTRO = (
    "This summary describes the three medical plans that Cairnwood Outdoor Co. offers for the "
    "2025 plan year, which runs from January 1, 2025 to December 31, 2025. All three medical "
    "plans are administered by Bluebrook Health. Monthly premiums and the company HSA "
    "contribution are listed in the Benefits Overview."
)

PAGE1_SECTIONS: list[Section] = [
    (
        "Cairnwood Standard",
        [
            (
                "Cairnwood Standard is a high-deductible health plan (HDHP) that lets you "
                "contribute to a Health Savings Account. It uses the Bluebrook Select network. "
                "Except for preventive care and the preventive drug list, you pay the full "
                "negotiated cost of care and prescriptions until you meet the deductible."
            ),
        ],
    ),
    (
        "Cairnwood Plus",
        [
            (
                "Cairnwood Plus is a preferred provider organization (PPO) plan that also uses "
                "the Bluebrook Select network. Office visits, urgent care, telehealth and "
                "prescriptions are covered with a fixed copay even before you meet the "
                "deductible."
            ),
        ],
    ),
    (
        "Cairnwood Premier",
        [
            (
                "Cairnwood Premier is a PPO plan with the lowest deductible, the lowest copays "
                "and the lowest out-of-pocket maximum. Premier uses the larger Bluebrook Choice "
                "network, which includes every Bluebrook Select provider plus major academic "
                "medical centers in all 50 states."
            ),
        ],
    ),
    (
        "Care that every plan covers at no cost",
        [
            (
                "All three plans cover in-network preventive care at 100%, with no deductible, "
                "copay or coinsurance. Preventive care includes an annual physical, well-child "
                "visits, routine immunizations, screening mammograms and colonoscopies, and "
                "contraception."
            ),
            (
                "Mental health and substance use care is covered the same way as other medical "
                "care, so a therapy visit costs the same as a primary care visit. None of the "
                "plans require a referral to see a specialist."
            ),
        ],
    ),
    (
        "ID cards and member services",
        [
            (
                "Bluebrook Health mails medical ID cards within 10 business days after your "
                "enrollment is processed, and a digital ID card is available in the Bluebrook "
                "Health app right away. Bluebrook member services can be reached at "
                "1-800-555-0199, Monday through Friday, from 6:00 AM to 8:00 PM Mountain Time. "
                "The Bluebrook 24-hour nurse line is 1-800-555-0198."
            ),
        ],
    ),
]

# --------------------------------------------------------------------------
# Page 2: cost sharing
# --------------------------------------------------------------------------

PAGE2_INTRO = (
    "The table shows what you pay for in-network care in 2025. Amounts shown as individual / "
    "family apply per calendar year."
)

COST_TABLE: TableRows = [
    ("In-network benefit", "Standard", "Plus", "Premier"),
    ("Annual deductible", "$3,200 / $6,400", "$1,000 / $2,000", "$250 / $500"),
    (
        "Out-of-pocket maximum",
        "$6,500 / $13,000",
        "$4,000 / $8,000",
        "$2,000 / $4,000",
    ),
    ("Coinsurance after deductible", "20%", "20%", "10%"),
    ("Preventive care", "$0", "$0", "$0"),
    ("Primary care visit", "20% after deductible", "$25 copay", "$10 copay"),
    ("Specialist visit", "20% after deductible", "$50 copay", "$30 copay"),
    ("Therapy visit (mental health)", "20% after deductible", "$25 copay", "$10 copay"),
    ("Telehealth visit", "20% after deductible", "$10 copay", "$0"),
    ("Urgent care", "20% after deductible", "$60 copay", "$40 copay"),
    (
        "Emergency room",
        "20% after deductible",
        "$250 copay, then 20%",
        "$150 copay, then 10%",
    ),
    (
        "Hospital stay",
        "20% after deductible",
        "20% after deductible",
        "10% after deductible",
    ),
    (
        "Lab tests and X-rays",
        "20% after deductible",
        "20% after deductible",
        "10% after deductible",
    ),
]

PAGE2_AFTER_TABLE: list[Section] = [
    (
        "Deductibles and out-of-pocket maximums",
        [
            (
                "On the Standard plan, the in-network deductible is $3,200 for an individual and "
                "$6,400 for a family, and the out-of-pocket maximum is $6,500 for an individual "
                "and $13,000 for a family. On the Plus plan, the in-network deductible is $1,000 "
                "for an individual and $2,000 for a family, and the out-of-pocket maximum is "
                "$4,000 for an individual and $8,000 for a family. On the Premier plan, the "
                "in-network deductible is $250 for an individual and $500 for a family, and the "
                "out-of-pocket maximum is $2,000 for an individual and $4,000 for a family."
            ),
            (
                "On the Plus and Premier plans, the deductible is embedded: each covered person "
                "only has to meet the individual deductible before the plan starts sharing costs "
                "for that person. On the Standard plan, a family must meet the full $6,400 family "
                "deductible before the plan pays for anyone. Copays do not count toward the "
                "deductible, but deductibles, copays and coinsurance all count toward the "
                "out-of-pocket maximum. Once you reach the out-of-pocket maximum, the plan pays "
                "100% of covered in-network care for the rest of the year."
            ),
        ],
    ),
    (
        "Out-of-network care",
        [
            (
                "Out-of-network care has a separate deductible and out-of-pocket maximum. On "
                "Standard, the out-of-network deductible is $6,000 / $12,000 with 40% coinsurance "
                "and an out-of-pocket maximum of $12,000 / $24,000. On Plus, the out-of-network "
                "deductible is $2,000 / $4,000 with 40% coinsurance and an out-of-pocket maximum "
                "of $8,000 / $16,000. On Premier, the out-of-network deductible is $750 / $1,500 "
                "with 30% coinsurance and an out-of-pocket maximum of $5,000 / $10,000. Emergency "
                "room care is always paid at the in-network level, even at an out-of-network "
                "hospital."
            ),
        ],
    ),
]

# --------------------------------------------------------------------------
# Page 3: pharmacy, dental, vision and claims
# --------------------------------------------------------------------------

PAGE3_PHARMACY_INTRO = (
    "Prescription drugs are managed by Meridell Rx for all three medical plans. On Standard, the "
    "copays apply after the deductible, except that drugs on the preventive drug list get them "
    "from the first fill."
)

PHARMACY_TABLE: TableRows = [
    ("Drug tier (30-day supply)", "Standard", "Plus", "Premier"),
    ("Tier 1: generic", "$10 after deductible", "$10", "$5"),
    ("Tier 2: preferred brand", "$40 after deductible", "$35", "$25"),
    ("Tier 3: non-preferred brand", "$75 after deductible", "$70", "$50"),
    (
        "Tier 4: specialty",
        "25% up to $250, after deductible",
        "20% up to $200",
        "10% up to $150",
    ),
]

PAGE3_SECTIONS: list[Section] = [
    (
        "Pharmacy rules",
        [
            (
                "For a 30-day supply on the Plus plan, a generic drug costs $10 and a preferred "
                "brand drug costs $35. On the Premier plan, a generic drug costs $5 and a "
                "preferred brand drug costs $25. A 90-day supply through Meridell Rx Home "
                "Delivery costs two times the 30-day copay. Specialty drugs must be filled "
                "through Meridell Specialty Pharmacy. Insulin costs no more than $25 for a 30-day "
                "supply on every plan. Meridell Rx can be reached at 1-800-555-0177."
            ),
        ],
    ),
    (
        "Dental coverage",
        [
            (
                "Cairnwood Dental is insured by Pinecrest Dental. Preventive care, including two "
                "cleanings and exams per year and routine X-rays, is covered at 100% with no "
                "deductible. Basic services such as fillings, extractions and root canals are "
                "covered at 80% after the deductible, and major services such as crowns, bridges "
                "and implants are covered at 50% after the deductible. The dental deductible is "
                "$50 per person and $150 per family, and the annual maximum benefit is $2,000 per "
                "person. Orthodontia for children under age 19 is covered at 50% up to a $1,500 "
                "lifetime maximum per child."
            ),
        ],
    ),
    (
        "Vision coverage",
        [
            (
                "Cairnwood Vision uses the Brightwater Vision network. You receive one eye exam "
                "every 12 months for a $10 copay and one pair of eyeglass lenses every 12 months "
                "for a $25 copay. Frames are covered up to a $150 allowance every 24 months. "
                "Instead of glasses, you may use a $150 allowance for contact lenses every 12 "
                "months."
            ),
        ],
    ),
    (
        "How to file a claim",
        [
            (
                "In-network providers and pharmacies file claims for you. If you see an "
                "out-of-network provider or receive care outside the United States, file the "
                "claim yourself within 180 days of the date of service. Download the claim form "
                "from the Bluebrook Health app and attach an itemized bill and proof of payment. "
                "Upload the form in the app, or mail it to Bluebrook Health Claims, PO Box 4410, "
                "Boise, ID 83711. Bluebrook processes most claims within 30 days and sends an "
                "Explanation of Benefits. Pharmacy claims go to Meridell Rx within 90 days of "
                "purchase."
            ),
            (
                "If a claim is denied, you may file an appeal within 180 days of the denial "
                "notice, and Bluebrook will decide within 30 days."
            ),
        ],
    ),
]


class SummaryPDF(FPDF):
    """FPDF subclass that draws the running header and footer."""

    def header(self) -> None:
        """Draw the company name and document title at the top of each page."""
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(
            0,
            5,
            f"{COMPANY} {DOC_TITLE}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_draw_color(150, 170, 155)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(4)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        """Draw the page number at the bottom of each page."""
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def page_title(pdf: FPDF, text: str) -> None:
    """Write a large page heading."""
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 7, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def paragraph(pdf: FPDF, text: str) -> None:
    """Write one left-aligned body paragraph followed by a small gap."""
    pdf.set_font("Helvetica", "", BODY_SIZE)
    pdf.multi_cell(0, LINE_HEIGHT, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.6)


def sections(pdf: FPDF, items: Sequence[Section]) -> None:
    """Write a series of headed sections, each with one or more paragraphs."""
    for heading, paragraphs in items:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for text in paragraphs:
            paragraph(pdf, text)


def table(pdf: FPDF, rows: TableRows, col_widths: Sequence[float]) -> None:
    """Write a bordered table whose first row is the heading row."""
    pdf.set_font("Helvetica", "", BODY_SIZE - 0.5)
    with pdf.table(
        col_widths=tuple(col_widths),
        text_align=("LEFT", "CENTER", "CENTER", "CENTER"),
        line_height=LINE_HEIGHT + 0.4,
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
        borders_layout="ALL",
    ) as tbl:
        for values in rows:
            row = tbl.row()
            for value in values:
                row.cell(value)
    pdf.ln(3)


def build_pdf() -> FPDF:
    """Build the three-page health plan summary and return the document."""
    pdf = SummaryPDF(orientation="portrait", unit="mm", format="Letter")
    pdf.set_margins(left=18, top=14, right=18)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(f"{COMPANY} {DOC_TITLE}")
    pdf.set_author(f"{COMPANY} Benefits team")
    pdf.set_subject("Medical, pharmacy, dental and vision plan summary (fictional)")
    pdf.set_keywords("Standard Plus Premier deductible copay pharmacy dental vision")
    pdf.set_creator("scripts/make_sample_pdf.py")
    pdf.set_creation_date(CREATION_DATE)

    pdf.add_page()
    page_title(pdf, "Health Plan Summary of Benefits: Overview of the Plans")
    paragraph(pdf, PAGE1_INTRO)
    sections(pdf, PAGE1_SECTIONS)

    pdf.add_page()
    page_title(pdf, "Deductibles, Copays and Out-of-Pocket Maximums")
    paragraph(pdf, PAGE2_INTRO)
    table(pdf, COST_TABLE, (58, 38, 41, 43))
    sections(pdf, PAGE2_AFTER_TABLE)

    pdf.add_page()
    page_title(pdf, "Pharmacy, Dental, Vision and Claims")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "Pharmacy tiers", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    paragraph(pdf, PAGE3_PHARMACY_INTRO)
    table(pdf, PHARMACY_TABLE, (50, 50, 40, 40))
    sections(pdf, PAGE3_SECTIONS)

    if pdf.pages_count != EXPECTED_PAGES:
        msg = f"expected {EXPECTED_PAGES} pages, got {pdf.pages_count}"
        raise RuntimeError(msg)
    return pdf


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, write the PDF and report where it went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "output",
        nargs="?",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where to write the PDF (default: {DEFAULT_OUTPUT})",
    )
    args = parser.parse_args(argv)
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    build_pdf().output(str(output))
    sys.stdout.write(f"wrote {output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
