/**
 * Login with Microsoft Entra ID through MSAL.js (v5). Redirects only, no pop-ups. The login
 * callback is MSAL's "redirect bridge": it hands the response back to the page that started
 * the sign-in (or to the hidden frame of a silent renewal), and MSAL finishes it there.
 */
import {
  EventType,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
} from "@azure/msal-browser";

import type { AuthSetup } from "../api/types";
import {
  absoluteUrl,
  describeError,
  isRedirectCallback,
  leaveRedirect,
  navigatingAway,
  type AuthSession,
  type AuthUser,
} from "./session";

type EntraSetup = Pick<AuthSetup, "loginRequest" | "tokenRequest"> & {
  msalConfig: NonNullable<AuthSetup["msalConfig"]>;
};

/** Sign in with the Entra app registration in `setup`. */
export async function createEntraSession(setup: EntraSetup): Promise<AuthSession> {
  if (isRedirectCallback()) {
    try {
      const { broadcastResponseToMainFrame } = await import("@azure/msal-browser/redirect-bridge");
      await broadcastResponseToMainFrame();
      return await navigatingAway<AuthSession>();
    } catch {
      // No sign-in response in this URL (someone opened /redirect): carry on as the app.
      leaveRedirect(window.location.hash);
    }
  }

  const { auth, cache } = setup.msalConfig;
  const msal = new PublicClientApplication({
    auth: {
      clientId: auth.clientId,
      authority: auth.authority,
      redirectUri: absoluteUrl(auth.redirectUri),
      postLogoutRedirectUri: absoluteUrl(auth.postLogoutRedirectUri),
    },
    cache: { cacheLocation: cache?.cacheLocation ?? "sessionStorage" },
  });
  await msal.initialize();

  let error: string | null = null;
  try {
    const result = await msal.handleRedirectPromise();
    if (result?.account) msal.setActiveAccount(result.account);
  } catch (caught) {
    error = describeError(caught);
  }
  if (!msal.getActiveAccount()) {
    const [first] = msal.getAllAccounts();
    if (first) msal.setActiveAccount(first);
  }

  const scopes = setup.tokenRequest?.scopes ?? [];
  const account = (): AccountInfo | null => msal.getActiveAccount();

  return {
    get user() {
      const current = account();
      return current ? toUser(current) : null;
    },
    error,
    async getToken({ refresh = false } = {}) {
      const current = account();
      if (!current) return null;
      try {
        const result = await msal.acquireTokenSilent({
          scopes,
          account: current,
          forceRefresh: refresh,
        });
        return result.accessToken;
      } catch (caught) {
        // Consent or a fresh sign-in is needed: only a redirect can get it. After a refused
        // token (`refresh`) the person chooses when to go, from the "sign in again" prompt.
        if (refresh || !(caught instanceof InteractionRequiredAuthError)) throw caught;
        await msal.acquireTokenRedirect({ scopes, account: current });
        return navigatingAway();
      }
    },
    async signIn() {
      await msal.loginRedirect({ scopes: setup.loginRequest?.scopes ?? [] });
    },
    async signOut() {
      const current = account();
      await msal.logoutRedirect(current ? { account: current } : undefined);
    },
    subscribe(listener) {
      const id = msal.addEventCallback(
        (event) => {
          if (event.eventType === EventType.LOGIN_SUCCESS && event.payload) {
            const payload = event.payload as { account?: AccountInfo };
            if (payload.account) msal.setActiveAccount(payload.account);
          }
          listener();
        },
        [EventType.LOGIN_SUCCESS, EventType.ACTIVE_ACCOUNT_CHANGED, EventType.LOGOUT_END],
      );
      return () => {
        if (id) msal.removeEventCallback(id);
      };
    },
  };
}

function toUser(account: AccountInfo): AuthUser {
  // The object id in the signed-in tenant (what the server keys a user's data by).
  const id = account.localAccountId || account.idTokenClaims?.oid || account.homeAccountId;
  return { id, name: account.name ?? account.username };
}
