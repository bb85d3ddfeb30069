"""`GET /content/<path>`: a cited source file, only from the stored corpus."""

from __future__ import annotations

from quart import Blueprint, Response

from app.errors import NotFoundError
from app.services import get_services

bp = Blueprint("content", __name__)

# Source files come from anyone's documents: an HTML one must not run script on our origin.
CONTENT_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


@bp.get("/content/<path:path>")
async def content(path: str) -> Response:
    """Stream the stored file; 404 for anything that is not one."""
    store = get_services().content
    if store is None:
        raise NotFoundError("Source files are not stored for this deployment.")
    stored = await store.open(path)
    response = Response(stored.chunks, content_type=stored.content_type)
    if stored.size is not None:
        response.content_length = stored.size
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CONTENT_POLICY
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
