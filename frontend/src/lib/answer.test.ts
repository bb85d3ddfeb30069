import { describe, expect, it } from "vitest";

import type { StreamLine } from "../api/types";
import { sampleAnswerLines } from "../test/streams";
import { applyLine, newTurn, toMessages, type Turn } from "./answer";

describe("applyLine", () => {
  it("collects context, text pieces and follow-up questions", () => {
    const lines = sampleAnswerLines({ followups: ["Who is eligible?"] }) as StreamLine[];
    const answer = lines.reduce(applyLine, newTurn("q").answer);
    expect(answer.status).toBe("streaming");
    expect(answer.content).toBe(
      "The deductible is $1,000 [health-plans.pdf#page=2]. Most choose Plus [benefits-overview.md][health-plans.pdf#page=2].",
    );
    expect(answer.dataPoints?.citations).toEqual([
      "health-plans.pdf#page=2",
      "benefits-overview.md",
    ]);
    expect(answer.thoughts.map((t) => t.title)).toEqual(["Search query", "Search results"]);
    expect(answer.followups).toEqual(["Who is eligible?"]);
    expect(answer.truncated).toBeUndefined();
  });

  it("marks an answer cut at its token bound and adds the thoughts of later lines", () => {
    const lines: StreamLine[] = [
      ...(sampleAnswerLines() as StreamLine[]),
      { delta: { role: "assistant" }, finish_reason: "length" },
      {
        delta: { role: "assistant" },
        context: {
          followup_questions: [],
          thoughts_added: [{ title: "Follow-up questions", description: "Left out." }],
        },
      },
    ];
    const answer = lines.reduce(applyLine, newTurn("q").answer);
    expect(answer.truncated).toBe(true);
    expect(answer.followups).toEqual([]);
    expect(answer.thoughts.map((t) => t.title)).toEqual([
      "Search query",
      "Search results",
      "Follow-up questions",
    ]);
  });
});

describe("toMessages", () => {
  const done = (question: string, content: string): Turn => ({
    ...newTurn(question),
    answer: { ...newTurn(question).answer, content, status: "done" },
  });

  it("sends earlier answered turns, skipping failed ones, then the question", () => {
    const failed: Turn = {
      ...newTurn("broken?"),
      answer: { ...newTurn("x").answer, status: "error", error: "no" },
    };
    expect(toMessages([done("q1", "a1"), failed], "q2")).toEqual([
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "q2" },
    ]);
  });
});
