"""Schemathesis against the app: every operation of `/openapi.json`, every check, a fixed seed.

The app is the offline one over a copy of the sample index; Schemathesis's ASGI transport runs
its start-up before the first request. Three tests: each operation alone (the examples,
coverage and fuzzing phases, valid and invalid data), conversations through the spec's links
(the stateful checks: a deleted conversation is gone, a saved one is there), and the one
success no generated case can reach (a source file, whose name only an answer gives).

`FUZZ_EXAMPLES` is how many cases the fuzzing phase makes per operation and how many scenarios
the stateful test runs: small in `make test`, 1,000 in `make fuzz` (some 40,000 cases). Each
test ends by printing how many cases it sent.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from helpers import chat_body
from jsonschema import Draft202012Validator
from schemathesis import BaseSchema, Case, CheckContext, GenerationMode, HookContext, Response

from app import create_app
from app.history.identity import ANON_COOKIE
from app.settings import Settings

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
SEED = 20_240_601
BROWSER = "fuzz-browser-0123456789ab"  # an anonymous browser's id (the history cookie)
ANSWER_PATHS = ("/chat", "/chat/stream", "/ask", "/ask/stream")
# Schemathesis's statuses for "invalid data was rejected", and 413: a body over
# MAX_REQUEST_BYTES is refused before it is read, whatever else is wrong with it.
INVALID_DATA_REJECTED = [
    "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"
]  # fmt: skip
# Operations whose valid cases cannot succeed when each is tried alone: uploads and Azure AI
# Speech are off here (404, as documented), a conversation or source file must exist first (the
# other two tests).
NO_SUCCESS_ALONE = {
    "POST /upload",
    "GET /list_uploaded",
    "POST /delete_uploaded",
    "GET /content/{path}",
    "GET /chat_history/sessions/{session_id}",
    "PATCH /chat_history/sessions/{session_id}",
    "DELETE /chat_history/sessions/{session_id}",
    "POST /feedback",
    "POST /speech",
}


class Outcomes:
    """What a test's cases got: how many per operation, and the statuses of the successes."""

    def __init__(self) -> None:
        self.cases: Counter[str] = Counter()
        self.successes: defaultdict[str, set[int]] = defaultdict(set)

    def record(self, case: Case, response: Response) -> None:
        """Count the case; note a success of the operation's own method (the coverage phase
        also tries methods the operation does not have)."""
        label = case.operation.label
        self.cases[label] += 1
        if case.method.upper() == case.operation.method.upper() and response.status_code < 300:
            self.successes[label].add(response.status_code)

    def without_success(self) -> set[str]:
        """The operations none of whose cases succeeded."""
        return set(self.cases) - set(self.successes)


@pytest.fixture
def outcomes(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> Iterator[Outcomes]:
    record = Outcomes()
    yield record
    with capsys.disabled():
        total = sum(record.cases.values())
        print(f"\n{request.node.name}: {total:,} cases, {len(record.cases)} operations")


@pytest.fixture
def api_schema(make_settings: Callable[..., Settings]) -> BaseSchema:
    """The app's own spec, loaded over ASGI (which runs the app's start-up first)."""
    app = create_app(make_settings())
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": FUZZ_EXAMPLES, "database": "none"},
            # Every check is on by default (`max_response_time` only with a limit, and these
            # tests time nothing).
            "checks": {"negative_data_rejection": {"expected-statuses": INVALID_DATA_REJECTED}},
        }
    )
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    loaded.hook("map_case")(_valid_as_the_server_means_it)
    return loaded


def _valid_as_the_server_means_it(context: HookContext, case: Case) -> Case:
    """Two rules of the server that JSON Schema cannot state, applied to the cases meant to be
    valid (invalid cases keep whatever they break):

    - a conversation ends with the user's question, and it is not blank: JSON Schema has no
      "the last item"; the spec says it in words, and the server answers 400 otherwise;
    - a `continuation_token` is one the server gave out: no schema can make one up, and one it
      did not give out is a 400, so a valid case sends none.
    """
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return case
    if case.path in ANSWER_PATHS and isinstance(case.body, dict):
        messages = case.body.get("messages")
        if isinstance(messages, list) and messages:
            last = messages[-1]
            content = last.get("content") if isinstance(last, dict) else None
            question = content if isinstance(content, str) and content.strip() else "Payday?"
            messages[-1] = {"role": "user", "content": question}
    if isinstance(case.query, dict):
        case.query.pop("continuation_token", None)
    return case


@pytest.fixture(autouse=True)
def _nodeid_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # Schemathesis 4.32 names each operation's subtest through `Function._nodeid`, which
    # pytest 9.2 no longer has.
    request.node._nodeid = request.node.nodeid


def _browser(anonymous_id: str) -> requests.Session:
    session = requests.Session()
    session.cookies.set(ANON_COOKIE, anonymous_id)
    return session


@pytest.fixture(scope="module")
def browser() -> Iterator[requests.Session]:
    """One browser for every case: what one case saves, another can list."""
    with _browser(BROWSER) as session:
        yield session


@pytest.fixture
def alone(outcomes: Outcomes) -> Iterator[Outcomes]:
    yield outcomes
    missing = outcomes.without_success() - NO_SUCCESS_ALONE
    assert not missing, f"no valid case succeeded: {sorted(missing)}"


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_each_operation(case: Case, browser: requests.Session, alone: Outcomes) -> None:
    response = case.call_and_validate(session=browser, additional_checks=[ndjson_lines])
    alone.record(case, response)


def test_conversations_through_the_links(api_schema: BaseSchema, outcomes: Outcomes) -> None:
    browsers = itertools.count()

    class Workflow(api_schema.as_state_machine()):  # type: ignore[misc]
        # Each scenario is a new browser: what an earlier one saved would change what this one
        # lists, and Hypothesis needs a scenario to go the same way each time it runs it.
        def setup(self) -> None:
            self.browser = _browser(f"{BROWSER}-{next(browsers)}")

        def teardown(self) -> None:
            self.browser.close()

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"session": self.browser}

        def validate_response(
            self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            super().validate_response(response, case, additional_checks=[ndjson_lines], **kwargs)
            outcomes.record(case, response)

    settings = hypothesis.settings(
        max_examples=FUZZ_EXAMPLES, derandomize=True, database=None, deadline=None
    )
    Workflow.run(settings=settings)
    assert "POST /feedback" in outcomes.cases
    assert outcomes.without_success() == set()


def test_a_cited_source_file(
    api_schema: BaseSchema, browser: requests.Session, outcomes: Outcomes
) -> None:
    """`GET /content/{path}` with the name an answer cites, checked like any case."""
    ask = api_schema["/chat"]["POST"].Case(body=chat_body("What is the deductible?"))
    answer = ask.call_and_validate(session=browser)
    outcomes.record(ask, answer)
    cited = answer.json()["context"]["data_points"]["citations"][0].split("#")[0]
    source = api_schema["/content/{path}"]["GET"].Case(path_parameters={"path": cited})
    outcomes.record(source, source.call_and_validate(session=browser))
    assert outcomes.without_success() == set()


def ndjson_lines(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """An NDJSON answer is lines of JSON, each valid against the documented line schema.

    Schemathesis reads no NDJSON, so `response_schema_conformance` passes such a body by; this
    reads it line by line instead."""
    if not response.headers.get("content-type", [""])[0].startswith("application/x-ndjson"):
        return None
    documented = case.operation.definition.raw["responses"][str(response.status_code)]
    line_schema = documented["content"]["application/x-ndjson"]["schema"]
    components = case.operation.schema.raw_schema["components"]
    validator = Draft202012Validator({**line_schema, "components": components})
    assert response.content.endswith(b"\n"), "the last line of the stream must end in a newline"
    for line in response.content.decode().splitlines():
        errors = [error.message for error in validator.iter_errors(json.loads(line))]
        assert not errors, f"stream line {line!r}: {errors}"
    return True
