"""What the command-line entry points (serve, ingest, export feedback) share."""

from __future__ import annotations

import sys

from app.settings import Settings, SettingsError, load_settings

SETTINGS_ERROR_STATUS = 2  # the exit status of a command whose settings are wrong


def settings_or_complaint() -> Settings | None:
    """The settings; None once the reason they are wrong is on stderr."""
    try:
        return load_settings()
    except SettingsError as exc:
        complain(exc)
        return None


def complain(exc: SettingsError) -> int:
    """Say on stderr what is wrong with the settings; the status to exit with."""
    print(f"error: {exc}", file=sys.stderr)
    return SETTINGS_ERROR_STATUS
