/** A remark plugin turning `[source]` citations in text into numbered citation links. */
import type { Link, Parent, PhrasingContent, Root, Text } from "mdast";

import { BRACKETED, type Citation } from "./citations";

export interface RemarkCitationsOptions {
  citations: ReadonlyMap<string, Citation>;
}

/** Replace known citations in text nodes (not in code or links) with links marked as citations. */
export function remarkCitations({ citations }: RemarkCitationsOptions) {
  return (tree: Root) => {
    visit(tree, citations);
  };
}

function visit(node: Parent, citations: ReadonlyMap<string, Citation>): void {
  const children: unknown[] = [];
  for (const child of node.children) {
    if (child.type === "text") {
      children.push(...splitText(child, citations));
    } else {
      if ("children" in child && child.type !== "link" && child.type !== "linkReference") {
        visit(child, citations);
      }
      children.push(child);
    }
  }
  node.children = children as typeof node.children;
}

function splitText(node: Text, citations: ReadonlyMap<string, Citation>): PhrasingContent[] {
  const parts: PhrasingContent[] = [];
  let last = 0;
  for (const match of node.value.matchAll(BRACKETED)) {
    const citation = citations.get(match[1]?.trim() ?? "");
    if (!citation) continue;
    if (match.index > last)
      parts.push({ type: "text", value: node.value.slice(last, match.index) });
    parts.push(citationLink(citation));
    last = match.index + match[0].length;
  }
  if (last === 0) return [node];
  if (last < node.value.length) parts.push({ type: "text", value: node.value.slice(last) });
  return parts;
}

function citationLink(citation: Citation): Link {
  return {
    type: "link",
    url: citation.href,
    children: [{ type: "text", value: String(citation.number) }],
    data: { hProperties: { dataCitation: citation.ref } },
  };
}
