"""Whose conversations a request reads and writes: the signed-in user, or an anonymous browser.

Without a signed-in user, the server gives the browser a random id in an HttpOnly cookie (so
page script cannot read it) and keeps that browser's conversations under it.
"""

from __future__ import annotations

import re
import secrets

from quart import Response, g, request

from app.auth.middleware import current_user

ANON_COOKIE = "ragchat_anon"
ANON_PREFIX = "anon:"
ANON_MAX_AGE = 400 * 24 * 3600  # the most browsers keep a cookie
_ANON_VALUE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def history_user_id() -> str:
    """The user id the current request's conversations and feedback belong to."""
    user = current_user()
    if user is not None:
        return user.oid
    value = request.cookies.get(ANON_COOKIE)
    if value is None or not _ANON_VALUE.match(value):
        value = g.get("new_anon_id") or secrets.token_urlsafe(16)
        g.new_anon_id = value
    return ANON_PREFIX + value


def signed_in_id() -> str | None:
    """The signed-in user's id, shown in responses; None for an anonymous browser (its id is
    in an HttpOnly cookie, and a response body must not hand it to page script)."""
    user = current_user()
    return None if user is None else user.oid


def issue_anonymous_cookie(response: Response) -> Response:
    """After a request that made a new anonymous id: give it to the browser."""
    value = g.get("new_anon_id")
    if value:
        https = request.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https"
        response.set_cookie(
            ANON_COOKIE,
            value,
            max_age=ANON_MAX_AGE,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=https,
        )
    return response
