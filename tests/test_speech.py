"""`POST /speech` through the app's real aiohttp client against a fake Azure AI Speech, the
settings that turn it on, and what `/config` tells the UI about speech."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from xml.etree import ElementTree

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from fakes.azure_speech import SILENT_MP3, FakeAzureSpeech, parse_call
from quart.typing import TestClientProtocol as Client

from app import clients
from app.settings import Settings, SettingsError, load_settings
from app.speech import build_ssml

KEY = "speech-key-for-tests"
RESOURCE_ID = (
    "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/sp"
)
# Words of exception text that must never reach a client.
INTERNALS = ("Traceback", "aiohttp", "Error(", "fault ", "127.0.0.1", KEY)


class FakeTokenCredential:
    """An AsyncTokenCredential handing out a fixed token; records the scopes asked for."""

    def __init__(self, *, fail: bool = False) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.fail = fail

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        if self.fail:
            raise ClientAuthenticationError("no managed identity here (details for the log)")
        return AccessToken("entra-token", int(time.time()) + 3600)

    async def close(self) -> None:
        pass


@pytest.fixture
async def fake_speech() -> AsyncIterator[FakeAzureSpeech]:
    async with FakeAzureSpeech(hang_seconds=5) as fake:
        yield fake


@pytest.fixture
def speech_settings(
    make_settings: Callable[..., Settings], fake_speech: FakeAzureSpeech
) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "azure_speech_service_endpoint": fake_speech.endpoint,
            "azure_speech_service_key": KEY,
        }
        return make_settings(**(values | overrides))

    return make


async def _error(response: Any) -> str:
    body = await response.get_json()
    message = body["error"]
    assert isinstance(message, str)
    for word in INTERNALS:
        assert word not in message
    return message


# --- What is sent, what comes back ------------------------------------------------------------


async def test_the_text_is_read_with_the_voice_in_the_language_asked(
    serve: Any, speech_settings: Callable[..., Settings], fake_speech: FakeAzureSpeech
) -> None:
    client: Client = await serve(speech_settings())
    text = 'Tom & Jerry <b>said</b> "hi" ]]> it\'s'
    response = await client.post("/speech", json={"text": text, "language": "es-ES"})
    assert response.status_code == 200
    assert response.content_type == "audio/mpeg"
    assert response.headers["Cache-Control"] == "no-store"
    assert await response.get_data() == SILENT_MP3
    (call,) = fake_speech.requests
    assert call.problems == []
    assert call.voice == "en-US-AvaMultilingualNeural"
    assert call.speak_lang == "es-ES"
    assert call.voice_lang == "es-ES"  # a multilingual voice is told the language
    assert call.text == text  # escaped in the SSML, the same text once parsed
    assert "&amp;" in call.ssml
    assert "&lt;b&gt;" in call.ssml
    assert call.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert "Authorization" not in call.headers
    assert call.headers["Content-Type"] == "application/ssml+xml"
    assert call.headers["X-Microsoft-OutputFormat"] == "audio-24khz-48kbitrate-mono-mp3"
    assert call.headers["User-Agent"]


async def test_without_a_language_the_voice_speaks_its_own(
    serve: Any, speech_settings: Callable[..., Settings], fake_speech: FakeAzureSpeech
) -> None:
    client: Client = await serve(speech_settings(azure_speech_service_voice="de-DE-KatjaNeural"))
    assert (await client.post("/speech", json={"text": "Hallo"})).status_code == 200
    assert (
        await client.post("/speech", json={"text": "Bonjour", "language": "fr"})
    ).status_code == 200
    own, french = fake_speech.requests
    assert (own.voice, own.speak_lang, own.voice_lang) == ("de-DE-KatjaNeural", "de-DE", None)
    # Not a multilingual voice: no <lang>, which only those take.
    assert (french.speak_lang, french.voice_lang, french.text) == ("fr", None, "Bonjour")


async def test_keyless_with_the_apps_credential_in_the_speech_token_form(
    serve: Any,
    speech_settings: Callable[..., Settings],
    fake_speech: FakeAzureSpeech,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    credential = FakeTokenCredential()
    monkeypatch.setattr(clients, "azure_credential", lambda settings: credential)
    settings = speech_settings(azure_speech_service_key=None, azure_speech_service_id=RESOURCE_ID)
    assert clients.needs_credential(settings)
    client: Client = await serve(settings)
    for _ in range(2):
        response = await client.post("/speech", json={"text": "Hello", "language": "en-GB"})
        assert response.status_code == 200
    for call in fake_speech.requests:
        assert call.headers["Authorization"] == f"Bearer aad#{RESOURCE_ID}#entra-token"
        assert "Ocp-Apim-Subscription-Key" not in call.headers
    # One token, kept until it nears its expiry.
    assert credential.scopes == [("https://cognitiveservices.azure.com/.default",)]


async def test_a_credential_that_cannot_sign_in_is_a_message_for_an_administrator(
    serve: Any,
    speech_settings: Callable[..., Settings],
    fake_speech: FakeAzureSpeech,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        clients, "azure_credential", lambda settings: FakeTokenCredential(fail=True)
    )
    client: Client = await serve(
        speech_settings(azure_speech_service_key=None, azure_speech_service_id=RESOURCE_ID)
    )
    response = await client.post("/speech", json={"text": "Hello"})
    assert response.status_code == 502
    assert "Cognitive Services Speech User" in await _error(response)
    assert fake_speech.requests == []


async def test_what_xml_cannot_carry_is_not_sent(
    serve: Any, speech_settings: Callable[..., Settings], fake_speech: FakeAzureSpeech
) -> None:
    client: Client = await serve(speech_settings())
    response = await client.post("/speech", json={"text": "a\x00b\x1bc\x0cd\ufffee"})
    assert response.status_code == 200
    (call,) = fake_speech.requests
    assert call.problems == []
    assert call.text == "a b c d e"


def test_the_ssml_escapes_the_text_and_the_attributes() -> None:
    ssml = build_ssml(
        '</voice><voice name="x">', voice="en-US-AvaMultilingualNeural", language="ja-JP"
    )
    root = ElementTree.fromstring(ssml)  # noqa: S314 - our own output
    call = parse_call({}, ssml)
    assert call.problems == []
    assert call.text == '</voice><voice name="x">'
    assert len(root) == 1  # one voice, whatever the text says
    assert (call.speak_lang, call.voice_lang) == ("ja-JP", "ja-JP")


# --- Refused requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": " \n\t "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": 42}, "text"),
        ({"text": ["hi"]}, "text"),
        ({"text": "a lone surrogate \ud800"}, "text"),
        ({"text": "hi", "language": "not a language"}, "language"),
        ({"text": "hi", "language": "es-ES\n<x>"}, "language"),
        ({"text": "hi", "language": 3}, "language"),
    ],
)
async def test_invalid_bodies_are_refused_naming_the_field(
    serve: Any,
    speech_settings: Callable[..., Settings],
    fake_speech: FakeAzureSpeech,
    body: dict[str, Any],
    field: str,
) -> None:
    client: Client = await serve(speech_settings())
    response = await client.post("/speech", json=body)
    assert response.status_code == 400
    assert f"{field}:" in await _error(response)
    assert fake_speech.requests == []


async def test_a_body_that_is_not_json_is_refused(
    serve: Any, speech_settings: Callable[..., Settings]
) -> None:
    client: Client = await serve(speech_settings())
    response = await client.post("/speech", data="hi", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


async def test_without_azure_speech_the_route_says_so(client: Client) -> None:
    response = await client.post("/speech", json={"text": "Hello"})
    assert response.status_code == 404
    assert "AZURE_SPEECH_SERVICE_LOCATION" in await _error(response)


async def test_reading_aloud_counts_against_the_rate_limit(
    serve: Any, speech_settings: Callable[..., Settings], fake_speech: FakeAzureSpeech
) -> None:
    client: Client = await serve(speech_settings(rate_limit_per_minute=1, rate_limit_burst=1))
    assert (await client.post("/speech", json={"text": "one"})).status_code == 200
    refused = await client.post("/speech", json={"text": "two"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert len(fake_speech.requests) == 1


# --- Upstream failures --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ("401", 502, "AZURE_SPEECH_SERVICE_ID"),
        ("400", 502, "AZURE_SPEECH_SERVICE_VOICE"),
        ("429", 429, "Wait a few seconds"),
        ("500", 502, "Try again"),
        ("503", 503, "could not be reached"),
        ("reset", 503, "could not be reached"),
        ("hang", 504, "took too long"),
    ],
)
async def test_upstream_failures_become_messages_a_person_can_act_on(
    serve: Any,
    speech_settings: Callable[..., Settings],
    fake_speech: FakeAzureSpeech,
    fault: Any,
    status: int,
    words: str,
) -> None:
    client: Client = await serve(speech_settings(upstream_timeout_seconds=0.5))
    fake_speech.fail_next(fault)
    response = await client.post("/speech", json={"text": "Hello"})
    assert response.status_code == status
    message = await _error(response)
    assert "Azure AI Speech" in message
    assert words in message
    # The next request is served again.
    assert (await client.post("/speech", json={"text": "Hello"})).status_code == 200


async def test_an_unreachable_service_is_a_503(
    serve: Any, speech_settings: Callable[..., Settings]
) -> None:
    client: Client = await serve(
        speech_settings(azure_speech_service_endpoint="http://127.0.0.1:9")
    )
    response = await client.post("/speech", json={"text": "Hello"})
    assert response.status_code == 503
    assert "could not be reached" in await _error(response)


async def test_an_empty_answer_is_not_passed_on_as_audio(
    serve: Any, speech_settings: Callable[..., Settings], fake_speech: FakeAzureSpeech
) -> None:
    fake_speech.audio = b""
    client: Client = await serve(speech_settings())
    response = await client.post("/speech", json={"text": "Hello"})
    assert response.status_code == 502
    assert "could not read the answer aloud" in await _error(response)


# --- Settings and /config -----------------------------------------------------------------------


async def test_config_offers_the_browsers_speech_by_default(client: Client) -> None:
    config = await (await client.get("/config")).get_json()
    assert config["showSpeechInput"] is True
    assert config["showSpeechOutputBrowser"] is True
    assert config["showSpeechOutputAzure"] is False


async def test_config_says_when_azure_reads_aloud_and_what_is_turned_off(
    serve: Any, speech_settings: Callable[..., Settings]
) -> None:
    client: Client = await serve(
        speech_settings(speech_input_browser=False, speech_output_browser=False)
    )
    config = await (await client.get("/config")).get_json()
    assert config["showSpeechInput"] is False
    assert config["showSpeechOutputBrowser"] is False
    assert config["showSpeechOutputAzure"] is True


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"azure_speech_service_location": "eastus"}, "AZURE_SPEECH_SERVICE_ID"),
        ({"azure_speech_service_id": RESOURCE_ID}, "AZURE_SPEECH_SERVICE_LOCATION"),
        ({"azure_speech_service_key": KEY}, "AZURE_SPEECH_SERVICE_LOCATION"),
        ({"azure_speech_service_location": "East US"}, "AZURE_SPEECH_SERVICE_LOCATION"),
        ({"azure_speech_service_voice": 'x" onload="y'}, "AZURE_SPEECH_SERVICE_VOICE"),
        (
            {"azure_speech_service_endpoint": "ftp://x", "azure_speech_service_key": KEY},
            "AZURE_SPEECH_SERVICE_ENDPOINT",
        ),
    ],
)
def test_speech_settings_that_do_not_fit_are_named(values: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, **values)
    assert named in str(error.value)


def test_the_region_names_the_host_and_keyless_needs_the_credential() -> None:
    from app.speech import speech_endpoint

    settings = load_settings(
        _env_file=None, azure_speech_service_location="swedencentral", azure_speech_service_id="id"
    )
    assert settings.speech_output_azure
    assert speech_endpoint(settings) == "https://swedencentral.tts.speech.microsoft.com"
    assert clients.needs_credential(settings)
    with_key = load_settings(
        _env_file=None, azure_speech_service_location="swedencentral", azure_speech_service_key=KEY
    )
    assert not clients.needs_credential(with_key)
