"""The request side of identity: the `Authorization` header in, a `User` (or None) out.

`install(app, ...)` registers one `before_request` hook. It leaves open routes alone (health,
config, login set-up, the SPA's files, the API docs), validates a bearer token where one is sent,
refuses anonymous callers with 401 when AUTH_REQUIRED is set, and keeps the result for the
request. Routes read it once with `current_user()` and pass it on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quart import Quart, g, request

from app.auth.tokens import TokenRules, TokenValidator
from app.auth.user import User
from app.errors import ForbiddenError, UnauthorizedError
from app.settings import Settings

ENTRA_LOGIN = "https://login.microsoftonline.com"
ENTRA_SCOPE = "access_as_user"
# Endpoints anyone may call whatever AUTH_REQUIRED says; every other route needs a user then.
OPEN_ENDPOINTS = frozenset(
    {"meta.config", "meta.healthz", "auth_setup.auth_setup", "openapi", "swagger_ui", "static"}
)
# `openai_api` (/v1) is not open: it checks its own callers, API keys or these same tokens
# (app/openai_api/caller.py), and this hook would refuse its keys as malformed tokens.
OPEN_BLUEPRINTS = frozenset({"spa", "openai_api"})

_GROUP_OVERAGE = (
    "Your account is in more groups than fit in a sign-in token, so this server cannot tell "
    "which documents you may read. Ask an administrator to emit only the groups assigned to "
    "this application (see docs/auth.md, group overage)."
)


def token_rules(settings: Settings) -> TokenRules:
    """The issuer, audiences and discovery document that `settings` trust."""
    if settings.auth_provider == "entra":
        tenant = settings.azure_auth_tenant_id
        app_id = settings.azure_server_app_id
        issuer = settings.auth_issuer or f"{ENTRA_LOGIN}/{tenant}/v2.0"
        # v2 tokens say the v2 issuer and the app id; v1 tokens the STS issuer and api://id.
        issuers: tuple[str, ...] = (issuer,)
        if not settings.auth_issuer:
            issuers += (f"https://sts.windows.net/{tenant}/",)
        audiences: tuple[str, ...] = (str(app_id), f"api://{app_id}")
    else:
        issuer = str(settings.auth_issuer)
        issuers = (issuer,)
        audiences = (str(settings.auth_audience),)
    return TokenRules(
        issuers=issuers,
        audiences=audiences,
        discovery_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
    )


class Authenticator:
    """Turns an `Authorization` header into a User, by the rules of the configured provider."""

    def __init__(self, *, validator: TokenValidator, settings: Settings) -> None:
        self._validator = validator
        self._entra = settings.auth_provider == "entra"
        self._groups_claim = settings.auth_groups_claim

    async def user_for(self, authorization: str | None) -> User | None:
        """The caller, None without a header, or UnauthorizedError / ForbiddenError."""
        if authorization is None:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError(
                "The Authorization header must be 'Bearer <token>'.", error_code="invalid_request"
            )
        claims = await self._validator.validate(token.strip())
        return self._user(claims)

    def _user(self, claims: dict[str, Any]) -> User:
        if self._entra:
            if "groups" in (claims.get("_claim_names") or {}) or claims.get("hasgroups"):
                raise ForbiddenError(_GROUP_OVERAGE)
            if ENTRA_SCOPE not in str(claims.get("scp", "")).split():
                raise _invalid(f"The sign-in token lacks the '{ENTRA_SCOPE}' permission.")
        subject = claims.get("oid" if self._entra else "sub")
        if not isinstance(subject, str) or not subject:
            raise _invalid("The sign-in token names no user.")
        groups = claims.get(self._groups_claim, [])
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list) or not all(isinstance(x, str) for x in groups):
            raise _invalid(f"The sign-in token's '{self._groups_claim}' claim is not a list.")
        name = next(
            (
                str(claims[key])
                for key in ("name", "preferred_username", "email")
                if isinstance(claims.get(key), str)
            ),
            None,
        )
        return User(oid=subject, groups=tuple(dict.fromkeys(groups)), name=name)


def _invalid(message: str) -> UnauthorizedError:
    return UnauthorizedError(message, error_code="invalid_token")


def install(
    app: Quart, settings: Settings, authenticator: Callable[[], Authenticator | None]
) -> None:
    """Resolve the caller before every request that is not to an open route.

    `authenticator` gives the worker's Authenticator (made when serving starts), or None
    when login is off.
    """

    @app.before_request
    async def identify() -> None:
        g.user = None
        if request.endpoint in OPEN_ENDPOINTS or request.blueprint in OPEN_BLUEPRINTS:
            return
        if (auth := authenticator()) is not None:
            g.user = await auth.user_for(request.headers.get("Authorization"))
        if g.user is None and settings.auth_required and request.endpoint is not None:
            raise UnauthorizedError("Sign in to use this service.")


def current_user() -> User | None:
    """The caller of the current request (None: anonymous)."""
    user = g.get("user")
    return user if isinstance(user, User) else None
