/**
 * A Markdown document as DOM nodes of another document, with the rules of our answer Markdown:
 * raw HTML is shown as the literal text it is (never parsed), images are left out (their alt text
 * stays), and a link with an unsafe URL (`javascript:` and the like) is not a link. The same
 * unified pipeline react-markdown runs, so GitHub-flavoured tables and lists read the same.
 */
import type { Element, Nodes } from "hast";
import { defaultUrlTransform } from "react-markdown";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";

// `allowDangerousHtml` keeps raw HTML as `raw` nodes, which become text below: shown, not run.
const processor = unified().use(remarkParse).use(remarkGfm).use(remarkRehype, {
  allowDangerousHtml: true,
});

const URL_PROPERTIES = new Set(["href", "src", "cite"]);

/** `markdown` rendered as a fragment of `document` (which should be inert, from DOMParser). */
export function markdownToDom(markdown: string, document: Document): DocumentFragment {
  const tree = processor.runSync(processor.parse(markdown));
  const fragment = document.createDocumentFragment();
  for (const child of tree.children) appendNode(fragment, child, document);
  return fragment;
}

/** The text a reader sees of `markdown` once rendered. */
export function markdownText(markdown: string, document: Document): string {
  return markdownToDom(markdown, document).textContent;
}

function appendNode(parent: Node, node: Nodes, document: Document): void {
  switch (node.type) {
    case "text":
    case "raw":
      parent.appendChild(document.createTextNode(node.value));
      return;
    case "element":
      parent.appendChild(element(node, document));
      return;
    case "root":
      for (const child of node.children) appendNode(parent, child, document);
      return;
    default: // comments and doctypes show nothing
      return;
  }
}

function element(node: Element, document: Document): Node {
  if (node.tagName === "img") {
    const alt = node.properties.alt;
    return document.createTextNode(typeof alt === "string" ? alt : "");
  }
  const created = document.createElement(node.tagName);
  for (const [property, value] of Object.entries(node.properties)) {
    // Markdown makes no event handlers; none is let through should a plugin ever add one.
    if (value === null || value === undefined || value === false || /^on/i.test(property)) continue;
    const text = Array.isArray(value) ? value.join(" ") : value === true ? "" : String(value);
    if (URL_PROPERTIES.has(property) && defaultUrlTransform(text) === "") continue;
    created.setAttribute(attributeName(property), text);
  }
  for (const child of node.children) appendNode(created, child, document);
  return created;
}

/** hast's property names (`className`, `dataFootnoteRef`, `ariaDescribedBy`) as attributes. */
function attributeName(property: string): string {
  if (property === "className") return "class";
  if (/^aria[A-Z]/.test(property)) return `aria-${property.slice(4).toLowerCase()}`;
  if (/^data[A-Z]/.test(property)) {
    return property.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  }
  return property.toLowerCase();
}
