/** A cited source's name as people read it; the user's own uploads carry a small marker. */
import { t } from "../../i18n";
import { displayRef } from "../../lib/citations";
import styles from "./SourceName.module.css";

export function SourceName({ reference }: { reference: string }) {
  const { label, upload } = displayRef(reference);
  if (!upload) return <>{label}</>;
  return (
    <>
      {label}
      <span className="visually-hidden"> (</span>
      <span className={styles.marker}>{t.uploads.marker}</span>
      <span className="visually-hidden">)</span>
    </>
  );
}

/** The same as one string, for an accessible name or a title. */
export function sourceText(reference: string): string {
  const { label, upload } = displayRef(reference);
  return upload ? `${label} (${t.uploads.marker})` : label;
}
