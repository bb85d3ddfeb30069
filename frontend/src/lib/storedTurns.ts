/**
 * Turns as `/chat_history` keeps them, `[question, response]` pairs, and back again. A response
 * holds the demo's message and context plus this SPA's stream lines, settings and ending, so a
 * reopened turn shows exactly as it did; a pair another client saved is read as far as it goes.
 */
import type { DataPoints, StoredResponse, StreamLine, Thought } from "../api/types";
import { isPendingStatus, newId, type AnswerStatus, type Turn } from "./answer";

/** Titles are at most this many characters, on the server as here. */
export const MAX_TITLE = 200;

/** The default title: the first question on one line, cut to MAX_TITLE characters. */
export function defaultTitle(turns: readonly Turn[]): string {
  return clipTitle(turns[0]?.question ?? "");
}

/** `text` on one line and at most MAX_TITLE characters (code points, as Python counts). */
export function clipTitle(text: string): string {
  return Array.from(text.split(/\s+/).filter(Boolean).join(" ")).slice(0, MAX_TITLE).join("");
}

/** What `POST /chat_history` keeps of a turn; an unfinished answer is kept as stopped. */
export function toStoredResponse(turn: Turn): StoredResponse {
  const { answer } = turn;
  const status = isPendingStatus(answer.status) ? "stopped" : answer.status;
  const response: StoredResponse = {
    message: { role: "assistant", content: answer.content },
    context: {
      data_points: answer.dataPoints,
      thoughts: answer.thoughts,
      followup_questions: answer.followups,
    },
    session_state: turn.sessionState ?? null,
    status,
    error: answer.error,
  };
  if (turn.events) response.events = turn.events;
  if (turn.overrides) response.settings = turn.overrides;
  if (answer.errorId) response.error_id = answer.errorId;
  if (answer.truncated) response.finish_reason = "length";
  return response;
}

/** A stored `[question, response]` pair as a turn; null for something that is not a pair. */
export function fromStoredPair(pair: unknown): Turn | null {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") return null;
  const [question, stored] = pair as [string, unknown];
  const response = isRecord(stored) ? stored : {};
  const message = isRecord(response.message) ? response.message : {};
  const context = isRecord(response.context) ? response.context : {};
  const turn: Turn = {
    id: newId(),
    question,
    answer: {
      content: typeof message.content === "string" ? message.content : "",
      dataPoints: isRecord(context.data_points)
        ? (context.data_points as unknown as DataPoints)
        : null,
      thoughts: Array.isArray(context.thoughts) ? (context.thoughts as Thought[]) : [],
      followups: Array.isArray(context.followup_questions)
        ? context.followup_questions.filter((q): q is string => typeof q === "string")
        : [],
      status: storedStatus(response.status),
      error: typeof response.error === "string" ? response.error : null,
    },
    sessionState: response.session_state ?? null,
  };
  if (typeof response.error_id === "string") turn.answer.errorId = response.error_id;
  if (response.finish_reason === "length") turn.answer.truncated = true;
  if (Array.isArray(response.events)) turn.events = response.events as StreamLine[];
  if (isRecord(response.settings)) turn.overrides = response.settings;
  return turn;
}

function storedStatus(value: unknown): AnswerStatus {
  if (value === "error") return "error";
  if (value === "stopped" || value === "waiting" || value === "streaming") return "stopped";
  return "done"; // saved by a client that does not say: it kept the answer, so it was complete
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
