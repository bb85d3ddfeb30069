"""Settings: defaults, environment, and refusals that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, SettingsError, load_settings


def test_defaults_are_offline() -> None:
    settings = load_settings(_env_file=None)
    assert settings.chat_provider == "extractive"
    assert settings.search_backend == "local"
    assert settings.local_index_dir == Path(".data")
    assert settings.port == 50505
    assert settings.embedding_provider == "local"


def test_reads_environment_and_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=6000\nLOCAL_INDEX_DIR=/tmp/idx\n")
    monkeypatch.setenv("PORT", "7000")
    settings = load_settings()
    assert settings.port == 7000  # the environment wins over .env
    assert settings.local_index_dir == Path("/tmp/idx")


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"CHAT_PROVIDER": "openai"}, ["OPENAI_CHAT_MODEL", "OPENAI_API_KEY or OPENAI_BASE_URL"]),
        ({"CHAT_PROVIDER": "azure"}, ["AZURE_OPENAI_CHAT_DEPLOYMENT", "AZURE_OPENAI_ENDPOINT"]),
        ({"SEARCH_BACKEND": "azure"}, ["AZURE_SEARCH_ENDPOINT"]),
        ({"CHAT_PROVIDER": "gpt"}, ["CHAT_PROVIDER"]),
        ({"PORT": "99999"}, ["PORT"]),
        (
            {
                "AZURE_OPENAI_EMBED_DEPLOYMENT": "e",
                "AZURE_OPENAI_ENDPOINT": "https://x",
                "OPENAI_EMBED_MODEL": "m",
                "OPENAI_API_KEY": "k",
            },
            ["AZURE_OPENAI_EMBED_DEPLOYMENT and OPENAI_EMBED_MODEL"],
        ),
    ],
)
def test_missing_or_contradictory_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], names: list[str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None)
    for name in names:
        assert name in str(info.value)


def test_openai_compatible_server_needs_no_key() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        chat_provider="openai",
        openai_base_url="http://localhost:11434/v1",
        openai_chat_model="llama3.1",
    )
    assert settings.openai_api_key is None


def test_embedding_provider_follows_the_configured_model() -> None:
    azure = Settings(
        _env_file=None,  # type: ignore[call-arg]
        azure_openai_endpoint="https://x.openai.azure.com",
        azure_openai_embed_deployment="embed",
    )
    assert azure.embedding_provider == "azure"
    openai = Settings(_env_file=None, openai_api_key="k", openai_embed_model="m")  # type: ignore[call-arg]
    assert openai.embedding_provider == "openai"


def test_serve_entry_point_refuses_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.__main__ import main

    monkeypatch.setenv("CHAT_PROVIDER", "openai")
    monkeypatch.setattr("sys.argv", ["python -m app"])
    assert main() == 2
    assert "OPENAI_CHAT_MODEL" in capsys.readouterr().err


def test_env_example_lists_exactly_the_settings() -> None:
    example = Path(__file__).resolve().parent.parent / ".env.example"
    names = set()
    for line in example.read_text().splitlines():
        line = line.lstrip("# ").strip()
        if "=" in line and line.split("=", 1)[0].isupper():
            names.add(line.split("=", 1)[0])
    assert names == {name.upper() for name in Settings.model_fields}
