import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { App } from "./App";
import type { ChatRequest } from "./api/types";
import { startAuth } from "./auth";
import { en } from "./i18n/en";
import { SETTINGS_KEY } from "./lib/settings";
import {
  controlledStream,
  jsonResponse,
  ndjson,
  ndjsonResponse,
  sampleAnswerLines,
} from "./test/streams";

type Handler = (request: ChatRequest, signal: AbortSignal | undefined) => Response;

/** A fake server: `/config`, and answers made by the queued handlers, one per request. */
function fakeServer(config: Record<string, unknown> = {}) {
  const answers: Handler[] = [];
  const requests: ChatRequest[] = [];
  const fetchMock = vi.fn((url: string, init?: RequestInit) => {
    if (url === "/config") {
      return Promise.resolve(
        jsonResponse({ notice: "No language model is configured.", ...config }),
      );
    }
    if (url === "/auth_setup") return Promise.resolve(jsonResponse({ useLogin: false }));
    const request = JSON.parse(init?.body as string) as ChatRequest;
    requests.push(request);
    const handler = answers.shift();
    if (!handler) throw new Error(`unexpected request to ${url}`);
    return Promise.resolve(handler(request, init?.signal ?? undefined));
  });
  vi.stubGlobal("fetch", fetchMock);
  return { answers, requests, fetchMock };
}

/** A stream the test feeds, which errors like a real body when the request is aborted. */
function abortableStream(signal: AbortSignal | undefined) {
  const stream = controlledStream();
  let failed = false;
  const fail = () => {
    failed = true;
  };
  signal?.addEventListener("abort", fail);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const reader = stream.stream.getReader();
      try {
        for (;;) {
          const { done, value } = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) =>
              signal?.addEventListener("abort", () => {
                reject(new DOMException("aborted", "AbortError"));
              }),
            ),
          ]);
          if (done) break;
          controller.enqueue(value);
        }
        controller.close();
      } catch (error) {
        controller.error(error);
      } finally {
        reader.releaseLock();
      }
    },
  });
  return { ...stream, body, aborted: () => failed };
}

beforeEach(() => {
  window.location.hash = "";
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("chat page", () => {
  it("streams an answer in, stops it, and offers Retry", async () => {
    const user = userEvent.setup();
    const server = fakeServer();
    let live: ReturnType<typeof abortableStream> | undefined;
    server.answers.push((_, signal) => {
      live = abortableStream(signal);
      return ndjsonResponse(live.body);
    });
    render(<App auth={startAuth()} />);
    expect(await screen.findByRole("note")).toHaveTextContent("No language model is configured.");

    await user.click(screen.getByRole("button", { name: en.chat.examples[0] }));
    expect(await screen.findByText(en.answer.waiting, { selector: "p" })).toBeInTheDocument();
    const [first, second] = sampleAnswerLines();
    live?.push(ndjson(first, second));
    expect(await screen.findByText(/The deductible is \$1,000/)).toBeInTheDocument();
    expect(screen.getAllByRole("status").some((s) => s.textContent === en.answer.streaming)).toBe(
      true,
    );

    await user.click(screen.getByRole("button", { name: en.input.stop }));
    expect(await screen.findByText(en.answer.stoppedLabel)).toBeInTheDocument();
    expect(live?.aborted()).toBe(true);
    expect(screen.getByText(/The deductible is \$1,000/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: en.errors.retry })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: en.input.send })).toBeInTheDocument();
  });

  it("sends the conversation, the settings and the session state with each question", async () => {
    const user = userEvent.setup();
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ top: 5, temperature: 0.2 }));
    const server = fakeServer();
    const answer = ndjson(...sampleAnswerLines({ followups: ["Who is eligible?"] }));
    server.answers.push(
      () => ndjsonResponse(answer),
      () => ndjsonResponse(answer),
    );
    render(<App auth={startAuth()} />);

    await user.type(screen.getByLabelText(en.input.label), "What is the deductible?{Enter}");
    const chip = await screen.findByRole("button", { name: "Who is eligible?" });
    await user.click(chip);
    await waitFor(() => expect(server.requests).toHaveLength(2));
    const [firstRequest, secondRequest] = server.requests;
    expect(firstRequest).toEqual({
      messages: [{ role: "user", content: "What is the deductible?" }],
      context: {
        overrides: {
          retrieval_mode: "text",
          top: 5,
          temperature: 0.2,
          suggest_followup_questions: true,
        },
      },
      session_state: null,
    });
    expect(secondRequest?.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(secondRequest?.messages[2]?.content).toBe("Who is eligible?");
  });

  it("shows an HTTP error's message and retries", async () => {
    const user = userEvent.setup();
    const server = fakeServer();
    server.answers.push(
      () => jsonResponse({ error: "The language model could not be reached." }, 503),
      () => ndjsonResponse(ndjson(...sampleAnswerLines())),
    );
    render(<App auth={startAuth()} />);
    await user.click(screen.getByRole("button", { name: en.chat.examples[1] }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The language model could not be reached.",
    );
    await user.click(screen.getByRole("button", { name: en.errors.retry }));
    expect(await screen.findByText(/The deductible is \$1,000/)).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(server.requests).toHaveLength(2);
  });

  it("shows an error line from the stream after the text that came before it", async () => {
    const user = userEvent.setup();
    const server = fakeServer();
    const [first, second] = sampleAnswerLines();
    server.answers.push(() =>
      ndjsonResponse(ndjson(first, second, { error: "The model stopped answering." })),
    );
    render(<App auth={startAuth()} />);
    await user.click(screen.getByRole("button", { name: en.chat.examples[2] }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The model stopped answering.");
    expect(screen.getByText(/The deductible is \$1,000/)).toBeInTheDocument();
  });

  it("saves conversations to history and reopens them", async () => {
    const user = userEvent.setup();
    const server = fakeServer();
    server.answers.push(() => ndjsonResponse(ndjson(...sampleAnswerLines())));
    render(<App auth={startAuth()} />);
    await user.type(screen.getByLabelText(en.input.label), "Plus plan deductible?{Enter}");
    await screen.findByRole("list", { name: en.answer.citations });

    await user.click(screen.getByRole("button", { name: en.chat.clear }));
    expect(screen.queryByText(/The deductible is \$1,000/)).toBeNull();

    await user.click(screen.getByRole("button", { name: en.header.history }));
    const drawer = screen.getByRole("dialog", { name: en.history.title });
    await user.click(
      await within(drawer).findByRole("button", { name: /^Plus plan deductible\?/ }),
    );
    expect(await screen.findByText(/The deductible is \$1,000/)).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: en.history.title })).toBeNull();
  });
});

describe("ask page", () => {
  it("answers one question at a time through /ask/stream", async () => {
    const user = userEvent.setup();
    window.location.hash = "#/ask";
    const server = fakeServer();
    server.answers.push(
      () => ndjsonResponse(ndjson(...sampleAnswerLines())),
      () => ndjsonResponse(ndjson(...sampleAnswerLines())),
    );
    render(<App auth={startAuth()} />);
    expect(screen.getByRole("link", { name: en.nav.ask })).toHaveAttribute("aria-current", "page");
    await user.type(screen.getByLabelText(en.input.label), "First?{Enter}");
    await screen.findByRole("list", { name: en.answer.citations });
    await user.type(screen.getByLabelText(en.input.label), "Second?{Enter}");
    await waitFor(() => expect(server.requests).toHaveLength(2));
    await screen.findByRole("list", { name: en.answer.citations });
    expect(server.fetchMock.mock.calls.filter(([url]) => url === "/ask/stream")).toHaveLength(2);
    expect(server.requests[1]?.messages).toEqual([{ role: "user", content: "Second?" }]);
    expect(screen.queryByText("First?")).toBeNull();
  });
});
