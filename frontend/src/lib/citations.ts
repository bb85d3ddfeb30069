/** Citations like `[health-plans.pdf#page=2]` in an answer: found, numbered, linked. */

export interface Citation {
  /** The text between the brackets, e.g. `health-plans.pdf#page=2`. */
  ref: string;
  /** The stored file, e.g. `health-plans.pdf`. */
  file: string;
  page: number | null;
  /** Where `/content` serves it, opened at the page for PDFs. */
  href: string;
  /** 1-based, in order of first appearance; a source cited twice keeps its number. */
  number: number;
}

/** Any bracketed text on one line; whether it is a citation is decided by `isCitationRef`. */
export const BRACKETED = /\[([^[\]\n]{1,300})\]/g;

// A file name with an extension and an optional page, without spaces: `dir/plan.pdf#page=2`.
const FILE_REF = /^[^\s[\]#]+\.[A-Za-z0-9]{1,8}(?:#page=\d+)?$/;
const PAGE = /#page=(\d+)$/;
// The server keeps each user's uploads in a folder named by a hash of who they are.
const UPLOAD = /^\.uploads\/[0-9a-f]{32}\/(.+)$/i;

/** How to show a reference: `.uploads/<32 hex>/a.pdf#page=2` is the user's own `a.pdf#page=2`. */
export function displayRef(ref: string): { label: string; upload: boolean } {
  const match = UPLOAD.exec(ref);
  return match?.[1] ? { label: match[1], upload: true } : { label: ref, upload: false };
}

/** Whether the text in brackets cites a source: a known citation or a file-like name. */
export function isCitationRef(ref: string, known: readonly string[] = []): boolean {
  return known.includes(ref) || (FILE_REF.test(ref) && !/^[a-z]+:/i.test(ref));
}

/** The `/content` URL of a cited file; PDFs open at the cited page. */
export function contentHref(ref: string): { file: string; page: number | null; href: string } {
  const match = PAGE.exec(ref);
  const page = match?.[1] ? Number(match[1]) : null;
  const file = match ? ref.slice(0, match.index) : ref;
  const path = file.split("/").map(encodeURIComponent).join("/");
  return { file, page, href: `/content/${path}${page ? `#page=${page}` : ""}` };
}

// Fenced code blocks and inline code are shown as written, so brackets there are not citations.
const CODE = /```[\s\S]*?(?:```|$)|`[^`\n]*`/g;

/** The answer's citations in order of first appearance, numbered from 1. */
export function parseCitations(text: string, known: readonly string[] = []): Citation[] {
  const byRef = new Map<string, Citation>();
  for (const match of text.replace(CODE, " ").matchAll(BRACKETED)) {
    const ref = match[1]?.trim() ?? "";
    if (!ref || byRef.has(ref) || !isCitationRef(ref, known)) continue;
    byRef.set(ref, { ref, ...contentHref(ref), number: byRef.size + 1 });
  }
  return [...byRef.values()];
}

/** A lookup from a citation's text to its numbered citation. */
export function citationIndex(citations: readonly Citation[]): Map<string, Citation> {
  return new Map(citations.map((citation) => [citation.ref, citation]));
}

/** `source: text` supporting content split into its source and text. */
export function splitDataPoint(point: string): { source: string; text: string } {
  const at = point.indexOf(": ");
  return at > 0
    ? { source: point.slice(0, at), text: point.slice(at + 2) }
    : { source: "", text: point };
}
