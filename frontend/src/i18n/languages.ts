/**
 * The UI's languages: code (BCP 47, as `<html lang>` takes it), name in itself, English name (what
 * the language model is told to answer in), writing direction, and how its text is loaded.
 */
import type { Messages } from "./en";

export interface UiLanguage {
  code: string;
  /** The language's name in itself, as the picker shows it. */
  name: string;
  englishName: string;
  dir: "ltr" | "rtl";
}

export const UI_LANGUAGES = [
  { code: "en", name: "English", englishName: "English", dir: "ltr" },
  { code: "es", name: "Español", englishName: "Spanish", dir: "ltr" },
  { code: "fr", name: "Français", englishName: "French", dir: "ltr" },
  { code: "de", name: "Deutsch", englishName: "German", dir: "ltr" },
  { code: "ja", name: "日本語", englishName: "Japanese", dir: "ltr" },
  { code: "zh-CN", name: "简体中文", englishName: "Simplified Chinese", dir: "ltr" },
  { code: "pt-BR", name: "Português (Brasil)", englishName: "Brazilian Portuguese", dir: "ltr" },
  { code: "ar", name: "العربية", englishName: "Arabic", dir: "rtl" },
] as const satisfies readonly UiLanguage[];

export type LocaleCode = (typeof UI_LANGUAGES)[number]["code"];

/** Every language but English, which is bundled: one chunk each, fetched when first chosen. */
export const LOADERS: Record<Exclude<LocaleCode, "en">, () => Promise<{ default: Messages }>> = {
  es: () => import("./locales/es"),
  fr: () => import("./locales/fr"),
  de: () => import("./locales/de"),
  ja: () => import("./locales/ja"),
  "zh-CN": () => import("./locales/zh-CN"),
  "pt-BR": () => import("./locales/pt-BR"),
  ar: () => import("./locales/ar"),
};

/** Answer languages the developer setting offers besides the UI's own. */
const OTHER_ANSWER_LANGUAGES = [
  { englishName: "Italian", name: "Italiano" },
  { englishName: "Dutch", name: "Nederlands" },
] as const;

/** The developer setting's choices: [what the model is told, what the option shows]. */
export const ANSWER_LANGUAGES: readonly (readonly [string, string])[] = [
  ...UI_LANGUAGES,
  ...OTHER_ANSWER_LANGUAGES,
].map((language) => [language.englishName, language.name] as const);

export function isLocaleCode(value: unknown): value is LocaleCode {
  return UI_LANGUAGES.some((language) => language.code === value);
}

export function languageOf(code: LocaleCode): UiLanguage {
  return UI_LANGUAGES.find((language) => language.code === code) ?? UI_LANGUAGES[0];
}

/**
 * The best UI language for a browser's preferences (`navigator.languages`, most wanted first):
 * the first one we have exactly (case aside), else by its main subtag (`pt-PT` gets Brazilian
 * Portuguese, `zh-TW` Simplified Chinese: closer than English), else English.
 */
export function matchLocale(preferred: readonly string[]): LocaleCode {
  for (const tag of preferred) {
    const wanted = tag.toLowerCase();
    const primary = wanted.split("-")[0];
    const match =
      UI_LANGUAGES.find((language) => language.code.toLowerCase() === wanted) ??
      UI_LANGUAGES.find((language) => language.code.toLowerCase().split("-")[0] === primary);
    if (match) return match.code;
  }
  return "en";
}
