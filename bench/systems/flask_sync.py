"""The "before" picture: Flask on Gunicorn sync workers, with the sync SDK clients.

    gunicorn -w 5 -b 127.0.0.1:PORT bench.systems.flask_sync:app

Same flow as the app's `/ask/stream`: one search through `azure.search.documents.SearchClient`,
then the answer streamed through `openai.OpenAI` and sent as NDJSON lines. A sync worker is
busy for the whole answer, so a server holds as many conversations as it has workers.
"""

from __future__ import annotations

from collections.abc import Iterator

import openai
from azure.core.credentials import AzureKeyCredential
from azure.search.documents import SearchClient
from flask import Flask, Response, request

from bench.systems.common import (
    FIELDS,
    MODEL,
    OPENAI_API_KEY,
    OPENAI_BASE_URL,
    SEARCH_ENDPOINT,
    SEARCH_INDEX,
    SEARCH_KEY,
    answer_messages,
    context_line,
    delta_line,
    error_line,
)

app = Flask(__name__)
model = openai.OpenAI(base_url=OPENAI_BASE_URL, api_key=OPENAI_API_KEY, max_retries=0)
search = SearchClient(SEARCH_ENDPOINT, SEARCH_INDEX, AzureKeyCredential(SEARCH_KEY), retry_total=0)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/ask/stream")
def ask_stream() -> Response:
    question = request.get_json()["messages"][-1]["content"]
    hits = list(search.search(search_text=question, top=3, select=FIELDS))
    messages = answer_messages(question, hits)
    stream = model.chat.completions.create(model=MODEL, messages=messages, stream=True)

    def lines() -> Iterator[bytes]:
        try:
            yield context_line(question, hits, messages)
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield delta_line(chunk.choices[0].delta.content)
        except Exception:  # the client gets a line, not a traceback
            yield error_line("The answer was interrupted.")
        finally:
            stream.close()

    return Response(lines(), content_type="application/x-ndjson")
