/** The empty screen: a welcome and example questions to click. */
import { t } from "../../i18n";
import styles from "./ExampleQuestions.module.css";

export interface ExampleQuestionsProps {
  title: string;
  hint: string;
  questions: readonly string[];
  onAsk: (question: string) => void;
}

export function ExampleQuestions({ title, hint, questions, onAsk }: ExampleQuestionsProps) {
  return (
    <div className={styles.empty}>
      <h2 className={styles.title}>{title}</h2>
      <p className={styles.hint}>{hint}</p>
      <ul className={styles.list} aria-label={t.chat.examplesLabel}>
        {questions.map((question) => (
          <li key={question}>
            <button type="button" className={styles.example} onClick={() => onAsk(question)}>
              {question}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
