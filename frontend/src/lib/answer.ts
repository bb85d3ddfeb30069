/** A conversation turn and how each NDJSON line updates its answer. */
import type { ChatMessage, DataPoints, Overrides, StreamLine, Thought } from "../api/types";

/** `queued`: asked while the browser was offline; sent when it is back online. */
export type AnswerStatus = "queued" | "waiting" | "streaming" | "done" | "stopped" | "error";

export interface Answer {
  content: string;
  dataPoints: DataPoints | null;
  thoughts: Thought[];
  followups: string[];
  status: AnswerStatus;
  error: string | null;
  /** The failed request's id, to quote when reporting the error. */
  errorId?: string | null;
  /** The model stopped at the answer's token bound: what is shown is not the whole answer. */
  truncated?: boolean;
}

export interface Turn {
  id: string;
  question: string;
  answer: Answer;
  /** The overrides the question was sent with. */
  overrides?: Overrides;
  /** Every stream line of the answer as received (once it has settled); absent when unknown. */
  events?: StreamLine[];
  /** The session state the answer's stream carried. */
  sessionState?: unknown;
}

/** A new turn, waiting for its first line. */
export function newTurn(question: string, id: string = newId()): Turn {
  return {
    id,
    question,
    answer: {
      content: "",
      dataPoints: null,
      thoughts: [],
      followups: [],
      status: "waiting",
      error: null,
    },
  };
}

/** The answer after one more line of the stream. */
export function applyLine(answer: Answer, line: StreamLine): Answer {
  let next: Answer = answer.status === "waiting" ? { ...answer, status: "streaming" } : answer;
  const context = line.context;
  if (context?.data_points) next = { ...next, dataPoints: context.data_points };
  if (context?.thoughts) next = { ...next, thoughts: context.thoughts };
  if (context?.followup_questions) next = { ...next, followups: context.followup_questions };
  if (context?.thoughts_added) {
    next = { ...next, thoughts: [...next.thoughts, ...context.thoughts_added] };
  }
  if (line.finish_reason === "length") next = { ...next, truncated: true };
  const piece = line.delta?.content;
  if (typeof piece === "string" && piece) next = { ...next, content: next.content + piece };
  return next;
}

/** Whether a turn is still receiving its answer (or waiting for the network to ask). */
export function isPending(turn: Turn): boolean {
  return isPendingStatus(turn.answer.status);
}

export function isPendingStatus(
  status: AnswerStatus,
): status is "queued" | "waiting" | "streaming" {
  return status === "queued" || status === "waiting" || status === "streaming";
}

/** Whether the answer broke off after some of its text arrived (an error, a lost connection). */
export function isCut(answer: Answer): boolean {
  return answer.status === "error" && answer.content.length > 0;
}

/** The messages for the server: earlier answered turns, then the new question. */
export function toMessages(history: readonly Turn[], question: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const turn of history) {
    if (!turn.answer.content || turn.answer.status === "error") continue;
    messages.push({ role: "user", content: turn.question });
    messages.push({ role: "assistant", content: turn.answer.content });
  }
  messages.push({ role: "user", content: question });
  return messages;
}

/** A short random id. */
export function newId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
