/**
 * The passage a citation points at: the retrieved chunks of the cited source and, when the answer
 * quotes them (the extractive answerer always does), the sentences it quoted right before the
 * citation: the tightest text to highlight. `locatePassage` finds it in a document's text.
 */
import { BRACKETED, isCitationRef, splitDataPoint } from "./citations";
import {
  comparable,
  findSpan,
  indexText,
  mergeSpans,
  type Span,
  type TextIndex,
} from "./textMatch";

export interface Passage {
  /** The retrieved chunks whose source is the cited one, best-ranked first. */
  chunks: string[];
  /** What the answer says right before the citation, where a chunk holds it word for word. */
  quotes: string[];
}

// Shorter texts (a few letters) are found in too many places to mean anything.
const MIN_MATCH = 16;
const SENTENCE_END = /(?<=[.!?])\s+/;
// A block not found whole is searched line by line and sentence by sentence.
const PART_END = /\n|(?<=[.!?])\s+/;
// How far past the previous part a short part may be and still belong to the chunk.
const NEAR = 40;
// What may open the text before a citation: a list bullet, or the end of the sentence before.
const LEAD = /^(?:\s*[.,;:!?)\]]+)?\s*(?:(?:[-*+•]|\d{1,3}[.)])\s+)?/;

/** The passage `ref` cites in an answer; null when no data point comes from that source. */
export function citedPassage(
  answer: string,
  dataPoints: readonly string[],
  ref: string,
): Passage | null {
  const chunks = dataPoints
    .map(splitDataPoint)
    .filter((point) => point.source === ref)
    .map((point) => point.text);
  if (!chunks.length) return null;
  const held = chunks.map(comparable);
  const quotes: string[] = [];
  for (const said of textsBefore(answer, ref)) {
    // The whole text before the citation, else each sentence of it that a chunk holds.
    const whole = comparable(said);
    const candidates = held.some((chunk) => chunk.includes(whole))
      ? [said]
      : said.split(SENTENCE_END);
    for (const candidate of candidates.map((text) => text.trim())) {
      const words = comparable(candidate);
      if (words.length < MIN_MATCH || !held.some((chunk) => chunk.includes(words))) continue;
      if (!quotes.includes(candidate)) quotes.push(candidate);
    }
  }
  return { chunks, quotes };
}

/**
 * The text of the answer before each `[ref]`: back to the previous citation or the line's start,
 * without a list bullet. A citation right after another ("… [a.pdf][b.md]") shares its text.
 */
function textsBefore(answer: string, ref: string): string[] {
  const texts: string[] = [];
  let from = 0;
  let previous = "";
  for (const match of answer.matchAll(BRACKETED)) {
    const cited = match[1]?.trim() ?? "";
    if (!isCitationRef(cited, [ref])) continue;
    const lineStart = answer.lastIndexOf("\n", match.index) + 1;
    const text = answer.slice(Math.max(from, lineStart), match.index).replace(LEAD, "").trim();
    const said = text || (from > lineStart ? previous : "");
    if (cited === ref && said) texts.push(said);
    previous = said;
    from = match.index + match[0].length;
  }
  return texts;
}

/**
 * Where `passage` is in `index`: the quotes if found there, else the chunks; the first span is
 * where the passage starts (the first quote, or the best chunk); empty when it is not there.
 * `asText` turns a piece of a chunk into the text a reader sees (for a Markdown document, the
 * piece rendered); the chunk is searched block by block, and a block not found whole sentence by
 * sentence, so one piece the extraction changed does not lose the rest.
 */
export function locatePassage(
  index: TextIndex,
  passage: Passage,
  asText: (markdownish: string) => string = (text) => text,
): Span[] {
  const chunks = passage.chunks.map((chunk) => locateChunk(index, chunk, asText));
  const quoteSpans: Span[] = [];
  for (const quote of passage.quotes) {
    const needle = comparable(asText(quote));
    // Inside the chunk it was quoted from first: the same sentence may be elsewhere too.
    const span =
      chunks
        .filter((spans) => spans.length)
        .map((spans) => findSpan(index, needle, spans[0]?.start, spans[spans.length - 1]?.end))
        .find(Boolean) ?? (needle.length >= MIN_MATCH ? findSpan(index, needle) : null);
    if (span) quoteSpans.push(span);
  }
  return quoteSpans.length ? quoteSpans : chunks.flat();
}

function locateChunk(index: TextIndex, chunk: string, asText: (text: string) => string): Span[] {
  const body = withoutLeadingHeadings(chunk);
  const needle = comparable(asText(body));
  const whole = needle.length >= MIN_MATCH ? findSpan(index, needle) : null;
  if (whole) return [whole];
  const spans: Span[] = [];
  let cursor = 0;
  for (const block of body.split(/\n\s*\n/).filter((text) => text.trim())) {
    const text = comparable(asText(block));
    const parts = findSpan(index, text, cursor)
      ? [text]
      : block.split(PART_END).map((part) => comparable(asText(part)));
    for (const part of parts) {
      const span = findSpan(index, part, cursor);
      // A short part counts only right where the chunk goes on: alone it could be anywhere.
      const near = spans.length > 0 && span !== null && span.start - cursor <= NEAR;
      if (!span || (part.length < MIN_MATCH && !near)) continue;
      spans.push(span);
      cursor = span.end;
    }
  }
  return spans;
}

/**
 * `chunk` without the headings it opens with. The splitter repeats the section's heading atop a
 * chunk that starts mid-section: that copy is context, not the passage, and the heading itself
 * may be far above it.
 */
function withoutLeadingHeadings(chunk: string): string {
  const lines = chunk.split("\n");
  const body = lines.findIndex((line) => line.trim() && !line.trimStart().startsWith("#"));
  return body > 0 ? lines.slice(body).join("\n") : chunk;
}

/** A run of a chunk's text, and whether the answer quoted it. */
export interface PassagePart {
  text: string;
  quoted: boolean;
}

/**
 * The passage to show as text (beside a PDF): the chunks holding a quote, with the quotes
 * marked, or every chunk when nothing was quoted.
 */
export function passageParts(passage: Passage): PassagePart[][] {
  const shown = passage.chunks.map((chunk) => quotedParts(chunk, passage.quotes));
  const quoting = shown.filter((parts) => parts.some((part) => part.quoted));
  return quoting.length ? quoting : shown;
}

function quotedParts(chunk: string, quotes: readonly string[]): PassagePart[] {
  const index = indexText([chunk]);
  const spans = mergeSpans(
    quotes.map((quote) => findSpan(index, comparable(quote))).filter((span) => span !== null),
  );
  const parts: PassagePart[] = [];
  let at = 0;
  for (const span of spans) {
    const start = index.start[span.start] ?? at;
    const end = index.end[span.end - 1] ?? start;
    if (start > at) parts.push({ text: chunk.slice(at, start), quoted: false });
    parts.push({ text: chunk.slice(start, end), quoted: true });
    at = end;
  }
  if (at < chunk.length) parts.push({ text: chunk.slice(at), quoted: false });
  return parts;
}
