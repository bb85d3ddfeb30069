"""The local indexes the `app-local*` systems serve, built once per run in its temp dir.

`sample` is what `make run` indexes (`python -m app.ingest data`, the app's own ingestion);
`generated` is `bench.corpus` at `GENERATED_CHUNKS` chunks. Each system serves its own copy:
the app keeps its conversations (history.sqlite3) beside the index, and one system's saves
must not be in another's file.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import corpus
from bench.specs import BIN, ROOT, Index, SystemSpec

GENERATED_CHUNKS = 10_000


@dataclass
class Indexes:
    """The run's built indexes, by kind, and the copies made of them."""

    workdir: Path
    env: Callable[[dict[str, str]], dict[str, str]]  # the children's environment plus extras
    log: Callable[[str], None] = print
    built: dict[Index, Path] = field(default_factory=dict)

    async def data_dir(self, spec: SystemSpec) -> Path:
        """The LOCAL_INDEX_DIR of `spec`: its own copy of its index, made on first use."""
        target = self.workdir / f"{spec.name}-data"
        if spec.index is not None and not target.exists():
            shutil.copytree(await self.source(spec.index), target)
        return target

    async def source(self, kind: Index) -> Path:
        """The folder of the `kind` index, built the first time it is asked for."""
        if kind not in self.built:
            folder = self.workdir / f"local-{kind}"
            if kind == "sample":
                await asyncio.to_thread(self._ingest_sample, folder)
            else:
                folder.mkdir(parents=True, exist_ok=True)
                await corpus.build(folder, GENERATED_CHUNKS)
            self.log(f"built the {kind} local index in {folder}")
            self.built[kind] = folder
        return self.built[kind]

    def _ingest_sample(self, folder: Path) -> None:
        """`python -m app.ingest data`, as `make run` does, into `folder`."""
        log = self.workdir / "ingest-sample.log"
        with log.open("wb") as out:
            done = subprocess.run(
                [str(BIN / "python"), "-m", "app.ingest", "data"],
                cwd=ROOT,
                env=self.env({"LOCAL_INDEX_DIR": str(folder)}),
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=300,
            )
        if done.returncode != 0:
            raise RuntimeError(f"indexing data/ failed:\n{log.read_text()[-3000:]}")
