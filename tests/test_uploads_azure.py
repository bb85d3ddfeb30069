"""Users' uploads on Azure, wired as the server wires them, through the real search and blob
SDKs against FakeAzureSearch and Azurite (tests/azurite.py): the file in the uploads container,
its chunks in the main index readable by the owner only, `/content`'s store reading it back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from azure.core.credentials import AzureKeyCredential
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from fakes.azure_search import FakeAzureSearch
from issuer import Issuer, issuer, oidc_login
from services.azurite.emulator import BlobStorage

from app.auth import User
from app.content.blob import BlobContentStore
from app.content.routed import RoutedContentStore
from app.errors import NotFoundError
from app.ingest.azure_index import AzureIndexer, ensure_index, index_definition
from app.ingest.pipeline import Pipeline
from app.search.azure import AzureSearchRetriever
from app.search.base import SearchOptions
from app.settings import Settings
from app.uploads import UPLOADS_FOLDER, UserUploads, user_folder

__all__ = ["issuer"]
pytest_plugins = ["azurite"]

INDEX = "gptkbindex"
CORPUS, UPLOADS = "content", "user-content"
ALICE = User(oid="user-alice", groups=("group-hr",))
BOB = User(oid="user-bob", groups=())
NOTE = b"# Travel note\n\nThe code word for the offsite is pelicanberry.\n"


@dataclass
class Wired:
    search: FakeAzureSearch
    blobs: BlobStorage
    uploads: UserUploads
    retriever: AzureSearchRetriever
    content: RoutedContentStore


def _search(search: FakeAzureSearch) -> SearchClient:
    return SearchClient(search.endpoint, INDEX, AzureKeyCredential("k"), retry_total=0)


@pytest_asyncio.fixture
async def wired(blob_storage: BlobStorage) -> AsyncIterator[Wired]:
    await blob_storage.create_container(CORPUS)
    async with FakeAzureSearch() as search:
        index = index_definition(INDEX, semantic_configuration="default", dimensions=None)
        async with (
            SearchIndexClient(search.endpoint, AzureKeyCredential("k")) as client,
            blob_storage.container(UPLOADS) as container,
        ):
            await ensure_index(client, index, container)  # as the CLI and infra/ do
        async with (
            _search(search) as indexed,
            _search(search) as searched,
            blob_storage.container(UPLOADS) as uploaded,
            blob_storage.container(UPLOADS) as read_uploads,
            blob_storage.container(CORPUS) as corpus,
        ):  # the app's exit stack closes these clients; the adapters never do
            indexer = AzureIndexer(search_client=indexed, container=uploaded, index_name=INDEX)
            uploads = UserUploads(
                pipeline=Pipeline(indexer=indexer), indexer=indexer, max_bytes=4096, max_files=10
            )
            retriever = AzureSearchRetriever(client=searched, semantic_configuration="default")
            content = RoutedContentStore(
                default=BlobContentStore(container=corpus),
                prefix=UPLOADS_FOLDER + "/",
                routed=BlobContentStore(container=read_uploads),
            )
            yield Wired(search, blob_storage, uploads, retriever, content)


async def test_an_upload_lands_in_the_uploads_container_readable_by_its_owner(
    wired: Wired,
) -> None:
    result = await wired.uploads.add(ALICE, "travel.md", NOTE)
    name = user_folder(ALICE) + "travel.md"
    assert (result.sourcefile, result.status, result.chunks) == (name, "indexed", 1)

    assert await wired.blobs.blob_names(UPLOADS) == [name]
    assert await wired.blobs.blob_names(CORPUS) == []
    [document] = wired.search.documents[INDEX].values()
    assert (document["sourcefile"], document["oids"], document["groups"]) == (name, [ALICE.oid], [])

    options = SearchOptions(query="code word offsite", top=5)
    assert [h.sourcefile for h in await wired.retriever.search(options, user=ALICE)] == [name]
    assert await wired.retriever.search(options, user=BOB) == []
    assert await wired.retriever.search(options, user=None) == []
    assert await wired.retriever.readable(name, user=ALICE)
    assert not await wired.retriever.readable(name, user=BOB)

    stored = await wired.content.open(name)
    assert b"".join([chunk async for chunk in stored.chunks]) == NOTE
    assert await wired.uploads.names(ALICE) == ["travel.md"]
    assert await wired.uploads.names(BOB) == []


async def test_removing_an_upload_deletes_its_chunks_and_its_blob(wired: Wired) -> None:
    await wired.uploads.add(ALICE, "travel.md", NOTE)
    await wired.uploads.add(ALICE, "other.md", b"# Other\n\nSomething else entirely.\n")
    with pytest.raises(NotFoundError):
        await wired.uploads.remove(BOB, "travel.md")

    await wired.uploads.remove(ALICE, "travel.md")

    folder = user_folder(ALICE)
    assert await wired.blobs.blob_names(UPLOADS) == [folder + "other.md"]
    assert {d["sourcefile"] for d in wired.search.documents[INDEX].values()} == {
        folder + "other.md"
    }
    assert await wired.uploads.names(ALICE) == ["other.md"]
    with pytest.raises(NotFoundError):
        await wired.content.open(folder + "travel.md")


async def test_corpus_names_are_read_from_the_corpus_container(wired: Wired) -> None:
    async with wired.blobs.container(CORPUS) as corpus:
        await corpus.upload_blob("handbook.md", b"# Handbook\n")
    stored = await wired.content.open("handbook.md")
    assert b"".join([chunk async for chunk in stored.chunks]) == b"# Handbook\n"
    with pytest.raises(NotFoundError):
        await wired.content.open(user_folder(ALICE) + "handbook.md")


async def test_the_server_wires_uploads_on_azure_and_closes_them(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> None:
    # Blob clients with a token credential refuse plain http, so storage is an https address
    # that is never called: this checks the wiring, start-up and shut-down, not the calls.
    async with FakeAzureSearch() as search:
        client = await serve(
            make_settings(
                search_backend="azure",
                azure_search_endpoint=search.endpoint,
                azure_search_api_key="k",
                azure_storage_endpoint="https://127.0.0.1:9/devstoreaccount1",
                **oidc_login(issuer.url),
                user_upload=True,
            )
        )
        config = await (await client.get("/config")).get_json()
        assert config["showUserUpload"] is True
        anonymous = await client.get("/list_uploaded")
        assert anonymous.status_code == 401


def test_uploads_on_azure_need_a_storage_account(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ValueError, match="AZURE_STORAGE_ENDPOINT"):
        make_settings(
            search_backend="azure",
            azure_search_endpoint="https://search.example",
            **oidc_login("https://issuer.example"),
            user_upload=True,
        )
