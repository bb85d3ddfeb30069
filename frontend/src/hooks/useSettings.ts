/** Developer settings kept in localStorage. */
import { useCallback, useState } from "react";

import { DEFAULT_SETTINGS, loadSettings, saveSettings, type Settings } from "../lib/settings";

export function useSettings() {
  const [settings, setSettings] = useState<Settings>(() => loadSettings());

  const update = useCallback((change: Partial<Settings>) => {
    setSettings((current) => {
      const next = { ...current, ...change };
      saveSettings(next);
      return next;
    });
  }, []);

  const reset = useCallback(() => {
    saveSettings(DEFAULT_SETTINGS);
    setSettings({ ...DEFAULT_SETTINGS });
  }, []);

  return { settings, update, reset };
}
