"""`/chat_history...`: a user's conversations kept on the server, and their downloads.

Compatible with azure-search-openai-demo's routes (`POST /chat_history`, `GET
/chat_history/sessions[/<id>]`, `DELETE ...`), plus `PATCH` to rename and `?format=md|json`.
Every lookup is by (user, id): another user's id is the same 404 as a missing one.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from quart import Blueprint, Response, request
from quart_schema import (
    document_response,
    validate_querystring,
    validate_request,
    validate_response,
)

from app.errors import BadRequestError, ConflictError, NotFoundError, PayloadTooLargeError
from app.history import HISTORY_PATH
from app.history.base import (
    HistoryStore,
    InvalidTokenError,
    StoredSession,
    TooManySessionsError,
    now_ms,
)
from app.history.export import download_name, to_json, to_markdown
from app.history.identity import history_user_id, issue_anonymous_cookie, signed_in_id
from app.openapi import TEXT, UPSTREAM, errors, links, success
from app.schemas import (
    SESSION_ID_PATTERN,
    RenameSessionRequest,
    SaveSessionRequest,
    SessionExport,
    SessionQuery,
    SessionResponse,
    SessionSavedResponse,
    SessionsQuery,
    SessionsResponse,
    SessionSummaryResponse,
)
from app.services import get_services

bp = Blueprint("history", __name__)
bp.after_request(issue_anonymous_cookie)

BROWSER_ONLY = "Conversations are kept in the browser on this server (CHAT_HISTORY=browser)."
NO_SUCH_SESSION = "No such conversation."
SESSION_ID = re.compile(SESSION_ID_PATTERN)


def _session_links(session_id: str) -> dict[str, dict[str, object]]:
    """What a conversation's id (the runtime expression `session_id`) can be used with."""
    by_id = {"session_id": session_id}
    return {
        "GetSession": {"operationId": "get_get_session", "parameters": by_id},
        "RenameSession": {"operationId": "patch_rename_session", "parameters": by_id},
        "DeleteSession": {"operationId": "delete_delete_session", "parameters": by_id},
        "RateAnswer": {
            "operationId": "post_post_feedback",
            "requestBody": {"session_id": session_id, "answer_index": 0},
        },
    }


def _store() -> HistoryStore:
    store = get_services().history
    if store is None:
        raise NotFoundError(BROWSER_ONLY)
    return store


@bp.before_request
async def require_store() -> None:
    """404 before any body is read where conversations stay in the browser, or for a path
    id no conversation can have."""
    _store()
    session_id = (request.view_args or {}).get("session_id")
    if session_id is not None and not SESSION_ID.match(session_id):
        raise NotFoundError(NO_SUCH_SESSION)


@bp.post(HISTORY_PATH)
@errors(400, 401, 403, 404, 409, 413, 415, *UPSTREAM)
@validate_request(SaveSessionRequest)
@document_response(SessionSavedResponse, 201)
@links(201, **_session_links("$response.body#/id"))
async def save_session(data: SaveSessionRequest) -> tuple[dict[str, object], int]:
    """Save a whole conversation, replacing an earlier save of the same id."""
    settings = get_services().settings
    size = len(await request.get_data())  # already read and parsed: no second encoding
    if size > settings.chat_history_max_bytes:
        raise PayloadTooLargeError(
            f"answers: the conversation is {size:,} bytes, more than the "
            f"{settings.chat_history_max_bytes:,} this server keeps; start a new one"
        )
    answers = [[question, response] for question, response in data.answers]
    now = now_ms()
    title = data.title or " ".join(str(data.answers[0][0]).split())[:200] or "Untitled"
    created = min(data.created, now) if data.created is not None else now
    session = StoredSession(data.id, history_user_id(), title, created, now, answers)
    try:
        saved = await _store().save(
            session,
            max_sessions=settings.chat_history_max_sessions,
            keep_title=data.title is None,
        )
    except TooManySessionsError:
        raise ConflictError(
            f"id: you already have {settings.chat_history_max_sessions} saved conversations, "
            "the most this server keeps for one user; delete some first"
        ) from None
    return {"id": saved.id, "title": saved.title, "timestamp": saved.timestamp}, 201


@bp.get(f"{HISTORY_PATH}/sessions")
@errors(400, 401, 403, 404, *UPSTREAM)
@validate_querystring(SessionsQuery)
@validate_response(SessionsResponse)
@links(200, **_session_links("$response.body#/sessions/0/id"))
async def list_sessions(query_args: SessionsQuery) -> SessionsResponse:
    """The caller's conversations, newest first, a page at a time."""
    try:
        page = await _store().sessions(
            history_user_id(),
            count=query_args.count,
            continuation_token=query_args.continuation_token,
        )
    except InvalidTokenError:
        raise BadRequestError("continuation_token: not a token this server gave out") from None
    owner = signed_in_id()
    return SessionsResponse(
        sessions=[
            SessionSummaryResponse(id=s.id, entra_oid=owner, title=s.title, timestamp=s.timestamp)
            for s in page.items
        ],
        continuation_token=page.continuation_token,
    )


@bp.get(f"{HISTORY_PATH}/sessions/<session_id>")
@errors(400, 401, 403, 404, *UPSTREAM)
@success(
    200,
    "The conversation; with `format`, a download (`Content-Disposition: attachment`): "
    "`json` its answers' stream lines, `md` a Markdown transcript.",
    {"application/json": (SessionResponse, SessionExport), "text/markdown": TEXT},
)
@validate_querystring(SessionQuery)
async def get_session(session_id: str, query_args: SessionQuery) -> Response:
    """One conversation; `?format=md` or `?format=json` downloads it."""
    session = await _store().get(history_user_id(), session_id)
    if session is None:
        raise NotFoundError(NO_SUCH_SESSION)
    if query_args.format == "md":
        return _download(to_markdown(session), "text/markdown; charset=utf-8", session, ".md")
    if query_args.format == "json":
        body = json.dumps(to_json(session), ensure_ascii=False, indent=2)
        return _download(body, "application/json", session, ".json")
    body = SessionResponse(
        id=session.id,
        entra_oid=signed_in_id(),
        title=session.title,
        timestamp=session.timestamp,
        created=session.created,
        answers=session.answers,
    ).model_dump_json()
    return Response(body, content_type="application/json")


@bp.patch(f"{HISTORY_PATH}/sessions/<session_id>")
@errors(400, 401, 403, 404, 413, 415, *UPSTREAM)
@validate_request(RenameSessionRequest)
@document_response(SessionSavedResponse)
@links(200, **_session_links("$response.body#/id"))
async def rename_session(session_id: str, data: RenameSessionRequest) -> dict[str, object]:
    """Rename a conversation."""
    now = now_ms()
    if not await _store().rename(history_user_id(), session_id, data.title, now=now):
        raise NotFoundError(NO_SUCH_SESSION)
    return {"id": session_id, "title": data.title, "timestamp": now}


@bp.delete(f"{HISTORY_PATH}/sessions/<session_id>")
@errors(401, 403, 404, *UPSTREAM)
@success(204, "Deleted.")
async def delete_session(session_id: str) -> Response:
    """Delete a conversation (feedback given on it is kept: it holds its own copy)."""
    if not await _store().delete(history_user_id(), session_id):
        raise NotFoundError(NO_SUCH_SESSION)
    return Response("", status=204)


def _download(body: str, content_type: str, session: StoredSession, suffix: str) -> Response:
    response = Response(body, content_type=content_type)
    name = download_name(session.title, suffix)
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(name: str) -> str:
    """`Content-Disposition` for `name`: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
