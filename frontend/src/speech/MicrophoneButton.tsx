/** The question box's microphone: press to speak a question, press again to stop (a toggle). */
import { useEffect } from "react";

import { IconButton } from "../components/IconButton";
import { t } from "../i18n";
import { useSpeechOptions } from "./SpeechContext";
import {
  problemMessage,
  useSpeechRecognition,
  type RecognitionProblem,
} from "./useSpeechRecognition";
import styles from "./Speech.module.css";

export interface MicrophoneStatus {
  listening: boolean;
  problem: RecognitionProblem | null;
}

export interface MicrophoneButtonProps {
  /** The text heard since the microphone was pressed, each time it grows. */
  onTranscript: (text: string) => void;
  onStatus?: (status: MicrophoneStatus) => void;
  /** While an answer streams: no listening (and any listening ends). */
  disabled?: boolean;
}

/** Nothing where the server or the browser offers no speech recognition. */
export function MicrophoneButton({
  onTranscript,
  onStatus,
  disabled = false,
}: MicrophoneButtonProps) {
  const { input } = useSpeechOptions();
  const { supported, listening, problem, start, stop, cancel } = useSpeechRecognition(onTranscript);
  useEffect(() => {
    if (disabled) cancel();
  }, [disabled, cancel]);
  useEffect(() => {
    onStatus?.({ listening, problem });
  }, [onStatus, listening, problem]);
  if (!input || !supported) return null;
  return (
    <>
      <IconButton
        icon="microphone"
        label={t.speech.listen}
        title={problem ? problemMessage(problem) : t.speech.listen}
        pressed={listening}
        disabled={disabled}
        className={listening ? styles.listening : undefined}
        onClick={listening ? stop : start}
      />
      <span className="visually-hidden" role="status">
        {listening ? t.speech.listening : problem ? problemMessage(problem) : ""}
      </span>
    </>
  );
}
