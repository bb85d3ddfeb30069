/** The ask page: one question, one answer, the same evidence panel. */
import { useRef } from "react";

import type { Overrides } from "../api/types";
import { Conversation } from "../components/Conversation";
import { EvidencePanel } from "../components/EvidencePanel";
import { ExampleQuestions } from "../components/ExampleQuestions";
import { Notice } from "../components/Notice";
import { QuestionInput } from "../components/QuestionInput";
import { useConversation } from "../hooks/useConversation";
import { useEvidence } from "../hooks/useEvidence";
import { useMediaQuery } from "../hooks/useMediaQuery";
import { t } from "../i18n";
import { StatusMessage } from "./StatusMessage";
import styles from "./Page.module.css";

export interface AskPageProps {
  overrides: Overrides;
  notice: string | null | undefined;
}

export function AskPage({ overrides, notice }: AskPageProps) {
  const conversation = useConversation({ endpoint: "/ask/stream", mode: "ask" });
  const evidence = useEvidence();
  const evidenceInline = useMediaQuery("(min-width: 1024px)");
  const inputRef = useRef<HTMLTextAreaElement>(null);

  const ask = (question: string) => {
    evidence.close();
    conversation.ask(question, overrides);
    inputRef.current?.focus();
  };
  const selected = conversation.turns.find((turn) => turn.id === evidence.selection?.turnId);

  return (
    <div className={styles.layout} data-evidence={(selected && evidenceInline) || undefined}>
      <main className={styles.main} id="main">
        <div className={styles.composer} data-top>
          <div className={styles.column}>
            <h1 className={styles.heading}>{t.ask.heading}</h1>
            <QuestionInput
              ref={inputRef}
              busy={conversation.busy}
              onSubmit={ask}
              onStop={conversation.stop}
            />
            <Notice text={notice} />
          </div>
        </div>
        <div className={styles.scroll} data-scroll>
          <div className={styles.column}>
            {conversation.turns.length === 0 ? (
              <ExampleQuestions
                title={t.ask.emptyTitle}
                hint={t.ask.emptyHint}
                questions={t.chat.examples}
                onAsk={ask}
              />
            ) : (
              <Conversation
                turns={conversation.turns}
                busy={conversation.busy}
                selection={evidence.selection}
                onCitation={evidence.showCitation}
                onShowEvidence={evidence.showTab}
                onFollowup={ask}
                onRetry={() => conversation.retry(overrides)}
              />
            )}
          </div>
        </div>
        <StatusMessage turn={conversation.turns.at(-1)} />
      </main>
      <EvidencePanel
        open={Boolean(selected)}
        modal={!evidenceInline}
        onClose={evidence.close}
        answer={selected?.answer ?? null}
        tab={evidence.selection?.tab ?? "document"}
        onTabChange={evidence.setTab}
        citation={evidence.selection?.citation ?? null}
        onCitation={(citation) => {
          if (selected) evidence.showCitation(selected.id, citation);
        }}
      />
    </div>
  );
}
