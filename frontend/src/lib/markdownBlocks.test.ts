import { describe, expect, it } from "vitest";

import { BlockSplitter } from "./markdownBlocks";

/** The text of a long answer: headings, lists, paragraphs, a table and fenced code. */
function longAnswer(lines: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < lines; i += 1) {
    if (i % 40 === 0) pieces.push(`## Part ${i / 40 + 1}\n\n`);
    else if (i % 40 < 8)
      pieces.push(`- item ${i} [plan.pdf#page=${i % 3}]\n` + (i % 40 === 7 ? "\n" : ""));
    else if (i % 40 === 20) pieces.push("```\ncode line\n\nstill code\n```\n\n");
    else if (i % 40 === 30) pieces.push("| a | b |\n|---|---|\n| 1 | 2 |\n\n");
    else pieces.push(`Line ${i} of the answer.` + (i % 5 === 4 ? "\n\n" : "\n"));
  }
  return pieces;
}

describe("BlockSplitter", () => {
  it("cuts text into top-level blocks that join back into the text", () => {
    const text =
      "# Title\n\nA paragraph\nwith two lines.\n\n- one\n- two\n\n```\na\n\nb\n```\n\nEnd.";
    const blocks = new BlockSplitter().split(text);
    expect(blocks.map((block) => block.text)).toEqual([
      "# Title\n\n",
      "A paragraph\nwith two lines.\n\n",
      "- one\n- two\n\n",
      "```\na\n\nb\n```\n\n",
      "End.",
    ]);
    expect(blocks.map((block) => block.text).join("")).toBe(text);
  });

  it("keeps a list that may still grow, a loose list, in the last block", () => {
    const splitter = new BlockSplitter();
    expect(splitter.split("Intro.\n\n- a\n\n").map((block) => block.text)).toEqual([
      "Intro.\n\n",
      "- a\n\n",
    ]);
    // The next item joins the same (now loose) list: it was never cut off.
    expect(splitter.split("Intro.\n\n- a\n\n- b\n").map((block) => block.text)).toEqual([
      "Intro.\n\n",
      "- a\n\n- b\n",
    ]);
  });

  it("parses a streamed answer in proportion to its length, not its length squared", () => {
    const splitter = new BlockSplitter();
    let text = "";
    let blocks: ReturnType<BlockSplitter["split"]> = [];
    for (const piece of longAnswer(1500)) {
      text += piece;
      blocks = splitter.split(text);
    }
    expect(blocks.map((block) => block.text).join("")).toBe(text);
    // Each piece re-parses only the block it grows: a few times the text, where re-parsing
    // the whole answer each time would be about 750 times (1,500 pieces, half on average).
    expect(splitter.parsed / text.length).toBeLessThan(5);
    // And the blocks are the ones splitting the whole text at once gives.
    expect(blocks).toEqual(new BlockSplitter().split(text));
  });

  it("lists each block's bracketed references", () => {
    const [first, second] = new BlockSplitter().split("A [a.pdf] b [a.pdf].\n\nC [c.md#x]\n");
    expect(first?.refs).toEqual(["a.pdf"]);
    expect(second?.refs).toEqual(["c.md#x"]);
  });

  it("keeps text with a link definition or a footnote in one block", () => {
    const splitter = new BlockSplitter();
    expect(splitter.split("See [x].\n\nMore.\n\n")).toHaveLength(2);
    const text = "See [x].\n\nMore.\n\n[x]: https://example.com/\n";
    expect(splitter.split(text).map((block) => block.text)).toEqual([text]);
    expect(new BlockSplitter().split("A[^1].\n\nB.\n\n[^1]: Note.")).toHaveLength(1);
  });

  it("starts over for text that does not continue the last", () => {
    const splitter = new BlockSplitter();
    splitter.split("First answer.\n\nSecond paragraph.");
    expect(splitter.split("Other.\n\nText.").map((block) => block.text)).toEqual([
      "Other.\n\n",
      "Text.",
    ]);
  });
});
