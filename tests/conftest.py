"""Shared fixtures. The first lines make `import httpx` mean httpx2, which the openai SDK uses,
so respx intercepts the real SDK's requests (see DEVELOPERS.md)."""

import httpx2

httpx2.alias_httpx()

import shutil  # noqa: E402
from collections.abc import AsyncIterator, Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from quart import Quart  # noqa: E402
from quart.typing import TestClientProtocol as Client  # noqa: E402

from app import create_app  # noqa: E402
from app.ingest.__main__ import main as ingest_main  # noqa: E402
from app.settings import Settings  # noqa: E402

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SETTINGS_ENV = [name.upper() for name in Settings.model_fields]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's settings or `.env`."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus, indexed once per session with the real CLI."""
    index_dir = tmp_path_factory.mktemp("sample-index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_INDEX_DIR", str(index_dir))
        # Text only, as the tests that use it pin; tests/test_hybrid*.py and
        # tests/test_local_embed*.py cover the local model's vectors.
        patch.setenv("EMBED_PROVIDER", "none")
        assert ingest_main([str(DATA_DIR)]) == 0
    return index_dir


@pytest.fixture
def local_index_dir(sample_index: Path, tmp_path: Path) -> Path:
    """A private copy of the sample index, so a test may change it."""
    target = tmp_path / "index"
    shutil.copytree(sample_index, target)
    return target


@pytest.fixture
def make_settings(local_index_dir: Path) -> Callable[..., Settings]:
    """Settings for tests: offline by default, no retries, no `.env`."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "local_index_dir": local_index_dir,
            "upstream_max_retries": 0,
            # respx intercepts httpx2's own transport; the aiohttp one (the default) is
            # exercised over real sockets in test_openai_aiohttp.py, test_gunicorn.py and e2e.
            "openai_transport": "httpx",
            "embed_provider": "none",  # the offline default is `local`: see sample_index
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Settings], Any]]:
    """Start apps (lifespan included) and hand back test clients; all stopped at the end."""
    stack: list[Any] = []

    async def start(settings: Settings) -> Client:
        app: Quart = create_app(settings)
        test_app = app.test_app()
        await test_app.__aenter__()
        stack.append(test_app)
        return test_app.test_client()

    yield start
    for test_app in reversed(stack):
        await test_app.__aexit__(None, None, None)


@pytest.fixture
async def client(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> Client:
    """A client of the offline app over the sample index."""
    result: Client = await serve(make_settings())
    return result
