/**
 * Thumbs up or down on an answer (toggle buttons), then an optional comment and "Send feedback".
 * Sits in the answer's row of actions; the comment box opens on a line of its own below them.
 */
import { useId, useState, type SyntheticEvent } from "react";

import { t } from "../../i18n";
import type { Rating } from "../../lib/feedback";
import { IconButton } from "../IconButton";
import styles from "./Feedback.module.css";

export const MAX_COMMENT = 2000;

export interface FeedbackProps {
  /** Send the rating; rejects with the message to show. */
  onSend: (rating: Rating, comment: string) => Promise<void>;
}

type Sending = { state: "idle" | "sending" | "sent" } | { state: "failed"; message: string };

export function Feedback({ onSend }: FeedbackProps) {
  const id = useId();
  const [rating, setRating] = useState<Rating | null>(null);
  const [comment, setComment] = useState("");
  const [sending, setSending] = useState<Sending>({ state: "idle" });

  const choose = (choice: Rating) => {
    setRating((current) => (current === choice ? null : choice));
    setSending({ state: "idle" });
  };
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (!rating || sending.state === "sending") return;
    setSending({ state: "sending" });
    onSend(rating, comment).then(
      () => setSending({ state: "sent" }),
      (error: unknown) =>
        setSending({
          state: "failed",
          message: t.feedback.failed(error instanceof Error ? error.message : String(error)),
        }),
    );
  };

  const open = rating !== null && sending.state !== "sent";
  return (
    <>
      <div className={styles.thumbs} role="group" aria-label={t.feedback.label}>
        <IconButton
          icon="thumbUp"
          label={t.feedback.up}
          pressed={rating === "up"}
          className={styles.thumb}
          onClick={() => choose("up")}
        />
        <IconButton
          icon="thumbDown"
          label={t.feedback.down}
          pressed={rating === "down"}
          className={styles.thumb}
          onClick={() => choose("down")}
        />
      </div>
      <p className={styles.thanks} role="status">
        {sending.state === "sent" ? t.feedback.thanks : ""}
      </p>
      {open ? (
        <form className={styles.form} onSubmit={submit}>
          <label htmlFor={`${id}-comment`} className={styles.label}>
            {t.feedback.comment}
          </label>
          <textarea
            id={`${id}-comment`}
            className={styles.comment}
            value={comment}
            maxLength={MAX_COMMENT}
            rows={2}
            onChange={(event) => setComment(event.target.value)}
          />
          {sending.state === "failed" ? (
            <p className={`error-box ${styles.error}`} role="alert">
              {sending.message}
            </p>
          ) : null}
          <button
            type="submit"
            className={`button ${styles.send}`}
            disabled={sending.state === "sending"}
          >
            {sending.state === "sending" ? t.feedback.sending : t.feedback.send}
          </button>
        </form>
      ) : null}
    </>
  );
}
