/** The user's own documents: the list, an upload with its progress, deletion. */
import { useCallback, useEffect, useRef, useState } from "react";

import { ApiError, isAbort } from "../api/client";
import { deleteUploaded, listUploaded, uploadFile } from "../api/uploads";
import { t } from "../i18n";

export type UploadPhase =
  | { phase: "idle" }
  | { phase: "uploading"; percent: number }
  /** The file is sent; the server is reading, splitting and indexing it. */
  | { phase: "indexing" };

/** What happened last, to tell the person: a success (status) or a failure (alert). */
export type Outcome = { kind: "success" | "error"; text: string } | null;

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : t.errors.badStream;
}

/** Loads the list while `active` (the dialog is open). */
export function useUploads(active: boolean) {
  const [files, setFiles] = useState<string[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [progress, setProgress] = useState<UploadPhase>({ phase: "idle" });
  const [outcome, setOutcome] = useState<Outcome>(null);
  const controller = useRef<AbortController | null>(null);

  const refresh = useCallback(
    (signal?: AbortSignal) =>
      listUploaded(signal).then(
        (names) => {
          setFiles(names);
          setListError(null);
        },
        (error: unknown) => {
          if (!isAbort(error)) setListError(messageOf(error));
        },
      ),
    [],
  );

  useEffect(() => {
    if (!active) return;
    const listing = new AbortController();
    void refresh(listing.signal);
    return () => listing.abort();
  }, [active, refresh]);

  useEffect(() => () => controller.current?.abort(), []);

  /** Upload `file`; resolves when the server has indexed it (or refused it). */
  const upload = useCallback(
    async (file: File) => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      setOutcome(null);
      setProgress({ phase: "uploading", percent: 0 });
      try {
        const result = await uploadFile(file, {
          signal: current.signal,
          onProgress: (loaded, total) =>
            setProgress({ phase: "uploading", percent: Math.round((loaded / total) * 100) }),
          onSent: () => setProgress({ phase: "indexing" }),
        });
        setOutcome({
          kind: "success",
          text: t.uploads.uploaded(result.filename || file.name, result.chunks),
        });
        await refresh();
      } catch (error) {
        if (isAbort(error)) return;
        setOutcome({ kind: "error", text: messageOf(error) });
      } finally {
        if (controller.current === current) {
          controller.current = null;
          setProgress({ phase: "idle" });
        }
      }
    },
    [refresh],
  );

  /** Delete one file, then reload the list. */
  const remove = useCallback(
    async (filename: string) => {
      setOutcome(null);
      try {
        await deleteUploaded(filename);
        setOutcome({ kind: "success", text: t.uploads.deleted(filename) });
      } catch (error) {
        setOutcome({ kind: "error", text: messageOf(error) });
      }
      await refresh();
    },
    [refresh],
  );

  return { files, listError, progress, outcome, setOutcome, upload, remove };
}
