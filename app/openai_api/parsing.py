"""Reading the request body, with pydantic's errors told as OpenAI tells them: which field
(`param`, as `messages[0].content`) and what is wrong with it."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from app.openai_api.errors import InvalidParameterError
from app.openai_api.requests import ChatCompletionRequest

# pydantic names the member of a union an error is about ('str', 'list[ContentPart]',
# 'constrained-str'); no field has such a name, so these are left out of `param`.
_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "dict", "list", "none"})
_NAME_LIMIT = 100  # an unknown field is named back, cut to this


def parse_request(data: str | bytes) -> ChatCompletionRequest:
    """The request, or InvalidParameterError naming the first field that is wrong."""
    try:
        return ChatCompletionRequest.model_validate_json(data)
    except ValidationError as exc:
        raise describe(exc) from None


def describe(exc: ValidationError) -> InvalidParameterError:
    """One error for the client: the most specific problem of the first field named."""
    errors = exc.errors(include_input=False, include_url=False)
    first = errors[0]
    if first["type"] == "json_invalid":
        return InvalidParameterError(
            "We could not parse the JSON body of your request.", param=None
        )
    if not first["loc"]:
        return InvalidParameterError("The request body must be a JSON object.", param=None)
    field = first["loc"][0]
    same_field = [error for error in errors if error["loc"][:1] == (field,)]
    deepest = max(len(error["loc"]) for error in same_field)
    chosen = [error for error in same_field if len(error["loc"]) == deepest]
    param = param_name(chosen[0]["loc"])
    if chosen[0]["type"] == "extra_forbidden":
        # The unknown name as sent, whatever characters it has.
        *parent, unknown = chosen[0]["loc"]
        param = ".".join(filter(None, (param_name(parent), str(unknown)[:_NAME_LIMIT])))
        return InvalidParameterError(
            f"Unrecognized request argument supplied: {param}",
            param=param,
            code="unknown_parameter",
        )
    if chosen[0]["type"] == "missing":
        return InvalidParameterError(f"Missing required parameter: '{param}'.", param=param)
    reasons = dict.fromkeys(_reason(error) for error in chosen if param_name(error["loc"]) == param)
    return InvalidParameterError(
        f"Invalid value for '{param}': {', or '.join(reasons)}.", param=param
    )


def param_name(loc: Sequence[int | str]) -> str:
    """`("messages", 0, "content")` as `messages[0].content`, without union member tags."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        elif "[" in part or "-" in part or part in _TYPE_TAGS:
            continue
        else:
            name += f".{part[:_NAME_LIMIT]}" if name else part[:_NAME_LIMIT]
    return name


def _reason(error: ErrorDetails) -> str:
    return str(error["msg"]).removeprefix("Value error, ")
