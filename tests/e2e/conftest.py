"""End-to-end fixtures: real backends in subprocesses, the built UI, Debian's Chromium.

The tests are marked `e2e` and skipped, with the reason, when Chromium, the built frontend or
the `playwright` package is missing. Playwright never downloads a browser here: it drives
/usr/bin/chromium (`CHROMIUM` overrides the path).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import (
    BUILT_UI,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    Backend,
    ingest,
    start_backend,
)
from fakes.openai_server import FakeOpenAI
from fakes.threaded import serve_in_thread

try:
    from playwright.sync_api import Browser, Page, Playwright, sync_playwright
except ImportError:  # pragma: no cover - depends on the dev environment
    sync_playwright = None  # type: ignore[assignment]


# What the fake language model answers: the opening at once, then filler slowly enough to stop.
ANSWER_OPENING = "Cairnwood gives 14 weeks of paid parental leave [pto-leave-policy.html]. "
FILLER = "More detail follows. "
FOLLOWUPS = "<<Who is eligible for parental leave?>>\n<<Can I take the leave in two blocks?>>"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end tests in a real browser (Chromium)")


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "the Python `playwright` package is not installed (pip install playwright)"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if not BUILT_UI.is_file():
        return "the frontend is not built (cd frontend && npm ci && npm run build)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        # `make test` installs everything these need: in CI a skip would hide a broken setup.
        raise pytest.UsageError(f"end-to-end tests cannot run: {reason}")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def e2e_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus, indexed with the real CLI in a subprocess, as `make run` does."""
    index_dir = tmp_path_factory.mktemp("e2e-index")
    ingest(ROOT / "data", index_dir)
    return index_dir


@pytest.fixture(scope="session")
def offline_backend(e2e_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The default: local index, extractive answers, no language model."""
    backend = start_backend(e2e_index, tmp_path_factory.mktemp("offline"))
    yield backend
    backend.stop()


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeOpenAI]:
    """A slow language model on its own thread: one filler piece every 0.1 s, for 30 s."""
    fake = FakeOpenAI(
        answer=[ANSWER_OPENING] + [FILLER] * 300,
        chunk_delay=0.1,
        framing=True,
        completion_text="parental leave weeks",
        followup_text=FOLLOWUPS,
    )
    with serve_in_thread(fake):
        yield fake


@pytest.fixture(scope="session")
def model_backend(
    e2e_index: Path, tmp_path_factory: pytest.TempPathFactory, fake_openai: FakeOpenAI
) -> Iterator[Backend]:
    """A backend whose language model is the slow fake OpenAI server."""
    backend = start_backend(
        e2e_index,
        tmp_path_factory.mktemp("model"),
        chat_provider="openai",
        openai_base_url=fake_openai.base_url,
        openai_chat_model="fake-model",
        openai_api_key="sk-e2e",
    )
    yield backend
    backend.stop()


@pytest.fixture(scope="session")
def unreachable_backend(
    e2e_index: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """A backend whose language model cannot be reached: questions get a 503."""
    backend = start_backend(
        e2e_index,
        tmp_path_factory.mktemp("unreachable"),
        chat_provider="openai",
        openai_base_url="http://127.0.0.1:9/v1",
        openai_chat_model="x",
    )
    yield backend
    backend.stop()


# Module scope: Playwright's sync API runs its own event loop, which must be gone before
# pytest-asyncio's tests in other modules run.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Any]:
    """Open pages in fresh browser contexts (own storage and IndexedDB); all closed after."""
    contexts = []
    errors: list[str] = []

    def open_page(
        url: str,
        *,
        width: int = 1400,
        height: int = 900,
        color_scheme: str = "light",
        **options: Any,
    ) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=color_scheme,  # type: ignore[arg-type]
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
