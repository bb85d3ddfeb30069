import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import type { StreamLine } from "../../api/types";
import type { EvidenceTab } from "../../hooks/useEvidence";
import { applyLine, newTurn } from "../../lib/answer";
import { parseCitations } from "../../lib/citations";
import { sampleAnswerLines } from "../../test/streams";
import { EvidencePanel } from "./EvidencePanel";

const answer = (sampleAnswerLines() as StreamLine[]).reduce(applyLine, newTurn("q").answer);
const citation = parseCitations(answer.content)[0] ?? null;

function Harness() {
  const [tab, setTab] = useState<EvidenceTab>("document");
  return (
    <EvidencePanel
      open
      modal={false}
      onClose={() => undefined}
      answer={answer}
      tab={tab}
      onTabChange={setTab}
      citation={citation}
      onCitation={() => undefined}
    />
  );
}

describe("EvidencePanel", () => {
  it("shows the cited document, opened at its page", () => {
    render(<Harness />);
    expect(screen.getByRole("dialog", { name: "Evidence" })).toBeInTheDocument();
    expect(screen.getByTitle("Cited document: health-plans.pdf#page=2")).toHaveAttribute(
      "src",
      "/content/health-plans.pdf#page=2",
    );
  });

  it("switches tabs with the arrow keys and shows supporting content and thoughts", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const documentTab = screen.getByRole("tab", { name: "Document" });
    expect(documentTab).toHaveAttribute("aria-selected", "true");
    documentTab.focus();
    await user.keyboard("{ArrowRight}");
    const supportingTab = screen.getByRole("tab", { name: "Supporting content" });
    expect(supportingTab).toHaveFocus();
    expect(supportingTab).toHaveAttribute("aria-selected", "true");
    const panel = screen.getByRole("tabpanel");
    expect(panel).toHaveTextContent("health-plans.pdf#page=2");
    expect(panel).toHaveTextContent("The Plus plan deductible is $1,000.");

    await user.keyboard("{End}");
    const thoughts = screen.getByRole("tabpanel");
    expect(thoughts).toHaveTextContent("Search query");
    expect(thoughts).toHaveTextContent("plus plan deductible");
    // A non-string description is pretty-printed JSON.
    expect(thoughts.querySelector("pre")?.textContent).toBe(
      JSON.stringify([{ id: "a", score: 1.5 }], null, 2),
    );
    expect(thoughts).toHaveTextContent("top:3");

    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "Document" })).toHaveFocus();
  });
});
