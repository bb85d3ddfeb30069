"""`GET /content/<path>`: a cited source file, only from the stored corpus."""

from __future__ import annotations

from quart import Blueprint, Response

from app.auth.middleware import current_user
from app.content import clean_name
from app.errors import NotFoundError
from app.openapi import BINARY, UPSTREAM, errors, success
from app.services import get_services

bp = Blueprint("content", __name__)

# Source files come from anyone's documents: an HTML one must not run script on our origin.
CONTENT_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


@bp.get("/content/<path:path>")
@errors(401, 403, 404, *UPSTREAM)
@success(200, "The file, as its own media type (`nosniff`, sandboxed).", {"*/*": BINARY})
async def content(path: str) -> Response:
    """Stream the stored file; 404 for anything that is not one or that the caller may not read.

    404 rather than 403, so that a name does not tell whether a file exists.
    """
    services = get_services()
    if services.content is None:
        raise NotFoundError("Source files are not stored for this deployment.")
    name = clean_name(path)
    if not await services.retriever.readable(name, user=current_user()):
        raise NotFoundError("No such source file.")
    stored = await services.content.open(name)
    response = Response(stored.chunks, content_type=stored.content_type)
    if stored.size is not None:
        response.content_length = stored.size
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CONTENT_POLICY
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
