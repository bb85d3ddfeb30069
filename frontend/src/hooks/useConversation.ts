/**
 * Conversation state: ask, stream the answer in, stop, retry, clear, reopen. A question asked
 * while the browser is offline waits (status `queued`) and is sent when it is back online.
 */
import { useCallback, useEffect, useRef, useState } from "react";

import { ApiError, ConnectionError, isAbort, streamAnswer } from "../api/client";
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
import { isOnline, onConnectivityChange } from "./useOnline";

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

/** Run `callback` before the next paint (soon, where frames are not painted); returns a cancel. */
function nextFrame(callback: () => void): () => void {
  if (typeof requestAnimationFrame === "function") {
    const frame = requestAnimationFrame(callback);
    return () => cancelAnimationFrame(frame);
  }
  const timer = setTimeout(callback, 16);
  return () => clearTimeout(timer);
}

function errorText(error: unknown): string {
  if (error instanceof ConnectionError && error.midAnswer && !isOnline()) return t.errors.offline;
  return error instanceof ApiError ? error.message : t.errors.badStream;
}

export function useConversation({ mode, onSettled }: UseConversationOptions) {
  const endpoint = ENDPOINTS[mode];
  const [state, setState] = useState<ConversationState>(freshState);
  const stateRef = useRef(state);
  const controllerRef = useRef<AbortController | null>(null);
  /** The question waiting for the network: its turn (the last) and its overrides. */
  const queuedRef = useRef<{ turnId: string; overrides: Overrides } | null>(null);
  const onSettledRef = useRef(onSettled);

  useEffect(() => {
    onSettledRef.current = onSettled;
  }, [onSettled]);

  useEffect(() => () => controllerRef.current?.abort(), []);

  const commit = useCallback((update: (current: ConversationState) => ConversationState) => {
    stateRef.current = update(stateRef.current);
    setState(stateRef.current);
  }, []);

  /** Keep the question as the last turn, to send when the browser is back online. */
  const queue = useCallback(
    (question: string, overrides: Overrides, history: Turn[]) => {
      controllerRef.current?.abort();
      const turn = newTurn(question);
      queuedRef.current = { turnId: turn.id, overrides };
      commit((current) => ({
        ...current,
        turns: [...history, { ...turn, overrides, answer: { ...turn.answer, status: "queued" } }],
      }));
    },
    [commit],
  );

  const run = useCallback(
    async (question: string, overrides: Overrides, history: Turn[]) => {
      controllerRef.current?.abort();
      queuedRef.current = null;
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
      // Lines wait for the next frame and are applied together: one render per frame at most,
      // however fast they come (a long answer sent in small pieces).
      let received: StreamLine[] = [];
      let cancelFrame: (() => void) | null = null;
      const flush = () => {
        cancelFrame?.();
        cancelFrame = null;
        const lines = received;
        received = [];
        if (lines.length) update((answer) => lines.reduce(applyLine, answer));
      };
      // Offline, the connection is as good as gone (a stalled stream would only end when TCP
      // gives up, minutes later): the answer ends now, with Retry.
      const dropped = { offline: false };
      const unsubscribe = onConnectivityChange(() => {
        if (isOnline()) return;
        dropped.offline = true;
        controller.abort();
      });
      try {
        for await (const line of streamAnswer(endpoint, request, controller.signal, onLine)) {
          if ("session_state" in line) {
            sessionState = line.session_state;
            if (stateRef.current.id === conversationId) {
              commit((current) => ({ ...current, sessionState: line.session_state }));
            }
          }
          received.push(line);
          cancelFrame ??= nextFrame(flush);
        }
        flush();
        update((answer) => ({ ...answer, status: "done" }), true);
      } catch (error) {
        flush();
        const unanswered = events.length === 0;
        if (
          (dropped.offline && unanswered) ||
          (error instanceof ConnectionError && !error.midAnswer && !isOnline())
        ) {
          // No answer came: the question waits for the network instead of failing.
          if (stateRef.current.id === conversationId) queue(question, overrides, history);
          return;
        } else if (dropped.offline) {
          const message = t.errors.offline;
          update((answer) => ({ ...answer, status: "error", error: message, errorId: null }), true);
        } else if (controller.signal.aborted || isAbort(error)) {
          update((answer) => ({ ...answer, status: "stopped" }), true);
        } else {
          const errorId = error instanceof ApiError ? error.requestId : null;
          const message = errorText(error);
          update((answer) => ({ ...answer, status: "error", error: message, errorId }), true);
        }
      } finally {
        unsubscribe();
        if (controllerRef.current === controller) controllerRef.current = null;
      }
      // Not when the conversation was cleared or replaced while this answer streamed.
      if (stateRef.current.id === conversationId) onSettledRef.current?.(stateRef.current);
    },
    [commit, endpoint, mode, queue],
  );

  /** Send now, or keep it for when the browser is back online. */
  const send = useCallback(
    (question: string, overrides: Overrides, history: Turn[]) => {
      if (isOnline()) void run(question, overrides, history);
      else queue(question, overrides, history);
    },
    [queue, run],
  );

  // Back online: the question that waited goes out.
  useEffect(
    () =>
      onConnectivityChange(() => {
        const queued = queuedRef.current;
        const turns = stateRef.current.turns;
        const last = turns.at(-1);
        if (!queued || !isOnline() || last?.id !== queued.turnId) return;
        void run(last.question, queued.overrides, turns.slice(0, -1));
      }),
    [run],
  );

  /** Ask a question; in "ask" mode it replaces the previous one. */
  const ask = useCallback(
    (question: string, overrides: Overrides) => {
      const text = question.trim();
      if (!text) return;
      const history =
        mode === "chat" ? stateRef.current.turns.filter((turn) => !isPending(turn)) : [];
      send(text, overrides, history);
    },
    [mode, send],
  );

  /** Ask the last question again, in place of its failed or stopped answer. */
  const retry = useCallback(
    (overrides: Overrides) => {
      const turns = stateRef.current.turns;
      const last = turns.at(-1);
      if (!last || isPending(last)) return;
      send(last.question, overrides, turns.slice(0, -1));
    },
    [send],
  );

  /** Abort the answer being streamed (what arrived so far stays), or drop a waiting question. */
  const stop = useCallback(() => {
    const queued = queuedRef.current;
    queuedRef.current = null;
    if (queued) {
      commit((current) => ({
        ...current,
        turns: current.turns.filter((turn) => turn.id !== queued.turnId),
      }));
    }
    controllerRef.current?.abort();
  }, [commit]);

  /** Start a new, empty conversation. */
  const clear = useCallback(() => {
    queuedRef.current = null;
    controllerRef.current?.abort();
    commit(() => freshState());
  }, [commit]);

  /** Show a saved conversation. */
  const load = useCallback(
    (conversation: Conversation) => {
      queuedRef.current = null;
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
