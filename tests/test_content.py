"""`/content` serves stored source files and nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as Client

from app.content.local import LocalContentStore
from app.errors import NotFoundError


async def test_cited_pdf_opens(client: Client) -> None:
    response = await client.get("/content/health-plans.pdf")
    body = await response.get_data()
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert body.startswith(b"%PDF-")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_html_source_is_sandboxed(client: Client) -> None:
    response = await client.get("/content/pto-leave-policy.html")
    assert response.status_code == 200
    assert response.content_type == "text/html"  # the page's own <meta charset> decides
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


async def test_citation_fragment_is_ignored(client: Client) -> None:
    response = await client.get("/content/health-plans.pdf%23page=2")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/content/../pyproject.toml",
        "/content/%2e%2e/index.sqlite3",
        "/content/..%2findex.sqlite3",
        "/content/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/content//etc/passwd",
        "/content/sub/../../index.sqlite3",
        "/content/..\\index.sqlite3",
        "/content/C:%5cWindows",
        "/content/nothing-here.pdf",
        "/content/",
    ],
)
async def test_traversal_and_unknown_files_are_404(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "pyproject" not in (await response.get_data(as_text=True))


async def test_the_index_database_is_not_content(client: Client, local_index_dir: Path) -> None:
    assert (local_index_dir / "index.sqlite3").exists()
    assert (await client.get("/content/index.sqlite3")).status_code == 404


async def test_symlink_out_of_the_store_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "content"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, root / "link.txt")
    store = LocalContentStore(root)
    with pytest.raises(NotFoundError):
        await store.open("link.txt")


async def test_save_then_open_round_trips(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path / "content")
    await store.save("sub/dir/a.md", b"# Title\n")
    stored = await store.open("sub/dir/a.md")
    assert stored.content_type == "text/markdown; charset=utf-8"
    assert stored.size == 8
    assert b"".join([part async for part in stored.chunks]) == b"# Title\n"
    await store.delete("sub/dir/a.md")
    with pytest.raises(NotFoundError):
        await store.open("sub/dir/a.md")
