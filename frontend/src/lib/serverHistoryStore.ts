/** Conversations kept on the server (`/chat_history`, CHAT_HISTORY=local|cosmos). */
import { ApiError } from "../api/client";
import {
  deleteSession,
  getSession,
  listSessions,
  renameSession,
  saveSession,
} from "../api/history";
import type { SavedSession } from "../api/types";
import type { Turn } from "./answer";
import type {
  Conversation,
  ConversationPage,
  ConversationStore,
  ConversationSummary,
} from "./historyStore";
import { fromStoredPair, toStoredResponse } from "./storedTurns";

/** Conversations listed per page. */
export const PAGE_SIZE = 20;

/** The signed-in user's conversations, or an anonymous browser's, on the server. */
export class ServerHistoryStore implements ConversationStore {
  readonly kind = "server";
  private answered = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly pageSize: number = PAGE_SIZE) {}

  /**
   * Run one request. Until the server has answered one, requests go one at a time: a browser
   * nobody is signed in on gets its anonymous id in a cookie on that first answer, and two
   * requests sent before it would each be given a different id (and the last one set wins).
   */
  private call<T>(request: () => Promise<T>): Promise<T> {
    if (this.answered) return request();
    const result = this.queue.then(request);
    this.queue = result.then(
      () => {
        this.answered = true;
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status !== null) this.answered = true;
      },
    );
    return result;
  }

  async list(next: string | null = null): Promise<ConversationPage> {
    const page = await this.call(() => listSessions(this.pageSize, next));
    return {
      items: page.sessions.map(({ id, title, timestamp }) => ({ id, title, updatedAt: timestamp })),
      next: page.continuation_token,
    };
  }

  async get(id: string): Promise<Conversation | undefined> {
    try {
      const session = await this.call(() => getSession(id));
      const turns = session.answers.map(fromStoredPair).filter((turn): turn is Turn => !!turn);
      return {
        id: session.id,
        title: session.title,
        createdAt: session.created,
        updatedAt: session.timestamp,
        turns,
        sessionState: turns.at(-1)?.sessionState ?? null,
      };
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async put(conversation: Conversation): Promise<ConversationSummary> {
    const saved = await this.call(() =>
      saveSession({
        id: conversation.id,
        // Sent every time: a save without a title would set it back to the first question.
        ...(conversation.title ? { title: conversation.title } : {}),
        answers: conversation.turns.map((turn) => [turn.question, toStoredResponse(turn)]),
      }),
    );
    return fromSaved(saved);
  }

  async rename(id: string, title: string): Promise<ConversationSummary> {
    return fromSaved(await this.call(() => renameSession(id, title)));
  }

  async delete(id: string): Promise<void> {
    await this.call(() => deleteSession(id));
  }
}

function fromSaved({ id, title, timestamp }: SavedSession): ConversationSummary {
  return { id, title, updatedAt: timestamp };
}
