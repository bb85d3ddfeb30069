/** The question box: Enter sends, Shift+Enter adds a line; Stop while an answer streams. */
import { forwardRef, useState, type SyntheticEvent, type KeyboardEvent } from "react";

import { t } from "../../i18n";
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
    const canSend = !busy && value.trim().length > 0;

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
          value={value}
          rows={1}
          maxLength={20000}
          placeholder={placeholder}
          onChange={(event) => setValue(event.target.value)}
          onKeyDown={onKeyDown}
        />
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
