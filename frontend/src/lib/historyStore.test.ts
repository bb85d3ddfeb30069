import { afterEach, describe, expect, it } from "vitest";

import { en } from "../i18n/en";
import { newTurn, type Turn } from "./answer";
import {
  BrowserHistoryStore,
  browserDbName,
  DB_NAME,
  MAX_CONVERSATIONS,
  toConversation,
} from "./historyStore";

let store: BrowserHistoryStore;
let dbCount = 0;

function freshStore() {
  store = new BrowserHistoryStore(`test-${++dbCount}`);
  return store;
}

function record(id: string, turns: Turn[], createdAt: number, now: number, sessionState = null) {
  return toConversation({ id, turns, sessionState, createdAt }, null, now);
}

afterEach(async () => {
  await store.close();
});

describe("BrowserHistoryStore", () => {
  it("lists conversations by last update, newest first, and reopens and deletes them", async () => {
    const history = freshStore();
    expect(await history.put(record("a", [newTurn("First?")], 1, 10))).toEqual({
      id: "a",
      title: "First?",
      updatedAt: 10,
    });
    await history.put(record("b", [newTurn("Second?")], 2, 20));
    const page = await history.list();
    expect(page.next).toBeNull();
    expect(page.items.map((c) => [c.id, c.title])).toEqual([
      ["b", "Second?"],
      ["a", "First?"],
    ]);
    await history.put(record("a", [newTurn("First?"), newTurn("More?")], 1, 30));
    expect((await history.list()).items.map((c) => c.id)).toEqual(["a", "b"]);
    expect((await history.get("a"))?.turns).toHaveLength(2);
    await history.delete("a");
    expect((await history.list()).items.map((c) => c.id)).toEqual(["b"]);
  });

  it("renames a conversation, which moves it to the top", async () => {
    const history = freshStore();
    await history.put(record("a", [newTurn("First?")], 1, 10));
    await history.put(record("b", [newTurn("Second?")], 2, 20));
    expect(await history.rename("a", "  Leave  ", 30)).toEqual({
      id: "a",
      title: "Leave",
      updatedAt: 30,
    });
    expect((await history.list()).items.map((c) => [c.id, c.title])).toEqual([
      ["a", "Leave"],
      ["b", "Second?"],
    ]);
    await expect(history.rename("a", "   ")).rejects.toThrow(en.history.titleLength);
    await expect(history.rename("nope", "Title")).rejects.toThrow(en.history.missing);
  });

  it("keeps at most MAX_CONVERSATIONS, dropping the oldest", async () => {
    const history = freshStore();
    for (let i = 0; i <= MAX_CONVERSATIONS; i++) {
      await history.put(record(`c${i}`, [newTurn(`Q${i}?`)], i, i));
    }
    const ids = (await history.list()).items.map((c) => c.id);
    expect(ids).toHaveLength(MAX_CONVERSATIONS);
    expect(ids).not.toContain("c0");
  });
});

describe("browserDbName", () => {
  it("keeps the anonymous database, and names one per user from a hash of their id", () => {
    expect(browserDbName(null)).toBe(DB_NAME);
    expect(browserDbName("")).toBe("ragchat-user-cbf29ce484222325"); // FNV-1a's offset basis
    expect(browserDbName("a")).toBe("ragchat-user-af63dc4c8601ec8c"); // its published value
    const alice = browserDbName("user-alice");
    expect(alice).toMatch(/^ragchat-user-[0-9a-f]{16}$/);
    expect(browserDbName("user-alice")).toBe(alice);
    expect(browserDbName("user-bob")).not.toBe(alice);
    expect(browserDbName("ü")).not.toBe(browserDbName("u"));
  });
});

describe("toConversation", () => {
  it("titles a conversation by its first question and stores unfinished answers as stopped", () => {
    const streaming = newTurn("  Parental\n leave?  ");
    streaming.answer.status = "streaming";
    const conversation = record("id", [streaming], 5, 6);
    expect(conversation.title).toBe("Parental leave?");
    expect(conversation.turns[0]?.answer.status).toBe("stopped");
    expect(conversation).toMatchObject({ createdAt: 5, updatedAt: 6 });
  });

  it("keeps a title it is given, cut to 200 characters", () => {
    const parts = { id: "id", turns: [newTurn("Q?")], sessionState: null, createdAt: 1 };
    expect(toConversation(parts, "Renamed").title).toBe("Renamed");
    expect(toConversation(parts, "é".repeat(250)).title).toBe("é".repeat(200));
  });
});
