import { describe, expect, it } from "vitest";

import { citedPassage, locatePassage, passageParts } from "./passage";
import { comparable, indexText } from "./textMatch";

const LEAVE =
  "## Parental leave\n\nCairnwood provides 14 weeks of fully paid parental leave. You are " +
  "eligible once you have worked here for 90 days.\n\n- Leave may be taken in two blocks.";
const POINTS = [
  `pto-leave-policy.html: ${LEAVE}`,
  "health-plans.pdf#page=2: # Deductibles\n\nOn the Plus plan, the deductible is $1,000.",
  "health-plans.pdf#page=2: | Plan | Deductible |\n|---|---|\n| Plus | $1,000 |\n| Basic | $3,000 |",
  "health-plans.pdf#page=3: On the Plus plan, a generic drug costs $10.",
];
const NOTICE = "*No language model is configured, so this answer quotes the passages.*\n\n";

/** Where `passage` is in `haystack`, as the text of the located spans. */
function located(haystack: string, passage: Parameters<typeof locatePassage>[1]) {
  const index = indexText([haystack]);
  return locatePassage(index, passage).map((span) =>
    haystack.slice(index.start[span.start], index.end[span.end - 1]),
  );
}

describe("citedPassage", () => {
  it("finds the sentence the answer quotes right before the citation", () => {
    const answer =
      NOTICE +
      "- Cairnwood provides 14 weeks of fully paid parental leave. [pto-leave-policy.html]\n" +
      "- On the Plus plan, the deductible is $1,000. [health-plans.pdf#page=2]\n";
    expect(citedPassage(answer, POINTS, "pto-leave-policy.html")).toEqual({
      chunks: [LEAVE],
      quotes: ["Cairnwood provides 14 weeks of fully paid parental leave."],
    });
  });

  it("keeps only the chunks when the answer paraphrases (a language model's answer)", () => {
    const answer = "You get three and a half months off [pto-leave-policy.html].";
    expect(citedPassage(answer, POINTS, "pto-leave-policy.html")).toEqual({
      chunks: [LEAVE],
      quotes: [],
    });
  });

  it("quotes the sentences of a longer text that a chunk holds", () => {
    const answer =
      "You are eligible once you have worked here for 90 days. Ask HR about it. " +
      "[pto-leave-policy.html]";
    expect(citedPassage(answer, POINTS, "pto-leave-policy.html")?.quotes).toEqual([
      "You are eligible once you have worked here for 90 days.",
    ]);
  });

  it("gives a citation right after another the same text", () => {
    const answer =
      "On the Plus plan, a generic drug costs $10. [pto-leave-policy.html][health-plans.pdf#page=3]";
    expect(citedPassage(answer, POINTS, "health-plans.pdf#page=3")?.quotes).toEqual([
      "On the Plus plan, a generic drug costs $10.",
    ]);
    expect(citedPassage(answer, POINTS, "pto-leave-policy.html")?.quotes).toEqual([]);
  });

  it("gathers every chunk of one page, best-ranked first, and the quote found in either", () => {
    const answer = "- Plus: the deductible is $1,000. [health-plans.pdf#page=2]";
    const passage = citedPassage(answer, POINTS, "health-plans.pdf#page=2");
    expect(passage?.chunks).toEqual([
      "# Deductibles\n\nOn the Plus plan, the deductible is $1,000.",
      "| Plan | Deductible |\n|---|---|\n| Plus | $1,000 |\n| Basic | $3,000 |",
    ]);
    // "Plus: the deductible is $1,000." is not in either chunk, word for word.
    expect(passage?.quotes).toEqual([]);
  });

  it("finds nothing for a source that no data point comes from", () => {
    expect(citedPassage("It says so [other.md].", POINTS, "other.md")).toBeNull();
    expect(citedPassage("It says so [other.md].", [], "other.md")).toBeNull();
  });

  it("does not take a few words for a quote", () => {
    const answer = "Yes [pto-leave-policy.html]. Parental leave [pto-leave-policy.html].";
    expect(citedPassage(answer, POINTS, "pto-leave-policy.html")?.quotes).toEqual([]);
  });
});

describe("locatePassage", () => {
  const document =
    "Parental leave\n\nCairnwood   provides 14 weeks of\nfully paid parental leave. You are " +
    "eligible once you have worked here for 90 days.\n\nLeave may be taken in two blocks.\n\n" +
    "Sick leave\n\nCairnwood provides 14 weeks of fully paid parental leave.";

  it("finds the quote inside the chunk it came from, whitespace and markup aside", () => {
    const passage = {
      chunks: [LEAVE],
      quotes: ["Cairnwood provides 14 weeks of fully paid parental leave."],
    };
    expect(located(document, passage)).toEqual([
      "Cairnwood   provides 14 weeks of\nfully paid parental leave.",
    ]);
    // The first copy, inside the chunk, not the later one.
    const index = indexText([document]);
    const span = locatePassage(index, passage)[0];
    expect(span?.start).toBe(comparable("Parental leave").length);
  });

  it("finds the whole chunk, without its repeated heading, when nothing is quoted", () => {
    expect(located(document, { chunks: [LEAVE], quotes: [] })).toEqual([
      "Cairnwood   provides 14 weeks of\nfully paid parental leave. You are eligible once you " +
        "have worked here for 90 days.\n\nLeave may be taken in two blocks.",
    ]);
  });

  it("leaves out the headings a chunk opens with, however far above they are", () => {
    const far = `Parental leave\n\n${"Filler text here. ".repeat(40)}\nThe badge costs $20 to replace.`;
    const chunk = "## Parental leave\n## Badges\nThe badge costs $20 to replace.";
    expect(located(far, { chunks: [chunk], quotes: [] })).toEqual([
      "The badge costs $20 to replace.",
    ]);
  });

  it("finds a chunk block by block when the document has something between its blocks", () => {
    const chunk = `${LEAVE}\n\nSick leave\n\nSomething the document does not say at all.`;
    expect(located(document, { chunks: [chunk], quotes: [] })).toEqual([
      "Cairnwood   provides 14 weeks of\nfully paid parental leave. You are eligible once you " +
        "have worked here for 90 days.",
      "Leave may be taken in two blocks.",
      "Sick leave",
    ]);
  });

  it("finds the parts of a chunk that the document holds when others differ", () => {
    const chunk =
      "A sentence the document does not have at all.\n\nLeave may be taken in two blocks.";
    expect(located(document, { chunks: [chunk], quotes: [] })).toEqual([
      "Leave may be taken in two blocks.",
    ]);
  });

  it("does not take a chunk of a few letters for the passage", () => {
    expect(located(document, { chunks: ["## Leave\n\nSick leave"], quotes: [] })).toEqual([]);
  });

  it("finds nothing in a document that does not hold the passage", () => {
    expect(located("Something else entirely.", { chunks: [LEAVE], quotes: [] })).toEqual([]);
  });
});

describe("passageParts", () => {
  it("marks the quote in the chunk that holds it and leaves out the other chunks", () => {
    const passage = {
      chunks: [
        "# Deductibles\n\nOn the Plus plan,\nthe deductible is $1,000. Copays vary.",
        "Other.",
      ],
      quotes: ["On the Plus plan, the deductible is $1,000."],
    };
    expect(passageParts(passage)).toEqual([
      [
        { text: "# Deductibles\n\n", quoted: false },
        { text: "On the Plus plan,\nthe deductible is $1,000.", quoted: true },
        { text: " Copays vary.", quoted: false },
      ],
    ]);
  });

  it("shows every chunk, unmarked, when nothing was quoted", () => {
    expect(passageParts({ chunks: ["One.", "Two."], quotes: [] })).toEqual([
      [{ text: "One.", quoted: false }],
      [{ text: "Two.", quoted: false }],
    ]);
  });
});
