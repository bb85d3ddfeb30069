"""Chat models: the protocol, an OpenAI-compatible client, and the built-in extractive answerer."""

from app.models.base import AnswerPrompt, AnswerStream, ChatModel, OpenedAnswer

__all__ = ["AnswerPrompt", "AnswerStream", "ChatModel", "OpenedAnswer"]
