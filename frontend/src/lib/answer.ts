/** A conversation turn and how each NDJSON line updates its answer. */
import type { ChatMessage, DataPoints, Overrides, StreamLine, Thought } from "../api/types";

export type AnswerStatus = "waiting" | "streaming" | "done" | "stopped" | "error";

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

/** Whether a turn is still receiving its answer. */
export function isPending(turn: Turn): boolean {
  return turn.answer.status === "waiting" || turn.answer.status === "streaming";
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
