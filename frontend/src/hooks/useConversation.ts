/** Conversation state: ask, stream the answer in, stop, retry, clear, reopen. */
import { useCallback, useEffect, useRef, useState } from "react";

import { ApiError, isAbort, streamAnswer } from "../api/client";
import type { AnswerEndpoint, Overrides, StreamLine } from "../api/types";
import { t } from "../i18n";
import {
  applyLine,
  isPending,
  newId,
  newTurn,
  toMessages,
  type Answer,
  type Turn,
} from "../lib/answer";
import type { Conversation } from "../lib/historyStore";

export interface ConversationState {
  id: string;
  createdAt: number;
  turns: Turn[];
  sessionState: unknown;
}

export interface UseConversationOptions {
  /** "chat" sends the earlier turns to `/chat/stream`; "ask" answers each question on its own
   * at `/ask/stream`. */
  mode: "chat" | "ask";
  /** Called when an answer is complete, stopped or failed (to save the conversation). */
  onSettled?: (state: ConversationState) => void;
}

const ENDPOINTS: Record<UseConversationOptions["mode"], AnswerEndpoint> = {
  chat: "/chat/stream",
  ask: "/ask/stream",
};

function freshState(): ConversationState {
  return { id: newId(), createdAt: Date.now(), turns: [], sessionState: null };
}

export function useConversation({ mode, onSettled }: UseConversationOptions) {
  const endpoint = ENDPOINTS[mode];
  const [state, setState] = useState<ConversationState>(freshState);
  const stateRef = useRef(state);
  const controllerRef = useRef<AbortController | null>(null);
  const onSettledRef = useRef(onSettled);

  useEffect(() => {
    onSettledRef.current = onSettled;
  }, [onSettled]);

  useEffect(() => () => controllerRef.current?.abort(), []);

  const commit = useCallback((update: (current: ConversationState) => ConversationState) => {
    stateRef.current = update(stateRef.current);
    setState(stateRef.current);
  }, []);

  const run = useCallback(
    async (question: string, overrides: Overrides, history: Turn[]) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      const conversationId = stateRef.current.id;
      const turn: Turn = { ...newTurn(question), overrides };
      const events: StreamLine[] = [];
      let sessionState: unknown = undefined;
      const request = {
        messages:
          mode === "chat"
            ? toMessages(history, question)
            : [{ role: "user" as const, content: question }],
        context: { overrides },
        session_state: stateRef.current.sessionState,
      };
      commit((current) => ({ ...current, turns: [...history, turn] }));
      const update = (change: (answer: Answer) => Answer, settled = false) => {
        commit((current) => ({
          ...current,
          turns: current.turns.map((item) => {
            if (item.id !== turn.id) return item;
            const next = { ...item, answer: change(item.answer) };
            // The lines as received, kept with the turn once it ends (to save it as it came).
            return settled ? { ...next, events: [...events], sessionState } : next;
          }),
        }));
      };
      const onLine = (line: StreamLine) => events.push(line);
      try {
        for await (const line of streamAnswer(endpoint, request, controller.signal, onLine)) {
          if ("session_state" in line) {
            sessionState = line.session_state;
            if (stateRef.current.id === conversationId) {
              commit((current) => ({ ...current, sessionState: line.session_state }));
            }
          }
          update((answer) => applyLine(answer, line));
        }
        update((answer) => ({ ...answer, status: "done" }), true);
      } catch (error) {
        if (controller.signal.aborted || isAbort(error)) {
          update((answer) => ({ ...answer, status: "stopped" }), true);
        } else {
          const message = error instanceof ApiError ? error.message : t.errors.badStream;
          const errorId = error instanceof ApiError ? error.requestId : null;
          update((answer) => ({ ...answer, status: "error", error: message, errorId }), true);
        }
      } finally {
        if (controllerRef.current === controller) controllerRef.current = null;
      }
      // Not when the conversation was cleared or replaced while this answer streamed.
      if (stateRef.current.id === conversationId) onSettledRef.current?.(stateRef.current);
    },
    [commit, endpoint, mode],
  );

  /** Ask a question; in "ask" mode it replaces the previous one. */
  const ask = useCallback(
    (question: string, overrides: Overrides) => {
      const text = question.trim();
      if (!text) return;
      const history =
        mode === "chat" ? stateRef.current.turns.filter((turn) => !isPending(turn)) : [];
      void run(text, overrides, history);
    },
    [mode, run],
  );

  /** Ask the last question again, in place of its failed or stopped answer. */
  const retry = useCallback(
    (overrides: Overrides) => {
      const turns = stateRef.current.turns;
      const last = turns.at(-1);
      if (!last || isPending(last)) return;
      void run(last.question, overrides, turns.slice(0, -1));
    },
    [run],
  );

  /** Abort the answer being streamed; what arrived so far stays. */
  const stop = useCallback(() => {
    controllerRef.current?.abort();
  }, []);

  /** Start a new, empty conversation. */
  const clear = useCallback(() => {
    controllerRef.current?.abort();
    commit(() => freshState());
  }, [commit]);

  /** Show a saved conversation. */
  const load = useCallback(
    (conversation: Conversation) => {
      controllerRef.current?.abort();
      commit(() => ({
        id: conversation.id,
        createdAt: conversation.createdAt,
        turns: conversation.turns,
        sessionState: conversation.sessionState,
      }));
    },
    [commit],
  );

  const last = state.turns.at(-1);
  return {
    ...state,
    busy: last ? isPending(last) : false,
    ask,
    retry,
    stop,
    clear,
    load,
  };
}
