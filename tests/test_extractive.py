"""The built-in extractive answerer and the sentence splitter it quotes from."""

from __future__ import annotations

from app.models import AnswerPrompt
from app.models.extractive import NO_MATCH, NO_SOURCES, NOTICE, ExtractiveChatModel, compose_answer
from app.models.sentences import sections, units_in
from app.schemas import Message
from app.search import SearchHit

BENEFITS = """# Benefits

## Retirement

The 401(k) match is 100% of the first 4% of pay. It vests over three years, e.g. one third a year.

## Health plans

| Plan | Deductible |
|---|---|
| Plus | $1,000 |
| Premier | $500 |

- Dental is included.
- Vision costs extra.

WHO DO I CONTACT?
-----------------
Call the benefits team at extension 2150.
"""


def hit(content: str, source: str = "benefits.md") -> SearchHit:
    return SearchHit(id=source, content=content, sourcepage=source, sourcefile=source)


def prompt(question: str, *hits: SearchHit) -> AnswerPrompt:
    return AnswerPrompt(kind="chat", question=question, history=[], sources=list(hits))


def test_quotable_units_split_sentences_lists_and_tables() -> None:
    units = [unit.text for unit in units_in(BENEFITS)]
    assert units == [
        "The 401(k) match is 100% of the first 4% of pay.",
        "It vests over three years, e.g. one third a year.",
        "Plan: Plus; Deductible: $1,000.",
        "Plan: Premier; Deductible: $500.",
        "Dental is included.",
        "Vision costs extra.",
        "Call the benefits team at extension 2150.",
    ]
    assert [title for title, _ in sections(BENEFITS)] == ["Retirement", "Health plans"]


def test_answer_quotes_best_sentence_with_its_citation() -> None:
    lines = compose_answer(prompt("What is the deductible on Plus?", hit(BENEFITS)))
    assert lines[0] == NOTICE
    assert lines[2] == "- Plan: Plus; Deductible: $1,000. [benefits.md]\n"


def test_every_quoted_sentence_keeps_its_own_source() -> None:
    other = hit("Parental leave lasts 14 weeks. The 401(k) is handled by payroll.", "leave.html")
    lines = compose_answer(prompt("401(k) match", hit(BENEFITS), other))
    quoted = [line for line in lines if line.startswith("- ")]
    assert quoted[0].endswith("[benefits.md]\n")
    assert any(line.endswith("[leave.html]\n") and "payroll" in line for line in quoted)


def test_no_sources_and_no_match_are_said_plainly() -> None:
    assert compose_answer(prompt("anything")) == [NOTICE, "\n\n", NO_SOURCES]
    lines = compose_answer(prompt("zebra migration", hit(BENEFITS)))
    assert NO_MATCH in "".join(lines)
    assert lines[-1].endswith("[benefits.md]\n")


async def test_streams_the_composed_lines_and_suggests_sections() -> None:
    model = ExtractiveChatModel()
    question = prompt("401(k) match", hit(BENEFITS))
    opened = await model.open_answer(question)
    pieces = [piece async for piece in opened.stream]
    assert pieces == compose_answer(question)
    assert opened.stream.end.finish_reason == "stop"
    assert opened.prompt is question  # nothing to cut: there is no context window
    # The answer quoted the Retirement section, so only the other one is suggested.
    assert await model.followup_questions(question, "".join(pieces)) == ["What about health plans?"]
    assert opened.thought.title == "Answer method"


async def test_search_query_adds_context_for_short_follow_ups() -> None:
    model = ExtractiveChatModel()
    first = Message(role="user", content="What is the hotel limit in big cities?")
    reply = Message(role="assistant", content="$300.")
    assert await model.search_query([first]) == "hotel limit big cities"
    follow_up = Message(role="user", content="And abroad?")
    assert await model.search_query([first, reply, follow_up]) == "abroad hotel limit big cities"
    assert await model.search_query([Message(role="user", content="why?")]) == "why?"


def test_wrapped_list_items_stay_whole_and_dot_leaders_are_skipped() -> None:
    text = (
        "Contents\n1 Introduction . . . . . . . . . . 3\n2 Usage ............ 7\n\n"
        "• alias elements indicate that the type is also known by another name, given by the\n"
        "type attribute.\n• comment elements give a description."
    )
    assert [unit.text for unit in units_in(text)] == [
        "Contents",
        "alias elements indicate that the type is also known by another name, given by the type attribute.",
        "comment elements give a description.",
    ]
