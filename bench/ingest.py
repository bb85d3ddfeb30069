"""Ingestion throughput: pages and MB per second for a generated corpus, then an unchanged re-run.

    python -m bench.ingest [--pdf-pages 1000] [--html-pages 500] [--workers N]

Generates PDFs (10 pages each, prose plus a table per page, written with fpdf2) and HTML
pages into a temporary folder, runs `python -m app.ingest` on it twice into a fresh local
index (no embeddings), and reports both runs. Results go to `bench/results/ingest.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fpdf import FPDF

RESULTS = Path(__file__).resolve().parent / "results" / "ingest.json"
WORDS = """plan coverage deductible premium claim network provider employee benefit policy
travel expense receipt approval manager leave holiday payroll security laptop password report
office remote stipend hotel flight mileage vision dental pharmacy copay annual monthly""".split()  # noqa: SIM905
PAGES_PER_PDF = 10


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + f" costs ${rng.randint(5, 5000):,}."


def make_pdf(path: Path, rng: random.Random) -> None:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for page in range(PAGES_PER_PDF):
        pdf.add_page()
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.cell(0, 8, f"Section {page + 1}: {rng.choice(WORDS).title()} rules")
        pdf.ln(10)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, " ".join(sentence(rng) for _ in range(14)))
        pdf.ln(3)
        with pdf.table(col_widths=(60, 40, 40, 40)) as table:
            for r in range(8):
                row = table.row()
                cells = (
                    ["Item", "Standard", "Plus", "Premier"]
                    if r == 0
                    else [rng.choice(WORDS).title(), *(f"${rng.randint(0, 900)}" for _ in range(3))]
                )
                for cell in cells:
                    row.cell(cell)
        pdf.ln(3)
        pdf.multi_cell(0, 5, " ".join(sentence(rng) for _ in range(6)))
    pdf.output(str(path))


def make_html(path: Path, rng: random.Random, n: int) -> None:
    rows = "".join(
        f"<tr><td>{rng.choice(WORDS)}</td><td>{rng.randint(1, 99)}</td></tr>" for _ in range(6)
    )
    paragraphs = "".join(f"<p>{' '.join(sentence(rng) for _ in range(5))}</p>" for _ in range(6))
    path.write_text(
        f"<!doctype html><html><head><title>Page {n}</title></head><body><h1>Page {n}</h1>"
        f"{paragraphs}<table><tr><th>Item</th><th>Days</th></tr>{rows}</table></body></html>"
    )


def generate(folder: Path, pdf_pages: int, html_pages: int) -> int:
    rng = random.Random(42)
    for i in range(max(1, pdf_pages // PAGES_PER_PDF)):
        make_pdf(folder / f"manual-{i:04d}.pdf", rng)
    for i in range(html_pages):
        make_html(folder / f"page-{i:04d}.html", rng, i)
    return sum(p.stat().st_size for p in folder.iterdir())


def ingest(corpus: Path, index_dir: Path, workers: int) -> float:
    env = {
        **os.environ,
        "LOCAL_INDEX_DIR": str(index_dir),
        "CHAT_PROVIDER": "extractive",
        "SEARCH_BACKEND": "local",
        "OPENAI_EMBED_MODEL": "",
        "AZURE_OPENAI_EMBED_DEPLOYMENT": "",
    }
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app.ingest", str(corpus), "--workers", str(workers)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf-pages", type=int, default=1000)
    parser.add_argument("--html-pages", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        started = time.perf_counter()
        size = generate(corpus, args.pdf_pages, args.html_pages)
        print(
            f"generated {args.pdf_pages} PDF pages + {args.html_pages} HTML pages "
            f"({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
        first = ingest(corpus, index_dir, args.workers)
        second = ingest(corpus, index_dir, args.workers)
    pages = args.pdf_pages + args.html_pages
    result = {
        "pdf_pages": args.pdf_pages,
        "html_pages": args.html_pages,
        "megabytes": round(size / 1e6, 2),
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "first_run_seconds": round(first, 2),
        "pages_per_second": round(pages / first, 1),
        "pdf_pages_per_second_upper_bound": round(args.pdf_pages / first, 1),
        "megabytes_per_second": round(size / 1e6 / first, 2),
        "rerun_seconds": round(second, 2),
        "rerun_fraction": round(second / first, 3),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"first run : {first:6.2f} s  {pages / first:6.1f} pages/s  {size / 1e6 / first:5.2f} MB/s"
    )
    print(f"re-run    : {second:6.2f} s  ({100 * second / first:.1f}% of the first run)")
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
