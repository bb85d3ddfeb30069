"""A local OpenID issuer for tests: discovery, JWKS, and tokens minted with its keys."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

AUDIENCE = "api://ragchat"
CLIENT_ID = "ragchat-spa"


def oidc_login(issuer_url: str) -> dict[str, str]:
    """The settings that make the app accept the tokens of the issuer at `issuer_url`."""
    return {
        "auth_provider": "oidc",
        "auth_issuer": issuer_url,
        "auth_audience": AUDIENCE,
        "auth_client_id": CLIENT_ID,
    }


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Issuer:
    """Discovery document and JWKS on 127.0.0.1; counts JWKS fetches."""

    def __init__(self) -> None:
        self.keys = {"k1": new_key()}
        self.jwks_fetches = 0
        self.url = ""

    def jwk(self, kid: str) -> dict[str, Any]:
        public = self.keys[kid].public_key()
        data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
        return {**data, "kid": kid, "use": "sig", "alg": "RS256"}

    async def discovery(self, _: web.Request) -> web.Response:
        return web.json_response({"issuer": self.url, "jwks_uri": f"{self.url}/jwks"})

    async def jwks(self, _: web.Request) -> web.Response:
        self.jwks_fetches += 1
        return web.json_response({"keys": [self.jwk(kid) for kid in self.keys]})

    def token(self, *, kid: str = "k1", key: Any = None, alg: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": AUDIENCE, "sub": "user-alice", "exp": now + 300}
        body.update({"iat": now, "groups": ["group-hr"], "name": "Alice"})
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.keys[kid], algorithm=alg, headers={"kid": kid})


@pytest.fixture
async def issuer() -> AsyncIterator[Issuer]:
    fake = Issuer()
    app = web.Application()
    app.router.add_get("/.well-known/openid-configuration", fake.discovery)
    app.router.add_get("/jwks", fake.jwks)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()
