"""The API keys of the OpenAI-compatible API, kept only as SHA-256 digests.

A presented key is hashed and compared with every configured digest by `hmac.compare_digest`:
the time taken does not depend on how much of a key matched, nor on which key it was.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from pydantic import SecretStr

from app.settings import HASHED_KEY_PREFIX


class ApiKeys:
    """The keys API_KEYS lists; `accepts(key)` says whether a presented key is one of them."""

    def __init__(self, keys: Iterable[SecretStr]) -> None:
        self._digests = tuple(_digest(key.get_secret_value()) for key in keys)

    def __bool__(self) -> bool:
        return bool(self._digests)

    def accepts(self, presented: str) -> bool:
        """Whether `presented` is one of the keys (every digest is compared, match or not)."""
        digest = hashlib.sha256(presented.encode()).digest()
        found = False
        for known in self._digests:
            found |= hmac.compare_digest(known, digest)
        return found


def _digest(key: str) -> bytes:
    if key.lower().startswith(HASHED_KEY_PREFIX):
        return bytes.fromhex(key[len(HASHED_KEY_PREFIX) :])
    return hashlib.sha256(key.encode()).digest()
