/**
 * Login with any OpenID Connect provider through oidc-client-ts: authorization code with PKCE,
 * tokens renewed silently (refresh token, else a hidden frame at the redirect URI). The user and
 * tokens stay in oidc-client-ts's own store, sessionStorage.
 */
import { UserManager, type User } from "oidc-client-ts";

import type { OidcSetup } from "../api/types";
import {
  absoluteUrl,
  describeError,
  isRedirectCallback,
  leaveRedirect,
  navigatingAway,
  type AuthSession,
  type AuthUser,
} from "./session";

/** What the sign-in request carries through the provider and back: the hash route to return to. */
interface ReturnState {
  hash?: string;
}

/** Sign in with the provider in `config`; on the callback URL, finish the sign-in first. */
export async function createOidcSession(config: OidcSetup): Promise<AuthSession> {
  const redirectUri = absoluteUrl(config.redirect_uri);
  const manager = new UserManager({
    authority: config.authority,
    client_id: config.client_id,
    scope: config.scope,
    response_type: "code",
    redirect_uri: redirectUri,
    silent_redirect_uri: redirectUri,
    post_logout_redirect_uri: absoluteUrl(config.post_logout_redirect_uri),
    automaticSilentRenew: true,
    ...(config.resource ? { resource: config.resource } : {}),
    ...(config.extraQueryParams ? { extraQueryParams: config.extraQueryParams } : {}),
  });

  let error: string | null = null;
  if (isRedirectCallback()) {
    try {
      const signedIn = await manager.signinCallback(window.location.href);
      // No user: a silent renewal in a hidden frame, whose result went to the page around it.
      if (!signedIn) return await navigatingAway<AuthSession>();
      leaveRedirect((signedIn.state as ReturnState | undefined)?.hash);
    } catch (caught) {
      if (window.parent !== window) return navigatingAway();
      error = describeError(caught);
      leaveRedirect();
    }
  }

  let user = await manager.getUser();
  const listeners = new Set<() => void>();
  const changed = (next: User | null) => {
    user = next;
    for (const listener of listeners) listener();
  };
  manager.events.addUserLoaded((loaded) => changed(loaded));
  manager.events.addUserUnloaded(() => changed(null));

  return {
    get user() {
      return user ? toUser(user) : null;
    },
    error,
    async getToken({ refresh = false } = {}) {
      const current = await manager.getUser();
      if (!current) return null;
      if (!refresh && !current.expired) return current.access_token;
      const renewed = await manager.signinSilent();
      if (!renewed) throw new Error("The sign-in could not be renewed.");
      return renewed.access_token;
    },
    async signIn() {
      const state: ReturnState = { hash: window.location.hash };
      await manager.signinRedirect({ state });
    },
    async signOut() {
      try {
        await manager.signoutRedirect();
      } catch {
        // The provider has no end-session endpoint: forget the user here at least.
        await manager.removeUser();
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function toUser(user: User): AuthUser {
  const { name, preferred_username: username, email, sub } = user.profile;
  return { id: sub, name: name ?? username ?? email ?? sub };
}
