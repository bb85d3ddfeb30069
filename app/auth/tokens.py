"""Bearer-token validation: signature against the issuer's published keys, then the claims.

    discovery   {issuer}/.well-known/openid-configuration -> jwks_uri, fetched once at start-up
    keys        the JWKS, cached for AUTH_JWKS_TTL_SECONDS; an unknown `kid` fetches it again,
                at most once per REFRESH_INTERVAL, so a flood of forged kids costs one fetch
    claims      iss, aud, exp and nbf (LEEWAY seconds of clock skew), with an algorithm allow-list
                (asymmetric only: never `none`, never HS256 keyed by a public key)

Every refusal is an UnauthorizedError with a plain message; an issuer that cannot be reached is
an IssuerUnavailableError (503), never a hang: each fetch has a timeout. Crypto is PyJWT's.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

from app.errors import AppError, UnauthorizedError

logger = logging.getLogger(__name__)

# Asymmetric algorithms only: a key from a JWKS is public, so HMAC with it would be forgeable.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY = 60
REFRESH_INTERVAL = 60.0


class IssuerUnavailableError(AppError):
    status = 503
    message = "The sign-in service could not be reached to check your sign-in. Try again soon."


@dataclass(frozen=True, slots=True)
class TokenRules:
    """What a valid token must say: who issued it, for whom, and which algorithms."""

    issuers: tuple[str, ...]
    audiences: tuple[str, ...]
    discovery_url: str


class TokenValidator:
    """Validates bearer tokens of one issuer; one instance per worker."""

    def __init__(
        self,
        *,
        rules: TokenRules,
        session: aiohttp.ClientSession,
        timeout: float,
        keys_ttl: float = 3600.0,
    ) -> None:
        self._rules = rules
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._keys_ttl = keys_ttl
        self._jwks_uri: str | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -float("inf")
        self._unknown_kid_at = -float("inf")  # last refresh an unknown kid asked for
        self._lock = asyncio.Lock()
        self.fetches = 0  # JWKS fetches so far: tests and logs use it

    async def start(self) -> None:
        """Read the discovery document and the keys; raise IssuerUnavailableError if we cannot."""
        document = await self._get_json(self._rules.discovery_url)
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise IssuerUnavailableError(
                f"The issuer's discovery document ({self._rules.discovery_url}) has no jwks_uri."
            )
        self._jwks_uri = jwks_uri
        await self._refresh()

    async def validate(self, token: str) -> dict[str, Any]:
        """The token's claims, if its signature and claims are valid; else UnauthorizedError."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _invalid("The sign-in token is malformed.") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise _invalid("The sign-in token is not signed with an accepted algorithm.")
        key = await self._key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=list(self._rules.audiences),
                issuer=list(self._rules.issuers),
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise _invalid("The sign-in token has expired: sign in again.") from None
        except jwt.ImmatureSignatureError:
            raise _invalid("The sign-in token is not valid yet.") from None
        except jwt.InvalidAudienceError:
            raise _invalid("The sign-in token was issued for another application.") from None
        except jwt.InvalidIssuerError:
            raise _invalid(
                "The sign-in token comes from an issuer this server does not trust."
            ) from None
        except jwt.InvalidSignatureError:
            raise _invalid("The sign-in token's signature is not valid.") from None
        except jwt.MissingRequiredClaimError as exc:
            raise _invalid(f"The sign-in token has no '{exc.claim}' claim.") from None
        except jwt.PyJWTError:
            raise _invalid("The sign-in token is not valid.") from None
        return claims

    async def _key(self, kid: object) -> jwt.PyJWK:
        if not isinstance(kid, str) or not kid:
            raise _invalid("The sign-in token names no signing key.")
        if self._refresh_due(kid):
            async with self._lock:  # concurrent requests share one fetch
                if self._refresh_due(kid):  # unless one just happened while this one waited
                    if kid not in self._keys:
                        self._unknown_kid_at = time.monotonic()
                    await self._refresh(keep_on_failure=True)
        key = self._keys.get(kid)
        if key is None:
            raise _invalid("The sign-in token is signed with a key this server does not know.")
        return key

    def _refresh_due(self, kid: str) -> bool:
        """Whether to fetch the keys before looking up `kid`: they are older than the TTL, or
        `kid` is unknown (the issuer may have rotated its keys) and no unknown kid asked for a
        fetch within REFRESH_INTERVAL."""
        now = time.monotonic()
        if now - self._fetched_at > self._keys_ttl:
            return True
        return kid not in self._keys and now - self._unknown_kid_at > REFRESH_INTERVAL

    async def _refresh(self, *, keep_on_failure: bool = False) -> None:
        assert self._jwks_uri is not None
        self._fetched_at = time.monotonic()  # also after a failure: no retry storm
        self.fetches += 1
        try:
            document = await self._get_json(self._jwks_uri)
        except IssuerUnavailableError:
            if keep_on_failure:
                logger.warning("could not refresh the issuer's keys; keeping the cached ones")
                return
            raise
        self._keys = _signing_keys(document)
        logger.info("loaded %d signing keys from %s", len(self._keys), self._jwks_uri)

    async def _get_json(self, url: str) -> Mapping[str, Any]:
        try:
            async with self._session.get(url, timeout=self._timeout) as response:
                response.raise_for_status()
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            logger.error("cannot read %s from the issuer: %r", url, exc)
            raise IssuerUnavailableError() from exc
        if not isinstance(body, dict):
            raise IssuerUnavailableError()
        return body


def _signing_keys(jwks: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for data in jwks.get("keys") or []:
        if not isinstance(data, dict) or data.get("use", "sig") != "sig" or "kid" not in data:
            continue
        try:
            key = jwt.PyJWK.from_dict(data)
        except jwt.PyJWTError:
            continue  # a key type or algorithm PyJWT does not support: it cannot sign for us
        keys[str(data["kid"])] = key
    return keys


def _invalid(message: str) -> UnauthorizedError:
    return UnauthorizedError(message, error_code="invalid_token")
