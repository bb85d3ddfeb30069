"""In-process fake of the Azure AI Search REST service, for driving the *real* SDK in tests.

``azure-search-documents`` talks to the service through azure-core's aiohttp transport, so it
cannot be intercepted with respx. Instead, :class:`FakeAzureSearch` runs a small
``aiohttp.web`` server on ``127.0.0.1`` (ephemeral port) inside the test's event loop, and the
test points a real ``azure.search.documents.aio.SearchClient`` (or
``azure.search.documents.indexes.aio.SearchIndexClient``) at ``fake.endpoint``::

    async with FakeAzureSearch() as fake:
        fake.search_results = [{"id": "1", "content": "hello", "@search.score": 2.5}]
        async with SearchClient(fake.endpoint, "idx", AzureKeyCredential("fake-key"),
                                retry_total=0) as client:
            results = [r async for r in await client.search("hello", top=3)]
        assert fake.search_requests[-1].json["top"] == 3

What SDK 12.0.0 sends (verified by running it against this fake)
-----------------------------------------------------------------
Default ``api-version`` query parameter: ``2026-04-01``. Paths use the OData form
``/indexes('NAME')``; the fake also accepts the older ``/indexes/NAME`` form.

* ``search()`` -> ``POST /indexes('N')/docs/search.post.search``; fake answers 200
  ``{"value": [...], "@odata.count"?, "@search.answers"?}``.
* ``upload_documents`` / ``merge_documents`` / ``merge_or_upload_documents`` /
  ``delete_documents`` / ``index_documents`` -> ``POST /indexes('N')/docs/search.index`` with
  ``{"value": [{"@search.action": "upload", ...fields}]}``; fake answers 200, or 207 when a
  document failed, with ``{"value": [{"key", "status", "errorMessage", "statusCode"}]}``.
* ``get_document(key)`` -> ``GET /indexes('N')/docs('KEY')`` (200 / 404).
* ``get_document_count()`` -> ``GET /indexes('N')/docs/$count`` (200, ``text/plain`` number).
* ``SearchIndexClient.create_or_update_index`` -> ``PUT /indexes('N')`` with
  ``Prefer: return=representation`` (201 new / 200 existing, body echoes the definition plus
  ``@odata.etag``); ``create_index`` -> ``POST /indexes`` (201 / 409 if it exists);
  ``get_index`` -> ``GET /indexes('N')`` (200 / 404); ``delete_index`` ->
  ``DELETE /indexes('N')`` (204 / 404; the SDK accepts both, so deleting a missing index is
  silent); ``list_indexes`` / ``list_index_names`` -> ``GET /indexes``;
  ``get_index_statistics`` -> ``GET /indexes('N')/search.stats``.

Anything else is answered ``404`` with an error body (and still recorded), so an unexpected
call shows up in ``fake.requests``. The search body uses the REST names: ``search``,
``filter``, ``top``, ``skip``, ``select`` (a comma-joined string), ``queryType``
(``"semantic"``), ``semanticConfiguration``, ``captions`` (e.g. ``"extractive"`` or
``"extractive|highlight-false"``), ``answers`` (``"extractive|count-3"``), ``count``,
``vectorQueries`` (``[{"kind": "vector", "vector": [...], "k": 50, "fields": "embedding"}]``
or ``kind: "text"`` for ``VectorizableTextQuery``), ``vectorFilterMode``.

How the SDK exposes results
---------------------------
``await client.search(...)`` returns an ``AsyncSearchItemPaged`` of plain ``dict``. Each dict
holds the document fields plus, added by the SDK under *snake_case* keys:
``"@search.score"`` (float), ``"@search.reranker_score"`` (float or None),
``"@search.reranker_boosted_score"``, ``"@search.highlights"``,
``"@search.captions"`` (``list[QueryCaptionResult]`` or None; each caption supports both
``caption.text`` / ``caption.highlights`` and ``caption["text"]``) and
``"@search.document_debug_info"``. The SDK also leaves the raw wire key
``"@search.rerankerScore"`` in the dict (same value); read ``"@search.reranker_score"``.
``await results.get_answers()`` gives ``list[QueryAnswerResult]`` (``.key``, ``.text``,
``.highlights``, ``.score``) from ``@search.answers``; ``await results.get_count()`` gives
``@odata.count``. Nothing is sent until the paged object is iterated (or ``get_*`` called).

Errors and retries (azure-core 1.41 defaults)
---------------------------------------------
Every non-2xx status raises ``azure.core.exceptions.HttpResponseError`` or a subclass:
401 -> ``ClientAuthenticationError``, 404 -> ``ResourceNotFoundError``, 409 ->
``ResourceExistsError``; 403, 429, 500, 503 -> plain ``HttpResponseError`` (check
``exc.status_code``). 413 on ``search.index`` raises ``RequestEntityTooLargeError`` after the
SDK has split the batch down to one document. Transport failures are not
``HttpResponseError``: see timeouts and refused connections below.

The default ``AsyncRetryPolicy`` retries *by itself*: 3 status retries (so up to 4
attempts), sleeping 0 s, 1.6 s, 3.2 s (exponential, ``retry_backoff_factor`` 0.8) - about 4.8 s
per failing call. For POST (search and search.index) it retries 500/503/504 always, but
429/502/408 only when the response carries ``Retry-After``; *any* status >= 400 that has a
``Retry-After`` header is retried, on any method. A non-zero ``Retry-After`` is slept as
given; ``Retry-After: 0`` falls back to the exponential backoff. GET/PUT/DELETE retry
408/429/500/502/503/504 even without ``Retry-After``. So in tests either pass
``retry_total=0`` to the client (one request, one exception), or keep retries but pass
``retry_backoff_factor=0`` and assert on ``len(fake.requests)``; each attempt consumes one
``fail_next`` fault. A read timeout (``read_timeout=`` per call or on the client, with
``fake.delay`` set) raises ``ServiceResponseTimeoutError`` (a ``ServiceResponseError``); it is
not retried for POST (search), only for GET/PUT/DELETE. A refused connection (server gone)
raises ``ServiceRequestError``.

Authentication
--------------
``AzureKeyCredential`` sends ``api-key`` and works over plain http (what this fake serves).
A bearer-token credential is refused by azure-core over http (``ServiceRequestError``:
"Bearer token authentication is not permitted for non-TLS protected (non-https) URLs")
unless the client is built with ``per_call_policies=[AllowHttpBearerPolicy()]`` (from this
module) or each call passes ``enforce_https=False``. The fake accepts either header; with
``FakeAzureSearch(api_key="k")`` a wrong key gets 403, and no credential at all gets 401.

Filters (``$filter``)
---------------------
The search body's ``filter`` is parsed and evaluated by :mod:`fakes.odata` (its docstring has
the grammar and the evaluation rules).

A filter outside this subset is answered ``400`` with the service's error shape
``{"error": {"code": "", "message": "Invalid expression: ..."}}`` (the SDK raises
``HttpResponseError``, ``status_code == 400``), so a malformed filter fails the test instead
of being ignored. That includes valid OData the fake does not evaluate: ``gt``/``ge``/``lt``/
``le``, ``search.ismatch``, ``geo.*`` and date literals. ``any``/``all`` over a stored value
that is not a list is also a 400. Field names are not checked against the index definition
(an unknown or non-filterable field is just missing). The raw filter is always recorded, in
``fake.last_search["filter"]``.

``search_results`` (canned results) are returned as given: the filter is still parsed (a
malformed one is still a 400) but never applied to them; it is applied only to *stored*
documents, when ``search_results is None``. See :func:`parse_filter` to test a filter directly.

Other simplifications: ``orderby`` and vector queries are only recorded, not evaluated.
``top``/``skip``/``select`` are applied.
Reranker scores and captions are only returned when the request is semantic
(``queryType == "semantic"``; captions also need ``captions`` set), like the real service;
set ``fake.strict_semantic = False`` to always return whatever ``search_results`` holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy

from fakes.base import FaultQueue, Recorder, listen
from fakes.odata import ODataFilter, ODataFilterError, parse_filter, unquote

__all__ = [
    "DEFAULT_RERANKER_SCORE",
    "AllowHttpBearerPolicy",
    "FakeAzureSearch",
    "ODataFilter",
    "ODataFilterError",
    "RecordedRequest",
    "parse_filter",
]

#: ``@search.rerankerScore`` given to stored (uploaded) documents in semantic queries.
DEFAULT_RERANKER_SCORE = 2.0

_INDEX_PATH = re.compile(
    r"^/indexes(?:\('(?P<quoted>(?:[^']|'')*)'\)|/(?P<plain>[^/()]+))(?P<rest>/.*)?$"
)
_DOC_KEY = re.compile(r"^/docs(?:\('(?P<quoted>(?:[^']|'')*)'\)|/(?P<plain>[^/]+))$")
_SEMANTIC_ONLY_KEYS = ("@search.rerankerScore", "@search.rerankerBoostedScore", "@search.captions")

_DEFAULT_MESSAGES: dict[int, str] = {
    400: "Invalid request.",
    401: "Access denied due to missing credentials.",
    403: "Access denied due to invalid subscription key or wrong API endpoint.",
    404: "Not found.",
    409: "Conflict.",
    413: "The request is too large.",
    429: "Too many requests. Please retry later.",
    500: "An internal server error occurred.",
    502: "Bad gateway.",
    503: "Service unavailable. Please retry later.",
    504: "Gateway timeout.",
}


def _error_body(status: int, message: str | None = None, code: str = "") -> dict[str, Any]:
    """Error body in the service's shape: ``{"error": {"code": ..., "message": ...}}``."""
    text = message or _DEFAULT_MESSAGES.get(status, f"HTTP {status}")
    return {"error": {"code": code, "message": text}}


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received (recorded before any fault or auth check)."""

    method: str
    #: Decoded path, e.g. ``/indexes('idx')/docs/search.post.search``.
    path: str
    #: Query string parameters (``api-version``, ``$select``, ...).
    query: dict[str, str]
    #: Headers with lower-cased names (``api-key``, ``authorization``, ``content-type``...).
    headers: dict[str, str]
    #: Parsed JSON body, or None when the body is empty or not JSON.
    json: Any
    #: Raw body bytes.
    body: bytes
    #: Short operation name: ``search``, ``index_documents``, ``get_document``,
    #: ``count_documents``, ``create_or_update_index``, ``create_index``, ``get_index``,
    #: ``delete_index``, ``list_indexes``, ``index_stats`` or ``unknown``.
    operation: str
    #: The index named in the path, if any.
    index_name: str | None = None
    #: Document key for ``get_document``.
    document_key: str | None = None

    @property
    def api_version(self) -> str | None:
        """The ``api-version`` query parameter."""
        return self.query.get("api-version")


@dataclass
class _Fault:
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)


class AllowHttpBearerPolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Lets a bearer-token credential talk to the fake over plain http.

    azure-core's bearer policy refuses non-https URLs unless the request context carries
    ``enforce_https=False``; this per-call policy sets it. Use it only in tests::

        SearchClient(fake.endpoint, "idx", token_credential,
                     per_call_policies=[AllowHttpBearerPolicy()])
    """

    def on_request(self, request: PipelineRequest[Any]) -> None:
        request.context["enforce_https"] = False


class FakeAzureSearch:
    """A fake Azure AI Search service on ``127.0.0.1``; use as ``async with``.

    Public attributes (all may be changed at any time during a test):

    * ``endpoint`` / ``port``: where the server listens (after ``__aenter__``).
    * ``requests``: every :class:`RecordedRequest`, in order (faulted ones included), in a
      :class:`fakes.base.Recorder` that reads like a list.
    * ``search_results``: documents returned by search, or None to return the stored
      documents of the index instead. Each is a dict of fields plus optional
      ``@search.score`` (default 1.0), ``@search.rerankerScore``,
      ``@search.rerankerBoostedScore``, ``@search.captions`` (``[{"text", "highlights"}]``)
      and ``@search.highlights``.
    * ``answers``: ``@search.answers`` entries (``{"key", "text", "highlights", "score"}``)
      returned when the request asks for answers.
    * ``delay``: seconds to wait before answering a search.
    * ``documents``: ``{index_name: {key: document}}`` maintained by ``search.index``.
    * ``indexes``: ``{index_name: index_definition}`` maintained by the index routes.
    * ``strict_semantic``: drop reranker scores and captions from non-semantic searches.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        key_field: str = "id",
        search_results: list[dict[str, Any]] | None = None,
        record_requests: bool = True,
        seed: int = 0,
    ) -> None:
        """Create the fake (the server starts in ``__aenter__``).

        :param api_key: if set, requests whose ``api-key`` differs get 403. Bearer tokens are
            always accepted.
        :param key_field: key field used for ``search.index`` when the index was not
            created through the fake (otherwise the index definition's key field is used).
        :param search_results: initial value of ``search_results``.
        :param record_requests: False keeps only the count (``requests.total``), for long
            benchmark runs; ``requests_for``/``last_search`` then see nothing.
        :param seed: seeds the random share of faults (``set_fault_rate``).
        """
        self.api_key = api_key
        self.key_field = key_field
        self.search_results: list[dict[str, Any]] | None = search_results
        self.answers: list[dict[str, Any]] = []
        self.delay: float = 0.0
        self.strict_semantic: bool = True
        self.requests: Recorder[RecordedRequest] = Recorder(keep=None if record_requests else 0)
        self.documents: dict[str, dict[str, dict[str, Any]]] = {}
        self.indexes: dict[str, dict[str, Any]] = {}
        self.faults: FaultQueue[_Fault] = FaultQueue(seed=seed)
        self._document_errors: dict[str, tuple[int, str]] = {}
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeAzureSearch:
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
            raise RuntimeError("FakeAzureSearch already started")
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self._port = await listen(app)

    async def close(self) -> None:
        """Stop the server; pending delayed searches are released at once."""
        self._closing.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeAzureSearch is not started")
        return self._port

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash), to pass to the SDK clients."""
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ test controls

    def fail_next(
        self,
        status: int,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` requests (any route) fail with ``status``.

        Faults queue up in call order. ``body`` defaults to the service's error shape
        ``{"error": {"code": "", "message": ...}}``; ``headers`` e.g.
        ``{"Retry-After": "0"}``. Remember the SDK retries some statuses by itself (see the
        module docstring): each retry consumes one fault.
        """
        self.faults.fail_next(_Fault(status, body, dict(headers or {})), times=times)

    def set_fault_rate(
        self, rate: float, status: int | None, headers: dict[str, str] | None = None
    ) -> None:
        """Fail a random share ``rate`` (0..1) of requests with ``status``; 0 or None: off."""
        fault = None if status is None else _Fault(status, None, dict(headers or {}))
        self.faults.set_rate(rate, fault)

    def fail_document(self, key: str, status_code: int = 400, message: str = "Failed.") -> None:
        """Make indexing of document ``key`` fail (per-document ``status: false``; HTTP 207)."""
        self._document_errors[key] = (status_code, message)

    @property
    def pending_faults(self) -> int:
        """Faults queued by :meth:`fail_next` that were not consumed yet."""
        return self.faults.pending

    def reset(self) -> None:
        """Forget recorded requests, queued faults and document errors (keeps data)."""
        self.requests.clear()
        self.faults.clear()
        self._document_errors.clear()

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        """Recorded requests with the given ``operation`` name."""
        return [r for r in self.requests if r.operation == operation]

    @property
    def search_requests(self) -> list[RecordedRequest]:
        """Recorded search calls; ``.json`` is the search body the SDK sent."""
        return self.requests_for("search")

    @property
    def last_search(self) -> dict[str, Any]:
        """JSON body of the most recent search request."""
        searches = self.search_requests
        if not searches:
            raise AssertionError("no search request was recorded")
        body = searches[-1].json
        return body if isinstance(body, dict) else {}

    # ------------------------------------------------------------------ dispatch

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        parsed: Any = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        operation, index_name, doc_key = self._classify(request.method, request.path)
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers={k.lower(): v for k, v in request.headers.items()},
            json=parsed,
            body=raw,
            operation=operation,
            index_name=index_name,
            document_key=doc_key,
        )
        self.requests.record(recorded)

        fault = self.faults.take()
        if fault is not None:
            body = fault.body if fault.body is not None else _error_body(fault.status)
            return self._json(body, status=fault.status, headers=fault.headers)

        denied = self._check_auth(recorded)
        if denied is not None:
            return denied

        if operation == "search":
            return await self._search(recorded)
        if operation == "index_documents":
            return self._index_documents(recorded)
        if operation == "get_document":
            return self._get_document(recorded)
        if operation == "count_documents":
            count = len(self.documents.get(index_name or "", {}))
            return web.Response(text=str(count), content_type="text/plain")
        if operation == "create_or_update_index":
            return self._put_index(recorded)
        if operation == "create_index":
            return self._create_index(recorded)
        if operation == "get_index":
            return self._get_index(recorded)
        if operation == "delete_index":
            return self._delete_index(recorded)
        if operation == "list_indexes":
            return self._list_indexes(recorded)
        if operation == "index_stats":
            return self._index_stats(recorded)
        message = f"FakeAzureSearch has no route for {request.method} {request.path}"
        return self._json(_error_body(404, message), status=404)

    @staticmethod
    def _classify(method: str, path: str) -> tuple[str, str | None, str | None]:
        """Return (operation name, index name, document key) for a request."""
        if path in ("/indexes", "/indexes/"):
            if method == "GET":
                return "list_indexes", None, None
            if method == "POST":
                return "create_index", None, None
            return "unknown", None, None
        match = _INDEX_PATH.match(path)
        if match is None:
            return "unknown", None, None
        quoted = match.group("quoted")
        name = unquote(quoted) if quoted is not None else match.group("plain")
        rest = match.group("rest") or ""
        if rest in ("", "/"):
            operation = {
                "PUT": "create_or_update_index",
                "GET": "get_index",
                "DELETE": "delete_index",
            }.get(method, "unknown")
            return operation, name, None
        if method == "POST" and rest in ("/docs/search.post.search", "/docs/search"):
            return "search", name, None
        if method == "POST" and rest == "/docs/search.index":
            return "index_documents", name, None
        if method == "GET" and rest in ("/docs/$count", "/docs/%24count"):
            return "count_documents", name, None
        if method == "GET" and rest == "/search.stats":
            return "index_stats", name, None
        key_match = _DOC_KEY.match(rest)
        if method == "GET" and key_match is not None:
            k_quoted = key_match.group("quoted")
            key = unquote(k_quoted) if k_quoted is not None else key_match.group("plain")
            return "get_document", name, key
        return "unknown", name, None

    def _check_auth(self, recorded: RecordedRequest) -> web.Response | None:
        if recorded.headers.get("authorization", "").lower().startswith("bearer "):
            return None
        key = recorded.headers.get("api-key")
        if not key:
            return self._json(_error_body(401), status=401)
        if self.api_key is not None and key != self.api_key:
            return self._json(_error_body(403), status=403)
        return None

    @staticmethod
    def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        all_headers = {"request-id": str(uuid.uuid4()), "OData-Version": "4.0"}
        all_headers.update(headers or {})
        return web.Response(
            status=status,
            body=json.dumps(body).encode(),
            content_type="application/json",
            charset="utf-8",
            headers=all_headers,
        )

    # ------------------------------------------------------------------ documents

    def _key_field(self, index_name: str) -> str:
        definition = self.indexes.get(index_name)
        if definition:
            for fld in definition.get("fields", []):
                if isinstance(fld, dict) and fld.get("key"):
                    return str(fld["name"])
        return self.key_field

    @staticmethod
    def _select(doc: dict[str, Any], select: str | None) -> dict[str, Any]:
        if not select or select.strip() == "*":
            return doc
        wanted = {s.strip() for s in select.split(",") if s.strip()}
        return {k: v for k, v in doc.items() if k in wanted or k.startswith("@search.")}

    async def _search(self, recorded: RecordedRequest) -> web.Response:
        if self.delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), timeout=self.delay)
        body: dict[str, Any] = recorded.json if isinstance(recorded.json, dict) else {}
        semantic = str(body.get("queryType", "")).lower() == "semantic"
        captions_requested = str(body.get("captions") or "").lower().startswith("extractive")
        answers_requested = str(body.get("answers") or "").lower().startswith("extractive")

        # Parsed even when canned results ignore it, so a malformed filter always fails.
        kept: list[dict[str, Any]] = []
        try:
            odata = parse_filter(str(body["filter"])) if body.get("filter") else None
            if self.search_results is None:
                stored = self.documents.get(recorded.index_name or "", {}).values()
                kept = [doc for doc in stored if odata is None or odata.matches(doc)]
        except ODataFilterError as exc:
            return self._json(_error_body(400, str(exc)), status=400)

        if self.search_results is not None:
            docs = [copy.deepcopy(d) for d in self.search_results]
        else:
            docs = []
            for doc in kept:
                hit = copy.deepcopy(doc)
                if semantic:
                    hit["@search.rerankerScore"] = DEFAULT_RERANKER_SCORE
                    content = hit.get("content")
                    if captions_requested and isinstance(content, str):
                        hit["@search.captions"] = [{"text": content[:200], "highlights": ""}]
                docs.append(hit)

        total = len(docs)
        skip = int(body.get("skip") or 0)
        top = body.get("top")
        docs = docs[skip:] if top is None else docs[skip : skip + int(top)]

        hits: list[dict[str, Any]] = []
        for doc in docs:
            doc.setdefault("@search.score", 1.0)
            if self.strict_semantic:
                if not semantic:
                    for k in _SEMANTIC_ONLY_KEYS:
                        doc.pop(k, None)
                elif not captions_requested:
                    doc.pop("@search.captions", None)
            hits.append(self._select(doc, body.get("select")))

        response: dict[str, Any] = {}
        if body.get("count"):
            response["@odata.count"] = total
        if body.get("minimumCoverage") is not None:
            response["@search.coverage"] = 100.0
        if answers_requested and (semantic or not self.strict_semantic):
            response["@search.answers"] = copy.deepcopy(self.answers)
        response["value"] = hits
        return self._json(response)

    def _index_documents(self, recorded: RecordedRequest) -> web.Response:
        body = recorded.json if isinstance(recorded.json, dict) else None
        actions = body.get("value") if body else None
        if not isinstance(actions, list):
            return self._json(_error_body(400, "The request is invalid."), status=400)
        index_name = recorded.index_name or ""
        store = self.documents.setdefault(index_name, {})
        key_field = self._key_field(index_name)
        results: list[dict[str, Any]] = []
        for action in actions:
            doc = {k: v for k, v in action.items() if k != "@search.action"}
            kind = str(action.get("@search.action", "upload"))
            key = doc.get(key_field)
            if key is None:
                results.append(
                    {
                        "key": None,
                        "status": False,
                        "errorMessage": f"Document key field '{key_field}' is missing.",
                        "statusCode": 400,
                    }
                )
                continue
            key = str(key)
            if key in self._document_errors:
                code, message = self._document_errors[key]
                results.append(
                    {"key": key, "status": False, "errorMessage": message, "statusCode": code}
                )
                continue
            existed = key in store
            if kind == "delete":
                store.pop(key, None)
                code = 200
            elif kind == "merge":
                if not existed:
                    results.append(
                        {
                            "key": key,
                            "status": False,
                            "errorMessage": "Document not found.",
                            "statusCode": 404,
                        }
                    )
                    continue
                store[key].update(doc)
                code = 200
            elif kind == "mergeOrUpload":
                if existed:
                    store[key].update(doc)
                else:
                    store[key] = doc
                code = 200 if existed else 201
            elif kind == "upload":
                store[key] = doc
                code = 200 if existed else 201
            else:
                results.append(
                    {
                        "key": key,
                        "status": False,
                        "errorMessage": f"Unknown action '{kind}'.",
                        "statusCode": 400,
                    }
                )
                continue
            results.append({"key": key, "status": True, "errorMessage": None, "statusCode": code})
        status = 200 if all(r["status"] for r in results) else 207
        return self._json({"value": results}, status=status)

    def _get_document(self, recorded: RecordedRequest) -> web.Response:
        store = self.documents.get(recorded.index_name or "", {})
        doc = store.get(recorded.document_key or "")
        if doc is None:
            message = f"Document '{recorded.document_key}' not found."
            return self._json(_error_body(404, message), status=404)
        return self._json(self._select(copy.deepcopy(doc), recorded.query.get("$select")))

    # ------------------------------------------------------------------ indexes

    def _index_response(self, name: str) -> dict[str, Any]:
        return copy.deepcopy(self.indexes[name])

    def _store_index(self, name: str, definition: dict[str, Any]) -> None:
        stored = copy.deepcopy(definition)
        stored["name"] = name
        stored["@odata.etag"] = f'"0x{uuid.uuid4().hex[:15].upper()}"'
        self.indexes[name] = stored

    def _put_index(self, recorded: RecordedRequest) -> web.Response:
        name = recorded.index_name or ""
        if not isinstance(recorded.json, dict):
            return self._json(_error_body(400, "The request is invalid."), status=400)
        existed = name in self.indexes
        self._store_index(name, recorded.json)
        return self._json(self._index_response(name), status=200 if existed else 201)

    def _create_index(self, recorded: RecordedRequest) -> web.Response:
        definition = recorded.json
        if not isinstance(definition, dict) or not definition.get("name"):
            return self._json(_error_body(400, "The request is invalid."), status=400)
        name = str(definition["name"])
        if name in self.indexes:
            message = f"Cannot create index '{name}' because it already exists."
            return self._json(_error_body(409, message), status=409)
        self._store_index(name, definition)
        return self._json(self._index_response(name), status=201)

    def _get_index(self, recorded: RecordedRequest) -> web.Response:
        name = recorded.index_name or ""
        if name not in self.indexes:
            message = f"No index with the name '{name}' was found in the service."
            return self._json(_error_body(404, message), status=404)
        return self._json(self._index_response(name))

    def _delete_index(self, recorded: RecordedRequest) -> web.Response:
        name = recorded.index_name or ""
        if name not in self.indexes:
            message = f"No index with the name '{name}' was found in the service."
            return self._json(_error_body(404, message), status=404)
        del self.indexes[name]
        self.documents.pop(name, None)
        return web.Response(status=204)

    def _list_indexes(self, recorded: RecordedRequest) -> web.Response:
        select = recorded.query.get("$select")
        value = [self._select(self._index_response(n), select) for n in self.indexes]
        return self._json({"value": value})

    def _index_stats(self, recorded: RecordedRequest) -> web.Response:
        name = recorded.index_name or ""
        if name not in self.indexes:
            message = f"No index with the name '{name}' was found in the service."
            return self._json(_error_body(404, message), status=404)
        count = len(self.documents.get(name, {}))
        return self._json({"documentCount": count, "storageSize": 0, "vectorIndexSize": 0})
