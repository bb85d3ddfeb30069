/** The question box: Enter sends, Shift+Enter adds a line; Stop while an answer streams. */
import {
  forwardRef,
  useCallback,
  useRef,
  useState,
  type SyntheticEvent,
  type KeyboardEvent,
} from "react";

import { t } from "../../i18n";
import { MicrophoneButton, problemMessage, type MicrophoneStatus } from "../../speech";
import { Icon } from "../Icon";
import styles from "./QuestionInput.module.css";

export interface QuestionInputProps {
  onSubmit: (question: string) => void;
  onStop: () => void;
  busy: boolean;
  placeholder?: string;
}

export const QuestionInput = forwardRef<HTMLTextAreaElement, QuestionInputProps>(
  function QuestionInput({ onSubmit, onStop, busy, placeholder = t.input.placeholder }, ref) {
    const [value, setValue] = useState("");
    const [speech, setSpeech] = useState<MicrophoneStatus>({ listening: false, problem: null });
    // What was typed before the microphone was pressed: what is heard goes after it.
    const typed = useRef<string | null>(null);
    const canSend = !busy && value.trim().length > 0;
    const onTranscript = useCallback((heard: string) => {
      setValue((current) => {
        typed.current ??= current.trim();
        return typed.current ? `${typed.current} ${heard}` : heard;
      });
    }, []);
    const onSpeechStatus = useCallback((status: MicrophoneStatus) => {
      if (!status.listening) typed.current = null;
      setSpeech(status);
    }, []);

    const submit = (event?: SyntheticEvent) => {
      event?.preventDefault();
      if (!canSend) return;
      onSubmit(value.trim());
      setValue("");
    };

    const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
      if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
        event.preventDefault();
        submit();
      }
    };

    return (
      <form className={styles.form} onSubmit={submit}>
        <label htmlFor="question" className="visually-hidden">
          {t.input.label}
        </label>
        <textarea
          id="question"
          ref={ref}
          className={styles.textarea}
          // The question's own direction once there is one; until then (the placeholder) the UI's.
          dir={value ? "auto" : undefined}
          value={value}
          rows={1}
          maxLength={20000}
          placeholder={
            speech.listening
              ? t.speech.listening
              : speech.problem
                ? problemMessage(speech.problem)
                : placeholder
          }
          onChange={(event) => setValue(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <MicrophoneButton onTranscript={onTranscript} onStatus={onSpeechStatus} disabled={busy} />
        {busy ? (
          <button type="button" className={`button ${styles.action}`} onClick={onStop}>
            <Icon name="stop" />
            {t.input.stop}
          </button>
        ) : (
          <button
            type="submit"
            className={`button button-primary ${styles.action}`}
            disabled={!canSend}
          >
            <Icon name="send" />
            {t.input.send}
          </button>
        )}
      </form>
    );
  },
);
