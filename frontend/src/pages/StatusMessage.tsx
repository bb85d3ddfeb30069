/**
 * Announces the answer's progress to screen readers, politely, a few times per answer: never
 * the streamed text piece by piece (the answer is `aria-busy` meanwhile). Errors announce
 * themselves as alerts.
 */
import { t } from "../i18n";
import type { AnswerStatus, Turn } from "../lib/answer";

function message(status: AnswerStatus): string {
  switch (status) {
    case "queued":
      return t.states.queued;
    case "waiting":
      return t.answer.waiting;
    case "streaming":
      return t.answer.streaming;
    case "done":
      return t.answer.done;
    case "stopped":
      return t.answer.stopped;
    case "error":
      return "";
  }
}

export function StatusMessage({ turn }: { turn: Turn | undefined }) {
  return (
    <div className="visually-hidden" role="status" aria-live="polite">
      {turn ? message(turn.answer.status) : ""}
    </div>
  );
}
