"""Ingestion: parse, split, embed and index, incrementally (`python -m app.ingest`)."""
