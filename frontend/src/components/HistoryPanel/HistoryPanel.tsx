/** Saved conversations by title and date: open one, or delete it. */
import type { ReactNode } from "react";

import { t } from "../../i18n";
import type { ConversationSummary } from "../../lib/historyStore";
import { IconButton } from "../IconButton";
import styles from "./HistoryPanel.module.css";

export interface HistoryPanelProps {
  titleId: string;
  items: readonly ConversationSummary[];
  currentId: string | null;
  onOpen: (id: string) => void;
  onDelete: (id: string) => void;
  /** The close button of the drawer on narrow screens. */
  closeButton?: ReactNode;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function HistoryPanel({
  titleId,
  items,
  currentId,
  onOpen,
  onDelete,
  closeButton,
}: HistoryPanelProps) {
  return (
    <div className={styles.history}>
      <div className={styles.header}>
        <h2 id={titleId} className={styles.title}>
          {t.history.title}
        </h2>
        {closeButton}
      </div>
      {items.length === 0 ? (
        <p className={styles.empty}>{t.history.empty}</p>
      ) : (
        <ul className={styles.list}>
          {items.map((item) => {
            const title = item.title || t.history.untitled;
            const current = item.id === currentId;
            return (
              <li key={item.id} className={styles.item}>
                <button
                  type="button"
                  className={styles.open}
                  aria-current={current ? "true" : undefined}
                  onClick={() => onOpen(item.id)}
                >
                  <span className={styles.itemTitle}>{title}</span>
                  <time className={styles.date} dateTime={new Date(item.updatedAt).toISOString()}>
                    {dateFormat.format(item.updatedAt)}
                  </time>
                </button>
                <IconButton
                  icon="trash"
                  label={t.history.remove(title)}
                  className={styles.delete}
                  onClick={() => onDelete(item.id)}
                />
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
