/** A cited file fetched with the bearer token and shown from a blob: URL, revoked when done. */
import { useCallback, useEffect, useState } from "react";

import { ApiError, fetchContent, isAbort } from "../api/client";
import { t } from "../i18n";

export type DocumentState =
  | { status: "loading" }
  /**
   * `url`: the file as a blob, for a PDF viewer or a download. `pdf`: the bytes are a PDF and the
   * blob is typed so, whatever the server said. `bytes`: the file as it came; `type`: its
   * media type as the server said it.
   */
  | { status: "ready"; url: string; pdf: boolean; bytes: Uint8Array; type: string }
  | { status: "error"; message: string };

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

/** The message for a file that could not be fetched. */
function failure(error: unknown): string {
  if (!(error instanceof ApiError)) return t.evidence.failed;
  // 404 has its own message (fetchContent's); a server error names its status.
  if (error.status !== null && error.status >= 500) return t.evidence.serverError(error.status);
  return error.message;
}

/** The file at `path` (a `/content/...` URL without its fragment), and a way to fetch it again. */
export function useDocument(path: string): { file: DocumentState; reload: () => void } {
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<{
    path: string;
    attempt: number;
    state: DocumentState;
  } | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    let url: string | null = null;
    const settle = (state: DocumentState) => {
      if (!controller.signal.aborted) setLoaded({ path, attempt, state });
    };
    fetchContent(path, controller.signal)
      .then(({ bytes, type }) => {
        if (controller.signal.aborted) return;
        const pdf = PDF_MAGIC.every((byte, index) => bytes[index] === byte);
        // A PDF gets its type pinned: Chrome's viewer does not run in a sandboxed frame, so
        // this blob is shown unsandboxed and must never be read as HTML.
        url = URL.createObjectURL(new Blob([bytes], { type: pdf ? "application/pdf" : type }));
        settle({ status: "ready", url, pdf, bytes, type });
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        settle({ status: "error", message: failure(error) });
      });
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [path, attempt]);

  const reload = useCallback(() => setAttempt((count) => count + 1), []);
  const file =
    loaded?.path === path && loaded.attempt === attempt
      ? loaded.state
      : { status: "loading" as const };
  return { file, reload };
}

/** Whether a browser shows a file of this media type in a frame (else it would download it). */
export function isViewable(type: string): boolean {
  const media = type.split(";")[0]?.trim().toLowerCase() ?? "";
  return (
    media.startsWith("text/") ||
    media.startsWith("image/") ||
    media === "application/json" ||
    media === "application/xml" ||
    media === "application/xhtml+xml"
  );
}
