"""Access lists for ingestion: who may read each file, from the command line or sidecar files.

Most specific wins: `<file>.acl.json` beside a file, else the nearest `.acl.json` in its folder
or a folder above it (up to the folder given to ingestion), else the run's `--acl-user` /
`--acl-group` flags, else public. A sidecar is `{"oids": [...], "groups": [...]}`. A sidecar
that cannot be read fails its files rather than indexing them as public.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.ingest.parsers import ParseError
from app.search.access import AccessList

FOLDER_SIDECAR = ".acl.json"
FILE_SIDECAR_SUFFIX = ".acl.json"


def is_sidecar(path: Path) -> bool:
    """Whether `path` is an access list rather than a document."""
    return path.name.endswith(FILE_SIDECAR_SUFFIX)


def access_for(path: Path, root: Path, default: AccessList) -> AccessList:
    """The access list of the file at `path`, found under `root` (see the module docstring)."""
    beside = path.with_name(path.name + FILE_SIDECAR_SUFFIX)
    if beside.is_file():
        return read_sidecar(beside)
    folder = path.parent
    while True:
        sidecar = folder / FOLDER_SIDECAR
        if sidecar.is_file():
            return read_sidecar(sidecar)
        if folder == root or root not in folder.parents:
            return default
        folder = folder.parent


def read_sidecar(path: Path) -> AccessList:
    """Parse one sidecar; ParseError (naming the file) when it is not a valid access list."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ParseError(f"access list {path.name} cannot be read ({exc})") from None
    if not isinstance(data, dict) or set(data) - {"oids", "groups"}:
        raise ParseError(f'access list {path.name} must be {{"oids": [...], "groups": [...]}}')
    lists = [data.get("oids", []), data.get("groups", [])]
    if not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in lists):
        raise ParseError(f"access list {path.name}: oids and groups must be lists of strings")
    access = AccessList.of(*lists)
    if access.is_public:
        raise ParseError(
            f"access list {path.name} lists nobody; delete it to make the files public"
        )
    return access
