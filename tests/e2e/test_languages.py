"""The UI's languages in a real browser: each one's first screen, a switch in the middle of a
conversation, the mirrored Arabic layout, and the picker starting from the browser's language.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from e2e_helpers import Backend, last_answer, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip(
    "playwright.sync_api", reason="the Python `playwright` package is not installed"
).expect

pytestmark = pytest.mark.e2e

# UI language: (a browser locale that picks it, the picker's label in it, its name in itself).
LANGUAGES = {
    "en": ("en-US", "Language", "English"),
    "es": ("es-ES", "Idioma", "Español"),
    "fr": ("fr-FR", "Langue", "Français"),
    "de": ("de-DE", "Sprache", "Deutsch"),
    "ja": ("ja-JP", "言語", "日本語"),
    "zh-CN": ("zh-CN", "语言", "简体中文"),
    "pt-BR": ("pt-BR", "Idioma", "Português (Brasil)"),
    "ar": ("ar-EG", "اللغة", "العربية"),
}
ENGLISH_EXAMPLES = [
    "How many weeks of parental leave do I get?",
    "What is the deductible on the Plus plan?",
    "What's the hotel limit in a big city?",
]
LOCALE_CHUNK = re.compile(r"/assets/(" + "|".join(map(re.escape, LANGUAGES)) + r")-[\w-]+\.js$")


def picker(page: Page, code: str) -> Any:
    return page.get_by_role("combobox", name=LANGUAGES[code][1])


def locale_chunks(page: Page) -> list[str]:
    """The UI languages whose chunk this page has loaded."""
    names = page.evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)")
    return sorted(m.group(1) for name in names if (m := LOCALE_CHUNK.search(name)))


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_first_screen_in_each_language(new_page, offline_backend: Backend, code: str) -> None:
    browser_locale, _, name = LANGUAGES[code]
    page = new_page(offline_backend.url, locale=browser_locale)
    expect(picker(page, code)).to_have_value(code)
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
    expect(picker(page, code).locator("option:checked")).to_have_text(name)
    examples = page.get_by_role("list").filter(has=page.get_by_role("button")).first
    buttons = examples.get_by_role("button")
    expect(buttons).to_have_count(3)
    shown = buttons.all_inner_texts()
    assert (shown == ENGLISH_EXAMPLES) == (code == "en"), shown
    # English is in the first load; any other language is one chunk of its own.
    assert locale_chunks(page) == ([] if code == "en" else [code])
    title = page.title()
    assert (title == "Cairnwood handbook chat") == (code == "en"), title
    screenshot(page, f"language-{code}-first-screen")

    phone = new_page(offline_backend.url, width=390, height=844, locale=browser_locale)
    expect(picker(phone, code)).to_have_value(code)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone in {code} ({width}px)"
    header = phone.locator("header").bounding_box()
    assert header
    assert header["height"] <= 64, f"the header wraps on a phone in {code}"
    screenshot(phone, f"language-{code}-phone")


def test_switching_language_mid_conversation(new_page, model_backend: Backend) -> None:
    page = new_page(model_backend.url, locale="en-US")
    # Once /config has said a model answers, the developer setting defaults to the UI language.
    page.get_by_role("button", name="Developer settings").click()
    expect(page.get_by_label("Answer language")).to_have_value("")
    expect(page.get_by_label("Answer language").locator("option:checked")).to_have_text(
        "The page's language (English)"
    )
    page.keyboard.press("Escape")
    with page.expect_request("**/chat/stream") as first:
        page.get_by_label("Your question").fill("How long is parental leave?")
        page.keyboard.press("Enter")
    assert first.value.post_data_json["context"]["overrides"]["language"] == "English"
    answer = last_answer(page)
    expect(answer).to_contain_text("More detail follows.")
    expect(answer.locator("[aria-busy=true]")).to_be_visible()

    # While the answer streams: the same conversation goes on, in Spanish.
    picker(page, "en").select_option("es")
    expect(page.get_by_role("button", name="Detener")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    turns = page.get_by_role("list", name="Conversación").locator(":scope > li")
    expect(turns).to_have_count(1)
    expect(turns.first).to_contain_text("How long is parental leave?")
    expect(turns.first).to_contain_text("14 weeks of paid parental leave")
    # Still streaming into the same answer after the switch.
    answer = turns.first
    page.wait_for_function(
        "([element, length]) => element.innerText.length > length",
        arg=[answer.element_handle(), len(answer.inner_text())],
    )
    page.get_by_role("button", name="Detener").click()
    expect(answer).to_contain_text("Detenida")
    screenshot(page, "language-switch-mid-conversation")

    with page.expect_request("**/chat/stream") as second:
        page.get_by_label("Tu pregunta").fill("¿Y si adopto?")
        page.keyboard.press("Enter")
    body = second.value.post_data_json
    assert body["context"]["overrides"]["language"] == "Spanish"
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    expect(turns).to_have_count(2)
    page.get_by_role("button", name="Detener").click()
    expect(turns.nth(1)).to_contain_text("Detenida")


def box(page: Page, locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found, f"{locator} has no box"
    return dict(found)


def layout(page: Page, history: str, question: str, send: str) -> dict[str, dict[str, float]]:
    """The boxes that a mirrored layout moves: the sidebar, the question box, its button."""
    return {
        "sidebar": box(page, page.get_by_role("complementary", name=history)),
        "question": box(page, page.get_by_label(question)),
        "send": box(page, page.get_by_role("button", name=send)),
        "brand": box(page, page.locator("header a").first),
    }


def test_arabic_layout_is_mirrored(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url, locale="en-US")
    width = page.viewport_size["width"]
    ltr = layout(page, "Conversations", "Your question", "Send")
    picker(page, "en").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    rtl = layout(page, "المحادثات", "سؤالك", "إرسال")

    def mirrored(name: str) -> None:
        # As far from the right edge as it was from the left (the text in it may be longer).
        before, after = ltr[name], rtl[name]
        assert abs(width - (after["x"] + after["width"]) - before["x"]) <= 2, (name, before, after)
        assert abs(before["y"] - after["y"]) <= 2, (name, before, after)

    # The sidebar moves to the right edge, the brand to the right of the header.
    mirrored("sidebar")
    mirrored("brand")
    assert ltr["sidebar"]["x"] <= 1 < rtl["sidebar"]["x"]
    # The send button sits after the question box in reading order: its left, in Arabic.
    assert ltr["send"]["x"] > ltr["question"]["x"]
    assert rtl["send"]["x"] < rtl["question"]["x"]
    # Its arrow points the other way.
    arrow = page.get_by_role("button", name="إرسال").locator("svg")
    assert arrow.evaluate("(svg) => getComputedStyle(svg).transform") == "matrix(-1, 0, 0, 1, 0, 0)"

    page.get_by_label("سؤالك").fill("What is the deductible on the Plus plan?")
    page.keyboard.press("Enter")
    conversation = page.get_by_role("list", name="المحادثة")
    expect(page.get_by_role("button", name="إرسال")).to_be_visible()
    expect(conversation.locator(":scope > li [aria-busy=false]")).to_be_visible()
    question = box(page, conversation.locator(":scope > li > div").first)
    column = box(page, conversation)
    # The asker's bubble is at the end of the line: the left in Arabic.
    assert question["x"] - column["x"] <= column["x"] + column["width"] - (
        question["x"] + question["width"]
    )
    expect(page.locator("body")).to_have_css("direction", "rtl")
    screenshot(page, "language-ar-answer")


@pytest.mark.parametrize(
    ("browser_locale", "code"),
    [("de-AT", "de"), ("pt-PT", "pt-BR"), ("zh-TW", "zh-CN"), ("sv-SE", "en")],
)
def test_the_picker_starts_from_the_browser_language(
    new_page, offline_backend: Backend, browser_locale: str, code: str
) -> None:
    page = new_page(offline_backend.url, locale=browser_locale)
    expect(picker(page, code)).to_have_value(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_the_chosen_language_is_remembered(new_page, offline_backend: Backend) -> None:
    page = new_page(offline_backend.url, locale="de-DE")
    picker(page, "de").select_option("ja")
    expect(picker(page, "ja")).to_have_value("ja")
    page.reload()
    # Remembered over the browser's German.
    expect(picker(page, "ja")).to_have_value("ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("button", name=re.compile("^育児休暇は何週間"))).to_be_visible()
