"""`POST /feedback` (rate an answer) and `GET /feedback` (read the ratings).

With a server store the rated question, answer, citations and settings are copied from the
stored conversation, so feedback cannot claim an answer the server never kept; with
CHAT_HISTORY=browser the client sends its copy. Members of FEEDBACK_ADMIN_GROUP read everyone's
feedback, everyone else their own.
"""

from __future__ import annotations

import hashlib
from typing import Any

from quart import Blueprint
from quart_schema import (
    document_response,
    validate_querystring,
    validate_request,
    validate_response,
)

from app.auth.middleware import current_user
from app.errors import BadRequestError, NotFoundError
from app.history.base import Feedback, HistoryStore, InvalidTokenError, now_ms
from app.history.export import answer_text, cited, known_citations, question_and_response
from app.history.identity import ANON_PREFIX, history_user_id, issue_anonymous_cookie
from app.openapi import UPSTREAM, errors
from app.schemas import (
    FeedbackItem,
    FeedbackPage,
    FeedbackQuery,
    FeedbackRequest,
    FeedbackSavedResponse,
)
from app.services import get_services

bp = Blueprint("feedback", __name__)
bp.after_request(issue_anonymous_cookie)


@bp.post("/feedback")
@errors(400, 401, 403, 404, 413, 415, *UPSTREAM)
@validate_request(FeedbackRequest)
@document_response(FeedbackSavedResponse, 201)
async def post_feedback(data: FeedbackRequest) -> tuple[dict[str, str], int]:
    """Record a thumbs up or down, with an optional comment, on one answer."""
    user_id = history_user_id()
    services = get_services()
    store = services.feedback
    if services.history is not None:
        rated = await _rated_from_session(services.history, user_id, data)
    else:
        if data.question is None or data.answer is None:
            raise BadRequestError(
                "question: this server keeps conversations in the browser, so the feedback "
                "must carry the question and the answer it rates"
            )
        rated = (data.question, data.answer, data.citations, data.settings)
    owner = feedback_owner(user_id)
    question, answer, citations, settings = rated
    feedback = Feedback(
        id=feedback_id(owner, data.session_id, data.answer_index),
        user_id=owner,
        session_id=data.session_id,
        answer_index=data.answer_index,
        rating=data.rating,
        comment=data.comment,
        question=question,
        answer=answer,
        citations=citations,
        settings=settings,
        timestamp=now_ms(),
    )
    await store.put_feedback(feedback)
    return {"id": feedback.id}, 201


@bp.get("/feedback")
@errors(400, 401, 403, 404, *UPSTREAM)
@validate_querystring(FeedbackQuery)
@validate_response(FeedbackPage)
async def list_feedback(query_args: FeedbackQuery) -> FeedbackPage:
    """Feedback, newest first: everyone's for an admin, the caller's own otherwise."""
    owner = None if _is_admin() else feedback_owner(history_user_id())
    try:
        page = await get_services().feedback.feedback(
            user_id=owner,
            rating=query_args.rating,
            count=query_args.count,
            continuation_token=query_args.continuation_token,
        )
    except InvalidTokenError:
        raise BadRequestError("continuation_token: not a token this server gave out") from None
    return FeedbackPage(
        feedback=[FeedbackItem.model_validate(item, from_attributes=True) for item in page.items],
        continuation_token=page.continuation_token,
    )


async def _rated_from_session(
    history: HistoryStore, user_id: str, data: FeedbackRequest
) -> tuple[str, str, list[str], dict[str, Any]]:
    session = await history.get(user_id, data.session_id)
    if session is None:
        raise NotFoundError("session_id: no such conversation")
    if data.answer_index >= len(session.answers):
        raise NotFoundError(f"answer_index: the conversation has {len(session.answers)} answers")
    question, response = question_and_response(session.answers[data.answer_index])
    text = answer_text(response)
    settings = response.get("settings")
    return (
        question,
        text,
        cited(text, known_citations(response)),
        settings if isinstance(settings, dict) else {},
    )


def _is_admin() -> bool:
    group = get_services().settings.feedback_admin_group
    user = current_user()
    return bool(group) and user is not None and group in user.groups


def feedback_owner(user_id: str) -> str:
    """Who gave feedback, as admins see it: the user id, or for an anonymous browser a hash
    of its id (the id itself is that browser's key to its conversations)."""
    if user_id.startswith(ANON_PREFIX):
        digest = hashlib.sha256(user_id.encode()).hexdigest()[:24]
        return f"{ANON_PREFIX}{digest}"
    return user_id


def feedback_id(owner: str, session_id: str, answer_index: int) -> str:
    """One feedback per user, conversation and answer: rating again replaces it."""
    return hashlib.sha256(f"{owner}\n{session_id}\n{answer_index}".encode()).hexdigest()[:32]
