/** The evidence of one answer: the cited document, the supporting content, the thought process. */
import { useId, useMemo, useRef, type KeyboardEvent } from "react";

import type { Thought } from "../../api/types";
import type { EvidenceTab } from "../../hooks/useEvidence";
import { t } from "../../i18n";
import type { Answer } from "../../lib/answer";
import { parseCitations, splitDataPoint, type Citation } from "../../lib/citations";
import { CitationNumber } from "../CitationNumber";
import { Drawer, DrawerHeader } from "../Drawer";
import { SourceName } from "../SourceName";
import { CitedDocument } from "./CitedDocument";
import styles from "./EvidencePanel.module.css";

export interface EvidencePanelProps {
  open: boolean;
  /** A modal drawer on narrow screens, a side panel on wide ones. */
  modal: boolean;
  onClose: () => void;
  answer: Answer | null;
  tab: EvidenceTab;
  onTabChange: (tab: EvidenceTab) => void;
  citation: Citation | null;
  onCitation: (citation: Citation) => void;
}

const TABS: readonly EvidenceTab[] = ["document", "supporting", "thoughts"];
/** A tab's name, read while rendering (the UI language can change). */
function tabLabel(tab: EvidenceTab): string {
  return {
    document: t.evidence.document,
    supporting: t.evidence.supporting,
    thoughts: t.evidence.thoughts,
  }[tab];
}

export function EvidencePanel({
  open,
  modal,
  onClose,
  answer,
  tab,
  onTabChange,
  citation,
  onCitation,
}: EvidencePanelProps) {
  const id = useId();
  const titleId = `${id}-title`;
  const tabRefs = useRef<Partial<Record<EvidenceTab, HTMLButtonElement | null>>>({});

  const onTabKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const at = TABS.indexOf(tab);
    // The next tab is the one after in reading order: to the left in a right-to-left UI.
    const rtl = getComputedStyle(event.currentTarget).direction === "rtl";
    const [forward, back] = rtl ? ["ArrowLeft", "ArrowRight"] : ["ArrowRight", "ArrowLeft"];
    const next =
      event.key === forward
        ? TABS[(at + 1) % TABS.length]
        : event.key === back
          ? TABS[(at - 1 + TABS.length) % TABS.length]
          : event.key === "Home"
            ? TABS[0]
            : event.key === "End"
              ? TABS[TABS.length - 1]
              : undefined;
    if (!next) return;
    event.preventDefault();
    onTabChange(next);
    tabRefs.current[next]?.focus();
  };

  return (
    <Drawer
      open={open}
      modal={modal}
      onClose={onClose}
      labelledBy={titleId}
      className={styles.panel}
    >
      <DrawerHeader
        titleId={titleId}
        title={t.evidence.title}
        closeLabel={t.evidence.close}
        onClose={onClose}
        rule={false}
      />
      <div className={styles.tabs} role="tablist" aria-label={t.evidence.tabsLabel}>
        {TABS.map((name) => (
          <button
            key={name}
            ref={(element) => {
              tabRefs.current[name] = element;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`${id}-panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            className={styles.tab}
            onClick={() => onTabChange(name)}
            onKeyDown={onTabKeyDown}
          >
            {tabLabel(name)}
          </button>
        ))}
      </div>
      {TABS.map((name) => (
        <div
          key={name}
          role="tabpanel"
          id={`${id}-panel-${name}`}
          aria-labelledby={`${id}-tab-${name}`}
          hidden={tab !== name}
          tabIndex={0}
          className={name === "document" ? styles.documentPanel : styles.tabPanel}
        >
          {tab !== name || !answer ? null : name === "document" ? (
            <DocumentView answer={answer} citation={citation} onCitation={onCitation} />
          ) : name === "supporting" ? (
            <SupportingContent points={answer.dataPoints?.text ?? []} />
          ) : (
            <ThoughtProcess thoughts={answer.thoughts} />
          )}
        </div>
      ))}
    </Drawer>
  );
}

function DocumentView({
  answer,
  citation,
  onCitation,
}: {
  answer: Answer;
  citation: Citation | null;
  onCitation: (citation: Citation) => void;
}) {
  const citations = useMemo(
    () => parseCitations(answer.content, answer.dataPoints?.citations),
    [answer.content, answer.dataPoints],
  );
  if (!citation) {
    return (
      <div className={styles.tabPanel}>
        <p className={styles.muted}>{t.evidence.noCitation}</p>
        <ul className={styles.pickList}>
          {citations.map((item) => (
            <li key={item.ref}>
              <button type="button" className="button" onClick={() => onCitation(item)}>
                <CitationNumber number={item.number} />
                <SourceName reference={item.ref} />
              </button>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return <CitedDocument answer={answer} citation={citation} />;
}

function SupportingContent({ points }: { points: string[] }) {
  if (!points.length) return <p className={styles.muted}>{t.evidence.noSupporting}</p>;
  return (
    <ol className={styles.items}>
      {points.map((point, index) => {
        const { source, text } = splitDataPoint(point);
        return (
          <li key={index} className={styles.item}>
            {source ? (
              <h3 className={styles.itemTitle}>
                <SourceName reference={source} />
              </h3>
            ) : null}
            <p className={styles.itemText}>{text}</p>
          </li>
        );
      })}
    </ol>
  );
}

function ThoughtProcess({ thoughts }: { thoughts: Thought[] }) {
  if (!thoughts.length) return <p className={styles.muted}>{t.evidence.noThoughts}</p>;
  return (
    <ol className={styles.items}>
      {thoughts.map((thought, index) => (
        <li key={index} className={styles.item}>
          <h3 className={styles.itemTitle}>{thought.title}</h3>
          {typeof thought.description === "string" ? (
            <p className={styles.itemText}>{thought.description}</p>
          ) : (
            <pre className={styles.code} tabIndex={0}>
              {JSON.stringify(thought.description, null, 2)}
            </pre>
          )}
          <Props props={thought.props ?? {}} />
        </li>
      ))}
    </ol>
  );
}

function Props({ props }: { props: Record<string, unknown> }) {
  const entries = Object.entries(props);
  if (!entries.length) return null;
  return (
    <dl className={styles.props} aria-label={t.evidence.props}>
      {entries.map(([key, value]) => (
        <div key={key} className={styles.prop}>
          <dt>{key}:</dt>
          <dd>{typeof value === "string" ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
