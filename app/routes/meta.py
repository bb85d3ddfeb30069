"""`GET /config` (what the UI may offer) and `GET /healthz`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import document_response

from app.history.identity import history_user_id, issue_anonymous_cookie
from app.ingest.parsers import PARSERS
from app.services import get_services
from app.settings import ChatProvider, HistoryBackend, SearchBackend

bp = Blueprint("meta", __name__)
bp.after_request(issue_anonymous_cookie)

NO_MODEL_NOTICE = (
    "No language model is configured: answers quote the most relevant passages of the "
    "documents. Set CHAT_PROVIDER to use a model."
)


class ConfigResponse(BaseModel):
    """Body of `GET /config`: the options this server supports, in the SPA's names."""

    showSemanticRankerOption: bool
    showVectorOption: bool
    showPromptTemplateOption: bool
    showUserUpload: bool
    uploadMaxBytes: int
    uploadExtensions: list[str]
    authEnabled: bool
    loginRequired: bool
    showLanguagePicker: bool
    # Answers are written in the UI's language (the request's `language` override): only a
    # language model can; the extractive answerer quotes the documents as they are written.
    answersFollowUiLanguage: bool
    showSpeechInput: bool
    showSpeechOutputBrowser: bool
    showSpeechOutputAzure: bool
    showChatHistoryBrowser: bool
    showChatHistoryCosmos: bool
    showChatHistoryServer: bool
    chatHistoryBackend: HistoryBackend
    showFeedback: bool
    streamingEnabled: bool
    defaultRetrievalMode: Literal["hybrid", "text"]
    chatProvider: ChatProvider
    languageModel: str | None
    searchBackend: SearchBackend
    notice: str | None


class HealthResponse(BaseModel):
    """Body of `GET /healthz`."""

    status: Literal["ok"]


@bp.get("/config")
@document_response(ConfigResponse)
async def config() -> dict[str, object]:
    """Feature flags the UI reads to show only the options this server supports."""
    services = get_services()
    settings = services.settings
    has_vectors = services.embedder is not None
    semantic = settings.search_backend == "azure" and settings.azure_search_semantic_ranker
    history = settings.history_backend
    if history != "browser" and not settings.auth_required:
        # The SPA's first call: the browser gets its anonymous id here, before two of its
        # first history calls could race to be given two different ones.
        history_user_id()
    return {
        "showSemanticRankerOption": semantic,
        "showVectorOption": has_vectors,
        "showPromptTemplateOption": settings.allow_prompt_template,
        "showUserUpload": settings.user_upload,
        "uploadMaxBytes": settings.user_upload_max_bytes,
        "uploadExtensions": sorted(PARSERS),
        "authEnabled": settings.login_enabled,
        "loginRequired": settings.auth_required,
        "showLanguagePicker": services.model.is_language_model,
        "answersFollowUiLanguage": services.model.is_language_model,
        "showSpeechInput": settings.speech_input_browser,
        "showSpeechOutputBrowser": settings.speech_output_browser,
        "showSpeechOutputAzure": services.speech is not None,
        "showChatHistoryBrowser": history == "browser",
        "showChatHistoryCosmos": history == "cosmos",
        "showChatHistoryServer": history != "browser",
        "chatHistoryBackend": history,
        "showFeedback": True,
        "streamingEnabled": True,
        "defaultRetrievalMode": "hybrid" if has_vectors else "text",
        "chatProvider": settings.chat_provider,
        "languageModel": services.model.description if services.model.is_language_model else None,
        "searchBackend": settings.search_backend,
        "notice": None if services.model.is_language_model else NO_MODEL_NOTICE,
    }


@bp.get("/healthz")
@document_response(HealthResponse)
async def healthz() -> dict[str, str]:
    """Liveness: the worker is up and its services were created."""
    get_services()
    return {"status": "ok"}
