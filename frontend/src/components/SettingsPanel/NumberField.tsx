/** A number input kept within bounds; empty means "server default" when optional. */
import { useId, useState } from "react";

import { t } from "../../i18n";
import { clamp, type Bounds } from "../../lib/settings";
import styles from "./SettingsPanel.module.css";

export interface NumberFieldProps {
  label: string;
  value: number | null;
  bounds: Bounds;
  /** Optional fields may be empty (null); required ones fall back to `fallback`. */
  optional?: boolean;
  fallback?: number;
  disabled?: boolean;
  onChange: (value: number | null) => void;
}

function format(value: number | null): string {
  return value === null ? "" : String(value);
}

export function NumberField({
  label,
  value,
  bounds,
  optional = false,
  fallback = bounds.min,
  disabled = false,
  onChange,
}: NumberFieldProps) {
  const id = useId();
  const [text, setText] = useState(format(value));
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    // Changed from outside (reset): show the new value.
    setShown(value);
    setText(format(value));
  }

  const parsed = text.trim() === "" ? null : Number(text);
  const inBounds =
    parsed !== null &&
    Number.isFinite(parsed) &&
    parsed >= bounds.min &&
    parsed <= bounds.max &&
    (!bounds.integer || Number.isInteger(parsed));
  const invalid = parsed === null ? !optional : !inBounds;

  const change = (next: string) => {
    setText(next);
    const number = next.trim() === "" ? null : Number(next);
    if (number === null && optional) {
      setShown(null);
      onChange(null);
    } else if (number !== null && clamp(number, bounds) === number) {
      setShown(number);
      onChange(number);
    }
  };

  const commit = () => {
    const next =
      parsed === null ? (optional ? null : fallback) : (clamp(parsed, bounds) ?? fallback);
    setText(format(next));
    setShown(next);
    if (next !== value) onChange(next);
  };

  const hint =
    bounds.max >= Number.MAX_SAFE_INTEGER
      ? t.settings.atLeast(bounds.min)
      : t.settings.range(bounds.min, bounds.max);

  return (
    <div className={styles.field}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode={bounds.integer ? "numeric" : "decimal"}
        min={bounds.min}
        max={bounds.max < Number.MAX_SAFE_INTEGER ? bounds.max : undefined}
        step={bounds.step}
        value={text}
        disabled={disabled}
        aria-invalid={invalid || undefined}
        aria-describedby={`${id}-hint`}
        onChange={(event) => change(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            commit();
          }
        }}
      />
      <span id={`${id}-hint`} className={styles.hint}>
        {hint} {optional ? t.settings.optional : ""}
      </span>
    </div>
  );
}
