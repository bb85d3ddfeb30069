/**
 * The top bar: the app's name, the two pages, the UI language, the user's documents, developer
 * settings, the theme toggle, and who is signed in.
 */
import type { AuthUser } from "../../auth";
import type { Theme } from "../../hooks/useTheme";
import { ROUTE_HREF, type Route } from "../../hooks/useRoute";
import { t } from "../../i18n";
import { Icon } from "../Icon";
import { IconButton } from "../IconButton";
import { LanguagePicker } from "../LanguagePicker";
import styles from "./Header.module.css";

export interface HeaderProps {
  route: Route;
  theme: Theme;
  onToggleTheme: () => void;
  onOpenSettings: () => void;
  /** The user's documents; null hides the button (uploads off, or nobody signed in). */
  onOpenUploads?: (() => void) | null;
  /** Null when the server has no login (or its set-up is still loading). */
  account?: HeaderAccount | null;
}

export interface HeaderAccount {
  user: AuthUser | null;
  onSignIn: () => void;
  onSignOut: () => void;
  /** False while the page itself offers the sign-in (one "Sign in" button at a time). */
  offerSignIn: boolean;
}

export function Header({
  route,
  theme,
  onToggleTheme,
  onOpenSettings,
  onOpenUploads = null,
  account = null,
}: HeaderProps) {
  const themeLabel = theme === "dark" ? t.theme.toLight : t.theme.toDark;
  return (
    <header className={styles.header}>
      <a className={styles.brand} href={ROUTE_HREF.chat}>
        <svg viewBox="0 0 24 24" aria-hidden="true" className={styles.logo}>
          <path d="M2 20L9 8l4 6 3-4 6 10z" fill="currentColor" />
        </svg>
        <span className={styles.brandFull}>{t.appTitle}</span>
        <span className={styles.brandShort}>{t.appShortTitle}</span>
      </a>
      <nav aria-label={t.nav.label} className={styles.nav}>
        <a href={ROUTE_HREF.chat} aria-current={route === "chat" ? "page" : undefined}>
          {t.nav.chat}
        </a>
        <a href={ROUTE_HREF.ask} aria-current={route === "ask" ? "page" : undefined}>
          {t.nav.ask}
        </a>
      </nav>
      <div className={styles.tools}>
        <LanguagePicker />
        {onOpenUploads ? (
          <IconButton icon="upload" label={t.uploads.open} onClick={onOpenUploads} />
        ) : null}
        <IconButton icon="settings" label={t.header.settings} onClick={onOpenSettings} />
        <IconButton
          icon={theme === "dark" ? "sun" : "moon"}
          label={themeLabel}
          onClick={onToggleTheme}
        />
      </div>
      {account ? <Account account={account} /> : null}
    </header>
  );
}

function Account({ account }: { account: HeaderAccount }) {
  const { user, onSignIn, onSignOut, offerSignIn } = account;
  if (!user) {
    return offerSignIn ? (
      <button type="button" className={`button ${styles.accountButton}`} onClick={onSignIn}>
        {t.auth.signIn}
      </button>
    ) : null;
  }
  return (
    <div className={styles.account} role="group" aria-label={t.auth.account}>
      <span className={styles.userName} title={t.auth.signedInAs(user.name)}>
        {user.name}
      </span>
      <button
        type="button"
        className={`button ${styles.accountButton}`}
        onClick={onSignOut}
        title={t.auth.signOut}
      >
        <Icon name="signOut" />
        {/* On narrow screens only the icon shows; the text still names the button. */}
        <span className={styles.accountLabel}>{t.auth.signOut}</span>
      </button>
    </div>
  );
}
