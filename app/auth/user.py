"""The caller, as the rest of the app sees them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class User:
    """A logged-in caller: a stable id (`oid` in Entra, `sub` elsewhere), groups and a name."""

    oid: str
    groups: tuple[str, ...] = ()
    name: str | None = None

    @property
    def storage_key(self) -> str:
        """A path-safe folder name for this user's own files (ids may hold any character)."""
        return hashlib.sha256(self.oid.encode()).hexdigest()[:32]
