/**
 * Conversations kept on the server (`/chat_history`), their downloads, and answer feedback
 * (`/feedback`). All go through `send()`: the bearer token when signed in, and the browser's
 * cookies (fetch's default `credentials: "same-origin"`), which carry the anonymous id the
 * server issues to a browser nobody is signed in on.
 */
import { send } from "./client";
import type {
  FeedbackRequest,
  SavedSession,
  SessionsPage,
  StoredResponse,
  StoredSession,
} from "./types";

export const HISTORY_PATH = "/chat_history";
const JSON_BODY = { "Content-Type": "application/json" };

export interface SessionToSave {
  id: string;
  /** The first question when absent. */
  title?: string;
  answers: [string, StoredResponse][];
}

function sessionUrl(id: string, query = ""): string {
  return `${HISTORY_PATH}/sessions/${encodeURIComponent(id)}${query}`;
}

/** Save a whole conversation, replacing an earlier save of the same id. */
export async function saveSession(session: SessionToSave): Promise<SavedSession> {
  const response = await send(HISTORY_PATH, {
    method: "POST",
    headers: JSON_BODY,
    body: JSON.stringify(session),
  });
  return (await response.json()) as SavedSession;
}

/** One page of the caller's conversations, newest first. */
export async function listSessions(
  count: number,
  continuationToken: string | null,
  signal?: AbortSignal,
): Promise<SessionsPage> {
  const query = new URLSearchParams({ count: String(count) });
  if (continuationToken) query.set("continuation_token", continuationToken);
  const response = await send(`${HISTORY_PATH}/sessions?${query.toString()}`, { signal });
  return (await response.json()) as SessionsPage;
}

/** One conversation with its answers. */
export async function getSession(id: string, signal?: AbortSignal): Promise<StoredSession> {
  const response = await send(sessionUrl(id), { signal });
  return (await response.json()) as StoredSession;
}

/** Give a conversation a new title (1 to 200 characters; the server says why not). */
export async function renameSession(id: string, title: string): Promise<SavedSession> {
  const response = await send(sessionUrl(id), {
    method: "PATCH",
    headers: JSON_BODY,
    body: JSON.stringify({ title }),
  });
  return (await response.json()) as SavedSession;
}

export async function deleteSession(id: string): Promise<void> {
  await send(sessionUrl(id), { method: "DELETE" });
}

export type ExportFormat = "md" | "json";

/** A conversation as a file to download, named as the server's `Content-Disposition` says. */
export async function exportSession(
  id: string,
  format: ExportFormat,
): Promise<{ blob: Blob; filename: string }> {
  const response = await send(sessionUrl(id, `?format=${format}`), {});
  const filename =
    attachmentName(response.headers.get("Content-Disposition")) ?? `conversation.${format}`;
  return { blob: await response.blob(), filename };
}

/** The file name in a `Content-Disposition` header: `filename*` (RFC 5987) over `filename`. */
export function attachmentName(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended?.[2]) {
    try {
      return decodeURIComponent(extended[2].trim());
    } catch {
      // A malformed escape: fall back to the plain name.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
  const name = plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2]?.trim();
  return name ? name : null;
}

/** Rate one answer of a saved conversation. */
export async function postFeedback(feedback: FeedbackRequest): Promise<{ id: string }> {
  const response = await send("/feedback", {
    method: "POST",
    headers: JSON_BODY,
    body: JSON.stringify(feedback),
  });
  return (await response.json()) as { id: string };
}
