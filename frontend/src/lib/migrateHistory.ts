/**
 * Move the conversations this browser kept in IndexedDB to the server, once server history is
 * on. Each keeps its id, and the server replaces a save of the same id, so a retry (another
 * load, another tab) cannot make a second copy; a conversation leaves IndexedDB only after the
 * server has said it is saved, so a failure keeps it here for the next load.
 */
import { ApiError } from "../api/client";
import type { ConversationStore } from "./historyStore";

export interface MoveResult {
  moved: number;
  /** Conversations still in the browser, to try again next time. */
  kept: number;
  /** The server's message when it refused more conversations (409): nothing more was tried. */
  full: string | null;
  /** The first other failure's message. */
  error: string | null;
}

/**
 * Copy every conversation of `from` to `to`, oldest first, deleting each once it is saved; both
 * must be the same person's (their own browser database and their server history).
 */
export async function moveConversations(
  from: ConversationStore,
  to: ConversationStore,
): Promise<MoveResult> {
  const result: MoveResult = { moved: 0, kept: 0, full: null, error: null };
  let items;
  try {
    items = await listAll(from);
  } catch {
    return result; // no IndexedDB here (some private modes): nothing to move
  }
  // Oldest first: the server dates each by its save, so the newest stays on top.
  const pending = items.reverse();
  for (const [index, { id }] of pending.entries()) {
    try {
      const conversation = await from.get(id);
      if (!conversation?.turns.length) {
        await from.delete(id);
        continue;
      }
      await to.put(conversation);
    } catch (error) {
      result.kept += 1;
      if (error instanceof ApiError && error.status === 409) {
        result.full = error.message;
        result.kept = pending.length - index;
        break;
      }
      result.error ??= error instanceof Error ? error.message : String(error);
      continue;
    }
    result.moved += 1;
    try {
      await from.delete(id);
    } catch {
      // Saved on the server; the next load saves the same id again, which replaces it.
    }
  }
  return result;
}

async function listAll(store: ConversationStore) {
  const page = await store.list();
  const items = [...page.items];
  for (let next = page.next; next;) {
    const more = await store.list(next);
    items.push(...more.items);
    next = more.next;
  }
  return items;
}
