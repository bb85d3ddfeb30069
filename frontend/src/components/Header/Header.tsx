/** The top bar: the app's name, the two pages, developer settings and the theme toggle. */
import type { Theme } from "../../hooks/useTheme";
import { ROUTE_HREF, type Route } from "../../hooks/useRoute";
import { t } from "../../i18n";
import { Icon } from "../Icon";
import styles from "./Header.module.css";

export interface HeaderProps {
  route: Route;
  theme: Theme;
  onToggleTheme: () => void;
  onOpenSettings: () => void;
}

export function Header({ route, theme, onToggleTheme, onOpenSettings }: HeaderProps) {
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
        <button
          type="button"
          className="icon-button"
          onClick={onOpenSettings}
          aria-label={t.header.settings}
          title={t.header.settings}
        >
          <Icon name="settings" />
        </button>
        <button
          type="button"
          className="icon-button"
          onClick={onToggleTheme}
          aria-label={themeLabel}
          title={themeLabel}
        >
          <Icon name={theme === "dark" ? "sun" : "moon"} />
        </button>
      </div>
    </header>
  );
}
