/** An answer's speaker: press to hear it read aloud, press again to stop (a toggle). */
import { useEffect, useId } from "react";

import { IconButton } from "../components/IconButton";
import { t } from "../i18n";
import { speechLanguage } from "./language";
import { stopSpeakingFor, toggleSpeaking, usePlayer } from "./player";
import { useSpeechOptions } from "./SpeechContext";
import { cutForSpeech, spokenText } from "./spokenText";
import styles from "./Speech.module.css";

// As the server takes it (app/schemas.py MAX_SPEECH_CHARS); the browser is held to it too.
export const MAX_SPOKEN_CHARS = 5000;

export interface SpeakerButtonProps {
  /** The answer as Markdown, citations included: they are not read. */
  text: string;
  /** The answer's known citations. */
  citations?: readonly string[];
}

/** Nothing where neither the server nor the browser can read aloud. */
export function SpeakerButton({ text, citations = [] }: SpeakerButtonProps) {
  const id = useId();
  const { output } = useSpeechOptions();
  const player = usePlayer();
  useEffect(() => () => stopSpeakingFor(id), [id]);
  if (!output) return null;
  const mine = player.id === id;
  const failed = player.error?.id === id ? (player.error.message ?? t.speech.outputFailed) : null;
  const speak = () => {
    const spoken = cutForSpeech(spokenText(text, citations), MAX_SPOKEN_CHARS);
    if (spoken) toggleSpeaking(id, spoken, { engine: output, language: speechLanguage() });
  };
  const state = mine ? (player.phase === "loading" ? styles.loading : "") : "";
  return (
    <>
      <IconButton
        icon="speaker"
        label={t.speech.readAloud}
        title={mine ? t.speech.stopReading : t.speech.readAloud}
        pressed={mine}
        className={mine ? `${styles.speaking} ${state}`.trim() : undefined}
        onClick={speak}
      />
      <span className="visually-hidden" role="status">
        {mine ? (player.phase === "loading" ? t.speech.loading : t.speech.reading) : ""}
      </span>
      {failed ? (
        <span className={styles.error} role="alert">
          {failed}
        </span>
      ) : null}
    </>
  );
}
