/** Conversations saved in the browser's IndexedDB (through `idb`). */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";

import type { Turn } from "./answer";

export interface Conversation {
  id: string;
  /** The first question. */
  title: string;
  createdAt: number;
  updatedAt: number;
  turns: Turn[];
  sessionState: unknown;
}

export type ConversationSummary = Pick<Conversation, "id" | "title" | "createdAt" | "updatedAt">;

interface HistoryDb extends DBSchema {
  conversations: {
    key: string;
    value: Conversation;
    indexes: { updatedAt: number };
  };
}

export const DB_NAME = "ragchat";
/** Older conversations beyond this many are pruned, so the store cannot grow without end. */
export const MAX_CONVERSATIONS = 100;

/** A store of conversations; every method is safe to call when IndexedDB is unavailable. */
export class HistoryStore {
  private db: Promise<IDBPDatabase<HistoryDb>> | null = null;

  constructor(private readonly name: string = DB_NAME) {}

  private open(): Promise<IDBPDatabase<HistoryDb>> {
    this.db ??= openDB<HistoryDb>(this.name, 1, {
      upgrade(db) {
        const store = db.createObjectStore("conversations", { keyPath: "id" });
        store.createIndex("updatedAt", "updatedAt");
      },
    });
    return this.db;
  }

  /** Summaries, most recently updated first. */
  async list(): Promise<ConversationSummary[]> {
    const db = await this.open();
    const all = await db.getAllFromIndex("conversations", "updatedAt");
    return all.reverse().map(({ id, title, createdAt, updatedAt }) => ({
      id,
      title,
      createdAt,
      updatedAt,
    }));
  }

  async get(id: string): Promise<Conversation | undefined> {
    return (await this.open()).get("conversations", id);
  }

  /** Save (or replace) a conversation, then prune the oldest beyond the limit. */
  async put(conversation: Conversation): Promise<void> {
    const db = await this.open();
    const tx = db.transaction("conversations", "readwrite");
    await tx.store.put(conversation);
    const keys = await tx.store.index("updatedAt").getAllKeys();
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_CONVERSATIONS))) {
      await tx.store.delete(key);
    }
    await tx.done;
  }

  async delete(id: string): Promise<void> {
    await (await this.open()).delete("conversations", id);
  }

  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = null;
  }
}

/** A conversation record from the turns shown; unfinished answers are stored as stopped. */
export function toConversation(
  id: string,
  turns: readonly Turn[],
  sessionState: unknown,
  createdAt: number,
  now: number = Date.now(),
): Conversation {
  return {
    id,
    title: turns[0]?.question.trim().slice(0, 200) ?? "",
    createdAt,
    updatedAt: now,
    sessionState,
    turns: turns.map((turn) =>
      turn.answer.status === "waiting" || turn.answer.status === "streaming"
        ? { ...turn, answer: { ...turn.answer, status: "stopped" } }
        : turn,
    ),
  };
}
