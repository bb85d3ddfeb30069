/** The page's scrolling column: the turns so far, or example questions before the first. */
import type { ReactNode } from "react";

import { Conversation } from "../components/Conversation";
import { ExampleQuestions } from "../components/ExampleQuestions";
import type { useConversation } from "../hooks/useConversation";
import { t } from "../i18n";
import type { Turn } from "../lib/answer";
import type { PageEvidence } from "./SelectedEvidence";
import styles from "./Page.module.css";

export interface TurnsProps {
  conversation: ReturnType<typeof useConversation>;
  evidence: PageEvidence;
  /** Asks a question: an example, or a follow-up. */
  onAsk: (question: string) => void;
  onRetry: () => void;
  emptyTitle: string;
  emptyHint: string;
  renderFeedback?: (turn: Turn, index: number) => ReactNode;
}

export function Turns({
  conversation,
  evidence,
  onAsk,
  onRetry,
  emptyTitle,
  emptyHint,
  renderFeedback,
}: TurnsProps) {
  return (
    <div className={styles.scroll} data-scroll>
      <div className={styles.column}>
        {conversation.turns.length === 0 ? (
          <ExampleQuestions
            title={emptyTitle}
            hint={emptyHint}
            questions={t.chat.examples}
            onAsk={onAsk}
          />
        ) : (
          <Conversation
            turns={conversation.turns}
            busy={conversation.busy}
            selection={evidence.selection}
            onCitation={evidence.showCitation}
            onShowEvidence={evidence.showTab}
            onFollowup={onAsk}
            onRetry={onRetry}
            onCancel={conversation.stop}
            renderFeedback={renderFeedback}
          />
        )}
      </div>
    </div>
  );
}
