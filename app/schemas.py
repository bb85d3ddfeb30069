"""The HTTP contract: request bodies with bounded overrides, and the response shapes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticKnownError

from app.search.base import RetrievalMode


def json_integer(cls: type[BaseModel], value: object) -> object:
    """A `mode="before"` validator for integer fields (lax, `strict=False`): an integer as JSON
    and JSON Schema mean it, so 3 and 3.0 are the same number and `true` and "3" are none
    (pydantic's lax mode would take those, its strict mode would refuse 3.0)."""
    if isinstance(value, bool | str):
        raise PydanticKnownError("int_type")
    return value


# Whitespace as JSON Schema's regular expressions (ECMA-262) mean `\s`. Python's `str.strip`
# and `re` also count U+001C-U+001F and U+0085, so a title of "\x1f" met a spec pattern of `\S`
# and was refused as blank (Schemathesis). So the pattern names the characters, in a form
# both dialects read alike, and the server strips exactly those.
NOT_BLANK = r"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_SPACES = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000\ufeff")
)


def _strip(value: str) -> str:
    return value.strip(_SPACES)


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


# Text is measured as sent and stripped after: `strip_whitespace` would strip first, and take
# more than the spec's `maxLength` says.
Stripped = AfterValidator(_strip)
Category = Annotated[str, StringConstraints(max_length=100), Stripped]


class Overrides(BaseModel):
    """Per-request options; every one is optional, bounded and strictly typed.

    Strict: `true` is not a number and `"yes"` or `0.0` not a boolean. Keys this server does
    not use are kept aside (clients of azure-search-openai-demo send several) and named in the
    thought process, so a misspelt option is seen rather than silently dropped.
    """

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)

    retrieval_mode: RetrievalMode | None = None
    semantic_ranker: bool | None = None
    semantic_captions: bool = False
    top: int = Field(default=3, ge=1, le=50, strict=False)
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, strict=False)
    max_tokens: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        strict=False,
        description="The most tokens the answer may have (never more than the server allows).",
    )
    # BM25 and Azure AI Search scores stay well below this; RRF scores below 1.
    minimum_search_score: float | None = Field(default=None, ge=0, le=1000)
    minimum_reranker_score: float | None = Field(default=None, ge=0, le=4)
    include_category: Category | None = None
    exclude_category: Category | None = None
    suggest_followup_questions: bool = False
    prompt_template: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    language: Annotated[str, StringConstraints(max_length=40)] | None = None

    _integers = field_validator("top", "seed", "max_tokens", mode="before")(json_integer)

    @field_validator("include_category", "exclude_category")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        # The sample UI sends "" for "no category"; treat it, and any blank, as absent.
        return value or None

    def unknown_keys(self) -> list[str]:
        """The keys sent that this server does not use (at most 20, each cut to 100 chars)."""
        return [key[:100] for key in list(self.model_extra or {})[:20]]


class RequestContext(BaseModel):
    """The `context` object of a request."""

    model_config = ConfigDict(extra="ignore")

    overrides: Overrides = Field(default_factory=Overrides)


class Message(BaseModel):
    """One turn of the conversation."""

    model_config = ConfigDict(extra="ignore")

    # The server writes the only system prompt the model sees: a client's would be obeyed.
    role: Literal["user", "assistant"]
    content: Annotated[str, StringConstraints(max_length=20_000)]


class ChatRequest(BaseModel):
    """Body of `/chat`, `/chat/stream`, `/ask` and `/ask/stream`."""

    model_config = ConfigDict(extra="ignore")

    messages: Annotated[list[Message], Field(min_length=1, max_length=100)]
    context: RequestContext = Field(default_factory=RequestContext)
    session_state: Any = None

    @field_validator("messages")
    @classmethod
    def _ends_with_question(cls, messages: list[Message]) -> list[Message]:
        if messages[-1].role != "user":
            raise ValueError("the last message must have role 'user'")
        if not messages[-1].content.strip():
            raise ValueError("the last message must not be empty")
        return messages


class Thought(BaseModel):
    """One step of the thought process shown in the UI."""

    title: str
    description: Any
    props: dict[str, Any] = Field(default_factory=dict)


class DataPoints(BaseModel):
    """The sources given to the model and the citations they can be cited by."""

    text: list[str]
    citations: list[str]


class AnswerContext(BaseModel):
    """`context` of a non-streaming answer."""

    data_points: DataPoints
    thoughts: list[Thought]
    followup_questions: list[str] | None = None


class AssistantMessage(BaseModel):
    """`message` of a non-streaming answer."""

    role: Literal["assistant"] = "assistant"
    content: str


class ChatResponse(BaseModel):
    """Body of a non-streaming answer."""

    message: AssistantMessage
    context: AnswerContext
    session_state: Any = None
    # "length" when the answer was cut at its token bound (OPENAI_MAX_TOKENS).
    finish_reason: str = Field(
        default="stop",
        description='Why the answer ended: "stop", or "length" when it was cut at its token '
        "bound (OPENAI_MAX_TOKENS).",
    )


class ErrorResponse(BaseModel):
    """Body of every error: a message safe to show a person."""

    error: str


class StreamDelta(BaseModel):
    """`delta` of a stream line: a piece of the answer, or none."""

    role: Literal["assistant"] = "assistant"
    content: str | None = None


class StreamContext(BaseModel):
    """`context` of a stream line: the first line's sources and thoughts, or the last one's
    follow-up questions."""

    data_points: DataPoints | None = None
    thoughts: list[Thought] | None = None
    followup_questions: list[str] | None = None


class StreamLine(BaseModel):
    """One line of an answer stream (`application/x-ndjson`), for the spec: the context line
    (`delta`, `context.data_points`, `context.thoughts`, `session_state`), answer pieces
    (`delta.content`), the follow-up line (`context.followup_questions`), or a last `error`
    line when the answer failed after the stream started."""

    delta: StreamDelta | None = None
    context: StreamContext | None = None
    session_state: Any = None
    error: str | None = None


class UploadResponse(BaseModel):
    """Body of `POST /upload`."""

    message: str = "File uploaded"
    filename: str
    chunks: int


class DeleteUploadRequest(BaseModel):
    """Body of `POST /delete_uploaded`."""

    filename: Annotated[str, StringConstraints(min_length=1, max_length=400)]


class MessageResponse(BaseModel):
    """A plain confirmation."""

    message: str


# -- conversations kept on the server, and answer feedback ---------------------------------

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
SessionId = Annotated[str, StringConstraints(pattern=SESSION_ID_PATTERN)]
Title = Annotated[
    str,
    StringConstraints(max_length=200),
    Stripped,
    AfterValidator(_not_blank),
    Field(json_schema_extra={"pattern": NOT_BLANK}),
]
Question = Annotated[str, StringConstraints(max_length=20_000)]  # as Message.content


class SaveSessionRequest(BaseModel):
    """Body of `POST /chat_history`: a whole conversation, replacing any earlier save."""

    id: SessionId
    title: Title | None = None  # absent: the first question for a new one; an update keeps its own
    created: int | None = Field(default=None, ge=0)  # ms; a moved conversation keeps its date
    answers: Annotated[list[tuple[Question, dict[str, Any]]], Field(min_length=1, max_length=500)]

    _integers = field_validator("created", mode="before")(json_integer)


class RenameSessionRequest(BaseModel):
    """Body of `PATCH /chat_history/sessions/<id>`."""

    title: Title


class SessionSavedResponse(BaseModel):
    """Body of `POST /chat_history` (201) and `PATCH /chat_history/sessions/<id>`."""

    id: str
    title: str
    timestamp: int


class SessionSummaryResponse(BaseModel):
    """A conversation in the list."""

    id: str
    entra_oid: str | None
    title: str
    timestamp: int


class SessionsResponse(BaseModel):
    """Body of `GET /chat_history/sessions`: one page, newest first."""

    sessions: list[SessionSummaryResponse]
    continuation_token: str | None


class SessionResponse(SessionSummaryResponse):
    """Body of `GET /chat_history/sessions/<id>`."""

    created: int
    answers: list[Any]


class ExportedAnswer(BaseModel):
    """One answer of a downloaded conversation; `status` and `error` are as the UI saved them."""

    question: str
    status: Any
    error: Any
    events: list[Any]


class SessionExport(BaseModel):
    """Body of `GET /chat_history/sessions/<id>?format=json`: each answer's stream lines."""

    id: str
    title: str
    created: int
    timestamp: int
    answers: list[ExportedAnswer]


class SessionsQuery(BaseModel):
    """Query of `GET /chat_history/sessions`."""

    count: int = Field(default=10, ge=1, le=100)
    continuation_token: Annotated[str, StringConstraints(max_length=2000)] | None = None


class SessionQuery(BaseModel):
    """Query of `GET /chat_history/sessions/<id>`: `format=md|json` downloads it."""

    format: Literal["md", "json"] | None = None


class FeedbackRequest(BaseModel):
    """Body of `POST /feedback`. `question`, `answer`, `citations` and `settings` are read only
    where conversations are kept in the browser; otherwise the stored session is the source."""

    session_id: SessionId
    answer_index: int = Field(ge=0, le=499)
    rating: Literal["up", "down"]
    comment: Annotated[str, StringConstraints(max_length=2000), Stripped] = ""
    question: Question | None = None
    answer: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    citations: Annotated[
        list[Annotated[str, StringConstraints(max_length=500)]], Field(max_length=100)
    ] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)

    _integers = field_validator("answer_index", mode="before")(json_integer)


class FeedbackSavedResponse(BaseModel):
    """Body of `POST /feedback` (201)."""

    id: str


class FeedbackItem(BaseModel):
    """One rating, with a copy of what it rated."""

    id: str
    user_id: str
    session_id: str
    answer_index: int
    rating: Literal["up", "down"]
    comment: str
    question: str
    answer: str
    citations: list[str]
    settings: dict[str, Any]
    timestamp: int


class FeedbackPage(BaseModel):
    """Body of `GET /feedback`."""

    feedback: list[FeedbackItem]
    continuation_token: str | None


class FeedbackQuery(BaseModel):
    """Query of `GET /feedback`."""

    count: int = Field(default=50, ge=1, le=500)
    continuation_token: Annotated[str, StringConstraints(max_length=2000)] | None = None
    rating: Literal["up", "down"] | None = None


# -- speech ------------------------------------------------------------------------------------

MAX_SPEECH_CHARS = 5000  # about 6 minutes of audio; the service reads at most 10 per request
# A BCP-47 tag as the UI sends it: `en`, `pt-BR`, `zh-Hans-CN`.
LANGUAGE_TAG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"


class SpeechRequest(BaseModel):
    """Body of `POST /speech`: the text to read aloud, and the language to read it in."""

    model_config = ConfigDict(extra="ignore", strict=True)

    text: Annotated[
        str,
        StringConstraints(max_length=MAX_SPEECH_CHARS),
        Stripped,
        AfterValidator(_not_blank),
        Field(json_schema_extra={"pattern": NOT_BLANK}),
    ]
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_TAG_PATTERN)] | None = None
