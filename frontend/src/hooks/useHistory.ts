/**
 * Saved conversations: the sidebar's list (a page at a time), and saving, opening, renaming,
 * deleting, downloading, rating an answer. Work on one conversation runs in order (a rename never overtakes the save before
 * it, feedback waits for the save it rates: `ready`); a save that fails is kept to say why.
 */
import { useCallback, useEffect, useRef, useState } from "react";

import { ApiError } from "../api/client";
import { exportSession, type ExportFormat } from "../api/history";
import { t } from "../i18n";
import { sendFeedback, type FeedbackTarget, type Rating } from "../lib/feedback";
import { saveFile } from "../lib/files";
import {
  toConversation,
  type Conversation,
  type ConversationParts,
  type ConversationStore,
  type ConversationSummary,
} from "../lib/historyStore";
import { moveConversations, type MoveResult } from "../lib/migrateHistory";

/** Per store: each conversation's queue of work, renamed titles, and saves that failed. */
interface StoreState {
  queues: Map<string, Promise<void>>;
  titles: Map<string, string>;
  unsaved: Map<string, ConversationParts>;
}

const states = new WeakMap<ConversationStore, StoreState>();
const moves = new WeakMap<ConversationStore, Promise<MoveResult>>();

function stateOf(store: ConversationStore): StoreState {
  let state = states.get(store);
  if (!state) {
    state = { queues: new Map(), titles: new Map(), unsaved: new Map() };
    states.set(store, state);
  }
  return state;
}

/** Run `task` after the work already queued for conversation `id`. */
function enqueue<T>(state: StoreState, id: string, task: () => Promise<T>): Promise<T> {
  const run = (state.queues.get(id) ?? Promise.resolve()).then(task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  state.queues.set(id, settled);
  void settled.then(() => {
    if (state.queues.get(id) === settled) state.queues.delete(id);
  });
  return run;
}

interface ListView {
  store: ConversationStore | null;
  items: ConversationSummary[];
  next: string | null;
  loading: boolean;
  error: string | null;
  moveNotice: string | null;
}

export interface SaveProblem {
  id: string;
  message: string;
}

export interface HistoryOptions {
  /**
   * With server history: the browser store of the same person (never another's), whose
   * conversations move to their server history once.
   */
  moveFrom?: ConversationStore | null;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `store` is null until it is known where conversations are kept (`/config`). */
export function useHistory(
  store: ConversationStore | null,
  { moveFrom = null }: HistoryOptions = {},
) {
  const [view, setView] = useState<ListView>(() => emptyView(null));
  const [saveProblem, setSaveProblem] = useState<SaveProblem | null>(null);
  const waiting = useRef<ConversationParts | null>(null);
  const shown = view.store === store ? view : emptyView(store);

  const change = useCallback(
    (update: (current: ListView) => Partial<ListView>) => {
      setView((current) => {
        const base = current.store === store ? current : emptyView(store);
        return { ...base, ...update(base) };
      });
    },
    [store],
  );

  const saveTo = useCallback(
    (target: ConversationStore, parts: ConversationParts): Promise<Error | null> => {
      const state = stateOf(target);
      return enqueue(state, parts.id, async () => {
        try {
          const summary = await target.put(
            toConversation(parts, state.titles.get(parts.id) ?? null),
          );
          state.unsaved.delete(parts.id);
          change((current) => ({ items: upsert(current.items, summary) }));
          setSaveProblem((problem) => (problem?.id === parts.id ? null : problem));
          return null;
        } catch (error) {
          state.unsaved.set(parts.id, parts);
          // IndexedDB unavailable (some private modes): no history, and nothing to say.
          if (target.kind === "server") setSaveProblem({ id: parts.id, message: messageOf(error) });
          return error instanceof Error ? error : new Error(String(error));
        }
      });
    },
    [change],
  );

  useEffect(() => {
    if (!store) return;
    let live = true;
    const parked = waiting.current;
    waiting.current = null;
    if (parked) void saveTo(store, parked);
    const load = async () => {
      let moveNotice: string | null = null;
      if (moveFrom && store.kind === "server") {
        let move = moves.get(store);
        if (!move) {
          move = moveConversations(moveFrom, store);
          moves.set(store, move);
        }
        moveNotice = noticeOf(await move);
      }
      try {
        const page = await store.list();
        // After any conversation saved meanwhile (already at the top).
        return (current: ListView) => ({
          items: appendNew(current.items, page.items),
          next: page.next,
          loading: false,
          moveNotice,
        });
      } catch (error) {
        // IndexedDB unavailable: an empty list, as before there was a server to ask.
        const message = store.kind === "server" ? t.history.listFailed(messageOf(error)) : null;
        return () => ({ loading: false, error: message, moveNotice });
      }
    };
    void load().then((update) => {
      if (live) change(update);
    });
    return () => {
      live = false;
    };
  }, [change, moveFrom, saveTo, store]);

  /** Save the conversation shown (after an answer); it goes to the top of the list. */
  const save = useCallback(
    (parts: ConversationParts) => {
      if (!parts.turns.length) return;
      if (store) void saveTo(store, parts);
      else waiting.current = parts; // saved once the store is known
    },
    [saveTo, store],
  );

  /** Resolves once conversation `id` is saved; a failed save is tried again, or rejects. */
  const ready = useCallback(
    async (id: string) => {
      if (!store) return;
      const state = stateOf(store);
      await state.queues.get(id);
      const parts = state.unsaved.get(id);
      if (!parts || store.kind === "browser") return;
      const error = await saveTo(store, parts);
      if (error) throw error;
    },
    [saveTo, store],
  );

  const loadMore = useCallback(() => {
    const next = shown.next;
    if (!store || !next || shown.loading) return;
    change(() => ({ loading: true, error: null }));
    store.list(next).then(
      (page) =>
        change((current) => ({
          items: appendNew(current.items, page.items),
          next: page.next,
          loading: false,
        })),
      (error: unknown) =>
        change(() => ({ loading: false, error: t.history.listFailed(messageOf(error)) })),
    );
  }, [change, shown.loading, shown.next, store]);

  /** The saved conversation (undefined if it is gone: it leaves the list); throws on errors. */
  const open = useCallback(
    async (id: string): Promise<Conversation | undefined> => {
      if (!store) return undefined;
      const state = stateOf(store);
      const conversation = await enqueue(state, id, () => store.get(id));
      if (!conversation) {
        change((current) => ({ items: current.items.filter((item) => item.id !== id) }));
        return undefined;
      }
      state.titles.set(id, conversation.title);
      return conversation;
    },
    [change, store],
  );

  /** Rename a conversation; throws with the reason (the server's message) if it cannot. */
  const rename = useCallback(
    async (id: string, title: string) => {
      if (!store) return;
      const state = stateOf(store);
      const summary = await enqueue(state, id, () => store.rename(id, title));
      state.titles.set(id, summary.title);
      change((current) => ({ items: upsert(current.items, summary) }));
    },
    [change, store],
  );

  /** Delete a conversation (one already gone counts as deleted); throws on other errors. */
  const remove = useCallback(
    async (id: string) => {
      if (!store) return;
      const state = stateOf(store);
      await enqueue(state, id, async () => {
        try {
          await store.delete(id);
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 404)) throw error;
        }
      });
      state.titles.delete(id);
      state.unsaved.delete(id);
      change((current) => ({ items: current.items.filter((item) => item.id !== id) }));
      setSaveProblem((problem) => (problem?.id === id ? null : problem));
    },
    [change, store],
  );

  const dismissSaveProblem = useCallback(() => setSaveProblem(null), []);

  /** Download a conversation as the server exports it, once its last save is done. */
  const download = useCallback(
    async (id: string, format: ExportFormat) => {
      await ready(id);
      const { blob, filename } = await exportSession(id, format);
      saveFile(blob, filename);
    },
    [ready],
  );

  /** Rate an answer, once the conversation it is in is saved. */
  const rate = useCallback(
    (target: FeedbackTarget, rating: Rating, comment: string) =>
      sendFeedback(target, rating, comment, ready),
    [ready],
  );

  return {
    kind: store?.kind ?? null,
    items: shown.items,
    hasMore: Boolean(shown.next),
    loading: shown.loading,
    error: shown.error,
    moveNotice: shown.moveNotice,
    saveProblem,
    dismissSaveProblem,
    save,
    ready,
    download,
    rate,
    loadMore,
    open,
    rename,
    remove,
  };
}

export type History = ReturnType<typeof useHistory>;

function emptyView(store: ConversationStore | null): ListView {
  return { store, items: [], next: null, loading: store !== null, error: null, moveNotice: null };
}

/** `summary` at the top (it was just saved or renamed), without its older entry. */
function upsert(items: readonly ConversationSummary[], summary: ConversationSummary) {
  return [summary, ...items.filter((item) => item.id !== summary.id)];
}

function appendNew(items: readonly ConversationSummary[], more: readonly ConversationSummary[]) {
  const known = new Set(items.map((item) => item.id));
  return [...items, ...more.filter((item) => !known.has(item.id))];
}

function noticeOf(result: MoveResult): string | null {
  if (result.full) return t.history.moveFull(result.full);
  if (result.kept && result.error) return t.history.moveFailed(result.kept, result.error);
  return null;
}
