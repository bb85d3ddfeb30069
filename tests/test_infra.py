"""The Azure deployment (infra/, azure.yaml) agrees with the app's settings and stays keyless.

The Bicep compiler is not available here, so these tests read the Bicep as text: the names the
deployment gives the app must be settings that `app.settings.Settings` reads, the settings the
app needs on Azure must all be given, modules must be called with parameters they declare, no
service may keep keys, and each identity gets only the roles it needs (the write access users'
uploads need, only when they are on, and only where they go). When `pycep-parser` is installed,
every Bicep file is also parsed with its grammar. The script that creates the Entra app
registrations (infra/scripts/entra_apps.py) is run against a fake directory.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import uuid
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, get_args

import pytest
from pydantic import TypeAdapter, ValidationError

from app.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
MAIN = INFRA / "main.bicep"
BICEP_FILES = sorted(p for p in INFRA.rglob("*.bicep") if ".venv" not in p.parts)

# Outputs for azd itself (and for operating the deployment), not settings of the app.
AZD_OUTPUTS = {
    "AZURE_LOCATION",
    "AZURE_TENANT_ID",
    "AZURE_RESOURCE_GROUP",
    "AZURE_CONTAINER_REGISTRY_ENDPOINT",
    "AZURE_CONTAINER_REGISTRY_NAME",
    "SERVICE_WEB_NAME",
    "SERVICE_WEB_URI",
}
# Container variables read by something other than the app's settings: none, since
# gunicorn.conf.py reads WEB_CONCURRENCY and the rest through Settings too.
NON_SETTINGS_CONTAINER_ENV: set[str] = set()
# Beyond the minimum that Settings enforces: vectors, the index, the cited source files.
FULL_FEATURE_SETTINGS = {
    "AZURE_OPENAI_EMBED_DEPLOYMENT",
    "AZURE_SEARCH_INDEX",
    "AZURE_STORAGE_ENDPOINT",
    "AZURE_STORAGE_CONTAINER",
}
# Only the container gets these, never the azd environment (and so never a developer's .env):
# AZURE_CLIENT_ID puts the managed identity, which exists only on Azure, first in the
# credential chain; the connection string would send local runs' telemetry to production.
# The limits of a public deployment: local runs keep them off (a benchmark from one address
# measures the app, not the limiter).
CONTAINER_ONLY = {
    "AZURE_CLIENT_ID",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "RATE_LIMIT_PER_MINUTE",
    "RATE_LIMIT_BURST",
    "FORWARDED_ALLOW_IPS",
    "WEB_CONCURRENCY",  # Gunicorn workers per replica, sized to the replica's cores
}

ROLES = {
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
    "1407120a-92aa-4202-b7e9-c0e197c71c8f": "Search Index Data Reader",
    "8ebe5a00-799e-43f5-93ac-243d3dce84a7": "Search Index Data Contributor",
    "7ca78c08-252a-4471-8644-bb5ff32d4ba0": "Search Service Contributor",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
    "f2dc8367-1007-4938-bd23-fe263f013447": "Cognitive Services Speech User",
}
# Cosmos DB's own data-plane roles (sqlRoleAssignments), not Azure roles.
COSMOS_DATA_ROLES = {
    "00000000-0000-0000-0000-000000000002": "Cosmos DB Built-in Data Contributor",
}
APP_ROLES = {
    "Cognitive Services OpenAI User",
    "Search Index Data Reader",
    "Storage Blob Data Reader",
    "AcrPull",
}
INGESTION_ROLES = {
    "Cognitive Services OpenAI User",
    "Search Index Data Contributor",
    "Search Service Contributor",
    "Storage Blob Data Contributor",
}
# With USER_UPLOAD the app also writes: users' files to their container, their chunks to the index.
UPLOAD_ROLES = {"Storage Blob Data Contributor", "Search Index Data Contributor"}
# With useSpeechOutputAzure the app, and the developer for local runs, read answers aloud.
SPEECH = "useSpeechOutputAzure"
SPEECH_ROLES = {"Cognitive Services Speech User"}
# Answers read aloud by Azure AI Speech: what the app is given when the deployment creates it.
SPEECH_SETTINGS = {
    "AZURE_SPEECH_SERVICE_ID",
    "AZURE_SPEECH_SERVICE_LOCATION",
    "AZURE_SPEECH_SERVICE_VOICE",
}
# Login, access control and uploads (docs/auth.md): azd values that reach the app unchanged.
LOGIN_SETTINGS = {
    "AUTH_PROVIDER",
    "AUTH_REQUIRED",
    "AZURE_AUTH_TENANT_ID",
    "AZURE_SERVER_APP_ID",
    "AZURE_CLIENT_APP_ID",
    "AUTH_ISSUER",
    "AUTH_AUDIENCE",
    "AUTH_CLIENT_ID",
    "AUTH_SCOPES",
    "AUTH_GROUPS_CLAIM",
    "USER_UPLOAD",
    "USER_UPLOAD_MAX_BYTES",
    "USER_UPLOAD_MAX_FILES",
    "AZURE_USER_STORAGE_CONTAINER",
}
# Conversations and feedback (docs/history.md): azd values that reach the app unchanged, and the
# endpoint of the Cosmos DB account the deployment creates for them.
HISTORY_SETTINGS = {
    "CHAT_HISTORY",
    "AZURE_CHAT_HISTORY_DATABASE",
    "AZURE_CHAT_HISTORY_CONTAINER",
    "CHAT_HISTORY_MAX_SESSIONS",
    "CHAT_HISTORY_MAX_BYTES",
    "FEEDBACK_ADMIN_GROUP",
}


# --- A small reader for the Bicep this repository writes -------------------------------------


def _blank_strings_and_comments(text: str) -> str:
    """The text with comments and string contents blanked, so braces in them do not count."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text[i] == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            out.append("'" + " " * (j - i - 1) + "'")
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


class Bicep:
    """Declarations of one Bicep file, found by position in the blanked text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        self.code = _blank_strings_and_comments(self.text)
        assert len(self.code) == len(self.text)

    def _block(self, open_at: int) -> str:
        return block(self.text, open_at, self.code)

    def params(self) -> dict[str, bool]:
        """Parameter name -> whether it has a default."""
        found = re.finditer(r"^param\s+(\w+)\s+\S+[ \t]*(=)?", self.code, re.M)
        return {m.group(1): m.group(2) is not None for m in found}

    def outputs(self) -> list[str]:
        return re.findall(r"^output\s+(\w+)\s", self.code, re.M)

    def variables(self) -> dict[str, str]:
        """Variable name -> its value's text (objects and arrays whole)."""
        result = {}
        for m in re.finditer(r"^var\s+(\w+)\s*=\s*", self.code, re.M):
            start = m.end()
            if self.code[start] in "{[":
                result[m.group(1)] = self._block(start)
            else:
                result[m.group(1)] = self.text[start : self.code.index("\n", start)]
        return result

    def modules(self) -> dict[str, tuple[str, str]]:
        """Module symbol -> (path of the module file, body)."""
        found = re.finditer(r"^module\s+(\w+)\s+'([^']+)'\s*=[^\n]*\{(?=[ \t]*$)", self.text, re.M)
        return {m.group(1): (m.group(2), self._block(m.end() - 1)) for m in found}

    def resources(self) -> list[tuple[str, str, bool, str]]:
        """(symbol, type, is `existing`, body) of each resource declaration."""
        found = re.finditer(
            r"^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s+(existing\s+)?=[^\n]*\{(?=[ \t]*$)",
            self.text,
            re.M,
        )
        return [
            (m.group(1), m.group(2), m.group(4) is not None, self._block(m.end() - 1))
            for m in found
        ]

    def conditions(self) -> dict[str, str]:
        """Resource or module symbol -> the condition of its `= if (...)`, for conditional ones."""
        found = re.finditer(
            r"^(?:resource|module)\s+(\w+)\s+'[^']+'\s+(?:existing\s+)?=\s*if\s*\((.+)\)\s*\{\s*$",
            self.text,
            re.M,
        )
        return {m.group(1): m.group(2).strip() for m in found}

    def api_versions(self) -> list[tuple[str, str]]:
        return re.findall(r"^resource\s+\w+\s+'([^'@]+)@([^']+)'", self.text, re.M)


def block(text: str, open_at: int, code: str | None = None) -> str:
    """The `{...}` or `[...]` of `text` that opens at `open_at`, nested ones included."""
    code = _blank_strings_and_comments(text) if code is None else code
    opener = code[open_at]
    closer = {"{": "}", "[": "]"}[opener]
    depth = 0
    for i in range(open_at, len(code)):
        depth += code[i] == opener
        depth -= code[i] == closer
        if depth == 0:
            return text[open_at : i + 1]
    raise AssertionError(f"unbalanced {opener} at {open_at}")


def top_level(obj: str) -> dict[str, str]:
    """Key -> value text of the first-level entries of an object literal `{...}`."""
    code = _blank_strings_and_comments(obj)
    entries: dict[str, str] = {}
    depth = 0
    for line, code_line in zip(obj.splitlines(), code.splitlines(), strict=True):
        if depth == 1 and code_line.strip():
            # The original line up to where its code ends: no trailing comment.
            m = re.match(r"\s*([A-Za-z_]\w*|'[^']*')\s*:\s*(.*)$", line[: len(code_line.rstrip())])
            if m:
                entries[m.group(1).strip("'")] = m.group(2).strip()
        depth += code_line.count("{") + code_line.count("[")
        depth -= code_line.count("}") + code_line.count("]")
    return entries


@cache
def bicep(path: Path) -> Bicep:
    return Bicep(path)


def module_params(body: str) -> dict[str, str]:
    """The parameters a module declaration passes: name -> value text."""
    match = re.search(r"^\s*params:\s*\{", body, re.M)
    assert match, "module without params"
    return top_level(block(body, match.end() - 1))


def setting_names() -> set[str]:
    """The environment variable of every setting: the field names, upper-cased."""
    return {name.upper() for name in Settings.model_fields}


def container_env() -> dict[str, str]:
    """Name -> Bicep value of every environment variable the container app gets."""
    main = bicep(MAIN)
    _, body = main.modules()["web"]
    env_expression = module_params(body)["env"]
    variables = main.variables()
    parts = [name for name in re.findall(r"\b\w+\b", env_expression) if name in variables]
    assert parts, f"the web module's env is not built from variables: {env_expression}"
    env: dict[str, str] = {}
    for name in parts:
        entries = top_level(variables[name])
        assert entries, f"var {name} is not an object literal"
        env.update(entries)
    return env


def outputs() -> set[str]:
    return set(bicep(MAIN).outputs())


def required_on_azure(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The variables Settings refuses to start without when chat and search are on Azure."""
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, chat_provider="azure", search_backend="azure")
    named = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", str(error.value))) & setting_names()
    return named | {"CHAT_PROVIDER", "SEARCH_BACKEND"}


# --- The settings the deployment gives the app -----------------------------------------------


def test_the_settings_the_app_requires_on_azure_are_known(monkeypatch: pytest.MonkeyPatch) -> None:
    assert required_on_azure(monkeypatch) >= {
        "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_CHAT_DEPLOYMENT",
        "AZURE_SEARCH_ENDPOINT",
    }


def test_the_container_gets_every_setting_the_app_needs_on_azure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    needed = required_on_azure(monkeypatch) | FULL_FEATURE_SETTINGS | CONTAINER_ONLY
    assert needed - container_env().keys() == set()


def test_the_outputs_give_local_runs_and_ingestion_what_they_need(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    needed = required_on_azure(monkeypatch) | FULL_FEATURE_SETTINGS
    assert needed - outputs() == set()


def test_the_container_gets_nothing_the_app_does_not_read() -> None:
    unused = container_env().keys() - setting_names() - NON_SETTINGS_CONTAINER_ENV
    assert unused == set()


def test_every_output_is_a_setting_or_for_azd() -> None:
    assert outputs() - AZD_OUTPUTS - setting_names() == set()


def test_outputs_and_container_agree_on_the_app_settings() -> None:
    app_outputs = outputs() - AZD_OUTPUTS
    in_container = container_env().keys() - NON_SETTINGS_CONTAINER_ENV - CONTAINER_ONLY
    # AZURE_OPENAI_EMBED_DIMENSIONS reaches both sides as the same azd environment value.
    assert in_container - app_outputs == {"AZURE_OPENAI_EMBED_DIMENSIONS"}
    assert app_outputs - in_container == set()
    assert app_outputs & CONTAINER_ONLY == set()


def test_each_app_output_is_the_value_the_container_gets() -> None:
    appsettings = top_level(bicep(MAIN).variables()["appSettings"])
    for name in outputs() - AZD_OUTPUTS:
        assert re.search(rf"^output {name} \w+ = appSettings\.{name}$", bicep(MAIN).text, re.M), (
            f"output {name} should be appSettings.{name}"
        )
        assert name in appsettings


def param_defaults() -> dict[str, str]:
    """Parameter of main.bicep -> its default, for the literal ones ('text', numbers, booleans)."""
    return {
        name: quoted or bare
        for name, quoted, bare in re.findall(
            r"^param\s+(\w+)\s+\w+\s*=\s*(?:'([^']*)'|(\d+|true|false))\s*$", bicep(MAIN).text, re.M
        )
    }


def default_value(bicep_value: str) -> str | None:
    """What a simple Bicep value (literal, parameter, `string(p)`, `flag ? 'a' : 'b'`) is with
    the defaults."""
    literal = re.fullmatch(r"'([^'$]*)'", bicep_value)
    if literal:
        return literal.group(1)
    bicep_value = re.sub(r"^string\((\w+)\)$", r"\1", bicep_value)
    defaults = param_defaults()
    if bicep_value in defaults:
        return defaults[bicep_value]
    choice = re.fullmatch(r"(\w+) \? '([^']*)' : '([^']*)'", bicep_value)
    if choice and defaults.get(choice.group(1)) in ("true", "false"):
        return choice.group(2) if defaults[choice.group(1)] == "true" else choice.group(3)
    return None


def _placeholder(field: str, bicep_value: str) -> str:
    """A value for the setting: what it is with main.bicep's defaults, else any valid value.

    (A default may not be valid on its own: AZURE_OPENAI_EMBED_DIMENSIONS is 0, and then unset.)
    """
    info = Settings.model_fields[field]
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    adapter: TypeAdapter[object] = TypeAdapter(annotation)  # the type with its bounds
    default = default_value(bicep_value)
    for candidate in (default, "https://placeholder.example", "1024", "true"):
        if candidate is None:
            continue
        try:
            adapter.validate_python(candidate)
        except ValidationError:
            continue
        return candidate
    raise AssertionError(f"no placeholder fits {field}")


def test_the_container_environment_is_a_valid_azure_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    for name, value in container_env().items():
        if name in setting_names():
            monkeypatch.setenv(name, _placeholder(name.lower(), value))
    settings = Settings(_env_file=None)
    assert settings.chat_provider == "azure"
    assert settings.search_backend == "azure"
    assert settings.embedding_provider == "azure"
    # Keyless: nothing for the key settings.
    assert settings.azure_openai_api_key is None
    assert settings.azure_search_api_key is None
    # Login is opt-in: the defaults deploy the app as before, everything public.
    assert settings.auth_provider == "none"
    assert not settings.auth_required
    assert not settings.user_upload


def test_provider_settings_are_literals() -> None:
    env = container_env()
    assert env["CHAT_PROVIDER"] == "'azure'"
    assert env["SEARCH_BACKEND"] == "'azure'"


# --- azd parameters ---------------------------------------------------------------------------


def parameters() -> dict[str, str]:
    document = json.loads((INFRA / "main.parameters.json").read_text(encoding="utf-8"))
    return {name: entry["value"] for name, entry in document["parameters"].items()}


def test_parameters_file_matches_the_params_of_main() -> None:
    declared = bicep(MAIN).params()
    given = parameters()
    assert given.keys() - declared.keys() == set(), "parameters main.bicep does not declare"
    without_default = {name for name, has_default in declared.items() if not has_default}
    assert without_default - given.keys() == set(), "params azd would have to prompt for"
    assert {"environmentName", "location", "principalId"} <= given.keys()


def test_parameters_come_from_the_azd_environment() -> None:
    for name, value in parameters().items():
        assert re.fullmatch(r"\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}", value), f"{name}: {value}"
    given = parameters()
    assert given["environmentName"] == "${AZURE_ENV_NAME}"
    assert given["location"] == "${AZURE_LOCATION}"
    assert given["principalId"] == "${AZURE_PRINCIPAL_ID}"
    assert given["webAppExists"].startswith("${SERVICE_WEB_RESOURCE_EXISTS")


def test_an_azd_value_named_like_a_setting_becomes_that_setting() -> None:
    """E.g. `azd env set AZURE_SEARCH_INDEX x` must reach the container as AZURE_SEARCH_INDEX."""
    env = container_env()
    for param, value in parameters().items():
        variable = re.match(r"\$\{(\w+)", value).group(1)  # type: ignore[union-attr]
        if variable in setting_names():
            same = (param, f"string({param})", f"{param} ? 'true' : 'false'")
            assert env.get(variable) in same, (
                f"{variable} feeds param {param}, but the container's {variable} is "
                f"{env.get(variable)!r}"
            )


def test_every_azd_value_is_documented() -> None:
    docs = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    set_by_azd = {"AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_PRINCIPAL_ID"}
    for value in parameters().values():
        variable = re.match(r"\$\{(\w+)", value).group(1)  # type: ignore[union-attr]
        if variable not in set_by_azd and not variable.startswith("SERVICE_"):
            assert f"`{variable}`" in docs, f"docs/deploy.md does not mention {variable}"


def test_parameter_defaults_match_main() -> None:
    """The defaults in main.parameters.json and in main.bicep tell the same story."""
    declared_defaults = param_defaults()
    for param, value in parameters().items():
        default = re.fullmatch(r"\$\{\w+(?:=([^}]*))?\}", value).group(1)  # type: ignore[union-attr]
        if default and param in declared_defaults:
            assert default == declared_defaults[param], param


# --- Login, access control and users' uploads ------------------------------------------------


def azd_variable(param: str) -> str:
    """The azd environment value that feeds a parameter of main.bicep."""
    return re.match(r"\$\{(\w+)", parameters()[param]).group(1)  # type: ignore[union-attr]


def test_login_settings_reach_the_app_and_the_azd_environment() -> None:
    assert setting_names() >= LOGIN_SETTINGS, "app/settings.py lacks a login setting"
    fed_by_azd = {azd_variable(param) for param in parameters()}
    assert fed_by_azd >= LOGIN_SETTINGS
    assert container_env().keys() >= LOGIN_SETTINGS
    assert outputs() >= LOGIN_SETTINGS


@pytest.mark.parametrize("provider", ["entra", "oidc"])
def test_the_container_gets_what_each_login_provider_requires(
    monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    """Whatever Settings refuses to start without for a provider, the deployment can give."""
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, auth_provider=provider)
    named = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", str(error.value))) & setting_names()
    assert len(named) >= 3, str(error.value)
    assert named - container_env().keys() == set()
    assert named - {azd_variable(param) for param in parameters()} == set()


def test_login_defaults_agree_with_the_app() -> None:
    """Unset, each login value means in the deployment what it means to the app: off."""
    defaults = param_defaults()
    env = container_env()
    for name in LOGIN_SETTINGS - {"AZURE_AUTH_TENANT_ID"}:
        deployed = default_value(env[name])
        assert deployed is not None, f"{name}: {env[name]}"
        field = Settings.model_fields[name.lower()]
        expected = field.default if field.default is not None else ""
        if isinstance(expected, bool):
            expected = str(expected).lower()
        assert deployed == str(expected), name
    assert defaults["authProvider"] == "none"
    allowed = re.search(r"@allowed\(\[([^\]]*)\]\)\s*param authProvider\b", bicep(MAIN).text)
    assert allowed, "authProvider has no @allowed list"
    assert set(re.findall(r"'(\w+)'", allowed.group(1))) == set(
        get_args(Settings.model_fields["auth_provider"].annotation)
    )


def test_the_entra_tenant_defaults_to_the_deployments() -> None:
    # Without `=...`, azd leaves an unset value out, so the Bicep default applies.
    assert parameters()["azureAuthTenantId"] == "${AZURE_AUTH_TENANT_ID}"
    assert re.search(
        r"^param azureAuthTenantId string = tenant\(\)\.tenantId$", bicep(MAIN).text, re.M
    )


def test_every_login_value_is_explained_in_the_auth_guide() -> None:
    guide = (ROOT / "docs" / "auth.md").read_text(encoding="utf-8")
    for name in LOGIN_SETTINGS:
        assert f"`{name}`" in guide, f"docs/auth.md does not mention {name}"
    assert "(auth.md)" in (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


# --- Modules are called as they are declared -------------------------------------------------


def test_modules_get_the_params_they_declare() -> None:
    for path in BICEP_FILES:
        for symbol, (relative, body) in bicep(path).modules().items():
            target = (path.parent / relative).resolve()
            assert target.exists(), f"{path.name}: module {symbol}: no {relative}"
            declared = bicep(target).params()
            given = module_params(body).keys()
            assert given - declared.keys() == set(), f"{symbol}: unknown params"
            required = {name for name, has_default in declared.items() if not has_default}
            assert required - given == set(), f"{symbol}: missing params"


def test_module_outputs_that_are_used_exist() -> None:
    for path in BICEP_FILES:
        source = bicep(path)
        modules = source.modules()
        for symbol, output in re.findall(r"\b(\w+)\.outputs\.(\w+)", source.code):
            assert symbol in modules, f"{path.name}: {symbol} is not a module"
            target = (path.parent / modules[symbol][0]).resolve()
            assert output in bicep(target).outputs(), f"{path.name}: {symbol}.outputs.{output}"


def test_every_module_file_is_used() -> None:
    used = {
        (path.parent / relative).resolve()
        for path in BICEP_FILES
        for relative, _ in bicep(path).modules().values()
    }
    assert {p.resolve() for p in BICEP_FILES} - used == {MAIN.resolve()}


def test_one_stable_api_version_per_resource_type() -> None:
    versions: dict[str, set[str]] = {}
    for path in BICEP_FILES:
        for kind, version in bicep(path).api_versions():
            versions.setdefault(kind.lower(), set()).add(version)
    for kind, found in versions.items():
        assert len(found) == 1, f"{kind}: {sorted(found)}"
        (version,) = found
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", version), kind
        if kind != "microsoft.insights/diagnosticsettings":  # has no stable version
            assert not version.endswith("-preview"), f"{kind}@{version}"


# --- Keyless ----------------------------------------------------------------------------------


def test_no_keys_are_read_or_passed() -> None:
    forbidden = [
        r"(?i)\blist\w*keys?\s*\(",  # listKeys(), listAdminKeys(), listQueryKeys() ...
        r"(?i)\blistCredentials\s*\(",
        r"\bsecretRef\b",
        r"(?i)AccountKey=",
        r"\b(primary|secondary)?[sS]haredKey\b",
        r"\b[A-Z][A-Z0-9_]*_KEY\b",  # AZURE_OPENAI_API_KEY, AZURE_SEARCH_API_KEY ...
    ]
    for path in [*BICEP_FILES, INFRA / "main.parameters.json"]:
        code = path.read_text(encoding="utf-8")
        for pattern in forbidden:
            assert not re.search(pattern, code), f"{path.name}: {pattern}"
    for name in container_env().keys() | outputs():
        assert not name.endswith("_KEY"), name


def _resources_of(kind: str) -> list[str]:
    bodies = [
        body
        for path in BICEP_FILES
        for _, found, existing, body in bicep(path).resources()
        if found.lower() == kind.lower() and not existing
    ]
    assert bodies, f"no {kind} is created"
    return bodies


def test_azure_openai_and_search_disable_local_auth() -> None:
    for kind in ("Microsoft.CognitiveServices/accounts", "Microsoft.Search/searchServices"):
        for body in _resources_of(kind):
            assert re.search(r"^\s*disableLocalAuth:\s*true\s*$", body, re.M), kind
            assert not re.search(r"^\s*authOptions\s*:", body, re.M), kind
    for body in _resources_of("Microsoft.CognitiveServices/accounts"):
        assert re.search(r"^\s*customSubDomainName:", body, re.M)


def test_storage_refuses_shared_keys_and_anonymous_access() -> None:
    for body in _resources_of("Microsoft.Storage/storageAccounts"):
        assert re.search(r"^\s*allowSharedKeyAccess:\s*false\s*$", body, re.M)
        assert re.search(r"^\s*allowBlobPublicAccess:\s*false\s*$", body, re.M)
        assert re.search(r"^\s*minimumTlsVersion:\s*'TLS1_2'\s*$", body, re.M)
    for body in _resources_of("Microsoft.Storage/storageAccounts/blobServices/containers"):
        assert re.search(r"^\s*publicAccess:\s*'None'\s*$", body, re.M)


def test_registry_has_no_admin_user() -> None:
    for body in _resources_of("Microsoft.ContainerRegistry/registries"):
        assert re.search(r"^\s*adminUserEnabled:\s*false\s*$", body, re.M)


def test_health_probes_are_within_container_apps_limits() -> None:
    (body,) = _resources_of("Microsoft.App/containerApps")
    web = bicep(INFRA / "modules" / "web.bicep").text
    assert "probes:" in body
    limits = {"failureThreshold": 10, "initialDelaySeconds": 60, "periodSeconds": 240}
    for name, limit in limits.items():
        for value in re.findall(rf"^\s*{name}:\s*(\d+)\s*$", web, re.M):
            assert 1 <= int(value) <= limit, f"{name}: {value}"
    assert "path: '/healthz'" in web


def test_container_app_is_tagged_for_azd_and_pulls_with_its_identity() -> None:
    (body,) = _resources_of("Microsoft.App/containerApps")
    assert "'azd-service-name': 'web'" in body
    assert re.search(r"^\s*identity:\s*identityId\s*$", body, re.M)  # registry sign-in
    assert "passwordSecretRef" not in body
    assert re.search(r"^\s*external:\s*true\s*$", body, re.M)


# --- Least privilege --------------------------------------------------------------------------


class Grant:
    """One role assignment: to whom, which role, on what, and under which condition (that of
    the module main.bicep declares it with, if any, `&&` its own)."""

    def __init__(self, path: Path, symbol: str, body: str) -> None:
        source = bicep(path)
        guids = dict(re.findall(r"^var\s+(\w+)\s*=\s*'([0-9a-f-]{36})'", source.text, re.M))
        role = re.search(r"roleDefinitions',\s*(\w+)\)", body)
        principal = re.search(r"^\s*principalId:\s*(\w+)\s*$", body, re.M)
        scope = re.search(r"^\s*scope:\s*(\w+)\s*$", body, re.M)
        assert role, f"{path.name}: role assignment without a role definition variable"
        assert principal, f"{path.name}: role assignment without a principal parameter"
        assert scope, f"{path.name}: {symbol} has no scope: it would apply to the resource group"
        assert role.group(1) in guids, f"{path.name}: role {role.group(1)} is not a GUID var"
        guid = guids[role.group(1)]
        assert guid in ROLES, f"{path.name}: unknown role definition {guid}"
        principals = {"appPrincipalId": "app", "pullPrincipalId": "app", "userPrincipalId": "user"}
        self.path = path
        self.who = principals[principal.group(1)]
        self.role = ROLES[guid]
        self.scope = scope.group(1)
        conditions = [_module_condition(path), source.conditions().get(symbol, "")]
        self.condition = " && ".join(condition for condition in conditions if condition)


def _module_condition(path: Path) -> str:
    """The condition main.bicep declares the module in `path` under ('' for none, or main)."""
    main = bicep(MAIN)
    for symbol, (relative, _) in main.modules().items():
        if (INFRA / relative).resolve() == path.resolve():
            return main.conditions().get(symbol, "")
    return ""


def grants() -> list[Grant]:
    """Every role assignment the deployment makes."""
    return [
        Grant(path, symbol, body)
        for path in BICEP_FILES
        for symbol, kind, existing, body in bicep(path).resources()
        if kind == "Microsoft.Authorization/roleAssignments" and not existing
    ]


def role_assignments(condition: str | None = None) -> dict[str, set[str]]:
    """Who -> roles: `app` (the managed identity) or `user` (ingestion); all, or under `condition`."""
    granted: dict[str, set[str]] = {"app": set(), "user": set()}
    for grant in grants():
        if condition is None or grant.condition == condition:
            granted[grant.who].add(grant.role)
    return granted


def test_app_identity_gets_only_what_the_app_uses() -> None:
    assert role_assignments(condition="")["app"] == APP_ROLES


def test_app_identity_writes_only_when_users_upload() -> None:
    assert {g.condition for g in grants() if g.who == "app"} == {"", "userUpload", SPEECH}
    assert role_assignments(condition="userUpload")["app"] == UPLOAD_ROLES
    assert role_assignments()["app"] == APP_ROLES | UPLOAD_ROLES | SPEECH_ROLES


def test_the_developer_gets_what_ingestion_needs() -> None:
    assert role_assignments(condition="!empty(userPrincipalId)")["user"] == INGESTION_ROLES
    assert {g.condition for g in grants() if g.who == "user"} == {
        "!empty(userPrincipalId)",
        f"{SPEECH} && !empty(userPrincipalId)",
    }


def test_speech_roles_come_only_with_azure_speech() -> None:
    """The app, and the developer's local runs, read aloud; with speech off nobody gets it."""
    assert role_assignments(condition=SPEECH)["app"] == SPEECH_ROLES
    assert role_assignments(condition=f"{SPEECH} && !empty(userPrincipalId)")["user"] == (
        SPEECH_ROLES
    )
    for grant in grants():
        if grant.role in SPEECH_ROLES:
            assert grant.condition.startswith(SPEECH), grant.condition
            assert grant.path.name == "speech.bicep"


def _module_call(module_file: str) -> dict[str, str]:
    """The params main.bicep passes to the module declared from `module_file`."""
    (body,) = [body for path, body in bicep(MAIN).modules().values() if path == module_file]
    return module_params(body)


def test_upload_writes_go_to_the_uploads_container_only() -> None:
    """Storage Blob Data Contributor on the container the app is told about, not the account."""
    (grant,) = [g for g in grants() if g.who == "app" and g.role == "Storage Blob Data Contributor"]
    resources = {symbol: (kind, body) for symbol, kind, _, body in bicep(grant.path).resources()}
    kind, body = resources[grant.scope]
    assert kind == "Microsoft.Storage/storageAccounts/blobServices/containers", grant.scope
    assert bicep(grant.path).conditions()[grant.scope] == "userUpload"
    assert re.search(r"^\s*name:\s*userContainerName\s*$", body, re.M)
    passed = _module_call(f"modules/{grant.path.name}")
    assert passed["userContainerName"] == "userStorageContainerName"
    assert container_env()["AZURE_USER_STORAGE_CONTAINER"] == "userStorageContainerName"


def test_upload_roles_follow_the_user_upload_setting() -> None:
    modules = {g.path.name for g in grants() if g.condition == "userUpload"}
    assert modules == {"storage-access.bicep", "search-access.bicep"}
    for name in modules:
        assert _module_call(f"modules/{name}")["userUpload"] == "userUpload", name
    assert container_env()["USER_UPLOAD"] == "userUpload ? 'true' : 'false'"
    (search,) = [g for g in grants() if g.condition == "userUpload" and g.role.startswith("Search")]
    assert search.scope == "search"  # the service: the app never manages the index definition


def test_role_definition_ids_are_the_built_in_ones() -> None:
    for path in BICEP_FILES:
        for guid in re.findall(
            r"'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'", bicep(path).text
        ):
            assert guid in ROLES or guid in COSMOS_DATA_ROLES, f"{path.name}: {guid}"


# --- Conversations and feedback in Cosmos DB -------------------------------------------------


def test_history_settings_reach_the_app_and_the_azd_environment() -> None:
    assert setting_names() >= HISTORY_SETTINGS | {"AZURE_COSMOSDB_ENDPOINT"}
    assert {azd_variable(param) for param in parameters()} >= HISTORY_SETTINGS
    assert container_env().keys() >= HISTORY_SETTINGS | {"AZURE_COSMOSDB_ENDPOINT"}
    assert outputs() >= HISTORY_SETTINGS | {"AZURE_COSMOSDB_ENDPOINT"}
    allowed = re.search(r"@allowed\(\[([^\]]*)\]\)\s*param chatHistory\b", bicep(MAIN).text)
    assert allowed, "chatHistory has no @allowed list"
    assert set(re.findall(r"'(\w+)'", allowed.group(1))) == set(
        get_args(get_args(Settings.model_fields["chat_history"].annotation)[0])
    )


def test_history_defaults_agree_with_the_app() -> None:
    """Unset, each value means what it means to the app; CHAT_HISTORY is `browser` on Azure,
    as the app resolves it with SEARCH_BACKEND=azure: a replica's disk is not durable."""
    env = container_env()
    for name in HISTORY_SETTINGS - {"CHAT_HISTORY"}:
        deployed = default_value(env[name])
        assert deployed is not None, f"{name}: {env[name]}"
        default = Settings.model_fields[name.lower()].default
        assert deployed == ("" if default is None else str(default)), name
    assert param_defaults()["chatHistory"] == "browser"
    on_azure = load_settings(
        _env_file=None, search_backend="azure", azure_search_endpoint="https://s.example"
    )
    assert on_azure.history_backend == "browser"


def test_cosmos_is_created_only_for_chat_history_cosmos() -> None:
    main = bicep(MAIN)
    (symbol,) = [s for s, (path, _) in main.modules().items() if path == "modules/cosmos.bicep"]
    assert main.conditions()[symbol] == "useCosmos"
    assert main.variables()["useCosmos"].strip() == "chatHistory == 'cosmos'"
    passed = _module_call("modules/cosmos.bicep")
    assert passed["databaseName"] == container_env()["AZURE_CHAT_HISTORY_DATABASE"]
    assert passed["containerName"] == container_env()["AZURE_CHAT_HISTORY_CONTAINER"]
    assert passed["appPrincipalId"] == "identity.outputs.principalId"
    assert container_env()["AZURE_COSMOSDB_ENDPOINT"] == (
        f"useCosmos ? {symbol}.outputs.endpoint : ''"
    )


def test_cosmos_is_keyless_and_serverless() -> None:
    (body,) = _resources_of("Microsoft.DocumentDB/databaseAccounts")
    assert re.search(r"^\s*disableLocalAuth:\s*true\s*$", body, re.M)
    assert re.search(r"^\s*disableKeyBasedMetadataWriteAccess:\s*true\s*$", body, re.M)
    assert re.search(r"^\s*minimalTlsVersion:\s*'Tls12'\s*$", body, re.M)
    assert "name: 'EnableServerless'" in body


def test_the_history_container_is_partitioned_as_the_store_expects() -> None:
    from app.history.cosmos import PARTITION_KEY_PATH

    (body,) = _resources_of("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")
    key = re.search(r"partitionKey:\s*\{\s*paths:\s*\[\s*'([^']+)'\s*\]", body)
    assert key, "the container has no partition key path"
    assert key.group(1) == PARTITION_KEY_PATH
    # What the store filters and sorts on stays indexed.
    excluded = set(re.findall(r"path:\s*'/(\w+)/", body))
    assert excluded.isdisjoint({"type", "user_id", "rating", "timestamp", "sort_key"})


def test_cosmos_data_roles_are_on_the_account_for_the_app_and_the_developer() -> None:
    cosmos = bicep(INFRA / "modules" / "cosmos.bicep")
    guids = dict(re.findall(r"^var\s+(\w+)\s*=\s*'([0-9a-f-]{36})'", cosmos.text, re.M))
    accounts = [s for s, kind, _, _ in cosmos.resources() if kind.endswith("/databaseAccounts")]
    assignments = {
        symbol: body
        for symbol, kind, existing, body in cosmos.resources()
        if kind == "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments" and not existing
    }
    who = {}
    for symbol, body in assignments.items():
        assert re.search(rf"^\s*parent:\s*{accounts[0]}\s*$", body, re.M), symbol
        assert re.search(rf"^\s*scope:\s*{accounts[0]}\.id\s*$", body, re.M), (
            f"{symbol} is not scoped to the account"
        )
        role = re.search(r"sqlRoleDefinitions/\$\{(\w+)\}'", body)
        assert role, f"{symbol}: no built-in role definition"
        assert COSMOS_DATA_ROLES[guids[role.group(1)]] == "Cosmos DB Built-in Data Contributor"
        principal = re.search(r"^\s*principalId:\s*(\w+)\s*$", body, re.M)
        assert principal, symbol
        who[principal.group(1)] = cosmos.conditions().get(symbol, "")
    assert who == {"appPrincipalId": "", "userPrincipalId": "!empty(userPrincipalId)"}


def test_every_history_value_is_explained_in_the_history_guide() -> None:
    guide = (ROOT / "docs" / "history.md").read_text(encoding="utf-8")
    for name in HISTORY_SETTINGS | {"AZURE_COSMOSDB_ENDPOINT"}:
        assert f"`{name}`" in guide, f"docs/history.md does not mention {name}"


# --- Answers read aloud by Azure AI Speech ----------------------------------------------------


def test_speech_is_created_only_when_asked_for() -> None:
    main = bicep(MAIN)
    (symbol,) = [s for s, (path, _) in main.modules().items() if path == "modules/speech.bicep"]
    assert main.conditions()[symbol] == SPEECH
    assert param_defaults()[SPEECH] == "false"
    assert parameters()[SPEECH] == "${USE_SPEECH_OUTPUT_AZURE=false}"
    passed = _module_call("modules/speech.bicep")
    assert passed["appPrincipalId"] == "identity.outputs.principalId"
    env = container_env()
    assert env["AZURE_SPEECH_SERVICE_ID"] == f"{SPEECH} ? {symbol}.outputs.id : ''"
    assert env["AZURE_SPEECH_SERVICE_LOCATION"] == f"{SPEECH} ? {symbol}.outputs.location : ''"


def test_the_speech_resource_is_keyless_with_a_custom_subdomain() -> None:
    bodies = [
        body
        for _, kind, existing, body in bicep(INFRA / "modules" / "speech.bicep").resources()
        if kind == "Microsoft.CognitiveServices/accounts" and not existing
    ]
    (body,) = bodies
    assert re.search(r"^\s*kind:\s*'SpeechServices'\s*$", body, re.M)
    assert re.search(r"^\s*disableLocalAuth:\s*true\s*$", body, re.M)
    # Entra tokens are refused by a resource without one.
    assert re.search(r"^\s*customSubDomainName:\s*name\s*$", body, re.M)


def test_speech_settings_reach_the_app_and_the_azd_environment() -> None:
    assert setting_names() >= SPEECH_SETTINGS
    assert container_env().keys() >= SPEECH_SETTINGS
    assert outputs() >= SPEECH_SETTINGS
    assert "AZURE_SPEECH_SERVICE_KEY" not in container_env()
    voice = Settings.model_fields["azure_speech_service_voice"].default
    assert container_env()["AZURE_SPEECH_SERVICE_VOICE"] == "speechVoice"
    assert param_defaults()["speechVoice"] == voice


@pytest.mark.parametrize("on", [False, True])
def test_the_app_reads_aloud_with_azure_exactly_when_the_deployment_creates_speech(
    monkeypatch: pytest.MonkeyPatch, on: bool
) -> None:
    """Off (the default), the container's speech values are empty and the app offers the
    browser's voices; on, they are the resource's, and the app signs in without a key."""
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    resource = {"AZURE_SPEECH_SERVICE_ID": "/subscriptions/s/.../spch-x"} if on else {}
    for name, value in container_env().items():
        if name in resource:
            monkeypatch.setenv(name, resource[name])
        elif name == "AZURE_SPEECH_SERVICE_LOCATION":
            monkeypatch.setenv(name, "eastus" if on else "")
        elif name == "AZURE_SPEECH_SERVICE_ID":
            monkeypatch.setenv(name, "")
        elif name in setting_names():
            monkeypatch.setenv(name, _placeholder(name.lower(), value))
    settings = Settings(_env_file=None)
    assert settings.speech_output_azure is on
    assert settings.azure_speech_service_key is None
    assert settings.speech_input_browser
    assert settings.speech_output_browser


# --- azure.yaml and the hook ------------------------------------------------------------------


def azure_yaml() -> dict[str, object]:
    yaml = pytest.importorskip("yaml")  # PyYAML, a dev dependency
    document = yaml.safe_load((ROOT / "azure.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_azure_yaml_defines_the_web_service() -> None:
    document = azure_yaml()
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", str(document["name"]))
    services = document["services"]
    assert isinstance(services, dict)
    assert set(services) == {"web"}
    web = services["web"]
    assert web["host"] == "containerapp"
    assert (ROOT / web["project"]).resolve() == ROOT
    assert web.get("language") == "docker" or "docker" in web
    dockerfile = web.get("docker", {}).get("path", "./Dockerfile")
    assert (ROOT / web["project"] / dockerfile).name == "Dockerfile"


def test_postprovision_hook_runs_ingestion_on_every_platform() -> None:
    hooks = azure_yaml()["hooks"]
    assert isinstance(hooks, dict)
    hook = hooks["postprovision"]
    # With both platform variants, azd allows no top-level run/shell.
    assert set(hook) == {"posix", "windows"}
    assert hook["posix"]["shell"] == "sh"
    assert hook["windows"]["shell"] == "pwsh"
    for variant in hook.values():
        script = ROOT / variant["run"]
        assert script.is_file(), variant["run"]
        text = script.read_text(encoding="utf-8")
        assert "azd env get-values" in text
        assert "pip install" in text
        assert "-m app.ingest data --backend azure" in text
    posix = ROOT / hook["posix"]["run"]
    # azd runs the POSIX script as a command: it must be executable (git keeps the bit).
    assert os.access(posix, os.X_OK), f"chmod +x {posix.relative_to(ROOT)}"


def test_the_hooks_venv_stays_out_of_git_and_the_image() -> None:
    """The hook installs into infra/.venv: ignored by git's `.venv/` and docker's `infra`."""
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    dockerignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".venv/" in gitignore or ".venv" in gitignore
    assert "infra" in dockerignore or "infra/" in dockerignore


# --- The Entra app registrations (infra/scripts/entra_apps.py) --------------------------------


@cache
def entra_apps() -> ModuleType:
    path = INFRA / "scripts" / "entra_apps.py"
    spec = importlib.util.spec_from_file_location("entra_apps", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeDirectory:
    """Microsoft Graph as the script sees it: PATCH replaces the top-level properties it names."""

    tenant = "11111111-1111-1111-1111-111111111111"

    def __init__(self) -> None:
        self.apps: dict[str, dict[str, Any]] = {}  # object id -> application
        self.service_principals: set[str] = set()  # app ids
        self.created = 0

    def tenant_id(self) -> str:
        return self.tenant

    def show_app(self, app_id: str) -> dict[str, Any]:
        (app,) = [a for a in self.apps.values() if app_id in (a["appId"], a["id"])]
        return copy.deepcopy(app)

    def create_app(self, display_name: str) -> dict[str, Any]:
        self.created += 1
        app = {
            "id": str(uuid.uuid4()),
            "appId": str(uuid.uuid4()),
            "displayName": display_name,
            "signInAudience": "AzureADMyOrg",
            "identifierUris": [],
            "groupMembershipClaims": None,
            "api": {
                "requestedAccessTokenVersion": None,
                "oauth2PermissionScopes": [],
                "preAuthorizedApplications": [],
                "knownClientApplications": [],
            },
            "spa": {"redirectUris": []},
            "requiredResourceAccess": [],
            "passwordCredentials": [],
            "keyCredentials": [],
        }
        self.apps[app["id"]] = app
        return copy.deepcopy(app)

    def patch_app(self, object_id: str, body: dict[str, Any]) -> None:
        json.dumps(body)  # what az rest sends: JSON, nothing else
        self.apps[object_id].update(copy.deepcopy(body))

    def ensure_service_principal(self, app_id: str) -> None:
        self.service_principals.add(app_id)


class FakeAzdEnvironment:
    def __init__(self, **values: str) -> None:
        self.data = dict(values)

    def values(self) -> dict[str, str]:
        return dict(self.data)

    def set(self, name: str, value: str) -> None:
        self.data[name] = value


def _run_entra_apps(directory: FakeDirectory, env: FakeAzdEnvironment, *argv: str) -> None:
    module = entra_apps()
    module.run(module.parse_args(argv), directory, env)


def test_entra_apps_script_uses_the_apps_scope_and_redirect_path() -> None:
    from app.auth.middleware import ENTRA_SCOPE
    from app.routes.auth_setup import REDIRECT_URI

    assert entra_apps().SCOPE == ENTRA_SCOPE
    assert entra_apps().REDIRECT_PATH == REDIRECT_URI


def test_entra_apps_registers_what_the_app_and_the_spa_expect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.routes.auth_setup import auth_setup_for

    host = "https://ca-web-abc.nicesky-123.eastus2.azurecontainerapps.io"
    directory = FakeDirectory()
    env = FakeAzdEnvironment(AZURE_ENV_NAME="dev", SERVICE_WEB_URI=host)
    _run_entra_apps(directory, env, "--local-port", "50505", "--groups", "SecurityGroup")

    assert directory.created == 2
    server = directory.show_app(env.data["AZURE_SERVER_APP_ID"])
    client = directory.show_app(env.data["AZURE_CLIENT_APP_ID"])
    assert server["displayName"] == "ragchat-dev API"
    assert directory.service_principals == {server["appId"], client["appId"]}
    # The API: api://<app id>, v2 tokens, one delegated scope, the SPA pre-authorized for it.
    assert server["identifierUris"] == [f"api://{server['appId']}"]
    assert server["api"]["requestedAccessTokenVersion"] == 2
    (scope,) = server["api"]["oauth2PermissionScopes"]
    assert (scope["value"], scope["type"], scope["isEnabled"]) == ("access_as_user", "User", True)
    assert server["api"]["preAuthorizedApplications"] == [
        {"appId": client["appId"], "delegatedPermissionIds": [scope["id"]]}
    ]
    assert server["groupMembershipClaims"] == "SecurityGroup"
    # The SPA: redirect URIs on the SPA platform, permission to that scope; no secrets anywhere.
    assert client["spa"]["redirectUris"] == [f"{host}/redirect", "http://localhost:50505/redirect"]
    access = {a["resourceAppId"]: a["resourceAccess"] for a in client["requiredResourceAccess"]}
    assert access[server["appId"]] == [{"id": scope["id"], "type": "Scope"}]
    assert {"id": entra_apps().GRAPH_USER_READ, "type": "Scope"} in access[
        entra_apps().GRAPH_APP_ID
    ]
    for app in (server, client):
        assert app["passwordCredentials"] == app["keyCredentials"] == []
    assert env.data["AUTH_PROVIDER"] == "entra"
    assert env.data["AZURE_AUTH_TENANT_ID"] == directory.tenant

    # What the backend then tells the SPA: it asks for a scope the API exposes, and comes back
    # to a redirect URI the SPA registration allows.
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    settings = Settings(
        _env_file=None,
        **{key.lower(): env.data[key] for key in LOGIN_SETTINGS if key in env.data},
    )
    setup = auth_setup_for(settings)
    assert setup["tokenRequest"]["scopes"] == [f"{server['identifierUris'][0]}/{scope['value']}"]
    assert host + setup["msalConfig"]["auth"]["redirectUri"] in client["spa"]["redirectUris"]
    assert setup["msalConfig"]["auth"]["clientId"] == client["appId"]


def test_entra_apps_can_run_again() -> None:
    """A second run reuses both apps and the scope id, keeps what others added, adds a host."""
    directory = FakeDirectory()
    env = FakeAzdEnvironment(AZURE_ENV_NAME="dev")
    _run_entra_apps(directory, env, "--groups", "ApplicationGroup")
    server_id, client_id = env.data["AZURE_SERVER_APP_ID"], env.data["AZURE_CLIENT_APP_ID"]
    client = directory.show_app(client_id)
    assert client["spa"]["redirectUris"] == []  # no host yet: before the first provisioning
    directory.patch_app(
        client["id"], {"spa": {"redirectUris": ["https://chat.example.com/redirect"]}}
    )
    (scope,) = directory.show_app(server_id)["api"]["oauth2PermissionScopes"]

    _run_entra_apps(directory, env, "--host", "https://ca.example.io/")

    assert directory.created == 2
    assert (env.data["AZURE_SERVER_APP_ID"], env.data["AZURE_CLIENT_APP_ID"]) == (
        server_id,
        client_id,
    )
    server = directory.show_app(server_id)
    assert server["api"]["oauth2PermissionScopes"] == [scope]
    assert server["groupMembershipClaims"] == "ApplicationGroup"  # not given: left alone
    assert len(server["api"]["preAuthorizedApplications"]) == 1
    assert directory.show_app(client_id)["spa"]["redirectUris"] == [
        "https://chat.example.com/redirect",
        "https://ca.example.io/redirect",
    ]
    access = directory.show_app(client_id)["requiredResourceAccess"]
    assert sorted(len(a["resourceAccess"]) for a in access) == [1, 1]


def test_entra_apps_keeps_a_scope_made_by_hand() -> None:
    module = entra_apps()
    app = {
        "appId": "a",
        "api": {"oauth2PermissionScopes": [{"id": "s-1", "value": "access_as_user"}]},
    }
    assert module.scope_id(app) == "s-1"
    fresh = module.scope_id({"appId": "a"})
    assert fresh == module.scope_id({"appId": "a"}) != "s-1"  # stable across runs


def test_entra_apps_refuses_another_tenant_and_plain_http() -> None:
    directory = FakeDirectory()
    env = FakeAzdEnvironment(AZURE_AUTH_TENANT_ID="22222222-2222-2222-2222-222222222222")
    with pytest.raises(SystemExit, match="az login --tenant 2222"):
        _run_entra_apps(directory, env)
    with pytest.raises(SystemExit, match="https://"):
        _run_entra_apps(FakeDirectory(), FakeAzdEnvironment(), "--host", "http://chat.example.com")
    assert directory.created == 0


# --- The Bicep grammar, when the parser is installed ------------------------------------------


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_bicep_parses(path: Path) -> None:
    pycep = pytest.importorskip("pycep")
    parsed = pycep.BicepParser().parse(file_path=path)
    assert parsed.get("resources") or parsed.get("modules")
