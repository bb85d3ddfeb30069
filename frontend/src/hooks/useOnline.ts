/** Whether the browser says it is online (`navigator.onLine`, kept current by its events). */
import { useSyncExternalStore } from "react";

/** Whether the browser is online now; true where it cannot tell. */
export function isOnline(): boolean {
  return typeof navigator === "undefined" || navigator.onLine;
}

/** Call `listener` when the browser goes on- or offline; returns the unsubscribe. */
export function onConnectivityChange(listener: () => void): () => void {
  window.addEventListener("online", listener);
  window.addEventListener("offline", listener);
  return () => {
    window.removeEventListener("online", listener);
    window.removeEventListener("offline", listener);
  };
}

/** Whether the browser is online; the component renders again when that changes. */
export function useOnline(): boolean {
  return useSyncExternalStore(onConnectivityChange, isOnline, () => true);
}
