/** The app shell: login, the header, the current page, the settings and upload panels. */
import { lazy, Suspense, useMemo, useState } from "react";

import { AuthProvider, isRedirectCallback, useAuth, type Auth, type AuthStart } from "./auth";
import { AuthBanner } from "./components/AuthBanner";
import { Header } from "./components/Header";
import { OfflineBanner } from "./components/OfflineBanner";
import { SettingsPanel } from "./components/SettingsPanel";
import { SignInScreen } from "./components/SignInScreen";
import { useRoute } from "./hooks/useRoute";
import { useServerConfig } from "./hooks/useServerConfig";
import { useSettings } from "./hooks/useSettings";
import { useTheme } from "./hooks/useTheme";
import { languageOf, t, useLocale } from "./i18n";
import { toOverrides } from "./lib/settings";
import { AskPage } from "./pages/AskPage";
import { ChatPage } from "./pages/ChatPage";
import { SpeechContext, useSpeechSupport } from "./speech";
import styles from "./App.module.css";

// Only for signed-in users of a server with uploads on: not in the first load.
const UploadDialog = lazy(() =>
  import("./components/UploadDialog").then((module) => ({ default: module.UploadDialog })),
);

export interface AppProps {
  /** The login set-up, started once per page load (`startAuth()`). */
  auth: Promise<AuthStart>;
}

export function App({ auth }: AppProps) {
  return (
    <AuthProvider started={auth}>
      <Shell />
    </AuthProvider>
  );
}

function Shell() {
  // Here, at the root: a new UI language renders the whole tree again, in place.
  const locale = useLocale();
  const route = useRoute();
  const { theme, toggle } = useTheme();
  const { config, failed, loaded } = useServerConfig();
  const speech = useSpeechSupport(config);
  const { settings, update, reset } = useSettings();
  const auth = useAuth();
  const pageKey = usePersonKey(auth);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [uploadsOpen, setUploadsOpen] = useState(false);
  const overrides = useMemo(
    () => toOverrides(settings, config, languageOf(locale).englishName),
    [settings, config, locale],
  );
  const uploadRules = useMemo(
    () => ({ maxBytes: config.uploadMaxBytes, extensions: config.uploadExtensions }),
    [config.uploadMaxBytes, config.uploadExtensions],
  );
  const notice = failed
    ? t.errors.config
    : auth.status === "failed"
      ? t.auth.setupFailed
      : config.notice;

  const loading = auth.status === "loading";
  const loginRequired = config.loginRequired || auth.loginRequired;
  // What stands in for the page: the end of a sign-in, its check, or the sign-in itself.
  const gate =
    loading && isRedirectCallback()
      ? "returning"
      : loading && loginRequired
        ? "checking"
        : auth.enabled && loginRequired && !auth.user
          ? "signIn"
          : null;
  const canUpload = config.showUserUpload && auth.enabled && Boolean(auth.user);
  // Not before /config and the sign-in have answered: whose conversations, kept where.
  const historyKind =
    !loaded || loading ? null : config.showChatHistoryServer ? "server" : "browser";

  return (
    <div className={styles.app}>
      {gate === null ? (
        // Only where there is a question box to skip to (not on the sign-in screen).
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
      ) : null}
      <Header
        route={route}
        theme={theme}
        onToggleTheme={toggle}
        onOpenSettings={() => setSettingsOpen(true)}
        onOpenUploads={canUpload ? () => setUploadsOpen(true) : null}
        account={
          auth.enabled
            ? {
                user: auth.user,
                onSignIn: auth.signIn,
                onSignOut: auth.signOut,
                offerSignIn: gate !== "signIn",
              }
            : null
        }
      />
      <AuthBanner expired={auth.expired} error={auth.error} onSignIn={auth.signIn} />
      <OfflineBanner />
      <SpeechContext value={speech}>
        <div className={styles.page} key={pageKey}>
          {gate === "returning" || gate === "checking" ? (
            <SignInScreen waiting={gate === "returning" ? t.auth.signingIn : t.auth.checking} />
          ) : gate === "signIn" ? (
            <SignInScreen onSignIn={auth.signIn} />
          ) : route === "ask" ? (
            <AskPage overrides={overrides} notice={notice} />
          ) : (
            <ChatPage
              overrides={overrides}
              notice={notice}
              historyKind={historyKind}
              showFeedback={config.showFeedback}
              userId={auth.user?.id ?? null}
            />
          )}
        </div>
      </SpeechContext>
      <SettingsPanel
        open={settingsOpen}
        onClose={() => setSettingsOpen(false)}
        settings={settings}
        config={config}
        onChange={update}
        onReset={reset}
      />
      {canUpload ? (
        <Suspense fallback={null}>
          <UploadDialog
            open={uploadsOpen}
            onClose={() => setUploadsOpen(false)}
            rules={uploadRules}
          />
        </Suspense>
      ) : null}
    </div>
  );
}

/**
 * A key for the page that changes when the person signed in here changes (a sign-in or out in
 * place), so nothing of the last one's stays on screen; not when the sign-in first becomes
 * known, so what was asked meanwhile stays (it went with that person's token).
 */
function usePersonKey(auth: Auth): number {
  const id = auth.status === "loading" ? undefined : (auth.user?.id ?? null);
  const [person, setPerson] = useState({ id, key: 0 });
  if (id !== undefined && id !== person.id) {
    setPerson({ id, key: person.id === undefined ? person.key : person.key + 1 });
  }
  return person.key;
}
