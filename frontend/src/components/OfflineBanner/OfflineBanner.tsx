/**
 * Across the top of the page while the browser is offline, and for a moment once it is back.
 * The live region stays in the page so that screen readers announce each change, politely.
 */
import { useEffect, useState } from "react";

import { useOnline } from "../../hooks/useOnline";
import { t } from "../../i18n";
import { Icon } from "../Icon";
import styles from "./OfflineBanner.module.css";

/** How long "back online" stays up. */
const BACK_ONLINE_MS = 4000;

export function OfflineBanner() {
  const online = useOnline();
  const [wasOffline, setWasOffline] = useState(false);
  // Adjusted while rendering (not in an effect): the banner turns with the same render.
  if (!online && !wasOffline) setWasOffline(true);
  const back = online && wasOffline;

  useEffect(() => {
    if (!back) return;
    const timer = window.setTimeout(() => setWasOffline(false), BACK_ONLINE_MS);
    return () => window.clearTimeout(timer);
  }, [back]);

  return (
    // A live region without a role: announced politely, and not one more "status" on the page.
    <div aria-live="polite">
      {!online ? (
        <p className={`${styles.banner} ${styles.offline}`}>
          <Icon name="offline" />
          {t.states.offline}
        </p>
      ) : back ? (
        <p className={styles.banner}>{t.states.backOnline}</p>
      ) : null}
    </div>
  );
}
