/** A cited file fetched with the bearer token and shown from a blob: URL, revoked when done. */
import { useEffect, useState } from "react";

import { ApiError, fetchContent, isAbort } from "../api/client";
import { t } from "../i18n";

export type DocumentState =
  | { status: "loading" }
  /**
   * `url`: the file as a blob, for a PDF viewer or a download. `pdf`: the bytes are a PDF and the
   * blob is typed so, whatever the server said. `bytes`: the file as it came.
   */
  | { status: "ready"; url: string; pdf: boolean; bytes: Uint8Array }
  | { status: "error"; message: string };

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

/** The file at `path` (a `/content/...` URL without its fragment). */
export function useDocument(path: string): DocumentState {
  const [loaded, setLoaded] = useState<{ path: string; state: DocumentState } | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    let url: string | null = null;
    const settle = (state: DocumentState) => {
      if (!controller.signal.aborted) setLoaded({ path, state });
    };
    fetchContent(path, controller.signal)
      .then(({ bytes, type }) => {
        if (controller.signal.aborted) return;
        const pdf = PDF_MAGIC.every((byte, index) => bytes[index] === byte);
        // A PDF gets its type pinned: Chrome's viewer does not run in a sandboxed frame, so
        // this blob is shown unsandboxed and must never be read as HTML.
        url = URL.createObjectURL(new Blob([bytes], { type: pdf ? "application/pdf" : type }));
        settle({ status: "ready", url, pdf, bytes });
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        settle({
          status: "error",
          message: error instanceof ApiError ? error.message : t.evidence.failed,
        });
      });
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [path]);

  return loaded?.path === path ? loaded.state : { status: "loading" };
}
