/**
 * Model output as Markdown. Raw HTML in it is shown as the literal text it is (an answer may quote
 * a document that contains `<script>`), never rendered and never dropped; images are left out;
 * a link whose URL is unsafe (`javascript:` and the like) is shown as the text it was written as.
 *
 * The text is rendered block by block (lib/markdownBlocks.ts): while an answer streams, only its
 * last block is parsed and rendered again; the finished ones keep their elements. Re-parsing a
 * 3,000-line answer on every piece blocked the page for minutes (tests/e2e/test_states.py).
 */
import {
  memo,
  useCallback,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type MouseEvent,
} from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

import { t, useLocale } from "../../i18n";
import type { Citation } from "../../lib/citations";
import { BlockSplitter } from "../../lib/markdownBlocks";
import { remarkCitations } from "../../lib/remarkCitations";
import { sourceText } from "../SourceName";
import styles from "./Markdown.module.css";

export interface MarkdownProps {
  text: string;
  citations: ReadonlyMap<string, Citation>;
  onCitation?: (citation: Citation) => void;
  activeCitation?: string | null;
}

export function Markdown({ text, citations, onCitation, activeCitation = null }: MarkdownProps) {
  const [splitter] = useState(() => new BlockSplitter());
  const blocks = splitter.split(text);
  // One callback for every block, so a new `onCitation` each render re-renders none of them.
  const latest = useRef(onCitation);
  useLayoutEffect(() => {
    latest.current = onCitation;
  }, [onCitation]);
  const open = useCallback((citation: Citation) => latest.current?.(citation), []);
  const clickable = Boolean(onCitation);
  return (
    // The answer's own direction (an English answer in the Arabic UI reads left to right).
    <div className={styles.markdown} dir="auto">
      {blocks.map((block, index) => (
        <Block
          // Blocks only ever grow at the end: an index is a stable key.
          key={index}
          text={block.text}
          citations={citations}
          citationKey={citationKey(block.refs, citations)}
          activeCitation={
            activeCitation && block.refs.includes(activeCitation) ? activeCitation : null
          }
          onCitation={clickable ? open : undefined}
        />
      ))}
    </div>
  );
}

/** What a block's citations are: it renders again only when this (or its text) changes. */
function citationKey(refs: readonly string[], citations: ReadonlyMap<string, Citation>): string {
  return refs
    .map((ref) => {
      const citation = citations.get(ref);
      return citation ? `${ref}\n${citation.number}\n${citation.href}` : "";
    })
    .join("\n\n");
}

interface BlockProps {
  text: string;
  citations: ReadonlyMap<string, Citation>;
  citationKey: string;
  activeCitation: string | null;
  onCitation: ((citation: Citation) => void) | undefined;
}

const Block = memo(
  function Block({ text, citations, activeCitation, onCitation }: BlockProps) {
    useLocale(); // the citations' labels are in the UI language
    const components = useMemo(
      () => markdownComponents(text, citations, activeCitation, onCitation),
      [text, citations, activeCitation, onCitation],
    );
    // No `skipHtml`: it drops the tags but keeps what is between them, so "<script>x</script>"
    // showed as "x". Without it (and without rehype-raw) react-markdown makes raw HTML text.
    return (
      <ReactMarkdown
        remarkPlugins={[remarkGfm, [remarkCitations, { citations }]]}
        components={components}
        disallowedElements={["img"]}
        unwrapDisallowed
      >
        {text}
      </ReactMarkdown>
    );
  },
  (before, after) =>
    before.text === after.text &&
    before.citationKey === after.citationKey &&
    before.activeCitation === after.activeCitation &&
    before.onCitation === after.onCitation,
);

function markdownComponents(
  text: string,
  citations: ReadonlyMap<string, Citation>,
  activeCitation: string | null,
  onCitation: ((citation: Citation) => void) | undefined,
): Components {
  return {
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
}
