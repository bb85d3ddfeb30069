"""Approaches: the one answer flow, for conversations (`chat`) and single questions (`ask`)."""
