"""The typed services of one worker, made when serving starts and closed when it stops."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

import aiohttp
from azure.core.credentials_async import AsyncTokenCredential
from openai import AsyncOpenAI
from quart import current_app

from app import clients
from app.approaches.base import ApproachConfig, AskApproach, ChatApproach
from app.auth.middleware import Authenticator, token_rules
from app.auth.tokens import IssuerUnavailableError, TokenValidator
from app.content import ContentStore
from app.content.blob import BlobContentStore
from app.content.local import LocalContentStore
from app.content.routed import RoutedContentStore
from app.history.base import HistoryStore
from app.history.stores import open_history
from app.ingest.indexers import Indexer, LocalIndexer
from app.ingest.pipeline import Pipeline
from app.models import ChatModel
from app.models.budget import TokenLimits
from app.models.embeddings import Embedder, open_embedder
from app.models.extractive import ExtractiveChatModel
from app.models.openai import OpenAIChatModel
from app.search import Retriever
from app.search.azure import AzureSearchRetriever
from app.search.local import LocalIndex
from app.settings import Settings, SettingsError
from app.speech import SpeechSynthesizer, open_speech
from app.tokens import encoding
from app.uploads import UPLOADS_FOLDER, UserUploads

EXTENSION_KEY = "ragchat.services"


@dataclass(frozen=True, slots=True)
class Services:
    """What the routes use; one instance per worker."""

    settings: Settings
    model: ChatModel
    retriever: Retriever
    embedder: Embedder | None
    content: ContentStore | None
    chat: ChatApproach
    ask: AskApproach
    feedback: HistoryStore  # kept on the server whatever CHAT_HISTORY says
    authenticator: Authenticator | None = None
    uploads: UserUploads | None = None
    # Conversations (None: kept in the browser).
    history: HistoryStore | None = None
    # Answers read aloud by Azure AI Speech (None: not configured; the browser's voices).
    speech: SpeechSynthesizer | None = None


async def open_services(settings: Settings, stack: AsyncExitStack) -> Services:
    """Create every client once; `stack` closes them in reverse order."""

    def closing(close: Callable[[], Awaitable[object]]) -> None:
        stack.push_async_callback(close)

    credential = clients.azure_credential(settings) if clients.needs_credential(settings) else None
    if credential is not None:
        closing(credential.close)

    openai_clients: dict[str, AsyncOpenAI] = {}

    def openai_for(provider: str) -> AsyncOpenAI:
        if provider not in openai_clients:
            openai_clients[provider] = clients.openai_client(settings, provider, credential)
            closing(openai_clients[provider].close)
        return openai_clients[provider]

    embedder = await open_embedder(settings, openai_client=openai_for)

    model: ChatModel
    if settings.chat_provider == "extractive":
        model = ExtractiveChatModel(embedder)  # sentences chosen by meaning too, if it can
    elif settings.chat_provider == "azure":
        assert settings.azure_openai_chat_deployment
        model = OpenAIChatModel(
            client=openai_for("azure"),
            model=settings.azure_openai_chat_deployment,
            provider_label="Azure OpenAI",
            timeout=settings.model_timeout_seconds,
            limits=TokenLimits.from_settings(settings),
        )
    else:
        assert settings.openai_chat_model
        model = OpenAIChatModel(
            client=openai_for("openai"),
            model=settings.openai_chat_model,
            provider_label=settings.openai_base_url or "OpenAI",
            timeout=settings.model_timeout_seconds,
            limits=TokenLimits.from_settings(settings),
        )

    retriever: Retriever
    content: ContentStore | None
    upload_indexer: Indexer | None = None
    if settings.search_backend == "azure":
        search_client = clients.search_client(settings, credential)
        closing(search_client.close)
        retriever = AzureSearchRetriever(
            client=search_client,
            semantic_configuration=settings.azure_search_semantic_configuration,
            timeout=settings.search_timeout_seconds,
        )
        content = None
        if settings.azure_storage_endpoint and credential is not None:
            container = clients.container_client(settings, credential)
            closing(container.close)
            content = BlobContentStore(container=container)
            if settings.user_upload:
                upload_indexer, user_content = azure_upload_indexer(settings, credential, stack)
                content = RoutedContentStore(
                    default=content, prefix=UPLOADS_FOLDER + "/", routed=user_content
                )
    else:
        index = await LocalIndex.open(settings.local_index_path)
        closing(index.close)  # the retriever, and the uploads' indexer when there is one
        retriever = index
        local_content = LocalContentStore(settings.local_content_dir)
        content = local_content
        if settings.user_upload:
            upload_indexer = LocalIndexer(index=index, content=local_content)
    uploads = None
    if upload_indexer is not None:
        uploads = UserUploads(
            pipeline=Pipeline(indexer=upload_indexer, embedder=embedder),
            indexer=upload_indexer,
            max_bytes=settings.user_upload_max_bytes,
            max_files=settings.user_upload_max_files,
        )

    config = ApproachConfig(
        history_token_budget=settings.history_token_budget,
        allow_prompt_template=settings.allow_prompt_template,
        semantic_ranker_available=settings.search_backend == "azure"
        and settings.azure_search_semantic_ranker,
    )
    await asyncio.to_thread(encoding)  # load the tokenizer now, not in the first request
    authenticator = await open_authenticator(settings, stack) if settings.login_enabled else None
    history, feedback = await open_history(settings, credential, stack)
    speech = open_speech(settings, credential, stack)
    return Services(
        settings=settings,
        model=model,
        retriever=retriever,
        embedder=embedder,
        content=content,
        chat=ChatApproach(retriever=retriever, model=model, embedder=embedder, config=config),
        ask=AskApproach(retriever=retriever, model=model, embedder=embedder, config=config),
        authenticator=authenticator,
        uploads=uploads,
        history=history,
        feedback=feedback,
        speech=speech,
    )


def azure_upload_indexer(
    settings: Settings, credential: AsyncTokenCredential, stack: AsyncExitStack
) -> tuple[Indexer, ContentStore]:
    """The indexer of users' uploads on Azure (the main index, the uploads container), and
    the content store that reads that container; their clients are closed with `stack`."""
    from app.ingest.azure_index import AzureIndexer  # loads the index models: only when used

    container = clients.container_client(
        settings, credential, name=settings.azure_user_storage_container
    )
    stack.push_async_callback(container.close)
    search_client = clients.search_client(settings, credential)
    stack.push_async_callback(search_client.close)
    indexer = AzureIndexer(
        search_client=search_client, container=container, index_name=settings.azure_search_index
    )
    return indexer, BlobContentStore(container=container)


async def open_authenticator(settings: Settings, stack: AsyncExitStack) -> Authenticator:
    """Read the issuer's keys now, so a wrong or unreachable issuer stops start-up, clearly."""
    rules = token_rules(settings)
    session = aiohttp.ClientSession(trust_env=True)
    stack.push_async_callback(session.close)
    validator = TokenValidator(
        rules=rules,
        session=session,
        timeout=settings.auth_http_timeout_seconds,
        keys_ttl=settings.auth_jwks_ttl_seconds,
    )
    try:
        await validator.start()
    except IssuerUnavailableError as exc:
        variable = "AUTH_ISSUER" if settings.auth_provider == "oidc" else "AZURE_AUTH_TENANT_ID"
        raise SettingsError(
            f"{variable}: cannot read the sign-in keys from {rules.discovery_url} "
            f"within {settings.auth_http_timeout_seconds:g} s ({exc.message})"
        ) from exc
    return Authenticator(validator=validator, settings=settings)


def get_services() -> Services:
    """The services of the running app."""
    services = current_app.extensions[EXTENSION_KEY]
    assert isinstance(services, Services)
    return services
