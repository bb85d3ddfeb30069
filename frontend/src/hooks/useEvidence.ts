/** Which answer's evidence the side panel shows, on which tab, for which citation. */
import { useCallback, useState } from "react";

import type { Citation } from "../lib/citations";

export type EvidenceTab = "document" | "supporting" | "thoughts";

export interface EvidenceSelection {
  turnId: string;
  tab: EvidenceTab;
  citation: Citation | null;
}

export function useEvidence() {
  const [selection, setSelection] = useState<EvidenceSelection | null>(null);

  const showCitation = useCallback((turnId: string, citation: Citation) => {
    setSelection({ turnId, tab: "document", citation });
  }, []);

  const showTab = useCallback((turnId: string, tab: EvidenceTab) => {
    setSelection((current) => ({
      turnId,
      tab,
      citation: current?.turnId === turnId ? current.citation : null,
    }));
  }, []);

  const setTab = useCallback((tab: EvidenceTab) => {
    setSelection((current) => (current ? { ...current, tab } : current));
  }, []);

  const close = useCallback(() => setSelection(null), []);

  return { selection, showCitation, showTab, setTab, close };
}
