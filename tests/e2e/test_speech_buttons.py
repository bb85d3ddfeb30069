"""Speech in a real browser: the microphone fills the question box, the speaker reads the answer
aloud in the UI's language and falls silent when a new question starts, both buttons hide where
the browser has no Web Speech API, and with Azure AI Speech the answer is fetched from
`/speech` (a fake Azure AI Speech behind a real backend) and played by an `Audio` element.

Chromium's own recogniser and voices need a microphone, a network service or installed voices,
which a test machine has none of: the page gets fakes of `SpeechRecognition` and
`speechSynthesis` (an init script) that record what they are asked and let the test speak.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from e2e_helpers import (
    AXE_JS,
    DEDUCTIBLE,
    PARENTAL,
    Backend,
    last_answer,
    screenshot,
    start_backend,
    wait_for_answer,
)
from fakes.azure_speech import SILENT_MP3, FakeAzureSpeech
from fakes.threaded import serve_in_thread, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip(
    "playwright.sync_api", reason="the Python `playwright` package is not installed"
).expect

pytestmark = pytest.mark.e2e

SPEECH_KEY = "e2e-speech-key"

# Records every recogniser made and every utterance asked for; `__speech.recognitions[i]
# .hear(text)` makes a recogniser hear `text` (a final result, then the end of listening).
FAKE_WEB_SPEECH = """
(() => {
  const record = { recognitions: [], spoken: [], cancels: 0 };
  window.__speech = record;
  class FakeRecognition extends EventTarget {
    constructor() {
      super();
      Object.assign(this, { lang: "", continuous: true, interimResults: false,
        onresult: null, onerror: null, onend: null, started: false, aborted: false });
      record.recognitions.push(this);
    }
    start() { this.started = true; }
    stop() { setTimeout(() => this.onend && this.onend(new Event("end")), 0); }
    abort() { this.aborted = true; }
    hear(text) {
      const result = [{ transcript: text, confidence: 0.9 }];
      result.isFinal = true;
      if (this.onresult) this.onresult({ resultIndex: 0, results: [result] });
      if (this.onend) this.onend(new Event("end"));
    }
  }
  window.SpeechRecognition = FakeRecognition;
  window.webkitSpeechRecognition = FakeRecognition;
  const synthesis = {
    speak(utterance) { record.spoken.push({ text: utterance.text, lang: utterance.lang }); },
    cancel() { record.cancels += 1; },
    getVoices() { return []; },
    pause() {}, resume() {}, addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: synthesis, configurable: true });
  // Every Audio element the page makes, to see what it was given to play.
  const RealAudio = window.Audio;
  window.__audios = [];
  window.Audio = function (src) {
    const audio = new RealAudio(src);
    window.__audios.push(audio);
    return audio;
  };
  window.Audio.prototype = RealAudio.prototype;
})();
"""

NO_WEB_SPEECH = """
delete window.SpeechRecognition;
delete window.webkitSpeechRecognition;
Object.defineProperty(window, "speechSynthesis", { value: undefined, configurable: true });
delete window.SpeechSynthesisUtterance;
"""

SPANISH = "localStorage.setItem('ragchat.locale', 'es');"


def open_with(new_page: Any, backend: Backend, *scripts: str) -> Page:
    """A fresh page of `backend` with `scripts` run before the app's own."""
    page: Page = new_page("about:blank")
    for script in scripts:
        page.add_init_script(script)
    page.goto(backend.url)
    return page


def ask(page: Page, question: str) -> None:
    page.get_by_role("textbox").fill(question)
    page.get_by_role("textbox").press("Enter")


def axe_findings(page: Page, selector: str) -> list[dict[str, Any]]:
    """axe-core's violations of any impact inside the elements `selector` matches."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(AXE_JS))
    found: list[dict[str, Any]] = page.evaluate(
        """async (selector) => {
            const result = await axe.run({ include: [selector] }, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({ id: v.id, impact: v.impact,
                nodes: v.nodes.map((n) => n.target.join(" ")) }));
        }""",
        selector,
    )
    return found


def spoken(page: Page) -> list[dict[str, str]]:
    result: list[dict[str, str]] = page.evaluate("window.__speech.spoken")
    return result


def test_the_microphone_fills_the_question_box_and_the_speaker_reads_the_answer(
    new_page: Any, offline_backend: Backend
) -> None:
    page = open_with(new_page, offline_backend, FAKE_WEB_SPEECH)
    mic = page.get_by_role("button", name="Ask by voice")
    expect(mic).to_be_visible()
    expect(mic).to_have_attribute("aria-pressed", "false")
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("textbox")).to_have_attribute("placeholder", re.compile("Listening"))
    screenshot(page, "speech-01-listening")
    assert axe_findings(page, "form") == []
    recognition = page.evaluate("({ ...window.__speech.recognitions[0] })")
    assert recognition["started"] is True
    assert recognition["lang"] == "en-US"
    page.evaluate(f"window.__speech.recognitions[0].hear({PARENTAL!r})")
    expect(page.get_by_role("textbox")).to_have_value(PARENTAL)
    expect(mic).to_have_attribute("aria-pressed", "false")

    page.get_by_role("textbox").press("Enter")
    wait_for_answer(page)
    answer = last_answer(page)
    refs = answer.locator("[data-citation]").evaluate_all("els => els.map(e => e.dataset.citation)")
    assert refs, "the answer should cite its sources"
    speaker = answer.get_by_role("button", name="Read the answer aloud")
    speaker.focus()
    page.keyboard.press("Enter")  # the keyboard alone
    expect(speaker).to_have_attribute("aria-pressed", "true")
    screenshot(page, "speech-02-reading-aloud")
    assert axe_findings(page, "main") == []
    said = spoken(page)
    assert said, "nothing was spoken"
    assert {utterance["lang"] for utterance in said} == {"en-US"}
    text = " ".join(utterance["text"] for utterance in said)
    assert "weeks" in text
    for marker in ("[", "]", ".html", ".pdf", "**", "#"):
        assert marker not in text, f"{marker!r} read aloud: {text}"
    for ref in refs:
        assert ref not in text

    # A new question silences it.
    cancels = page.evaluate("window.__speech.cancels")
    ask(page, DEDUCTIBLE)
    expect(speaker).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__speech.cancels") > cancels
    wait_for_answer(page)


def test_the_speaker_is_a_toggle_and_one_answer_speaks_at_a_time(
    new_page: Any, offline_backend: Backend
) -> None:
    page = open_with(new_page, offline_backend, FAKE_WEB_SPEECH)
    ask(page, PARENTAL)
    wait_for_answer(page)
    ask(page, DEDUCTIBLE)
    wait_for_answer(page)
    first, second = page.get_by_role("button", name="Read the answer aloud").all()
    first.click()
    expect(first).to_have_attribute("aria-pressed", "true")
    second.click()
    expect(first).to_have_attribute("aria-pressed", "false")
    expect(second).to_have_attribute("aria-pressed", "true")
    assert "deductible" in spoken(page)[-1]["text"].lower() or "$" in spoken(page)[-1]["text"]
    second.click()
    expect(second).to_have_attribute("aria-pressed", "false")


def test_speech_follows_the_ui_language(new_page: Any, offline_backend: Backend) -> None:
    page = open_with(new_page, offline_backend, SPANISH, FAKE_WEB_SPEECH)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    mic = page.get_by_role("button", name="Preguntar por voz")
    mic.click()
    assert page.evaluate("window.__speech.recognitions[0].lang") == "es-ES"
    page.evaluate(f"window.__speech.recognitions[0].hear({PARENTAL!r})")
    page.get_by_role("textbox").press("Enter")
    expect(page.get_by_role("button", name="Leer la respuesta en voz alta")).to_be_visible(
        timeout=30_000
    )
    page.get_by_role("button", name="Leer la respuesta en voz alta").click()
    assert {utterance["lang"] for utterance in spoken(page)} == {"es-ES"}


def test_without_the_web_speech_api_the_buttons_are_hidden(
    new_page: Any, offline_backend: Backend
) -> None:
    page = open_with(new_page, offline_backend, NO_WEB_SPEECH)
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    ask(page, PARENTAL)
    wait_for_answer(page)
    answer = last_answer(page)
    expect(answer.get_by_role("button", name="Copy answer")).to_be_visible()
    expect(page.get_by_role("button", name="Ask by voice")).to_have_count(0)
    expect(page.get_by_role("button", name="Read the answer aloud")).to_have_count(0)
    screenshot(page, "speech-03-no-web-speech")


# --- Azure AI Speech -------------------------------------------------------------------------


# Session scope, as conftest's fakes: a fake's thread must outlive the module's Playwright loop,
# which is still running when module fixtures set up after it are torn down.
@pytest.fixture(scope="session")
def fake_speech() -> Iterator[FakeAzureSpeech]:
    fake = FakeAzureSpeech()
    with serve_in_thread(fake):
        yield fake


@pytest.fixture(scope="session")
def speech_backend(
    e2e_index: Path, tmp_path_factory: pytest.TempPathFactory, fake_speech: FakeAzureSpeech
) -> Iterator[Backend]:
    """The offline backend, reading answers aloud with the fake Azure AI Speech."""
    backend = start_backend(
        e2e_index,
        tmp_path_factory.mktemp("speech"),
        azure_speech_service_endpoint=fake_speech.endpoint,
        azure_speech_service_key=SPEECH_KEY,
    )
    yield backend
    backend.stop()


def test_with_azure_speech_the_answer_is_fetched_from_the_server_and_played(
    new_page: Any, speech_backend: Backend, fake_speech: FakeAzureSpeech
) -> None:
    fake_speech.requests.clear()
    page = open_with(new_page, speech_backend, FAKE_WEB_SPEECH)
    ask(page, PARENTAL)
    wait_for_answer(page)
    speaker = last_answer(page).get_by_role("button", name="Read the answer aloud")
    with page.expect_response(re.compile(r"/speech$")) as reply:
        speaker.click()
    response = reply.value
    assert response.status == 200
    assert response.headers["content-type"] == "audio/mpeg"
    assert wait_until(lambda: len(fake_speech.requests) == 1, timeout=10)
    (call,) = fake_speech.requests
    assert call.problems == []
    assert call.headers["Ocp-Apim-Subscription-Key"] == SPEECH_KEY
    assert (call.voice, call.speak_lang, call.voice_lang) == (
        "en-US-AvaMultilingualNeural",
        "en-US",
        "en-US",
    )
    assert "weeks" in call.text
    assert "[" not in call.text
    assert ".html" not in call.text
    assert spoken(page) == []  # not the browser's voices

    page.wait_for_function("window.__audios.length === 1")
    audio = page.evaluate_handle("window.__audios[0]")
    assert page.evaluate("(a) => a.src", audio).startswith("blob:")
    size = page.evaluate(
        "async (a) => (await (await fetch(a.src)).arrayBuffer()).byteLength", audio
    )
    assert size == len(SILENT_MP3)
    # Chromium decodes it: metadata, then playing to the end (about a second of silence).
    page.wait_for_function("(a) => a.readyState >= 1 && a.error === null", arg=audio)
    page.wait_for_function("(a) => a.ended || a.currentTime > 0", arg=audio, timeout=10_000)
    expect(speaker).to_have_attribute("aria-pressed", "false", timeout=10_000)


def test_an_azure_speech_failure_is_said_next_to_the_speaker(
    new_page: Any, speech_backend: Backend, fake_speech: FakeAzureSpeech
) -> None:
    page = open_with(new_page, speech_backend, FAKE_WEB_SPEECH)
    ask(page, PARENTAL)
    wait_for_answer(page)
    fake_speech.fail_next("503")
    answer = last_answer(page)
    answer.get_by_role("button", name="Read the answer aloud").click()
    expect(answer.get_by_role("alert")).to_contain_text("Azure AI Speech could not be reached")
    screenshot(page, "speech-04-azure-failed")
