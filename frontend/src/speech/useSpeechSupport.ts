/** The speech options of this server (`/config`) in this browser. */
import { useMemo } from "react";

import type { AppConfig } from "../api/types";
import { speechOptions, type SpeechOptions } from "../lib/settings";
import { browserSynthesis, recognitionConstructor } from "./recognition";

export function useSpeechSupport(config: AppConfig): SpeechOptions {
  const { showSpeechInput, showSpeechOutputBrowser, showSpeechOutputAzure } = config;
  return useMemo(
    () =>
      speechOptions(
        { showSpeechInput, showSpeechOutputBrowser, showSpeechOutputAzure },
        {
          recognition: recognitionConstructor() !== null,
          synthesis: browserSynthesis() !== null,
          audio: typeof Audio === "function",
        },
      ),
    [showSpeechInput, showSpeechOutputBrowser, showSpeechOutputAzure],
  );
}
