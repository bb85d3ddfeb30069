"""Factories for the shared async clients: credential, OpenAI, Azure AI Search, Blob Storage.

Nothing here connects; the first request does. `Services` owns what these return and closes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import httpx2
from azure.core.credentials import AzureKeyCredential
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.pipeline.transport import AioHttpTransport
from azure.identity.aio import (
    AzureCliCredential,
    AzureDeveloperCliCredential,
    ChainedTokenCredential,
    EnvironmentCredential,
    ManagedIdentityCredential,
    get_bearer_token_provider,
)
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from azure.storage.blob.aio import ContainerClient
from openai import AsyncOpenAI, DefaultAioHttpClient, DefaultAsyncHttpxClient

from app.settings import Settings

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"
# Connections per upstream service and worker: enough for thousands of concurrent answers.
MAX_CONNECTIONS = 10_000


def azure_transport(idle_timeout: float | None = None) -> AioHttpTransport:
    """azure-core's aiohttp transport, without its two costs under load.

    Its default session reads HTTP(S)_PROXY and ~/.netrc on every request, in a thread
    (measured at a quarter of the CPU of a whole answer), and caps connections at 100. The app
    talks to Azure directly; set the SDKs' `transport` yourself if you need a proxy.
    `idle_timeout` bounds connecting and each wait for bytes (azure-core's default: 300 s).
    """
    connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS)
    session = aiohttp.ClientSession(connector=connector, trust_env=False)
    timeouts = (
        {}
        if idle_timeout is None
        else {"connection_timeout": idle_timeout, "read_timeout": idle_timeout}
    )
    return AioHttpTransport(session=session, session_owner=True, **timeouts)


# Ollama, llama.cpp and vLLM ignore the key, but the SDK refuses to start without one.
_PLACEHOLDER_KEY = "not-needed"


def azure_credential(settings: Settings) -> AsyncTokenCredential:
    """Keyless Azure sign-in: managed identity on Azure; environment or developer CLIs locally."""
    managed: AsyncTokenCredential = ManagedIdentityCredential(client_id=settings.azure_client_id)
    local: list[AsyncTokenCredential] = [
        EnvironmentCredential(),
        AzureDeveloperCliCredential(),
        AzureCliCredential(),
    ]
    # With a client id we know we run on Azure: ask the managed identity first.
    chain = [managed, *local] if settings.azure_client_id else [*local, managed]
    return ChainedTokenCredential(*chain)


def openai_client(
    settings: Settings,
    provider: str,
    credential: AsyncTokenCredential | None,
    *,
    max_retries: int | None = None,
) -> AsyncOpenAI:
    """An AsyncOpenAI client for `openai` (any base URL) or `azure` (Azure OpenAI's v1 API).

    The SDK retries 429 and 5xx itself, waiting as long as `Retry-After` asks (up to a
    minute) or backing off exponentially. Its timeout is MODEL_IDLE_TIMEOUT_SECONDS: for
    connecting and for each wait for bytes (httpx's read timeout is per read), so a stream
    that goes silent fails; the model's own code bounds the whole call (MODEL_TIMEOUT_SECONDS).
    """
    api_key: str | Callable[[], Awaitable[str]]
    if provider == "azure":
        assert settings.azure_openai_endpoint
        base_url: str | None = settings.azure_openai_endpoint.rstrip("/") + "/openai/v1/"
        if settings.azure_openai_api_key:
            api_key = settings.azure_openai_api_key.get_secret_value()
        else:
            assert credential is not None
            api_key = get_bearer_token_provider(credential, COGNITIVE_SERVICES_SCOPE)
    else:
        base_url = settings.openai_base_url
        key = settings.openai_api_key
        api_key = key.get_secret_value() if key else _PLACEHOLDER_KEY
    # One worker holds thousands of open streams: the SDK's default pool (1,000) would queue them.
    limits = httpx2.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=1_000)
    http_client = (
        DefaultAioHttpClient(limits=limits)
        if settings.openai_transport == "aiohttp"
        else DefaultAsyncHttpxClient(limits=limits)
    )
    return AsyncOpenAI(
        http_client=http_client,
        base_url=base_url,
        api_key=api_key,
        timeout=settings.model_idle_timeout_seconds,
        max_retries=settings.upstream_max_retries if max_retries is None else max_retries,
    )


def search_client(
    settings: Settings, credential: AsyncTokenCredential | None, *, max_retries: int | None = None
) -> SearchClient:
    """The Azure AI Search client for the configured index."""
    assert settings.azure_search_endpoint
    return SearchClient(
        endpoint=settings.azure_search_endpoint,
        index_name=settings.azure_search_index,
        credential=_search_credential(settings, credential),
        retry_total=settings.upstream_max_retries if max_retries is None else max_retries,
        transport=azure_transport(settings.search_idle_timeout_seconds),
    )


def _search_credential(
    settings: Settings, credential: AsyncTokenCredential | None
) -> AzureKeyCredential | AsyncTokenCredential:
    if settings.azure_search_api_key:
        return AzureKeyCredential(settings.azure_search_api_key.get_secret_value())
    assert credential is not None
    return credential


def container_client(
    settings: Settings,
    credential: AsyncTokenCredential,
    *,
    max_retries: int | None = None,
    name: str | None = None,
) -> ContainerClient:
    """The Blob Storage container that holds the source files (or the one called `name`)."""
    assert settings.azure_storage_endpoint
    return ContainerClient(
        account_url=settings.azure_storage_endpoint,
        container_name=name or settings.azure_storage_container,
        credential=credential,
        retry_total=settings.upstream_max_retries if max_retries is None else max_retries,
        transport=azure_transport(settings.upstream_timeout_seconds),
    )


def needs_credential(settings: Settings) -> bool:
    """Whether any configured Azure service signs in without a key."""
    return bool(
        (
            (settings.chat_provider == "azure" or settings.embedding_provider == "azure")
            and not settings.azure_openai_api_key
        )
        or (
            settings.search_backend == "azure"
            and (not settings.azure_search_api_key or settings.azure_storage_endpoint)
        )
        or (uses_cosmos(settings) and not settings.azure_cosmosdb_key)
        or (settings.speech_output_azure and not settings.azure_speech_service_key)
    )


def uses_cosmos(settings: Settings) -> bool:
    """Whether conversations or feedback are kept in Cosmos DB."""
    backend = settings.history_backend
    return backend == "cosmos" or (backend == "browser" and bool(settings.azure_cosmosdb_endpoint))


def index_client(
    settings: Settings, credential: AsyncTokenCredential | None, *, max_retries: int | None = None
) -> SearchIndexClient:
    """The Azure AI Search index management client (ingestion)."""
    assert settings.azure_search_endpoint
    return SearchIndexClient(
        endpoint=settings.azure_search_endpoint,
        credential=_search_credential(settings, credential),
        retry_total=settings.upstream_max_retries if max_retries is None else max_retries,
        transport=azure_transport(settings.upstream_timeout_seconds),
    )
