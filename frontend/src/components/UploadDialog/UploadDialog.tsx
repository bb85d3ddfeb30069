/**
 * The user's own documents, in a modal drawer: pick a file (checked here, checked again by the
 * server), upload it with a progress bar, see the list, delete one after confirming.
 */
import { useId, useRef, useState, type SubmitEvent } from "react";

import { useUploads } from "../../hooks/useUploads";
import { t } from "../../i18n";
import { formatBytes } from "../../i18n/format";
import { uploadProblem, type UploadRules } from "../../lib/files";
import { ConfirmDialog } from "../ConfirmDialog";
import { Drawer, DrawerHeader } from "../Drawer";
import { Icon } from "../Icon";
import { IconButton } from "../IconButton";
import styles from "./UploadDialog.module.css";

export interface UploadDialogProps {
  open: boolean;
  onClose: () => void;
  rules: UploadRules;
}

export function UploadDialog({ open, onClose, rules }: UploadDialogProps) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const listTitleRef = useRef<HTMLHeadingElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [pendingDelete, setPendingDelete] = useState<string | null>(null);
  const uploads = useUploads(open);
  const { progress, outcome, setOutcome } = uploads;
  const busy = progress.phase !== "idle";

  const choose = (chosen: File | null) => {
    setFile(chosen);
    const problem = chosen ? uploadProblem(chosen, rules) : null;
    setOutcome(problem ? { kind: "error", text: problem } : null);
  };

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const problem = file ? uploadProblem(file, rules) : t.uploads.chooseFirst;
    if (!file || problem) {
      setOutcome({ kind: "error", text: problem ?? t.uploads.chooseFirst });
      return;
    }
    await uploads.upload(file);
    setFile(null);
    if (inputRef.current) inputRef.current.value = "";
  };

  const confirmDelete = () => {
    const name = pendingDelete;
    setPendingDelete(null);
    if (!name) return;
    listTitleRef.current?.focus(); // the row and its button are about to go
    void uploads.remove(name);
  };

  return (
    <Drawer open={open} modal onClose={onClose} labelledBy={`${id}-title`}>
      <DrawerHeader
        titleId={`${id}-title`}
        title={t.uploads.title}
        closeLabel={t.uploads.close}
        onClose={onClose}
      />
      <div className={styles.body}>
        <p className={styles.hint}>{t.uploads.intro}</p>
        <form className={styles.form} onSubmit={(event) => void submit(event)}>
          <label htmlFor={`${id}-file`} className={styles.label}>
            {t.uploads.choose}
          </label>
          <input
            ref={inputRef}
            id={`${id}-file`}
            type="file"
            accept={rules.extensions.join(",") || undefined}
            aria-describedby={`${id}-accepted`}
            disabled={busy}
            onChange={(event) => choose(event.target.files?.[0] ?? null)}
          />
          <p id={`${id}-accepted`} className={styles.hint}>
            {t.uploads.accepted(rules.extensions.join(", "), formatBytes(rules.maxBytes))}
          </p>
          <button type="submit" className="button button-primary" disabled={busy}>
            <Icon name="upload" />
            {t.uploads.upload}
          </button>
        </form>
        {busy ? (
          <div className={styles.progress}>
            <progress
              aria-label={t.uploads.progressLabel}
              max={100}
              value={progress.phase === "uploading" ? progress.percent : undefined}
            />
            {/* Not announced at every percent: the status below speaks once per phase. */}
            {progress.phase === "uploading" ? (
              <span aria-hidden="true">{t.uploads.uploading(progress.percent)}</span>
            ) : null}
          </div>
        ) : null}
        <p
          role="status"
          className={
            progress.phase === "indexing"
              ? styles.hint
              : outcome?.kind === "success"
                ? styles.success
                : "visually-hidden"
          }
        >
          {progress.phase === "indexing"
            ? t.uploads.indexing
            : outcome?.kind === "success"
              ? outcome.text
              : ""}
        </p>
        {outcome?.kind === "error" ? (
          <p className={`error-box ${styles.error}`} role="alert">
            {outcome.text}
          </p>
        ) : null}
        <h3 id={`${id}-list`} ref={listTitleRef} tabIndex={-1} className={styles.listTitle}>
          {t.uploads.listTitle}
        </h3>
        {uploads.listError ? (
          <p className={`error-box ${styles.error}`} role="alert">
            {uploads.listError}
          </p>
        ) : uploads.files === null ? (
          <p className={styles.hint}>{t.uploads.loading}</p>
        ) : uploads.files.length === 0 ? (
          <p className={styles.hint}>{t.uploads.none}</p>
        ) : (
          <ul className={styles.list} aria-label={t.uploads.listLabel}>
            {uploads.files.map((name) => (
              <li key={name} className={styles.item}>
                <Icon name="document" />
                <span className={styles.name}>{name}</span>
                <IconButton
                  icon="trash"
                  label={t.uploads.remove(name)}
                  onClick={() => setPendingDelete(name)}
                />
              </li>
            ))}
          </ul>
        )}
      </div>
      <ConfirmDialog
        open={pendingDelete !== null}
        title={t.uploads.confirmTitle(pendingDelete ?? "")}
        message={t.uploads.confirmText}
        confirmLabel={t.uploads.confirm}
        cancelLabel={t.uploads.cancel}
        onConfirm={confirmDelete}
        onCancel={() => setPendingDelete(null)}
      />
    </Drawer>
  );
}
