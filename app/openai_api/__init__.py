"""The OpenAI-compatible Chat Completions API over the answer flow (`/v1`, the route is
app/routes/openai_api.py): any OpenAI client can ask the documents.

    requests.py   the request body, every OpenAI field declared
    parsing.py    reading it, pydantic's errors told as OpenAI's (`param`)
    policy.py     what is honoured, ignored or refused; the request of the answer flow
    profiles.py   the `model`s: `ragchat` (as /chat) and `ragchat-ask` (as /ask)
    caller.py     API keys (keys.py) or identity-provider tokens
    cutoff.py     `stop` and `max_completion_tokens`, applied to the streamed answer
    usage.py      token usage, estimated
    completion.py the collected answer (`chat.completion`)
    chunks.py     the streamed answer (`chat.completion.chunk` events)
    responses.py  the response shapes, for the spec
    errors.py     every error in OpenAI's shape
"""
