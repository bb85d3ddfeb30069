/** Wrapping stretches of a document's text in `<mark>`, across as many text nodes as they span. */
import { closingLength, mergeSpans, type Span, type TextIndex } from "./textMatch";

// Text that is not shown as text, or where a <mark> would not render as one.
const NOT_SHOWN = new Set([
  "SCRIPT",
  "STYLE",
  "NOSCRIPT",
  "TEMPLATE",
  "TITLE",
  "TEXTAREA",
  "SELECT",
  "OPTION",
  "IFRAME",
  "NOEMBED",
  "NOFRAMES",
  "XMP",
  "PLAINTEXT",
  "svg",
  "math",
]);

/** The text nodes under `root` that a reader sees, in document order. */
export function shownTextNodes(root: Node): Text[] {
  const document = root.ownerDocument ?? (root as Document);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let parent = node.parentElement;
    while (parent && !NOT_SHOWN.has(parent.tagName)) parent = parent.parentElement;
    if (!parent) nodes.push(node as Text);
  }
  return nodes;
}

interface Piece {
  node: Text;
  /** The node's place in `nodes`. */
  order: number;
  start: number;
  end: number;
  span: number;
}

/**
 * Wrap each span of `index` (built over `nodes`' text) in `<mark>` elements, one per text node it
 * touches; whitespace-only nodes between blocks are left alone. Returns the first mark of the
 * span holding `spans[0]` (where the passage starts), or null when there is nothing to mark.
 */
export function markSpans(
  nodes: readonly Text[],
  index: TextIndex,
  spans: readonly Span[],
): HTMLElement | null {
  const first = spans[0];
  if (!first) return null;
  const merged = mergeSpans(spans);
  const lead = merged.findIndex((span) => span.start <= first.start && first.start < span.end);
  const pieces: Piece[] = [];
  merged.forEach((span, at) => {
    const firstPiece = index.piece[span.start] ?? 0;
    const lastPiece = index.piece[span.end - 1] ?? firstPiece;
    for (let piece = firstPiece; piece <= lastPiece; piece += 1) {
      const node = nodes[piece];
      if (!node) continue;
      const start = piece === firstPiece ? (index.start[span.start] ?? 0) : 0;
      const end = piece === lastPiece ? (index.end[span.end - 1] ?? node.length) : node.length;
      if (node.data.slice(start, end).trim())
        pieces.push({ node, order: piece, start, end, span: at });
    }
    // The full stop after a link or a bold word is the next node's: it ends the passage too.
    const last = pieces[pieces.length - 1];
    const next = nodes[lastPiece + 1];
    if (last?.span === at && last.end === last.node.length && next) {
      const length = closingLength(next.data);
      if (length)
        pieces.push({ node: next, order: lastPiece + 1, start: 0, end: length, span: at });
    }
  });
  // From the end of each node backwards, so that splitting leaves earlier offsets valid.
  pieces.sort((a, b) => a.order - b.order || b.start - a.start);
  let leadMark: HTMLElement | null = null;
  for (const piece of pieces) {
    const mark = wrap(piece);
    if (piece.span === lead && (!leadMark || precedes(mark, leadMark))) leadMark = mark;
  }
  return leadMark;
}

function wrap({ node, start, end }: Piece): HTMLElement {
  if (end < node.length) node.splitText(end);
  const text = start > 0 ? node.splitText(start) : node;
  const mark = node.ownerDocument.createElement("mark");
  mark.setAttribute("data-cited", "");
  text.replaceWith(mark);
  mark.append(text);
  return mark;
}

function precedes(a: Node, b: Node): boolean {
  return Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
}
