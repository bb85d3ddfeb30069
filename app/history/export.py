"""A stored conversation as a download: Markdown with footnoted citations, or JSON events.

Citations are found the way the UI finds them (`frontend/src/lib/citations.ts`): bracketed
text that is a known citation of the answer or looks like a file name, outside code.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from app.history.base import StoredSession

_BRACKETED = re.compile(r"\[([^\[\]\n]{1,300})\]")
_FILE_REF = re.compile(r"^[^\s\[\]#]+\.[A-Za-z0-9]{1,8}(?:#page=\d+)?$")
_SCHEME = re.compile(r"^[a-z]+:", re.IGNORECASE)
_CODE = re.compile(r"```[\s\S]*?(?:```|$)|`[^`\n]*`")
_UPLOAD = re.compile(r"^\.uploads/[0-9a-f]{32}/(.+)$", re.IGNORECASE)
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\\/:*?"<>|]+')


def question_and_response(pair: Any) -> tuple[str, dict[str, Any]]:
    """One stored `[question, response]` pair, tolerant of what an older client saved."""
    if isinstance(pair, list | tuple) and len(pair) == 2:
        question, response = pair
        return str(question), response if isinstance(response, dict) else {}
    return "", {}


def answer_text(response: dict[str, Any]) -> str:
    """The answer's text in a stored response."""
    message = response.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else ""


def known_citations(response: dict[str, Any]) -> list[str]:
    """The citations the server listed with the answer (its data points)."""
    context = response.get("context")
    points = context.get("data_points") if isinstance(context, dict) else None
    citations = points.get("citations") if isinstance(points, dict) else None
    if not isinstance(citations, list):
        return []
    return [c for c in citations if isinstance(c, str)]


def cited(text: str, known: list[str]) -> list[str]:
    """The citations in an answer, in order of first appearance."""
    refs: dict[str, None] = {}
    for match in _BRACKETED.finditer(_CODE.sub(" ", text)):
        ref = match.group(1).strip()
        if ref in known or (_FILE_REF.match(ref) and not _SCHEME.match(ref)):
            refs.setdefault(ref, None)
    return list(refs)


def to_markdown(session: StoredSession) -> str:
    """The conversation as Markdown: each citation a footnote naming its source and link."""
    lines = [f"# {_one_line(session.title)}", ""]
    footnotes: dict[str, int] = {}
    for pair in session.answers:
        question, response = question_and_response(pair)
        text = answer_text(response)
        refs = cited(text, known_citations(response))
        for ref in refs:
            footnotes.setdefault(ref, len(footnotes) + 1)

        def footnote(match: re.Match[str], refs: list[str] = refs) -> str:
            ref = match.group(1).strip()
            return f"[^{footnotes[ref]}]" if ref in refs else match.group(0)

        lines += [f"## {_one_line(question)}", "", _BRACKETED.sub(footnote, text).strip(), ""]
        if (ending := _ending(response)) is not None:
            lines += [f"*{ending}*", ""]
    for ref, number in footnotes.items():
        lines.append(f"[^{number}]: {_label(ref)} ({content_url(ref)})")
    return "\n".join(lines).rstrip() + "\n"


def to_json(session: StoredSession) -> dict[str, Any]:
    """The conversation with each answer's stream events, as the UI received them."""
    return {
        "id": session.id,
        "title": session.title,
        "created": session.created,
        "timestamp": session.timestamp,
        "answers": [
            {
                "question": question,
                "status": response.get("status", "done"),
                "error": response.get("error"),
                "events": events(response),
            }
            for question, response in map(question_and_response, session.answers)
        ],
    }


def events(response: dict[str, Any]) -> list[Any]:
    """The stored stream lines; for a response saved without them, the two lines the server
    would have streamed for it (context first, then the whole answer)."""
    stored = response.get("events")
    if isinstance(stored, list) and stored:
        return stored
    first = {"context": response.get("context"), "session_state": response.get("session_state")}
    return [first, {"delta": {"role": "assistant", "content": answer_text(response)}}]


def content_url(ref: str) -> str:
    """The `/content` link of a citation, as the UI makes it."""
    file, _, page = ref.partition("#")
    path = "/".join(quote(part, safe="") for part in file.split("/"))
    return f"/content/{path}" + (f"#{page}" if page else "")


def download_name(title: str, suffix: str) -> str:
    """A file name for the download, from the title."""
    stem = _UNSAFE_FILENAME.sub(" ", title).strip(" .")[:80] or "conversation"
    return f"{stem}{suffix}"


def _ending(response: dict[str, Any]) -> str | None:
    """How an answer that did not finish ended, for the reader of the download."""
    status = response.get("status")
    if status == "stopped":
        return "(The answer was stopped before it finished.)"
    if status == "error":
        error = response.get("error")
        return (
            f"(The answer failed: {_one_line(error)})"
            if isinstance(error, str)
            else ("(The answer failed.)")
        )
    return None


def _label(ref: str) -> str:
    match = _UPLOAD.match(ref)
    return f"{match.group(1)} (your upload)" if match else ref


def _one_line(text: str) -> str:
    return " ".join(text.split())
