/** Model output as Markdown, sanitized: no raw HTML, no images, only safe link URLs. */
import type { MouseEvent } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

import { t } from "../../i18n";
import type { Citation } from "../../lib/citations";
import { remarkCitations } from "../../lib/remarkCitations";
import { sourceText } from "../SourceName";
import styles from "./Markdown.module.css";

export interface MarkdownProps {
  text: string;
  citations: ReadonlyMap<string, Citation>;
  onCitation?: (citation: Citation) => void;
  activeCitation?: string | null;
}

export function Markdown({ text, citations, onCitation, activeCitation }: MarkdownProps) {
  const components: Components = {
    // Wide code and tables scroll sideways: focusable, so keyboards can scroll them too.
    pre: ({ children }) => <pre tabIndex={0}>{children}</pre>,
    table: ({ children }) => (
      <div className={styles.tableScroll} tabIndex={0}>
        <table>{children}</table>
      </div>
    ),
    a({ node, href, children }) {
      const ref = node?.properties.dataCitation;
      const citation = typeof ref === "string" ? citations.get(ref) : undefined;
      if (citation) {
        const open = (event: MouseEvent<HTMLAnchorElement>) => {
          if (!onCitation || event.ctrlKey || event.metaKey || event.shiftKey) return;
          event.preventDefault();
          onCitation(citation);
        };
        return (
          <sup className={styles.citation}>
            <a
              href={citation.href}
              onClick={open}
              aria-label={t.answer.citationLabel(citation.number, sourceText(citation.ref))}
              aria-current={activeCitation === citation.ref ? "true" : undefined}
              data-citation={citation.ref}
            >
              {citation.number}
            </a>
          </sup>
        );
      }
      return (
        <a href={href} target="_blank" rel="noopener noreferrer">
          {children}
        </a>
      );
    },
  };
  return (
    <div className={styles.markdown}>
      <ReactMarkdown
        remarkPlugins={[remarkGfm, [remarkCitations, { citations }]]}
        components={components}
        skipHtml
        disallowedElements={["img"]}
        unwrapDisallowed
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
