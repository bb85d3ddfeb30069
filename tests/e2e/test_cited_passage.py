"""The evidence panel opens a cited document at the passage the answer quotes, highlighted.

HTML, Markdown and text documents are rebuilt (sanitized) with the passage in `<mark>` and framed
at `#cited-passage`; a PDF opens at its cited page with the passage shown beside it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from e2e_helpers import AXE_JS, Backend, axe_violations, last_answer, screenshot, wait_for_answer

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

expect = pytest.importorskip(
    "playwright.sync_api", reason="the Python `playwright` package is not installed"
).expect

pytestmark = pytest.mark.e2e

BLOB = r"^blob:http://127\.0\.0\.1:\d+/[0-9a-f-]+"


def words(text: str) -> str:
    """Letters and digits only, lower-cased: how the passage is compared with the document."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def ask(page: Page, question: str) -> Locator:
    """Ask `question` in the chat box and wait for the whole answer."""
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    wait_for_answer(page)
    return last_answer(page)


def quoted_before(answer: Locator, ref: str) -> str:
    """What the answer says right before its first citation of `ref`: the passage it quotes.

    The text of the citation's paragraph or list item, from the citation before it (if any).
    """
    # One evaluation from the turn (which stays put): the answer's Markdown may re-render.
    text: str = answer.evaluate(
        """(turn, ref) => {
            const link = [...turn.querySelectorAll("a[data-citation]")]
                .find((a) => a.dataset.citation === ref);
            const block = link?.closest("li, p");
            if (!block) return "";
            const walker = document.createTreeWalker(block, NodeFilter.SHOW_ALL);
            let said = "";
            for (let node = walker.nextNode(); node && node !== link; node = walker.nextNode()) {
                if (node.nodeType === Node.ELEMENT_NODE && node.matches("a[data-citation]"))
                    said = "";
                else if (node.nodeType === Node.TEXT_NODE && !node.parentElement.closest("a[data-citation]"))
                    said += node.data;
            }
            return said;
        }""",
        ref,
    )
    return text.strip()


def open_citation(page: Page, answer: Locator, ref: str) -> Locator:
    """Click the answer's first citation of `ref`; the evidence panel it opens."""
    answer.locator(f'a[data-citation="{ref}"]').first.click()
    panel = page.get_by_role("dialog", name="Evidence")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("tab", name="Document")).to_have_attribute("aria-selected", "true")
    return panel


@pytest.mark.parametrize(
    ("question", "ref"),
    [
        ("What is the hotel limit in high-cost cities?", "expense-travel-policy.md"),
        ("How many weeks of parental leave do I get?", "pto-leave-policy.html"),
        ("How much does a replacement badge cost?", "onboarding-faq.txt"),
    ],
    ids=["markdown", "html", "text"],
)
def test_document_opens_scrolled_to_the_highlighted_passage(
    new_page, offline_backend: Backend, question: str, ref: str
) -> None:
    page = new_page(offline_backend.url)
    answer = ask(page, question)
    # The offline answer quotes the documents word for word, each sentence with its citation.
    quote = quoted_before(answer, ref)
    assert len(words(quote)) >= 16, f"no sentence quoted from {ref}: {answer.inner_text()!r}"

    panel = open_citation(page, answer, ref)
    frame = panel.get_by_title(f"Cited document: {ref}")
    expect(frame).to_have_attribute("src", re.compile(BLOB + "#cited-passage$"))
    expect(frame).to_have_attribute("sandbox", "")
    expect(frame).to_be_in_viewport()
    document = panel.frame_locator("iframe")
    target = document.locator("mark#cited-passage")
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()
    expect(document.locator("script")).to_have_count(0)

    # The mark starts the quoted sentence, and the marks hold the whole of it.
    marked = words("".join(document.locator("mark").all_inner_texts()))
    assert words(target.inner_text()), "the target mark is empty"
    assert words(quote).startswith(words(target.inner_text())), (target.inner_text(), quote)
    assert words(quote) in marked, (marked, quote)
    # Opened at the passage, not at the top: each of these passages is far down its document.
    content = frame.element_handle().content_frame()
    assert content is not None
    assert content.evaluate("scrollY") > 0
    # Nothing says it was not found.
    expect(panel.get_by_role("region", name="Cited passage")).to_have_count(0)
    if AXE_JS.is_file():
        assert axe_violations(page) == []
    screenshot(page, f"cited-passage-{ref.replace('.', '-')}")


def test_pdf_opens_at_the_page_with_the_passage_beside_it(
    new_page, offline_backend: Backend
) -> None:
    page = new_page(offline_backend.url)
    answer = ask(page, "What is the deductible on the Plus plan?")
    ref = "health-plans.pdf#page=2"
    quote = quoted_before(answer, ref)
    assert len(words(quote)) >= 16, f"no sentence quoted from {ref}: {answer.inner_text()!r}"

    panel = open_citation(page, answer, ref)
    frame = panel.get_by_title(f"Cited document: {ref}")
    # PDFs cannot be sandboxed (Chrome's viewer refuses to run so); the blob is typed as a PDF.
    expect(frame).to_have_attribute("src", re.compile(BLOB + "#page=2$"))
    assert frame.get_attribute("sandbox") is None
    passage = panel.get_by_role("region", name="Cited passage")
    expect(passage).to_be_visible()
    expect(passage).to_be_in_viewport()
    expect(passage).to_contain_text("deductible")
    # The box is scrolled to its first mark; the sentence quoted before the citation is marked.
    marks = passage.locator("mark")
    expect(marks.first).to_be_in_viewport()
    marked = [words(text) for text in marks.all_inner_texts()]
    assert words(quote) in marked, (marked, quote)
    if AXE_JS.is_file():
        assert axe_violations(page) == []
    page.wait_for_timeout(1000)  # let the PDF viewer paint for the screenshot; not asserted
    screenshot(page, "cited-passage-pdf")


def test_phone_drawer_shows_the_highlighted_passage(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url, width=390, height=844, is_mobile=True, has_touch=True)
    answer = ask(page, "How many weeks of parental leave do I get?")
    ref = "pto-leave-policy.html"
    quote = quoted_before(answer, ref)
    panel = open_citation(page, answer, ref)
    target = panel.frame_locator("iframe").locator("mark#cited-passage")
    expect(target).to_be_in_viewport()
    assert words(target.inner_text()), "the target mark is empty"
    assert words(quote).startswith(words(target.inner_text())), (target.inner_text(), quote)
    screenshot(page, "cited-passage-phone")
