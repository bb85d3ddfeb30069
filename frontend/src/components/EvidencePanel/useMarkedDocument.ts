/** A fetched document rebuilt with its cited passage marked, as a blob: URL revoked when done. */
import { useEffect, useState } from "react";

import type { DocumentKind } from "../../lib/documentKind";
import type { Passage } from "../../lib/passage";

export type MarkedState =
  | { status: "building" }
  /** `target`: the id of the passage's first mark, null when the passage was not found. */
  | { status: "ready"; url: string; target: string | null }
  /** The marking code did not load or could not read the file: show the file as it came. */
  | { status: "failed" };

/**
 * `bytes` of a `kind` document with `passage` (JSON, so that an answer still streaming does not
 * rebuild it for every piece) marked. The marking code (and its sanitizer) loads on first use.
 */
export function useMarkedDocument(
  bytes: Uint8Array,
  kind: DocumentKind,
  passageJson: string,
  title: string,
): MarkedState {
  const [built, setBuilt] = useState<{ key: unknown[]; state: MarkedState } | null>(null);
  const key = [bytes, kind, passageJson, title];

  useEffect(() => {
    let done = false;
    let url: string | null = null;
    const settle = (state: MarkedState) =>
      setBuilt({ key: [bytes, kind, passageJson, title], state });
    import("../../lib/markedDocument")
      .then(({ markedDocument }) => {
        if (done) return;
        const passage = JSON.parse(passageJson) as Passage | null;
        const { html, target } = markedDocument(bytes, kind, passage, title);
        url = URL.createObjectURL(new Blob([html], { type: "text/html; charset=utf-8" }));
        settle({ status: "ready", url, target });
      })
      .catch(() => {
        if (!done) settle({ status: "failed" });
      });
    return () => {
      done = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [bytes, kind, passageJson, title]);

  const current = built?.key.every((part, index) => part === key[index]);
  return current && built ? built.state : { status: "building" };
}
