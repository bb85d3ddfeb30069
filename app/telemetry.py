"""OpenTelemetry for the web app: Azure Monitor export when configured.

With APPLICATIONINSIGHTS_CONNECTION_STRING set, the Azure Monitor distro exports traces, logs
and metrics; the ASGI app and aiohttp (the transport of the Azure SDKs, which also emit their
own spans) are instrumented. The spans of model calls are app/models/spans.py's, which knows
nothing of Quart, so ingestion does not load the web framework.
"""

from __future__ import annotations

import logging

from quart import Quart

from app.settings import Settings

logger = logging.getLogger(__name__)


def configure_telemetry(app: Quart, settings: Settings) -> bool:
    """Export to Application Insights when a connection string is set; True if it is."""
    secret = settings.applicationinsights_connection_string
    if secret is None:
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor

    configure_azure_monitor(connection_string=secret.get_secret_value())
    AioHttpClientInstrumentor().instrument()
    instrument_asgi(app)
    logger.info("telemetry: exporting to Application Insights")
    return True


def instrument_asgi(app: Quart) -> None:
    """Wrap the ASGI app so each request is a server span."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app.asgi_app = OpenTelemetryMiddleware(app.asgi_app)  # type: ignore[method-assign,assignment]
