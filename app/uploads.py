"""Users' own documents: kept in a folder of their own, indexed readable by their owner only.

An upload is stored and cited as `.uploads/<the user's storage key>/<file name>`. Ingestion of
a corpus skips dot folders, so no corpus file can have such a name, and the key is a hash of
the user id, so the name says nothing about who the user is.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from app.auth import User
from app.content import clean_name
from app.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedTypeError,
)
from app.ingest.indexers import Indexer
from app.ingest.parsers import PARSERS, ParseError, is_supported
from app.ingest.pipeline import FileResult, Pipeline
from app.search.access import AccessList

UPLOADS_FOLDER = ".uploads"
UPLOAD_PATH = "/upload"
MAX_NAME_LENGTH = 200


def user_folder(user: User) -> str:
    """The stored-name prefix of `user`'s uploads, with its trailing slash."""
    return f"{UPLOADS_FOLDER}/{user.storage_key}/"


def is_upload(name: str) -> bool:
    """Whether a stored name is some user's upload rather than a corpus file."""
    return name.startswith(UPLOADS_FOLDER + "/")


def upload_name(filename: str | None) -> str:
    """The name to keep an uploaded file under: its base name, checked; BadRequestError if
    it has none a citation can carry."""
    # Some browsers send the whole client-side path; only its last part is the name.
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    if not name:
        raise BadRequestError("file: the upload has no file name")
    if len(name) > MAX_NAME_LENGTH:
        raise BadRequestError(f"file: the name is longer than {MAX_NAME_LENGTH} characters")
    if name.startswith(".") or "#" in name:
        raise BadRequestError("file: a name may not start with '.' or contain '#'")
    try:
        cleaned: str | None = clean_name(name)
    except NotFoundError:
        cleaned = None
    if cleaned != name:
        raise BadRequestError(
            'file: the name has a character that file names may not have (\\ / : * ? " < > |)'
        )
    return name


class UserUploads:
    """Adds, lists and removes one user's documents, through the ingestion pipeline."""

    def __init__(
        self, *, pipeline: Pipeline, indexer: Indexer, max_bytes: int, max_files: int
    ) -> None:
        self._pipeline = pipeline
        self._indexer = indexer
        self.max_bytes = max_bytes
        self._max_files = max_files

    async def add(self, user: User, filename: str | None, data: bytes) -> FileResult:
        """Index `data` as `user`'s file `filename`, replacing one of the same name."""
        name = upload_name(filename)
        if not is_supported(name):
            suffix = PurePosixPath(name).suffix or "(none)"
            raise UnsupportedTypeError(
                f"file: {suffix} files are not supported; upload one of "
                + ", ".join(sorted(PARSERS))
            )
        if len(data) > self.max_bytes:
            raise PayloadTooLargeError(too_large(self.max_bytes))
        if not data:
            raise BadRequestError("file: the file is empty")
        # Two uploads at the same moment may both pass: the limit is against filling a disk
        # or an index, not an exact count.
        names = await self.names(user)
        if name not in names and len(names) >= self._max_files:
            raise ConflictError(
                f"file: you already have {len(names)} uploaded files, the most this server "
                "keeps for one user; delete some first"
            )
        access = AccessList.of([user.oid])
        try:
            result = await self._pipeline.ingest_data(user_folder(user) + name, data, access)
        except ParseError as exc:
            raise BadRequestError(f"file: cannot read {name}: {exc}") from None
        if result.status == "failed":
            raise BadRequestError(f"file: cannot index {name}: {result.reason}")
        return result

    async def names(self, user: User) -> list[str]:
        """The names of `user`'s files, sorted."""
        folder = user_folder(user)
        return [name.removeprefix(folder) for name in await self._indexer.sourcefiles(folder)]

    async def remove(self, user: User, filename: str) -> None:
        """Delete `user`'s file `filename` with its chunks; NotFoundError if there is none."""
        if filename not in await self.names(user):
            raise NotFoundError(f"filename: you have no uploaded file named '{filename}'")
        await self._indexer.remove_file(user_folder(user) + filename)


def too_large(max_bytes: int) -> str:
    """The message for a file over the limit, with the limit in units a person reads."""
    return f"file: larger than the {max_bytes / 1_048_576:.3g} MiB limit for uploads"


def upload_body_limit(max_bytes: int) -> int:
    """The request body limit for a file of `max_bytes`: room for the multipart framing."""
    return max_bytes + 64 * 1024
