/**
 * Markdown cut into its top-level blocks, so that a streamed answer parses and renders only its
 * growing end: the blocks before the last are finished (Markdown never reopens a block once a
 * later one has started), so their text, and what they show, no longer change.
 */
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";

import { BRACKETED } from "./citations";

export interface MarkdownBlock {
  text: string;
  /** The bracketed references in the block (candidates for citations). */
  refs: readonly string[];
}

const parser = unified().use(remarkParse).use(remarkGfm);

// A link definition (`[x]: url`) or a footnote changes how text before it reads: then the
// whole text is one block.
const WHOLE = /^ {0,3}\[[^\]\n]+\]:|\[\^[^\]\n]+\]/m;

function block(text: string): MarkdownBlock {
  const refs = new Set<string>();
  for (const match of text.matchAll(BRACKETED)) refs.add(match[1]?.trim() ?? "");
  return { text, refs: [...refs] };
}

/**
 * Splits text that grows at its end into blocks, keeping the finished ones from the last call:
 * each call parses only the text after them. Text that does not extend the last one starts over.
 */
export class BlockSplitter {
  private finished: MarkdownBlock[] = [];
  private prefix = "";
  private whole = false;
  private last: { text: string; blocks: MarkdownBlock[] } | null = null;
  /** How many characters the splitter has parsed in all: never the finished blocks again. */
  parsed = 0;

  split(text: string): MarkdownBlock[] {
    if (this.last?.text === text) return this.last.blocks;
    if (!text.startsWith(this.prefix)) {
      this.finished = [];
      this.prefix = "";
      this.whole = false;
    }
    const tail = text.slice(this.prefix.length);
    this.whole ||= WHOLE.test(tail);
    let blocks: MarkdownBlock[];
    if (this.whole) {
      blocks = [block(text)];
    } else {
      const last = this.cut(tail); // first: it adds to the finished blocks
      blocks = [...this.finished, last];
    }
    this.last = { text, blocks };
    return blocks;
  }

  /** The last block of `tail`; the blocks before it are added to the finished ones. */
  private cut(tail: string): MarkdownBlock {
    this.parsed += tail.length;
    const children = parser.parse(tail).children;
    let from = 0;
    for (const next of children.slice(1)) {
      const offset = next.position?.start.offset;
      if (offset === undefined) break;
      const to = tail.lastIndexOf("\n", offset - 1) + 1; // the start of the next block's line
      if (to <= from) continue;
      const text = tail.slice(from, to);
      this.finished.push(block(text));
      this.prefix += text;
      from = to;
    }
    return block(tail.slice(from));
  }
}
