"""In-process fake of the Azure Blob Storage REST service, for driving the *real* SDK in tests.

``azure-storage-blob`` rides on azure-core's aiohttp transport, like the search SDK, so it
cannot be intercepted with respx. :class:`FakeBlobStorage` runs a small ``aiohttp.web`` server
on ``127.0.0.1`` (ephemeral port) inside the test's event loop; point a real
``azure.storage.blob.aio.ContainerClient`` at ``fake.account_url``::

    async with FakeBlobStorage(containers=["content"]) as fake:
        async with ContainerClient(
            fake.account_url, "content", credential=fake.credential, retry_total=0
        ) as container:
            await container.upload_blob("a.txt", b"hi", overwrite=True)
        assert fake.blob("content", "a.txt").data == b"hi"

URL form
--------
``account_url`` is the emulator's path-style form ``http://127.0.0.1:PORT/devstoreaccount1``.
The SDK sees a host that is not ``<account>.blob.core.windows.net``, takes the first path
segment as the account name and keeps it as a path prefix, so requests go to
``/devstoreaccount1/<container>[/<blob>]``. ``fake.connection_string`` is the matching
``BlobEndpoint=...;AccountName=...;AccountKey=...`` string for ``from_connection_string``.

Authentication
--------------
Use ``credential=fake.credential`` (a shared-key dict with a base64 ``account_key``): the
SDK signs requests with ``Authorization: SharedKey devstoreaccount1:<signature>``, which
azure-core allows over plain http. Bearer-token credentials are refused by azure-core over
http before any request is sent. The fake records the ``authorization`` header but does not
verify signatures.

What azure-storage-blob 12.31 sends (verified by running it against this fake)
----------------------------------------------------------------------------
Every request carries ``x-ms-version`` and ``x-ms-date``; the fake echoes ``x-ms-version`` and
adds ``x-ms-request-id`` and ``Date``.

* ``create_container()`` -> ``PUT /acct/c?restype=container``: 201, or 409
  ``ContainerAlreadyExists``.
* ``exists()`` / ``get_container_properties()`` -> ``GET /acct/c?restype=container``: 200
  with ``ETag``, ``Last-Modified``, ``x-ms-meta-*``, lease headers; or 404
  ``ContainerNotFound`` (``exists()`` turns that into False).
* ``delete_container()`` -> ``DELETE /acct/c?restype=container``: 202 / 404.
* ``upload_blob(name, data, overwrite=True, content_settings=..., metadata=...)`` for small
  data -> one ``PUT /acct/c/name`` with ``x-ms-blob-type: BlockBlob``,
  ``x-ms-blob-content-type``, ``x-ms-meta-*``; ``overwrite=False`` adds ``If-None-Match: *``
  (409 ``BlobAlreadyExists`` -> ``ResourceExistsError``). 201 with ``ETag``,
  ``Last-Modified``, ``Content-MD5``. A missing container gives 404 ``ContainerNotFound``.
* ``download_blob(name)`` -> ``GET /acct/c/name`` with ``x-ms-range: bytes=0-33554431``
  (the SDK's ``max_single_get_size`` of 32 MiB); the fake answers 206 with
  ``Content-Range: bytes 0-N/SIZE`` (the SDK reads the blob size from it). A range past the
  end of an empty blob gets 416 ``InvalidRange``, upon which the SDK repeats the GET without
  a range (200). Both ``x-ms-range`` (preferred) and ``Range`` are honoured.
* ``get_blob_properties()`` -> ``HEAD /acct/c/name``: 200 with ``x-ms-meta-*``,
  ``Content-Type``, ``Content-Length``, ``ETag``, ``Last-Modified``, ``x-ms-blob-type``,
  ``x-ms-creation-time``; a missing blob gives 404 with ``x-ms-error-code: BlobNotFound``
  and no body (HEAD), which the SDK maps to ``ResourceNotFoundError``.
* ``set_blob_metadata({...})`` -> ``PUT /acct/c/name?comp=metadata`` with ``x-ms-meta-*``;
  it *replaces* all metadata. 200 / 404.
* ``delete_blob(name)`` -> ``DELETE /acct/c/name``: 202, or 404 ``BlobNotFound`` with an XML
  ``<Error><Code>BlobNotFound</Code><Message>...</Message></Error>`` body and the
  ``x-ms-error-code`` header -> ``ResourceNotFoundError``.
* ``list_blobs()`` / ``list_blob_names()`` -> ``GET /acct/c?restype=container&comp=list``
  (``prefix``, ``marker``, ``maxresults``, ``include=metadata`` are honoured): 200
  ``<EnumerationResults ServiceEndpoint=... ContainerName=...><Blobs><Blob><Name>...``
  sorted by name; with ``maxresults`` the page ends with a ``<NextMarker>`` the SDK passes
  back as ``marker``.

Anything else is answered 400 ``UnsupportedHttpVerb``-style with code ``FakeNoRoute`` (and
still recorded), so an unexpected call shows up in ``fake.requests``.

Errors and retries
------------------
The storage SDK has its own retry policy (``ExponentialRetry``: by default 3 retries, 15 s or
more apart, for 408 and 5xx except 501/505 - not for 429 - and for connection errors). In
tests build clients with ``retry_total=0`` when injecting faults, so one fault is one
exception.
:meth:`FakeBlobStorage.fail_next` queues faults; a 404 with code ``BlobNotFound`` /
``ContainerNotFound`` / ``ResourceNotFound`` becomes ``ResourceNotFoundError``, 409 with
``BlobAlreadyExists`` / ``ContainerAlreadyExists`` becomes ``ResourceExistsError``, anything
else a plain ``azure.core.exceptions.HttpResponseError`` (check ``status_code`` and
``error_code``).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from types import TracebackType
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from aiohttp import web

__all__ = [
    "ACCOUNT_KEY",
    "ACCOUNT_NAME",
    "BlobRequest",
    "FakeBlobStorage",
    "StoredBlob",
    "StoredContainer",
]

ACCOUNT_NAME = "devstoreaccount1"
#: Any base64 string works as a shared key: the fake does not check signatures.
ACCOUNT_KEY = base64.b64encode(b"fake-blob-storage-account-key").decode()

_META_PREFIX = "x-ms-meta-"
_RANGE = re.compile(r"^bytes=(?P<start>\d+)-(?P<end>\d*)$")

_DEFAULT_CODES: dict[int, str] = {
    400: "InvalidInput",
    403: "AuthorizationFailure",
    404: "ResourceNotFound",
    409: "Conflict",
    412: "ConditionNotMet",
    416: "InvalidRange",
    429: "ServerBusy",
    500: "InternalError",
    503: "ServerBusy",
}
_DEFAULT_MESSAGES: dict[str, str] = {
    "AuthorizationFailure": "This request is not authorized to perform this operation.",
    "BlobAlreadyExists": "The specified blob already exists.",
    "BlobNotFound": "The specified blob does not exist.",
    "ContainerAlreadyExists": "The specified container already exists.",
    "ContainerNotFound": "The specified container does not exist.",
    "InternalError": "The server encountered an internal error. Please retry the request.",
    "InvalidRange": "The range specified is invalid for the current size of the resource.",
    "ServerBusy": "The server is currently unable to receive requests. Please retry.",
}


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


@dataclass
class StoredBlob:
    """A blob held by the fake."""

    data: bytes
    content_type: str = "application/octet-stream"
    metadata: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def content_md5(self) -> str:
        return base64.b64encode(hashlib.md5(self.data).digest()).decode()  # noqa: S324


@dataclass
class StoredContainer:
    """A container held by the fake: its blobs by name."""

    blobs: dict[str, StoredBlob] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class BlobRequest:
    """One request the fake received (recorded before any fault is applied)."""

    method: str
    #: Decoded path, e.g. ``/devstoreaccount1/content/docs/a.pdf``.
    path: str
    #: Query string parameters (``restype``, ``comp``, ``prefix``, ...).
    query: dict[str, str]
    #: Headers with lower-cased names.
    headers: dict[str, str]
    body: bytes
    #: ``create_container``, ``get_container_properties``, ``delete_container``,
    #: ``list_blobs``, ``upload_blob``, ``download_blob``, ``get_blob_properties``,
    #: ``set_blob_metadata``, ``delete_blob`` or ``unknown``.
    operation: str
    container: str | None = None
    blob: str | None = None

    @property
    def metadata(self) -> dict[str, str]:
        """The ``x-ms-meta-*`` headers sent, by metadata name."""
        return {
            k[len(_META_PREFIX) :]: v for k, v in self.headers.items() if k.startswith(_META_PREFIX)
        }


@dataclass
class _Fault:
    status: int
    code: str
    message: str
    headers: dict[str, str]
    operation: str | None


class FakeBlobStorage:
    """A fake Blob Storage account on ``127.0.0.1``; use as ``async with``.

    Public attributes (all may be changed during a test):

    * ``account_url`` / ``connection_string`` / ``credential`` / ``port``: how to reach it.
    * ``requests``: every :class:`BlobRequest`, in order (faulted ones included).
    * ``containers``: ``{name: StoredContainer}``; each has ``blobs: {name: StoredBlob}``.
    """

    def __init__(self, *, containers: Iterable[str] = (), account_name: str = ACCOUNT_NAME):
        """Create the fake (the server starts in ``__aenter__``).

        :param containers: containers that exist from the start.
        :param account_name: the account name expected as the first path segment.
        """
        self.account_name = account_name
        self.requests: list[BlobRequest] = []
        self.containers: dict[str, StoredContainer] = {}
        self._faults: deque[_Fault] = deque()
        self._etags = itertools.count(0x8DC0000000000001)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        for name in containers:
            self.create_container(name)

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeBlobStorage:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Start the server on an ephemeral port of 127.0.0.1."""
        if self._runner is not None:
            raise RuntimeError("FakeBlobStorage already started")
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp exposes no public accessor for the bound port
        if server is None or not getattr(server, "sockets", None):
            await runner.cleanup()
            raise RuntimeError("aiohttp site did not bind a socket")
        self._port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
        self._runner = runner

    async def close(self) -> None:
        """Stop the server."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBlobStorage is not started")
        return self._port

    @property
    def account_url(self) -> str:
        """``http://127.0.0.1:PORT/devstoreaccount1``: the ``account_url`` for the SDK."""
        return f"http://127.0.0.1:{self.port}/{self.account_name}"

    @property
    def credential(self) -> dict[str, str]:
        """A shared-key credential (works over http; the signature is not checked)."""
        return {"account_name": self.account_name, "account_key": ACCOUNT_KEY}

    @property
    def connection_string(self) -> str:
        """For ``ContainerClient.from_connection_string``."""
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.account_name};"
            f"AccountKey={ACCOUNT_KEY};BlobEndpoint={self.account_url};"
        )

    # ------------------------------------------------------------------ test controls

    def create_container(self, name: str) -> StoredContainer:
        """Create a container directly (no request); return the existing one if present."""
        if name not in self.containers:
            self.containers[name] = StoredContainer(etag=self._next_etag())
        return self.containers[name]

    def blob(self, container: str, name: str) -> StoredBlob:
        """A stored blob; KeyError if the container or blob is missing."""
        return self.containers[container].blobs[name]

    def blob_names(self, container: str) -> list[str]:
        """Names of the blobs in ``container``, sorted."""
        return sorted(self.containers[container].blobs)

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        code: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        operation: str | None = None,
    ) -> None:
        """Make the next ``times`` requests fail with ``status``.

        The answer carries ``x-ms-error-code: code`` (default from the status, e.g. 500
        ``InternalError``) and the service's XML error body. With ``operation`` (e.g.
        ``"set_blob_metadata"``) only requests of that operation consume the fault; other
        requests pass. Faults queue in call order; each SDK retry consumes one.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        error_code = code or _DEFAULT_CODES.get(status, "InternalError")
        text = message or _DEFAULT_MESSAGES.get(error_code, f"HTTP {status}")
        for _ in range(times):
            self._faults.append(_Fault(status, error_code, text, dict(headers or {}), operation))

    @property
    def pending_faults(self) -> int:
        """Faults queued by :meth:`fail_next` that were not consumed yet."""
        return len(self._faults)

    def reset(self) -> None:
        """Forget recorded requests and queued faults (keeps containers and blobs)."""
        self.requests.clear()
        self._faults.clear()

    def requests_for(self, operation: str) -> list[BlobRequest]:
        """Recorded requests with the given ``operation`` name."""
        return [r for r in self.requests if r.operation == operation]

    # ------------------------------------------------------------------ dispatch

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        operation, container, blob = self._classify(request)
        recorded = BlobRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            operation=operation,
            container=container,
            blob=blob,
        )
        self.requests.append(recorded)

        fault = self._take_fault(operation)
        if fault is not None:
            return self._error(recorded, fault.status, fault.code, fault.message, fault.headers)

        handler = {
            "create_container": self._create_container,
            "get_container_properties": self._get_container_properties,
            "delete_container": self._delete_container,
            "list_blobs": self._list_blobs,
            "upload_blob": self._upload_blob,
            "download_blob": self._download_blob,
            "get_blob_properties": self._get_blob_properties,
            "set_blob_metadata": self._set_blob_metadata,
            "delete_blob": self._delete_blob,
        }.get(operation)
        if handler is None:
            message = f"FakeBlobStorage has no route for {request.method} {request.rel_url}"
            return self._error(recorded, 400, "FakeNoRoute", message)
        return handler(recorded)

    def _take_fault(self, operation: str) -> _Fault | None:
        for fault in self._faults:
            if fault.operation in (None, operation):
                self._faults.remove(fault)
                return fault
        return None

    def _classify(self, request: web.Request) -> tuple[str, str | None, str | None]:
        """Return (operation, container, blob) from the raw path and query."""
        parts = request.rel_url.raw_path.lstrip("/").split("/", 2)
        if len(parts) < 2 or unquote(parts[0]) != self.account_name or not parts[1]:
            return "unknown", None, None
        container = unquote(parts[1])
        blob = unquote(parts[2]) if len(parts) == 3 and parts[2] else None
        method = request.method
        restype = request.query.get("restype")
        comp = request.query.get("comp")
        if blob is None:
            if restype != "container":
                return "unknown", container, None
            if comp == "list" and method == "GET":
                return "list_blobs", container, None
            if comp is None:
                operation = {
                    "PUT": "create_container",
                    "GET": "get_container_properties",
                    "HEAD": "get_container_properties",
                    "DELETE": "delete_container",
                }.get(method, "unknown")
                return operation, container, None
            return "unknown", container, None
        if comp == "metadata" and method == "PUT":
            return "set_blob_metadata", container, blob
        if comp is None:
            operation = {
                "PUT": "upload_blob",
                "GET": "download_blob",
                "HEAD": "get_blob_properties",
                "DELETE": "delete_blob",
            }.get(method, "unknown")
            return operation, container, blob
        return "unknown", container, blob

    # ------------------------------------------------------------------ responses

    def _next_etag(self) -> str:
        return f'"0x{next(self._etags):X}"'

    def _headers(
        self, recorded: BlobRequest, extra: dict[str, str] | None = None
    ) -> dict[str, str]:
        headers = {
            "x-ms-request-id": str(uuid.uuid4()),
            "x-ms-version": recorded.headers.get("x-ms-version", "2025-11-05"),
            "Date": _http_date(datetime.now(UTC)),
        }
        if "x-ms-client-request-id" in recorded.headers:
            headers["x-ms-client-request-id"] = recorded.headers["x-ms-client-request-id"]
        headers.update(extra or {})
        return headers

    def _error(
        self,
        recorded: BlobRequest,
        status: int,
        code: str,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        all_headers = self._headers(recorded, {"x-ms-error-code": code})
        all_headers.update(headers or {})
        if recorded.method == "HEAD":  # the service sends no body for HEAD
            return web.Response(status=status, headers=all_headers)
        root = ET.Element("Error")
        ET.SubElement(root, "Code").text = code
        text = message or _DEFAULT_MESSAGES.get(code, f"HTTP {status}")
        request_id = all_headers["x-ms-request-id"]
        stamp = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%f}0Z"
        ET.SubElement(root, "Message").text = f"{text}\nRequestId:{request_id}\nTime:{stamp}"
        return self._xml(root, status=status, headers=all_headers)

    @staticmethod
    def _xml(root: ET.Element, status: int, headers: dict[str, str]) -> web.Response:
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return web.Response(
            status=status,
            body=body,
            content_type="application/xml",
            charset="utf-8",
            headers=headers,
        )

    def _container(
        self, recorded: BlobRequest
    ) -> tuple[StoredContainer | None, web.Response | None]:
        stored = self.containers.get(recorded.container or "")
        if stored is None:
            return None, self._error(recorded, 404, "ContainerNotFound")
        return stored, None

    def _blob(self, recorded: BlobRequest) -> tuple[StoredBlob | None, web.Response | None]:
        container, missing = self._container(recorded)
        if container is None:
            return None, missing
        stored = container.blobs.get(recorded.blob or "")
        if stored is None:
            return None, self._error(recorded, 404, "BlobNotFound")
        return stored, None

    def _blob_headers(self, blob: StoredBlob) -> dict[str, str]:
        headers = {
            "ETag": blob.etag,
            "Last-Modified": _http_date(blob.last_modified),
            "x-ms-creation-time": _http_date(blob.created),
            "x-ms-blob-type": "BlockBlob",
            "x-ms-lease-status": "unlocked",
            "x-ms-lease-state": "available",
            "x-ms-server-encrypted": "true",
            "x-ms-access-tier": "Hot",
            "x-ms-access-tier-inferred": "true",
            "Accept-Ranges": "bytes",
            "Content-MD5": blob.content_md5,
        }
        headers.update({f"{_META_PREFIX}{k}": v for k, v in blob.metadata.items()})
        return headers

    # ------------------------------------------------------------------ containers

    def _create_container(self, recorded: BlobRequest) -> web.Response:
        name = recorded.container or ""
        if name in self.containers:
            return self._error(recorded, 409, "ContainerAlreadyExists")
        stored = self.create_container(name)
        stored.metadata = recorded.metadata
        extra = {"ETag": stored.etag, "Last-Modified": _http_date(stored.last_modified)}
        return web.Response(status=201, headers=self._headers(recorded, extra))

    def _get_container_properties(self, recorded: BlobRequest) -> web.Response:
        stored, missing = self._container(recorded)
        if stored is None:
            assert missing is not None
            return missing
        extra = {
            "ETag": stored.etag,
            "Last-Modified": _http_date(stored.last_modified),
            "x-ms-lease-status": "unlocked",
            "x-ms-lease-state": "available",
            "x-ms-has-immutability-policy": "false",
            "x-ms-has-legal-hold": "false",
            "x-ms-default-encryption-scope": "$account-encryption-key",
            "x-ms-deny-encryption-scope-override": "false",
        }
        extra.update({f"{_META_PREFIX}{k}": v for k, v in stored.metadata.items()})
        return web.Response(status=200, headers=self._headers(recorded, extra))

    def _delete_container(self, recorded: BlobRequest) -> web.Response:
        if self.containers.pop(recorded.container or "", None) is None:
            return self._error(recorded, 404, "ContainerNotFound")
        return web.Response(status=202, headers=self._headers(recorded))

    def _list_blobs(self, recorded: BlobRequest) -> web.Response:
        stored, missing = self._container(recorded)
        if stored is None:
            assert missing is not None
            return missing
        prefix = recorded.query.get("prefix", "")
        marker = recorded.query.get("marker", "")
        max_results = int(recorded.query.get("maxresults", "5000"))
        if max_results <= 0:
            return self._error(recorded, 400, "OutOfRangeQueryParameterValue")
        include = set(recorded.query.get("include", "").split(","))
        names = [n for n in sorted(stored.blobs) if n.startswith(prefix) and n >= marker]
        page, rest = names[:max_results], names[max_results:]

        root = ET.Element(
            "EnumerationResults",
            ServiceEndpoint=f"{self.account_url}/",
            ContainerName=recorded.container or "",
        )
        if prefix:
            ET.SubElement(root, "Prefix").text = prefix
        if marker:
            ET.SubElement(root, "Marker").text = marker
        if "maxresults" in recorded.query:
            ET.SubElement(root, "MaxResults").text = str(max_results)
        blobs = ET.SubElement(root, "Blobs")
        for name in page:
            blob = stored.blobs[name]
            item = ET.SubElement(blobs, "Blob")
            ET.SubElement(item, "Name").text = name
            props = ET.SubElement(item, "Properties")
            for tag, value in (
                ("Creation-Time", _http_date(blob.created)),
                ("Last-Modified", _http_date(blob.last_modified)),
                ("Etag", blob.etag),
                ("Content-Length", str(blob.size)),
                ("Content-Type", blob.content_type),
                ("Content-MD5", blob.content_md5),
                ("BlobType", "BlockBlob"),
                ("AccessTier", "Hot"),
                ("AccessTierInferred", "true"),
                ("LeaseStatus", "unlocked"),
                ("LeaseState", "available"),
                ("ServerEncrypted", "true"),
            ):
                ET.SubElement(props, tag).text = value
            if "metadata" in include:
                meta = ET.SubElement(item, "Metadata")
                for key, value in blob.metadata.items():
                    ET.SubElement(meta, key).text = value
        next_marker = ET.SubElement(root, "NextMarker")
        if rest:
            next_marker.text = rest[0]
        return self._xml(root, status=200, headers=self._headers(recorded))

    # ------------------------------------------------------------------ blobs

    def _upload_blob(self, recorded: BlobRequest) -> web.Response:
        container, missing = self._container(recorded)
        if container is None:
            assert missing is not None
            return missing
        name = recorded.blob or ""
        if recorded.headers.get("x-ms-blob-type", "BlockBlob") != "BlockBlob":
            return self._error(recorded, 400, "FakeUnsupportedBlobType")
        existing = container.blobs.get(name)
        if recorded.headers.get("if-none-match") == "*" and existing is not None:
            return self._error(recorded, 409, "BlobAlreadyExists")
        if_match = recorded.headers.get("if-match")
        if if_match is not None and (existing is None or if_match not in ("*", existing.etag)):
            return self._error(recorded, 412, "ConditionNotMet")
        now = datetime.now(UTC)
        blob = StoredBlob(
            data=recorded.body,
            content_type=recorded.headers.get("x-ms-blob-content-type", "application/octet-stream"),
            metadata=recorded.metadata,
            etag=self._next_etag(),
            created=existing.created if existing else now,
            last_modified=now,
        )
        container.blobs[name] = blob
        extra = {
            "ETag": blob.etag,
            "Last-Modified": _http_date(blob.last_modified),
            "Content-MD5": blob.content_md5,
            "x-ms-request-server-encrypted": "true",
        }
        return web.Response(status=201, headers=self._headers(recorded, extra))

    def _download_blob(self, recorded: BlobRequest) -> web.Response:
        blob, missing = self._blob(recorded)
        if blob is None:
            assert missing is not None
            return missing
        headers = self._headers(recorded, self._blob_headers(blob))
        headers["Content-Type"] = blob.content_type
        wanted = recorded.headers.get("x-ms-range") or recorded.headers.get("range")
        if wanted is None:
            return web.Response(status=200, body=blob.data, headers=headers)
        match = _RANGE.match(wanted.strip())
        if match is None:
            return self._error(recorded, 400, "InvalidHeaderValue")
        start = int(match.group("start"))
        end = int(match.group("end")) if match.group("end") else blob.size - 1
        if start >= blob.size or end < start:
            return self._error(
                recorded, 416, "InvalidRange", headers={"Content-Range": f"bytes */{blob.size}"}
            )
        end = min(end, blob.size - 1)
        headers["Content-Range"] = f"bytes {start}-{end}/{blob.size}"
        if recorded.headers.get("x-ms-range-get-content-md5") != "true":
            headers.pop("Content-MD5")  # it is the whole blob's hash; only sent when asked
        return web.Response(
            status=206,
            body=blob.data[start : end + 1],
            headers=headers,
        )

    def _get_blob_properties(self, recorded: BlobRequest) -> web.Response:
        blob, missing = self._blob(recorded)
        if blob is None:
            assert missing is not None
            return missing
        headers = self._headers(recorded, self._blob_headers(blob))
        headers["Content-Type"] = blob.content_type
        headers["Content-Length"] = str(blob.size)
        return web.Response(status=200, headers=headers)

    def _set_blob_metadata(self, recorded: BlobRequest) -> web.Response:
        blob, missing = self._blob(recorded)
        if blob is None:
            assert missing is not None
            return missing
        blob.metadata = recorded.metadata
        blob.etag = self._next_etag()
        blob.last_modified = datetime.now(UTC)
        extra = {
            "ETag": blob.etag,
            "Last-Modified": _http_date(blob.last_modified),
            "x-ms-request-server-encrypted": "true",
        }
        return web.Response(status=200, headers=self._headers(recorded, extra))

    def _delete_blob(self, recorded: BlobRequest) -> web.Response:
        blob, missing = self._blob(recorded)
        if blob is None:
            assert missing is not None
            return missing
        container = self.containers[recorded.container or ""]
        del container.blobs[recorded.blob or ""]
        return web.Response(
            status=202, headers=self._headers(recorded, {"x-ms-delete-type-permanent": "true"})
        )
