"""`GET /` and the built single-page app's assets, from `app/static/`."""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, Response, send_from_directory

from app.errors import NotFoundError

bp = Blueprint("spa", __name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RAG chat: frontend not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>The chat UI is not built yet</h1>
<p>The API is running: try <a href="/docs">/docs</a> or <a href="/config">/config</a>.</p>
<p>To build the UI, run <code>make run</code> from the project root, or
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>.</p>
</body></html>
"""


@bp.get("/")
@bp.get("/redirect")
async def index() -> Response:
    """The SPA's page, or a short note on how to build it; `/redirect` ends a login."""
    if (STATIC_DIR / "index.html").is_file():
        response = await send_from_directory(STATIC_DIR, "index.html")
        response.headers["Cache-Control"] = "no-cache"
        return response
    return Response(NOT_BUILT, content_type="text/html; charset=utf-8")


# The build's asset names are short; a longer segment is no asset, and the OS would refuse it.
MAX_SEGMENT_BYTES = 255


@bp.get("/assets/<path:path>")
async def assets(path: str) -> Response:
    """Hashed build assets, cacheable for a year."""
    if any(len(part.encode()) > MAX_SEGMENT_BYTES for part in path.split("/")):
        raise NotFoundError("Not found.")
    response = await send_from_directory(STATIC_DIR / "assets", path)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


# Swagger UI for `/docs`, copied from npm's swagger-ui-dist by the frontend build.
DOCS_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")
SWAGGER_JS_URL = "/docs/swagger-ui-bundle.js"
SWAGGER_CSS_URL = "/docs/swagger-ui.css"


@bp.get("/docs/<name>")
async def docs_asset(name: str) -> Response:
    """Swagger UI's script and style, served here so `/docs` works offline."""
    if name not in DOCS_ASSETS:
        raise NotFoundError("Not found.")
    response = await send_from_directory(STATIC_DIR / "docs", name)
    response.headers["Cache-Control"] = "public, max-age=3600"  # not hashed: an hour
    return response


@bp.get("/favicon.ico")
async def favicon() -> Response:
    """The icon, when the build has one."""
    return await send_from_directory(STATIC_DIR, "favicon.ico")
