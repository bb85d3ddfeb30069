import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { App } from "../App";
import { NO_LOGIN } from "../api/client";
import type { StoredResponse } from "../api/types";
import { startAuth, type AuthSession, type AuthStart, type AuthUser } from "../auth";
import { en } from "../i18n/en";
import { newTurn } from "../lib/answer";
import { BrowserHistoryStore, browserDbName, toConversation } from "../lib/historyStore";
import { fakeHistoryServer } from "../test/historyServer";
import { jsonResponse, ndjson, ndjsonResponse, sampleAnswerLines } from "../test/streams";

const ANSWER = /The deductible is \$1,000/;

/** The fake history server, answering questions with the sample stream. */
function server(config: Record<string, unknown> = {}) {
  const fake = fakeHistoryServer({ config }).install();
  fake.intercept(({ url }) =>
    url === "/chat/stream" ? ndjsonResponse(ndjson(...sampleAnswerLines())) : undefined,
  );
  return fake;
}

/** A request the test lets through when it wants (`release`). */
function hold(fake: ReturnType<typeof server>, method: string, path: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  fake.intercept(async (request) => {
    if (held || request.method !== method || request.url.split("?")[0] !== path) return undefined;
    held = true;
    await released;
    return undefined;
  });
  return { release };
}

async function ask(user: ReturnType<typeof userEvent.setup>, question: string) {
  await user.type(screen.getByLabelText(en.input.label), `${question}{Enter}`);
  await screen.findByRole("list", { name: en.answer.citations });
}

async function openHistory(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole("button", { name: en.header.history }));
  return screen.getByRole("dialog", { name: en.history.title });
}

function savedAnswers(fake: ReturnType<typeof server>) {
  const body = fake.calls("POST", "/chat_history").at(-1)?.body as {
    answers: [string, StoredResponse][];
  };
  return body.answers;
}

beforeEach(() => {
  window.location.hash = "";
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("chat page with server history", () => {
  it("saves the whole conversation after each answer and reopens it from the server", async () => {
    const user = userEvent.setup();
    const fake = server();
    const { unmount } = render(<App auth={startAuth()} />);
    await ask(user, "Plus plan deductible?");
    await waitFor(() => expect(fake.calls("POST", "/chat_history")).toHaveLength(1));
    const [[question, response]] = savedAnswers(fake) as [[string, StoredResponse]];
    expect(question).toBe("Plus plan deductible?");
    expect(response.events).toEqual(sampleAnswerLines());
    expect(response).toMatchObject({ status: "done", error: null, settings: { top: 3 } });

    await user.click(screen.getByRole("button", { name: en.chat.clear }));
    unmount();
    render(<App auth={startAuth()} />);
    const drawer = await openHistory(user);
    const item = await within(drawer).findByRole("button", { name: /^Plus plan deductible\?/ });
    expect(fake.calls("GET", "/chat_history/sessions").at(-1)?.url).toBe(
      "/chat_history/sessions?count=20",
    );
    await user.click(item);
    expect(await screen.findByText(ANSWER)).toBeInTheDocument();
    expect(screen.getByRole("list", { name: en.answer.citations })).toBeInTheDocument();

    // The next answer saves both, under the same id.
    await user.type(screen.getByLabelText(en.input.label), "And the Basic plan?{Enter}");
    await waitFor(() => expect(fake.calls("POST", "/chat_history")).toHaveLength(2));
    expect(savedAnswers(fake).map(([q]) => q)).toEqual([
      "Plus plan deductible?",
      "And the Basic plan?",
    ]);
    expect(fake.sessions.size).toBe(1);
  });

  it("shows the server's message when a save is refused and keeps the conversation", async () => {
    const user = userEvent.setup();
    const fake = server();
    fake.intercept(({ method, url }) =>
      method === "POST" && url === "/chat_history"
        ? jsonResponse({ error: "answers: the conversation is 2,000,000 bytes" }, 413)
        : undefined,
    );
    render(<App auth={startAuth()} />);
    await ask(user, "Plus plan deductible?");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(en.history.notSaved);
    expect(alert).toHaveTextContent("answers: the conversation is 2,000,000 bytes");
    expect(screen.getByText(ANSWER)).toBeInTheDocument();
    await user.click(within(alert).getByRole("button", { name: en.history.dismiss }));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("sends feedback only after the save of the conversation has completed", async () => {
    const user = userEvent.setup();
    const fake = server();
    const save = hold(fake, "POST", "/chat_history");
    render(<App auth={startAuth()} />);
    await ask(user, "Plus plan deductible?");

    const good = screen.getByRole("button", { name: en.feedback.up });
    const bad = screen.getByRole("button", { name: en.feedback.down });
    expect(good).toHaveAttribute("aria-pressed", "false");
    await user.click(bad);
    expect(bad).toHaveAttribute("aria-pressed", "true");
    await user.click(bad);
    expect(bad).toHaveAttribute("aria-pressed", "false");
    expect(screen.queryByLabelText(en.feedback.comment)).toBeNull();

    await user.click(bad);
    const comment = screen.getByLabelText(en.feedback.comment);
    expect(comment).toHaveAttribute("maxlength", "2000");
    await user.type(comment, "Wrong plan.");
    await user.click(screen.getByRole("button", { name: en.feedback.send }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.calls("POST", "/feedback")).toHaveLength(0); // the save is still on its way

    save.release();
    expect(await screen.findByText(en.feedback.thanks)).toBeInTheDocument();
    const id = (fake.calls("POST", "/chat_history")[0]?.body as { id: string }).id;
    expect(fake.feedback).toEqual([
      { session_id: id, answer_index: 0, rating: "down", comment: "Wrong plan." },
    ]);
    expect(fake.requests.findIndex((r) => r.url === "/feedback")).toBeGreaterThan(
      fake.requests.findIndex((r) => r.url === "/chat_history"),
    );
  });

  it("shows the server's message when feedback is refused", async () => {
    const user = userEvent.setup();
    const fake = server();
    fake.intercept(({ url }) =>
      url === "/feedback"
        ? jsonResponse({ error: "answer_index: the conversation has 0 answers" }, 404)
        : undefined,
    );
    render(<App auth={startAuth()} />);
    await ask(user, "Plus plan deductible?");
    await user.click(screen.getByRole("button", { name: en.feedback.up }));
    await user.click(screen.getByRole("button", { name: en.feedback.send }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "answer_index: the conversation has 0 answers",
    );
  });

  it("renames in place (showing the server's 400) and deletes after confirming", async () => {
    const user = userEvent.setup();
    const fake = server();
    render(<App auth={startAuth()} />);
    await ask(user, "Plus plan deductible?");
    await waitFor(() => expect(fake.sessions.size).toBe(1));
    const drawer = await openHistory(user);

    await user.click(
      within(drawer).getByRole("button", { name: "Rename conversation: Plus plan deductible?" }),
    );
    const input = within(drawer).getByRole("textbox", { name: en.history.titleLabel });
    expect(input).toHaveFocus();
    await user.clear(input);
    await user.type(input, "   {Enter}");
    expect(await within(drawer).findByRole("alert")).toHaveTextContent(
      "title: at least 1 character",
    );
    expect(input).toHaveAttribute("aria-invalid", "true");
    await user.clear(input);
    await user.type(input, "Deductibles{Enter}");
    const renamed = await within(drawer).findByRole("button", { name: /^Deductibles/ });
    expect(
      fake.calls("PATCH", `/chat_history/sessions/${[...fake.sessions.keys()][0] ?? ""}`),
    ).toHaveLength(2);
    expect(
      within(drawer).getByRole("button", { name: "Rename conversation: Deductibles" }),
    ).toHaveFocus();
    expect(renamed).toBeInTheDocument();

    // The next save keeps the new title (a save without one would reset it).
    await user.keyboard("{Escape}");
    await user.type(screen.getByLabelText(en.input.label), "And Basic?{Enter}");
    await waitFor(() => expect(fake.calls("POST", "/chat_history")).toHaveLength(2));
    expect(fake.calls("POST", "/chat_history")[1]?.body).toMatchObject({ title: "Deductibles" });

    const reopened = await openHistory(user);
    await user.click(
      within(reopened).getByRole("button", { name: "Delete conversation: Deductibles" }),
    );
    const confirm = screen.getByRole("alertdialog", { name: en.history.confirmTitle });
    expect(confirm).toHaveTextContent("“Deductibles” will be deleted.");
    await user.click(within(confirm).getByRole("button", { name: en.history.cancel }));
    expect(
      fake.calls("DELETE", `/chat_history/sessions/${[...fake.sessions.keys()][0] ?? ""}`),
    ).toHaveLength(0);

    await user.click(
      within(reopened).getByRole("button", { name: "Delete conversation: Deductibles" }),
    );
    await user.click(
      within(screen.getByRole("alertdialog", { name: en.history.confirmTitle })).getByRole(
        "button",
        {
          name: en.history.confirm,
        },
      ),
    );
    await waitFor(() => expect(fake.sessions.size).toBe(0));
    expect(await within(reopened).findByText(en.history.emptyServer)).toBeInTheDocument();
    expect(screen.queryByText(ANSWER)).toBeNull(); // it was the open one
  });

  it("lists 20 conversations and loads more with the continuation token", async () => {
    const user = userEvent.setup();
    const fake = server();
    for (let i = 0; i < 23; i++) {
      fake.sessions.set(`s${i}`, {
        id: `s${i}`,
        title: `Chat ${i}`,
        created: i,
        timestamp: i,
        answers: [],
      });
    }
    render(<App auth={startAuth()} />);
    const drawer = await openHistory(user);
    const list = await within(drawer).findByRole("list");
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(20));
    await user.click(within(drawer).getByRole("button", { name: en.history.loadMore }));
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(23));
    expect(fake.calls("GET", "/chat_history/sessions").at(-1)?.url).toBe(
      "/chat_history/sessions?count=20&continuation_token=s3",
    );
    expect(within(drawer).queryByRole("button", { name: en.history.loadMore })).toBeNull();
  });

  it("downloads the open conversation as Markdown or JSON from the menu, by keyboard too", async () => {
    const user = userEvent.setup();
    const fake = server();
    const blobs: Blob[] = [];
    vi.stubGlobal(
      "URL",
      Object.assign(URL, {
        createObjectURL: vi.fn((blob: Blob) => {
          blobs.push(blob);
          return `blob:http://localhost/${blobs.length}`;
        }),
        revokeObjectURL: vi.fn(),
      }),
    );
    const clicks: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicks.push({ href: this.href, download: this.download });
    });
    render(<App auth={startAuth()} />);
    expect(screen.queryByRole("button", { name: en.exportMenu.label })).toBeNull();
    const save = hold(fake, "POST", "/chat_history");
    await ask(user, "Plus plan deductible?");

    const menuButton = screen.getByRole("button", { name: en.exportMenu.label });
    expect(menuButton).toHaveAttribute("aria-haspopup", "menu");
    await user.click(menuButton);
    expect(menuButton).toHaveAttribute("aria-expanded", "true");
    const markdown = screen.getByRole("menuitem", { name: en.exportMenu.markdown });
    expect(markdown).toHaveFocus();
    await user.click(markdown);
    expect(screen.queryByRole("menu")).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.requests.some((r) => r.url.includes("format="))).toBe(false); // after the save
    save.release();
    await waitFor(() => expect(clicks).toHaveLength(1));
    const id = [...fake.sessions.keys()][0] ?? "";
    expect(fake.requests.at(-1)?.url).toBe(`/chat_history/sessions/${id}?format=md`);
    expect(clicks[0]).toEqual({
      href: "blob:http://localhost/1",
      download: "Plus plan deductible?.md",
    });
    expect(await blobs[0]?.text()).toBe("# Plus plan deductible?\n");

    // Keyboard: ArrowDown opens on the first item, ArrowDown again moves, Enter picks.
    menuButton.focus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitem", { name: en.exportMenu.markdown })).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitem", { name: en.exportMenu.json })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
    expect(menuButton).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(screen.getByRole("menuitem", { name: en.exportMenu.json })).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(clicks).toHaveLength(2));
    expect(clicks[1]?.download).toBe("Plus plan deductible?.json");
  });
});

describe("chat page with history in the browser", () => {
  it("sends feedback with the question, the answer, its citations and settings; no export", async () => {
    const user = userEvent.setup();
    const fake = server({
      showChatHistoryServer: false,
      showChatHistoryBrowser: true,
      chatHistoryBackend: "browser",
    });
    render(<App auth={startAuth()} />);
    await ask(user, "Plus plan deductible?");
    expect(screen.queryByRole("button", { name: en.exportMenu.label })).toBeNull();
    await user.click(screen.getByRole("button", { name: en.feedback.up }));
    await user.click(screen.getByRole("button", { name: en.feedback.send }));
    expect(await screen.findByText(en.feedback.thanks)).toBeInTheDocument();
    expect(fake.calls("POST", "/chat_history")).toHaveLength(0);
    expect(fake.feedback).toHaveLength(1);
    const [sent] = fake.feedback as Record<string, unknown>[];
    expect(sent).toMatchObject({
      answer_index: 0,
      rating: "up",
      comment: "",
      question: "Plus plan deductible?",
      citations: ["health-plans.pdf#page=2", "benefits-overview.md"],
      settings: { top: 3 },
    });
    expect(sent?.session_id).toMatch(/^[\w-]+$/);
    expect(sent?.answer).toMatch(ANSWER);
  });
});

const ALICE: AuthUser = { id: "user-alice", name: "Alice Example" };
const BOB: AuthUser = { id: "user-bob", name: "Bob Example" };
const BROWSER_HISTORY = {
  showChatHistoryServer: false,
  showChatHistoryBrowser: true,
  chatHistoryBackend: "browser",
};

interface SwitchableSession extends AuthSession {
  user: AuthUser | null;
  /** Sign in as `next`, or out (null), without leaving the page. */
  become(next: AuthUser | null): void;
}

/** A session whose user the test changes in place (`become`), as a sign-out does. */
function switchableSession(user: AuthUser | null): SwitchableSession {
  const listeners = new Set<() => void>();
  const session: SwitchableSession = {
    user,
    error: null,
    getToken: () => Promise.resolve(session.user ? `token-${session.user.id}` : null),
    signIn: () => Promise.resolve(),
    signOut: () => Promise.resolve(),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    become(next) {
      act(() => {
        session.user = next;
        for (const listener of listeners) listener();
      });
    },
  };
  return session;
}

function signedIn(session: AuthSession): Promise<AuthStart> {
  return Promise.resolve({ setup: { ...NO_LOGIN, useLogin: true, provider: "oidc" }, session });
}

/** The browser database of `userId` (null: anonymous), opened for one use. */
async function withBrowserDb<T>(
  userId: string | null,
  task: (db: BrowserHistoryStore) => Promise<T>,
) {
  const db = new BrowserHistoryStore(browserDbName(userId));
  try {
    return await task(db);
  } finally {
    await db.close();
  }
}

/** Keep an answered conversation in `userId`'s browser database, as an earlier visit did. */
function keep(userId: string | null, id: string, question: string) {
  const turn = newTurn(question);
  turn.answer = { ...turn.answer, content: "Kept answer.", status: "done" };
  const parts = { id, turns: [turn], sessionState: null, createdAt: 1 };
  return withBrowserDb(userId, (db) => db.put(toConversation(parts, null, 10)));
}

const keptIds = (userId: string | null) =>
  withBrowserDb(userId, async (db) => (await db.list()).items.map((item) => item.id));

/** The titles the history sidebar lists, once it has loaded; it is closed again after. */
async function listed(user: ReturnType<typeof userEvent.setup>) {
  const drawer = await openHistory(user);
  await waitFor(() => expect(within(drawer).queryByText(en.history.loading)).toBeNull());
  const prefix = en.history.rename("");
  const titles = within(drawer)
    .queryAllByRole("button", { name: (name) => name.startsWith(prefix) })
    .map((button) => button.getAttribute("aria-label")?.slice(prefix.length));
  await user.click(within(drawer).getByRole("button", { name: en.history.close }));
  return titles;
}

describe("conversations of each person on a shared browser", () => {
  beforeEach(async () => {
    for (const userId of [null, ALICE.id, BOB.id]) {
      await withBrowserDb(userId, async (db) => {
        for (const { id } of (await db.list()).items) await db.delete(id);
      });
    }
  });

  it("lists alice's conversations to nobody else: not after she signs out, not for bob", async () => {
    const user = userEvent.setup();
    server({ ...BROWSER_HISTORY, authEnabled: true });
    await keep(null, "anon-1", "Anonymous question?");
    const session = switchableSession(ALICE);
    render(<App auth={signedIn(session)} />);
    await screen.findByText(ALICE.name);
    await ask(user, "HR-only question?");
    await waitFor(async () => expect(await keptIds(ALICE.id)).toHaveLength(1));
    expect(await listed(user)).toEqual(["HR-only question?"]);

    session.become(null);
    expect(await listed(user)).toEqual(["Anonymous question?"]);
    session.become(BOB);
    expect(await listed(user)).toEqual([]);
    session.become({ id: "user-alice-2", name: ALICE.name }); // another Alice: the id decides
    expect(await listed(user)).toEqual([]);
    session.become(ALICE);
    expect(await listed(user)).toEqual(["HR-only question?"]);
    expect(await keptIds(null)).toEqual(["anon-1"]);
  });

  it("keeps the anonymous visitor's conversations through alice signing in and out", async () => {
    const user = userEvent.setup();
    server({ ...BROWSER_HISTORY, authEnabled: true });
    const session = switchableSession(null);
    render(<App auth={signedIn(session)} />);
    await ask(user, "Anonymous question?");
    await waitFor(async () => expect(await keptIds(null)).toHaveLength(1));

    session.become(ALICE);
    expect(await listed(user)).toEqual([]);
    session.become(null);
    expect(await listed(user)).toEqual(["Anonymous question?"]);
    expect(await keptIds(ALICE.id)).toEqual([]);
  });

  it("clears the open conversation and the question box when the user changes", async () => {
    const user = userEvent.setup();
    server({ ...BROWSER_HISTORY, authEnabled: true });
    const session = switchableSession(ALICE);
    render(<App auth={signedIn(session)} />);
    await screen.findByText(ALICE.name);
    await ask(user, "HR-only question?");
    expect(screen.getByText(ANSWER)).toBeInTheDocument();
    await user.type(screen.getByLabelText(en.input.label), "A draft");

    session.become(null);
    expect(screen.queryByText(ANSWER)).toBeNull();
    expect(screen.queryByText("HR-only question?")).toBeNull();
    expect(screen.queryByRole("list", { name: en.answer.citations })).toBeNull();
    expect(screen.getByLabelText(en.input.label)).toHaveValue("");
  });

  it("keeps a conversation asked before the sign-in was known, as that user's", async () => {
    const user = userEvent.setup();
    server({ ...BROWSER_HISTORY, authEnabled: true });
    let finish!: (start: AuthStart) => void;
    render(<App auth={new Promise<AuthStart>((resolve) => (finish = resolve))} />);
    await user.type(screen.getByLabelText(en.input.label), "Early question?{Enter}");
    finish(await signedIn(switchableSession(ALICE)));
    expect(await screen.findByText(ANSWER)).toBeInTheDocument();
    await waitFor(async () => expect(await keptIds(ALICE.id)).toHaveLength(1));
    expect(await keptIds(null)).toEqual([]);
    expect(screen.getByText(ANSWER)).toBeInTheDocument();
  });

  it("moves only the signed-in user's own browser conversations to their server history", async () => {
    const fake = server({ authEnabled: true });
    await keep(null, "anon-1", "Anonymous question?");
    await keep(ALICE.id, "alice-1", "HR-only question?");
    const session = switchableSession(ALICE);
    render(<App auth={signedIn(session)} />);
    const moved = () =>
      fake.calls("POST", "/chat_history").map((r) => (r.body as { id: string }).id);
    await waitFor(() => expect(moved()).toEqual(["alice-1"]));
    await waitFor(async () => expect(await keptIds(ALICE.id)).toEqual([]));
    expect(fake.calls("POST", "/chat_history")[0]?.headers.get("Authorization")).toBe(
      "Bearer token-user-alice",
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(moved()).toEqual(["alice-1"]);
    expect(await keptIds(null)).toEqual(["anon-1"]);
  });

  it("moves the anonymous database only for an anonymous visitor, to their own history", async () => {
    vi.resetModules(); // a new page load: no store has moved anything yet
    const { App: FreshApp } = await import("../App");
    const fake = server({ authEnabled: true });
    await keep(null, "anon-1", "Anonymous question?");
    await keep(ALICE.id, "alice-1", "HR-only question?");
    render(<FreshApp auth={signedIn(switchableSession(null))} />);
    const moved = () => fake.calls("POST", "/chat_history");
    await waitFor(() =>
      expect(moved().map((r) => (r.body as { id: string }).id)).toEqual(["anon-1"]),
    );
    expect(moved()[0]?.headers.get("Authorization")).toBeNull();
    await waitFor(async () => expect(await keptIds(null)).toEqual([]));
    expect(await keptIds(ALICE.id)).toEqual(["alice-1"]);
  });
});
