"""A real OpenID Connect provider for the tests: oidc-provider (Node) in a subprocess.

    start_oidc_provider(redirect_uris, post_logout_redirect_uris) -> OidcProvider
    login_with_password(provider, username, redirect_uri) -> the token response (dict)
    login_in_browser(page, username)    Playwright: sign in on the provider's login page
    authorization_request / exchange_code / refresh_tokens   the steps, for tests that need them

The server is tests/services/oidc/server.mjs, its accounts tests/services/oidc/accounts.json
(alice and bob; any password). Consent is granted automatically and the logout confirmation
submits itself, so a browser only ever sees the login page. `make pytest` installs the server's
node_modules; without them a test that needs the provider is skipped, or fails when CI is set.

The session fixture `oidc_provider` is in services/oidc_fixture.py (a pytest plugin).
Everything here is synchronous (subprocess, httpx2 client) and works from async tests too: the
provider is another process, so blocking for a few milliseconds cannot deadlock the test.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx2 as httpx
from bs4 import BeautifulSoup

from services.node_service import NodeProcess, abandon, launch, node_for

if TYPE_CHECKING:
    from playwright.sync_api import Page

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
SERVER = OIDC_DIR / "server.mjs"
CLIENT_ID = "ragchat-spa"
AUDIENCE = "api://ragchat"
SCOPE = "openid profile"
# What the `oidc_provider` fixture registers: the app's default address (`python -m app`, PORT 50505).
APP_URL = "http://127.0.0.1:50505"
REDIRECT_URI = f"{APP_URL}/redirect"
POST_LOGOUT_REDIRECT_URI = f"{APP_URL}/"
START_TIMEOUT = 15.0
# The development login form wants a password; any will do.
PASSWORD = "any password"


@dataclass(frozen=True, slots=True)
class OidcUser:
    """A test account: `login` is what one types on the login page."""

    login: str
    sub: str
    name: str
    groups: tuple[str, ...]


USERS: dict[str, OidcUser] = {
    login: OidcUser(login=login, sub=data["sub"], name=data["name"], groups=tuple(data["groups"]))
    for login, data in json.loads((OIDC_DIR / "accounts.json").read_text()).items()
}


class OidcError(Exception):
    """The provider refused: `error` is the OAuth error code (e.g. access_denied, invalid_grant)."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


@dataclass(kw_only=True)
class OidcProvider(NodeProcess):
    """A running provider; `stop()` (or leaving `with`) ends the process."""

    issuer: str
    discovery: dict[str, Any]
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    client_id: str = CLIENT_ID
    audience: str = AUDIENCE
    users: dict[str, OidcUser] = field(default_factory=lambda: dict(USERS))

    @property
    def jwks_uri(self) -> str:
        return str(self.discovery["jwks_uri"])

    @property
    def authorization_endpoint(self) -> str:
        return str(self.discovery["authorization_endpoint"])

    @property
    def token_endpoint(self) -> str:
        return str(self.discovery["token_endpoint"])

    @property
    def end_session_endpoint(self) -> str:
        return str(self.discovery["end_session_endpoint"])


def start_oidc_provider(
    redirect_uris: Sequence[str],
    post_logout_redirect_uris: Sequence[str] = (),
    *,
    access_token_ttl: int | None = None,
    log: Path | None = None,
) -> OidcProvider:
    """Start server.mjs on a free 127.0.0.1 port; return once its discovery document answers."""
    node = node_for("OIDC provider", OIDC_DIR, "oidc-provider")
    args = [node, str(SERVER), "--port", "0", "--redirect-uris", ",".join(redirect_uris)]
    if post_logout_redirect_uris:
        args += ["--post-logout-redirect-uris", ",".join(post_logout_redirect_uris)]
    if access_token_ttl is not None:
        args += ["--access-token-ttl", str(access_token_ttl)]
    env = {key: value for key, value in os.environ.items() if not key.startswith("OIDC_")}
    started = launch(args, cwd=OIDC_DIR, log=log, prefix="oidc-provider-", env=env)
    try:
        issuer = _wait_for_issuer(started.process, started.log)
        discovery = _discovery(issuer)
    except BaseException:
        abandon(started)
        raise
    return OidcProvider(
        issuer=issuer,
        discovery=discovery,
        redirect_uris=tuple(redirect_uris),
        post_logout_redirect_uris=tuple(post_logout_redirect_uris),
        process=started.process,
        log=started.log,
        temporary_log=started.temporary_log,
    )


def _wait_for_issuer(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("listening http://"):
                return line.removeprefix("listening ").strip()
        if process.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited:\n{log.read_text(errors='replace')}")
        time.sleep(0.02)
    raise RuntimeError(
        f"the OIDC provider did not start in time:\n{log.read_text(errors='replace')}"
    )


def _discovery(issuer: str) -> dict[str, Any]:
    response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=5)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    assert document["issuer"] == issuer, document
    return document


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """An authorization URL and the secrets the client keeps to redeem its code."""

    url: str
    redirect_uri: str
    state: str
    nonce: str
    code_verifier: str


def authorization_request(
    provider: OidcProvider, redirect_uri: str, *, scope: str = SCOPE, **params: str
) -> AuthorizationRequest:
    """What an SPA's sign-in redirect asks for: code flow, PKCE S256, state and nonce."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    query = {
        "client_id": provider.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        **params,
    }
    url = f"{provider.authorization_endpoint}?{urlencode(query)}"
    return AuthorizationRequest(url, redirect_uri, state, nonce, verifier)


def exchange_code(
    provider: OidcProvider, request: AuthorizationRequest, callback_url: str
) -> dict[str, Any]:
    """Check the callback (error, state), then redeem its code at the token endpoint."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(callback_url).query).items()}
    if "error" in query:
        raise OidcError(query["error"], query.get("error_description", ""))
    if query.get("state") != request.state:
        raise OidcError("invalid_state", f"the callback's state does not match: {callback_url}")
    return _token_request(
        provider,
        grant_type="authorization_code",
        code=query["code"],
        redirect_uri=request.redirect_uri,
        code_verifier=request.code_verifier,
    )


def refresh_tokens(provider: OidcProvider, refresh_token: str) -> dict[str, Any]:
    """Redeem a refresh token (it rotates: use the new one next time)."""
    return _token_request(provider, grant_type="refresh_token", refresh_token=refresh_token)


def _token_request(provider: OidcProvider, **form: str) -> dict[str, Any]:
    response = httpx.post(
        provider.token_endpoint, data={"client_id": provider.client_id, **form}, timeout=10
    )
    body: dict[str, Any] = response.json()
    if response.status_code != 200:
        raise OidcError(
            body.get("error", str(response.status_code)), body.get("error_description", "")
        )
    return body


def login_with_password(
    provider: OidcProvider,
    username: str,
    redirect_uri: str = REDIRECT_URI,
    *,
    scope: str = SCOPE,
) -> dict[str, Any]:
    """Sign in as a browser would, without one: submit the login form, redeem the code.

    Returns the token response (access_token, id_token, refresh_token, expires_in, ...).
    Raises OidcError when the provider refuses, e.g. access_denied for an unknown user.
    """
    request = authorization_request(provider, redirect_uri, scope=scope)
    with httpx.Client(timeout=10) as http:
        response = http.get(request.url)
        for _ in range(10):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if _is_callback(location, redirect_uri):
                    return exchange_code(provider, request, location)
                response = http.get(location)
                continue
            action, fields = _form(response)
            if fields.get("prompt") == "login":
                fields.update(login=username, password=PASSWORD)
            response = http.post(urljoin(str(response.url), action), data=fields)
    raise OidcError("too_many_steps", "the sign-in never reached the redirect URI")


def _is_callback(url: str, redirect_uri: str) -> bool:
    return url == redirect_uri or url.startswith((f"{redirect_uri}?", f"{redirect_uri}#"))


def _form(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The page's first form (its action and fields); an error page raises OidcError."""
    soup = BeautifulSoup(response.text, "html.parser")
    form = soup.find("form")
    if response.status_code != 200 or form is None:
        text = " ".join(soup.get_text(" ").split())
        raise OidcError("unexpected_page", f"{response.status_code} at {response.url}: {text}")
    fields = {
        str(item["name"]): str(item.get("value", ""))
        for item in form.find_all("input")
        if item.get("name")
    }
    return str(form.get("action", "")), fields


def login_in_browser(page: Page, username: str) -> None:
    """On the provider's login page, sign in; return once the browser has left the page.

    Selectors (oidc-provider 8's development pages): the login form's `input[name="login"]`,
    `input[name="password"]` and its `button[type="submit"]` ("Sign-in"); a consent page, which
    this server never shows unless the client sends prompt=consent, has a form with
    `input[name="prompt"][value="consent"]` and a `button[type="submit"]` ("Continue").
    """
    page.locator('input[name="login"]').wait_for()
    login_url = page.url
    page.fill('input[name="login"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(lambda url: url != login_url)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(login_url))
    consent = page.locator('form:has(input[name="prompt"][value="consent"])')
    if page.url.startswith(f"{origin}/interaction/") and consent.count():
        consent_url = page.url
        consent.locator('button[type="submit"]').click()
        page.wait_for_url(lambda url: url != consent_url)
