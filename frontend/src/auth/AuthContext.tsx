/** Login state for the whole app: who is signed in, sign in / out, an expired sign-in. */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { setTokenSource } from "../api/client";
import type { AuthStart } from "./load";
import type { AuthSession, AuthUser } from "./session";

export interface Auth {
  /** "loading" until `/auth_setup` has answered and the identity library is ready. */
  status: "loading" | "ready" | "failed";
  /** The server signs people in. */
  enabled: boolean;
  /** The server refuses anonymous callers. */
  loginRequired: boolean;
  user: AuthUser | null;
  /** Why the sign-in that just came back failed, if it did. */
  error: string | null;
  /** The server refused the token and no fresh one could be had silently. */
  expired: boolean;
  signIn: () => void;
  signOut: () => void;
}

const NO_AUTH: Auth = {
  status: "ready",
  enabled: false,
  loginRequired: false,
  user: null,
  error: null,
  expired: false,
  signIn: () => undefined,
  signOut: () => undefined,
};

const AuthContext = createContext<Auth>(NO_AUTH);

interface Loaded {
  start: AuthStart | null;
  user: AuthUser | null;
}

/** Provides `useAuth()` from `started` (see `startAuth`), and the API client's bearer token. */
export function AuthProvider({
  started,
  children,
}: {
  started: Promise<AuthStart>;
  children: ReactNode;
}) {
  const [loaded, setLoaded] = useState<Loaded | "loading" | "failed">("loading");
  const [expired, setExpired] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    let unsubscribe: () => void = () => undefined;
    setTokenSource({
      async getToken(options) {
        const start = await started.catch(() => null);
        return start?.session ? start.session.getToken(options) : null;
      },
      onExpired: () => {
        if (active) setExpired(true);
      },
    });
    started.then(
      (start) => {
        if (!active) return;
        const session = start.session;
        setLoaded({ start, user: session?.user ?? null });
        if (session) {
          unsubscribe = session.subscribe(() => {
            setLoaded((current) => refreshUser(current, session));
          });
        }
      },
      () => {
        if (active) setLoaded("failed");
      },
    );
    return () => {
      active = false;
      unsubscribe();
      setTokenSource(null);
    };
  }, [started]);

  const auth = useMemo<Auth>(() => {
    if (typeof loaded === "string") return { ...NO_AUTH, status: loaded };
    const { start, user } = loaded;
    const session = start?.session ?? null;
    const run = (action: (session: AuthSession) => Promise<void>) => () => {
      if (!session) return;
      setActionError(null);
      action(session).catch((error: unknown) => {
        setActionError(error instanceof Error ? error.message : String(error));
      });
    };
    return {
      status: "ready",
      enabled: Boolean(session),
      loginRequired: Boolean(session) && start?.setup.enableUnauthenticatedAccess === false,
      user,
      error: actionError ?? session?.error ?? null,
      expired: expired && Boolean(user),
      signIn: run((s) => s.signIn()),
      signOut: run((s) => s.signOut()),
    };
  }, [loaded, expired, actionError]);

  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

function refreshUser(current: Loaded | "loading" | "failed", session: AuthSession) {
  if (typeof current === "string") return current;
  const user = session.user;
  const same = user?.id === current.user?.id && user?.name === current.user?.name;
  return same ? current : { ...current, user };
}

/** The login state (no login outside an AuthProvider). */
export function useAuth(): Auth {
  return useContext(AuthContext);
}
