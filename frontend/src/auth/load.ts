/** The identity library the server asks for, loaded only then (each is a chunk of its own). */
import { fetchAuthSetup } from "../api/client";
import type { AuthSetup } from "../api/types";
import { isRedirectCallback, leaveRedirect, type AuthSession } from "./session";

export interface AuthStart {
  setup: AuthSetup;
  /** Null when the server has no login. */
  session: AuthSession | null;
}

/**
 * Fetch `/auth_setup` and set up its identity library, finishing a sign-in that came back to
 * the redirect URI. Call it once per page load: a login callback can be consumed only once.
 */
export async function startAuth(): Promise<AuthStart> {
  try {
    const setup = await fetchAuthSetup();
    return { setup, session: await loadSession(setup) };
  } catch (error) {
    if (isRedirectCallback()) leaveRedirect(window.location.hash);
    throw error;
  }
}

/** The session for `setup`, or null when the server has no login. */
export async function loadSession(setup: AuthSetup): Promise<AuthSession | null> {
  const { msalConfig, oidcConfig } = setup;
  if (setup.useLogin && setup.provider === "entra" && msalConfig) {
    const { createEntraSession } = await import("./entra");
    return createEntraSession({ ...setup, msalConfig });
  }
  if (setup.useLogin && setup.provider === "oidc" && oidcConfig) {
    const { createOidcSession } = await import("./oidc");
    return createOidcSession(oidcConfig);
  }
  if (setup.useLogin) throw new Error(`No settings for the login provider "${setup.provider}".`);
  if (isRedirectCallback()) leaveRedirect(window.location.hash);
  return null;
}
