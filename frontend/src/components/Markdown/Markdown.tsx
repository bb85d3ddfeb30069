/**
 * Model output as Markdown. Raw HTML in it is shown as the literal text it is (an answer may quote
 * a document that contains `<script>`), never rendered and never dropped; images are left out;
 * a link whose URL is unsafe (`javascript:` and the like) is shown as the text it was written as.
 */
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
      if (!href) {
        // react-markdown's URL filter empties unsafe URLs (`javascript:` and the like): such a
        // link is shown as the text it was written as, not as a link.
        const start = node?.position?.start.offset;
        const end = node?.position?.end.offset;
        return <>{start === undefined || end === undefined ? children : text.slice(start, end)}</>;
      }
      return (
        <a href={href} target="_blank" rel="noopener noreferrer">
          {children}
        </a>
      );
    },
  };
  // No `skipHtml`: it drops the tags but keeps what is between them, so "<script>x</script>"
  // showed as "x". Without it (and without rehype-raw) react-markdown makes raw HTML text.
  return (
    <div className={styles.markdown}>
      <ReactMarkdown
        remarkPlugins={[remarkGfm, [remarkCitations, { citations }]]}
        components={components}
        disallowedElements={["img"]}
        unwrapDisallowed
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
