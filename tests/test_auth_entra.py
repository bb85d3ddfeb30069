"""Entra ID's rules on locally minted tokens: the user is `oid`, the API scope is required, both
audience forms are accepted, and group overage is refused with a message a person can act on.

AUTH_ISSUER points the Entra rules at the local issuer (no tenant is reachable from here); the
Entra-specific issuer list and discovery URL are checked on `token_rules` itself.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from helpers import chat_body
from issuer import Issuer, issuer
from werkzeug.datastructures import FileStorage

from app.auth.middleware import token_rules
from app.settings import Settings

__all__ = ["issuer"]

TENANT = "11111111-2222-3333-4444-555555555555"
SERVER_APP = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SPA_APP = "ffffffff-0000-1111-2222-333333333333"


def _entra(make_settings: Callable[..., Settings], **overrides: Any) -> Settings:
    return make_settings(
        auth_provider="entra",
        azure_auth_tenant_id=TENANT,
        azure_server_app_id=SERVER_APP,
        azure_client_app_id=SPA_APP,
        **overrides,
    )


@pytest.fixture
async def client(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> Any:
    return await serve(_entra(make_settings, auth_issuer=issuer.url, user_upload=True))


def _token(issuer: Issuer, **claims: Any) -> dict[str, str]:
    values: dict[str, Any] = {
        "aud": f"api://{SERVER_APP}",
        "oid": "oid-alice",
        "sub": "pairwise-subject-1",
        "scp": "access_as_user",
        "groups": [],
    }
    values.update(claims)
    return {"Authorization": f"Bearer {issuer.token(**values)}"}


async def _ask(client: Any, headers: dict[str, str]) -> Any:
    return await client.post("/ask", json=chat_body("What is the deductible?"), headers=headers)


@pytest.mark.parametrize("audience", [f"api://{SERVER_APP}", SERVER_APP])
async def test_both_audience_forms_are_accepted(client: Any, issuer: Issuer, audience: str) -> None:
    assert (await _ask(client, _token(issuer, aud=audience))).status_code == 200


async def test_the_user_is_the_oid_not_the_subject(client: Any, issuer: Issuer) -> None:
    # `sub` is pairwise per application in Entra ID; `oid` is the user everywhere.
    upload = FileStorage(io.BytesIO(b"# Mine\n\nMy own note.\n"), filename="mine.md")
    first = _token(issuer, sub="pairwise-subject-1")
    assert (await client.post("/upload", files={"file": upload}, headers=first)).status_code == 200
    same_user = _token(issuer, sub="pairwise-subject-2")
    listed = await client.get("/list_uploaded", headers=same_user)
    assert await listed.get_json() == ["mine.md"]
    other_user = _token(issuer, oid="oid-bob", sub="pairwise-subject-1")
    assert await (await client.get("/list_uploaded", headers=other_user)).get_json() == []


@pytest.mark.parametrize("scp", [None, "", "User.Read", "access_as_user_x", "openid profile"])
async def test_a_token_without_the_api_scope_is_refused(
    client: Any, issuer: Issuer, scp: str | None
) -> None:
    response = await _ask(client, _token(issuer, scp=scp))
    assert response.status_code == 401
    assert "access_as_user" in (await response.get_json())["error"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


async def test_the_scope_may_be_one_of_several(client: Any, issuer: Issuer) -> None:
    headers = _token(issuer, scp="User.Read access_as_user")
    assert (await _ask(client, headers)).status_code == 200


async def test_a_token_without_an_oid_is_refused(client: Any, issuer: Issuer) -> None:
    response = await _ask(client, _token(issuer, oid=None))
    assert response.status_code == 401
    assert "names no user" in (await response.get_json())["error"]


@pytest.mark.parametrize(
    "overage",
    [
        {"_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": "x"}}},
        {"hasgroups": True},
    ],
)
async def test_group_overage_is_refused_with_a_way_out(
    client: Any, issuer: Issuer, overage: dict[str, Any]
) -> None:
    response = await _ask(client, _token(issuer, groups=None, **overage))
    assert response.status_code == 403
    error = (await response.get_json())["error"]
    assert "more groups than fit" in error
    assert "docs/auth.md" in error
    assert (await client.get("/healthz")).status_code == 200


def test_entra_trusts_its_v2_and_v1_issuers_and_both_audiences(
    make_settings: Callable[..., Settings],
) -> None:
    rules = token_rules(_entra(make_settings))
    assert rules.issuers == (
        f"https://login.microsoftonline.com/{TENANT}/v2.0",
        f"https://sts.windows.net/{TENANT}/",
    )
    assert rules.audiences == (SERVER_APP, f"api://{SERVER_APP}")
    assert rules.discovery_url == (
        f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration"
    )


async def test_auth_setup_describes_the_msal_login(client: Any) -> None:
    setup = await (await client.get("/auth_setup")).get_json()
    assert setup["useLogin"] is True
    assert setup["provider"] == "entra"
    assert setup["msalConfig"]["auth"]["clientId"] == SPA_APP
    assert setup["msalConfig"]["auth"]["authority"].endswith(TENANT)
    assert setup["msalConfig"]["auth"]["redirectUri"] == "/redirect"
    assert setup["tokenRequest"]["scopes"] == [f"api://{SERVER_APP}/access_as_user"]
    assert setup["oidcConfig"] is None
