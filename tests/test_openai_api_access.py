"""`/v1` with login on: a sign-in token of the identity provider works as the API key does,
and the answer applies that user's document access (driven by the `openai` SDK on a socket,
tokens from a local issuer)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from issuer import Issuer, issuer, oidc_login
from served import served

from app.ingest.__main__ import main as ingest_main
from app.settings import Settings

__all__ = ["issuer"]  # the fixture

KEY = "test-key-0123456789abcdef"
QUESTION = [{"role": "user", "content": "What is the secret word of this document?"}]
TOP = {"context": {"overrides": {"top": 10}}}
DOCUMENTS = {
    "public.md": ("zebracorn", None),
    "alice-only.md": ("narwhalix", {"oids": ["user-alice"]}),
}


@pytest.fixture(scope="module")
def acl_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two documents, indexed once for the module with the real CLI."""
    corpus = tmp_path_factory.mktemp("corpus")
    for name, (marker, access) in DOCUMENTS.items():
        (corpus / name).write_text(f"# {name}\n\nThe secret word of this document is {marker}.\n")
        if access is not None:
            (corpus / f"{name}.acl.json").write_text(json.dumps(access))
    index_dir = tmp_path_factory.mktemp("acl-index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_INDEX_DIR", str(index_dir))
        assert ingest_main([str(corpus)]) == 0
    return index_dir


@pytest.fixture
def login_settings(
    make_settings: Callable[..., Settings], issuer: Issuer, acl_index: Path
) -> Callable[..., Settings]:
    def make(**extra: Any) -> Settings:
        return make_settings(local_index_dir=acl_index, **oidc_login(issuer.url), **extra)

    return make


async def _sources(url: str, credential: str) -> set[str]:
    async with openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=credential, max_retries=0) as sdk:
        answer = await sdk.chat.completions.create(
            model="ragchat-ask", messages=QUESTION, extra_body=TOP
        )
    return set(answer.choices[0].message.context["data_points"]["citations"])  # type: ignore[attr-defined]


@pytest.fixture
async def url(login_settings: Callable[..., Settings]) -> AsyncIterator[str]:
    async with served(login_settings(api_keys=KEY)) as base:
        yield base


async def test_a_token_answers_with_the_users_documents(url: str, issuer: Issuer) -> None:
    assert await _sources(url, issuer.token(sub="user-alice")) == set(DOCUMENTS)
    assert await _sources(url, issuer.token(sub="user-bob")) == {"public.md"}


async def test_a_key_reads_what_an_anonymous_caller_may(url: str) -> None:
    assert await _sources(url, KEY) == {"public.md"}


async def test_a_bad_token_is_an_authentication_error(url: str, issuer: Issuer) -> None:
    expired = issuer.token(exp=1)
    async with openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=expired, max_retries=0) as sdk:
        with pytest.raises(openai.AuthenticationError) as refused:
            await sdk.models.list()
    assert refused.value.status_code == 401
    assert 'error="invalid_token"' in refused.value.response.headers["WWW-Authenticate"]


async def test_with_login_and_no_keys_the_api_takes_tokens_only(
    login_settings: Callable[..., Settings], issuer: Issuer
) -> None:
    async with served(login_settings(auth_required=True)) as base:
        assert await _sources(base, issuer.token(sub="user-alice")) == set(DOCUMENTS)
        async with openai.AsyncOpenAI(base_url=f"{base}/v1", api_key=KEY, max_retries=0) as sdk:
            with pytest.raises(openai.AuthenticationError) as refused:
                await sdk.models.list()
    assert refused.value.code == "invalid_api_key"
