import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError, setTokenSource } from "../api/client";
import type { StreamLine } from "../api/types";
import { fakeHistoryServer } from "../test/historyServer";
import { jsonResponse, sampleAnswerLines } from "../test/streams";
import { applyLine, newTurn, type Turn } from "./answer";
import { toConversation } from "./historyStore";
import { ServerHistoryStore } from "./serverHistoryStore";
import { toStoredResponse } from "./storedTurns";

afterEach(() => {
  setTokenSource(null);
  vi.unstubAllGlobals();
});

/** A finished turn built from the sample stream, as useConversation leaves it. */
function answeredTurn(question: string, change: Partial<Turn["answer"]> = {}): Turn {
  const events = sampleAnswerLines({ followups: ["Who is eligible?"] }) as StreamLine[];
  const turn = newTurn(question);
  const answer = events.reduce(applyLine, turn.answer);
  return {
    ...turn,
    answer: { ...answer, status: "done", ...change },
    events,
    overrides: { top: 3, retrieval_mode: "text" },
    sessionState: "s-1",
  };
}

function conversation(id: string, turns: Turn[], title: string | null = null) {
  return toConversation({ id, turns, sessionState: "s-1", createdAt: 1 }, title, 2);
}

describe("ServerHistoryStore", () => {
  it("saves the whole conversation, each answer with its stream lines, settings and ending", async () => {
    const server = fakeHistoryServer().install();
    const store = new ServerHistoryStore();
    const done = answeredTurn("Plus plan deductible?");
    const failed = answeredTurn("And the Basic plan?", {
      status: "error",
      error: "The model stopped answering.",
      errorId: "req-1",
    });
    const summary = await store.put(conversation("c-1", [done, failed], "Deductibles"));

    expect(summary).toMatchObject({ id: "c-1", title: "Deductibles" });
    expect(summary.updatedAt).toBeGreaterThan(0);
    const [post] = server.calls("POST", "/chat_history");
    expect(post?.headers.get("Content-Type")).toBe("application/json");
    // Cookies go with it (the anonymous id): fetch's same-origin default, never "omit".
    expect(post?.credentials).not.toBe("omit");
    expect(post?.body).toEqual({
      id: "c-1",
      title: "Deductibles",
      answers: [
        [
          "Plus plan deductible?",
          {
            message: { role: "assistant", content: done.answer.content },
            context: {
              data_points: done.answer.dataPoints,
              thoughts: done.answer.thoughts,
              followup_questions: ["Who is eligible?"],
            },
            session_state: "s-1",
            events: done.events,
            settings: { top: 3, retrieval_mode: "text" },
            status: "done",
            error: null,
          },
        ],
        [
          "And the Basic plan?",
          expect.objectContaining({
            status: "error",
            error: "The model stopped answering.",
            error_id: "req-1",
          }),
        ],
      ],
    });
  });

  it("reopens a saved conversation exactly as it was shown", async () => {
    fakeHistoryServer().install();
    const store = new ServerHistoryStore();
    const stopped = answeredTurn("Parental leave?", { status: "stopped" });
    const failed = answeredTurn("Again?", { status: "error", error: "Down.", errorId: "r-9" });
    await store.put(conversation("c-2", [stopped, failed]));

    const reopened = await store.get("c-2");
    expect(reopened).toMatchObject({ id: "c-2", title: "Parental leave?", sessionState: "s-1" });
    const strip = (turn: Turn) => ({ ...turn, id: "" }); // a reopened turn gets a new id
    expect(reopened?.turns.map(strip)).toEqual([strip(stopped), strip(failed)]);
  });

  it("reads answers other clients saved: no events, no status", async () => {
    const server = fakeHistoryServer().install();
    server.sessions.set("demo", {
      id: "demo",
      title: "From the demo app",
      created: 1,
      timestamp: 2,
      answers: [
        ["Q?", { message: { role: "assistant", content: "A [a.pdf]." }, context: {} }],
        "not a pair",
      ],
    });
    const turns = (await new ServerHistoryStore().get("demo"))?.turns ?? [];
    expect(turns).toHaveLength(1);
    expect(turns[0]?.answer).toMatchObject({
      content: "A [a.pdf].",
      status: "done",
      dataPoints: null,
    });
    expect(turns[0]?.events).toBeUndefined();
    // Saved again as it came: without events, so the server's export makes its own.
    expect(turns[0] && toStoredResponse(turns[0])).not.toHaveProperty("events");
  });

  it("lists 20 at a time, newest first, and follows the continuation token", async () => {
    const server = fakeHistoryServer().install();
    const store = new ServerHistoryStore();
    for (let i = 0; i < 25; i++) await store.put(conversation(`c${i}`, [answeredTurn(`Q${i}?`)]));

    const first = await store.list();
    expect(server.calls("GET", "/chat_history/sessions").at(-1)?.url).toBe(
      "/chat_history/sessions?count=20",
    );
    expect(first.items).toHaveLength(20);
    expect(first.items[0]).toMatchObject({ id: "c24", title: "Q24?" });
    expect(first.next).toBe("c5");

    const second = await store.list(first.next);
    expect(server.calls("GET", "/chat_history/sessions").at(-1)?.url).toBe(
      "/chat_history/sessions?count=20&continuation_token=c5",
    );
    expect(second.items.map((item) => item.id)).toEqual(["c4", "c3", "c2", "c1", "c0"]);
    expect(second.next).toBeNull();
  });

  it("renames with PATCH and deletes with DELETE; a missing one is undefined", async () => {
    const server = fakeHistoryServer().install();
    const store = new ServerHistoryStore();
    await store.put(conversation("a/b", [answeredTurn("Q?")]));
    expect(server.sessions.has("a/b")).toBe(true);

    expect(await store.rename("a/b", "Leave")).toMatchObject({ id: "a/b", title: "Leave" });
    const [patch] = server.calls("PATCH", "/chat_history/sessions/a%2Fb");
    expect(patch?.body).toEqual({ title: "Leave" });

    await store.delete("a/b");
    expect(server.calls("DELETE", "/chat_history/sessions/a%2Fb")).toHaveLength(1);
    expect(await store.get("a/b")).toBeUndefined();
    await expect(store.delete("a/b")).rejects.toMatchObject({ status: 404 });
  });

  it("throws the server's own message: a bad title, too many, too large", async () => {
    const server = fakeHistoryServer().install();
    const store = new ServerHistoryStore();
    await store.put(conversation("c", [answeredTurn("Q?")]));
    await expect(store.rename("c", " ")).rejects.toEqual(
      new ApiError("title: at least 1 character", 400),
    );
    server.intercept(({ method }) =>
      method === "POST"
        ? jsonResponse({ error: "id: you already have 500 saved" }, 409)
        : undefined,
    );
    await expect(store.put(conversation("d", [answeredTurn("Q?")]))).rejects.toEqual(
      new ApiError("id: you already have 500 saved", 409),
    );
  });

  it("sends the signed-in user's token", async () => {
    const server = fakeHistoryServer().install();
    setTokenSource({ getToken: () => Promise.resolve("tok-1"), onExpired: vi.fn() });
    await new ServerHistoryStore().list();
    expect(server.requests[0]?.headers.get("Authorization")).toBe("Bearer tok-1");
  });

  it("sends one request at a time until the server has answered one (it sets the cookie)", async () => {
    const server = fakeHistoryServer().install();
    let answerFirst!: () => void;
    const held = new Promise<void>((resolve) => (answerFirst = resolve));
    let first = true;
    server.intercept(async () => {
      if (!first) return undefined;
      first = false;
      await held;
      return undefined;
    });
    const store = new ServerHistoryStore();
    const listed = store.list();
    const saved = store.put(conversation("c", [answeredTurn("Q?")]));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(server.requests).toHaveLength(1);
    answerFirst();
    await Promise.all([listed, saved]);
    expect(server.requests.map((r) => r.method)).toEqual(["GET", "POST"]);

    // From then on, requests go in parallel.
    await Promise.all([store.list(), store.list()]);
    expect(server.requests).toHaveLength(4);
  });
});
