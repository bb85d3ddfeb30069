"""Retrievers: one protocol, an Azure AI Search and a local SQLite implementation."""

from app.search.base import Retriever, SearchHit, SearchOptions

__all__ = ["Retriever", "SearchHit", "SearchOptions"]
