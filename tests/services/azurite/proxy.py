"""A pass-through proxy in front of Azurite that records requests and injects faults.

Azurite is a real Blob Storage service; two things the tests need are not in it:

* Faults. Azurite answers as the service does when all is well; it cannot be told to fail
  the next `set_blob_metadata` with a 500, or any request with a 503, which is how the tests
  show that a storage error surfaces as such and that a run cut off midway is redone.
* What was sent. Some behaviour is about requests, not state: an unsafe name is refused with
  no request at all, a small file is read in one GET, a second ingestion run lists the
  container once instead of asking about each file.

So clients under test reach Azurite through `BlobProxy`, which forwards every request and
its answer unchanged (the shared-key signature still checks out: it covers the path, the
query and the `x-ms-*` headers, not the host), except that it records each one and answers
a queued fault itself instead of forwarding. It runs on 127.0.0.1 in the test's event loop.
It listens and records as the fakes do (`fakes.base`); its faults stay its own, because they
target one Blob Storage operation rather than the next request.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import aiohttp
from aiohttp import web
from fakes.base import Recorder, listen

# Headers of one hop, not of the request; aiohttp sets its own Content-Length.
_HOP_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "host",
        "keep-alive",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# The SDK call each request comes from: (method, container or blob, `comp` query parameter).
_OPERATIONS = {
    ("PUT", "container", None): "create_container",
    ("GET", "container", None): "get_container_properties",
    ("HEAD", "container", None): "get_container_properties",
    ("DELETE", "container", None): "delete_container",
    ("GET", "container", "list"): "list_blobs",
    ("PUT", "blob", None): "upload_blob",
    ("GET", "blob", None): "download_blob",
    ("HEAD", "blob", None): "get_blob_properties",
    ("DELETE", "blob", None): "delete_blob",
    ("PUT", "blob", "metadata"): "set_blob_metadata",
}
_CODES = {500: "InternalError", 503: "ServerBusy"}


@dataclass(frozen=True, slots=True)
class BlobRequest:
    """One request the proxy received (recorded before any fault is applied)."""

    method: str
    operation: str  # e.g. "upload_blob", "list_blobs" (see _OPERATIONS), else "other"
    container: str | None
    blob: str | None
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names

    @property
    def metadata(self) -> dict[str, str]:
        """The `x-ms-meta-*` headers sent, by metadata name."""
        prefix = "x-ms-meta-"
        return {k.removeprefix(prefix): v for k, v in self.headers.items() if k.startswith(prefix)}


@dataclass(frozen=True, slots=True)
class _Fault:
    status: int
    code: str
    operation: str | None


class BlobProxy:
    """Forwards to `upstream` (Azurite's http://host:port); use as `async with`."""

    def __init__(self, *, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.requests: Recorder[BlobRequest] = Recorder()
        self._faults: deque[_Fault] = deque()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def __aenter__(self) -> Self:
        # No decompression: the body goes back byte for byte.
        self._session = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner, port = await listen(app)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def fail_next(self, status: int, *, operation: str | None = None) -> None:
        """Answer the next request (of `operation` only, if given) with `status` instead of
        forwarding it, with the service's error code for it and its XML error body."""
        self._faults.append(_Fault(status, _CODES.get(status, "InternalError"), operation))

    @property
    def pending_faults(self) -> int:
        """Faults queued by `fail_next` that no request has met yet."""
        return len(self._faults)

    def requests_for(self, operation: str) -> list[BlobRequest]:
        """The recorded requests of one operation, in order."""
        return [r for r in self.requests if r.operation == operation]

    def reset(self) -> None:
        """Forget the recorded requests and the queued faults."""
        self.requests.clear()
        self._faults.clear()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        recorded = _record(request)
        self.requests.record(recorded)
        fault = self._take_fault(recorded.operation)
        if fault is not None:
            return _error(request.method, fault)
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        async with self._session.request(
            request.method,
            self.upstream + request.rel_url.raw_path_qs,
            headers=headers,
            data=body or None,
            allow_redirects=False,
            # Only what the SDK sent: an added Content-Type would break the signature.
            skip_auto_headers=("Accept", "Accept-Encoding", "Content-Type", "User-Agent"),
        ) as upstream:
            answer = await upstream.read()
            out = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS}
            if request.method == "HEAD":  # no body, but the blob's size in Content-Length
                out["Content-Length"] = upstream.headers.get("Content-Length", "0")
            return web.Response(status=upstream.status, headers=out, body=answer or None)

    def _take_fault(self, operation: str) -> _Fault | None:
        for fault in self._faults:
            if fault.operation in (None, operation):
                self._faults.remove(fault)
                return fault
        return None


def _record(request: web.Request) -> BlobRequest:
    # Path style, as Azurite serves it: /<account>/<container>[/<blob>]
    parts = request.rel_url.raw_path.lstrip("/").split("/", 2)
    container = unquote(parts[1]) if len(parts) > 1 and parts[1] else None
    blob = unquote(parts[2]) if len(parts) > 2 and parts[2] else None
    query = dict(request.query)
    level = "blob" if blob else "container" if query.get("restype") == "container" else None
    operation = _OPERATIONS.get((request.method, level, query.get("comp")), "other")
    return BlobRequest(
        method=request.method,
        operation=operation,
        container=container,
        blob=blob,
        query=query,
        headers={k.lower(): v for k, v in request.headers.items()},
    )


def _error(method: str, fault: _Fault) -> web.Response:
    """The service's error answer: the code in a header and, but for HEAD, an XML body."""
    headers = {"x-ms-error-code": fault.code}
    if method == "HEAD":
        return web.Response(status=fault.status, headers=headers)
    root = ET.Element("Error")
    ET.SubElement(root, "Code").text = fault.code
    ET.SubElement(root, "Message").text = f"Injected by the tests' BlobProxy ({fault.status})."
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return web.Response(
        status=fault.status, headers=headers, body=body, content_type="application/xml"
    )
