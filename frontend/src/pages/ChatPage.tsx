/** The chat page: history, the conversation, the question box, the evidence panel. */
import { useCallback, useId, useRef, useState } from "react";

import type { ExportFormat } from "../api/history";
import type { Overrides } from "../api/types";
import { Drawer } from "../components/Drawer";
import { ExportMenu } from "../components/ExportMenu";
import { Feedback } from "../components/Feedback";
import { HistoryPanel } from "../components/HistoryPanel";
import { Icon } from "../components/Icon";
import { IconButton } from "../components/IconButton";
import { useConversation, type ConversationState } from "../hooks/useConversation";
import { messageOf, useHistory } from "../hooks/useHistory";
import { useMediaQuery } from "../hooks/useMediaQuery";
import { t } from "../i18n";
import type { Turn } from "../lib/answer";
import { BrowserHistoryStore, browserDbName, type ConversationStore } from "../lib/historyStore";
import { ServerHistoryStore } from "../lib/serverHistoryStore";
import { Composer } from "./Composer";
import { SelectedEvidence, usePageEvidence } from "./SelectedEvidence";
import { StatusMessage } from "./StatusMessage";
import { Turns } from "./Turns";
import styles from "./Page.module.css";

export interface ChatPageProps {
  overrides: Overrides;
  notice: string | null | undefined;
  /** Where conversations are kept; null until the server's settings and the sign-in are known. */
  historyKind?: "browser" | "server" | null;
  showFeedback?: boolean;
  /**
   * The id of who is signed in (null: anonymous); each has conversations of their own. The app
   * mounts a new page when it changes, so nothing of the last person's stays on screen.
   */
  userId?: string | null;
}

const stores = new Map<string, ConversationStore>();

/** The store for `userId`'s conversations kept `kind`: one per user and kind, kept across pages. */
function storeFor(kind: "browser" | "server", userId: string | null): ConversationStore {
  const key = `${kind}:${userId ?? ""}`;
  let store = stores.get(key);
  if (!store) {
    store =
      kind === "browser"
        ? new BrowserHistoryStore(browserDbName(userId))
        : new ServerHistoryStore();
    stores.set(key, store);
  }
  return store;
}

export function ChatPage({
  overrides,
  notice,
  historyKind = "browser",
  showFeedback = false,
  userId = null,
}: ChatPageProps) {
  const store = historyKind ? storeFor(historyKind, userId) : null;
  // Only this same person's browser conversations move to their server history: a signed-in
  // user's own database, or, for an anonymous visitor (the anonymous cookie), the anonymous one.
  const moveFrom = historyKind === "server" ? storeFor("browser", userId) : null;
  const history = useHistory(store, { moveFrom });
  const { save } = history;
  const onSettled = useCallback((state: ConversationState) => save(state), [save]);
  const conversation = useConversation({ mode: "chat", onSettled });
  const evidence = usePageEvidence(conversation.turns);
  const sidebarInline = useMediaQuery("(min-width: 1280px)");
  const [historyOpen, setHistoryOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const historyTitleId = useId();

  const ask = (question: string) => {
    conversation.ask(question, overrides);
    inputRef.current?.focus();
  };
  const clear = () => {
    conversation.clear();
    evidence.close();
    setProblem(null);
    inputRef.current?.focus();
  };
  const openConversation = async (id: string) => {
    setProblem(null);
    try {
      const saved = await history.open(id);
      if (!saved) return;
      conversation.load(saved);
      evidence.close();
      setHistoryOpen(false);
    } catch (error) {
      setProblem(messageOf(error));
    }
  };
  const deleteConversation = async (id: string) => {
    await history.remove(id);
    if (id === conversation.id) clear();
  };
  const exportConversation = (format: ExportFormat) => {
    const id = conversation.id;
    setProblem(null);
    history.download(id, format).catch((error: unknown) => {
      setProblem(`${t.exportMenu.failed}: ${messageOf(error)}`);
    });
  };
  const kind = history.kind;
  const renderFeedback =
    showFeedback && kind
      ? (turn: Turn, index: number) => (
          <Feedback
            onSend={(rating, comment) =>
              history.rate({ conversationId: conversation.id, index, turn, kind }, rating, comment)
            }
          />
        )
      : undefined;
  const saveProblem =
    history.saveProblem?.id === conversation.id ? history.saveProblem.message : null;

  const historyPanel = (
    <HistoryPanel
      titleId={historyTitleId}
      items={history.items}
      currentId={conversation.turns.length ? conversation.id : null}
      kind={kind}
      loading={history.loading}
      hasMore={history.hasMore}
      error={history.error}
      notice={history.moveNotice}
      onOpen={(id) => void openConversation(id)}
      onRename={history.rename}
      onDelete={deleteConversation}
      onLoadMore={history.loadMore}
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
          {kind === "server" && conversation.turns.length ? (
            <ExportMenu
              className={styles.push}
              onExport={exportConversation}
              disabled={conversation.busy}
            />
          ) : null}
          <button
            type="button"
            className={
              kind === "server" && conversation.turns.length ? "button" : `button ${styles.push}`
            }
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
          renderFeedback={renderFeedback}
        />
        <Composer
          inputRef={inputRef}
          busy={conversation.busy}
          onSubmit={ask}
          onStop={conversation.stop}
          notice={notice}
        >
          {saveProblem || problem ? (
            <div className={`error-box ${styles.problem}`} role="alert">
              <div>
                {saveProblem ? <p className={styles.problemTitle}>{t.history.notSaved}</p> : null}
                <p>{saveProblem ?? problem}</p>
              </div>
              <IconButton
                icon="close"
                label={t.history.dismiss}
                onClick={() => {
                  setProblem(null);
                  history.dismissSaveProblem();
                }}
              />
            </div>
          ) : null}
        </Composer>
        <StatusMessage turn={conversation.turns.at(-1)} />
      </main>
      <SelectedEvidence evidence={evidence} />
    </div>
  );
}
