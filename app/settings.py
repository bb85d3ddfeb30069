"""Settings: the only code that reads the environment (and `.env`).

Every choice is a Literal; `_check_together` refuses missing or contradictory combinations at
start-up with a message that names the environment variable to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    BeforeValidator,
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ChatProvider = Literal["extractive", "openai", "azure"]
SearchBackend = Literal["local", "azure"]
EmbeddingProvider = Literal["local", "openai", "azure"]
AuthProvider = Literal["none", "entra", "oidc"]
HistoryBackend = Literal["browser", "local", "cosmos"]


def _split_proxies(value: object) -> object:
    if isinstance(value, str):
        value = tuple(part for part in value.replace(",", " ").split() if part)
    if isinstance(value, tuple | list) and "*" in value:
        raise ValueError(
            "'*' would believe the X-Forwarded-For of any client, which could then pick "
            "its own address (and rate limit); list the proxies' addresses or ranges"
        )
    return value


# Comma-separated addresses or CIDR ranges (NoDecode: not JSON, as lists otherwise are).
Proxies = Annotated[tuple[IPvAnyNetwork, ...], NoDecode, BeforeValidator(_split_proxies)]

HASHED_KEY_PREFIX = "sha256:"
MIN_API_KEY_LENGTH = 16


def _split_api_keys(value: object) -> object:
    """Comma-separated keys, each checked here so that an error names API_KEYS and the key's
    position, never the key itself."""
    if not isinstance(value, str):
        return value
    keys = tuple(part.strip() for part in value.split(",") if part.strip())
    for position, key in enumerate(keys, start=1):
        if key.lower().startswith(HASHED_KEY_PREFIX):
            digest = key[len(HASHED_KEY_PREFIX) :]
            if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
                raise ValueError(
                    f"key {position}: a hashed key is 'sha256:' and the 64 hexadecimal digits "
                    "of the key's SHA-256"
                )
        elif not (key.isascii() and key.isprintable()) or " " in key:
            raise ValueError(f"key {position}: keys are printable ASCII without spaces")
        elif len(key) < MIN_API_KEY_LENGTH:
            raise ValueError(
                f"key {position}: shorter than {MIN_API_KEY_LENGTH} characters, which can be "
                "guessed (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
    return keys


# The keys of the OpenAI-compatible API (NoDecode: comma-separated, not JSON).
ApiKeys = Annotated[tuple[SecretStr, ...], NoDecode, BeforeValidator(_split_api_keys)]


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


class SettingsError(Exception):
    """A setting is missing, malformed or contradicts another; the message names the variable."""


class Settings(BaseSettings):
    """Every setting of the app, read from the environment and `.env`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    chat_provider: ChatProvider = "extractive"
    search_backend: SearchBackend = "local"
    local_index_dir: Path = Path(".data")
    port: int = Field(default=50505, ge=1, le=65535)
    # In any case: Gunicorn's own convention is lower case (`info`).
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)] = (
        "INFO"
    )
    # Gunicorn workers per container (gunicorn.conf.py); unset: one per core.
    web_concurrency: int | None = Field(default=None, ge=1, le=256)
    # `json` for log collectors (the container image sets it), `text` for people.
    log_format: Literal["text", "json"] = "text"
    # Set by the deployment: traces and logs go to Application Insights through OpenTelemetry.
    applicationinsights_connection_string: SecretStr | None = None

    # OpenAI or any OpenAI-compatible server (Ollama, llama.cpp server, vLLM, LM Studio).
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_chat_model: str | None = None
    openai_embed_model: str | None = None
    openai_embed_dimensions: int | None = Field(default=None, ge=1)
    # Token bounds of the model calls (app/models/budget.py), for OpenAI and Azure OpenAI alike:
    # the model's context window (unset: what the server reports, else a known default for the
    # model's family, else 4,096), and the most tokens an answer may have.
    openai_context_tokens: int | None = Field(default=None, ge=512, le=10_000_000)
    openai_max_tokens: int = Field(default=1024, ge=16, le=1_000_000)
    # The SDK's HTTP transport, for OpenAI and Azure OpenAI alike. aiohttp parses with a C
    # parser: measured at half the CPU per streamed answer. httpx honours HTTP(S)_PROXY.
    openai_transport: Literal["aiohttp", "httpx"] = "aiohttp"

    # Azure OpenAI; the names match the outputs of `azd provision` (infra/main.bicep).
    azure_openai_endpoint: str | None = None
    azure_openai_api_key: SecretStr | None = None
    azure_openai_chat_deployment: str | None = None
    azure_openai_embed_deployment: str | None = None
    azure_openai_embed_dimensions: int | None = Field(default=None, ge=1)

    # EMBED_PROVIDER: `local` (all-MiniLM-L6-v2 on this machine's CPU, docs/ingestion.md),
    # `openai`, `azure`, or `none` (text search only). Unset: the provider whose embedding model
    # is configured above, else `local` with the local index (the offline default).
    embed_provider: EmbeddingProvider | Literal["none"] | None = None
    # Where the local model's int8 graph is built once (a few seconds) and kept.
    local_embed_cache_dir: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "ragchat" / "models"
    )

    # Azure AI Search and Blob Storage.
    azure_search_endpoint: str | None = None
    azure_search_index: str = "gptkbindex"
    azure_search_api_key: SecretStr | None = None
    azure_search_semantic_configuration: str = "default"
    azure_search_semantic_ranker: bool = True
    azure_storage_endpoint: str | None = None
    azure_storage_container: str = "content"
    # Client id of a user-assigned managed identity (Container Apps sets it for the app).
    azure_client_id: str | None = None

    # Login and access control (docs/auth.md). `entra` is Microsoft Entra ID; `oidc` any
    # OpenID Connect provider that serves /.well-known/openid-configuration.
    auth_provider: AuthProvider = "none"
    auth_required: bool = False
    azure_auth_tenant_id: str | None = None
    azure_server_app_id: str | None = None
    azure_client_app_id: str | None = None
    # For `oidc`; with `entra` AUTH_ISSUER overrides the Entra issuer (sovereign clouds, tests).
    auth_issuer: str | None = None
    auth_audience: str | None = None
    auth_client_id: str | None = None
    auth_scopes: str = "openid profile"
    auth_groups_claim: str = Field(default="groups", min_length=1)
    # How long the issuer's keys are trusted before they are fetched again.
    auth_jwks_ttl_seconds: float = Field(default=3600.0, ge=60)
    auth_http_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    # Users' own documents (needs login): size limit per file; the Azure container for them.
    user_upload: bool = False
    user_upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=512 * 1024 * 1024)
    user_upload_max_files: int = Field(default=100, ge=1, le=100_000)
    azure_user_storage_container: str = "user-content"

    # Conversations and feedback on the server (docs/history.md). Unset: `local` when serving
    # offline (SEARCH_BACKEND=local), `browser` (the SPA's IndexedDB) otherwise.
    chat_history: HistoryBackend | None = None
    # Cosmos DB for NoSQL; keyless (the app's Azure credential) unless a key is set, which only
    # an emulator needs. The container is partitioned by /user_id.
    azure_cosmosdb_endpoint: str | None = None
    azure_cosmosdb_key: SecretStr | None = None
    azure_chat_history_database: str = "chat-database"
    azure_chat_history_container: str = "chat-history"
    # Per user: saved conversations (a new one beyond -> 409); bytes of one saved conversation,
    # JSON-encoded (more -> 413; a Cosmos DB item holds at most 2 MB).
    chat_history_max_sessions: int = Field(default=500, ge=1)
    chat_history_max_bytes: int = Field(default=1_048_576, ge=1024, le=2_000_000)
    # Signed-in members of this group (an id in the groups claim) read everyone's feedback.
    feedback_admin_group: str | None = None

    # Speech (docs/http-api.md, POST /speech). The browser's Web Speech API, where the browser
    # has it: the microphone for questions, its voices for answers. With Azure AI Speech
    # configured (its location or endpoint), answers are read aloud by the server instead:
    # keyless with the app's Azure credential (the resource id names the Speech resource in
    # the token), or with a key (local runs only: the deployment keeps keys off).
    speech_input_browser: bool = True
    speech_output_browser: bool = True
    azure_speech_service_id: str | None = None
    azure_speech_service_location: str | None = Field(
        default=None, pattern=r"^[a-z0-9]{0,40}$", description="e.g. eastus; empty: none"
    )
    azure_speech_service_voice: str = Field(
        default="en-US-AvaMultilingualNeural", pattern=r"^[A-Za-z0-9][A-Za-z0-9:_-]{0,99}$"
    )
    azure_speech_service_key: SecretStr | None = None
    # Another text-to-speech host than the region's (a sovereign cloud, a test's fake).
    azure_speech_service_endpoint: str | None = None

    # Behaviour.
    allow_prompt_template: bool = False
    history_token_budget: int = Field(default=3000, ge=100, le=100_000)
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    # Storage and Cosmos DB calls: the longest wait for the next bytes.
    upstream_timeout_seconds: float = Field(default=60.0, gt=0)
    upstream_max_retries: int = Field(default=2, ge=0, le=10)
    # The model and the search service: the whole call (a streamed answer included; retries
    # included), and the longest silence (connecting, or waiting for the next bytes).
    model_timeout_seconds: float = Field(default=300.0, gt=0)
    model_idle_timeout_seconds: float = Field(default=60.0, gt=0)
    search_timeout_seconds: float = Field(default=30.0, gt=0)
    search_idle_timeout_seconds: float = Field(default=10.0, gt=0)

    # Limits on the answer routes, per worker (docs/http-api.md, Limits). Rate limiting is off
    # unless RATE_LIMIT_PER_MINUTE is set above 0: answers per minute and client (the user when
    # signed in, else the address), in bursts of up to RATE_LIMIT_BURST.
    rate_limit_per_minute: int | None = Field(default=None, ge=0, le=1_000_000)
    rate_limit_burst: int = Field(default=10, ge=1, le=100_000)
    # Answers in progress at once; one more gets 503 with Retry-After.
    max_streams_per_worker: int = Field(default=5000, ge=1, le=1_000_000)
    # The proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; the same variable Gunicorn and Uvicorn read. Empty: none.
    forwarded_allow_ips: Proxies = ()

    # The OpenAI-compatible API (`/v1`, docs/http-api.md): the keys its callers send as
    # `Authorization: Bearer <key>`, comma-separated, each as is or as `sha256:<hex>`. With
    # login on, sign-in tokens work there too; without keys and without login it is off (404).
    api_keys: ApiKeys = ()

    @property
    def embedding_provider(self) -> EmbeddingProvider | None:
        """Where embeddings come from (EMBED_PROVIDER, resolved), or None for text search only."""
        if self.embed_provider is not None:
            return None if self.embed_provider == "none" else self.embed_provider
        if self.azure_openai_embed_deployment:
            return "azure"
        if self.openai_embed_model:
            return "openai"
        return "local" if self.search_backend == "local" else None

    @property
    def speech_output_azure(self) -> bool:
        """Whether answers are read aloud by Azure AI Speech (`POST /speech`)."""
        return bool(self.azure_speech_service_location or self.azure_speech_service_endpoint)

    @property
    def login_enabled(self) -> bool:
        """Whether callers may log in (and documents are filtered by who they are)."""
        return self.auth_provider != "none"

    @property
    def history_backend(self) -> HistoryBackend:
        """Where conversations are kept: CHAT_HISTORY, or what fits the search backend."""
        if self.chat_history is not None:
            return self.chat_history
        return "local" if self.search_backend == "local" else "browser"

    @property
    def local_index_path(self) -> Path:
        """The SQLite file of the local index."""
        return self.local_index_dir / "index.sqlite3"

    @property
    def local_content_dir(self) -> Path:
        """Where the local backend keeps the source files it indexed, for `/content`."""
        return self.local_index_dir / "content"

    @model_validator(mode="after")
    def _check_together(self) -> Self:
        missing: list[str] = []
        uses_azure_openai = self.chat_provider == "azure" or self.embedding_provider == "azure"
        uses_openai = self.chat_provider == "openai" or self.embedding_provider == "openai"
        if self.chat_provider == "openai" and not self.openai_chat_model:
            missing.append("OPENAI_CHAT_MODEL (CHAT_PROVIDER=openai)")
        if uses_openai and not (self.openai_base_url or self.openai_api_key):
            missing.append("OPENAI_API_KEY or OPENAI_BASE_URL (for the OpenAI client)")
        if self.chat_provider == "azure" and not self.azure_openai_chat_deployment:
            missing.append("AZURE_OPENAI_CHAT_DEPLOYMENT (CHAT_PROVIDER=azure)")
        if uses_azure_openai and not self.azure_openai_endpoint:
            missing.append("AZURE_OPENAI_ENDPOINT (for Azure OpenAI)")
        if self.embedding_provider == "openai" and not self.openai_embed_model:
            missing.append("OPENAI_EMBED_MODEL (EMBED_PROVIDER=openai)")
        if self.embedding_provider == "azure" and not self.azure_openai_embed_deployment:
            missing.append("AZURE_OPENAI_EMBED_DEPLOYMENT (EMBED_PROVIDER=azure)")
        if self.search_backend == "azure" and not self.azure_search_endpoint:
            missing.append("AZURE_SEARCH_ENDPOINT (SEARCH_BACKEND=azure)")
        if self.chat_history == "cosmos" and not self.azure_cosmosdb_endpoint:
            missing.append("AZURE_COSMOSDB_ENDPOINT (CHAT_HISTORY=cosmos)")
        missing.extend(self._missing_auth())
        missing.extend(self._missing_speech())
        if missing:
            raise ValueError("missing setting: " + "; ".join(missing))
        if (
            self.embed_provider is None
            and self.azure_openai_embed_deployment
            and self.openai_embed_model
        ):
            raise ValueError(
                "AZURE_OPENAI_EMBED_DEPLOYMENT and OPENAI_EMBED_MODEL are both set: "
                "choose one embedding model (or EMBED_PROVIDER)"
            )
        if self.openai_context_tokens and self.openai_max_tokens >= self.openai_context_tokens:
            raise ValueError(
                "OPENAI_MAX_TOKENS must be smaller than OPENAI_CONTEXT_TOKENS: the answer and "
                "its prompt share the context window"
            )
        if self.auth_required and not self.login_enabled:
            raise ValueError("AUTH_REQUIRED=true needs AUTH_PROVIDER=entra or oidc")
        if self.user_upload and not self.login_enabled:
            raise ValueError(
                "USER_UPLOAD=true needs login (AUTH_PROVIDER=entra or oidc): "
                "uploads belong to a user"
            )
        if self.user_upload and self.search_backend == "azure" and not self.azure_storage_endpoint:
            raise ValueError(
                "USER_UPLOAD=true with SEARCH_BACKEND=azure needs AZURE_STORAGE_ENDPOINT: "
                "uploads are kept in AZURE_USER_STORAGE_CONTAINER"
            )
        if self.auth_issuer and not self.auth_issuer.startswith(("https://", "http://")):
            raise ValueError("AUTH_ISSUER must be an http(s) URL")
        endpoint = self.azure_speech_service_endpoint
        if endpoint and not endpoint.startswith(("https://", "http://")):
            raise ValueError("AZURE_SPEECH_SERVICE_ENDPOINT must be an http(s) URL")
        return self

    def _missing_speech(self) -> list[str]:
        keyless = self.azure_speech_service_id
        if self.speech_output_azure and not (keyless or self.azure_speech_service_key):
            return ["AZURE_SPEECH_SERVICE_ID or AZURE_SPEECH_SERVICE_KEY (for Azure AI Speech)"]
        if (keyless or self.azure_speech_service_key) and not self.speech_output_azure:
            return ["AZURE_SPEECH_SERVICE_LOCATION (for Azure AI Speech)"]
        return []

    def _missing_auth(self) -> list[str]:
        if self.auth_provider == "entra":
            names = {
                "AZURE_AUTH_TENANT_ID": self.azure_auth_tenant_id,
                "AZURE_SERVER_APP_ID": self.azure_server_app_id,
                "AZURE_CLIENT_APP_ID": self.azure_client_app_id,
            }
        elif self.auth_provider == "oidc":
            names = {
                "AUTH_ISSUER": self.auth_issuer,
                "AUTH_AUDIENCE": self.auth_audience,
                "AUTH_CLIENT_ID": self.auth_client_id,
            }
        else:
            return []
        return [
            f"{name} (AUTH_PROVIDER={self.auth_provider})" for name, v in names.items() if not v
        ]


def load_settings(**overrides: object) -> Settings:
    """Read and check the settings; raise SettingsError with a readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    """Turn pydantic's errors into lines that name the environment variables."""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        message = str(error["msg"]).removeprefix("Value error, ")
        name = "_".join(loc).upper()
        lines.append(f"{name}: {message}" if name else message)
    return "invalid settings:\n  " + "\n  ".join(lines)
