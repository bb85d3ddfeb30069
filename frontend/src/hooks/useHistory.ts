/** Saved conversations: the list for the sidebar, and saving, opening, deleting. */
import { useCallback, useEffect, useState } from "react";

import type { Turn } from "../lib/answer";
import {
  HistoryStore,
  toConversation,
  type Conversation,
  type ConversationSummary,
} from "../lib/historyStore";

const defaultStore = new HistoryStore();

export function useHistory(store: HistoryStore = defaultStore) {
  const [items, setItems] = useState<ConversationSummary[]>([]);

  const refresh = useCallback(async () => {
    try {
      setItems(await store.list());
    } catch {
      setItems([]); // IndexedDB unavailable (some private modes): no history, no error.
    }
  }, [store]);

  useEffect(() => {
    let live = true;
    store.list().then(
      (list) => live && setItems(list),
      () => live && setItems([]),
    );
    return () => {
      live = false;
    };
  }, [store]);

  const save = useCallback(
    async (id: string, turns: readonly Turn[], sessionState: unknown, createdAt: number) => {
      if (!turns.length) return;
      try {
        await store.put(toConversation(id, turns, sessionState, createdAt));
      } catch {
        return;
      }
      await refresh();
    },
    [refresh, store],
  );

  const open = useCallback(
    async (id: string): Promise<Conversation | undefined> => {
      try {
        return await store.get(id);
      } catch {
        return undefined;
      }
    },
    [store],
  );

  const remove = useCallback(
    async (id: string) => {
      try {
        await store.delete(id);
      } finally {
        await refresh();
      }
    },
    [refresh, store],
  );

  return { items, save, open, remove };
}
