"""The test OIDC provider (tests/services/oidc/) behaves as the app and the SPA need it to."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2 as httpx
import jwt
import pytest
from services.oidc_provider import (
    AUDIENCE,
    CLIENT_ID,
    REDIRECT_URI,
    OidcError,
    OidcProvider,
    authorization_request,
    exchange_code,
    login_in_browser,
    login_with_password,
    refresh_tokens,
    start_oidc_provider,
)

pytest_plugins = ["services.oidc_fixture"]

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def decode_access_token(provider: OidcProvider, token: str) -> dict[str, Any]:
    """Verify as the API does: signature from the JWKS, issuer, audience, expiry."""
    key = jwt.PyJWKClient(provider.jwks_uri).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token,
        key=key,
        algorithms=["RS256"],
        audience=AUDIENCE,
        issuer=provider.issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    return claims


def test_discovery(oidc_provider: OidcProvider) -> None:
    document = httpx.get(f"{oidc_provider.issuer}/.well-known/openid-configuration").json()
    assert document["issuer"] == oidc_provider.issuer
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["end_session_endpoint"] == f"{oidc_provider.issuer}/session/end"
    keys = httpx.get(document["jwks_uri"]).json()["keys"]
    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]
    assert keys[0]["kid"]
    assert "d" not in keys[0], "the JWKS must not publish the private key"


def test_alice_gets_an_rs256_access_token_for_the_api(oidc_provider: OidcProvider) -> None:
    tokens = login_with_password(oidc_provider, "alice")

    assert tokens["token_type"] == "Bearer"
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "RS256"
    assert header["typ"] == "at+jwt"
    claims = decode_access_token(oidc_provider, tokens["access_token"])
    assert claims["aud"] == "api://ragchat"
    assert claims["sub"] == "user-alice"
    assert claims["name"] == "Alice Example"
    assert claims["groups"] == ["group-hr"]
    assert claims["client_id"] == CLIENT_ID
    assert claims["scope"] == tokens["scope"] == "openid profile"
    assert claims["exp"] - claims["iat"] == tokens["expires_in"] == 3600

    key = jwt.PyJWKClient(oidc_provider.jwks_uri).get_signing_key_from_jwt(tokens["id_token"])
    id_claims = jwt.decode(tokens["id_token"], key=key, algorithms=["RS256"], audience=CLIENT_ID)
    assert id_claims["sub"] == "user-alice"
    assert id_claims["name"] == "Alice Example"
    assert id_claims["groups"] == ["group-hr"]


def test_bob_has_no_groups(oidc_provider: OidcProvider) -> None:
    claims = decode_access_token(
        oidc_provider, login_with_password(oidc_provider, "bob")["access_token"]
    )
    assert claims["sub"] == "user-bob"
    assert claims["name"] == "Bob Example"
    assert claims["groups"] == []


def test_an_unknown_user_cannot_sign_in(oidc_provider: OidcProvider) -> None:
    with pytest.raises(OidcError) as refused:
        login_with_password(oidc_provider, "mallory")
    assert refused.value.error == "access_denied"
    assert refused.value.description == "unknown user"


def test_the_refresh_token_gives_new_tokens_once(oidc_provider: OidcProvider) -> None:
    first = login_with_password(oidc_provider, "alice")

    second = refresh_tokens(oidc_provider, first["refresh_token"])

    claims = decode_access_token(oidc_provider, second["access_token"])
    assert claims["sub"] == "user-alice"
    assert claims["groups"] == ["group-hr"]
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"], "public clients' tokens rotate"
    with pytest.raises(OidcError) as reused:
        refresh_tokens(oidc_provider, first["refresh_token"])
    assert reused.value.error == "invalid_grant"


def test_pkce_is_required(oidc_provider: OidcProvider) -> None:
    query = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
    }
    response = httpx.get(f"{oidc_provider.authorization_endpoint}?{urlencode(query)}")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"{REDIRECT_URI}?")
    assert parse_qs(urlsplit(location).query)["error"] == ["invalid_request"]


def test_an_unregistered_redirect_uri_is_refused(oidc_provider: OidcProvider) -> None:
    with pytest.raises(OidcError, match="redirect_uri did not match"):
        login_with_password(oidc_provider, "alice", "http://127.0.0.1:9/elsewhere")


def test_cors_only_for_the_clients_origin(oidc_provider: OidcProvider) -> None:
    app_origin = "http://127.0.0.1:50505"
    for origin, allowed in [(app_origin, True), ("http://127.0.0.1:6666", False)]:
        response = httpx.post(
            oidc_provider.token_endpoint,
            data={"client_id": CLIENT_ID, "grant_type": "refresh_token", "refresh_token": "x"},
            headers={"Origin": origin},
        )
        assert (response.headers.get("access-control-allow-origin") == origin) is allowed
        expected = "invalid_grant" if allowed else "invalid_request"  # origin ... not allowed
        assert response.json()["error"] == expected


class _Callback(BaseHTTPRequestHandler):
    """Stands in for the SPA: any path answers a blank page on the app's origin."""

    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><title>app</title><p>app</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def app_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _browser_skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the dev environment
        return "the Python `playwright` package is not installed"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def test_sign_in_and_out_in_a_browser(app_server: str) -> None:
    reason = _browser_skip_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    redirect_uri, home = f"{app_server}/redirect", f"{app_server}/"
    with (
        start_oidc_provider([redirect_uri], [home]) as provider,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            request = authorization_request(provider, redirect_uri)
            page.goto(request.url)
            login_in_browser(page, "alice")
            assert page.url.startswith(f"{redirect_uri}?code="), page.url

            # The SPA redeems the code itself: a cross-origin fetch that needs CORS.
            query = parse_qs(urlsplit(page.url).query)
            assert query["state"] == [request.state]
            form = {
                "grant_type": "authorization_code",
                "client_id": CLIENT_ID,
                "code": query["code"][0],
                "redirect_uri": redirect_uri,
                "code_verifier": request.code_verifier,
            }
            tokens = page.evaluate(
                """async ([url, form]) => {
                    const response = await fetch(url, { method: "POST", body: new URLSearchParams(form) });
                    return response.json();
                }""",
                [provider.token_endpoint, form],
            )
            assert decode_access_token(provider, tokens["access_token"])["sub"] == "user-alice"

            # Signed in at the provider: the next sign-in redirect comes straight back.
            again = authorization_request(provider, redirect_uri)
            page.goto(again.url)
            page.wait_for_url(f"{redirect_uri}?**")
            assert exchange_code(provider, again, page.url)["access_token"]

            # RP-initiated logout, as oidc-client-ts's signoutRedirect() does it: no click.
            logout = {
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": home,
                "state": "bye",
            }
            page.goto(f"{provider.end_session_endpoint}?{urlencode(logout)}")
            page.wait_for_url(f"{home}?state=bye")

            # Signed out: the next sign-in shows the login page again.
            page.goto(authorization_request(provider, redirect_uri).url)
            page.locator('input[name="login"]').wait_for()
        finally:
            browser.close()


def test_a_short_access_token_lifetime() -> None:
    with start_oidc_provider([REDIRECT_URI], access_token_ttl=5) as provider:
        tokens = login_with_password(provider, "bob")
        assert decode_access_token(provider, tokens["access_token"])["exp"] > 0
    assert tokens["expires_in"] == 5
