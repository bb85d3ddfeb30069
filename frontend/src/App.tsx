/** The app shell: header, the current page, the settings panel. */
import { useMemo, useState } from "react";

import { Header } from "./components/Header";
import { SettingsPanel } from "./components/SettingsPanel";
import { useRoute } from "./hooks/useRoute";
import { useServerConfig } from "./hooks/useServerConfig";
import { useSettings } from "./hooks/useSettings";
import { useTheme } from "./hooks/useTheme";
import { t } from "./i18n";
import { toOverrides } from "./lib/settings";
import { AskPage } from "./pages/AskPage";
import { ChatPage } from "./pages/ChatPage";
import styles from "./App.module.css";

export function App() {
  const route = useRoute();
  const { theme, toggle } = useTheme();
  const { config, failed } = useServerConfig();
  const { settings, update, reset } = useSettings();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const overrides = useMemo(() => toOverrides(settings, config), [settings, config]);
  const notice = failed ? t.errors.config : config.notice;

  return (
    <div className={styles.app}>
      <a
        className="skip-link"
        href="#question"
        onClick={(event) => {
          // Focus the box without touching the hash, which holds the route.
          event.preventDefault();
          document.getElementById("question")?.focus();
        }}
      >
        {t.skipToContent}
      </a>
      <Header
        route={route}
        theme={theme}
        onToggleTheme={toggle}
        onOpenSettings={() => setSettingsOpen(true)}
      />
      <div className={styles.page}>
        {route === "ask" ? (
          <AskPage overrides={overrides} notice={notice} />
        ) : (
          <ChatPage overrides={overrides} notice={notice} />
        )}
      </div>
      <SettingsPanel
        open={settingsOpen}
        onClose={() => setSettingsOpen(false)}
        settings={settings}
        config={config}
        onChange={update}
        onReset={reset}
      />
    </div>
  );
}
