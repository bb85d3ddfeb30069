"""Domain errors, and the one place that maps any failure to a status and a safe message.

    AppError                      status + a message safe to show a person
    ├── BadRequestError           400: the request asks for something this server cannot do
    ├── ContentFilteredError      400: the model provider's content filter refused
    ├── ContextTooLongError       400: the model's context window cannot hold the request
    ├── UnauthorizedError         401: no valid token where one is needed (WWW-Authenticate)
    ├── ForbiddenError            403: a valid caller this server cannot serve
    ├── NotFoundError             404
    ├── ConflictError             409: the request clashes with what is stored (a quota)
    ├── PayloadTooLargeError      413
    ├── UnsupportedTypeError      415
    ├── RateLimitedError          429: this client asked too often (Retry-After)
    ├── ServerBusyError           503: this worker has as many answers open as allowed
    └── UpstreamError             a model, search or storage call failed
        ├── UpstreamThrottledError    429
        ├── UpstreamUnavailableError  503: could not connect
        ├── UpstreamTimeoutError      504
        ├── UpstreamConnectionLostError  502: the connection broke mid-answer
        └── (UpstreamError itself)    502: an error answer, or bad credentials

SDK exceptions (openai, azure-core) become these in `to_app_error`; nothing else looks at them.
Exception text never goes into a message: it is logged with the request id instead. The SDKs
are imported where they are needed, so importing this module (as ingestion does) stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import openai
    from azure.core import exceptions as azure_errors


class AppError(Exception):
    """An error with an HTTP status and a message safe to show a person."""

    status = 500
    message = "Something went wrong on the server. Try again, and report it if it persists."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class BadRequestError(AppError):
    status = 400
    message = "The request is not valid."


class ContentFilteredError(AppError):
    status = 400
    message = (
        "The question or the answer was blocked by the model provider's content filter. "
        "Rephrase the question and try again."
    )


class ContextTooLongError(AppError):
    status = 400
    message = (
        "The question, the conversation and its sources are too long for the language model. "
        "Ask a shorter question or start a new conversation."
    )


class UnauthorizedError(AppError):
    """401; `error_code` is RFC 6750's `error` for the WWW-Authenticate header, if any."""

    status = 401
    message = "Sign in to use this service."

    def __init__(self, message: str | None = None, *, error_code: str | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code

    @property
    def www_authenticate(self) -> str:
        """The `WWW-Authenticate` header value (RFC 6750)."""
        if self.error_code is None:
            return 'Bearer realm="ragchat"'
        description = self.message.replace('"', "'")
        return (
            f'Bearer realm="ragchat", error="{self.error_code}", error_description="{description}"'
        )


# One class per status and meaning, alike on purpose: code raises and catches them by name.
class ForbiddenError(AppError):
    status = 403
    message = "You are signed in, but this server cannot serve your account."


class NotFoundError(AppError):
    status = 404
    message = "Not found."


class ConflictError(AppError):
    status = 409
    message = "The request conflicts with what the server holds."


class PayloadTooLargeError(AppError):
    status = 413
    message = "The request body is too large."


class UnsupportedTypeError(AppError):
    status = 415
    message = "This type of file is not supported."


class RetryLaterError(AppError):
    """A refusal that passes: the response says when to try again (`Retry-After`, seconds)."""

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class RateLimitedError(RetryLaterError):
    status = 429
    message = (
        "You are sending questions faster than this server allows. Wait a little and ask again."
    )


class ServerBusyError(RetryLaterError):
    status = 503
    message = (
        "The server is answering as many questions as it can right now. Try again in a few seconds."
    )


class UpstreamError(AppError):
    status = 502
    message = "The language model or search service returned an error. Try again in a moment."


class UpstreamThrottledError(UpstreamError):
    status = 429
    message = "The service is busy right now (rate limited). Wait a few seconds and try again."


class UpstreamUnavailableError(UpstreamError):
    status = 503
    message = "The language model or search service could not be reached. Try again later."


class UpstreamTimeoutError(UpstreamError):
    status = 504
    message = "The language model or search service took too long to answer. Try again."


class UpstreamConnectionLostError(UpstreamError):
    status = 502
    message = (
        "The connection to the language model was lost in the middle of the answer, so the "
        "answer is incomplete. Try again."
    )


class UpstreamStalledError(UpstreamTimeoutError):
    message = (
        "The language model stopped sending the answer (timed out), so the answer is "
        "incomplete. Try again."
    )


_DROPPED_MESSAGE = (
    "The language model or search service closed the connection before answering. "
    "Try again in a moment."
)
_AUTH_MESSAGE = (
    "The server could not authenticate with an upstream service. "
    "An administrator should check its credentials and role assignments."
)
_NOT_FOUND_MESSAGE = (
    "An upstream resource (a model deployment, search index, storage container or database) "
    "was not found. An administrator should check its name in the settings."
)


def is_service_error(exc: BaseException) -> bool:
    """Whether `exc` is a failure of this app's domain or of a model, search or storage call."""
    import openai
    from azure.core.exceptions import AzureError

    return isinstance(exc, AppError | openai.OpenAIError | AzureError)


def to_app_error(exc: BaseException) -> AppError:
    """Map any exception to the AppError to report; unknown ones become a plain 500."""
    import openai
    from azure.core import exceptions as azure_errors

    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, openai.OpenAIError):
        return _from_openai(exc)
    if isinstance(exc, azure_errors.AzureError):
        return _from_azure(exc)
    return AppError()


def _from_openai(exc: openai.OpenAIError) -> AppError:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        if _refused(exc):
            return UpstreamUnavailableError()
        if _dropped(exc):
            return UpstreamUnavailableError(_DROPPED_MESSAGE)
        return UpstreamTimeoutError()
    if isinstance(exc, openai.APIConnectionError):
        return UpstreamUnavailableError()
    if isinstance(exc, openai.RateLimitError):
        return UpstreamThrottledError()
    if isinstance(exc, openai.BadRequestError):
        if is_content_filter(exc.code, exc.body):
            return ContentFilteredError()
        if is_context_too_long(exc.code, exc.message):
            return ContextTooLongError()
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return UpstreamError(_AUTH_MESSAGE)
    if isinstance(exc, openai.NotFoundError):
        return UpstreamError(_NOT_FOUND_MESSAGE)
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 503:
        return UpstreamUnavailableError()  # a server loading its model, or overloaded
    return UpstreamError()


def stream_failure(exc: BaseException) -> UpstreamError:
    """What a transport error while reading a model's answer stream was: it timed out, or the
    connection was lost.

    The SDK does not map errors raised after it returned the response, and its aiohttp
    transport calls a dropped connection a "connect timeout": the cause chain says which.
    """
    import httpx2

    for cause in _chain(exc):
        if isinstance(cause, TimeoutError | httpx2.ReadTimeout) and not isinstance(
            cause, httpx2.ConnectTimeout
        ):
            return UpstreamStalledError()
    return UpstreamConnectionLostError()


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what caused it, and so on: where the SDKs' mapped errors keep the truth."""
    cause: BaseException | None = exc
    while cause is not None:
        yield cause
        cause = cause.__cause__ or cause.__context__


def _refused(exc: BaseException) -> bool:
    """Whether a "timeout" was a refused or unresolvable connection underneath.

    The SDK's aiohttp transport maps every aiohttp connection error, a refused one included,
    to a connect timeout; the cause chain still says what happened.
    """
    from aiohttp import ClientConnectorError

    return any(isinstance(c, ClientConnectorError | ConnectionRefusedError) for c in _chain(exc))


def _dropped(exc: BaseException) -> bool:
    """Whether a "timeout" was a connection the service closed or reset, with no timeout in it."""
    from aiohttp import ClientConnectionError

    causes = list(_chain(exc))
    if any(isinstance(cause, TimeoutError) for cause in causes):
        return False
    return any(isinstance(c, ClientConnectionError | ConnectionResetError) for c in causes)


# How OpenAI-compatible servers word a request that does not fit the context window, when they
# send no `context_length_exceeded` code: vLLM ("maximum context length is"), llama.cpp's server
# ("exceeds the available context size", type `exceed_context_size_error`), llama-cpp-python
# ("exceed context window"), Ollama and LM Studio ("context length").
_CONTEXT_WORDING = (
    "context_length_exceeded",
    "maximum context length",
    "exceeds the available context",
    "exceed_context_size",
    "exceed context window",
    "context length",
)


def is_context_too_long(code: object, message: object = None) -> bool:
    """Whether a model server refused a request because it does not fit its context window."""
    if code == "context_length_exceeded":
        return True
    text = message.lower() if isinstance(message, str) else ""
    return any(wording in text for wording in _CONTEXT_WORDING)


def from_error_event(error: dict[str, object]) -> AppError:
    """What an in-band `data: {"error": ...}` event of a model's stream was, as OpenAI, Azure,
    vLLM and llama.cpp send them mid-answer: their `code`, `type` and wording say which."""
    code, kind, message = error.get("code"), error.get("type"), error.get("message")
    if is_content_filter(code):
        return ContentFilteredError()
    if is_context_too_long(code, message) or is_context_too_long(None, kind):
        return ContextTooLongError()
    if code in ("rate_limit_exceeded", 429, "429") or kind in ("requests", "tokens"):
        return UpstreamThrottledError()
    if code in (503, "503", "overloaded", "server_overloaded") or kind == "unavailable_error":
        return UpstreamUnavailableError()
    return UpstreamError()


def is_content_filter(code: object, body: object = None) -> bool:
    """Azure OpenAI reports a filtered prompt as a 400 with code `content_filter`."""
    if code == "content_filter":
        return True
    return isinstance(body, dict) and body.get("code") == "content_filter"


def _from_azure(exc: azure_errors.AzureError) -> AppError:
    from azure.core import exceptions as azure_errors

    if isinstance(exc, azure_errors.ClientAuthenticationError):
        return UpstreamError(_AUTH_MESSAGE)
    if isinstance(exc, azure_errors.ResourceNotFoundError):
        return UpstreamError(_NOT_FOUND_MESSAGE)
    if isinstance(exc, azure_errors.HttpResponseError):
        if exc.status_code == 429:
            return UpstreamThrottledError()
        if exc.status_code == 503:
            return UpstreamUnavailableError()
        return UpstreamError()
    if isinstance(
        exc, azure_errors.ServiceResponseTimeoutError | azure_errors.ServiceRequestTimeoutError
    ):
        return UpstreamTimeoutError()
    if isinstance(exc, azure_errors.ServiceRequestError | azure_errors.ServiceResponseError):
        return UpstreamUnavailableError()
    return UpstreamError()
