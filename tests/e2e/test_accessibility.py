"""Accessibility in a real browser: axe-core finds nothing, of any impact, on any screen, in
light and dark and in the Arabic (right-to-left) layout; and the keyboard alone reaches all.

The sign-in screen and the upload dialog need the login stack: test_login.py scans them."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from e2e_helpers import (
    AXE_JS,
    DEDUCTIBLE,
    PARENTAL,
    Backend,
    axe_violations_in,
    choose_language,
    last_answer,
    wait_for_answer,
)
from fakes.openai_server import FakeOpenAI
from fakes.threaded import wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip(
    "playwright.sync_api", reason="the Python `playwright` package is not installed"
).expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not AXE_JS.is_file(), reason="axe-core is not installed (npm ci)"),
]

HOTEL = "What's the hotel limit in a big city?"
CUT_ANSWER = "\n".join(
    json.dumps(line)
    for line in [
        {
            "delta": {"role": "assistant"},
            "context": {"data_points": {"text": [], "citations": []}, "thoughts": []},
            "session_state": None,
        },
        {"delta": {"role": "assistant", "content": "Parental leave is"}},
        {"error": "The language model returned an error."},
    ]
)


class Scanner:
    """Scans the page in one language and collects what axe-core finds, by screen."""

    def __init__(self, page: Page, language: str) -> None:
        self.page = page
        self.language = language
        self.found: dict[str, list[dict[str, Any]]] = {}
        self.screens: list[str] = []

    def __call__(self, screen: str) -> None:
        self.screens.append(screen)
        violations = axe_violations_in(self.page, self.language)
        if violations:
            self.found[screen] = violations


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_has_no_axe_violations(
    new_page, offline_backend: Backend, scheme: str, language: str
) -> None:
    page = new_page(offline_backend.url, color_scheme=scheme)
    scan = Scanner(page, language)
    expect(page.get_by_role("button", name=PARENTAL)).to_be_visible()
    if language != "en":  # the locale's chunk, loaded while online, for the offline screens
        choose_language(page, language)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        choose_language(page, "en")
    scan("chat, empty")

    page.get_by_role("button", name=PARENTAL).click()
    wait_for_answer(page)
    scan("chat, an answer")

    last_answer(page).get_by_role("link", name=re.compile("^Citation 1:")).first.click()
    panel = page.get_by_role("dialog", name="Evidence")
    expect(panel.locator("iframe")).to_have_count(1)
    scan("evidence, document")
    for tab in ("Supporting content", "Thought process"):
        panel.get_by_role("tab", name=tab).click()
        expect(panel.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        scan(f"evidence, {tab.lower()}")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    page.route("**/content/**", lambda route: route.fulfill(status=500, body='{"error": "x"}'))
    last_answer(page).get_by_role("link", name=re.compile("^Citation 1:")).first.click()
    expect(panel.get_by_role("alert")).to_contain_text("HTTP 500")
    scan("evidence, a document that fails")
    page.keyboard.press("Escape")
    page.unroute("**/content/**")

    page.get_by_role("button", name="Developer settings").click()
    expect(page.get_by_role("dialog", name="Developer settings")).to_be_visible()
    scan("settings")
    page.keyboard.press("Escape")

    page.route(
        "**/chat/stream",
        lambda route: route.fulfill(body=CUT_ANSWER, content_type="application/x-ndjson"),
    )
    page.get_by_label("Your question").fill("And for fathers?")
    page.keyboard.press("Enter")
    expect(last_answer(page).get_by_role("alert")).to_contain_text("returned an error")
    scan("chat, an answer cut by an error")
    page.unroute("**/chat/stream")

    page.context.set_offline(True)
    expect(page.get_by_text("You are offline.")).to_be_visible()
    scan("offline banner")
    page.get_by_label("Your question").fill(DEDUCTIBLE)
    page.keyboard.press("Enter")
    expect(last_answer(page).get_by_role("button", name="Don't send")).to_be_visible()
    scan("a question waiting for the network")
    page.context.set_offline(False)
    wait_for_answer(page)

    page.get_by_role("link", name="Ask").click()
    page.get_by_role("button", name=HOTEL).click()
    wait_for_answer(page)
    scan("ask page")

    phone = new_page(offline_backend.url, width=390, height=844, color_scheme=scheme)
    scan_phone = Scanner(phone, language)
    expect(phone.get_by_role("button", name=PARENTAL)).to_be_visible()
    scan_phone("phone, empty")
    phone.get_by_role("button", name="History").click()
    expect(phone.get_by_role("dialog", name="Conversations")).to_be_visible()
    scan_phone("phone, history drawer")

    assert {**scan.found, **scan_phone.found} == {}
    assert len(scan.screens) == 11


def test_keyboard_alone_reaches_history_settings_evidence_followups_and_retry(
    new_page, offline_backend: Backend
) -> None:
    page = new_page(offline_backend.url)
    expect(page.get_by_role("button", name=PARENTAL)).to_be_visible()

    def tab_to(locator, limit: int = 60) -> None:  # type: ignore[no-untyped-def]
        """Press Tab until `locator` has the focus (never clicking it)."""
        for _ in range(limit):
            if locator.evaluate("e => e === document.activeElement"):
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {locator}")

    # An example question, then a follow-up chip.
    tab_to(page.get_by_role("button", name=PARENTAL))
    page.keyboard.press("Enter")
    wait_for_answer(page)
    chips = page.get_by_role("group", name="Follow-up questions").get_by_role("button")
    follow_up = chips.first.inner_text()
    tab_to(chips.first)
    page.keyboard.press("Enter")
    turns = page.get_by_role("list", name="Conversation").locator(":scope > li")
    expect(turns).to_have_count(2)
    expect(turns.nth(1)).to_contain_text(follow_up)
    wait_for_answer(page)

    # The evidence panel: a citation, then its tabs with the arrow keys; Escape closes it.
    tab_to(last_answer(page).get_by_role("link", name=re.compile("^Citation 1:")).first)
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Evidence")
    expect(panel).to_be_visible()
    tab_to(panel.get_by_role("tab", name="Document"))
    page.keyboard.press("ArrowRight")
    expect(panel.get_by_role("tab", name="Supporting content")).to_be_focused()
    expect(panel.get_by_role("tab", name="Supporting content")).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("End")
    expect(panel.get_by_role("tab", name="Thought process")).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    # Settings: open, change a field, close with Escape.
    tab_to(page.get_by_role("button", name="Developer settings"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Developer settings")
    expect(dialog).to_be_visible()
    tab_to(dialog.get_by_label("Number of sources to retrieve"))
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # History: the earlier conversation reopens from the sidebar.
    tab_to(page.get_by_role("button", name="Clear chat"))
    page.keyboard.press("Enter")
    history = page.get_by_role("complementary", name="Conversations")
    saved = history.get_by_role("button", name=re.compile("^" + re.escape(PARENTAL)))
    tab_to(saved)
    page.keyboard.press("Enter")
    expect(page.get_by_role("list", name="Conversation").locator(":scope > li")).to_have_count(2)

    # Retry, after an answer that failed.
    page.route("**/chat/stream", lambda route: route.fulfill(status=503, body='{"error": "Down."}'))
    tab_to(page.get_by_label("Your question"))
    page.keyboard.type("Is it paid?")
    with page.expect_request("**/chat/stream") as first:
        page.keyboard.press("Enter")
    assert first.value.post_data_json["context"]["overrides"]["top"] == 4
    expect(last_answer(page).get_by_role("alert")).to_contain_text("Down.")
    page.unroute("**/chat/stream")
    tab_to(last_answer(page).get_by_role("button", name="Retry"))
    page.keyboard.press("Enter")
    wait_for_answer(page)
    expect(last_answer(page).get_by_role("alert")).to_have_count(0)
    expect(last_answer(page).get_by_role("list", name="Citations")).to_be_visible()


def test_streamed_answer_is_announced_once_not_piece_by_piece(
    new_page, model_backend: Backend, fake_openai: FakeOpenAI
) -> None:
    """While the answer streams it is aria-busy and outside every live region; the live
    regions change a few times per answer (searching, writing, complete), not per piece."""
    page = new_page(model_backend.url)
    page.evaluate(
        """() => {
            window.__announced = [];
            new MutationObserver(() => {
                for (const region of document.querySelectorAll('[aria-live], [role=status]')) {
                    const text = region.textContent.trim();
                    if (text && !window.__announced.includes(text)) window.__announced.push(text);
                }
            }).observe(document.body, { subtree: true, childList: true, characterData: true });
        }"""
    )
    page.get_by_label("Your question").fill("How long is parental leave?")
    page.keyboard.press("Enter")
    answer = last_answer(page)
    expect(answer).to_contain_text("More detail follows. More detail follows. More detail")
    busy = answer.locator("[aria-busy=true]")
    expect(busy).to_have_count(1)
    # The streamed text is in no live region.
    assert busy.evaluate("e => e.closest('[aria-live], [role=status], [role=alert]')") is None
    assert busy.evaluate("e => e.querySelector('[aria-live], [role=status], [role=log]')") is None
    page.get_by_role("button", name="Stop").click()
    assert wait_until(lambda: fake_openai.open_streams == 0, timeout=15)
    expect(answer.locator("[aria-busy=false]")).to_have_count(1)
    announced = page.evaluate("window.__announced")
    assert "Writing the answer…" in announced
    assert "Stopped. The answer above is incomplete." in announced
    assert not any("More detail follows" in text for text in announced), announced
    assert len(announced) <= 4, announced
