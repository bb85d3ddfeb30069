import { describe, expect, it } from "vitest";

import { newTurn } from "./answer";
import { fromStoredPair, toStoredResponse } from "./storedTurns";

describe("stored turns", () => {
  it("keep that an answer was cut at its token bound", () => {
    const turn = newTurn("How long is leave?");
    turn.answer = { ...turn.answer, content: "Fourteen", status: "done", truncated: true };
    const stored = toStoredResponse(turn);
    expect(stored.finish_reason).toBe("length");
    expect(fromStoredPair([turn.question, stored])?.answer.truncated).toBe(true);

    const whole = { ...turn, answer: { ...turn.answer, truncated: false } };
    expect(toStoredResponse(whole)).not.toHaveProperty("finish_reason");
    expect(fromStoredPair([turn.question, toStoredResponse(whole)])?.answer.truncated).toBe(
      undefined,
    );
  });
});
