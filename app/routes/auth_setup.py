"""`GET /auth_setup`: what the SPA needs to log in, in azure-search-openai-demo's shape.

`provider` and `oidcConfig` are ours: they let the same SPA log in with any OpenID Connect
provider, not only Entra ID (MSAL). Redirect URIs are relative to the page's origin.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import document_response

from app.auth.middleware import ENTRA_LOGIN, ENTRA_SCOPE
from app.services import get_services
from app.settings import AuthProvider, Settings

bp = Blueprint("auth_setup", __name__)

REDIRECT_URI = "/redirect"
POST_LOGOUT_REDIRECT_URI = "/"


class AuthSetupResponse(BaseModel):
    """Body of `GET /auth_setup`: MSAL's settings for Entra ID, oidc-client's for OIDC."""

    useLogin: bool
    provider: AuthProvider
    requireAccessControl: bool
    enableUnauthenticatedAccess: bool
    msalConfig: dict[str, Any] | None
    loginRequest: dict[str, Any] | None
    tokenRequest: dict[str, Any] | None
    oidcConfig: dict[str, Any] | None


@bp.get("/auth_setup")
@document_response(AuthSetupResponse)
async def auth_setup() -> dict[str, Any]:
    """Login settings for the SPA; open to anyone, it holds no secret."""
    return auth_setup_for(get_services().settings)


def auth_setup_for(settings: Settings) -> dict[str, Any]:
    """The `/auth_setup` body for `settings`."""
    setup: dict[str, Any] = {
        "useLogin": settings.login_enabled,
        "provider": settings.auth_provider,
        "requireAccessControl": settings.login_enabled,
        "enableUnauthenticatedAccess": not settings.auth_required,
        "msalConfig": None,
        "loginRequest": None,
        "tokenRequest": None,
        "oidcConfig": None,
    }
    if settings.auth_provider == "entra":
        setup["msalConfig"] = {
            "auth": {
                "clientId": settings.azure_client_app_id,
                "authority": f"{ENTRA_LOGIN}/{settings.azure_auth_tenant_id}",
                "redirectUri": REDIRECT_URI,
                "postLogoutRedirectUri": POST_LOGOUT_REDIRECT_URI,
                "navigateToLoginRequestUrl": False,
            },
            "cache": {"cacheLocation": "sessionStorage", "storeAuthStateInCookie": False},
        }
        setup["loginRequest"] = {"scopes": [".default"]}
        setup["tokenRequest"] = {"scopes": [f"api://{settings.azure_server_app_id}/{ENTRA_SCOPE}"]}
    elif settings.auth_provider == "oidc":
        setup["oidcConfig"] = {
            "authority": settings.auth_issuer,
            "client_id": settings.auth_client_id,
            "scope": settings.auth_scopes,
            "redirect_uri": REDIRECT_URI,
            "post_logout_redirect_uri": POST_LOGOUT_REDIRECT_URI,
        }
    return setup
