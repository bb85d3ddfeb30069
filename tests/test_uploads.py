"""Users' own uploads on the local backend, through the HTTP routes: owner-only, and every
bad upload a clear 4xx that leaves the server serving."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from helpers import chat_body
from issuer import Issuer, issuer, oidc_login
from werkzeug.datastructures import FileStorage

from app.settings import Settings
from app.uploads import upload_name

__all__ = ["issuer"]

ALICE = {"sub": "user-alice", "groups": ["group-hr"]}
BOB = {"sub": "user-bob", "groups": []}
ALICE_FOLDER = ".uploads/" + hashlib.sha256(b"user-alice").hexdigest()[:32]
NOTE = b"# Travel note\n\nThe code word for the offsite is pelicanberry.\n"
LIMIT = 2 * 1024 * 1024


@pytest.fixture
async def client(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> Any:
    return await serve(
        make_settings(
            **oidc_login(issuer.url),
            user_upload=True,
            user_upload_max_bytes=LIMIT,
        )
    )


def _as(issuer: Issuer, claims: dict[str, Any] | None) -> dict[str, str]:
    return {} if claims is None else {"Authorization": f"Bearer {issuer.token(**claims)}"}


def _file(name: str, data: bytes, content_type: str = "text/markdown") -> dict[str, FileStorage]:
    return {"file": FileStorage(io.BytesIO(data), filename=name, content_type=content_type)}


async def _upload(client: Any, headers: dict[str, str], name: str, data: bytes) -> Any:
    return await client.post("/upload", files=_file(name, data), headers=headers)


async def _ask(client: Any, headers: dict[str, str], question: str) -> str:
    response = await client.post("/chat", json=chat_body(question, top=10), headers=headers)
    assert response.status_code == 200
    return str((await response.get_data()).decode())


async def test_an_upload_is_its_owners_alone_until_deleted(client: Any, issuer: Issuer) -> None:
    alice, bob = _as(issuer, ALICE), _as(issuer, BOB)
    response = await _upload(client, alice, "travel.md", NOTE)
    assert response.status_code == 200
    assert await response.get_json() == {
        "message": "File uploaded",
        "filename": "travel.md",
        "chunks": 1,
    }
    assert await (await client.get("/list_uploaded", headers=alice)).get_json() == ["travel.md"]
    assert await (await client.get("/list_uploaded", headers=bob)).get_json() == []

    question = "What is the code word for the offsite?"
    answer = await _ask(client, alice, question)
    assert f"{ALICE_FOLDER}/travel.md" in answer
    assert "pelicanberry" in answer
    for other in (bob, {}):
        assert "pelicanberry" not in await _ask(client, other, question)
        assert "travel.md" not in await _ask(client, other, question)

    stored = await client.get(f"/content/{ALICE_FOLDER}/travel.md", headers=alice)
    assert stored.status_code == 200
    assert await stored.get_data() == NOTE
    for other in (bob, {}):
        refused = await client.get(f"/content/{ALICE_FOLDER}/travel.md", headers=other)
        assert refused.status_code == 404

    # Bob cannot delete it: his own folder has no such file.
    refused = await client.post("/delete_uploaded", json={"filename": "travel.md"}, headers=bob)
    assert refused.status_code == 404
    assert "travel.md" in (await refused.get_json())["error"]
    deleted = await client.post("/delete_uploaded", json={"filename": "travel.md"}, headers=alice)
    assert deleted.status_code == 200
    assert await deleted.get_json() == {"message": "File deleted"}
    assert await (await client.get("/list_uploaded", headers=alice)).get_json() == []
    assert "pelicanberry" not in await _ask(client, alice, question)
    gone = await client.get(f"/content/{ALICE_FOLDER}/travel.md", headers=alice)
    assert gone.status_code == 404
    again = await client.post("/delete_uploaded", json={"filename": "travel.md"}, headers=alice)
    assert again.status_code == 404


async def test_the_same_name_again_replaces_the_old_file(client: Any, issuer: Issuer) -> None:
    alice = _as(issuer, ALICE)
    assert (await _upload(client, alice, "travel.md", NOTE)).status_code == 200
    newer = NOTE.replace(b"pelicanberry", b"walrusplum")
    assert (await _upload(client, alice, "travel.md", newer)).status_code == 200

    assert await (await client.get("/list_uploaded", headers=alice)).get_json() == ["travel.md"]
    answer = await _ask(client, alice, "What is the code word for the offsite?")
    assert "walrusplum" in answer
    assert "pelicanberry" not in answer


async def test_one_user_keeps_at_most_max_files_uploads(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> None:
    client = await serve(
        make_settings(**oidc_login(issuer.url), user_upload=True, user_upload_max_files=2)
    )
    alice, bob = _as(issuer, ALICE), _as(issuer, BOB)
    for name in ("a.md", "b.md"):
        assert (await _upload(client, alice, name, NOTE)).status_code == 200
    refused = await _upload(client, alice, "c.md", NOTE)
    assert refused.status_code == 409
    assert "delete some first" in (await refused.get_json())["error"]
    assert (await _upload(client, alice, "b.md", NOTE)).status_code == 200  # a replacement
    assert (await _upload(client, bob, "c.md", NOTE)).status_code == 200  # per user
    await client.post("/delete_uploaded", json={"filename": "a.md"}, headers=alice)
    assert (await _upload(client, alice, "c.md", NOTE)).status_code == 200
    listed = await client.get("/list_uploaded", headers=alice)
    assert await listed.get_json() == ["b.md", "c.md"]


async def test_a_client_side_path_is_cut_to_the_file_name(client: Any, issuer: Issuer) -> None:
    alice = _as(issuer, ALICE)
    for name in ("../../etc/notes.md", "/tmp/notes.md", "reports/2026/notes.md"):
        response = await _upload(client, alice, name, NOTE)
        assert response.status_code == 200, name
        assert (await response.get_json())["filename"] == "notes.md"
    assert await (await client.get("/list_uploaded", headers=alice)).get_json() == ["notes.md"]


@pytest.mark.parametrize(
    "sent", ["C:\\Users\\a\\notes.md", "..\\..\\notes.md", " notes.md ", "a/b\\notes.md"]
)
def test_upload_name_keeps_only_the_last_part(sent: str) -> None:
    assert upload_name(sent) == "notes.md"


async def test_a_file_over_the_json_limit_but_under_the_upload_limit_is_accepted(
    client: Any, issuer: Issuer
) -> None:
    # MAX_REQUEST_BYTES (1 MiB) still holds for every other route.
    big = b"# Big\n\n" + b"The archive mentions a lighthouse keeper. " * 40_000  # ~1.7 MB
    assert 1_048_576 < len(big) < LIMIT
    response = await _upload(client, _as(issuer, ALICE), "big.md", big)
    assert response.status_code == 200
    assert (await response.get_json())["chunks"] > 100

    padded = chat_body("x" * 1_100_000)
    too_big = await client.post("/chat", json=padded, headers=_as(issuer, ALICE))
    assert too_big.status_code == 413


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("big.md", b"a " * (LIMIT // 2 + 1), 413, ["2 MiB"]),
        ("tool.exe", b"MZ\x90\x00", 415, [".exe", ".pdf", ".md"]),
        ("noext", b"hello", 415, ["(none)"]),
        ("scan.pdf", b"this is no PDF at all", 400, ["scan.pdf", "not a PDF"]),
        ("empty.md", b"", 400, ["empty"]),
        ("blank.md", b"   \n\n  ", 400, ["no text"]),
        ("#notes.md", NOTE, 400, ["'#'"]),
        (".hidden.md", NOTE, 400, ["'.'"]),
        ("what?.md", NOTE, 400, ["character"]),
        ("x" * 300 + ".md", NOTE, 400, ["200 characters"]),
    ],
)
async def test_a_bad_upload_is_a_clear_4xx_naming_the_field(
    client: Any, issuer: Issuer, name: str, data: bytes, status: int, words: list[str]
) -> None:
    alice = _as(issuer, ALICE)
    response = await _upload(client, alice, name, data)
    assert response.status_code == status
    error = (await response.get_json())["error"]
    assert error.startswith("file: ")
    for word in words:
        assert word in error
    # Nothing was kept, and the server still serves.
    assert await (await client.get("/list_uploaded", headers=alice)).get_json() == []
    assert (await client.get("/healthz")).status_code == 200


async def test_requests_that_are_not_an_upload_are_refused(client: Any, issuer: Issuer) -> None:
    alice = _as(issuer, ALICE)
    other_field = {"document": _file("a.md", NOTE)["file"]}
    no_file = await client.post("/upload", files=other_field, headers=alice)
    assert no_file.status_code == 400
    assert "file: missing" in (await no_file.get_json())["error"]
    as_json = await client.post("/upload", json={"file": "x"}, headers=alice)
    assert as_json.status_code == 415
    as_form = await client.post("/upload", form={"file": "x"}, headers=alice)
    assert as_form.status_code == 415
    assert "multipart/form-data" in (await as_form.get_json())["error"]
    no_name = await client.post("/delete_uploaded", json={}, headers=alice)
    assert no_name.status_code == 400
    assert "filename" in (await no_name.get_json())["error"]


async def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(
    client: Any, issuer: Issuer
) -> None:
    headers = {
        **_as(issuer, ALICE),
        "Content-Type": "multipart/form-data; boundary=x",
        "Content-Length": str(LIMIT * 2),
    }
    response = await client.post("/upload", data=b"--x--", headers=headers)
    assert response.status_code == 413
    assert "2 MiB" in (await response.get_json())["error"]


async def test_anonymous_callers_get_401_on_every_upload_route(client: Any, issuer: Issuer) -> None:
    for method, path, kwargs in [
        ("POST", "/upload", {"files": _file("a.md", NOTE)}),
        ("GET", "/list_uploaded", {}),
        ("POST", "/delete_uploaded", {"json": {"filename": "a.md"}}),
        ("POST", "/delete_uploaded", {"json": {}}),  # 401 before the body is looked at
    ]:
        response = await client.open(path, method=method, **kwargs)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Sign in" in (await response.get_json())["error"]


async def test_uploads_are_404_where_they_are_off(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> None:
    client = await serve(
        make_settings(
            **oidc_login(issuer.url),
        )
    )
    response = await _upload(client, _as(issuer, ALICE), "a.md", NOTE)
    assert response.status_code == 404
    assert "USER_UPLOAD" in (await response.get_json())["error"]
    config = await (await client.get("/config")).get_json()
    assert config["showUserUpload"] is False


async def test_config_offers_uploads(client: Any) -> None:
    config = await (await client.get("/config")).get_json()
    assert config["showUserUpload"] is True
    assert config["uploadMaxBytes"] == LIMIT
