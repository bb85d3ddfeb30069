import { afterEach, describe, expect, it, vi } from "vitest";

import { fakeHistoryServer } from "../test/historyServer";
import { jsonResponse } from "../test/streams";
import { newTurn } from "./answer";
import { BrowserHistoryStore, toConversation } from "./historyStore";
import { moveConversations } from "./migrateHistory";
import { ServerHistoryStore } from "./serverHistoryStore";

let browser: BrowserHistoryStore;
let dbCount = 0;

afterEach(async () => {
  await browser.close();
  vi.unstubAllGlobals();
});

/** A browser store holding conversations c0 (oldest) ... c<n-1> (newest). */
async function browserWith(count: number) {
  browser = new BrowserHistoryStore(`move-${++dbCount}`);
  for (let i = 0; i < count; i++) {
    const turn = newTurn(`Question ${i}?`);
    turn.answer = { ...turn.answer, content: `Answer ${i}.`, status: "done" };
    const parts = { id: `c${i}`, turns: [turn], sessionState: null, createdAt: i };
    await browser.put(toConversation(parts, null, 100 + i));
  }
  return browser;
}

const ids = async (store: BrowserHistoryStore) => (await store.list()).items.map((c) => c.id);

describe("moveConversations", () => {
  it("moves every conversation, oldest first, and empties the browser's store", async () => {
    const server = fakeHistoryServer().install();
    const from = await browserWith(3);
    const result = await moveConversations(from, new ServerHistoryStore());

    expect(result).toEqual({ moved: 3, kept: 0, full: null, error: null });
    expect(server.calls("POST", "/chat_history").map((r) => (r.body as { id: string }).id)).toEqual(
      ["c0", "c1", "c2"],
    );
    expect(server.sessions.get("c1")).toMatchObject({
      title: "Question 1?",
      answers: [
        [
          "Question 1?",
          expect.objectContaining({ message: { role: "assistant", content: "Answer 1." } }),
        ],
      ],
    });
    expect(await ids(from)).toEqual([]);
    // Newest on top on the server too.
    expect((await new ServerHistoryStore().list()).items.map((c) => c.id)).toEqual([
      "c2",
      "c1",
      "c0",
    ]);
  });

  it("keeps a conversation the server refused and moves the rest; a retry makes no copy", async () => {
    const server = fakeHistoryServer().install();
    const from = await browserWith(3);
    let failing = true;
    server.intercept(({ method, body }) =>
      failing && method === "POST" && (body as { id: string }).id === "c1"
        ? jsonResponse({ error: "answers: the conversation is too large" }, 413)
        : undefined,
    );

    const first = await moveConversations(from, new ServerHistoryStore());
    expect(first).toEqual({
      moved: 2,
      kept: 1,
      full: null,
      error: "answers: the conversation is too large",
    });
    expect(await ids(from)).toEqual(["c1"]);
    expect([...server.sessions.keys()].sort()).toEqual(["c0", "c2"]);

    // The next load: only what is left is sent, under the same id.
    failing = false;
    const second = await moveConversations(from, new ServerHistoryStore());
    expect(second).toMatchObject({ moved: 1, kept: 0 });
    expect(await ids(from)).toEqual([]);
    expect([...server.sessions.keys()].sort()).toEqual(["c0", "c1", "c2"]);
    expect(server.calls("POST", "/chat_history")).toHaveLength(4);
  });

  it("does not duplicate a conversation whose save reached the server but whose deletion failed", async () => {
    const server = fakeHistoryServer().install();
    const from = await browserWith(2);
    const remove = vi.spyOn(from, "delete").mockRejectedValueOnce(new Error("IndexedDB closed"));

    expect(await moveConversations(from, new ServerHistoryStore())).toMatchObject({ moved: 2 });
    expect(await ids(from)).toEqual(["c0"]);
    remove.mockRestore();

    expect(await moveConversations(from, new ServerHistoryStore())).toMatchObject({ moved: 1 });
    expect(await ids(from)).toEqual([]);
    expect(server.sessions.size).toBe(2); // c0 saved twice under its own id: replaced, not copied
    expect((await new ServerHistoryStore().list()).items).toHaveLength(2);
  });

  it("stops at the first 409 (too many conversations) and keeps that one and the rest", async () => {
    const server = fakeHistoryServer().install();
    const from = await browserWith(4);
    server.intercept(({ method }) =>
      method === "POST" && server.sessions.size >= 1
        ? jsonResponse({ error: "id: you already have 1 saved conversations" }, 409)
        : undefined,
    );

    const result = await moveConversations(from, new ServerHistoryStore());
    expect(result).toEqual({
      moved: 1,
      kept: 3,
      full: "id: you already have 1 saved conversations",
      error: null,
    });
    expect(server.calls("POST", "/chat_history")).toHaveLength(2); // not one more after the 409
    expect(await ids(from)).toEqual(["c3", "c2", "c1"]);
  });

  it("does nothing without IndexedDB", async () => {
    const server = fakeHistoryServer().install();
    browser = new BrowserHistoryStore("unused");
    vi.spyOn(browser, "list").mockRejectedValue(new Error("no IndexedDB"));
    expect(await moveConversations(browser, new ServerHistoryStore())).toEqual({
      moved: 0,
      kept: 0,
      full: null,
      error: null,
    });
    expect(server.requests).toHaveLength(0);
  });
});
