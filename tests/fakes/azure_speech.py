"""A fake Azure AI Speech text-to-speech endpoint on 127.0.0.1 (aiohttp).

`POST /cognitiveservices/v1` takes SSML as the service does (`Content-Type:
application/ssml+xml`, `X-Microsoft-OutputFormat`, a key or a bearer token) and answers MP3:
by default `SILENT_MP3`, frames of silence that a browser decodes and plays. It refuses what the
service refuses: SSML that is not well-formed XML, or without a `<voice>` (400), a request
without credentials (401). Every request is kept in `fake.requests` as a `SpeechCall`, with the
SSML parsed: the voice, the languages and the text spoken.

Faults (`fail_next`): `"400"`, `"401"`, `"429"`, `"500"`, `"503"` answer that status;
`"hang"` sends nothing for `hang_seconds`; `"reset"` aborts the connection. Synchronous code
(the browser tests) runs it with `fakes.threaded.serve_in_thread`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal
from xml.etree import ElementTree

from aiohttp import web

from fakes.base import FaultQueue, Recorder, listen

FaultKind = Literal["400", "401", "429", "500", "503", "hang", "reset"]
SSML = "{http://www.w3.org/2001/10/synthesis}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# One MPEG-1 Layer III frame (128 kbit/s, 44.1 kHz, mono) whose side information is all zeros:
# 26 ms of silence. 40 of them make a valid MP3 of about a second.
_FRAME = bytes([0xFF, 0xFB, 0x90, 0xC4]) + bytes(413)
SILENT_MP3 = _FRAME * 40


@dataclass(frozen=True, slots=True)
class SpeechCall:
    """One request as the fake received it."""

    headers: dict[str, str]
    ssml: str
    voice: str | None = None
    speak_lang: str | None = None  # `<speak xml:lang>`
    voice_lang: str | None = None  # `<lang xml:lang>` inside the voice, if any
    text: str = ""  # what would be spoken, the SSML's text content
    problems: list[str] = field(default_factory=list)


class FakeAzureSpeech:
    """`async with FakeAzureSpeech() as fake:` then set AZURE_SPEECH_SERVICE_ENDPOINT to
    `fake.endpoint`."""

    def __init__(self, *, audio: bytes = SILENT_MP3, hang_seconds: float = 30.0) -> None:
        self.audio = audio
        self.hang_seconds = hang_seconds
        self.requests: Recorder[SpeechCall] = Recorder()
        self.faults: FaultQueue[FaultKind] = FaultQueue()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, kind: FaultKind, *, times: int = 1) -> None:
        """Make the next `times` requests fail with `kind` (see the module docstring)."""
        self.faults.fail_next(kind, times=times)

    async def __aenter__(self) -> FakeAzureSpeech:
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_post("/cognitiveservices/v1", self._synthesize)
        self._runner, self.port = await listen(app, handler_cancellation=True)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _synthesize(self, request: web.Request) -> web.StreamResponse:
        body = (await request.read()).decode("utf-8", errors="replace")
        call = parse_call(dict(request.headers), body)
        self.requests.record(call)
        fault = self.faults.take()
        if fault == "hang":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.hang_seconds)
            return web.Response(status=500)
        if fault == "reset":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if fault is not None:
            return web.Response(status=int(fault), text=f"fault {fault}")
        signed = request.headers.get("Ocp-Apim-Subscription-Key") or request.headers.get(
            "Authorization", ""
        ).startswith("Bearer ")
        if not signed:
            return web.Response(status=401)
        if call.problems or request.headers.get("Content-Type") != "application/ssml+xml":
            return web.Response(status=400)
        return web.Response(body=self.audio, content_type="audio/mpeg")


def parse_call(headers: dict[str, str], ssml: str) -> SpeechCall:
    """What the SSML asks for, and what is wrong with it (as the service would refuse it)."""
    try:
        root = ElementTree.fromstring(ssml)  # noqa: S314 - our own test's traffic
    except ElementTree.ParseError as exc:
        return SpeechCall(headers=headers, ssml=ssml, problems=[f"not XML: {exc}"])
    problems = []
    if root.tag != f"{SSML}speak" or root.get("version") != "1.0":
        problems.append("the root is not <speak version='1.0'>")
    voice = root.find(f"{SSML}voice")
    if voice is None or not voice.get("name"):
        problems.append("no <voice name>")
        return SpeechCall(headers=headers, ssml=ssml, problems=problems)
    lang = voice.find(f"{SSML}lang")
    return SpeechCall(
        headers=headers,
        ssml=ssml,
        voice=voice.get("name"),
        speak_lang=root.get(XML_LANG),
        voice_lang=None if lang is None else lang.get(XML_LANG),
        text="".join(voice.itertext()),
        problems=problems,
    )
