"""The chat UI in a real browser against real backends (see conftest.py for the set-up)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from e2e_helpers import (
    AXE_JS,
    DEDUCTIBLE,
    PARENTAL,
    Backend,
    axe_violations,
    last_answer,
    screenshot,
    wait_for_answer,
)
from fakes.openai_server import FakeOpenAI
from fakes.threaded import wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip(
    "playwright.sync_api", reason="the Python `playwright` package is not installed"
).expect

pytestmark = pytest.mark.e2e


def ask_example(page: Page, question: str) -> None:
    page.get_by_role("button", name=question).click()


def test_answer_streams_with_citations_and_evidence(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url)
    expect(
        page.get_by_role("heading", name=re.compile("Cairnwood Outdoor Co. handbook"))
    ).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("No language model is configured")
    screenshot(page, "01-empty-chat")

    ask_example(page, DEDUCTIBLE)
    answer = last_answer(page)
    expect(answer.get_by_role("list", name="Citations")).to_be_visible()
    wait_for_answer(page)
    expect(answer).to_contain_text("$1,000")
    citations = answer.get_by_role("link", name=re.compile(r"^Citation \d+: "))
    expect(citations.first).to_have_text("1")
    expect(citations.first).to_have_attribute("href", "/content/health-plans.pdf#page=2")
    # The same source keeps its number wherever it is cited.
    numbers = {}
    for index in range(citations.count()):
        link = citations.nth(index)
        ref = link.get_attribute("data-citation")
        numbers.setdefault(ref, link.inner_text())
        assert numbers[ref] == link.inner_text()
    assert sorted(numbers.values()) == [str(n) for n in range(1, len(numbers) + 1)]
    expect(answer.get_by_role("list", name="Citations").get_by_role("listitem")).to_have_count(
        len(numbers)
    )
    expect(page.get_by_role("status").filter(has_text="Answer complete.")).to_have_count(1)
    screenshot(page, "02-answer-with-citations")

    citations.first.click()
    panel = page.get_by_role("dialog", name="Evidence")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("tab", name="Document")).to_have_attribute("aria-selected", "true")
    frame = panel.locator("iframe")
    # Fetched with the caller's token, shown from a blob: URL (PDFs cannot be sandboxed).
    expect(frame).to_have_attribute("src", re.compile(r"^blob:http://127\.0\.0\.1:\d+/.+#page=2$"))
    expect(frame).to_have_attribute("title", "Cited document: health-plans.pdf#page=2")
    page.wait_for_timeout(1000)  # let the PDF viewer paint for the screenshot; not asserted
    screenshot(page, "03-evidence-document")

    panel.get_by_role("tab", name="Supporting content").click()
    supporting = panel.get_by_role("tabpanel")
    expect(supporting.get_by_role("heading", name="health-plans.pdf#page=2")).to_be_visible()
    expect(supporting).to_contain_text("Deductibles")
    screenshot(page, "04-evidence-supporting")

    # Keyboard: the arrow key moves to the next tab.
    page.keyboard.press("ArrowRight")
    thoughts = panel.get_by_role("tabpanel")
    expect(panel.get_by_role("tab", name="Thought process")).to_be_focused()
    expect(thoughts.get_by_role("heading", name="Search query")).to_be_visible()
    expect(thoughts.get_by_role("heading", name="Search results")).to_be_visible()
    expect(thoughts.locator("pre").first).to_contain_text('"sourcepage"')
    screenshot(page, "05-evidence-thoughts")

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    # The document route serves the cited file.
    other = answer.get_by_role("list", name="Citations").get_by_role("link").last
    href = other.get_attribute("href")
    assert href
    assert href.startswith("/content/")
    response = page.request.get(offline_backend.url + href.split("#")[0])
    assert response.status == 200


def test_followup_chip_asks_next_question(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url)
    ask_example(page, PARENTAL)
    chips = page.get_by_role("group", name="Follow-up questions").get_by_role("button")
    expect(chips.first).to_be_visible()
    wait_for_answer(page)
    question = chips.first.inner_text()
    chips.first.click()
    turns = page.get_by_role("list", name="Conversation").locator(":scope > li")
    expect(turns).to_have_count(2)
    expect(turns.nth(1)).to_contain_text(question)
    wait_for_answer(page)
    expect(turns.nth(1).get_by_role("list", name="Citations")).to_be_visible()


def test_conversation_reopens_from_history_after_reload(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url)
    ask_example(page, PARENTAL)
    wait_for_answer(page)
    page.get_by_role("button", name="Clear chat").click()
    ask_example(page, DEDUCTIBLE)
    wait_for_answer(page)

    page.reload()
    history = page.get_by_role("complementary", name="Conversations")
    items = history.get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(DEDUCTIBLE)  # most recent first
    expect(page.get_by_role("list", name="Conversation")).to_have_count(0)

    history.get_by_role("button", name=re.compile("^" + re.escape(PARENTAL))).click()
    turns = page.get_by_role("list", name="Conversation").locator(":scope > li")
    expect(turns).to_have_count(1)
    expect(turns.first).to_contain_text("14 weeks")
    expect(turns.first.get_by_role("list", name="Citations")).to_be_visible()

    history.get_by_role("button", name=f"Delete conversation: {PARENTAL}").click()
    page.get_by_role("alertdialog", name="Delete this conversation?").get_by_role(
        "button", name="Delete", exact=True
    ).click()
    expect(items).to_have_count(1)
    expect(page.get_by_role("list", name="Conversation")).to_have_count(0)


def test_stop_ends_the_stream_and_the_model_call(
    new_page, model_backend: Backend, fake_openai: FakeOpenAI
) -> None:
    page = new_page(model_backend.url)
    expect(page.get_by_role("note")).to_have_count(0)  # a language model is configured
    page.get_by_label("Your question").fill("How long is parental leave?")
    page.keyboard.press("Enter")

    answer = last_answer(page)
    expect(answer).to_contain_text("More detail follows.")  # text arrives while streaming
    expect(answer.locator("[aria-busy=true]")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Writing the answer")).to_have_count(1)
    screenshot(page, "06-streaming")
    stream = fake_openai.streams[-1]
    assert stream.closed_early_at is None
    page.get_by_role("button", name="Stop").click()

    expect(answer).to_contain_text("Stopped")
    expect(answer.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    # The backend closed its call to the model when the browser hung up.
    closed = wait_until(lambda: stream.closed_early_at is not None, timeout=15)
    assert closed, "the model stream was not closed"
    assert wait_until(lambda: fake_openai.open_streams == 0, timeout=15)
    text = answer.inner_text()
    page.wait_for_timeout(500)
    assert answer.inner_text() == text  # nothing more arrives


def test_model_error_is_shown_and_retry_recovers(
    new_page, model_backend: Backend, fake_openai: FakeOpenAI
) -> None:
    # The query rewrite fails first and falls back to the question; then the answer fails.
    fake_openai.fail_next("500", times=2)
    page = new_page(model_backend.url)
    page.get_by_label("Your question").fill("How long is parental leave?")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("returned an error")
    screenshot(page, "07-error")

    page.get_by_role("button", name="Retry").click()
    expect(alert).to_have_count(0)
    expect(last_answer(page)).to_contain_text("14 weeks")
    page.get_by_role("button", name="Stop").click()


def test_unreachable_model_gets_a_plain_error_and_retry(
    new_page, unreachable_backend: Backend
) -> None:
    page = new_page(unreachable_backend.url)
    responses = []
    page.on("response", lambda r: responses.append(r.status) if "/chat/stream" in r.url else None)
    ask_example(page, PARENTAL)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("could not be reached")
    expect(alert).to_contain_text(re.compile(r"Reference: [0-9a-f]{8,}"))  # X-Request-ID
    retry = page.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    retry.click()
    expect(page.get_by_role("list", name="Conversation").locator(":scope > li")).to_have_count(1)
    expect(alert).to_contain_text("could not be reached")
    assert responses == [503, 503]


def test_settings_panel_shows_supported_options_and_persists(
    new_page, offline_backend: Backend
) -> None:
    page = new_page(offline_backend.url)
    page.get_by_role("button", name="Developer settings").click()
    dialog = page.get_by_role("dialog", name="Developer settings")
    expect(dialog).to_be_visible()
    # Offline: local embeddings, so text, vector or hybrid retrieval; no semantic ranker,
    # prompt template or language picker.
    expect(dialog.get_by_role("radio")).to_have_count(3)
    expect(dialog.get_by_label("Use the semantic ranker")).to_have_count(0)
    expect(dialog.get_by_label("Prompt template")).to_have_count(0)
    expect(dialog.get_by_label("Answer language")).to_have_count(0)
    top = dialog.get_by_label("Number of sources to retrieve")
    top.fill("99")
    top.press("Tab")
    expect(top).to_have_value("50")
    top.fill("2")
    top.press("Tab")
    screenshot(page, "08-settings-offline")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.reload()
    page.get_by_role("button", name="Developer settings").click()
    expect(dialog.get_by_label("Number of sources to retrieve")).to_have_value("2")
    page.keyboard.press("Escape")
    with page.expect_request("**/chat/stream") as request:
        ask_example(page, PARENTAL)
    assert request.value.post_data_json["context"]["overrides"]["top"] == 2
    wait_for_answer(page)


def test_settings_offer_the_language_picker_with_a_model(new_page, model_backend: Backend) -> None:
    page = new_page(model_backend.url)
    page.get_by_role("button", name="Developer settings").click()
    dialog = page.get_by_role("dialog", name="Developer settings")
    expect(dialog.get_by_label("Answer language")).to_be_visible()
    expect(dialog.get_by_role("radio")).to_have_count(3)  # local embeddings: three modes
    screenshot(page, "08-settings-with-model")


def test_ask_page(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url)
    page.get_by_role("link", name="Ask").click()
    expect(page.get_by_role("heading", name="Ask one question")).to_be_visible()
    with page.expect_request("**/ask/stream"):
        ask_example(page, "What's the hotel limit in a big city?")
    wait_for_answer(page)
    answer = last_answer(page)
    expect(answer.get_by_role("list", name="Citations")).to_be_visible()
    answer.get_by_role("button", name="Supporting content").click()
    panel = page.get_by_role("dialog", name="Evidence")
    expect(panel.get_by_role("tab", name="Supporting content")).to_have_attribute(
        "aria-selected", "true"
    )
    screenshot(page, "09-ask")


def test_dark_theme_toggle_and_phone_layout(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url, color_scheme="dark")
    background = "getComputedStyle(document.body).backgroundColor"
    dark = page.evaluate(background)
    page.get_by_role("button", name="Switch to light theme").click()
    assert page.evaluate(background) != dark
    page.get_by_role("button", name="Switch to dark theme").click()
    assert page.evaluate(background) == dark
    ask_example(page, DEDUCTIBLE)
    wait_for_answer(page)
    screenshot(page, "10-dark-theme")

    phone = new_page(offline_backend.url, width=390, height=844, is_mobile=True, has_touch=True)
    screenshot(phone, "11-phone-empty")
    ask_example(phone, PARENTAL)
    wait_for_answer(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "12-phone-answer")
    last_answer(phone).get_by_role("link", name=re.compile("^Citation 1:")).first.click()
    drawer = phone.get_by_role("dialog", name="Evidence")
    expect(drawer).to_be_visible()
    box = drawer.bounding_box()
    assert box
    assert box["width"] <= 390
    screenshot(phone, "13-phone-evidence")
    drawer.get_by_role("button", name="Close evidence").click()
    expect(drawer).to_be_hidden()
    phone.get_by_role("button", name="History").click()
    expect(phone.get_by_role("dialog", name="Conversations")).to_be_visible()
    screenshot(phone, "14-phone-history")


def test_keyboard_only_question_and_citation(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url)
    expect(page.get_by_role("button", name=PARENTAL)).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the question box")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your question")).to_be_focused()
    assert page.evaluate("location.hash") == ""  # the skip link does not change the route
    page.keyboard.type(PARENTAL)
    page.keyboard.press("Enter")
    wait_for_answer(page)
    citation = last_answer(page).get_by_role("link", name=re.compile("^Citation 1:")).first
    citation.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Evidence")
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_accessibility_scan(new_page, offline_backend: Backend) -> None:
    if not AXE_JS.is_file():
        pytest.skip("axe-core is not installed (cd frontend && npm ci)")
    page = new_page(offline_backend.url)
    expect(page.get_by_role("button", name=PARENTAL)).to_be_visible()
    assert axe_violations(page) == []
    ask_example(page, PARENTAL)
    wait_for_answer(page)
    assert axe_violations(page) == []
    last_answer(page).get_by_role("link", name=re.compile("^Citation 1:")).first.click()
    page.get_by_role("dialog", name="Evidence").get_by_role("tab", name="Thought process").click()
    assert axe_violations(page) == []

    dark = new_page(offline_backend.url, color_scheme="dark")
    ask_example(dark, DEDUCTIBLE)
    wait_for_answer(dark)
    assert axe_violations(dark) == []


def test_api_docs_render_with_nothing_from_outside(browser, offline_backend: Backend) -> None:
    """`/docs` is Swagger UI served by the app itself: with every other host cut off, it
    still lists the API's operations."""
    context = browser.new_context()
    outside: list[str] = []

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(offline_backend.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        page = context.new_page()
        page.route("**/*", only_local)
        page.goto(offline_backend.url + "/docs")
        expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
        expect(page.get_by_text("/chat/stream", exact=True)).to_be_visible()
        assert outside == []
    finally:
        context.close()
