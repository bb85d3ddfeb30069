/**
 * Finding one text in another when only the words are sure to agree. A chunk the server extracted
 * ("# Leave\n\n- 14 weeks, **paid**") and the document it came from ("<h2>Leave</h2><li>14
 * weeks, <b>paid</b>") differ in whitespace, markup and punctuation, so both are compared as
 * their letters and digits only, lower-cased and without accents, and each of those characters
 * remembers where it was.
 */

/** Text pieces (a document's text nodes, or one string) as one searchable letters-and-digits run. */
export interface TextIndex {
  /** The letters and digits of every piece, lower-cased, run together. */
  text: string;
  /** For each character of `text`: which piece it came from… */
  piece: Int32Array;
  /**
   * …and the code-unit offsets in that piece where its source character starts and ends, with
   * the punctuation that opens or closes it ("$", "(" before; ".", "%", ")" after).
   */
  start: Int32Array;
  end: Int32Array;
}

/** A stretch of a `TextIndex`'s text, `start` inclusive, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;
const ASCII_WORD_CHARACTER = /[A-Za-z0-9]/;

/** A character as compared: decomposed ("é" is "e", "ﬁ" is "fi"), lower-cased, letters and digits. */
function fold(character: string): string {
  if (character < "\u0080")
    return ASCII_WORD_CHARACTER.test(character) ? character.toLowerCase() : "";
  let folded = "";
  for (const point of character.normalize("NFKD").toLowerCase()) {
    if (WORD_CHARACTER.test(point)) folded += point;
  }
  return folded;
}

// Punctuation that belongs to the words beside it: a found "$300 a night" takes its "$" and ".".
const OPENING = /[$€£¥(["'“‘«¿¡]/;
const CLOSING = /[.,;:!?%)\]"'”’»]/;
const LEADING_CLOSING = /^[.,;:!?%)\]"'”’»]+/;

/** `pieces` indexed for `findSpan`. */
export function indexText(pieces: readonly string[]): TextIndex {
  let text = "";
  const piece: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  pieces.forEach((value, index) => {
    const characters = Array.from(value); // code points: an accent or emoji half is not a letter
    const offsets: number[] = [];
    characters.reduce((offset, character) => (offsets.push(offset), offset + character.length), 0);
    characters.forEach((character, at) => {
      const folded = fold(character);
      if (!folded) return;
      let first = at;
      while (first > 0 && OPENING.test(characters[first - 1] ?? "")) first -= 1;
      let last = at;
      while (CLOSING.test(characters[last + 1] ?? "")) last += 1;
      // Each unit of the folded text remembers the whole source character it came from.
      for (let unit = 0; unit < folded.length; unit += 1) {
        piece.push(index);
        start.push(offsets[first] ?? 0);
        end.push((offsets[last] ?? 0) + (characters[last]?.length ?? 0));
      }
      text += folded;
    });
  });
  return {
    text,
    piece: Int32Array.from(piece),
    start: Int32Array.from(start),
    end: Int32Array.from(end),
  };
}

/** What `text` is compared as: its letters and digits, lower-cased. */
export function comparable(text: string): string {
  return indexText([text]).text;
}

/** Where `needle` (a comparable string) first occurs in `index` within `[from, to)`, if it does. */
export function findSpan(index: TextIndex, needle: string, from = 0, to = Infinity): Span | null {
  if (!needle) return null;
  const at = index.text.indexOf(needle, from);
  return at < 0 || at + needle.length > to ? null : { start: at, end: at + needle.length };
}

/** Overlapping spans joined, in order (touching ones stay apart: each may be a passage). */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const merged: Span[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** How much of `text`'s start is closing punctuation (the end of a sentence found before it). */
export function closingLength(text: string): number {
  return LEADING_CLOSING.exec(text)?.[0].length ?? 0;
}
