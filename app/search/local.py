"""The embedded index: SQLite with FTS5/BM25 for text, numpy cosine for vectors, RRF for hybrid.

One file (`LOCAL_INDEX_DIR/index.sqlite3`) holds chunks, their embeddings and a record of each
indexed source file with its content hash, so ingestion can skip unchanged files. Writes and
vector searches run on the index's own thread; text searches of a small index on the event
loop (see `LocalIndex`).

Embeddings are stored as float16 (768 bytes for 384 dimensions, half of float32; cosine
rankings unchanged at the precision of the models) and searched by brute force: one float32
matrix product over all the rows, cached until the index changes. At 10,000 chunks of 384
dimensions that is a 15 MB matrix and about 1 ms a query (docs/ingestion.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from array import array
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app.auth import User
from app.search.access import json_column, sql_filter
from app.search.base import Chunk, SearchHit, SearchOptions, passes_minimums
from app.text import keywords

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    sourcefile TEXT NOT NULL,
    sourcepage TEXT NOT NULL,
    category TEXT,
    content TEXT NOT NULL,
    embedding BLOB,
    oids TEXT,
    groups TEXT
);
CREATE INDEX IF NOT EXISTS chunks_sourcefile ON chunks(sourcefile);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    content, content='chunks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, content) VALUES (new.rowid, new.content);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
END;
CREATE TABLE IF NOT EXISTS files (
    sourcefile TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    chunks INTEGER NOT NULL
);
"""

# Reciprocal-rank fusion constant from Cormack et al. (2009), also what Azure AI Search uses.
RRF_K = 60
_COLUMNS = "c.rowid, c.id, c.content, c.sourcepage, c.sourcefile, c.category"


# Text search ranks this many times the rows it needs before it reads any of them.
_CANDIDATES = 4
_T = TypeVar("_T")
# Up to this many chunks a text search runs on the event loop itself: about 1 ms at 10,000
# chunks, less than handing it to the thread costs under load, when the thread waits for the
# GIL each time SQLite hands it back (p99 7 ms against 2 ms inline, with 100 streams open).
# Vector searches, and text searches of bigger indexes, go to the thread.
INLINE_MAX_CHUNKS = 20_000

# Access-list columns (JSON arrays, NULL when empty) that indexes made before them lack.
_ACCESS_COLUMNS = ("oids", "groups")
# PRAGMA user_version of an index whose embeddings are float16; before it they were float32.
_FLOAT16_VERSION = 1


class LocalIndex:
    """Reads and writes the SQLite index; one instance per process.

    The connection lives on one thread of its own, and each call (a vector search, a whole
    file's replacement) is one hop to it: a function that runs every statement it needs and
    returns plain rows. A round trip per statement, as an async driver makes, costs a wake-up
    of the event loop each, and under load each waits behind a hundred streams. The thread
    also makes each write atomic: nothing else runs on the connection in between. Text
    searches of an index up to INLINE_MAX_CHUNKS run on the event loop, on a read-only
    connection of their own (WAL lets it read while the thread writes).
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        reader: sqlite3.Connection,
        executor: ThreadPoolExecutor,
        chunks: int,
    ) -> None:
        self._db = db
        self._reader = reader  # read-only, used on the event loop's thread only
        self._executor = executor
        # Kept up to date by our own writes only (not another process's): a heuristic.
        self._chunks = chunks
        self._vectors: _VectorCache | None = None
        self._writes = 0  # own commits, which PRAGMA data_version does not count

    @classmethod
    async def open(cls, path: Path) -> LocalIndex:
        """Open (creating if needed) the index at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-index")
        loop = asyncio.get_running_loop()
        try:
            db, chunks = await loop.run_in_executor(executor, _connect, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        reader = sqlite3.connect(path, check_same_thread=False)
        reader.execute("PRAGMA query_only=1")
        return cls(db, reader, executor, chunks)

    async def close(self) -> None:
        """Close the database connections and the thread."""
        self._reader.close()
        await self._call(self._db.close)
        self._executor.shutdown(wait=True)

    async def _call(self, function: Callable[..., _T], *args: Any) -> _T:
        # Cancelled (the client went away), a read still waiting for the thread is dropped;
        # one already running is let finish, its result unused.
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def _write(self, function: Callable[..., _T], *args: Any) -> _T:
        done = asyncio.get_running_loop().run_in_executor(self._executor, function, *args)
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            # The thread cannot be stopped midway: wait for it, so that once a cancelled
            # caller (Ctrl-C in ingestion) moves on no write lands behind it.
            await asyncio.wait([done])
            raise

    # -- writing (ingestion) ---------------------------------------------------------------

    async def file_hashes(self) -> dict[str, str]:
        """Every indexed file with its content hash, in one query."""
        rows = await self._call(self._all, "SELECT sourcefile, sha256 FROM files", ())
        return {str(row[0]): str(row[1]) for row in rows}

    async def replace_file(self, sourcefile: str, sha256: str, chunks: Iterable[Chunk]) -> int:
        """Swap a file's chunks for new ones in one transaction; a crash leaves the old ones."""
        rows = [
            (
                c.id,
                c.sourcefile,
                c.sourcepage,
                c.category,
                c.content,
                _to_blob(c.embedding),
                json_column(c.access.oids),
                json_column(c.access.groups),
            )
            for c in chunks
        ]
        await self._write(self._replace_file, sourcefile, sha256, rows)
        return len(rows)

    async def remove_file(self, sourcefile: str) -> int:
        """Delete one file's chunks; return how many were removed."""
        return await self._write(self._remove_file, sourcefile)

    async def sourcefiles(self, prefix: str = "") -> list[str]:
        """Every indexed source file (whose name starts with `prefix`)."""
        rows = await self._call(
            self._all,
            "SELECT sourcefile FROM files WHERE substr(sourcefile, 1, ?) = ? ORDER BY sourcefile",
            (len(prefix), prefix),
        )
        return [str(row[0]) for row in rows]

    # -- reading (retrieval) ---------------------------------------------------------------

    async def search(self, options: SearchOptions, *, user: User | None) -> list[SearchHit]:
        """Text, vector or hybrid search over what `user` may read, cut to `options.top`."""
        text_only = options.mode == "text" or options.vector is None
        if text_only and self._chunks <= INLINE_MAX_CHUNKS:
            return self._search(options, user, self._reader)
        return await self._call(self._search, options, user, self._db)

    async def readable(self, sourcefile: str, *, user: User | None) -> bool:
        """Whether `user` may read some chunk of `sourcefile`."""
        access, params = sql_filter(user)
        sql = f"SELECT 1 FROM chunks c WHERE c.sourcefile = ? AND {access} LIMIT 1"  # noqa: S608
        return await self._call(self._one, sql, (sourcefile, *params)) is not None

    # -- on the index's thread -------------------------------------------------------------

    def _one(self, sql: str, params: Sequence[object]) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._db.execute(sql, params).fetchone()
        return row

    def _all(
        self, sql: str, params: Sequence[object], db: sqlite3.Connection | None = None
    ) -> list[tuple[Any, ...]]:
        return (db or self._db).execute(sql, params).fetchall()

    def _replace_file(self, sourcefile: str, sha256: str, rows: list[tuple[object, ...]]) -> None:
        with self._db:  # one transaction: committed, or rolled back on an error
            old = self._db.execute("DELETE FROM chunks WHERE sourcefile = ?", (sourcefile,))
            self._db.executemany(
                "INSERT INTO chunks"
                " (id, sourcefile, sourcepage, category, content, embedding, oids, groups)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._db.execute(
                "INSERT OR REPLACE INTO files (sourcefile, sha256, chunks) VALUES (?, ?, ?)",
                (sourcefile, sha256, len(rows)),
            )
        self._writes += 1
        self._chunks += len(rows) - old.rowcount

    def _remove_file(self, sourcefile: str) -> int:
        with self._db:
            cursor = self._db.execute("DELETE FROM chunks WHERE sourcefile = ?", (sourcefile,))
            self._db.execute("DELETE FROM files WHERE sourcefile = ?", (sourcefile,))
        self._writes += 1
        self._chunks -= cursor.rowcount
        return cursor.rowcount

    def _search(
        self, options: SearchOptions, user: User | None, db: sqlite3.Connection
    ) -> list[SearchHit]:
        hybrid = options.mode == "hybrid" and options.vector is not None
        # Fusion needs deep lists from both sides; one ranking alone only needs `top`, since
        # the minimum score keeps a prefix of a list sorted by score.
        depth = max(options.top * 5, 50) if hybrid else options.top
        text_hits = vector_hits = None
        if options.mode in ("text", "hybrid"):
            text_hits = self._text_search(options, depth, user, db)
        if options.mode in ("vectors", "hybrid") and options.vector is not None:
            vector_hits = self._vector_search(options, depth, user)
        if text_hits is not None and vector_hits is not None:
            hits = _fuse(text_hits, vector_hits)
        else:
            hits = text_hits or vector_hits or []
        return [hit for hit in hits if passes_minimums(hit, options)][: options.top]

    def _text_search(
        self, options: SearchOptions, depth: int, user: User | None, db: sqlite3.Connection
    ) -> list[SearchHit]:
        terms = keywords(options.query)
        if not terms:
            return []
        # Each term quoted as an FTS5 string (quotes doubled), so no query syntax gets through.
        match = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
        where, params = _where(options, user)
        # First rank inside FTS5 alone and join only the best few: joining every match to
        # its row to check the access list costs more than the ranking (3 ms against 1 ms
        # for a word in 1,000 of 10,000 chunks). If the filters leave too few of them, the
        # whole query decides.
        rows = self._all(
            f"SELECT {_COLUMNS}, f.score FROM ("  # noqa: S608
            " SELECT rowid, -bm25(chunks_fts) AS score FROM chunks_fts"
            " WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?"
            f") f JOIN chunks c ON c.rowid = f.rowid WHERE 1{where} ORDER BY f.score DESC",
            (match, depth * _CANDIDATES, *params),
            db,
        )
        if len(rows) < depth:
            rows = self._all(
                f"SELECT {_COLUMNS}, -bm25(chunks_fts) AS score FROM chunks_fts"  # noqa: S608
                f" JOIN chunks c ON c.rowid = chunks_fts.rowid"
                f" WHERE chunks_fts MATCH ?{where} ORDER BY bm25(chunks_fts) LIMIT ?",
                (match, *params, depth),
                db,
            )
        return [_hit(row, score=float(row[6])) for row in rows[:depth]]

    def _vector_search(
        self, options: SearchOptions, depth: int, user: User | None
    ) -> list[SearchHit]:
        assert options.vector is not None
        cache = self._vector_cache()
        if cache.matrix.shape[0] == 0:
            return []
        scores, rowids = cache.nearest(options.vector, depth * 2, user)
        if not rowids:
            return []
        # The cache already left out what `user` may not read; the SQL checks again.
        where, params = _where(options, user)
        placeholders = ",".join("?" * len(rowids))
        sql = f"SELECT {_COLUMNS} FROM chunks c WHERE c.rowid IN ({placeholders}){where}"  # noqa: S608
        rows = {int(row[0]): row for row in self._all(sql, (*rowids, *params))}
        ranked = [_hit(rows[r], score=s) for r, s in zip(rowids, scores, strict=True) if r in rows]
        return ranked[:depth]

    def _vector_cache(self) -> _VectorCache:
        # data_version changes whenever another connection commits, e.g. a running ingestion.
        row = self._one("PRAGMA data_version", ())
        version = (int(row[0]) if row else 0, self._writes)
        cache = self._vectors
        if cache is None or cache.version != version:
            rows = self._all(
                "SELECT rowid, embedding, oids, groups FROM chunks WHERE embedding IS NOT NULL", ()
            )
            cache = _VectorCache.build(rows, version)
            self._vectors = cache
        return cache


def _connect(path: Path) -> tuple[sqlite3.Connection, int]:
    """The index's connection, schema made or upgraded, and how many chunks it holds."""
    # Runs on the index's thread, which is the only one to use the connection.
    db = sqlite3.connect(path, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    columns = {str(row[1]) for row in db.execute("PRAGMA table_info(chunks)")}
    for column in _ACCESS_COLUMNS:
        if column not in columns:
            db.execute(f"ALTER TABLE chunks ADD COLUMN {column} TEXT")
    db.commit()
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if int(version) < _FLOAT16_VERSION:
        _store_float16(db)
    (chunks,) = db.execute("SELECT count(*) FROM chunks").fetchone()
    return db, int(chunks)


def _store_float16(db: sqlite3.Connection) -> None:
    """Rewrite the float32 embeddings of an older index as float16, once, in one transaction."""
    with db:
        rows = db.execute("SELECT rowid, embedding FROM chunks WHERE embedding IS NOT NULL")
        converted = [(_to_blob(array("f", blob)), rowid) for rowid, blob in rows.fetchall()]
        db.executemany("UPDATE chunks SET embedding = ? WHERE rowid = ?", converted)
        db.execute(f"PRAGMA user_version = {_FLOAT16_VERSION}")


@dataclass(frozen=True, slots=True)
class _VectorCache:
    version: tuple[int, int]
    rowids: npt.NDArray[np.int64]
    matrix: npt.NDArray[np.float32]
    # Rows anyone may read, and for each user or group id the rows it may read.
    public: npt.NDArray[np.bool_]
    readers: dict[tuple[str, str], npt.NDArray[np.int64]]

    @classmethod
    def build(cls, rows: Sequence[Sequence[Any]], version: tuple[int, int]) -> _VectorCache:
        import numpy as np  # only vector search needs numpy; ingestion starts faster without it

        rowids = np.array([row[0] for row in rows], dtype=np.int64)
        public = np.array([row[2] is None and row[3] is None for row in rows], dtype=np.bool_)
        readers: dict[tuple[str, str], list[int]] = {}
        for n, row in enumerate(rows):
            for kind, column in (("oid", row[2]), ("group", row[3])):
                for principal in json.loads(column) if column else ():
                    readers.setdefault((kind, str(principal)), []).append(n)
        arrays = {key: np.array(value, dtype=np.int64) for key, value in readers.items()}
        if not rows:
            return cls(version, rowids, np.zeros((0, 0), dtype=np.float32), public, arrays)
        matrix = np.vstack([np.frombuffer(row[1], dtype=np.float16) for row in rows])
        matrix = matrix.astype(np.float32)  # float16 products have no BLAS: 20x slower
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return cls(version, rowids, matrix / np.maximum(norms, 1e-12), public, arrays)

    def nearest(
        self, vector: Sequence[float], k: int, user: User | None
    ) -> tuple[list[float], list[int]]:
        import numpy as np

        query = np.asarray(vector, dtype=np.float32)
        if query.shape != self.matrix.shape[1:]:
            # Vectors of another model (the index was built before EMBED_PROVIDER changed):
            # nothing to compare with until ingestion re-embeds the files.
            logger.warning(
                "query vector of %d dimensions, index of %d: vector search skipped; "
                "run `python -m app.ingest` again",
                query.shape[0],
                self.matrix.shape[1],
            )
            return [], []
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        sims = self.matrix @ query
        readable = self.public.copy()
        if user is not None:
            keys = [("oid", user.oid), *(("group", group) for group in user.groups)]
            for key in keys:
                if (rows := self.readers.get(key)) is not None:
                    readable[rows] = True
        candidates = np.flatnonzero(readable)
        k = min(k, candidates.shape[0])
        if k == 0:
            return [], []
        best = candidates[np.argpartition(-sims[candidates], k - 1)[:k]]
        best = best[np.argsort(-sims[best])]
        return [float(s) for s in sims[best]], [int(r) for r in self.rowids[best]]


def _where(options: SearchOptions, user: User | None) -> tuple[str, list[str]]:
    """` AND ...` for the access list and the category filters of a search."""
    access, params = sql_filter(user)
    clauses = [access]
    if options.include_category:
        clauses.append("c.category = ?")
        params.append(options.include_category)
    if options.exclude_category:
        clauses.append("(c.category IS NULL OR c.category != ?)")
        params.append(options.exclude_category)
    return "".join(f" AND {clause}" for clause in clauses), params


def _hit(row: Sequence[object], *, score: float) -> SearchHit:
    return SearchHit(
        id=str(row[1]),
        content=str(row[2]),
        sourcepage=str(row[3]),
        sourcefile=str(row[4]),
        category=None if row[5] is None else str(row[5]),
        score=score,
    )


def _fuse(*rankings: list[SearchHit]) -> list[SearchHit]:
    """Reciprocal-rank fusion: each list adds 1 / (RRF_K + rank) to a hit's score."""
    scores: dict[str, float] = {}
    first_seen: dict[str, SearchHit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.id] = scores.get(hit.id, 0.0) + 1.0 / (RRF_K + rank)
            first_seen.setdefault(hit.id, hit)
    ordered = sorted(scores, key=scores.__getitem__, reverse=True)
    return [replace(first_seen[hit_id], score=scores[hit_id]) for hit_id in ordered]


def _to_blob(embedding: Sequence[float] | None) -> bytes | None:
    if embedding is None:
        return None
    import numpy as np

    # Unit length first: cosine does not mind, and no component can overflow float16.
    vector = np.asarray(embedding, dtype=np.float32)
    vector /= max(float(np.linalg.norm(vector)), 1e-12)
    return vector.astype(np.float16).tobytes()
