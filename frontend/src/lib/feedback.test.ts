import { afterEach, describe, expect, it, vi } from "vitest";

import type { StreamLine } from "../api/types";
import { fakeHistoryServer } from "../test/historyServer";
import { sampleAnswerLines } from "../test/streams";
import { applyLine, newTurn, type Turn } from "./answer";
import { feedbackRequest, sendFeedback } from "./feedback";

afterEach(() => {
  vi.unstubAllGlobals();
});

function turn(): Turn {
  const fresh = newTurn("Plus plan deductible?");
  const answer = (sampleAnswerLines() as StreamLine[]).reduce(applyLine, fresh.answer);
  return { ...fresh, answer: { ...answer, status: "done" }, overrides: { top: 3 } };
}

describe("feedbackRequest", () => {
  it("with server history: only which answer, the rating and the comment", () => {
    const target = { conversationId: "c-1", index: 2, turn: turn(), kind: "server" as const };
    expect(feedbackRequest(target, "down", "  Wrong plan.  ")).toEqual({
      session_id: "c-1",
      answer_index: 2,
      rating: "down",
      comment: "Wrong plan.",
    });
  });

  it("with history in the browser: also the question, the answer, its citations and settings", () => {
    const rated = turn();
    const target = { conversationId: "c-1", index: 0, turn: rated, kind: "browser" as const };
    expect(feedbackRequest(target, "up", "")).toEqual({
      session_id: "c-1",
      answer_index: 0,
      rating: "up",
      comment: "",
      question: "Plus plan deductible?",
      answer: rated.answer.content,
      citations: ["health-plans.pdf#page=2", "benefits-overview.md"],
      settings: { top: 3 },
    });
  });
});

describe("sendFeedback", () => {
  it("waits for the conversation's save before it posts, and not at all if the save fails", async () => {
    const server = fakeHistoryServer().install();
    const target = { conversationId: "c-1", index: 0, turn: turn(), kind: "server" as const };
    let finishSave!: () => void;
    const saved = vi.fn(() => new Promise<void>((resolve) => (finishSave = resolve)));

    const sent = sendFeedback(target, "up", "", saved);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(saved).toHaveBeenCalledWith("c-1");
    expect(server.calls("POST", "/feedback")).toHaveLength(0);
    finishSave();
    await sent;
    expect(server.calls("POST", "/feedback")).toHaveLength(1);

    const failed = sendFeedback(target, "up", "", () => Promise.reject(new Error("not saved")));
    await expect(failed).rejects.toThrow("not saved");
    expect(server.calls("POST", "/feedback")).toHaveLength(1);
  });
});
