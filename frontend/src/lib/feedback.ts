/** A thumbs up or down on one answer of a conversation, sent once that conversation is saved. */
import { postFeedback } from "../api/history";
import type { FeedbackRequest } from "../api/types";
import type { Turn } from "./answer";
import { parseCitations } from "./citations";

export type Rating = "up" | "down";

export interface FeedbackTarget {
  conversationId: string;
  /** The answer's 0-based place in the conversation, as saved. */
  index: number;
  turn: Turn;
  /** Where conversations are kept: in the browser, the feedback carries what it rates. */
  kind: "browser" | "server";
}

/** The body of `POST /feedback`. */
export function feedbackRequest(
  { conversationId, index, turn, kind }: FeedbackTarget,
  rating: Rating,
  comment: string,
): FeedbackRequest {
  const request: FeedbackRequest = {
    session_id: conversationId,
    answer_index: index,
    rating,
    comment: comment.trim(),
  };
  if (kind === "server") return request; // the server reads the rest from the saved session
  const { content, dataPoints } = turn.answer;
  return {
    ...request,
    question: turn.question,
    answer: content,
    citations: parseCitations(content, dataPoints?.citations).map((citation) => citation.ref),
    settings: turn.overrides ?? {},
  };
}

/** Wait for `saved` (the conversation's save), then send the feedback. */
export async function sendFeedback(
  target: FeedbackTarget,
  rating: Rating,
  comment: string,
  saved: (conversationId: string) => Promise<void>,
): Promise<void> {
  await saved(target.conversationId);
  await postFeedback(feedbackRequest(target, rating, comment));
}
