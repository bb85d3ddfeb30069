/** One answer: streamed Markdown with numbered citations, follow-ups, actions, errors. */
import { useEffect, useId, useMemo, useState, type ReactNode } from "react";

import type { EvidenceTab } from "../../hooks/useEvidence";
import { t } from "../../i18n";
import { isCut, isPendingStatus, type Answer as AnswerData } from "../../lib/answer";
import { citationIndex, parseCitations, type Citation } from "../../lib/citations";
import { SpeakerButton, stopSpeaking } from "../../speech";
import { CitationNumber } from "../CitationNumber";
import { Icon } from "../Icon";
import { IconButton } from "../IconButton";
import { Markdown } from "../Markdown";
import { SourceName } from "../SourceName";
import styles from "./Answer.module.css";

export interface AnswerProps {
  answer: AnswerData;
  onCitation: (citation: Citation) => void;
  onShowEvidence: (tab: EvidenceTab) => void;
  onFollowup?: (question: string) => void;
  /** Offered on the last answer when it failed or was stopped. */
  onRetry?: () => void;
  /** Offered while the question waits for the network: it is not sent. */
  onCancel?: () => void;
  /** While any answer streams, follow-ups wait. */
  busy?: boolean;
  activeCitation?: string | null;
  /** Rating buttons, shown with the actions once the answer is complete. */
  feedback?: ReactNode;
}

export function Answer({
  answer,
  onCitation,
  onShowEvidence,
  onFollowup,
  onRetry,
  onCancel,
  busy = false,
  activeCitation = null,
  feedback = null,
}: AnswerProps) {
  const citations = useMemo(
    () => parseCitations(answer.content, answer.dataPoints?.citations),
    [answer.content, answer.dataPoints],
  );
  const index = useMemo(() => citationIndex(citations), [citations]);
  const pending = isPendingStatus(answer.status);
  const hasEvidence = Boolean(answer.dataPoints) || answer.thoughts.length > 0;
  // A new answer starting (or this one asked again) silences the one being read aloud.
  useEffect(() => {
    if (pending) stopSpeaking();
  }, [pending]);

  return (
    <div
      className={styles.answer}
      aria-busy={answer.status === "waiting" || answer.status === "streaming"}
    >
      {answer.status === "queued" ? (
        <div className={styles.queued}>
          <p className={styles.waiting}>
            <Icon name="offline" />
            {t.states.queued}
          </p>
          {onCancel ? (
            <button type="button" className="button" onClick={onCancel}>
              <Icon name="close" />
              {t.states.cancelQueued}
            </button>
          ) : null}
        </div>
      ) : null}
      {answer.status === "waiting" ? (
        <p className={styles.waiting}>
          <span className={styles.dots} aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {t.answer.waiting}
        </p>
      ) : null}
      {answer.content ? (
        <div
          className={
            answer.status === "streaming" ? `${styles.content} ${styles.streaming}` : styles.content
          }
        >
          <Markdown
            text={answer.content}
            citations={index}
            onCitation={onCitation}
            activeCitation={activeCitation}
          />
        </div>
      ) : null}
      {answer.status === "stopped" ? (
        <p className={styles.stopped}>{t.answer.stoppedLabel}</p>
      ) : null}
      {answer.truncated && !pending ? <p className={styles.stopped}>{t.answer.truncated}</p> : null}
      {isCut(answer) ? <p className={styles.stopped}>{t.states.cut}</p> : null}
      {answer.status === "error" ? (
        <div className={`error-box ${styles.error}`} role="alert">
          <p className={styles.errorTitle}>{t.errors.title}</p>
          <p>{answer.error}</p>
          {answer.errorId ? (
            <p className={styles.errorId}>{t.errors.reference(answer.errorId)}</p>
          ) : null}
        </div>
      ) : null}
      {onRetry && (answer.status === "error" || answer.status === "stopped") ? (
        <button type="button" className="button" onClick={onRetry}>
          <Icon name="retry" />
          {t.errors.retry}
        </button>
      ) : null}
      {citations.length > 0 && !pending ? (
        <CitationList citations={citations} onCitation={onCitation} active={activeCitation} />
      ) : null}
      {answer.followups.length > 0 && onFollowup ? (
        <div className={styles.followups} role="group" aria-label={t.answer.followups}>
          <span className={styles.followupsLabel} aria-hidden="true">
            {t.answer.followups}
          </span>
          {answer.followups.map((question) => (
            <button
              key={question}
              type="button"
              className={styles.chip}
              disabled={busy}
              onClick={() => onFollowup(question)}
              dir="auto"
            >
              {question}
            </button>
          ))}
        </div>
      ) : null}
      {!pending && (answer.content || hasEvidence) ? (
        <div className={styles.actions}>
          {answer.content ? <CopyButton text={answer.content} /> : null}
          {answer.content ? (
            <SpeakerButton text={answer.content} citations={answer.dataPoints?.citations} />
          ) : null}
          <IconButton
            icon="bulb"
            label={t.answer.thoughtProcess}
            disabled={!answer.thoughts.length}
            onClick={() => onShowEvidence("thoughts")}
          />
          <IconButton
            icon="document"
            label={t.answer.supportingContent}
            disabled={!answer.dataPoints}
            onClick={() => onShowEvidence("supporting")}
          />
          {answer.status === "done" ? feedback : null}
        </div>
      ) : null}
    </div>
  );
}

function CitationList({
  citations,
  onCitation,
  active,
}: {
  citations: Citation[];
  onCitation: (citation: Citation) => void;
  active: string | null;
}) {
  const titleId = useId();
  return (
    <div className={styles.citations}>
      <p className={styles.citationsTitle} id={titleId}>
        {t.answer.citations}
      </p>
      <ol className={styles.citationList} aria-labelledby={titleId}>
        {citations.map((citation) => (
          <li key={citation.ref}>
            <a
              href={citation.href}
              className={styles.citationLink}
              aria-current={active === citation.ref ? "true" : undefined}
              onClick={(event) => {
                if (event.ctrlKey || event.metaKey || event.shiftKey) return;
                event.preventDefault();
                onCitation(citation);
              }}
            >
              <CitationNumber number={citation.number} aria-hidden />
              <span className="visually-hidden">{`${citation.number}. `}</span>
              <SourceName reference={citation.ref} />
            </a>
          </li>
        ))}
      </ol>
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => setState("idle"), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);
  const copy = () => {
    if (!("clipboard" in navigator)) {
      setState("failed");
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  const label =
    state === "copied" ? t.answer.copied : state === "failed" ? t.answer.copyFailed : t.answer.copy;
  return (
    <>
      <IconButton
        icon={state === "copied" ? "check" : "copy"}
        label={t.answer.copy}
        title={label}
        onClick={copy}
      />
      <span className="visually-hidden" role="status">
        {state === "idle" ? "" : label}
      </span>
    </>
  );
}
