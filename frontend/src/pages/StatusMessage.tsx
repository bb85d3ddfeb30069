/** Announces the answer's progress to screen readers (errors announce themselves as alerts). */
import { t } from "../i18n";
import type { Turn } from "../lib/answer";

const MESSAGES = {
  waiting: t.answer.waiting,
  streaming: t.answer.streaming,
  done: t.answer.done,
  stopped: t.answer.stopped,
  error: "",
} as const;

export function StatusMessage({ turn }: { turn: Turn | undefined }) {
  return (
    <div className="visually-hidden" role="status" aria-live="polite">
      {turn ? MESSAGES[turn.answer.status] : ""}
    </div>
  );
}
