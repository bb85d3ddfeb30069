/** The question box of a page, with what the page shows above it and the server's notice. */
import type { ReactNode, RefObject } from "react";

import { Notice } from "../components/Notice";
import { QuestionInput } from "../components/QuestionInput";
import styles from "./Page.module.css";

export interface ComposerProps {
  inputRef: RefObject<HTMLTextAreaElement | null>;
  busy: boolean;
  onSubmit: (question: string) => void;
  onStop: () => void;
  notice: string | null | undefined;
  /** At the top of the page (Ask) rather than below the conversation (Chat). */
  top?: boolean;
  /** Above the question box: the page's heading, or a problem to report. */
  children?: ReactNode;
}

export function Composer({
  inputRef,
  busy,
  onSubmit,
  onStop,
  notice,
  top = false,
  children,
}: ComposerProps) {
  return (
    <div className={styles.composer} data-top={top || undefined}>
      <div className={styles.column}>
        {children}
        <QuestionInput ref={inputRef} busy={busy} onSubmit={onSubmit} onStop={onStop} />
        <Notice text={notice} />
      </div>
    </div>
  );
}
