/** `GET /config`, loaded once; the defaults until it answers or if it fails. */
import { useEffect, useState } from "react";

import { DEFAULT_CONFIG, fetchConfig, isAbort } from "../api/client";
import type { AppConfig } from "../api/types";

export function useServerConfig(): { config: AppConfig; failed: boolean } {
  const [config, setConfig] = useState<AppConfig>(DEFAULT_CONFIG);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    fetchConfig(controller.signal).then(setConfig, (error: unknown) => {
      if (!isAbort(error)) setFailed(true);
    });
    return () => controller.abort();
  }, []);
  return { config, failed };
}
