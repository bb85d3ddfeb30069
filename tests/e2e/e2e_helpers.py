"""Helpers for the end-to-end tests: indexing, the backend subprocess, screenshots, axe-core."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
BUILT_UI = ROOT / "app" / "static" / "index.html"
AXE_JS = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# Two questions about the sample handbook (data/) that the browser tests ask.
PARENTAL = "How many weeks of parental leave do I get?"
DEDUCTIBLE = "What is the deductible on the Plus plan?"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}


def free_port() -> int:
    """A port that is free on 127.0.0.1 now (for a server whose address must be known first)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Backend:
    """A `python -m app` subprocess serving the built UI."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if the server hangs
            self.process.kill()
            self.process.wait()


def clean_env() -> dict[str, str]:
    """This process's environment without any of the app's settings."""
    return {key: value for key, value in os.environ.items() if key.upper() not in SETTINGS_ENV}


def ingest(corpus: Path, index_dir: Path) -> None:
    """Index `corpus` into a local index at `index_dir` with the real CLI, as `make run` does."""
    env = clean_env()
    env["LOCAL_INDEX_DIR"] = str(index_dir)
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "app.ingest", str(corpus)],
        cwd=index_dir,
        env=env,
        check=False,
        capture_output=True,
        timeout=120,
    )
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace")
        raise RuntimeError(f"indexing {corpus} failed ({done.returncode}):\n{output}")


def start_backend(
    index_dir: Path, workdir: Path, *, port: int | None = None, **settings: str
) -> Backend:
    """Start the real server on 127.0.0.1 (`port`, else a free one); wait until `/healthz` answers.

    Pass `port` when something must know the address before the server starts (an identity
    provider's redirect URIs); `free_port()` picks one.
    """
    port = free_port() if port is None else port
    env = clean_env()
    env.update(PORT=str(port), LOCAL_INDEX_DIR=str(index_dir), UPSTREAM_MAX_RETRIES="0")
    env.update({key.upper(): value for key, value in settings.items()})
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app"],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    backend = Backend(url=f"http://127.0.0.1:{port}", process=process, log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{backend.url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return backend
        except OSError:
            time.sleep(0.1)
    backend.stop()
    raise RuntimeError(f"the server did not start in time:\n{log.read_text()}")


def last_answer(page: Page) -> Locator:
    """The newest turn of the conversation on `page`."""
    return page.get_by_role("list", name="Conversation").locator(":scope > li").last


def wait_for_answer(page: Page) -> None:
    """Wait until the newest answer has finished streaming."""
    from playwright.sync_api import expect

    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(last_answer(page).locator("[aria-busy=false]")).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot to tests/e2e/screenshots/ (gitignored) for people to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every accessibility violation that axe-core finds on the page, of any impact."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return violations


def choose_language(page: Page, code: str) -> None:
    """Pick the UI language in the header's picker; wait until the page is in it."""
    page.locator("header select").select_option(code)
    page.wait_for_function("code => document.documentElement.lang === code", arg=code)


def axe_violations_in(page: Page, language: str) -> list[dict[str, Any]]:
    """axe-core's violations with the UI in `language`: switched there for the scan, then back
    to English (what the tests read). A conversation or an open panel stays as it was."""
    if language == "en":
        return axe_violations(page)
    choose_language(page, language)
    try:
        return axe_violations(page)
    finally:
        choose_language(page, "en")
