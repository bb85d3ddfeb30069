/** The Web Speech API's recognition, which TypeScript's DOM types leave out, where it exists. */

export interface SpeechRecognitionLike extends EventTarget {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  maxAlternatives: number;
  start(): void;
  stop(): void;
  abort(): void;
  onresult: ((event: SpeechRecognitionEvent) => void) | null;
  onerror: ((event: SpeechRecognitionErrorEvent) => void) | null;
  onend: ((event: Event) => void) | null;
}

export type SpeechRecognitionConstructor = new () => SpeechRecognitionLike;

/** The browser's recogniser class (standard or `webkit`-prefixed, as Chrome and Safari have it). */
export function recognitionConstructor(): SpeechRecognitionConstructor | null {
  if (typeof window === "undefined") return null;
  const scope = window as unknown as Record<string, unknown>;
  const found = scope.SpeechRecognition ?? scope.webkitSpeechRecognition;
  return typeof found === "function" ? (found as SpeechRecognitionConstructor) : null;
}

/** The browser's speech synthesis, where it has one. */
export function browserSynthesis(): SpeechSynthesis | null {
  if (typeof window === "undefined" || typeof window.SpeechSynthesisUtterance !== "function") {
    return null;
  }
  const synthesis = (window as { speechSynthesis?: SpeechSynthesis }).speechSynthesis;
  return synthesis ?? null;
}
