"""`POST /upload`, `GET /list_uploaded`, `POST /delete_uploaded`: a user's own documents.

Every route needs a signed-in user; the body limit of `/upload` follows USER_UPLOAD_MAX_BYTES
(`app.request_class` raises it for that path only), every other route keeps MAX_REQUEST_BYTES.
"""

from __future__ import annotations

from quart import Blueprint, request
from quart_schema import validate_request

from app.auth import User
from app.auth.middleware import current_user
from app.errors import (
    BadRequestError,
    NotFoundError,
    PayloadTooLargeError,
    UnauthorizedError,
    UnsupportedTypeError,
)
from app.openapi import UPSTREAM, errors
from app.schemas import DeleteUploadRequest, MessageResponse, UploadResponse
from app.services import get_services
from app.uploads import UPLOAD_PATH, UserUploads, too_large, upload_body_limit

bp = Blueprint("uploads", __name__)


@bp.before_request
async def require_user() -> None:
    """404 when uploads are off, 401 for anonymous callers: before any body is read."""
    _uploads_for_user()


def _uploads_for_user() -> tuple[UserUploads, User]:
    uploads = get_services().uploads
    if uploads is None:
        raise NotFoundError("Uploads are not enabled on this server (USER_UPLOAD).")
    user = current_user()
    if user is None:
        raise UnauthorizedError("Sign in to upload, list or delete your documents.")
    return uploads, user


@bp.post(UPLOAD_PATH)
@errors(400, 401, 403, 404, 409, 413, 415, *UPSTREAM)
async def upload() -> dict[str, object]:
    """Store and index one file (multipart field `file`) as the caller's own."""
    uploads, user = _uploads_for_user()
    if request.mimetype != "multipart/form-data":
        raise UnsupportedTypeError("file: send the document as multipart/form-data, field 'file'")
    if (request.content_length or 0) > upload_body_limit(uploads.max_bytes):
        raise PayloadTooLargeError(too_large(uploads.max_bytes))
    files = await request.files
    file = files.get("file")
    if file is None:
        raise BadRequestError("file: missing (send the document as multipart field 'file')")
    data = file.read()
    result = await uploads.add(user, file.filename, data)
    name = result.sourcefile.rsplit("/", 1)[-1]
    return UploadResponse(filename=name, chunks=result.chunks).model_dump()


@bp.get("/list_uploaded")
@errors(401, 403, 404, *UPSTREAM)
async def list_uploaded() -> list[str]:
    """The names of the caller's own files, sorted."""
    uploads, user = _uploads_for_user()
    return await uploads.names(user)


@bp.post("/delete_uploaded")
@errors(400, 401, 403, 404, 415, *UPSTREAM)
@validate_request(DeleteUploadRequest)
async def delete_uploaded(data: DeleteUploadRequest) -> dict[str, object]:
    """Delete one of the caller's files and everything indexed from it."""
    uploads, user = _uploads_for_user()
    await uploads.remove(user, data.filename)
    return MessageResponse(message="File deleted").model_dump()
