/** The chat page: history, the conversation, the question box, the evidence panel. */
import { useCallback, useId, useRef, useState } from "react";

import type { Overrides } from "../api/types";
import { Drawer } from "../components/Drawer";
import { HistoryPanel } from "../components/HistoryPanel";
import { Icon } from "../components/Icon";
import { IconButton } from "../components/IconButton";
import { Notice } from "../components/Notice";
import { QuestionInput } from "../components/QuestionInput";
import { useConversation, type ConversationState } from "../hooks/useConversation";
import { useHistory } from "../hooks/useHistory";
import { useMediaQuery } from "../hooks/useMediaQuery";
import { t } from "../i18n";
import { SelectedEvidence, usePageEvidence } from "./SelectedEvidence";
import { StatusMessage } from "./StatusMessage";
import { Turns } from "./Turns";
import styles from "./Page.module.css";

export interface ChatPageProps {
  overrides: Overrides;
  notice: string | null | undefined;
}

export function ChatPage({ overrides, notice }: ChatPageProps) {
  const history = useHistory();
  const { save } = history;
  const onSettled = useCallback(
    (state: ConversationState) => {
      void save(state.id, state.turns, state.sessionState, state.createdAt);
    },
    [save],
  );
  const conversation = useConversation({ endpoint: "/chat/stream", mode: "chat", onSettled });
  const evidence = usePageEvidence(conversation.turns);
  const sidebarInline = useMediaQuery("(min-width: 1280px)");
  const [historyOpen, setHistoryOpen] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const historyTitleId = useId();

  const ask = (question: string) => {
    conversation.ask(question, overrides);
    inputRef.current?.focus();
  };
  const clear = () => {
    conversation.clear();
    evidence.close();
    inputRef.current?.focus();
  };
  const openConversation = async (id: string) => {
    const saved = await history.open(id);
    if (!saved) return;
    conversation.load(saved);
    evidence.close();
    setHistoryOpen(false);
  };
  const deleteConversation = async (id: string) => {
    await history.remove(id);
    if (id === conversation.id) clear();
  };

  const historyPanel = (
    <HistoryPanel
      titleId={historyTitleId}
      items={history.items}
      currentId={conversation.turns.length ? conversation.id : null}
      onOpen={(id) => void openConversation(id)}
      onDelete={(id) => void deleteConversation(id)}
      closeButton={
        sidebarInline ? null : (
          <IconButton icon="close" label={t.history.close} onClick={() => setHistoryOpen(false)} />
        )
      }
    />
  );

  return (
    <div
      className={styles.layout}
      data-sidebar={sidebarInline || undefined}
      data-evidence={evidence.openInline || undefined}
    >
      {sidebarInline ? (
        <aside className={styles.sidebar} aria-labelledby={historyTitleId}>
          {historyPanel}
        </aside>
      ) : (
        <Drawer
          open={historyOpen}
          modal
          side="left"
          onClose={() => setHistoryOpen(false)}
          labelledBy={historyTitleId}
        >
          {historyPanel}
        </Drawer>
      )}
      <main className={styles.main} id="main">
        <div className={styles.toolbar}>
          {sidebarInline ? null : (
            <button type="button" className="button" onClick={() => setHistoryOpen(true)}>
              <Icon name="history" />
              {t.header.history}
            </button>
          )}
          <h1 className="visually-hidden">{t.chat.heading}</h1>
          <button
            type="button"
            className={`button ${styles.push}`}
            onClick={clear}
            disabled={!conversation.turns.length}
          >
            <Icon name="plus" />
            {t.chat.clear}
          </button>
        </div>
        <Turns
          conversation={conversation}
          evidence={evidence}
          onAsk={ask}
          onRetry={() => conversation.retry(overrides)}
          emptyTitle={t.chat.emptyTitle}
          emptyHint={t.chat.emptyHint}
        />
        <div className={styles.composer}>
          <div className={styles.column}>
            <QuestionInput
              ref={inputRef}
              busy={conversation.busy}
              onSubmit={ask}
              onStop={conversation.stop}
            />
            <Notice text={notice} />
          </div>
        </div>
        <StatusMessage turn={conversation.turns.at(-1)} />
      </main>
      <SelectedEvidence evidence={evidence} />
    </div>
  );
}
