import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { en } from "../i18n/en";
import { newTurn, type Turn } from "../lib/answer";
import { BrowserHistoryStore, toConversation, type ConversationStore } from "../lib/historyStore";
import { ServerHistoryStore } from "../lib/serverHistoryStore";
import { fakeHistoryServer } from "../test/historyServer";
import { jsonResponse } from "../test/streams";
import { useHistory } from "./useHistory";

let dbCount = 0;
const browsers: BrowserHistoryStore[] = [];

afterEach(async () => {
  for (const browser of browsers.splice(0)) await browser.close();
  vi.unstubAllGlobals();
});

function answered(question: string): Turn {
  const turn = newTurn(question);
  return { ...turn, answer: { ...turn.answer, content: "Yes.", status: "done" } };
}

const parts = (id: string, turns: Turn[]) => ({ id, turns, sessionState: null, createdAt: 1 });

async function browserWith(count: number) {
  const browser = new BrowserHistoryStore(`hook-${++dbCount}`);
  browsers.push(browser);
  for (let i = 0; i < count; i++) {
    await browser.put(toConversation(parts(`b${i}`, [answered(`Old ${i}?`)]), null, 10 + i));
  }
  return browser;
}

describe("useHistory", () => {
  it("moves the browser's conversations to the server once, then lists them", async () => {
    const server = fakeHistoryServer().install();
    const browser = await browserWith(2);
    const store = new ServerHistoryStore();
    const first = renderHook(() => useHistory(store, { moveFrom: browser }));
    await waitFor(() => expect(first.result.current.items.map((i) => i.id)).toEqual(["b1", "b0"]));
    expect(first.result.current.moveNotice).toBeNull();
    first.unmount();

    // Shown again (another page, the same store): no second move.
    const again = renderHook(() => useHistory(store, { moveFrom: browser }));
    await waitFor(() => expect(again.result.current.items).toHaveLength(2));
    expect(server.calls("POST", "/chat_history")).toHaveLength(2);
    expect((await browser.list()).items).toEqual([]);
  });

  it("says once that the server has no room, and keeps what it did not take", async () => {
    const server = fakeHistoryServer().install();
    server.intercept(({ method }) =>
      method === "POST"
        ? jsonResponse({ error: "id: you already have 500 saved conversations" }, 409)
        : undefined,
    );
    const browser = await browserWith(3);
    const store = new ServerHistoryStore();
    const { result } = renderHook(() => useHistory(store, { moveFrom: browser }));
    await waitFor(() =>
      expect(result.current.moveNotice).toBe(
        en.history.moveFull("id: you already have 500 saved conversations"),
      ),
    );
    expect(server.calls("POST", "/chat_history")).toHaveLength(1);
    expect((await browser.list()).items).toHaveLength(3);
  });

  it("puts a saved conversation at the top, and saves one asked before the store was known", async () => {
    const server = fakeHistoryServer().install();
    let store: ConversationStore | null = null;
    const { result, rerender } = renderHook(() => useHistory(store));
    act(() => result.current.save(parts("early", [answered("Early?")])));
    expect(server.requests).toHaveLength(0);

    store = new ServerHistoryStore();
    rerender();
    await waitFor(() => expect(result.current.items.map((i) => i.id)).toEqual(["early"]));
    act(() => result.current.save(parts("later", [answered("Later?")])));
    await waitFor(() => expect(result.current.items.map((i) => i.id)).toEqual(["later", "early"]));
  });

  it("runs a rename after the save before it, and the saves after it keep the new title", async () => {
    const server = fakeHistoryServer().install();
    const store = new ServerHistoryStore();
    const { result } = renderHook(() => useHistory(store));
    await waitFor(() => expect(result.current.loading).toBe(false));
    act(() => result.current.save(parts("c", [answered("First?")])));
    await act(() => result.current.rename("c", "Renamed"));
    act(() => result.current.save(parts("c", [answered("First?"), answered("Second?")])));
    await waitFor(() => expect(server.calls("POST", "/chat_history")).toHaveLength(2));
    expect(server.requests.filter((r) => r.method !== "GET").map((r) => r.method)).toEqual([
      "POST",
      "PATCH",
      "POST",
    ]);
    expect(server.calls("POST", "/chat_history")[1]?.body).toMatchObject({ title: "Renamed" });
    await waitFor(() =>
      expect(result.current.items).toEqual([expect.objectContaining({ title: "Renamed" })]),
    );
  });

  it("ready() waits for the save, tries a failed one again, and rejects if it fails again", async () => {
    const server = fakeHistoryServer().install();
    let failures = 1;
    server.intercept(({ method }) => {
      if (method !== "POST" || failures === 0) return undefined;
      failures -= 1;
      return jsonResponse({ error: "Service unavailable" }, 503);
    });
    const store = new ServerHistoryStore();
    const { result } = renderHook(() => useHistory(store));
    act(() => result.current.save(parts("c", [answered("Q?")])));
    await waitFor(() =>
      expect(result.current.saveProblem).toEqual({ id: "c", message: "Service unavailable" }),
    );

    await act(() => result.current.ready("c")); // saved on the second try
    expect(server.calls("POST", "/chat_history")).toHaveLength(2);
    expect(result.current.saveProblem).toBeNull();

    failures = 2;
    act(() => result.current.save(parts("c", [answered("Q?"), answered("R?")])));
    await expect(result.current.ready("c")).rejects.toThrow("Service unavailable");
  });
});
