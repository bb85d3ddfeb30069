"""What the Node test services (oidc-provider, cosmosdb-server) share: finding Node and the
package, starting a script with its output in a log file, and stopping it.

Without Node or the package a test that needs the service is skipped, or fails when CI is set:
`make pytest` installs them, so there a skip would hide a broken setup.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import NoReturn, Self

import pytest


def unavailable(service: str, reason: str) -> NoReturn:
    """Skip (or in CI fail) a test whose service cannot run."""
    if os.environ.get("CI"):
        pytest.fail(f"the test {service} cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def node_for(service: str, folder: Path, package: str) -> str:
    """The `node` executable, once `folder` has `package` installed."""
    node = shutil.which("node")
    if node is None:
        unavailable(service, f"no `node` on PATH (Node.js 20 or newer runs the test {service})")
    if not (folder / "node_modules" / package).is_dir():
        unavailable(
            service,
            f"the test {service} is not installed (make pytest, or cd {folder} && npm ci)",
        )
    return node


@dataclass(kw_only=True)
class NodeProcess:
    """A running service; `stop()` (or leaving `with`) ends the process."""

    process: subprocess.Popen[bytes]
    log: Path  # the server's output; a temporary one is deleted by stop()
    temporary_log: bool = False

    def stop(self) -> None:
        """End the server (idempotent)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - only if the server hangs
                self.process.kill()
                self.process.wait()
        if self.temporary_log:
            self.log.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def launch(
    args: Sequence[str],
    *,
    cwd: Path,
    log: Path | None,
    prefix: str,
    env: Mapping[str, str] | None = None,
) -> NodeProcess:
    """Start `args` in `cwd` with stdout and stderr in `log` (a temporary file if None)."""
    temporary = log is None
    if log is None:
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=".log")
        os.close(handle)
        log = Path(name)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own script and arguments
            list(args), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return NodeProcess(process=process, log=log, temporary_log=temporary)


def endpoint_of(started: NodeProcess, wait: Callable[[subprocess.Popen[bytes], Path], str]) -> str:
    """The endpoint `wait` reads once the service answers; the service is abandoned if it
    never does."""
    try:
        return wait(started.process, started.log)
    except BaseException:
        abandon(started)
        raise


def abandon(started: NodeProcess) -> None:
    """Kill a service that did not come up, and drop its temporary log."""
    started.process.kill()
    started.process.wait()
    if started.temporary_log:
        started.log.unlink(missing_ok=True)
