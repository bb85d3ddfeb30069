"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py "app:create_app()"`.

Each worker is a Uvicorn event loop (the `uvicorn-worker` package) that serves hundreds of
streaming answers at once, so one worker per core is enough; WEB_CONCURRENCY overrides it.
Every value that comes from the environment (PORT, WEB_CONCURRENCY, LOG_LEVEL,
FORWARDED_ALLOW_IPS) is read through `app.settings`, as the app reads it: one default for
each, and a setting that the app would refuse stops Gunicorn before it forks any worker.
"""

import multiprocessing
import sys

from app.settings import SettingsError, load_settings

try:
    settings = load_settings()
except SettingsError as exc:
    sys.exit(f"gunicorn.conf.py: {exc}")

bind = f"0.0.0.0:{settings.port}"
worker_class = "uvicorn_worker.UvicornWorker"
# Async workers do not block on the model, so more workers than cores only add memory.
workers = settings.web_concurrency or multiprocessing.cpu_count()

# Azure Container Apps' ingress (Envoy) ends a request after 240 s, and App Service's front end
# after 230 s: no answer can stream longer, so a worker whose event loop has not checked in for
# that long is stuck, and Gunicorn may restart it. Uvicorn workers check in while they stream,
# so this never cuts a live answer.
timeout = 230
# On SIGTERM (a deploy, a scale-in) workers stop accepting connections and let open streams
# finish, for up to this long; Container Apps waits terminationGracePeriodSeconds (set to 120 in
# infra/) before it kills the container, and answers give up upstream after 60 s anyway.
graceful_timeout = 90
# Longer than the ingress' idle timeout for upstream connections, so the proxy, not us, closes
# idle keep-alive connections and never sends a request on a socket we just closed.
keepalive = 75

# Recycle a worker now and then to bound slow memory growth; the jitter keeps workers from
# all restarting at once, and a recycled worker finishes its open streams first
# (graceful_timeout). At 10,000 a saturated worker (60+ answers/s) was replaced every ~50 s,
# and each replacement reset the keep-alive connections of its clients. This is a safety net;
# bench/results/load.json records each system's RSS at its first and last level.
max_requests = 100_000
max_requests_jitter = 10_000

# Believe X-Forwarded-For/-Proto only from the proxies in FORWARDED_ALLOW_IPS (the app reads the
# same variable, so Hypercorn behaves alike); the Azure deployment sets the platform's ranges.
# Never "*": Uvicorn then takes the leftmost address, which any client writes itself, and the
# rate limit per address would be its to pick.
forwarded_allow_ips = ",".join(str(network) for network in settings.forwarded_allow_ips)

# Logs to stdout/stderr, where the platform collects them; the app adds request ids.
accesslog = "-"
errorlog = "-"
loglevel = settings.log_level.lower()
