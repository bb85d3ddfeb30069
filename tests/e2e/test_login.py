"""Login, per-user documents and uploads in a real browser, against the real stack.

The built SPA served by the backend, which validates real tokens from the test OpenID Connect
provider (services/oidc_provider.py): alice (group-hr) and bob (no groups) sign in on its login
page. Each signs in in a fresh browser context, since a provider session would skip the login.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from e2e_helpers import (
    Backend,
    axe_violations_in,
    free_port,
    ingest,
    last_answer,
    screenshot,
    start_backend,
    wait_for_answer,
)
from services.oidc_provider import (
    AUDIENCE,
    CLIENT_ID,
    USERS,
    OidcProvider,
    OidcUser,
    login_in_browser,
    start_oidc_provider,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

expect = pytest.importorskip(
    "playwright.sync_api", reason="the Python `playwright` package is not installed"
).expect

pytestmark = pytest.mark.e2e

ALICE, BOB = USERS["alice"], USERS["bob"]
QUESTION = "Who keeps the lighthouse logbook?"
# One unique word per document, quoted by the extractive answer when the document is cited.
PUBLIC_MARK, HR_MARK, BOB_MARK, UPLOAD_MARK = (
    "quokkafield",
    "narwhalcrest",
    "axolotlmere",
    "pangolinbrook",
)
PUBLIC_DOC, HR_DOC, BOB_DOC = "lighthouse.md", "hr/lighthouse-hr.md", "lighthouse-bob.md"
UPLOAD_NAME = "alice-notes.md"
UPLOADED_REF = re.compile(r"^\.uploads/[0-9a-f]{32}/" + re.escape(UPLOAD_NAME) + "$")


def sentence(marker: str) -> str:
    return f"# Lighthouse logbook\n\nThe lighthouse logbook is kept by {marker} this season.\n"


def write_corpus(root: Path) -> Path:
    """A public document, one for group-hr (folder sidecar), one for bob (file sidecar)."""
    (root / "hr").mkdir(parents=True)
    (root / PUBLIC_DOC).write_text(sentence(PUBLIC_MARK))
    (root / HR_DOC).write_text(sentence(HR_MARK))
    (root / "hr" / ".acl.json").write_text(json.dumps({"groups": ["group-hr"]}))
    (root / BOB_DOC).write_text(sentence(BOB_MARK))
    (root / f"{BOB_DOC}.acl.json").write_text(json.dumps({"oids": [BOB.sub]}))
    return root


@dataclass
class LoginStack:
    provider: OidcProvider
    app: Backend  # login optional, uploads on
    required: Backend  # AUTH_REQUIRED=true


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoginStack]:
    """The provider and two backends; the provider must know the backends' URLs first."""
    tmp = tmp_path_factory.mktemp("login")
    index = tmp / "index"
    index.mkdir()
    ingest(write_corpus(tmp / "corpus"), index)
    required_index = tmp / "required-index"
    shutil.copytree(index, required_index)  # uploads write to the first one's index
    port = free_port()
    required_port = free_port()
    while required_port == port:
        required_port = free_port()
    # The SPA resolves /auth_setup's relative URIs against its own origin: the same host form.
    origins = [f"http://127.0.0.1:{p}" for p in (port, required_port)]
    with ExitStack() as cleanup:
        provider = cleanup.enter_context(
            start_oidc_provider(
                [f"{origin}/redirect" for origin in origins],
                [f"{origin}/" for origin in origins],
                log=tmp / "oidc-provider.log",
            )
        )
        auth = {
            "auth_provider": "oidc",
            "auth_issuer": provider.issuer,
            "auth_audience": AUDIENCE,
            "auth_client_id": CLIENT_ID,
        }
        app = start_backend(index, tmp / "app", port=port, user_upload="true", **auth)
        cleanup.callback(app.stop)
        required = start_backend(
            required_index, tmp / "required", port=required_port, auth_required="true", **auth
        )
        cleanup.callback(required.stop)
        yield LoginStack(provider=provider, app=app, required=required)


def signed_in_page(new_page: Callable[..., Page], url: str, user: OidcUser) -> Page:
    """A fresh browser context on `url`, signed in as `user` through the provider's page."""
    page = new_page(url)
    page.get_by_role("button", name="Sign in", exact=True).click()
    login_in_browser(page, user.login)
    expect(page).to_have_url(f"{url}/")  # back from /redirect, in the app
    expect(page.get_by_role("group", name="Your account")).to_contain_text(user.name)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def scan_every_layout(page: Page) -> dict[str, object]:
    """axe-core's violations (of any impact) in light and dark, English and Arabic."""
    found: dict[str, object] = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        for language in ("en", "ar"):
            if violations := axe_violations_in(page, language):
                found[f"{scheme}, {language}"] = violations
    page.emulate_media(color_scheme="light")
    return found


def ask(page: Page, question: str = QUESTION) -> tuple[Locator, str]:
    """Ask in the chat; the finished answer and the text of every passage it was given.

    The passages come from the answer's "Supporting content" (the stream's data points): a
    document the user may not read must not be there either. (Playwright cannot read the body
    of a streamed response once the page has read it, so the panel is read, not the NDJSON.)
    """
    turns = page.get_by_role("list", name="Conversation").locator(":scope > li")
    before = turns.count()
    page.get_by_label("Your question").fill(question)
    page.keyboard.press("Enter")
    expect(turns).to_have_count(before + 1)  # so that the answer waited for is the new one
    wait_for_answer(page)
    answer = last_answer(page)
    answer.get_by_role("button", name="Supporting content").click()
    panel = page.get_by_role("dialog", name="Evidence")
    supporting = panel.get_by_role("tabpanel")
    expect(supporting.locator("li").first).to_be_visible()
    passages = supporting.inner_text()
    panel.get_by_role("button", name="Close evidence").click()
    expect(panel).to_be_hidden()
    return answer, passages


def cited(answer: Locator) -> list[str]:
    """The stored names the answer cites (its inline citation links)."""
    links = answer.locator("a[data-citation]")
    return sorted({links.nth(i).get_attribute("data-citation") or "" for i in range(links.count())})


def test_each_user_sees_only_their_documents(new_page, stack: LoginStack) -> None:
    alice = signed_in_page(new_page, stack.app.url, ALICE)
    answer, passages = ask(alice)
    assert cited(answer) == sorted([PUBLIC_DOC, HR_DOC])
    expect(answer).to_contain_text(PUBLIC_MARK)
    expect(answer).to_contain_text(HR_MARK)
    assert PUBLIC_MARK in passages
    assert BOB_MARK not in passages  # not in the answer, nor in the passages it was given

    # The evidence panel fetches the file with the bearer token and shows it from a blob: URL.
    with alice.expect_request(f"**/content/{HR_DOC}") as request:
        answer.locator(f'a[data-citation="{HR_DOC}"]').first.click()
    assert (request.value.headers.get("authorization") or "").startswith("Bearer ")
    panel = alice.get_by_role("dialog", name="Evidence")
    frame = panel.locator("iframe")
    expect(frame).to_have_attribute("src", re.compile(r"^blob:http://127\.0\.0\.1:\d+/"))
    expect(panel.frame_locator("iframe").locator("body")).to_contain_text(HR_MARK)
    screenshot(alice, "20-signed-in-evidence")

    bob = signed_in_page(new_page, stack.app.url, BOB)
    answer, passages = ask(bob)
    assert cited(answer) == sorted([PUBLIC_DOC, BOB_DOC])
    expect(answer).to_contain_text(BOB_MARK)
    assert HR_MARK not in passages


def test_upload_is_cited_for_its_owner_only_and_can_be_deleted(new_page, stack: LoginStack) -> None:
    alice = signed_in_page(new_page, stack.app.url, ALICE)
    alice.get_by_role("button", name="Upload documents").click()
    dialog = alice.get_by_role("dialog", name="Upload documents")
    expect(dialog.get_by_text("You have not uploaded any documents yet.")).to_be_visible()
    dialog.get_by_label("Choose a file").set_input_files(
        {"name": UPLOAD_NAME, "mimeType": "text/markdown", "buffer": sentence(UPLOAD_MARK).encode()}
    )
    dialog.get_by_role("button", name="Upload", exact=True).click()
    expect(dialog.get_by_role("status")).to_contain_text(f"{UPLOAD_NAME} is uploaded")
    documents = dialog.get_by_role("list", name="Your documents")
    expect(documents.get_by_role("listitem")).to_have_text([UPLOAD_NAME])
    screenshot(alice, "21-upload-dialog")
    assert scan_every_layout(alice) == {}
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(dialog).to_be_hidden()

    answer, _ = ask(alice)
    expect(answer).to_contain_text(UPLOAD_MARK)
    uploaded = [ref for ref in cited(answer) if UPLOADED_REF.match(ref)]
    assert len(uploaded) == 1, cited(answer)
    # Shown by its file name, marked as the user's own.
    link = answer.locator(f'a[data-citation="{uploaded[0]}"]').first
    expect(link).to_have_accessible_name(
        re.compile(rf"^Citation \d: {UPLOAD_NAME} \(your upload\)$")
    )
    expect(answer.get_by_role("list", name="Citations")).to_contain_text(
        f"{UPLOAD_NAME} (your upload)"
    )
    # Opened through /content like any other citation.
    with alice.expect_request(f"**/content/.uploads/*/{UPLOAD_NAME}") as request:
        link.click()
    assert (request.value.headers.get("authorization") or "").startswith("Bearer ")
    panel = alice.get_by_role("dialog", name="Evidence")
    expect(panel.frame_locator("iframe").locator("body")).to_contain_text(UPLOAD_MARK)
    panel.get_by_role("button", name="Close evidence").click()

    bob = signed_in_page(new_page, stack.app.url, BOB)
    answer, passages = ask(bob)
    assert UPLOAD_MARK not in passages
    assert not [ref for ref in cited(answer) if UPLOADED_REF.match(ref)]
    bob.get_by_role("button", name="Upload documents").click()
    expect(
        bob.get_by_role("dialog", name="Upload documents").get_by_text(
            "You have not uploaded any documents yet."
        )
    ).to_be_visible()

    alice.get_by_role("button", name="Upload documents").click()
    expect(documents.get_by_role("listitem")).to_have_text([UPLOAD_NAME])
    dialog.get_by_role("button", name=f"Delete {UPLOAD_NAME}").click()
    confirm = alice.get_by_role("alertdialog", name=f"Delete {UPLOAD_NAME}?")
    confirm.get_by_role("button", name="Delete", exact=True).click()
    expect(confirm).to_be_hidden()
    expect(dialog.get_by_role("status")).to_contain_text(f"{UPLOAD_NAME} is deleted")
    expect(documents).to_have_count(0)
    expect(dialog.get_by_text("You have not uploaded any documents yet.")).to_be_visible()
    dialog.get_by_role("button", name="Close", exact=True).click()
    _, passages = ask(alice)
    assert UPLOAD_MARK not in passages


def test_sign_out_drops_the_token(new_page, stack: LoginStack) -> None:
    url = stack.app.url
    alice = signed_in_page(new_page, url, ALICE)
    # Through the provider's logout (it confirms itself) and back to the app's page.
    with (
        alice.expect_request(f"{stack.provider.end_session_endpoint}?*") as logout,
        alice.expect_navigation(url=f"{url}/"),
    ):
        alice.get_by_role("button", name="Sign out").click()
    assert "id_token_hint=" in logout.value.url
    expect(alice.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(alice.get_by_role("group", name="Your account")).to_have_count(0)
    expect(alice.get_by_role("button", name="Upload documents")).to_have_count(0)

    with alice.expect_request("**/chat/stream") as request:
        answer, passages = ask(alice)
    assert "authorization" not in request.value.headers
    assert cited(answer) == [PUBLIC_DOC]
    assert HR_MARK not in passages
    screenshot(alice, "22-signed-out")

    # The provider's session is over too: signing in shows its login page again.
    alice.get_by_role("button", name="Sign in", exact=True).click()
    expect(alice.locator('input[name="login"]')).to_be_visible()


def test_login_required_shows_the_sign_in_screen(new_page, stack: LoginStack) -> None:
    url = stack.required.url
    page = new_page(url)
    expect(page.get_by_role("heading", name="Please sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_have_count(1)
    expect(page.get_by_label("Your question")).to_have_count(0)
    screenshot(page, "23-sign-in-required")
    assert scan_every_layout(page) == {}
    response = page.request.post(
        f"{url}/chat/stream", data={"messages": [{"role": "user", "content": QUESTION}]}
    )
    assert response.status == 401
    assert response.headers["www-authenticate"].startswith("Bearer")

    bob = signed_in_page(new_page, url, BOB)
    answer, _ = ask(bob)
    assert cited(answer) == sorted([PUBLIC_DOC, BOB_DOC])
