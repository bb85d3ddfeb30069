"""`POST /speech`: a text read aloud by Azure AI Speech, as MP3 (when it is configured)."""

from __future__ import annotations

from quart import Blueprint, Response, request
from quart_schema import validate_request
from werkzeug.exceptions import UnsupportedMediaType

from app.auth.middleware import current_user
from app.errors import NotFoundError
from app.limits import answer_limits
from app.openapi import BINARY, UPSTREAM, errors, success
from app.schemas import SpeechRequest
from app.services import get_services

bp = Blueprint("speech", __name__)

NOT_CONFIGURED = (
    "This server does not read answers aloud: Azure AI Speech is not configured "
    "(AZURE_SPEECH_SERVICE_LOCATION). The browser's own voices may still be offered."
)


@bp.before_request
async def json_only() -> None:
    """Refuse a body that is not JSON with 415, before reading it."""
    if request.method == "POST" and not request.is_json:
        raise UnsupportedMediaType()


@bp.post("/speech")
@errors(400, 401, 404, 413, 415, *UPSTREAM)
@validate_request(SpeechRequest)
@success(200, "The text read aloud, as MP3.", {"audio/mpeg": BINARY})
async def speech(data: SpeechRequest) -> Response:
    """Read a text aloud with the configured voice.

    In `language` when given (a multilingual voice speaks it, others their own); counts
    against the answers' rate limit.
    """
    synthesizer = get_services().speech
    if synthesizer is None:
        raise NotFoundError(NOT_CONFIGURED)
    answer_limits().admit(current_user(), request.remote_addr)
    audio = await synthesizer.synthesize(data.text, data.language)
    response = Response(audio, content_type="audio/mpeg")
    response.headers["Cache-Control"] = "no-store"
    return response
