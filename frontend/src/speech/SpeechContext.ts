/** What speech the page offers, from `/config` and the browser: set once by the app shell. */
import { createContext, useContext } from "react";

import type { SpeechOptions } from "../lib/settings";

/** Without a provider (a component on its own, in a test): no speech at all. */
export const SpeechContext = createContext<SpeechOptions>({ input: false, output: null });

export function useSpeechOptions(): SpeechOptions {
  return useContext(SpeechContext);
}
