/** Developer settings: every override of the contract this server supports, saved locally. */
import { useId } from "react";

import type { AppConfig } from "../../api/types";
import { ANSWER_LANGUAGES, languageOf, locale, t } from "../../i18n";
import {
  BOUNDS,
  DEFAULT_SETTINGS,
  effectiveRetrievalMode,
  MAX_CATEGORY_LENGTH,
  MAX_PROMPT_TEMPLATE_LENGTH,
  visibleOptions,
  type Settings,
} from "../../lib/settings";
import { Drawer, DrawerHeader } from "../Drawer";
import { NumberField } from "./NumberField";
import styles from "./SettingsPanel.module.css";

export interface SettingsPanelProps {
  open: boolean;
  onClose: () => void;
  settings: Settings;
  config: AppConfig;
  onChange: (change: Partial<Settings>) => void;
  onReset: () => void;
}

export function SettingsPanel({
  open,
  onClose,
  settings,
  config,
  onChange,
  onReset,
}: SettingsPanelProps) {
  const id = useId();
  const visible = visibleOptions(config);
  const mode = effectiveRetrievalMode(settings, config);
  return (
    <Drawer open={open} modal onClose={onClose} labelledBy={`${id}-title`}>
      <DrawerHeader
        titleId={`${id}-title`}
        title={t.settings.title}
        closeLabel={t.settings.close}
        onClose={onClose}
      />
      <form className={styles.body} onSubmit={(event) => event.preventDefault()}>
        <fieldset className={styles.group}>
          <legend>{t.settings.retrieval}</legend>
          {visible.retrievalModes.length > 1 ? (
            <fieldset className={styles.radios}>
              <legend>{t.settings.retrievalMode}</legend>
              {visible.retrievalModes.map((option) => (
                <label key={option} className={styles.check}>
                  <input
                    type="radio"
                    name={`${id}-mode`}
                    value={option}
                    checked={mode === option}
                    onChange={() => onChange({ retrievalMode: option })}
                  />
                  {t.settings.modes[option]}
                  {option === config.defaultRetrievalMode ? (
                    <span className={styles.hint}> ({t.settings.serverDefault})</span>
                  ) : null}
                </label>
              ))}
            </fieldset>
          ) : (
            <p className={styles.hint}>{t.settings.onlyMode(t.settings.modes[mode])}</p>
          )}
          <NumberField
            label={t.settings.top}
            value={settings.top}
            bounds={BOUNDS.top}
            fallback={DEFAULT_SETTINGS.top}
            onChange={(value) => onChange({ top: value ?? DEFAULT_SETTINGS.top })}
          />
          <NumberField
            label={t.settings.minimumSearchScore}
            value={settings.minimumSearchScore}
            bounds={BOUNDS.minimumSearchScore}
            optional
            onChange={(value) => onChange({ minimumSearchScore: value })}
          />
          {visible.semanticRanker ? (
            <>
              <label className={styles.check}>
                <input
                  type="checkbox"
                  checked={settings.semanticRanker}
                  onChange={(event) => onChange({ semanticRanker: event.target.checked })}
                />
                {t.settings.semanticRanker}
              </label>
              <label className={styles.check}>
                <input
                  type="checkbox"
                  checked={settings.semanticCaptions}
                  disabled={!settings.semanticRanker}
                  onChange={(event) => onChange({ semanticCaptions: event.target.checked })}
                />
                {t.settings.semanticCaptions}
              </label>
              <NumberField
                label={t.settings.minimumRerankerScore}
                value={settings.minimumRerankerScore}
                bounds={BOUNDS.minimumRerankerScore}
                optional
                disabled={!settings.semanticRanker}
                onChange={(value) => onChange({ minimumRerankerScore: value })}
              />
            </>
          ) : null}
          <TextField
            label={t.settings.includeCategory}
            value={settings.includeCategory}
            onChange={(value) => onChange({ includeCategory: value })}
          />
          <TextField
            label={t.settings.excludeCategory}
            value={settings.excludeCategory}
            onChange={(value) => onChange({ excludeCategory: value })}
          />
        </fieldset>
        <fieldset className={styles.group}>
          <legend>{t.settings.answer}</legend>
          <label className={styles.check}>
            <input
              type="checkbox"
              checked={settings.suggestFollowupQuestions}
              onChange={(event) => onChange({ suggestFollowupQuestions: event.target.checked })}
            />
            {t.settings.suggestFollowups}
          </label>
          <NumberField
            label={t.settings.temperature}
            value={settings.temperature}
            bounds={BOUNDS.temperature}
            optional
            onChange={(value) => onChange({ temperature: value })}
          />
          <NumberField
            label={t.settings.seed}
            value={settings.seed}
            bounds={BOUNDS.seed}
            optional
            onChange={(value) => onChange({ seed: value })}
          />
          {visible.language ? (
            <div className={styles.field}>
              <label htmlFor={`${id}-language`}>{t.settings.language}</label>
              <select
                id={`${id}-language`}
                value={settings.language}
                onChange={(event) => onChange({ language: event.target.value })}
              >
                <option value="">{t.settings.languageDefault(languageOf(locale).name)}</option>
                {ANSWER_LANGUAGES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {visible.promptTemplate ? (
            <div className={styles.field}>
              <label htmlFor={`${id}-prompt`}>{t.settings.promptTemplate}</label>
              <textarea
                id={`${id}-prompt`}
                rows={5}
                maxLength={MAX_PROMPT_TEMPLATE_LENGTH}
                value={settings.promptTemplate}
                aria-describedby={`${id}-prompt-hint`}
                onChange={(event) => onChange({ promptTemplate: event.target.value })}
              />
              <span id={`${id}-prompt-hint`} className={styles.hint}>
                {t.settings.promptTemplateHint}
              </span>
            </div>
          ) : null}
        </fieldset>
        <div className={styles.footer}>
          <button type="button" className="button" onClick={onReset}>
            {t.settings.reset}
          </button>
          <span className={styles.hint}>{t.settings.saved}</span>
        </div>
      </form>
    </Drawer>
  );
}

function TextField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className={styles.field}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={value}
        maxLength={MAX_CATEGORY_LENGTH}
        aria-describedby={`${id}-hint`}
        onChange={(event) => onChange(event.target.value)}
      />
      <span id={`${id}-hint`} className={styles.hint}>
        {t.settings.categoryHint}
      </span>
    </div>
  );
}
