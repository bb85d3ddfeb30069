/**
 * Saved conversations: the store protocol, and its IndexedDB implementation (through `idb`)
 * for servers that keep conversations in the browser. `serverHistoryStore.ts` is the other.
 */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";

import { t } from "../i18n";
import { isPending, type Turn } from "./answer";
import { clipTitle, defaultTitle, MAX_TITLE } from "./storedTurns";

export interface Conversation {
  id: string;
  /** The first question, unless renamed. */
  title: string;
  createdAt: number;
  updatedAt: number;
  turns: Turn[];
  sessionState: unknown;
}

export type ConversationSummary = Pick<Conversation, "id" | "title" | "updatedAt">;

/** One page of summaries, most recently updated first; `next` asks for the page after it. */
export interface ConversationPage {
  items: ConversationSummary[];
  next: string | null;
}

/** Where conversations are saved; errors are thrown with a message to show. */
export interface ConversationStore {
  readonly kind: "browser" | "server";
  /** The first page, or the one `next` of an earlier page names. */
  list(next?: string | null): Promise<ConversationPage>;
  /** The conversation, or undefined when there is none with this id. */
  get(id: string): Promise<Conversation | undefined>;
  /** Save (or replace) a whole conversation. */
  put(conversation: Conversation): Promise<ConversationSummary>;
  rename(id: string, title: string): Promise<ConversationSummary>;
  delete(id: string): Promise<void>;
}

interface HistoryDb extends DBSchema {
  conversations: {
    key: string;
    value: Conversation;
    indexes: { updatedAt: number };
  };
}

/** Anonymous visitors' conversations (and everyone's, before each user had a database). */
export const DB_NAME = "ragchat";
/** Older conversations beyond this many are pruned, so the store cannot grow without end. */
export const MAX_CONVERSATIONS = 100;

/** Conversations in this browser's IndexedDB; every method throws if it is unavailable. */
export class BrowserHistoryStore implements ConversationStore {
  readonly kind = "browser";
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

  /** All summaries, on one page. */
  async list(): Promise<ConversationPage> {
    const db = await this.open();
    const all = await db.getAllFromIndex("conversations", "updatedAt");
    return { items: all.reverse().map(summary), next: null };
  }

  async get(id: string): Promise<Conversation | undefined> {
    return (await this.open()).get("conversations", id);
  }

  /** Save (or replace) a conversation, then prune the oldest beyond the limit. */
  async put(conversation: Conversation): Promise<ConversationSummary> {
    const db = await this.open();
    const tx = db.transaction("conversations", "readwrite");
    await tx.store.put(conversation);
    const keys = await tx.store.index("updatedAt").getAllKeys();
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_CONVERSATIONS))) {
      await tx.store.delete(key);
    }
    await tx.done;
    return summary(conversation);
  }

  async rename(id: string, title: string, now: number = Date.now()): Promise<ConversationSummary> {
    const text = title.trim();
    if (!text || Array.from(text).length > MAX_TITLE) throw new Error(t.history.titleLength);
    const db = await this.open();
    const tx = db.transaction("conversations", "readwrite");
    const conversation = await tx.store.get(id);
    if (!conversation) throw new Error(t.history.missing);
    const renamed = { ...conversation, title: text, updatedAt: now };
    await tx.store.put(renamed);
    await tx.done;
    return summary(renamed);
  }

  async delete(id: string): Promise<void> {
    await (await this.open()).delete("conversations", id);
  }

  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = null;
  }
}

/**
 * The database of `userId`'s conversations: each signed-in user has their own, so nobody else
 * on this browser lists them; anonymous visitors keep `DB_NAME`.
 */
export function browserDbName(userId: string | null): string {
  return userId === null ? DB_NAME : `${DB_NAME}-user-${fnv1a64(userId)}`;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** The 64-bit FNV-1a hash of `text`'s UTF-8, in hex: a name that does not show the id itself. */
function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * FNV_PRIME);
  }
  return hash.toString(16).padStart(16, "0");
}

function summary({ id, title, updatedAt }: Conversation): ConversationSummary {
  return { id, title, updatedAt };
}

export interface ConversationParts {
  id: string;
  turns: readonly Turn[];
  sessionState: unknown;
  createdAt: number;
}

/** A conversation record from the turns shown; unfinished answers are stored as stopped. */
export function toConversation(
  { id, turns, sessionState, createdAt }: ConversationParts,
  title: string | null = null,
  now: number = Date.now(),
): Conversation {
  return {
    id,
    title: (title === null ? "" : clipTitle(title)) || defaultTitle(turns),
    createdAt,
    updatedAt: now,
    sessionState,
    turns: turns.map((turn) =>
      isPending(turn) ? { ...turn, answer: { ...turn.answer, status: "stopped" } } : turn,
    ),
  };
}
