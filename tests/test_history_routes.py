"""The conversation and feedback routes on the local store: whose data is whose (signed-in
user or anonymous browser), paging, rename, delete, downloads, feedback, and every bad request
a clear 4xx naming its field."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from issuer import Issuer, issuer, oidc_login

from app.history.identity import ANON_COOKIE
from app.routes import history as history_routes
from app.settings import Settings

__all__ = ["issuer"]

ALICE = {"sub": "user-alice", "groups": ["group-hr"]}
BOB = {"sub": "user-bob", "groups": []}
ADMIN = {"sub": "user-admin", "groups": ["feedback-admins"]}


def _response(content: str, citations: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "message": {"role": "assistant", "content": content},
        "context": {
            "data_points": {"text": [], "citations": citations or []},
            "thoughts": [],
            "followup_questions": None,
        },
        "session_state": None,
        **extra,
    }


ANSWER = "Employees get twenty days [handbook.pdf#page=2] and a bonus [pay/plan.md]."
SESSION = {
    "id": "s-1",
    "answers": [
        [
            "How much vacation do I get?",
            _response(ANSWER, ["handbook.pdf#page=2", "pay/plan.md"], settings={"top": 3}),
        ],
        ["And sick days?", _response("Ten sick days [handbook.pdf#page=5].")],
    ],
}


@pytest.fixture
async def anon(serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]) -> Any:
    """An offline app (CHAT_HISTORY unset: local) and an anonymous browser."""
    return await serve(make_settings(chat_history_max_sessions=5))


@pytest.fixture
async def login(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> Any:
    return await serve(
        make_settings(**oidc_login(issuer.url), feedback_admin_group="feedback-admins")
    )


def _as(issuer: Issuer, claims: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.token(**claims)}"}


def _cookie(client: Any) -> str | None:
    for cookie in client.cookie_jar:
        if cookie.name == ANON_COOKIE:
            return str(cookie.value)
    return None


async def test_an_anonymous_browser_gets_its_own_id_in_an_httponly_cookie(
    anon: Any, serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    response = await anon.post("/chat_history", json=SESSION)
    assert response.status_code == 201
    assert await response.get_json() == {
        "id": "s-1",
        "title": "How much vacation do I get?",
        "timestamp": (await response.get_json())["timestamp"],
    }
    header = response.headers["Set-Cookie"]
    assert header.startswith(f"{ANON_COOKIE}=")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/" in header
    value = _cookie(anon)
    assert value is not None
    assert len(value) >= 22

    # The same browser reads it back without being given a new id.
    again = await anon.get("/chat_history/sessions/s-1")
    assert again.status_code == 200
    assert "Set-Cookie" not in again.headers
    body = await again.get_json()
    assert body["answers"] == SESSION["answers"]
    assert body["entra_oid"] is None  # the cookie's value never goes into a body
    assert value not in json.dumps(body)

    # Another browser (a fresh cookie jar) sees nothing of it.
    other = anon.app.test_client()
    assert (await other.get("/chat_history/sessions/s-1")).status_code == 404
    listed = await (await other.get("/chat_history/sessions")).get_json()
    assert listed == {"sessions": [], "continuation_token": None}


async def test_a_forged_cookie_is_replaced(anon: Any) -> None:
    anon.cookie_jar.clear()
    response = await anon.get("/chat_history/sessions", headers={"Cookie": f"{ANON_COOKIE}=x;y"})
    assert response.status_code == 200
    assert response.headers["Set-Cookie"].startswith(f"{ANON_COOKIE}=")


async def test_signed_in_users_see_only_their_own(login: Any, issuer: Issuer) -> None:
    alice, bob = _as(issuer, ALICE), _as(issuer, BOB)
    assert (await login.post("/chat_history", json=SESSION, headers=alice)).status_code == 201
    got = await login.get("/chat_history/sessions/s-1", headers=alice)
    assert (await got.get_json())["entra_oid"] == "user-alice"
    assert "Set-Cookie" not in got.headers

    missing = await login.get("/chat_history/sessions/nope", headers=bob)
    hidden = await login.get("/chat_history/sessions/s-1", headers=bob)
    assert hidden.status_code == missing.status_code == 404
    assert await hidden.get_data() == await missing.get_data()
    rename = await login.patch("/chat_history/sessions/s-1", json={"title": "x"}, headers=bob)
    assert rename.status_code == 404
    assert (await login.delete("/chat_history/sessions/s-1", headers=bob)).status_code == 404
    assert (await login.get("/chat_history/sessions/s-1", headers=alice)).status_code == 200


async def test_paging_rename_and_delete(anon: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # A clock that ticks once per call: saves and the rename within one millisecond would tie.
    ticks = itertools.count(1_700_000_000_000)
    monkeypatch.setattr(history_routes, "now_ms", lambda: next(ticks))
    for n in range(5):
        body = {"id": f"s{n}", "answers": [[f"question {n}", _response(f"answer {n}")]]}
        assert (await anon.post("/chat_history", json=body)).status_code == 201
    renamed = await anon.patch("/chat_history/sessions/s0", json={"title": "  Oldest, renamed "})
    assert renamed.status_code == 200
    assert (await renamed.get_json())["title"] == "Oldest, renamed"

    first = await (await anon.get("/chat_history/sessions?count=2")).get_json()
    assert [s["title"] for s in first["sessions"]] == ["Oldest, renamed", "question 4"]
    token = first["continuation_token"]
    assert token
    rest = await anon.get(
        "/chat_history/sessions", query_string={"count": 10, "continuation_token": token}
    )
    assert [s["id"] for s in (await rest.get_json())["sessions"]] == ["s3", "s2", "s1"]

    deleted = await anon.delete("/chat_history/sessions/s3")
    assert deleted.status_code == 204
    assert await deleted.get_data() == b""
    assert (await anon.get("/chat_history/sessions/s3")).status_code == 404
    assert (await anon.delete("/chat_history/sessions/s3")).status_code == 404


async def test_the_markdown_download_footnotes_every_citation(anon: Any) -> None:
    await anon.post("/chat_history", json={**SESSION, "title": "Leave: the rules?"})
    response = await anon.get("/chat_history/sessions/s-1?format=md")
    assert response.status_code == 200
    assert response.content_type == "text/markdown; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Leave  the rules.md"')
    text = (await response.get_data()).decode()
    assert text.startswith("# Leave: the rules?\n")
    assert "## How much vacation do I get?" in text
    assert "Employees get twenty days [^1] and a bonus [^2]." in text
    assert "Ten sick days [^3]." in text
    assert "[^1]: handbook.pdf#page=2 (/content/handbook.pdf#page=2)" in text
    assert "[^2]: pay/plan.md (/content/pay/plan.md)" in text
    assert "[^3]: handbook.pdf#page=5 (/content/handbook.pdf#page=5)" in text


async def test_the_json_download_holds_the_stream_events(anon: Any) -> None:
    events = [
        {"context": {"data_points": {"text": [], "citations": []}}, "session_state": None},
        {"delta": {"role": "assistant", "content": "Hel"}},
        {"delta": {"content": "lo"}},
    ]
    body = {
        "id": "s-2",
        "answers": [
            ["Hi?", _response("Hello", events=events)],
            ["Old?", _response("Saved before events existed")],
        ],
    }
    await anon.post("/chat_history", json=body)
    response = await anon.get("/chat_history/sessions/s-2?format=json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="Hi.json"')
    exported = json.loads(await response.get_data())
    assert exported["id"] == "s-2"
    assert exported["answers"][0] == {
        "question": "Hi?",
        "status": "done",
        "error": None,
        "events": events,
    }
    fallback = exported["answers"][1]["events"]
    assert fallback[-1] == {
        "delta": {"role": "assistant", "content": "Saved before events existed"}
    }
    assert "context" in fallback[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "../etc", "answers": [["q", {}]]}, "id"),
        ({"id": "", "answers": [["q", {}]]}, "id"),
        ({"id": "x" * 101, "answers": [["q", {}]]}, "id"),
        ({"id": "s", "answers": []}, "answers"),
        ({"id": "s", "answers": [["q"]]}, "answers"),
        ({"id": "s", "answers": [["q", "not an object"]]}, "answers"),
        ({"id": "s", "answers": [["q" * 20_001, {}]]}, "answers"),
        ({"id": "s", "title": "t" * 201, "answers": [["q", {}]]}, "title"),
        ({"answers": [["q", {}]]}, "id"),
    ],
)
async def test_a_bad_save_is_a_400_naming_the_field(
    anon: Any, body: dict[str, Any], field: str
) -> None:
    response = await anon.post("/chat_history", json=body)
    assert response.status_code == 400
    assert field in (await response.get_json())["error"]


async def test_other_bad_requests(anon: Any) -> None:
    not_json = await anon.post(
        "/chat_history", data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    bad_token = await anon.get("/chat_history/sessions?continuation_token=forged")
    assert bad_token.status_code == 400
    assert "continuation_token" in (await bad_token.get_json())["error"]
    bad_count = await anon.get("/chat_history/sessions?count=0")
    assert bad_count.status_code == 400
    assert "count" in (await bad_count.get_json())["error"]
    await anon.post("/chat_history", json=SESSION)
    bad_format = await anon.get("/chat_history/sessions/s-1?format=pdf")
    assert bad_format.status_code == 400
    assert "format" in (await bad_format.get_json())["error"]
    no_title = await anon.patch("/chat_history/sessions/s-1", json={"title": "  "})
    assert no_title.status_code == 400
    assert "title" in (await no_title.get_json())["error"]


async def test_too_many_and_too_large_sessions_are_refused_and_nothing_is_lost(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client = await serve(make_settings(chat_history_max_sessions=2, chat_history_max_bytes=4096))
    for n in range(2):
        assert (
            await client.post("/chat_history", json={**SESSION, "id": f"s{n}"})
        ).status_code == 201
    refused = await client.post("/chat_history", json={**SESSION, "id": "s2"})
    assert refused.status_code == 409
    assert "delete some first" in (await refused.get_json())["error"]
    big = {"id": "s0", "answers": [["q", _response("x" * 5000)]]}
    too_big = await client.post("/chat_history", json=big)
    assert too_big.status_code == 413
    assert "answers" in (await too_big.get_json())["error"]
    # The earlier save of s0 is intact, and the limit left s1 alone.
    kept = await (await client.get("/chat_history/sessions/s0")).get_json()
    assert kept["answers"] == SESSION["answers"]
    listed = await (await client.get("/chat_history/sessions")).get_json()
    assert sorted(s["id"] for s in listed["sessions"]) == ["s0", "s1"]


async def test_a_long_conversation_over_the_json_limit_is_kept(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client = await serve(make_settings(max_request_bytes=65_536))
    body = {"id": "long", "answers": [[f"q{n}", _response("x" * 2000)] for n in range(100)]}
    assert (await client.post("/chat_history", json=body)).status_code == 201
    too_big_question = await client.post(
        "/ask", json={"messages": [{"role": "user", "content": "x" * 70_000}]}
    )
    assert too_big_question.status_code == 413


async def test_feedback_copies_the_stored_answer(login: Any, issuer: Issuer) -> None:
    alice, bob, admin = _as(issuer, ALICE), _as(issuer, BOB), _as(issuer, ADMIN)
    await login.post("/chat_history", json=SESSION, headers=alice)
    rating = {
        "session_id": "s-1",
        "answer_index": 0,
        "rating": "down",
        "comment": "Twenty is wrong: it is twenty-five.",
        "answer": "a forged copy the server must ignore",
    }
    response = await login.post("/feedback", json=rating, headers=alice)
    assert response.status_code == 201
    feedback_id = (await response.get_json())["id"]

    mine = await (await login.get("/feedback", headers=alice)).get_json()
    [item] = mine["feedback"]
    assert item["id"] == feedback_id
    assert item["user_id"] == "user-alice"
    assert item["question"] == "How much vacation do I get?"
    assert item["answer"] == ANSWER
    assert item["citations"] == ["handbook.pdf#page=2", "pay/plan.md"]
    assert item["settings"] == {"top": 3}
    assert item["comment"] == "Twenty is wrong: it is twenty-five."

    # Rating again replaces; bob sees none of it; the admin sees everyone's.
    again = await login.post(
        "/feedback", json={**rating, "rating": "up", "comment": ""}, headers=alice
    )
    assert (await again.get_json())["id"] == feedback_id
    assert (await (await login.get("/feedback", headers=bob)).get_json())["feedback"] == []
    await login.post("/chat_history", json=SESSION, headers=bob)
    await login.post("/feedback", json={**rating, "answer_index": 1}, headers=bob)
    everyone = await (await login.get("/feedback", headers=admin)).get_json()
    assert sorted((f["user_id"], f["rating"]) for f in everyone["feedback"]) == [
        ("user-alice", "up"),
        ("user-bob", "down"),
    ]
    downs = await (await login.get("/feedback?rating=down", headers=admin)).get_json()
    assert [f["user_id"] for f in downs["feedback"]] == ["user-bob"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"session_id": "nope"}, 404, "session_id"),
        ({"answer_index": 2}, 404, "answer_index"),
        ({"answer_index": -1}, 400, "answer_index"),
        ({"rating": "meh"}, 400, "rating"),
        ({"comment": "c" * 2001}, 400, "comment"),
    ],
)
async def test_bad_feedback_is_refused_naming_the_field(
    anon: Any, change: dict[str, Any], status: int, field: str
) -> None:
    await anon.post("/chat_history", json=SESSION)
    body = {"session_id": "s-1", "answer_index": 0, "rating": "up", **change}
    response = await anon.post("/feedback", json=body)
    assert response.status_code == status
    assert field in (await response.get_json())["error"]


async def test_an_anonymous_rater_is_shown_by_a_hash_of_its_id(anon: Any) -> None:
    await anon.post("/chat_history", json=SESSION)
    await anon.post("/feedback", json={"session_id": "s-1", "answer_index": 0, "rating": "up"})
    [item] = (await (await anon.get("/feedback")).get_json())["feedback"]
    cookie = _cookie(anon)
    assert cookie is not None
    assert cookie not in item["user_id"]
    expected = hashlib.sha256(f"anon:{cookie}".encode()).hexdigest()[:24]
    assert item["user_id"] == f"anon:{expected}"


async def test_with_browser_history_the_client_sends_what_it_rates(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client = await serve(make_settings(chat_history="browser"))
    saved = await client.post("/chat_history", json=SESSION)
    assert saved.status_code == 404
    assert "CHAT_HISTORY=browser" in (await saved.get_json())["error"]
    assert (await client.get("/chat_history/sessions")).status_code == 404

    rating = {"session_id": "local-1", "answer_index": 0, "rating": "down"}
    incomplete = await client.post("/feedback", json=rating)
    assert incomplete.status_code == 400
    assert "question" in (await incomplete.get_json())["error"]
    full = {
        **rating,
        "question": "Q?",
        "answer": "A [a.md].",
        "citations": ["a.md"],
        "settings": {"top": 5},
    }
    assert (await client.post("/feedback", json=full)).status_code == 201
    [item] = (await (await client.get("/feedback")).get_json())["feedback"]
    assert (item["question"], item["answer"], item["citations"], item["settings"]) == (
        "Q?",
        "A [a.md].",
        ["a.md"],
        {"top": 5},
    )
    config = await (await client.get("/config")).get_json()
    assert config["showChatHistoryServer"] is False
    assert config["showChatHistoryBrowser"] is True


async def test_login_required_refuses_anonymous_history_and_feedback(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> None:
    client = await serve(make_settings(**oidc_login(issuer.url), auth_required=True))
    for method, path in [
        ("POST", "/chat_history"),
        ("GET", "/chat_history/sessions"),
        ("GET", "/chat_history/sessions/s-1"),
        ("PATCH", "/chat_history/sessions/s-1"),
        ("DELETE", "/chat_history/sessions/s-1"),
        ("POST", "/feedback"),
        ("GET", "/feedback"),
    ]:
        response = await client.open(path, method=method, json={})
        assert response.status_code == 401, path
        assert "Set-Cookie" not in response.headers


async def test_the_routes_are_in_the_openapi_document(anon: Any) -> None:
    spec = await (await anon.get("/openapi.json")).get_json()
    paths = spec["paths"]
    for path in (
        "/chat_history",
        "/chat_history/sessions",
        "/chat_history/sessions/{session_id}",
        "/feedback",
    ):
        assert path in paths, path
    assert "requestBody" in paths["/chat_history"]["post"]
    assert "requestBody" in paths["/feedback"]["post"]


async def test_config_says_where_history_is_kept(anon: Any) -> None:
    config = await (await anon.get("/config")).get_json()
    assert config["showChatHistoryServer"] is True
    assert config["chatHistoryBackend"] == "local"
    assert config["showChatHistoryBrowser"] is False
    assert config["showFeedback"] is True


@pytest.mark.parametrize("path_id", ["feedback:abc", "a.b", "x" * 101, "%2e%2e"])
async def test_a_path_id_no_conversation_can_have_is_a_404(anon: Any, path_id: str) -> None:
    for method in ("GET", "DELETE"):
        response = await anon.open(f"/chat_history/sessions/{path_id}", method=method)
        assert response.status_code == 404
        assert (await response.get_json())["error"] == "No such conversation."


async def test_a_save_without_a_title_keeps_a_rename_and_created_may_be_given(anon: Any) -> None:
    moved = {**SESSION, "created": 1_600_000_000_000}
    first = await anon.post("/chat_history", json=moved)
    assert first.status_code == 201
    await anon.patch("/chat_history/sessions/s-1", json={"title": "Renamed in another tab"})
    later = {**SESSION, "created": 1_700_000_000_000}  # only a new conversation takes it
    await anon.post("/chat_history", json=later)
    got = await (await anon.get("/chat_history/sessions/s-1")).get_json()
    assert got["title"] == "Renamed in another tab"
    assert got["created"] == 1_600_000_000_000
    await anon.post("/chat_history", json={**SESSION, "title": "Chosen"})
    assert (await (await anon.get("/chat_history/sessions/s-1")).get_json())["title"] == "Chosen"
    future = await anon.post("/chat_history", json={**SESSION, "id": "s-9", "created": 10**15})
    assert (await future.get_json())["timestamp"] >= 0
    stored = await (await anon.get("/chat_history/sessions/s-9")).get_json()
    assert stored["created"] <= stored["timestamp"]  # never in the future


async def test_config_gives_the_anonymous_id_first(anon: Any) -> None:
    response = await anon.get("/config")
    assert response.headers["Set-Cookie"].startswith(f"{ANON_COOKIE}=")
    cookie = _cookie(anon)
    saved = await anon.post("/chat_history", json=SESSION)
    assert "Set-Cookie" not in saved.headers
    assert _cookie(anon) == cookie


async def test_downloads_say_how_an_unfinished_answer_ended(anon: Any) -> None:
    body = {
        "id": "s-3",
        "answers": [
            ["Stopped?", {**_response("Half an ans"), "status": "stopped"}],
            [
                "Failed?",
                {**_response(""), "status": "error", "error": "The model is busy.", "events": []},
            ],
        ],
    }
    await anon.post("/chat_history", json=body)
    text = (await (await anon.get("/chat_history/sessions/s-3?format=md")).get_data()).decode()
    assert "*(The answer was stopped before it finished.)*" in text
    assert "*(The answer failed: The model is busy.)*" in text
    exported = json.loads(
        await (await anon.get("/chat_history/sessions/s-3?format=json")).get_data()
    )
    assert [(a["status"], a["error"]) for a in exported["answers"]] == [
        ("stopped", None),
        ("error", "The model is busy."),
    ]
    assert exported["answers"][1]["events"]  # an empty list gets the fallback lines
