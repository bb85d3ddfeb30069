/**
 * What is read aloud of an answer: its words without citation markers (`[plan.pdf#page=2]`),
 * Markdown syntax, code blocks or HTML tags, each block ending a sentence.
 */
import type { Nodes } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";

import { BRACKETED, isCitationRef } from "../lib/citations";

const processor = unified().use(remarkParse).use(remarkGfm);
const BLOCKS = new Set(["paragraph", "heading", "listItem", "tableRow", "blockquote"]);
const SKIPPED = new Set(["code", "definition", "footnoteDefinition"]);

/** The answer's text to speak. `known` are the answer's citations (from its data points). */
export function spokenText(markdown: string, known: readonly string[] = []): string {
  const tree = processor.parse(markdown);
  const parts: string[] = [];
  collect(tree, parts, known);
  return parts
    .join("")
    .replace(/[ \t]+([.,;:!?])/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}

function collect(node: Nodes, parts: string[], known: readonly string[]): void {
  if (SKIPPED.has(node.type)) return;
  if (node.type === "text" || node.type === "inlineCode") {
    parts.push(withoutCitations(node.value, known));
    return;
  }
  if (node.type === "html") {
    // Shown as the literal text it is; read without its tags.
    parts.push(withoutCitations(node.value.replace(/<[^>]*>/g, " "), known));
    return;
  }
  if (node.type === "image") {
    parts.push(node.alt ?? "");
    return;
  }
  if (node.type === "break") parts.push(" ");
  if ("children" in node) {
    for (const child of node.children) collect(child, parts, known);
    if (node.type === "tableCell") parts.push(", ");
  }
  if (BLOCKS.has(node.type)) parts.push(endSentence(parts));
}

function withoutCitations(text: string, known: readonly string[]): string {
  return text.replace(BRACKETED, (whole, ref: string) =>
    isCitationRef(ref.trim(), known) ? "" : whole,
  );
}

/** A block ends a sentence: a full stop unless it ends with punctuation of its own. */
function endSentence(parts: string[]): string {
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = (parts[i] ?? "").trimEnd();
    if (!part) continue;
    if (part === ",") {
      parts[i] = ""; // the last table cell's separator: the row ends instead
      continue;
    }
    return /[.!?。！？:;]$/.test(part) ? " " : ". ";
  }
  return " ";
}

/** At most `max` characters of `text`, cut after the last sentence that fits (else a word). */
export function cutForSpeech(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const sentence = Math.max(
    ...[". ", "! ", "? ", "。", "！", "？"].map((end) => head.lastIndexOf(end)),
  );
  if (sentence >= max / 4) return head.slice(0, sentence + 1).trim();
  const space = head.lastIndexOf(" ");
  return (space > max / 2 ? head.slice(0, space) : head).trim();
}

/** `text` in pieces of whole sentences of at most about `size` characters each. */
export function sentenceChunks(text: string, size = 200): string[] {
  const sentences = text.match(/[^.!?。！？]+[.!?。！？]*\s*/g) ?? [text];
  const chunks: string[] = [];
  let current = "";
  for (const sentence of sentences) {
    if (current && current.length + sentence.length > size) {
      chunks.push(current.trim());
      current = "";
    }
    current += sentence;
  }
  if (current.trim()) chunks.push(current.trim());
  return chunks;
}
