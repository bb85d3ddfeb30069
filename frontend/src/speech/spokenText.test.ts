import { describe, expect, it } from "vitest";

import { cutForSpeech, sentenceChunks, spokenText } from "./spokenText";

describe("spokenText", () => {
  it("leaves out citations, Markdown syntax, code blocks and HTML tags", () => {
    const answer = [
      "## Parental leave",
      "",
      "You get **14 weeks** of *paid* leave [pto-leave-policy.html] [health-plans.pdf#page=2].",
      "",
      "- Birth parents [pto-leave-policy.html]",
      "- Adoptive parents",
      "",
      "```",
      "print('not read')",
      "```",
      "",
      "See <b>the</b> `HR portal` or [the guide](https://example.com).",
    ].join("\n");
    expect(spokenText(answer)).toBe(
      "Parental leave. You get 14 weeks of paid leave. Birth parents. Adoptive parents. " +
        "See the HR portal or the guide.",
    );
  });

  it("keeps bracketed text that is not a citation, and known citations without an extension", () => {
    expect(spokenText("Press [Enter] to continue [faq] [note.md].", ["faq"])).toBe(
      "Press [Enter] to continue.",
    );
  });

  it("reads a table row by row", () => {
    const table = "| Plan | Deductible |\n| --- | --- |\n| Plus | $1,000 |";
    expect(spokenText(table)).toBe("Plan, Deductible. Plus, $1,000.");
  });
});

describe("cutForSpeech", () => {
  it("keeps a short text whole and cuts a long one after its last whole sentence", () => {
    expect(cutForSpeech("One. Two.", 100)).toBe("One. Two.");
    const text = "First sentence here. Second one is longer than the rest of it.";
    expect(cutForSpeech(text, 40)).toBe("First sentence here.");
  });

  it("cuts between words when no sentence ends in the bound", () => {
    expect(cutForSpeech("word ".repeat(20), 23)).toBe("word word word word");
  });
});

describe("sentenceChunks", () => {
  it("groups whole sentences into pieces of at most about the size", () => {
    const chunks = sentenceChunks("Aa aa. Bb bb! Cc cc? Dd dd.", 14);
    expect(chunks).toEqual(["Aa aa. Bb bb!", "Cc cc? Dd dd."]);
    expect(sentenceChunks("No end at all")).toEqual(["No end at all"]);
  });
});
