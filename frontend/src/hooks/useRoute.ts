/** Hash routing between the two pages: `#/` (chat) and `#/ask`. */
import { useSyncExternalStore } from "react";

export type Route = "chat" | "ask";

export const ROUTE_HREF: Record<Route, string> = { chat: "#/", ask: "#/ask" };

function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function current(): Route {
  return window.location.hash.replace(/^#\/?/, "").startsWith("ask") ? "ask" : "chat";
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, current, () => "chat" as const);
}
