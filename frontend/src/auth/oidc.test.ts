import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { OidcSetup } from "../api/types";
import { createOidcSession } from "./oidc";

/** oidc-client-ts's UserManager, mocked at the module boundary. */
const fake = vi.hoisted(() => {
  type Callback = (user: unknown) => void;
  const state = {
    settings: null as Record<string, unknown> | null,
    loaded: [] as Callback[],
    unloaded: [] as Callback[],
  };
  const manager = {
    getUser: vi.fn(),
    signinCallback: vi.fn(),
    signinSilent: vi.fn(),
    signinRedirect: vi.fn(),
    signoutRedirect: vi.fn(),
    removeUser: vi.fn(),
    events: {
      addUserLoaded: (callback: Callback) => state.loaded.push(callback),
      addUserUnloaded: (callback: Callback) => state.unloaded.push(callback),
    },
  };
  const UserManager = vi.fn(function (this: unknown, settings: Record<string, unknown>) {
    state.settings = settings;
    return manager;
  });
  return { state, manager, UserManager };
});

vi.mock("oidc-client-ts", () => ({ UserManager: fake.UserManager }));

const config: OidcSetup = {
  authority: "http://127.0.0.1:9400",
  client_id: "ragchat-spa",
  scope: "openid profile",
  redirect_uri: "/redirect",
  post_logout_redirect_uri: "/",
};

function oidcUser(overrides: Record<string, unknown> = {}) {
  return {
    access_token: "access-alice",
    expired: false,
    profile: { sub: "user-alice", name: "Alice Example" },
    state: undefined,
    ...overrides,
  };
}

beforeEach(() => {
  fake.state.loaded = [];
  fake.state.unloaded = [];
  fake.manager.getUser.mockResolvedValue(null);
  window.history.replaceState(null, "", "/");
});

afterEach(() => {
  vi.clearAllMocks();
  window.history.replaceState(null, "", "/");
});

describe("createOidcSession", () => {
  it("asks for the code flow, redirect URIs on this origin, silent renewal", async () => {
    await createOidcSession(config);
    expect(fake.state.settings).toEqual({
      authority: "http://127.0.0.1:9400",
      client_id: "ragchat-spa",
      scope: "openid profile",
      response_type: "code",
      redirect_uri: `${window.location.origin}/redirect`,
      silent_redirect_uri: `${window.location.origin}/redirect`,
      post_logout_redirect_uri: `${window.location.origin}/`,
      automaticSilentRenew: true,
    });
    // The library's default store (sessionStorage) is kept: no userStore of ours.
    expect(fake.state.settings).not.toHaveProperty("userStore");
  });

  it("in the hidden frame of a silent renewal, hands the response over and goes no further", async () => {
    window.history.replaceState(null, "", "/redirect?code=abc&state=silent");
    fake.manager.signinCallback.mockResolvedValue(undefined);
    let settled = false;
    void createOidcSession(config).then(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(fake.manager.signinCallback).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    expect(fake.manager.getUser).not.toHaveBeenCalled();
  });

  it("passes a resource indicator on when the server names one", async () => {
    await createOidcSession({ ...config, resource: "api://ragchat" });
    expect(fake.state.settings).toHaveProperty("resource", "api://ragchat");
  });

  it("is signed out without a stored user", async () => {
    const session = await createOidcSession(config);
    expect(session.user).toBeNull();
    expect(await session.getToken()).toBeNull();
  });

  it("finishes the sign-in on /redirect and returns to the hash route it started from", async () => {
    window.history.replaceState(null, "", "/redirect?code=abc&state=xyz");
    const alice = oidcUser({ state: { hash: "#/ask" } });
    fake.manager.signinCallback.mockResolvedValue(alice);
    fake.manager.getUser.mockResolvedValue(alice);
    const session = await createOidcSession(config);
    expect(fake.manager.signinCallback).toHaveBeenCalledWith(
      `${window.location.origin}/redirect?code=abc&state=xyz`,
    );
    expect(window.location.pathname + window.location.search + window.location.hash).toBe("/#/ask");
    expect(session.user).toEqual({ id: "user-alice", name: "Alice Example" });
    expect(session.error).toBeNull();
  });

  it("reports a sign-in that came back with an error, and leaves /redirect", async () => {
    window.history.replaceState(null, "", "/redirect?error=access_denied&state=xyz");
    fake.manager.signinCallback.mockRejectedValue(new Error("The user cancelled."));
    const session = await createOidcSession(config);
    expect(session.error).toBe("The user cancelled.");
    expect(window.location.pathname).toBe("/");
    expect(session.user).toBeNull();
  });

  it("gives the stored token, and renews silently when it has expired or was refused", async () => {
    fake.manager.getUser.mockResolvedValue(oidcUser());
    fake.manager.signinSilent.mockResolvedValue(oidcUser({ access_token: "renewed" }));
    const session = await createOidcSession(config);
    expect(await session.getToken()).toBe("access-alice");
    expect(fake.manager.signinSilent).not.toHaveBeenCalled();

    expect(await session.getToken({ refresh: true })).toBe("renewed");
    fake.manager.getUser.mockResolvedValue(oidcUser({ expired: true }));
    expect(await session.getToken()).toBe("renewed");
    expect(fake.manager.signinSilent).toHaveBeenCalledTimes(2);
  });

  it("throws when a signed-in user's token cannot be renewed", async () => {
    fake.manager.getUser.mockResolvedValue(oidcUser({ expired: true }));
    fake.manager.signinSilent.mockRejectedValue(new Error("login_required"));
    const session = await createOidcSession(config);
    await expect(session.getToken()).rejects.toThrow("login_required");
  });

  it("signs in by redirect, remembering the hash route; signs out by redirect", async () => {
    window.history.replaceState(null, "", "/#/ask");
    const session = await createOidcSession(config);
    await session.signIn();
    expect(fake.manager.signinRedirect).toHaveBeenCalledWith({ state: { hash: "#/ask" } });
    await session.signOut();
    expect(fake.manager.signoutRedirect).toHaveBeenCalled();
    expect(fake.manager.removeUser).not.toHaveBeenCalled();
  });

  it("forgets the user here when the provider has no end-session endpoint", async () => {
    fake.manager.signoutRedirect.mockRejectedValue(new Error("no end_session_endpoint"));
    const session = await createOidcSession(config);
    await session.signOut();
    expect(fake.manager.removeUser).toHaveBeenCalled();
  });

  it("tells subscribers when the user is loaded or unloaded", async () => {
    const session = await createOidcSession(config);
    const listener = vi.fn();
    const unsubscribe = session.subscribe(listener);
    fake.state.loaded.forEach((callback) => callback(oidcUser({ profile: { sub: "user-bob" } })));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(session.user).toEqual({ id: "user-bob", name: "user-bob" });
    fake.state.unloaded.forEach((callback) => callback(null));
    expect(session.user).toBeNull();
    unsubscribe();
    fake.state.unloaded.forEach((callback) => callback(null));
    expect(listener).toHaveBeenCalledTimes(2);
  });
});
