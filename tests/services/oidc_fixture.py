"""The `oidc_provider` session fixture, as a plugin: `pytest_plugins = ["services.oidc_fixture"]`.

Helpers (start_oidc_provider, login_with_password, login_in_browser, ...) are in
services/oidc_provider.py; import them from there, not from this module, so that pytest can load
this one as a plugin (it must not be imported before pytest registers it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.oidc_provider import (
    POST_LOGOUT_REDIRECT_URI,
    REDIRECT_URI,
    OidcProvider,
    start_oidc_provider,
)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """One provider for the session, its client registered for the app's default URLs."""
    log = tmp_path_factory.mktemp("oidc-provider") / "server.log"
    with start_oidc_provider([REDIRECT_URI], [POST_LOGOUT_REDIRECT_URI], log=log) as provider:
        yield provider
