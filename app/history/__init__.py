"""Conversations and answer feedback kept on the server (CHAT_HISTORY=local|cosmos)."""

HISTORY_PATH = "/chat_history"
