/** The UI language, each named in itself; the choice is remembered in this browser. */
import { useId, useState } from "react";

import { chooseLocale, t, UI_LANGUAGES, useLocale, type LocaleCode } from "../../i18n";
import { Icon } from "../Icon";
import styles from "./LanguagePicker.module.css";

export function LanguagePicker() {
  const id = useId();
  const locale = useLocale();
  // Shown as chosen while its text loads; back to the current one if the load fails.
  const [pending, setPending] = useState<LocaleCode | null>(null);

  const choose = (code: LocaleCode) => {
    setPending(code);
    chooseLocale(code).then(
      () => setPending(null),
      () => setPending(null),
    );
  };

  return (
    <div className={styles.picker}>
      <label htmlFor={id} className={styles.icon} title={t.languagePicker.label}>
        <Icon name="globe" />
        <span className="visually-hidden">{t.languagePicker.label}</span>
      </label>
      <select
        id={id}
        className={styles.select}
        value={pending ?? locale}
        onChange={(event) => choose(event.target.value as LocaleCode)}
      >
        {UI_LANGUAGES.map((language) => (
          <option key={language.code} value={language.code} lang={language.code}>
            {language.name}
          </option>
        ))}
      </select>
    </div>
  );
}
