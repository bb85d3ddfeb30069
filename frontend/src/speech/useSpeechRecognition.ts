/** Speech to text with the browser's recogniser, in the UI's language: one utterance per start. */
import { useCallback, useEffect, useRef, useState } from "react";

import { t } from "../i18n";
import { speechLanguage } from "./language";
import { recognitionConstructor, type SpeechRecognitionLike } from "./recognition";

export type RecognitionProblem = "blocked" | "noSpeech" | "failed";

export interface SpeechRecognitionState {
  /** The browser can recognise speech. */
  supported: boolean;
  listening: boolean;
  problem: RecognitionProblem | null;
  start: () => void;
  /** Ends listening; what was heard so far stays. */
  stop: () => void;
  /** Ends listening and drops what is still to come. */
  cancel: () => void;
}

/** `onText` gets the whole text heard so far, each time it grows or changes. */
export function useSpeechRecognition(onText: (text: string) => void): SpeechRecognitionState {
  const [listening, setListening] = useState(false);
  const [problem, setProblem] = useState<RecognitionProblem | null>(null);
  const recognition = useRef<SpeechRecognitionLike | null>(null);
  const latest = useRef(onText);
  useEffect(() => {
    latest.current = onText;
  }, [onText]);
  const supported = recognitionConstructor() !== null;

  const detach = useCallback(() => {
    const current = recognition.current;
    recognition.current = null;
    if (current) current.onresult = current.onerror = current.onend = null;
    setListening(false);
    return current;
  }, []);

  const start = useCallback(() => {
    const Recognition = recognitionConstructor();
    if (!Recognition || recognition.current) return;
    const next = new Recognition();
    next.lang = speechLanguage();
    next.continuous = false;
    next.interimResults = true;
    next.maxAlternatives = 1;
    next.onresult = (event) => {
      let text = "";
      for (const result of Array.from(event.results)) text += result[0]?.transcript ?? "";
      latest.current(text.trim());
    };
    next.onerror = (event) => {
      if (event.error === "aborted") return;
      setProblem(
        event.error === "not-allowed" || event.error === "service-not-allowed"
          ? "blocked"
          : event.error === "no-speech"
            ? "noSpeech"
            : "failed",
      );
    };
    next.onend = () => {
      if (recognition.current === next) detach();
    };
    recognition.current = next;
    setProblem(null);
    setListening(true);
    try {
      next.start();
    } catch {
      detach();
      setProblem("failed");
    }
  }, [detach]);

  const stop = useCallback(() => {
    // What the recogniser still has arrives before its `end`: keep the handlers until then.
    recognition.current?.stop();
  }, []);

  const cancel = useCallback(() => {
    detach()?.abort();
  }, [detach]);

  useEffect(
    () => () => {
      detach()?.abort();
    },
    [detach],
  );

  return { supported, listening, problem, start, stop, cancel };
}

/** What to tell a person about a problem, in the UI's language (read while rendering). */
export function problemMessage(problem: RecognitionProblem): string {
  return problem === "blocked"
    ? t.speech.micBlocked
    : problem === "noSpeech"
      ? t.speech.noSpeech
      : t.speech.inputFailed;
}
