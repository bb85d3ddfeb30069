"""Users x documents x routes: no response byte names or quotes a document its caller may not read.

The corpus is indexed with the real CLI and access-list sidecars, plus one file alice uploads
through `POST /upload`; tokens come from a local issuer. Each document holds a unique marker
word, asked for directly.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from fakes.azure_search import FakeAzureSearch
from helpers import chat_body
from issuer import Issuer, issuer, oidc_login
from werkzeug.datastructures import FileStorage

from app.auth import User
from app.ingest.__main__ import main as ingest_main
from app.search import SearchOptions
from app.search.access import AccessList
from app.search.base import Chunk, RetrievalMode
from app.search.local import LocalIndex
from app.settings import Settings

__all__ = ["issuer"]

DOCUMENTS = {
    "public.md": ("zebracorn", None),
    "hr/policy.md": ("quokkafish", {"groups": ["group-hr"]}),
    "alice-only.md": ("narwhalix", {"oids": ["user-alice"]}),
    "bob-only.md": ("axolotron", {"oids": ["user-bob"]}),
}
USERS: dict[str, dict[str, Any] | None] = {
    "anonymous": None,
    "alice": {"sub": "user-alice", "groups": ["group-hr"]},
    "bob": {"sub": "user-bob", "groups": []},
}
# Uploaded by alice through POST /upload: hers alone, in her folder.
ALICE_UPLOAD = ".uploads/" + hashlib.sha256(b"user-alice").hexdigest()[:32] + "/trip.md"
UPLOADED = {ALICE_UPLOAD: ("pangolinox", {"oids": ["user-alice"]})}
ALL_DOCUMENTS = DOCUMENTS | UPLOADED
MAY_READ = {
    "anonymous": {"public.md"},
    "alice": {"public.md", "hr/policy.md", "alice-only.md", ALICE_UPLOAD},
    "bob": {"public.md", "bob-only.md"},
}
ROUTES = ["/chat", "/chat/stream", "/ask", "/ask/stream"]


@pytest.fixture
def acl_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = tmp_path / "corpus"
    for name, (marker, access) in DOCUMENTS.items():
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {name}\n\nThe secret word of this document is {marker}.\n")
        if access is not None and name.startswith("hr/"):
            (path.parent / ".acl.json").write_text(json.dumps(access))
        elif access is not None:
            path.with_name(path.name + ".acl.json").write_text(json.dumps(access))
    index_dir = tmp_path / "acl-index"
    monkeypatch.setenv("LOCAL_INDEX_DIR", str(index_dir))
    assert ingest_main([str(corpus)]) == 0
    monkeypatch.delenv("LOCAL_INDEX_DIR")
    return index_dir


@pytest.fixture
async def client(
    serve: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    issuer: Issuer,
    acl_index: Path,
) -> Any:
    client = await serve(
        make_settings(
            local_index_dir=acl_index,
            **oidc_login(issuer.url),
            user_upload=True,
        )
    )
    for name, (marker, _) in UPLOADED.items():
        text = f"# {name}\n\nThe secret word of this document is {marker}.\n"
        upload = FileStorage(io.BytesIO(text.encode()), filename=name.rsplit("/", 1)[-1])
        response = await client.post(
            "/upload", files={"file": upload}, headers=_headers(issuer, "alice")
        )
        assert response.status_code == 200
    return client


def _headers(issuer: Issuer, user: str) -> dict[str, str]:
    claims = USERS[user]
    return {} if claims is None else {"Authorization": f"Bearer {issuer.token(**claims)}"}


@pytest.mark.parametrize("user", sorted(USERS))
async def test_answers_show_only_readable_documents(client: Any, issuer: Issuer, user: str) -> None:
    # Every document matches the question; `top` is large enough for all of them.
    body = chat_body("What is the secret word of this document?", top=10)
    for route in ROUTES:
        response = await client.post(route, json=body, headers=_headers(issuer, user))
        assert response.status_code == 200, (user, route)
        text = (await response.get_data()).decode()
        for name, (marker, _) in ALL_DOCUMENTS.items():
            if name in MAY_READ[user]:
                assert name in text, (user, route, name)  # cited: the filter is not "all off"
            else:
                assert marker not in text, (user, route, name)
                assert name not in text, (user, route, name)


@pytest.mark.parametrize("user", sorted(USERS))
async def test_content_is_404_for_what_the_caller_may_not_read(
    client: Any, issuer: Issuer, user: str
) -> None:
    for name, (marker, _) in ALL_DOCUMENTS.items():
        response = await client.get(f"/content/{name}", headers=_headers(issuer, user))
        body = await response.get_data()
        if name in MAY_READ[user]:
            assert response.status_code == 200, (user, name)
            assert marker.encode() in body
        else:
            assert response.status_code == 404, (user, name)
            assert marker.encode() not in body
    missing = await client.get("/content/nothing-here.md", headers=_headers(issuer, user))
    assert missing.status_code == 404
    # The same answer for "exists but not yours" and "does not exist": names do not leak.
    if "bob-only.md" not in MAY_READ[user]:
        hidden = await client.get("/content/bob-only.md", headers=_headers(issuer, user))
        assert await hidden.get_data() == await missing.get_data()


@pytest.fixture
async def azure_client(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> AsyncIterator[Any]:
    """The app on the real Azure Search SDK, against the fake holding the same four documents."""
    async with FakeAzureSearch() as fake:
        fake.documents["gptkbindex"] = {
            f"doc-{n}": {
                "id": f"doc-{n}",
                "content": f"The secret word of this document is {marker}.",
                "sourcepage": name,
                "sourcefile": name,
                "category": None,
                "oids": (access or {}).get("oids", []),
                "groups": (access or {}).get("groups", []),
            }
            for n, (name, (marker, access)) in enumerate(ALL_DOCUMENTS.items())
        }
        yield await serve(
            make_settings(
                search_backend="azure",
                azure_search_endpoint=fake.endpoint,
                azure_search_api_key="fake-key",
                **oidc_login(issuer.url),
            )
        )


@pytest.mark.parametrize("user", sorted(USERS))
async def test_azure_answers_show_only_readable_documents(
    azure_client: Any, issuer: Issuer, user: str
) -> None:
    await test_answers_show_only_readable_documents(azure_client, issuer, user)


# -- vectors: the local index's in-memory mask ------------------------------------------------

VECTOR_USERS = {
    "anonymous": None,
    "alice": User(oid="user-alice", groups=("group-hr",)),
    "bob": User(oid="user-bob", groups=()),
}
# Each reader's own document lies at a distance from the query; 150 chunks nobody but carol
# may read lie nearer. A search that cut to the nearest rows before masking would find none.
VECTOR_DOCS = {
    "public.md": AccessList(),
    "hr.md": AccessList.of(groups=["group-hr"]),
    "alice.md": AccessList.of(["user-alice"]),
    "bob.md": AccessList.of(["user-bob"]),
}
VECTOR_MAY_READ = {
    "anonymous": {"public.md"},
    "alice": {"public.md", "hr.md", "alice.md"},
    "bob": {"public.md", "bob.md"},
}


@pytest.fixture
async def vector_index(tmp_path: Path) -> AsyncIterator[LocalIndex]:
    index = await LocalIndex.open(tmp_path / "vectors.sqlite3")
    for n, (name, access) in enumerate(VECTOR_DOCS.items()):
        chunk = Chunk(
            id=f"doc-{n}",
            content=f"Document {name} about the harbour.",
            sourcepage=name,
            sourcefile=name,
            category=None,
            embedding=[0.2, 1.0, 0.1 * n],
            access=access,
        )
        await index.replace_file(name, f"hash-{n}", [chunk])
    decoys = [
        Chunk(
            id=f"decoy-{n}",
            content=f"Carol's note {n} about the harbour.",
            sourcepage="carol.md",
            sourcefile="carol.md",
            category=None,
            embedding=[1.0, 0.01 * n, 0.0],
            access=AccessList.of(["user-carol"]),
        )
        for n in range(150)
    ]
    await index.replace_file("carol.md", "hash-carol", decoys)
    yield index
    await index.close()


@pytest.mark.parametrize("mode", ["vectors", "hybrid"])
@pytest.mark.parametrize("user", sorted(VECTOR_USERS))
async def test_vector_search_finds_readable_chunks_behind_nearer_unreadable_ones(
    vector_index: LocalIndex, user: str, mode: RetrievalMode
) -> None:
    options = SearchOptions(query="harbour", mode=mode, vector=[1.0, 0.0, 0.0], top=10)
    hits = await vector_index.search(options, user=VECTOR_USERS[user])
    assert {hit.sourcefile for hit in hits} == VECTOR_MAY_READ[user]
