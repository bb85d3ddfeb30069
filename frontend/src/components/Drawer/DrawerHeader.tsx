/** A drawer's title bar: the heading that names the drawer, and its close button. */
import { IconButton } from "../IconButton";
import styles from "./Drawer.module.css";

export interface DrawerHeaderProps {
  /** The heading's id: the drawer's `labelledBy`. */
  titleId: string;
  title: string;
  closeLabel: string;
  onClose: () => void;
  /** False when what follows draws the rule under the header itself (a strip of tabs). */
  rule?: boolean;
}

export function DrawerHeader({
  titleId,
  title,
  closeLabel,
  onClose,
  rule = true,
}: DrawerHeaderProps) {
  return (
    <div className={rule ? styles.header : `${styles.header} ${styles.unruled}`}>
      <h2 id={titleId} className={styles.title}>
        {title}
      </h2>
      <IconButton icon="close" label={closeLabel} onClick={onClose} />
    </div>
  );
}
