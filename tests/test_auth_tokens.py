"""Bearer tokens minted here with local keys, against a local issuer: every bad one is a 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from helpers import chat_body
from issuer import AUDIENCE, Issuer, issuer, new_key, oidc_login

__all__ = ["issuer"]  # the fixture

from app.auth import tokens
from app.settings import Settings


@pytest.fixture
async def client(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> Any:
    return await serve(
        make_settings(
            **oidc_login(issuer.url),
            auth_required=True,
        )
    )


async def _ask(client: Any, token: str | None) -> Any:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return await client.post("/ask", json=chat_body("What is the deductible?"), headers=headers)


async def test_a_valid_token_is_served(client: Any, issuer: Issuer) -> None:
    response = await _ask(client, issuer.token())
    assert response.status_code == 200


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _hand_made(issuer: Issuer, alg: str, sign: Callable[[bytes], bytes]) -> str:
    """A compact JWS built by hand, for the algorithms PyJWT refuses to produce this way."""
    header = _b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "k1"}).encode())
    claims = {"iss": issuer.url, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 300}
    signing_input = header + b"." + _b64(json.dumps(claims).encode())
    return (signing_input + b"." + _b64(sign(signing_input))).decode()


def _unsigned(issuer: Issuer) -> str:
    return _hand_made(issuer, "none", lambda _: b"")


def _hs256_with_public_key(issuer: Issuer) -> str:
    """The classic confusion attack: the RSA public key (which anyone has) as an HMAC secret."""
    pem = (
        issuer.keys["k1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return _hand_made(issuer, "HS256", lambda data: hmac.new(pem, data, hashlib.sha256).digest())


BAD_TOKENS: dict[str, Callable[[Issuer], str]] = {
    "wrong signature": lambda i: i.token(key=new_key()),
    "wrong issuer": lambda i: i.token(iss="https://evil.example"),
    "wrong audience": lambda i: i.token(aud="api://other"),
    "no audience": lambda i: i.token(aud=None),
    "expired": lambda i: i.token(exp=int(time.time()) - 120),
    "not yet valid": lambda i: i.token(nbf=int(time.time()) + 120),
    "alg none": _unsigned,
    "HS256 keyed with the public key": _hs256_with_public_key,
    "no subject": lambda i: i.token(sub=None),
    "groups not a list": lambda i: i.token(groups={"a": 1}),
    "garbage": lambda _: "not.a.jwt",
    "empty segments": lambda _: "..",
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_every_bad_token_is_a_401_with_www_authenticate(
    client: Any, issuer: Issuer, case: str
) -> None:
    response = await _ask(client, BAD_TOKENS[case](issuer))
    assert response.status_code == 401, case
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="ragchat", error=')
    body = await response.get_json()
    assert body["error"].startswith("The sign-in token")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "token"])
async def test_malformed_authorization_headers_are_401(client: Any, header: str) -> None:
    response = await client.post("/ask", json=chat_body("x"), headers={"Authorization": header})
    assert response.status_code == 401
    assert "invalid_request" in response.headers["WWW-Authenticate"]


async def test_expired_within_the_leeway_is_accepted(client: Any, issuer: Issuer) -> None:
    response = await _ask(client, issuer.token(exp=int(time.time()) - 30))
    assert response.status_code == 200


async def test_anonymous_is_refused_when_login_is_required(client: Any) -> None:
    response = await _ask(client, None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ragchat"'
    for path in ("/healthz", "/config", "/auth_setup"):
        assert (await client.get(path)).status_code == 200, path


async def test_unknown_kid_refreshes_the_keys_once_not_per_request(
    client: Any, issuer: Issuer
) -> None:
    assert issuer.jwks_fetches == 1  # at start-up
    for _ in range(5):
        response = await _ask(client, issuer.token(kid="forged", key=new_key()))
        assert response.status_code == 401
    assert issuer.jwks_fetches == 2


async def test_the_keys_are_fetched_again_when_their_ttl_is_over(
    client: Any, issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await _ask(client, issuer.token())).status_code == 200
    assert issuer.jwks_fetches == 1
    later = time.monotonic() + 3601  # the default AUTH_JWKS_TTL_SECONDS is an hour
    monkeypatch.setattr(tokens.time, "monotonic", lambda: later)
    assert (await _ask(client, issuer.token())).status_code == 200
    assert (await _ask(client, issuer.token())).status_code == 200
    assert issuer.jwks_fetches == 2


async def test_a_rotated_key_is_picked_up(client: Any, issuer: Issuer) -> None:
    issuer.keys["k2"] = new_key()
    response = await _ask(client, issuer.token(kid="k2"))
    assert response.status_code == 200
    assert issuer.jwks_fetches == 2


async def test_an_unreachable_issuer_stops_start_up_clearly(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(
        **oidc_login("http://127.0.0.1:9"),
        auth_http_timeout_seconds=2,
    )
    # Quart's test lifespan wraps the start-up error; its message is the one operators see.
    with pytest.raises(Exception, match="AUTH_ISSUER: cannot read the sign-in keys"):
        await serve(settings)


async def test_auth_setup_describes_the_oidc_login(client: Any, issuer: Issuer) -> None:
    setup = await (await client.get("/auth_setup")).get_json()
    assert setup["useLogin"] is True
    assert setup["provider"] == "oidc"
    assert setup["enableUnauthenticatedAccess"] is False
    assert setup["oidcConfig"]["authority"] == issuer.url
    assert setup["oidcConfig"]["client_id"] == "ragchat-spa"
    config = await (await client.get("/config")).get_json()
    assert config["authEnabled"] is True
    assert config["loginRequired"] is True
