/** How a cited file is shown with its passage marked, by the extension its parser went by. */

export type DocumentKind = "html" | "markdown" | "text";

const KINDS: Record<string, DocumentKind> = {
  html: "html",
  htm: "html",
  md: "markdown",
  markdown: "markdown",
  txt: "text",
  csv: "text",
  tsv: "text",
  json: "text",
};

/** The kind of `file` (a stored name), or null for one shown as it is (a PDF, a Word file). */
export function documentKind(file: string): DocumentKind | null {
  const extension = /\.([^./]+)$/.exec(file)?.[1]?.toLowerCase() ?? "";
  return KINDS[extension] ?? null;
}
