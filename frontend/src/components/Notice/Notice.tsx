/** The server's notice from `/config` (e.g. no language model configured), kept quiet. */
import { t } from "../../i18n";
import styles from "./Notice.module.css";

export function Notice({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p className={styles.notice} role="note" aria-label={t.notice.label}>
      <span aria-hidden="true" className={styles.icon}>
        i
      </span>
      <bdi>{text}</bdi>
    </p>
  );
}
