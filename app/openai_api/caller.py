"""Who calls `/v1`: an API key (API_KEYS), or, with login on, a sign-in token of the identity
provider. Every request needs one of them, whatever AUTH_REQUIRED says: an OpenAI client
always sends a key, and an open `/v1` would be exposed by accident.

A key's caller reads what an anonymous caller may read; a token's caller is that user, whose
document access applies as on `/chat` (the token is validated by app/auth, as there).
"""

from __future__ import annotations

from app.auth import User
from app.auth.middleware import Authenticator
from app.errors import UnauthorizedError
from app.openai_api.keys import ApiKeys

_MISSING = "Missing API key: send it as 'Authorization: Bearer <key>'."
_INCORRECT = "Incorrect API key provided."


async def authenticate(
    authorization: str | None, *, keys: ApiKeys, authenticator: Authenticator | None
) -> User | None:
    """The caller (None: an API key), or UnauthorizedError (401) / ForbiddenError (403)."""
    scheme, _, credential = (authorization or "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise UnauthorizedError(_MISSING)
    if keys.accepts(credential):
        return None
    if authenticator is not None and _looks_like_a_token(credential):
        return await authenticator.user_for(f"Bearer {credential}")
    raise UnauthorizedError(_INCORRECT, error_code="invalid_token")


def _looks_like_a_token(credential: str) -> bool:
    """A JWT: three base64url parts. Anything else is a key, and its error says so."""
    return credential.count(".") == 2
