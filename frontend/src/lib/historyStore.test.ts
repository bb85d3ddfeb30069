import { afterEach, describe, expect, it } from "vitest";

import { newTurn } from "./answer";
import { HistoryStore, MAX_CONVERSATIONS, toConversation } from "./historyStore";

let store: HistoryStore;
let dbCount = 0;

function freshStore() {
  store = new HistoryStore(`test-${++dbCount}`);
  return store;
}

afterEach(async () => {
  await store.close();
});

describe("HistoryStore", () => {
  it("lists conversations by last update, newest first, and reopens and deletes them", async () => {
    const history = freshStore();
    await history.put(toConversation("a", [newTurn("First?")], null, 1, 10));
    await history.put(toConversation("b", [newTurn("Second?")], null, 2, 20));
    expect((await history.list()).map((c) => [c.id, c.title])).toEqual([
      ["b", "Second?"],
      ["a", "First?"],
    ]);
    await history.put(toConversation("a", [newTurn("First?"), newTurn("More?")], "s", 1, 30));
    expect((await history.list()).map((c) => c.id)).toEqual(["a", "b"]);
    expect((await history.get("a"))?.turns).toHaveLength(2);
    await history.delete("a");
    expect((await history.list()).map((c) => c.id)).toEqual(["b"]);
  });

  it("keeps at most MAX_CONVERSATIONS, dropping the oldest", async () => {
    const history = freshStore();
    for (let i = 0; i <= MAX_CONVERSATIONS; i++) {
      await history.put(toConversation(`c${i}`, [newTurn(`Q${i}?`)], null, i, i));
    }
    const ids = (await history.list()).map((c) => c.id);
    expect(ids).toHaveLength(MAX_CONVERSATIONS);
    expect(ids).not.toContain("c0");
  });
});

describe("toConversation", () => {
  it("titles a conversation by its first question and stores unfinished answers as stopped", () => {
    const streaming = newTurn("  Parental leave?  ");
    streaming.answer.status = "streaming";
    const conversation = toConversation("id", [streaming], null, 5, 6);
    expect(conversation.title).toBe("Parental leave?");
    expect(conversation.turns[0]?.answer.status).toBe("stopped");
    expect(conversation).toMatchObject({ createdAt: 5, updatedAt: 6 });
  });
});
