/** The turns of a conversation: each question, then its answer; follows the stream down. */
import { useEffect, useLayoutEffect, useRef, type ReactNode } from "react";

import type { EvidenceSelection, EvidenceTab } from "../../hooks/useEvidence";
import { t } from "../../i18n";
import type { Turn } from "../../lib/answer";
import type { Citation } from "../../lib/citations";
import { Answer } from "../Answer";
import styles from "./Conversation.module.css";

export interface ConversationProps {
  turns: readonly Turn[];
  busy: boolean;
  selection: EvidenceSelection | null;
  onCitation: (turnId: string, citation: Citation) => void;
  onShowEvidence: (turnId: string, tab: EvidenceTab) => void;
  onFollowup?: (question: string) => void;
  onRetry: () => void;
  /** Drops the question waiting for the network. */
  onCancel?: () => void;
  /** Rating buttons for a turn's complete answer (`index` is its place in the conversation). */
  renderFeedback?: (turn: Turn, index: number) => ReactNode;
}

/** Within this many pixels of the bottom, new text keeps the view scrolled to the bottom. */
const STICKY_PX = 80;

export function Conversation({
  turns,
  busy,
  selection,
  onCitation,
  onShowEvidence,
  onFollowup,
  onRetry,
  onCancel,
  renderFeedback,
}: ConversationProps) {
  const endRef = useRef<HTMLDivElement>(null);
  const stickRef = useRef(true);
  const last = turns.at(-1);

  useEffect(() => {
    const scroller = endRef.current?.closest<HTMLElement>("[data-scroll]");
    if (!scroller) return;
    const onScroll = () => {
      stickRef.current =
        scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICKY_PX;
    };
    scroller.addEventListener("scroll", onScroll, { passive: true });
    return () => scroller.removeEventListener("scroll", onScroll);
  }, []);

  // A new question always scrolls into view; streamed text only while the view is at the end.
  const turnCount = turns.length;
  useLayoutEffect(() => {
    stickRef.current = true;
  }, [turnCount]);
  useLayoutEffect(() => {
    if (stickRef.current) endRef.current?.scrollIntoView({ block: "end" });
  }, [turnCount, last?.answer.content, last?.answer.status]);

  return (
    <>
      <ol className={styles.turns} aria-label={t.chat.conversationLabel}>
        {turns.map((turn, index) => (
          <li key={turn.id} className={styles.turn}>
            <div className={styles.question}>
              <span className="visually-hidden">{t.chat.you}: </span>
              {/* Isolated: a question in another script than the UI's keeps its own order. */}
              <bdi>{turn.question}</bdi>
            </div>
            <Answer
              answer={turn.answer}
              busy={busy}
              activeCitation={
                selection?.turnId === turn.id ? (selection.citation?.ref ?? null) : null
              }
              onCitation={(citation) => onCitation(turn.id, citation)}
              onShowEvidence={(tab) => onShowEvidence(turn.id, tab)}
              onFollowup={index === turns.length - 1 ? onFollowup : undefined}
              onRetry={index === turns.length - 1 ? onRetry : undefined}
              onCancel={index === turns.length - 1 ? onCancel : undefined}
              feedback={renderFeedback?.(turn, index)}
            />
          </li>
        ))}
      </ol>
      <div ref={endRef} />
    </>
  );
}
