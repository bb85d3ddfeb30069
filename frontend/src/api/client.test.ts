import { afterEach, describe, expect, it, vi } from "vitest";

import { en } from "../i18n/en";
import { jsonResponse, ndjson, ndjsonResponse } from "../test/streams";
import {
  ApiError,
  DEFAULT_CONFIG,
  NO_LOGIN,
  fetchAuthSetup,
  fetchConfig,
  fetchContent,
  setTokenSource,
  streamAnswer,
  type TokenSource,
} from "./client";
import type { ChatRequest, StreamLine } from "./types";

const request: ChatRequest = {
  messages: [{ role: "user", content: "Hi?" }],
  context: { overrides: { top: 3 } },
  session_state: null,
};

async function collect(iterable: AsyncIterable<StreamLine>): Promise<StreamLine[]> {
  const items: StreamLine[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function mockFetch(response: Response | Error | DOMException) {
  const fetchMock = vi.fn(() =>
    response instanceof Response ? Promise.resolve(response) : Promise.reject(response),
  );
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

afterEach(() => {
  setTokenSource(null);
  vi.unstubAllGlobals();
});

/** A signed-in session whose tokens are `tok-1`, then `tok-2`... on each refresh. */
function fakeTokens(options: { renew?: boolean } = {}) {
  let current = 1;
  const source = {
    getToken: vi.fn(({ refresh = false }: { refresh?: boolean } = {}) => {
      if (refresh) {
        if (options.renew === false) return Promise.reject(new Error("login_required"));
        current += 1;
      }
      return Promise.resolve(`tok-${current}`);
    }),
    onExpired: vi.fn(),
  } satisfies TokenSource;
  setTokenSource(source);
  return source;
}

/** Answers each request with the next response; records the Authorization header sent. */
function sequence(...responses: Response[]) {
  const sent: (string | null)[] = [];
  const fetchMock = vi.fn((_url: string, init?: RequestInit) => {
    sent.push(new Headers(init?.headers).get("Authorization"));
    const next = responses.shift();
    return next ? Promise.resolve(next) : Promise.reject(new Error("no more responses"));
  });
  vi.stubGlobal("fetch", fetchMock);
  return { fetchMock, sent };
}

const unauthorized = () => jsonResponse({ error: "The sign-in token has expired." }, 401);

describe("streamAnswer", () => {
  it("posts the request as JSON and yields each line", async () => {
    const fetchMock = mockFetch(ndjsonResponse(ndjson({ delta: { content: "A" } })));
    const lines = await collect(streamAnswer("/chat/stream", request));
    expect(lines).toEqual([{ delta: { content: "A" } }]);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/chat/stream");
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual(request);
  });

  it("throws the server's message for an error line, after the lines before it", async () => {
    mockFetch(ndjsonResponse(ndjson({ delta: { content: "A" } }, { error: "Model timed out." })));
    const seen: StreamLine[] = [];
    const reading = (async () => {
      for await (const line of streamAnswer("/chat/stream", request)) seen.push(line);
    })();
    await expect(reading).rejects.toEqual(new ApiError("Model timed out."));
    expect(seen).toEqual([{ delta: { content: "A" } }]);
  });

  it("throws the server's message and status for an HTTP error", async () => {
    const response = jsonResponse({ error: "The language model could not be reached." }, 503);
    response.headers.set("X-Request-ID", "abc123");
    mockFetch(response);
    const error = await collect(streamAnswer("/chat/stream", request)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe("The language model could not be reached.");
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).requestId).toBe("abc123");
  });

  it("says which status failed when the error body is not JSON", async () => {
    mockFetch(new Response("<h1>Bad gateway</h1>", { status: 502 }));
    await expect(collect(streamAnswer("/chat/stream", request))).rejects.toThrow(
      en.errors.status(502),
    );
  });

  it("turns a network failure into a readable error", async () => {
    mockFetch(new TypeError("Failed to fetch"));
    await expect(collect(streamAnswer("/chat/stream", request))).rejects.toThrow(en.errors.network);
  });

  it("turns an unreadable line into a readable error", async () => {
    mockFetch(ndjsonResponse("not json\n"));
    await expect(collect(streamAnswer("/chat/stream", request))).rejects.toThrow(
      en.errors.badStream,
    );
  });

  it("lets an abort through as an AbortError", async () => {
    mockFetch(new DOMException("aborted", "AbortError"));
    await expect(collect(streamAnswer("/chat/stream", request))).rejects.toHaveProperty(
      "name",
      "AbortError",
    );
  });
});

describe("fetchConfig", () => {
  it("fills missing fields with defaults", async () => {
    mockFetch(jsonResponse({ showVectorOption: true, notice: "No model." }));
    expect(await fetchConfig()).toEqual({
      ...DEFAULT_CONFIG,
      showVectorOption: true,
      notice: "No model.",
    });
  });
});

describe("bearer tokens", () => {
  it("sends the token with the answer stream", async () => {
    fakeTokens();
    const { sent } = sequence(ndjsonResponse(ndjson({ delta: { content: "A" } })));
    await collect(streamAnswer("/chat/stream", request));
    expect(sent).toEqual(["Bearer tok-1"]);
  });

  it("sends the token for /content, and none to the open set-up routes", async () => {
    fakeTokens();
    const { fetchMock, sent } = sequence(
      new Response("%PDF-1.7", { headers: { "Content-Type": "application/pdf" } }),
      jsonResponse({}),
      jsonResponse({ useLogin: true, provider: "oidc" }),
    );
    const file = await fetchContent("/content/plan.pdf#page=2");
    expect(new TextDecoder().decode(file.bytes)).toBe("%PDF-1.7");
    expect(file.type).toBe("application/pdf");
    await fetchConfig();
    expect(await fetchAuthSetup()).toEqual({ ...NO_LOGIN, useLogin: true, provider: "oidc" });
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual([
      "/content/plan.pdf",
      "/config",
      "/auth_setup",
    ]);
    expect(sent).toEqual(["Bearer tok-1", null, null]);
  });

  it("sends no Authorization header when nobody is signed in", async () => {
    setTokenSource({ getToken: () => Promise.resolve(null), onExpired: vi.fn() });
    const { sent } = sequence(ndjsonResponse(ndjson({ delta: { content: "A" } })));
    await collect(streamAnswer("/ask/stream", request));
    expect(sent).toEqual([null]);
  });

  it("renews the token once after a 401 and sends the same request again", async () => {
    const tokens = fakeTokens();
    const { fetchMock, sent } = sequence(
      unauthorized(),
      ndjsonResponse(ndjson({ delta: { content: "A" } })),
    );
    expect(await collect(streamAnswer("/chat/stream", request))).toEqual([
      { delta: { content: "A" } },
    ]);
    expect(sent).toEqual(["Bearer tok-1", "Bearer tok-2"]);
    expect(tokens.getToken).toHaveBeenLastCalledWith({ refresh: true });
    const bodies = fetchMock.mock.calls.map(
      ([, init]) => JSON.parse(init?.body as string) as unknown,
    );
    expect(bodies).toEqual([request, request]);
    expect(tokens.onExpired).not.toHaveBeenCalled();
  });

  it("asks to sign in again when the renewed token is refused too, without a third try", async () => {
    const tokens = fakeTokens();
    const { sent } = sequence(unauthorized(), unauthorized(), jsonResponse({}));
    const error = await fetchContent("/content/plan.pdf").catch((e: unknown) => e);
    expect(error).toEqual(new ApiError(en.auth.expired, 401));
    expect(sent).toEqual(["Bearer tok-1", "Bearer tok-2"]);
    expect(tokens.onExpired).toHaveBeenCalledTimes(1);
  });

  it("asks to sign in again when the token cannot be renewed silently", async () => {
    const tokens = fakeTokens({ renew: false });
    const { sent } = sequence(unauthorized(), jsonResponse({}));
    await expect(collect(streamAnswer("/chat/stream", request))).rejects.toThrow(en.auth.expired);
    expect(sent).toEqual(["Bearer tok-1"]);
    expect(tokens.onExpired).toHaveBeenCalledTimes(1);
  });

  it("shows an anonymous caller's 401 as the server says it, without renewing", async () => {
    const onExpired = vi.fn();
    const getToken = vi.fn(() => Promise.resolve(null));
    setTokenSource({ getToken, onExpired });
    sequence(jsonResponse({ error: "Sign in to use this service." }, 401));
    await expect(collect(streamAnswer("/chat/stream", request))).rejects.toThrow(
      "Sign in to use this service.",
    );
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(onExpired).not.toHaveBeenCalled();
  });

  it("shows a 403's message as given", async () => {
    fakeTokens();
    const message = "Your account is in more groups than fit in a sign-in token.";
    sequence(jsonResponse({ error: message }, 403));
    const error = await collect(streamAnswer("/chat/stream", request)).catch((e: unknown) => e);
    expect(error).toEqual(new ApiError(message, 403));
  });

  it("turns a 404 from /content into 'not available to you'", async () => {
    fakeTokens();
    sequence(jsonResponse({ error: "Not found." }, 404));
    await expect(fetchContent("/content/.uploads/x/a.pdf")).rejects.toEqual(
      new ApiError(en.evidence.notAvailable, 404),
    );
  });
});
