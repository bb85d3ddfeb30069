"""The HTTP contract: request bodies with bounded overrides, and the response shapes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.search.base import RetrievalMode

Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


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
    top: int = Field(default=3, ge=1, le=50)
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    # BM25 and Azure AI Search scores stay well below this; RRF scores below 1.
    minimum_search_score: float | None = Field(default=None, ge=0, le=1000)
    minimum_reranker_score: float | None = Field(default=None, ge=0, le=4)
    include_category: Category | None = None
    exclude_category: Category | None = None
    suggest_followup_questions: bool = False
    prompt_template: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    language: Annotated[str, StringConstraints(max_length=40)] | None = None

    @field_validator("include_category", "exclude_category", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # The sample UI sends "" for "no category"; treat it as absent.
        return None if value == "" else value

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
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Question = Annotated[str, StringConstraints(max_length=20_000)]  # as Message.content


class SaveSessionRequest(BaseModel):
    """Body of `POST /chat_history`: a whole conversation, replacing any earlier save."""

    id: SessionId
    title: Title | None = None  # absent: the first question for a new one; an update keeps its own
    created: int | None = Field(default=None, ge=0)  # ms; a moved conversation keeps its date
    answers: Annotated[list[tuple[Question, dict[str, Any]]], Field(min_length=1, max_length=500)]


class RenameSessionRequest(BaseModel):
    """Body of `PATCH /chat_history/sessions/<id>`."""

    title: Title


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
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    question: Question | None = None
    answer: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    citations: Annotated[
        list[Annotated[str, StringConstraints(max_length=500)]], Field(max_length=100)
    ] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


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
