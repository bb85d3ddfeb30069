"""The lock against two pinned benchmark runs at once (`bench.host.exclusive_run`).

A child process holds the lock, as a running benchmark would; a second run is refused with
the holder's pid, or waits with `--wait-lock`, and the lock is free again once the holder is
killed (the kernel drops a dead process' `flock`). Nothing here depends on timing: the child
says when it holds the lock, and waiting is bounded only as a safety net.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# bench/ is not an installed package (the benchmark runs from the checkout).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import host  # noqa: E402

HOLD = """
import sys, time
from pathlib import Path
from bench import host
with host.exclusive_run(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE_", "COVERAGE_"))}
    return env | {"PYTHONPATH": str(ROOT)}


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A process holding the lock at tmp_path/bench.lock until it is killed."""
    process = subprocess.Popen(  # noqa: S603 - our own code, fixed arguments
        [sys.executable, "-c", HOLD, str(tmp_path / "bench.lock")],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait(timeout=10)
    process.stdout.close()


def test_a_second_run_is_refused_with_the_holders_pid(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with (
        pytest.raises(host.LockHeld, match=rf"pid {holder.pid}\b.*--wait-lock"),
        host.exclusive_run(tmp_path / "bench.lock"),
    ):
        pass


def test_the_lock_is_released_when_its_holder_dies(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    holder.kill()
    holder.wait(timeout=10)
    with host.exclusive_run(tmp_path / "bench.lock"):
        assert (tmp_path / "bench.lock").read_text().startswith(f"pid {os.getpid()}:")


def test_waiting_gets_the_lock_once_the_holder_is_gone(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    got = threading.Event()
    release = threading.Event()

    def wait_for_it() -> None:
        with host.exclusive_run(tmp_path / "bench.lock", wait=True):
            got.set()
            release.wait(timeout=30)

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    try:
        assert not got.is_set()  # the holder is alive: flock cannot have been granted
        holder.kill()
        holder.wait(timeout=10)
        assert got.wait(timeout=30)
    finally:
        release.set()
        waiter.join(timeout=30)


def test_the_command_line_refuses_a_pinned_run_at_once(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    done = subprocess.run(  # noqa: S603 - our own harness, fixed arguments
        [
            sys.executable,
            "-m",
            "bench.load",
            "--quick",
            "--systems",
            "app-hypercorn",
            "--levels",
            "2",
            "--no-hold",
            "--no-plot",
            "--lock-file",
            str(tmp_path / "bench.lock"),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 75, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"pid {holder.pid}" in done.stderr
    assert not (tmp_path / "out").exists()  # refused before anything started
