/**
 * Saved conversations by title and date: open one, rename it in place, delete it (after
 * confirming), and load more when the server has more than one page.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

import { t } from "../../i18n";
import { formatDateTime } from "../../i18n/format";
import type { ConversationSummary } from "../../lib/historyStore";
import { MAX_TITLE } from "../../lib/storedTurns";
import { ConfirmDialog } from "../ConfirmDialog";
import { IconButton } from "../IconButton";
import styles from "./HistoryPanel.module.css";

export interface HistoryPanelProps {
  titleId: string;
  items: readonly ConversationSummary[];
  currentId: string | null;
  /** Where conversations are kept (says so when there are none yet). */
  kind: "browser" | "server" | null;
  loading?: boolean;
  hasMore?: boolean;
  /** Why the list could not be loaded, or the moving of this browser's conversations failed. */
  error?: string | null;
  notice?: string | null;
  onOpen: (id: string) => void;
  /** Rejects with the message to show (the server's own, for a 400). */
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
  onLoadMore?: () => void;
  /** The close button of the drawer on narrow screens. */
  closeButton?: ReactNode;
}

export function HistoryPanel({
  titleId,
  items,
  currentId,
  kind,
  loading = false,
  hasMore = false,
  error = null,
  notice = null,
  onOpen,
  onRename,
  onDelete,
  onLoadMore,
  closeButton,
}: HistoryPanelProps) {
  const [editing, setEditing] = useState<string | null>(null);
  const [pendingDelete, setPendingDelete] = useState<ConversationSummary | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const confirmDelete = () => {
    const item = pendingDelete;
    setPendingDelete(null);
    if (!item) return;
    setDeleteError(null);
    onDelete(item.id).then(
      () => headingRef.current?.focus(), // the item and its buttons are gone
      (failure: unknown) => {
        setDeleteError(failure instanceof Error ? failure.message : String(failure));
      },
    );
  };

  const problem = error ?? deleteError;
  return (
    <div className={styles.history}>
      <div className={styles.header}>
        <h2 id={titleId} ref={headingRef} tabIndex={-1} className={styles.title}>
          {t.history.title}
        </h2>
        {closeButton}
      </div>
      {notice ? <p className={styles.notice}>{notice}</p> : null}
      {problem ? (
        <p className={`error-box ${styles.problem}`} role="alert">
          {problem}
        </p>
      ) : null}
      <div className={styles.scroller}>
        {items.length === 0 ? (
          <p className={styles.empty}>
            {loading || kind === null
              ? t.history.loading
              : kind === "server"
                ? t.history.emptyServer
                : t.history.empty}
          </p>
        ) : (
          <ul className={styles.list}>
            {items.map((item) => (
              <HistoryItem
                key={item.id}
                item={item}
                current={item.id === currentId}
                editing={editing === item.id}
                onOpen={() => onOpen(item.id)}
                onEdit={(on) => setEditing(on ? item.id : null)}
                onRename={(title) => onRename(item.id, title)}
                onDelete={() => setPendingDelete(item)}
              />
            ))}
          </ul>
        )}
        {hasMore && onLoadMore ? (
          <button
            type="button"
            className={`button ${styles.more}`}
            onClick={onLoadMore}
            disabled={loading}
          >
            {loading ? t.history.loading : t.history.loadMore}
          </button>
        ) : null}
      </div>
      <ConfirmDialog
        open={pendingDelete !== null}
        title={t.history.confirmTitle}
        message={t.history.confirmText(pendingDelete?.title || t.history.untitled)}
        confirmLabel={t.history.confirm}
        cancelLabel={t.history.cancel}
        onConfirm={confirmDelete}
        onCancel={() => setPendingDelete(null)}
      />
    </div>
  );
}

interface HistoryItemProps {
  item: ConversationSummary;
  current: boolean;
  editing: boolean;
  onOpen: () => void;
  onEdit: (editing: boolean) => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => void;
}

function HistoryItem({
  item,
  current,
  editing,
  onOpen,
  onEdit,
  onRename,
  onDelete,
}: HistoryItemProps) {
  const title = item.title || t.history.untitled;
  const renameRef = useRef<HTMLDivElement>(null);
  const wasEditing = useRef(editing);

  // Back from renaming: to the rename button, so the keyboard stays where it was.
  useEffect(() => {
    if (wasEditing.current && !editing) {
      renameRef.current?.querySelector<HTMLButtonElement>("button")?.focus();
    }
    wasEditing.current = editing;
  }, [editing]);

  return (
    <li className={styles.item}>
      {editing ? (
        <RenameForm title={item.title} onRename={onRename} onDone={() => onEdit(false)} />
      ) : (
        <>
          <button
            type="button"
            className={styles.open}
            aria-current={current ? "true" : undefined}
            onClick={onOpen}
          >
            <bdi className={styles.itemTitle}>{title}</bdi>
            <time className={styles.date} dateTime={new Date(item.updatedAt).toISOString()}>
              {formatDateTime(item.updatedAt)}
            </time>
          </button>
          <div ref={renameRef} className={styles.action}>
            <IconButton
              icon="pencil"
              label={t.history.rename(title)}
              onClick={() => onEdit(true)}
            />
          </div>
          <IconButton
            icon="trash"
            label={t.history.remove(title)}
            className={`${styles.action} ${styles.delete}`}
            onClick={onDelete}
          />
        </>
      )}
    </li>
  );
}

function RenameForm({
  title,
  onRename,
  onDone,
}: {
  title: string;
  onRename: (title: string) => Promise<void>;
  onDone: () => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState(title);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = () => {
    if (saving) return;
    if (draft === title) {
      onDone();
      return;
    }
    setSaving(true);
    setError(null);
    onRename(draft).then(onDone, (failure: unknown) => {
      setSaving(false);
      setError(failure instanceof Error ? failure.message : String(failure));
    });
  };

  return (
    <form
      className={styles.rename}
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <input
        className={styles.titleInput}
        aria-label={t.history.titleLabel}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        value={draft}
        maxLength={MAX_TITLE}
        autoFocus
        onFocus={(event) => event.currentTarget.select()}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            event.stopPropagation(); // cancel the rename, not close the drawer
            onDone();
          }
        }}
      />
      <div className={styles.renameActions}>
        <IconButton icon="check" type="submit" label={t.history.saveTitle} disabled={saving} />
        <IconButton icon="close" label={t.history.cancelRename} onClick={onDone} />
      </div>
      {error ? (
        <p id={`${id}-error`} className={styles.renameError} role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
