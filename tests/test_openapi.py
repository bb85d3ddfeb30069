"""`/openapi.json` tells the truth: it validates, documents every route's errors and the
answer stream, and leaves the single-page app's static routes out."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import chat_body
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from quart.typing import TestClientProtocol as Client


@pytest.fixture
async def spec(client: Client) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = await response.get_json()
    return result


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


async def test_the_spec_validates(spec: dict[str, Any]) -> None:
    errors = [error.message for error in OpenAPIV31SpecValidator(spec).iter_errors()]
    assert errors == []


async def test_every_operation_documents_a_success_and_static_routes_are_left_out(
    spec: dict[str, Any],
) -> None:
    assert not {"/", "/assets/{path}", "/favicon.ico", "/redirect"} & set(spec["paths"])
    for path, method, operation in operations(spec):
        assert any(code.startswith("2") for code in operation["responses"]), (path, method)


async def test_errors_are_documented_with_their_json_shape(spec: dict[str, Any]) -> None:
    chat = spec["paths"]["/chat"]["post"]["responses"]
    assert set(chat) >= {"200", "400", "401", "413", "415", "429", "502", "503", "504"}
    schema = chat["400"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
    assert spec["components"]["schemas"]["ErrorResponse"]["required"] == ["error"]
    for status in ("429", "503"):  # the rate limit's and the stream cap's refusals
        assert chat[status]["headers"]["Retry-After"]["schema"]["type"] == "integer"
        assert "Retry-After" in chat[status]["description"]


@pytest.mark.parametrize("path", ["/chat/stream", "/ask/stream"])
async def test_the_answer_stream_is_documented_as_ndjson(spec: dict[str, Any], path: str) -> None:
    ok = spec["paths"][path]["post"]["responses"]["200"]
    assert list(ok["content"]) == ["application/x-ndjson"]
    line = spec["components"]["schemas"]["StreamLine"]
    assert set(line["properties"]) == {"delta", "context", "session_state", "error"}


async def test_the_validators_bounds_are_in_the_schema(spec: dict[str, Any]) -> None:
    overrides = spec["components"]["schemas"]["Overrides"]["properties"]
    top = overrides["top"]
    assert (top["minimum"], top["maximum"]) == (1, 50)
    roles = spec["components"]["schemas"]["Message"]["properties"]["role"]
    assert set(roles["enum"]) == {"user", "assistant"}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/chat", {"json": {"messages": []}}, 400),
        ("POST", "/chat", {"data": "x", "headers": {"Content-Type": "text/plain"}}, 415),
        ("POST", "/ask/stream", {"json": chat_body("q", top=99)}, 400),
        ("GET", "/content/no-such-file.pdf", {}, 404),
        ("GET", "/chat_history/sessions/nope", {}, 404),
        ("POST", "/feedback", {"json": {}}, 400),
        ("POST", "/feedback", {"json": {"comment": "x" * 1_100_000}}, 413),
        ("PATCH", "/chat_history/sessions/s1", {"json": {"title": "x" * 1_100_000}}, 413),
        ("DELETE", "/chat_history/sessions/s1", {}, 404),
        ("POST", "/speech", {"json": {"text": ""}}, 400),
        ("POST", "/speech", {"json": {"text": "Read this aloud."}}, 404),  # not configured
        ("POST", "/speech", {"data": "x", "headers": {"Content-Type": "text/plain"}}, 415),
    ],
)
async def test_what_the_server_answers_is_in_the_spec(
    client: Client,
    spec: dict[str, Any],
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    response = await client.open(path, method=method, **kwargs)
    assert response.status_code == status
    documented = next(
        operation["responses"]
        for template, item in spec["paths"].items()
        for verb, operation in item.items()
        if verb == method.lower() and _matches(template, path)
    )
    assert str(status) in documented


def _matches(template: str, path: str) -> bool:
    parts, wanted = template.split("/"), path.split("/")
    if template.endswith("{path}"):
        return path.startswith(template.removesuffix("{path}"))
    return len(parts) == len(wanted) and all(
        a == b or a.startswith("{") for a, b in zip(parts, wanted, strict=True)
    )


async def test_successes_are_documented_as_answered(spec: dict[str, Any]) -> None:
    """201 and 204 were undocumented, downloads and source files documented as nothing."""
    paths = spec["paths"]
    assert set(_successes(paths["/chat_history"]["post"])) == {"201"}
    assert set(_successes(paths["/feedback"]["post"])) == {"201"}
    deleted = paths["/chat_history/sessions/{session_id}"]["delete"]["responses"]
    assert "204" in deleted
    assert "content" not in deleted["204"]
    session = paths["/chat_history/sessions/{session_id}"]["get"]["responses"]["200"]
    assert set(session["content"]) == {"application/json", "text/markdown"}
    assert len(session["content"]["application/json"]["schema"]["anyOf"]) == 2
    assert list(paths["/content/{path}"]["get"]["responses"]["200"]["content"]) == ["*/*"]
    speech = paths["/speech"]["post"]
    assert speech["responses"]["200"]["content"]["audio/mpeg"]["schema"]["format"] == "binary"
    body = speech["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["text"]
    assert body["properties"]["text"]["maxLength"] == 5000


def _successes(operation: dict[str, Any]) -> list[str]:
    return [code for code in operation["responses"] if code.startswith("2")]


async def test_request_bodies_are_required(spec: dict[str, Any]) -> None:
    """A route with a body refuses a request without one: the spec said it was optional."""
    bodies = [op["requestBody"] for _, _, op in operations(spec) if "requestBody" in op]
    assert len(bodies) >= 8
    assert all(body["required"] is True for body in bodies)


async def test_links_name_operations_of_the_spec(spec: dict[str, Any]) -> None:
    ids = {op["operationId"] for _, _, op in operations(spec)}
    saved = spec["paths"]["/chat_history"]["post"]["responses"]["201"]["links"]
    assert saved["GetSession"]["parameters"] == {"session_id": "$response.body#/id"}
    targets = {
        link["operationId"]
        for _, _, op in operations(spec)
        for response in op["responses"].values()
        for link in response.get("links", {}).values()
    }
    assert targets
    assert targets <= ids


async def test_the_spec_says_what_this_server_refuses(
    spec: dict[str, Any], serve: Any, make_settings: Any
) -> None:
    """Custom prompts and vector search were documented, and refused with 400."""
    overrides = spec["components"]["schemas"]["Overrides"]["properties"]
    assert overrides["prompt_template"]["anyOf"] == [{"const": ""}, {"type": "null"}]
    assert overrides["retrieval_mode"]["anyOf"][0]["enum"] == ["text", "hybrid"]
    allowing: Client = await serve(make_settings(allow_prompt_template=True))
    other = await (await allowing.get("/openapi.json")).get_json()
    template = other["components"]["schemas"]["Overrides"]["properties"]["prompt_template"]
    assert template["anyOf"][0] == {"maxLength": 10000, "type": "string"}


@pytest.mark.parametrize("path", ["/config", "/auth_setup", "/healthz"])
async def test_what_the_server_answers_has_the_documented_shape(
    client: Client, spec: dict[str, Any], path: str
) -> None:
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    validator = Draft202012Validator({**schema["schema"], "components": spec["components"]})
    body = await (await client.get(path)).get_json()
    assert [error.message for error in validator.iter_errors(body)] == []
