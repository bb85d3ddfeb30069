#!/usr/bin/env python3
"""Create or update the two Microsoft Entra app registrations that AUTH_PROVIDER=entra needs.

    python infra/scripts/entra_apps.py [--host https://chat.example.com] [--local-port 50505]
                                       [--groups None|SecurityGroup|ApplicationGroup]

- the API, "<name> API": exposes the delegated scope `access_as_user` as
  api://<its app id>/access_as_user, issues v2 access tokens (optionally with a `groups` claim)
  and pre-authorizes the SPA for that scope, so nobody is asked to consent to it;
- the SPA, "<name>": the single-page-application platform with the redirect URI
  <host>/redirect, and permission to that scope and to Microsoft Graph User.Read (sign-in).

Neither gets a secret or a certificate: the browser signs in with PKCE, the API only validates
tokens. The script runs the Azure CLI as you (`az login --tenant <tenant>`), so you must be
allowed to register applications (the tenant's default for members, else the Application
Developer role). It is safe to run again: it reuses the app ids kept in the azd environment, keeps
redirect URIs and permissions it did not add, and changes the groups claim only when asked. At the
end it sets AUTH_PROVIDER, AZURE_AUTH_TENANT_ID, AZURE_SERVER_APP_ID and AZURE_CLIENT_APP_ID in
the azd environment; `azd provision` then hands them to the app. See docs/auth.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

Json = dict[str, Any]

SCOPE = "access_as_user"  # app/auth/middleware.py ENTRA_SCOPE
REDIRECT_PATH = "/redirect"  # app/routes/auth_setup.py REDIRECT_URI
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"  # Microsoft Graph
GRAPH_USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"  # delegated User.Read
GROUP_CLAIMS = ("None", "SecurityGroup", "ApplicationGroup")
GRAPH = "https://graph.microsoft.com/v1.0"


# --- What the two registrations must say -----------------------------------------------------


def identifier_uri(app_id: str) -> str:
    """The API's application ID URI; the SPA asks for <this>/access_as_user."""
    return f"api://{app_id}"


def scope_id(app: Json) -> str:
    """The id of the API's access_as_user scope: the existing one, else a stable new one."""
    for scope in (app.get("api") or {}).get("oauth2PermissionScopes") or []:
        if scope.get("value") == SCOPE:
            return str(scope["id"])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{identifier_uri(app['appId'])}/{SCOPE}"))


def server_patch(
    app: Json, *, scope: str, groups: str | None = None, client_app_id: str | None = None
) -> Json:
    """The PATCH body for the API registration `app` (as `az ad app show` returns it)."""
    api = dict(app.get("api") or {})
    others = [s for s in api.get("oauth2PermissionScopes") or [] if s.get("value") != SCOPE]
    api["requestedAccessTokenVersion"] = 2
    api["oauth2PermissionScopes"] = [
        *others,
        {
            "id": scope,
            "value": SCOPE,
            "type": "User",
            "isEnabled": True,
            "adminConsentDisplayName": "Use the chat app as the signed-in user",
            "adminConsentDescription": "Lets the chat app's web page call its API as the "
            "signed-in user, who then sees the documents shared with them.",
            "userConsentDisplayName": "Use the chat app as you",
            "userConsentDescription": "Lets the chat app's web page call its API as you.",
        },
    ]
    if client_app_id:
        kept = [
            p for p in api.get("preAuthorizedApplications") or [] if p.get("appId") != client_app_id
        ]
        api["preAuthorizedApplications"] = [
            *kept,
            {"appId": client_app_id, "delegatedPermissionIds": [scope]},
        ]
    body: Json = {
        "identifierUris": _union(app.get("identifierUris"), [identifier_uri(app["appId"])]),
        "api": api,
    }
    if groups is not None:
        body["groupMembershipClaims"] = groups
    return body


def client_patch(
    app: Json, *, server_app_id: str, scope: str, redirect_uris: Sequence[str]
) -> Json:
    """The PATCH body for the SPA registration `app`: redirect URIs and API permissions."""
    spa = dict(app.get("spa") or {})
    spa["redirectUris"] = _union(spa.get("redirectUris"), redirect_uris)
    access = list(app.get("requiredResourceAccess") or [])
    access = _with_scope(access, GRAPH_APP_ID, GRAPH_USER_READ)
    access = _with_scope(access, server_app_id, scope)
    return {"spa": spa, "requiredResourceAccess": access}


def redirect_uris(host: str | None, local_ports: Iterable[int] = ()) -> list[str]:
    """<host>/redirect for the deployed app, and http://localhost:<port>/redirect for each port."""
    uris = []
    if host:
        host = host.rstrip("/")
        if not host.startswith("https://"):
            raise SystemExit(f"--host must be an https:// URL, not {host!r}")
        uris.append(host + REDIRECT_PATH)
    uris.extend(f"http://localhost:{port}{REDIRECT_PATH}" for port in local_ports)
    return uris


def _union(existing: Iterable[str] | None, added: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*(existing or []), *added]))


def _with_scope(access: list[Json], resource_app_id: str, scope: str) -> list[Json]:
    """`requiredResourceAccess` with the delegated permission `scope` of `resource_app_id` in it."""
    entry = next((a for a in access if a.get("resourceAppId") == resource_app_id), None)
    wanted = {"id": scope, "type": "Scope"}
    if entry is None:
        return [*access, {"resourceAppId": resource_app_id, "resourceAccess": [wanted]}]
    if wanted not in entry.get("resourceAccess", []):
        entry = {**entry, "resourceAccess": [*entry.get("resourceAccess", []), wanted]}
    return [entry if a.get("resourceAppId") == resource_app_id else a for a in access]


# --- Where they are written: Microsoft Graph through the Azure CLI, and the azd environment ---


class Directory(Protocol):
    def tenant_id(self) -> str: ...
    def show_app(self, app_id: str) -> Json: ...
    def create_app(self, display_name: str) -> Json: ...
    def patch_app(self, object_id: str, body: Json) -> None: ...
    def ensure_service_principal(self, app_id: str) -> None: ...


class Environment(Protocol):
    def values(self) -> dict[str, str]: ...
    def set(self, name: str, value: str) -> None: ...


def _run(executable: str, *args: str, attempts: int = 1) -> str:
    """Run a command; retry (new directory objects take seconds to replicate), then exit."""
    for attempt in range(1, attempts + 1):
        done = subprocess.run(  # noqa: S603 - fixed executables, arguments built here
            [executable, *args], capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return done.stdout
        if attempt < attempts:
            time.sleep(5 * attempt)
    command = " ".join([Path(executable).stem, *args[:3]])
    raise SystemExit(f"{command} ... failed:\n{done.stderr.strip()}")


class AzureCli:
    """The Directory, as the user signed in to the Azure CLI."""

    def __init__(self) -> None:
        az = shutil.which("az")
        if az is None:
            raise SystemExit("the Azure CLI (az) is needed: https://aka.ms/azure-cli")
        self._az = az

    def tenant_id(self) -> str:
        return _run(self._az, "account", "show", "--query", "tenantId", "-o", "tsv").strip()

    def show_app(self, app_id: str) -> Json:
        app: Json = json.loads(_run(self._az, "ad", "app", "show", "--id", app_id, "-o", "json"))
        return app

    def create_app(self, display_name: str) -> Json:
        app: Json = json.loads(
            _run(
                self._az,
                *("ad", "app", "create", "--display-name", display_name),
                *("--sign-in-audience", "AzureADMyOrg", "-o", "json"),
            )
        )
        return app

    def patch_app(self, object_id: str, body: Json) -> None:
        # The body goes in a file: no quoting rules of any shell can mangle it.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "body.json"
            path.write_text(json.dumps(body), encoding="utf-8")
            _run(
                self._az,
                *("rest", "--method", "PATCH", "--uri", f"{GRAPH}/applications/{object_id}"),
                *("--headers", "Content-Type=application/json", "--body", f"@{path}"),
                attempts=5,
            )

    def ensure_service_principal(self, app_id: str) -> None:
        query = ("ad", "sp", "list", "--filter", f"appId eq '{app_id}'", "--query", "[].id")
        if not _run(self._az, *query, "-o", "tsv", attempts=3).strip():
            _run(self._az, "ad", "sp", "create", "--id", app_id, "-o", "none", attempts=5)


class AzdEnvironment:
    """The current azd environment (.azure/<name>/.env), or, without azd, printed values."""

    def __init__(self) -> None:
        self._azd = shutil.which("azd")

    def values(self) -> dict[str, str]:
        if self._azd is None:
            return {}
        result = {}
        for line in _run(self._azd, "env", "get-values").splitlines():
            name, sep, value = line.partition("=")
            if sep and name.isidentifier():
                result[name] = value.strip().removeprefix('"').removesuffix('"')
        return result

    def set(self, name: str, value: str) -> None:
        if self._azd is None:
            print(f"  set {name}={value}")
        else:
            _run(self._azd, "env", "set", name, value)


# --- The run ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python infra/scripts/entra_apps.py",
        description="Create or update the Entra app registrations for login (docs/auth.md).",
    )
    parser.add_argument("--name", help="display name prefix (default: ragchat-<azd env name>)")
    parser.add_argument(
        "--host", help="the app's https origin (default: SERVICE_WEB_URI of the azd environment)"
    )
    parser.add_argument(
        "--local-port",
        type=int,
        action="append",
        default=[],
        help="also allow http://localhost:<port>/redirect, for local runs (repeatable)",
    )
    parser.add_argument(
        "--groups",
        choices=GROUP_CLAIMS,
        help="groups claim of the access tokens (default: leave as is; a new API has none)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace, directory: Directory, environment: Environment) -> Json:
    """Bring both registrations to the state the app needs; return the settings written."""
    values = environment.values()
    tenant = directory.tenant_id()
    wanted = values.get("AZURE_AUTH_TENANT_ID")
    if wanted and wanted != tenant:
        raise SystemExit(
            f"The Azure CLI is signed in to tenant {tenant}, but AZURE_AUTH_TENANT_ID is {wanted}: "
            f"run `az login --tenant {wanted} --allow-no-subscriptions`, or "
            f"`azd env set AZURE_AUTH_TENANT_ID {tenant}`."
        )
    name = args.name or f"ragchat-{values.get('AZURE_ENV_NAME') or 'local'}"
    uris = redirect_uris(args.host or values.get("SERVICE_WEB_URI"), args.local_port)

    server = _app(directory, environment, values, "AZURE_SERVER_APP_ID", f"{name} API")
    scope = scope_id(server)
    directory.patch_app(server["id"], server_patch(server, scope=scope, groups=args.groups))
    directory.ensure_service_principal(server["appId"])

    client = _app(directory, environment, values, "AZURE_CLIENT_APP_ID", name)
    body = client_patch(client, server_app_id=server["appId"], scope=scope, redirect_uris=uris)
    directory.patch_app(client["id"], body)
    directory.ensure_service_principal(client["appId"])

    # Now that the scope exists: pre-authorize the SPA for it (no consent prompt).
    server = directory.show_app(server["appId"])
    body = server_patch(server, scope=scope, client_app_id=client["appId"])
    directory.patch_app(server["id"], body)

    settings = {
        "AUTH_PROVIDER": "entra",
        "AZURE_AUTH_TENANT_ID": tenant,
        "AZURE_SERVER_APP_ID": server["appId"],
        "AZURE_CLIENT_APP_ID": client["appId"],
    }
    for key, value in settings.items():
        environment.set(key, value)
    return {"settings": settings, "redirectUris": uris}


def _app(
    directory: Directory, environment: Environment, values: dict[str, str], key: str, name: str
) -> Json:
    """The registration whose app id the azd environment holds under `key`, or a new one."""
    if values.get(key):
        return directory.show_app(values[key])
    app = directory.create_app(name)
    environment.set(key, app["appId"])  # at once: a failure later must not orphan it
    print(f"created app registration {name!r}: {app['appId']}")
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    result = run(args, AzureCli(), AzdEnvironment())
    print("Entra app registrations are ready:")
    for key, value in result["settings"].items():
        print(f"  {key}={value}")
    if not result["redirectUris"]:
        print(
            "No redirect URI yet: after `azd provision` has created the app, run this again "
            "(it reads SERVICE_WEB_URI), or pass --host."
        )
    else:
        print("Redirect URIs: " + ", ".join(result["redirectUris"]))
    print("Next: `azd provision`, which passes these settings to the app.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
