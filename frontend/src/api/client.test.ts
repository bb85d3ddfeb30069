import { afterEach, describe, expect, it, vi } from "vitest";

import { en } from "../i18n/en";
import { jsonResponse, ndjson, ndjsonResponse } from "../test/streams";
import { ApiError, DEFAULT_CONFIG, fetchConfig, streamAnswer } from "./client";
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
  vi.unstubAllGlobals();
});

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
