/** A sign-in problem across the top of the page: an expired sign-in, or one that failed. */
import { t } from "../../i18n";
import styles from "./AuthBanner.module.css";

export interface AuthBannerProps {
  /** The server refused the token and no fresh one could be had. */
  expired: boolean;
  /** Why the last sign-in failed, if it did. */
  error: string | null;
  onSignIn: () => void;
}

export function AuthBanner({ expired, error, onSignIn }: AuthBannerProps) {
  if (!expired && !error) return null;
  return (
    <div className={styles.banner} role="alert">
      <p className={styles.text}>{expired ? t.auth.expired : t.auth.failed(error ?? "")}</p>
      {expired ? (
        <button type="button" className="button button-primary" onClick={onSignIn}>
          {t.auth.signInAgain}
        </button>
      ) : null}
    </div>
  );
}
