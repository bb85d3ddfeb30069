/** A citation's number in a filled circle: in the answer's list of citations and in the evidence. */
import styles from "./CitationNumber.module.css";

export interface CitationNumberProps {
  number: number;
  /** When the text beside it already says the number to assistive technology. */
  "aria-hidden"?: boolean;
}

export function CitationNumber({ number, "aria-hidden": ariaHidden }: CitationNumberProps) {
  return (
    <span className={styles.number} aria-hidden={ariaHidden}>
      {number}
    </span>
  );
}
