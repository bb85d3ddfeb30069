import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ChatRequest } from "../api/types";
import { en } from "../i18n/en";
import { isCut } from "../lib/answer";
import {
  controlledStream,
  jsonResponse,
  ndjson,
  ndjsonResponse,
  sampleAnswerLines,
} from "../test/streams";
import { useConversation } from "./useConversation";

let online = true;

function goOnline(value: boolean) {
  online = value;
  act(() => {
    window.dispatchEvent(new Event(value ? "online" : "offline"));
  });
}

/** The response, its body failing with an AbortError when `signal` aborts, as fetch's does. */
function abortable(response: Response, signal: AbortSignal | null | undefined): Response {
  const source = response.body;
  if (!signal || !source) return response;
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal.addEventListener("abort", () => {
        controller.error(new DOMException("aborted", "AbortError"));
      });
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

function mockFetch(...responses: (Response | Error)[]) {
  const fetchMock = vi.fn<(url: string, init?: RequestInit) => Promise<Response>>((_, init) => {
    const next = responses.shift();
    if (!next) return Promise.reject(new Error("no more responses"));
    return next instanceof Error
      ? Promise.reject(next)
      : Promise.resolve(abortable(next, init?.signal));
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

function bodyOf(call: [string, RequestInit?] | undefined): ChatRequest {
  return JSON.parse(call?.[1]?.body as string) as ChatRequest;
}

/** A body that sends `text` and then fails as a dropped connection does in a browser. */
function droppedBody(text: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) {
        controller.error(new TypeError("network error"));
        return;
      }
      sent = true;
      controller.enqueue(new TextEncoder().encode(text));
    },
  });
}

const lines = sampleAnswerLines();

beforeEach(() => {
  online = true;
  vi.spyOn(navigator, "onLine", "get").mockImplementation(() => online);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("useConversation offline", () => {
  it("keeps a question asked offline, and sends it when the browser is back online", async () => {
    const fetchMock = mockFetch(ndjsonResponse(ndjson(...lines)));
    const { result } = renderHook(() => useConversation({ mode: "chat" }));
    goOnline(false);
    act(() => result.current.ask("What is the deductible?", { top: 2 }));

    expect(result.current.turns).toHaveLength(1);
    expect(result.current.turns[0]?.answer.status).toBe("queued");
    expect(result.current.busy).toBe(true);
    expect(fetchMock).not.toHaveBeenCalled();

    goOnline(true);
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("done"));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const request = bodyOf(fetchMock.mock.calls[0]);
    expect(request.messages).toEqual([{ role: "user", content: "What is the deductible?" }]);
    expect(request.context.overrides).toEqual({ top: 2 });
    expect(result.current.turns[0]?.answer.content).toMatch(/^The deductible is \$1,000/);
  });

  it("drops a waiting question when it is cancelled: nothing is sent once online", async () => {
    const fetchMock = mockFetch();
    const { result } = renderHook(() => useConversation({ mode: "chat" }));
    goOnline(false);
    act(() => result.current.ask("Kept?", {}));
    act(() => result.current.stop());
    expect(result.current.turns).toEqual([]);
    expect(result.current.busy).toBe(false);
    goOnline(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("queues, rather than fails, a question whose request fails because the network went", async () => {
    // navigator.onLine lags behind: true when asked, false once the fetch has failed.
    const fetchMock = vi.fn((): Promise<Response> => {
      online = false;
      return Promise.reject(new TypeError("Failed to fetch"));
    });
    vi.stubGlobal("fetch", fetchMock);
    const { result } = renderHook(() => useConversation({ mode: "chat" }));
    act(() => result.current.ask("Sent too soon", {}));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("queued"));
    expect(result.current.turns).toHaveLength(1);

    fetchMock.mockImplementation(() => Promise.resolve(ndjsonResponse(ndjson(...lines))));
    goOnline(true);
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("done"));
    expect(result.current.turns.map((turn) => turn.question)).toEqual(["Sent too soon"]);
  });
});

describe("useConversation errors", () => {
  it("ends a stream whose connection drops with a clear message; Retry asks again", async () => {
    const [context, first] = lines;
    mockFetch(
      ndjsonResponse(droppedBody(ndjson(context, first))),
      ndjsonResponse(ndjson(...lines)),
    );
    const onSettled = vi.fn();
    const { result } = renderHook(() => useConversation({ mode: "chat", onSettled }));
    act(() => result.current.ask("What is the deductible?", {}));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("error"));
    const answer = result.current.turns[0]?.answer;
    expect(answer?.error).toBe(en.errors.connectionLost);
    expect(answer?.content).toBe("The deductible is $1,000 ");
    expect(answer && isCut(answer)).toBe(true);
    expect(onSettled).toHaveBeenCalledTimes(1);

    act(() => result.current.retry({}));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("done"));
    expect(result.current.turns).toHaveLength(1);
    expect(result.current.turns[0]?.answer.error).toBeNull();
    expect(result.current.turns[0]?.question).toBe("What is the deductible?");
  });

  it("treats a stream that ends in the middle of a line as a lost connection", async () => {
    const [context] = lines;
    mockFetch(ndjsonResponse(ndjson(context) + '{"delta":{"role":"assistant","content":"The de'));
    const { result } = renderHook(() => useConversation({ mode: "chat" }));
    act(() => result.current.ask("q", {}));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("error"));
    expect(result.current.turns[0]?.answer.error).toBe(en.errors.connectionLost);
  });

  it("says the browser went offline when that is why the stream broke", async () => {
    const stream = controlledStream();
    mockFetch(ndjsonResponse(stream.stream));
    const { result } = renderHook(() => useConversation({ mode: "chat" }));
    act(() => result.current.ask("q", {}));
    stream.push(ndjson(lines[0], lines[1]));
    await waitFor(() => expect(result.current.turns[0]?.answer.content).not.toBe(""));
    online = false;
    act(() => {
      // What Chromium's fetch does to a body when the network goes.
      stream.error(new TypeError("network error"));
    });
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("error"));
    expect(result.current.turns[0]?.answer.error).toBe(en.errors.offline);
  });

  it("ends a streaming answer when the browser goes offline; one not begun waits", async () => {
    const streaming = controlledStream();
    const silent = controlledStream();
    mockFetch(
      ndjsonResponse(streaming.stream),
      ndjsonResponse(silent.stream),
      ndjsonResponse(ndjson(...lines)),
    );
    const { result } = renderHook(() => useConversation({ mode: "chat" }));
    act(() => result.current.ask("first", {}));
    streaming.push(ndjson(lines[0], lines[1]));
    await waitFor(() => expect(result.current.turns[0]?.answer.content).not.toBe(""));
    goOnline(false);
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("error"));
    expect(result.current.turns[0]?.answer.error).toBe(en.errors.offline);

    // Sent, but nothing came back before the network went: asked again once it is back.
    goOnline(true);
    act(() => result.current.ask("second", {}));
    await waitFor(() => expect(result.current.turns[1]?.answer.status).toBe("waiting"));
    goOnline(false);
    await waitFor(() => expect(result.current.turns[1]?.answer.status).toBe("queued"));
    goOnline(true);
    await waitFor(() => expect(result.current.turns[1]?.answer.status).toBe("done"));
    expect(result.current.turns.map((turn) => turn.question)).toEqual(["first", "second"]);
  });

  it("keeps the server's message from an error line, and the text before it as cut", async () => {
    mockFetch(ndjsonResponse(ndjson(lines[0], lines[1], { error: "The model failed." })));
    const { result } = renderHook(() => useConversation({ mode: "chat" }));
    act(() => result.current.ask("q", {}));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("error"));
    const answer = result.current.turns[0]?.answer;
    expect(answer?.error).toBe("The model failed.");
    expect(answer && isCut(answer)).toBe(true);
  });

  it("applies the lines that arrive within one frame in one update", async () => {
    const stream = controlledStream();
    mockFetch(ndjsonResponse(stream.stream));
    let renders = 0;
    const { result } = renderHook(() => {
      renders += 1;
      return useConversation({ mode: "chat" });
    });
    act(() => result.current.ask("q", {}));
    stream.push(ndjson(lines[0]));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("streaming"));
    const before = renders;
    // Each piece in a task of its own, as pieces come off the network: 30 in about 2 frames.
    const started = performance.now();
    for (let index = 0; index < 30; index += 1) {
      stream.push(ndjson({ delta: { role: "assistant", content: `${index} ` } }));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const frames = Math.ceil((performance.now() - started) / (1000 / 60));
    stream.close();
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("done"));
    expect(result.current.turns[0]?.answer.content).toBe(
      Array.from({ length: 30 }, (_, i) => `${i} `).join(""),
    );
    // At most one render per frame (and one for "done"), not one per piece.
    expect(renders - before).toBeLessThanOrEqual(frames + 2);
    expect(renders - before).toBeLessThan(30);
  });

  it("a server error before the stream starts keeps its message (no retry loop)", async () => {
    mockFetch(jsonResponse({ error: "The language model could not be reached." }, 503));
    const { result } = renderHook(() => useConversation({ mode: "chat" }));
    act(() => result.current.ask("q", {}));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("error"));
    expect(result.current.turns[0]?.answer.error).toBe("The language model could not be reached.");
    expect(result.current.turns[0]?.answer.content).toBe("");
  });
});
