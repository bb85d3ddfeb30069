/**
 * The provider-neutral face of login: what the app needs from an identity library, whichever
 * one the server configures (`/auth_setup`). `entra.ts` and `oidc.ts` implement it; `load.ts`
 * loads the one in use on demand, so a server without login ships neither library.
 */

export interface AuthUser {
  /** Who this is, for good: the OIDC `sub`, or the Entra object id. Names change; this does not. */
  id: string;
  /** A name to show: the display name, else the user name or e-mail. */
  name: string;
}

export interface AuthSession {
  /** Who is signed in, or null. */
  readonly user: AuthUser | null;
  /** Why the sign-in that just came back to the redirect URI failed, if it did. */
  readonly error: string | null;
  /**
   * An access token for the API: null when signed out; throws when signed in but no token can
   * be had silently. `refresh` skips the cached token (after the server refused it).
   */
  getToken(options?: { refresh?: boolean }): Promise<string | null>;
  /** Go to the identity provider and come back signed in. */
  signIn(): Promise<void>;
  /** Sign out here and at the identity provider. */
  signOut(): Promise<void>;
  /** Call `listener` whenever `user` may have changed; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** Where the identity provider sends the browser back to (the server serves the SPA there). */
export const REDIRECT_PATH = "/redirect";

/** A redirect URI from `/auth_setup` (relative) made absolute against this page's origin. */
export function absoluteUrl(uri: string, origin = window.location.origin): string {
  return new URL(uri, origin).toString();
}

/** Whether this page is the login callback. */
export function isRedirectCallback(location: Location = window.location): boolean {
  return location.pathname === REDIRECT_PATH;
}

/** Leave the callback URL for the app's own (`/` plus the hash route, if any), without a reload. */
export function leaveRedirect(hash = ""): void {
  const route = hash.startsWith("#/") ? hash : "";
  window.history.replaceState(null, "", `/${route}`);
}

/** A promise that never settles: the page is navigating away, or is a hidden callback frame. */
export function navigatingAway<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** A person-readable message from an identity library's error. */
export function describeError(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return String(error);
}
