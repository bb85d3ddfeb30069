/** `GET /config`, loaded once; the defaults until it answers or if it fails (`loaded` either way). */
import { useEffect, useState } from "react";

import { DEFAULT_CONFIG, fetchConfig, isAbort } from "../api/client";
import type { AppConfig } from "../api/types";

export function useServerConfig(): { config: AppConfig; failed: boolean; loaded: boolean } {
  const [config, setConfig] = useState<AppConfig>(DEFAULT_CONFIG);
  const [failed, setFailed] = useState(false);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    fetchConfig(controller.signal).then(
      (answer) => {
        setConfig(answer);
        setLoaded(true);
      },
      (error: unknown) => {
        if (isAbort(error)) return;
        setFailed(true);
        setLoaded(true);
      },
    );
    return () => controller.abort();
  }, []);
  return { config, failed, loaded };
}
