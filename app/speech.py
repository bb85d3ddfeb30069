"""Answers read aloud by Azure AI Speech: SSML in, MP3 out, through its text-to-speech REST API.

The REST API rather than azure-cognitiveservices-speech: the SDK is a native library whose
synthesis blocks a thread per request (its futures are not awaitable) and ships binaries for a
few platforms only, while one awaited POST on the app's aiohttp returns the whole audio. The
region's host (`https://<region>.tts.speech.microsoft.com`) takes a key, or a Microsoft Entra
token in the form the Speech service asks of regional endpoints: `aad#<resource id>#<token>`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from xml.sax.saxutils import escape, quoteattr

import aiohttp
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError
from azure.identity.aio import get_bearer_token_provider

from app.clients import COGNITIVE_SERVICES_SCOPE
from app.errors import (
    UpstreamError,
    UpstreamThrottledError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from app.settings import Settings

OUTPUT_FORMAT = "audio-24khz-48kbitrate-mono-mp3"
# The service reads at most 10 minutes of audio per request; 5,000 characters (the bound of
# `SpeechRequest.text`) make about 6 minutes, some 2 MB of MP3 at 48 kbit/s.
MAX_AUDIO_BYTES = 16 * 1024 * 1024
# What XML 1.0 cannot carry (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LOCALE = re.compile(r"^([a-z]{2,3}-[A-Z]{2})-")

_AUTH_MESSAGE = (
    "The server could not sign in to Azure AI Speech. An administrator should check "
    "AZURE_SPEECH_SERVICE_ID and the app's Cognitive Services Speech User role."
)
_REFUSED_MESSAGE = (
    "Azure AI Speech could not read this text aloud. An administrator should check the voice "
    "(AZURE_SPEECH_SERVICE_VOICE)."
)
_FAILED_MESSAGE = "Azure AI Speech could not read the answer aloud. Try again in a moment."
_BUSY_MESSAGE = (
    "Azure AI Speech is busy right now (rate limited). Wait a few seconds and try again."
)
_UNREACHABLE_MESSAGE = "Azure AI Speech could not be reached. Try again later."
_TIMEOUT_MESSAGE = "Azure AI Speech took too long to read the answer aloud. Try again."

Authorize = Callable[[], Awaitable[dict[str, str]]]


def voice_locale(voice: str) -> str:
    """The locale a voice is named for (`en-US-AvaMultilingualNeural` -> `en-US`)."""
    match = _LOCALE.match(voice)
    return match.group(1) if match else "en-US"


def build_ssml(text: str, *, voice: str, language: str | None = None) -> str:
    """The SSML document that reads `text` (escaped) with `voice`, in `language` if given.

    A multilingual voice is told the language with `<lang>` (it would guess it from the text
    otherwise); other voices do not take that element and speak their own language.
    """
    body = escape(_NOT_XML.sub(" ", text))
    if language and "multilingual" in voice.lower():
        body = f"<lang xml:lang={quoteattr(language)}>{body}</lang>"
    return (
        '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" '
        f"xml:lang={quoteattr(language or voice_locale(voice))}>"
        f"<voice name={quoteattr(voice)}>{body}</voice></speak>"
    )


class SpeechSynthesizer:
    """Azure AI Speech's text to speech for one voice; `synthesize` returns MP3 bytes."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        endpoint: str,
        voice: str,
        authorize: Authorize,
        timeout: float,
    ) -> None:
        self._session = session
        self._url = endpoint.rstrip("/") + "/cognitiveservices/v1"
        self.voice = voice
        self._authorize = authorize
        self._timeout = aiohttp.ClientTimeout(sock_connect=timeout, sock_read=timeout)

    async def synthesize(self, text: str, language: str | None = None) -> bytes:
        """`text` read aloud as MP3; raises an UpstreamError whose message a person can act on."""
        try:
            headers = await self._authorize()
        except AzureError as exc:  # the credential's: no sign-in here, or its service failed
            raise UpstreamError(_AUTH_MESSAGE) from exc
        headers |= {
            "Content-Type": "application/ssml+xml",
            "X-Microsoft-OutputFormat": OUTPUT_FORMAT,
            "User-Agent": "ragchat",
        }
        ssml = build_ssml(text, voice=self.voice, language=language)
        try:
            async with self._session.post(
                self._url, data=ssml.encode(), headers=headers, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise _from_status(response.status)
                audio = await response.content.read(MAX_AUDIO_BYTES + 1)
        except TimeoutError as exc:
            raise UpstreamTimeoutError(_TIMEOUT_MESSAGE) from exc
        except aiohttp.ClientConnectionError as exc:
            raise UpstreamUnavailableError(_UNREACHABLE_MESSAGE) from exc
        except aiohttp.ClientError as exc:
            raise UpstreamError(_FAILED_MESSAGE) from exc
        if not audio or len(audio) > MAX_AUDIO_BYTES:
            raise UpstreamError(_FAILED_MESSAGE)
        return audio


def _from_status(status: int) -> UpstreamError:
    if status in (401, 403):
        return UpstreamError(_AUTH_MESSAGE)
    if status == 429:
        return UpstreamThrottledError(_BUSY_MESSAGE)
    if status in (400, 404):  # an unknown voice, or SSML it cannot read
        return UpstreamError(_REFUSED_MESSAGE)
    if status in (502, 503):
        return UpstreamUnavailableError(_UNREACHABLE_MESSAGE)
    if status == 504:
        return UpstreamTimeoutError(_TIMEOUT_MESSAGE)
    return UpstreamError(_FAILED_MESSAGE)


def speech_endpoint(settings: Settings) -> str:
    """The text-to-speech host: AZURE_SPEECH_SERVICE_ENDPOINT, else the region's."""
    if settings.azure_speech_service_endpoint:
        return settings.azure_speech_service_endpoint
    return f"https://{settings.azure_speech_service_location}.tts.speech.microsoft.com"


def speech_authorizer(settings: Settings, credential: AsyncTokenCredential | None) -> Authorize:
    """The headers that sign a request: the key's, or the Entra token's (cached, renewed)."""
    if settings.azure_speech_service_key:
        key = settings.azure_speech_service_key.get_secret_value()

        async def with_key() -> dict[str, str]:
            return {"Ocp-Apim-Subscription-Key": key}

        return with_key
    assert credential is not None
    assert settings.azure_speech_service_id
    resource_id = settings.azure_speech_service_id
    token = get_bearer_token_provider(credential, COGNITIVE_SERVICES_SCOPE)

    async def with_token() -> dict[str, str]:
        return {"Authorization": f"Bearer aad#{resource_id}#{await token()}"}

    return with_token


def open_speech(
    settings: Settings, credential: AsyncTokenCredential | None, stack: AsyncExitStack
) -> SpeechSynthesizer | None:
    """The synthesizer when Azure AI Speech is configured, else None; its HTTP session is
    closed with `stack`."""
    if not settings.speech_output_azure:
        return None
    # Like azure_transport: no proxy or .netrc lookups in a thread on every request.
    session = aiohttp.ClientSession(trust_env=False)
    stack.push_async_callback(session.close)
    return SpeechSynthesizer(
        session=session,
        endpoint=speech_endpoint(settings),
        voice=settings.azure_speech_service_voice,
        authorize=speech_authorizer(settings, credential),
        timeout=settings.upstream_timeout_seconds,
    )
