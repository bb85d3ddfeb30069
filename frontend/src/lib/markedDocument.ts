/**
 * An HTML, Markdown or text document rebuilt as one HTML page with the cited passage marked, for
 * a frame sandboxed with every restriction. An HTML document is sanitized first (DOMPurify: no
 * script, event handler, frame, object, SVG or `javascript:` URL survives), and everything else
 * happens in an inert document (DOMParser runs no script and loads nothing). The page gets the
 * policy `/content` serves files with, since a blob: copy would otherwise lose it, and the frame
 * scrolls to the mark by its URL's fragment.
 *
 * Loaded on demand, with DOMPurify, when a document is first opened: not in the first load.
 */
import DOMPurify from "dompurify";

import type { DocumentKind } from "./documentKind";
import { markSpans, shownTextNodes } from "./highlight";
import { markdownText, markdownToDom } from "./markdownDom";
import { locatePassage, type Passage } from "./passage";
import { indexText } from "./textMatch";

export interface MarkedDocument {
  html: string;
  /** The id of the passage's first mark, for the frame's `#fragment`; null when not found. */
  target: string | null;
}

// As app/routes/content.py serves source files: no requests, inline styles only.
const POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
const TARGET = "cited-passage";
const MARK_STYLE =
  "mark[data-cited]{background:#ffe27a;color:#111;box-shadow:0 0 0 2px #ffe27a;" +
  "scroll-margin-block:3rem}";
const PAGE_STYLE =
  "body{margin:0;padding:1rem 1.25rem;font:16px/1.55 system-ui,sans-serif;color:#18201b}" +
  "main{max-width:48rem}pre{white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.5 " +
  "ui-monospace,monospace}table{border-collapse:collapse}th,td{border:1px solid #ccc;" +
  "padding:.25rem .5rem}";

/** Text as the server's parsers read it: UTF-8 (a BOM dropped), else Latin-1. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** `bytes` of a `kind` document as a page with `passage` marked (when given and found). */
export function markedDocument(
  bytes: Uint8Array,
  kind: DocumentKind,
  passage: Passage | null,
  title: string,
): MarkedDocument {
  const text = decodeText(bytes);
  const document = kind === "html" ? sanitizedDocument(text) : inertDocument("");
  document.title = kind === "html" ? titleOf(text) || title : title;
  if (kind !== "html") {
    const main = document.createElement("main");
    if (kind === "markdown") main.append(markdownToDom(text, document));
    else main.append(Object.assign(document.createElement("pre"), { textContent: text }));
    document.body.append(main);
  }
  // Before the document's own styles, which win where they say otherwise.
  document.head.prepend(style(document, PAGE_STYLE));
  const target = passage ? mark(document, kind, passage) : null;
  document.head.append(style(document, MARK_STYLE));
  addPolicy(document);
  return { html: `<!DOCTYPE html>${document.documentElement.outerHTML}`, target };
}

function inertDocument(html: string): Document {
  return new DOMParser().parseFromString(html || "<!DOCTYPE html>", "text/html");
}

/** The document as DOMPurify leaves it (HTML only: no SVG or MathML), parsed inert again. */
function sanitizedDocument(html: string): Document {
  const clean = DOMPurify.sanitize(html, { WHOLE_DOCUMENT: true, USE_PROFILES: { html: true } });
  return inertDocument(clean);
}

/** The document's own title (the sanitizer drops `<title>`), read from an inert parse. */
function titleOf(html: string): string {
  return inertDocument(html).title;
}

function mark(document: Document, kind: DocumentKind, passage: Passage): string | null {
  const nodes = shownTextNodes(document.body);
  const index = indexText(nodes.map((node) => node.data));
  // A Markdown document is shown rendered; its chunks are Markdown, compared as rendered too.
  const asText = kind === "markdown" ? (piece: string) => markdownText(piece, document) : undefined;
  const first = markSpans(nodes, index, locatePassage(index, passage, asText));
  if (!first) return null;
  let id = TARGET;
  for (let n = 2; document.getElementById(id); n += 1) id = `${TARGET}-${n}`;
  first.id = id;
  return id;
}

function style(document: Document, css: string): HTMLStyleElement {
  const element = document.createElement("style");
  element.textContent = css;
  return element;
}

/** The served policy, first in the head so that it governs everything after it. */
function addPolicy(document: Document): void {
  const policy = document.createElement("meta");
  policy.httpEquiv = "Content-Security-Policy";
  policy.content = POLICY;
  document.head.prepend(policy);
}
