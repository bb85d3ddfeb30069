import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { App } from "../App";
import { NO_LOGIN } from "../api/client";
import type { AuthSetup } from "../api/types";
import { en } from "../i18n/en";
import { jsonResponse, ndjson, ndjsonResponse, sampleAnswerLines } from "../test/streams";
import type { AuthStart } from "./load";
import type { AuthSession, AuthUser } from "./session";

const OIDC_SETUP: AuthSetup = { ...NO_LOGIN, useLogin: true, provider: "oidc" };

/** A session as an adapter makes it, with tokens `tok-1`, `tok-2`... (one more per refresh). */
function fakeSession(user: AuthUser | null, options: { renew?: boolean } = {}) {
  let token = 1;
  const session = {
    user,
    error: null,
    getToken: vi.fn(({ refresh = false }: { refresh?: boolean } = {}) => {
      if (!session.user) return Promise.resolve(null);
      if (refresh && options.renew === false) return Promise.reject(new Error("login_required"));
      if (refresh) token += 1;
      return Promise.resolve(`tok-${token}`);
    }),
    signIn: vi.fn(() => Promise.resolve()),
    signOut: vi.fn(() => Promise.resolve()),
    subscribe: () => () => undefined,
  } satisfies AuthSession & { user: AuthUser | null };
  return session;
}

/** `/config` with `config`; answers from `answers`, in turn; records the Authorization sent. */
function fakeServer(config: Record<string, unknown>, answers: (() => Response)[] = []) {
  const authorization: (string | null)[] = [];
  const fetchMock = vi.fn((url: string, init?: RequestInit) => {
    if (url === "/config") return Promise.resolve(jsonResponse(config));
    if (url === "/list_uploaded") return Promise.resolve(jsonResponse(["mine.pdf"]));
    authorization.push(new Headers(init?.headers).get("Authorization"));
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request to ${url}`);
    return Promise.resolve(answer());
  });
  vi.stubGlobal("fetch", fetchMock);
  return { authorization, fetchMock };
}

function start(session: AuthSession | null, setup: AuthSetup = OIDC_SETUP): Promise<AuthStart> {
  return Promise.resolve({ setup, session });
}

beforeEach(() => {
  window.history.replaceState(null, "", "/");
});

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, "", "/");
});

describe("login in the app", () => {
  it("shows a sign-in screen instead of the chat when login is required", async () => {
    const user = userEvent.setup();
    fakeServer({ authEnabled: true, loginRequired: true });
    const session = fakeSession(null);
    render(<App auth={start(session)} />);
    const screenButton = await screen.findByRole("button", { name: "Sign in" });
    expect(screen.getByRole("heading", { name: en.auth.requiredTitle })).toBeInTheDocument();
    expect(screen.getByText(en.auth.requiredHint)).toBeInTheDocument();
    expect(screen.queryByLabelText(en.input.label)).toBeNull();
    // One "Sign in" button on the page, not one in the header too.
    expect(screen.getAllByRole("button", { name: /sign in/i })).toHaveLength(1);
    await user.click(screenButton);
    expect(session.signIn).toHaveBeenCalledTimes(1);
  });

  it("keeps anonymous use possible when login is optional", async () => {
    fakeServer({ authEnabled: true, loginRequired: false });
    render(<App auth={start(fakeSession(null))} />);
    const banner = screen.getByRole("banner");
    expect(await within(banner).findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText(en.input.label)).toBeInTheDocument();
  });

  it("shows the signed-in user with Sign out, and their uploads when offered", async () => {
    const user = userEvent.setup();
    fakeServer({
      authEnabled: true,
      loginRequired: true,
      showUserUpload: true,
      uploadExtensions: [".pdf"],
    });
    const session = fakeSession({ id: "user-alice", name: "Alice Example" });
    render(<App auth={start(session)} />);
    const banner = screen.getByRole("banner");
    expect(await within(banner).findByText("Alice Example")).toBeInTheDocument();
    expect(screen.getByLabelText(en.input.label)).toBeInTheDocument();
    await user.click(within(banner).getByRole("button", { name: "Sign out" }));
    expect(session.signOut).toHaveBeenCalledTimes(1);

    await user.click(screen.getByRole("button", { name: "Upload documents" }));
    const dialog = await screen.findByRole("dialog", { name: en.uploads.title });
    const list = await within(dialog).findByRole("list", { name: "Your documents" });
    expect(list).toHaveTextContent("mine.pdf");
  });

  it("has no upload button for an anonymous user", async () => {
    fakeServer({ authEnabled: true, showUserUpload: true });
    render(<App auth={start(fakeSession(null))} />);
    await screen.findByRole("button", { name: "Sign in" });
    expect(screen.queryByRole("button", { name: "Upload documents" })).toBeNull();
  });

  it("sends the token with questions, and after two 401s asks to sign in again", async () => {
    const user = userEvent.setup();
    const expired = () => jsonResponse({ error: "The sign-in token has expired." }, 401);
    const server = fakeServer({ authEnabled: true }, [
      () => ndjsonResponse(ndjson(...sampleAnswerLines())),
      expired,
      expired,
    ]);
    const session = fakeSession({ id: "user-alice", name: "Alice Example" });
    render(<App auth={start(session)} />);
    await screen.findByText("Alice Example");
    await user.type(screen.getByLabelText(en.input.label), "First?{Enter}");
    await screen.findByRole("list", { name: en.answer.citations });
    await user.type(screen.getByLabelText(en.input.label), "Second?{Enter}");

    const alerts = await screen.findAllByRole("alert");
    expect(alerts.map((alert) => alert.textContent)).toEqual(
      expect.arrayContaining([expect.stringContaining(en.auth.expired)]),
    );
    expect(server.authorization).toEqual(["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
    await user.click(screen.getByRole("button", { name: en.auth.signInAgain }));
    expect(session.signIn).toHaveBeenCalledTimes(1);
  });

  it("says it is signing in while the login callback is finished", () => {
    window.history.replaceState(null, "", "/redirect?code=abc&state=xyz");
    fakeServer({});
    render(<App auth={new Promise(() => undefined)} />);
    expect(screen.getByRole("status")).toHaveTextContent(en.auth.signingIn);
    expect(screen.queryByLabelText(en.input.label)).toBeNull();
  });

  it("works as before when the server has no login", async () => {
    fakeServer({});
    render(<App auth={start(null, NO_LOGIN)} />);
    await waitFor(() => expect(screen.getByLabelText(en.input.label)).toBeInTheDocument());
    expect(screen.queryByRole("button", { name: /Sign (in|out)/ })).toBeNull();
  });
});
