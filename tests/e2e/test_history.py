"""Conversations kept on the server, in a real browser, against the real stack: they survive a
reload, follow their user to a second browser, stay out of anyone else's; feedback reaches the
admin; both downloads hold the conversation.

The backend runs with login (the test OpenID Connect provider, as in test_login.py) and
CHAT_HISTORY=local; FEEDBACK_ADMIN_GROUP is group-hr, so alice is an admin and bob is not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2 as httpx
import pytest
from e2e_helpers import Backend, free_port, ingest, start_backend
from services.oidc_provider import (
    AUDIENCE,
    CLIENT_ID,
    USERS,
    OidcProvider,
    login_with_password,
    start_oidc_provider,
)
from test_login import HR_DOC, HR_MARK, PUBLIC_DOC, QUESTION, ask, signed_in_page, write_corpus

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

expect = pytest.importorskip(
    "playwright.sync_api", reason="the Python `playwright` package is not installed"
).expect

pytestmark = pytest.mark.e2e

ALICE, BOB = USERS["alice"], USERS["bob"]
COMMENT = "The logbook keeper changed in May."


@dataclass
class HistoryStack:
    provider: OidcProvider
    app: Backend

    def token(self, username: str) -> str:
        redirect = f"{self.app.url}/redirect"
        return str(login_with_password(self.provider, username, redirect)["access_token"])

    def api(self, username: str, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.token(username)}"}
        response = httpx.get(f"{self.app.url}{path}", headers=headers, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryStack]:
    tmp = tmp_path_factory.mktemp("history")
    index = tmp / "index"
    index.mkdir()
    ingest(write_corpus(tmp / "corpus"), index)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with ExitStack() as cleanup:
        provider = cleanup.enter_context(
            start_oidc_provider(
                [f"{origin}/redirect"], [f"{origin}/"], log=tmp / "oidc-provider.log"
            )
        )
        app = start_backend(
            index,
            tmp / "app",
            port=port,
            auth_provider="oidc",
            auth_issuer=provider.issuer,
            auth_audience=AUDIENCE,
            auth_client_id=CLIENT_ID,
            chat_history="local",
            feedback_admin_group="group-hr",
        )
        cleanup.callback(app.stop)
        yield HistoryStack(provider=provider, app=app)


def history_items(page: Page) -> Locator:
    """The conversations listed in the history panel (opened if it is a drawer)."""
    panel = page.get_by_role("complementary", name="Conversations")
    if not panel.is_visible():
        page.get_by_role("button", name="History").click()
    return panel.get_by_role("listitem")


def test_a_conversation_follows_its_user_and_no_one_else(new_page, stack: HistoryStack) -> None:
    alice = signed_in_page(new_page, stack.app.url, ALICE)
    ask(alice)
    items = history_items(alice)
    expect(items).to_have_count(1)  # saved on the server after the answer
    expect(items.first).to_contain_text(QUESTION)

    alice.reload()
    expect(alice.get_by_role("button", name="Sign out")).to_be_visible()
    items = history_items(alice)
    expect(items).to_have_count(1)
    items.first.get_by_role("button").first.click()
    turns = alice.get_by_role("list", name="Conversation").locator(":scope > li")
    expect(turns).to_have_count(1)
    expect(turns.first).to_contain_text(HR_MARK)

    # A second browser, signed in as alice again: the same conversation is there.
    elsewhere = signed_in_page(new_page, stack.app.url, ALICE)
    items = history_items(elsewhere)
    expect(items).to_have_count(1)
    items.first.get_by_role("button").first.click()
    expect(elsewhere.get_by_role("list", name="Conversation")).to_contain_text(HR_MARK)

    # Bob sees nothing of it, in the browser or through the API.
    bob = signed_in_page(new_page, stack.app.url, BOB)
    panel = bob.get_by_role("complementary", name="Conversations")
    history_items(bob)
    expect(panel).to_contain_text("Your conversations are saved on the server")
    expect(panel.get_by_role("listitem")).to_have_count(0)
    assert stack.api("bob", "/chat_history/sessions")["sessions"] == []


def test_thumbs_down_with_a_comment_reaches_the_admin(new_page, stack: HistoryStack) -> None:
    bob = signed_in_page(new_page, stack.app.url, BOB)
    answer, _ = ask(bob)
    answer.get_by_role("button", name="Bad answer").click()
    answer.get_by_label("Comment (optional)").fill(COMMENT)
    answer.get_by_role("button", name="Send feedback").click()
    expect(answer.get_by_text("Thanks for the feedback")).to_be_visible()

    # Alice is in FEEDBACK_ADMIN_GROUP: she reads everyone's; bob reads only his own.
    everyone = stack.api("alice", "/feedback?rating=down")["feedback"]
    [rating] = [f for f in everyone if f["user_id"] == BOB.sub]
    assert rating["comment"] == COMMENT
    assert rating["question"] == QUESTION
    assert PUBLIC_DOC in rating["citations"]
    assert HR_DOC not in rating["answer"]  # bob's answer, copied from his stored conversation
    own = stack.api("bob", "/feedback")["feedback"]
    assert {f["user_id"] for f in own} == {BOB.sub}


def test_both_downloads_hold_the_conversation(new_page, stack: HistoryStack) -> None:
    alice = signed_in_page(new_page, stack.app.url, ALICE)
    ask(alice)
    expect(history_items(alice).first).to_contain_text(QUESTION)

    alice.get_by_role("button", name="Download").click()
    with alice.expect_download() as markdown_download:
        alice.get_by_role("menuitem", name="Download as Markdown").click()
    markdown = Path(markdown_download.value.path()).read_text()
    assert markdown_download.value.suggested_filename.endswith(".md")
    assert markdown.startswith(f"# {QUESTION}\n")
    assert f"## {QUESTION}" in markdown
    assert HR_MARK in markdown
    assert re.search(r"\[\^1\]: \S+ \(/content/", markdown)
    assert f"({'/content/' + HR_DOC})" in markdown

    alice.get_by_role("button", name="Download").click()
    with alice.expect_download() as json_download:
        alice.get_by_role("menuitem", name="Download as JSON").click()
    exported = json.loads(Path(json_download.value.path()).read_text())
    turn = exported["answers"][-1]
    assert turn["question"] == QUESTION
    events = turn["events"]
    assert "context" in events[0]
    streamed = "".join(e.get("delta", {}).get("content", "") for e in events)
    assert HR_MARK in streamed
