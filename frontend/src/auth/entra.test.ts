import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { AuthSetup } from "../api/types";
import { createEntraSession } from "./entra";

/** MSAL.js's PublicClientApplication and redirect bridge, mocked at their module boundary. */
const fake = vi.hoisted(() => {
  class InteractionRequiredAuthError extends Error {}
  type Account = {
    username: string;
    name?: string;
    localAccountId: string;
    homeAccountId: string;
    idTokenClaims?: { oid?: string };
  };
  const state = {
    config: null as Record<string, unknown> | null,
    active: null as Account | null,
    accounts: [] as Account[],
    callbacks: [] as ((event: { eventType: string; payload: unknown }) => void)[],
  };
  const msal = {
    initialize: vi.fn(() => Promise.resolve()),
    handleRedirectPromise: vi.fn((): Promise<unknown> => Promise.resolve(null)),
    getActiveAccount: () => state.active,
    setActiveAccount: (account: Account | null) => {
      state.active = account;
    },
    getAllAccounts: () => state.accounts,
    acquireTokenSilent: vi.fn(),
    acquireTokenRedirect: vi.fn(() => Promise.resolve()),
    loginRedirect: vi.fn(() => Promise.resolve()),
    logoutRedirect: vi.fn(() => Promise.resolve()),
    addEventCallback: vi.fn((callback: (typeof state.callbacks)[number]) => {
      state.callbacks.push(callback);
      return "callback-1";
    }),
    removeEventCallback: vi.fn(),
  };
  const PublicClientApplication = vi.fn(function (this: unknown, config: Record<string, unknown>) {
    state.config = config;
    return msal;
  });
  const broadcastResponseToMainFrame = vi.fn(() => Promise.resolve());
  return {
    state,
    msal,
    PublicClientApplication,
    InteractionRequiredAuthError,
    broadcastResponseToMainFrame,
  };
});

vi.mock("@azure/msal-browser", () => ({
  PublicClientApplication: fake.PublicClientApplication,
  InteractionRequiredAuthError: fake.InteractionRequiredAuthError,
  EventType: {
    LOGIN_SUCCESS: "msal:loginSuccess",
    ACTIVE_ACCOUNT_CHANGED: "msal:activeAccountChanged",
    LOGOUT_END: "msal:logoutEnd",
  },
}));
vi.mock("@azure/msal-browser/redirect-bridge", () => ({
  broadcastResponseToMainFrame: fake.broadcastResponseToMainFrame,
}));

const setup = {
  msalConfig: {
    auth: {
      clientId: "spa-client-id",
      authority: "https://login.microsoftonline.com/tenant-id",
      redirectUri: "/redirect",
      postLogoutRedirectUri: "/",
    },
    cache: { cacheLocation: "sessionStorage" },
  },
  loginRequest: { scopes: [".default"] },
  tokenRequest: { scopes: ["api://server-app-id/access_as_user"] },
} satisfies Pick<AuthSetup, "loginRequest" | "tokenRequest"> & {
  msalConfig: NonNullable<AuthSetup["msalConfig"]>;
};

const alice = {
  username: "alice@contoso.com",
  name: "Alice Example",
  localAccountId: "oid-alice",
  homeAccountId: "oid-alice.tenant-id",
};

beforeEach(() => {
  fake.state.active = null;
  fake.state.accounts = [];
  fake.state.callbacks = [];
  window.history.replaceState(null, "", "/");
});

afterEach(() => {
  vi.clearAllMocks();
  window.history.replaceState(null, "", "/");
});

describe("createEntraSession", () => {
  it("configures MSAL from /auth_setup with redirect URIs on this origin", async () => {
    await createEntraSession(setup);
    expect(fake.state.config).toEqual({
      auth: {
        clientId: "spa-client-id",
        authority: "https://login.microsoftonline.com/tenant-id",
        redirectUri: `${window.location.origin}/redirect`,
        postLogoutRedirectUri: `${window.location.origin}/`,
      },
      cache: { cacheLocation: "sessionStorage" },
    });
    expect(fake.msal.initialize).toHaveBeenCalled();
    expect(fake.msal.handleRedirectPromise).toHaveBeenCalled();
  });

  it("takes the account a finished sign-in brings back", async () => {
    fake.msal.handleRedirectPromise.mockResolvedValueOnce({ account: alice });
    const session = await createEntraSession(setup);
    expect(session.user).toEqual({ id: "oid-alice", name: "Alice Example" });
  });

  it("falls back to a cached account, and to its user name without a display name", async () => {
    fake.state.accounts = [
      { username: "bob@contoso.com", localAccountId: "oid-bob", homeAccountId: "oid-bob.t" },
    ];
    const session = await createEntraSession(setup);
    expect(session.user).toEqual({ id: "oid-bob", name: "bob@contoso.com" });
  });

  it("identifies the user by the ID token's oid when the account has no local id", async () => {
    fake.state.active = {
      username: "carol@contoso.com",
      localAccountId: "",
      homeAccountId: "uid.utid",
      idTokenClaims: { oid: "oid-carol" },
    };
    const session = await createEntraSession(setup);
    expect(session.user).toEqual({ id: "oid-carol", name: "carol@contoso.com" });
  });

  it("reports a failed sign-in", async () => {
    fake.msal.handleRedirectPromise.mockRejectedValueOnce(new Error("AADSTS50011: bad redirect"));
    const session = await createEntraSession(setup);
    expect(session.error).toBe("AADSTS50011: bad redirect");
    expect(session.user).toBeNull();
  });

  it("gets the API token silently with the token request's scopes; forced after a 401", async () => {
    fake.state.active = alice;
    fake.msal.acquireTokenSilent.mockResolvedValue({ accessToken: "api-token" });
    const session = await createEntraSession(setup);
    expect(await session.getToken()).toBe("api-token");
    expect(await session.getToken({ refresh: true })).toBe("api-token");
    expect(fake.msal.acquireTokenSilent.mock.calls).toEqual([
      [{ scopes: ["api://server-app-id/access_as_user"], account: alice, forceRefresh: false }],
      [{ scopes: ["api://server-app-id/access_as_user"], account: alice, forceRefresh: true }],
    ]);
  });

  it("has no token when nobody is signed in", async () => {
    const session = await createEntraSession(setup);
    expect(await session.getToken()).toBeNull();
    expect(fake.msal.acquireTokenSilent).not.toHaveBeenCalled();
  });

  it("falls back to a redirect when interaction is required", async () => {
    fake.state.active = alice;
    fake.msal.acquireTokenSilent.mockRejectedValue(
      new fake.InteractionRequiredAuthError("consent_required"),
    );
    const session = await createEntraSession(setup);
    void session.getToken(); // never settles: the page is leaving
    await vi.waitFor(() =>
      expect(fake.msal.acquireTokenRedirect).toHaveBeenCalledWith({
        scopes: ["api://server-app-id/access_as_user"],
        account: alice,
      }),
    );
    // After a refused token the person decides when to leave: no redirect, an error.
    fake.msal.acquireTokenRedirect.mockClear();
    await expect(session.getToken({ refresh: true })).rejects.toThrow("consent_required");
    expect(fake.msal.acquireTokenRedirect).not.toHaveBeenCalled();
  });

  it("signs in and out by redirect", async () => {
    fake.state.active = alice;
    const session = await createEntraSession(setup);
    await session.signIn();
    expect(fake.msal.loginRedirect).toHaveBeenCalledWith({ scopes: [".default"] });
    await session.signOut();
    expect(fake.msal.logoutRedirect).toHaveBeenCalledWith({ account: alice });
  });

  it("on /redirect hands the response to MSAL's redirect bridge and does not start the app", async () => {
    window.history.replaceState(null, "", "/redirect#code=abc&state=xyz");
    let settled = false;
    void createEntraSession(setup).then(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(fake.broadcastResponseToMainFrame).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    expect(fake.PublicClientApplication).not.toHaveBeenCalled();
  });

  it("tells subscribers about sign-in events and makes the new account active", async () => {
    const session = await createEntraSession(setup);
    const listener = vi.fn();
    const unsubscribe = session.subscribe(listener);
    expect(fake.msal.addEventCallback).toHaveBeenCalledWith(expect.any(Function), [
      "msal:loginSuccess",
      "msal:activeAccountChanged",
      "msal:logoutEnd",
    ]);
    fake.state.callbacks.forEach((callback) =>
      callback({ eventType: "msal:loginSuccess", payload: { account: alice } }),
    );
    expect(listener).toHaveBeenCalled();
    expect(session.user).toEqual({ id: "oid-alice", name: "Alice Example" });
    unsubscribe();
    expect(fake.msal.removeEventCallback).toHaveBeenCalledWith("callback-1");
  });
});
