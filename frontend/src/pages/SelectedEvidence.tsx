/** The picked answer's evidence: a column of the page on wide screens, a drawer on narrow ones. */
import { EvidencePanel } from "../components/EvidencePanel";
import { useEvidence } from "../hooks/useEvidence";
import { useMediaQuery } from "../hooks/useMediaQuery";
import type { Turn } from "../lib/answer";

export type PageEvidence = ReturnType<typeof usePageEvidence>;

/** The evidence selection, the turn it belongs to, and how the panel shows. */
export function usePageEvidence(turns: readonly Turn[]) {
  const evidence = useEvidence();
  const wide = useMediaQuery("(min-width: 1024px)");
  const turn = turns.find((item) => item.id === evidence.selection?.turnId);
  return { ...evidence, turn, modal: !wide, openInline: Boolean(turn) && wide };
}

export function SelectedEvidence({ evidence }: { evidence: PageEvidence }) {
  const { turn, selection } = evidence;
  return (
    <EvidencePanel
      open={Boolean(turn)}
      modal={evidence.modal}
      onClose={evidence.close}
      answer={turn?.answer ?? null}
      tab={selection?.tab ?? "document"}
      onTabChange={evidence.setTab}
      citation={selection?.citation ?? null}
      onCitation={(citation) => {
        if (turn) evidence.showCitation(turn.id, citation);
      }}
    />
  );
}
