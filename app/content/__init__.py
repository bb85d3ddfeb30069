"""Stored source files, served by `/content`: a local folder or a Blob Storage container."""

from app.content.base import ContentStore, StoredFile, clean_name

__all__ = ["ContentStore", "StoredFile", "clean_name"]
