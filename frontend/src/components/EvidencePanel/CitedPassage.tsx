/** The cited passage as text, its quoted sentences marked: shown beside a PDF at its page. */
import { useEffect, useId, useMemo, useRef } from "react";

import { t } from "../../i18n";
import { passageParts, type Passage } from "../../lib/passage";
import styles from "./EvidencePanel.module.css";

export function CitedPassage({ passage }: { passage: Passage }) {
  const headingId = useId();
  const box = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const chunks = useMemo(
    () => passageParts({ ...passage, chunks: passage.chunks.map(unwrapped) }),
    [passage],
  );

  useEffect(() => {
    // Scroll the box (only the box: not the page) to the first quoted sentence, below the
    // heading that stays at its top. The box is the mark's offset parent.
    const element = box.current;
    const mark = element?.querySelector("mark");
    if (element && mark instanceof HTMLElement) {
      element.scrollTop = mark.offsetTop - (heading.current?.offsetHeight ?? 0) - 8;
    }
  }, [chunks]);

  return (
    <section ref={box} className={styles.passage} aria-labelledby={headingId} tabIndex={0}>
      <h3 ref={heading} id={headingId} className={styles.passageTitle}>
        {t.evidence.citedPassage}
      </h3>
      {chunks.map((parts, index) => (
        <p key={index} className={styles.passageText}>
          {parts.map((part, at) =>
            part.quoted ? <mark key={at}>{part.text}</mark> : <span key={at}>{part.text}</span>,
          )}
        </p>
      ))}
    </section>
  );
}

// Lines that keep their own line: headings, table rows, list items, blank lines.
const STRUCTURE = /^\s*(?:$|#|\||>|[-*+•]\s|\d{1,3}[.)]\s)/;

/** Text without the hard line breaks of its extraction (a PDF's lines), structure kept. */
function unwrapped(text: string): string {
  const lines = text.split("\n");
  return lines.reduce((joined, line, index) => {
    if (index === 0) return line;
    const previous = lines[index - 1] ?? "";
    const apart = STRUCTURE.test(previous) || STRUCTURE.test(line);
    return joined + (apart ? "\n" : " ") + line;
  }, "");
}
