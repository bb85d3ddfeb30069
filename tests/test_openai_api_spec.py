"""`/openapi.json` describes `/v1` when it is served: its request, both response shapes, and
OpenAI's error body on every error status; the `/v1` part of the spec is a snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator
from pydantic import BaseModel
from quart.typing import TestClientProtocol as Client

from app.openai_api import requests, responses, usage
from app.settings import Settings

V1 = ("/v1/models", "/v1/models/{model}", "/v1/chat/completions")
# The models of app/openai_api/ (the rest of the spec is /chat's).
OURS = {
    name
    for module in (requests, responses, usage)
    for name, value in vars(module).items()
    if isinstance(value, type)
    and issubclass(value, BaseModel)
    and value.__module__ == module.__name__
}


@pytest.fixture
async def spec(serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]) -> Any:
    client: Client = await serve(make_settings(api_keys="test-key-0123456789abcdef"))
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return await response.get_json()


async def test_the_spec_with_v1_validates(spec: dict[str, Any]) -> None:
    assert [error.message for error in OpenAPIV31SpecValidator(spec).iter_errors()] == []
    assert sorted(p for p in spec["paths"] if p.startswith("/v1")) == sorted(V1)


async def test_every_v1_error_has_openais_shape(spec: dict[str, Any]) -> None:
    for path in V1:
        for operation in spec["paths"][path].values():
            errors = {k: v for k, v in operation["responses"].items() if k[0] in "45"}
            assert "401" in errors
            for response in errors.values():
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    error = spec["components"]["schemas"]["ErrorObject"]
    assert set(error["required"]) == {"message", "type", "param", "code"}
    # /chat keeps the app's own error body.
    chat = spec["paths"]["/chat"]["post"]["responses"]["400"]["content"]["application/json"]
    assert chat["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}


async def test_completions_are_json_or_server_sent_chunks(spec: dict[str, Any]) -> None:
    operation = spec["paths"]["/v1/chat/completions"]["post"]
    ok = operation["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/ChatCompletion"}
    assert ok["text/event-stream"]["schema"] == {"$ref": "#/components/schemas/ChatCompletionChunk"}
    assert operation["requestBody"]["required"] is True
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["additionalProperties"] is False  # an unknown field is a 400, as on OpenAI
    fields = body["properties"]
    assert {"model", "messages", "stream", "stream_options", "context", "tools", "n"} <= set(fields)


async def test_the_v1_part_of_the_spec(spec: dict[str, Any], snapshot: Any) -> None:
    """The schemas shared with `/chat` (its overrides, the context) are left to its tests."""
    paths = {path: spec["paths"][path] for path in V1}
    schemas = spec["components"]["schemas"]
    ours = sorted(n for n in _refs(paths, schemas) if n in OURS)
    assert {"paths": paths, "schemas": {n: schemas[n] for n in ours}} == snapshot


def _refs(node: Any, schemas: dict[str, Any], seen: set[str] | None = None) -> set[str]:
    """The component schemas `node` refers to, and those they refer to."""
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/") and (name := ref.rsplit("/", 1)[1]) not in seen:
            seen.add(name)
            _refs(schemas[name], schemas, seen)
        for value in node.values():
            _refs(value, schemas, seen)
    elif isinstance(node, list):
        for value in node:
            _refs(value, schemas, seen)
    return seen
