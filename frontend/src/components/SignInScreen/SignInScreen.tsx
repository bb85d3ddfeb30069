/**
 * In place of the chat: the sign-in the server requires, or a wait while a sign-in is checked
 * or finished (the login callback).
 */
import { t } from "../../i18n";
import styles from "./SignInScreen.module.css";

export type SignInScreenProps =
  { waiting: string; onSignIn?: undefined } | { waiting?: undefined; onSignIn: () => void };

export function SignInScreen({ waiting, onSignIn }: SignInScreenProps) {
  return (
    <main className={styles.screen} id="main">
      {waiting ? (
        <p className={styles.hint} role="status">
          {waiting}
        </p>
      ) : (
        <div className={styles.card}>
          <h1 className={styles.title}>{t.auth.requiredTitle}</h1>
          <p className={styles.hint}>{t.auth.requiredHint}</p>
          <button type="button" className="button button-primary" onClick={onSignIn}>
            {t.auth.signIn}
          </button>
        </div>
      )}
    </main>
  );
}
