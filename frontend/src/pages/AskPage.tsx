/** The ask page: one question, one answer, the same evidence panel. */
import { useRef } from "react";

import type { Overrides } from "../api/types";
import { useConversation } from "../hooks/useConversation";
import { t } from "../i18n";
import { Composer } from "./Composer";
import { SelectedEvidence, usePageEvidence } from "./SelectedEvidence";
import { StatusMessage } from "./StatusMessage";
import { Turns } from "./Turns";
import styles from "./Page.module.css";

export interface AskPageProps {
  overrides: Overrides;
  notice: string | null | undefined;
}

export function AskPage({ overrides, notice }: AskPageProps) {
  const conversation = useConversation({ mode: "ask" });
  const evidence = usePageEvidence(conversation.turns);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  const ask = (question: string) => {
    evidence.close();
    conversation.ask(question, overrides);
    inputRef.current?.focus();
  };

  return (
    <div className={styles.layout} data-evidence={evidence.openInline || undefined}>
      <main className={styles.main} id="main">
        <Composer
          top
          inputRef={inputRef}
          busy={conversation.busy}
          onSubmit={ask}
          onStop={conversation.stop}
          notice={notice}
        >
          <h1 className={styles.heading}>{t.ask.heading}</h1>
        </Composer>
        <Turns
          conversation={conversation}
          evidence={evidence}
          onAsk={ask}
          onRetry={() => conversation.retry(overrides)}
          emptyTitle={t.ask.emptyTitle}
          emptyHint={t.ask.emptyHint}
        />
        <StatusMessage turn={conversation.turns.at(-1)} />
      </main>
      <SelectedEvidence evidence={evidence} />
    </div>
  );
}
