/**
 * The UI's text in the chosen language. `t` is a live binding: components read `t.x.y` while
 * they render, and `setLocale()` swaps it, sets `<html lang dir>` and tells `useLocale()`, which
 * the app's root calls so the whole tree renders again (not mounted again: state stays).
 * A component wrapped in `memo()` calls `useLocale()` itself, or it would keep the old text
 * (src/i18n/locales.test.ts checks that it does).
 */
import { useSyncExternalStore } from "react";

import { safeLocalStorage } from "../lib/settings";
import { en, type Messages } from "./en";
import { isLocaleCode, languageOf, LOADERS, matchLocale, type LocaleCode } from "./languages";

export type { Messages } from "./en";
export { ANSWER_LANGUAGES, languageOf, UI_LANGUAGES, type LocaleCode } from "./languages";

export let t: Messages = en;
export let locale: LocaleCode = "en";

export const LOCALE_KEY = "ragchat.locale";

const listeners = new Set<() => void>();
let latest = 0;

/** Load a language (a chunk of its own, once) and show the UI in it. */
export async function setLocale(code: LocaleCode): Promise<void> {
  const request = ++latest;
  const messages = code === "en" ? en : (await LOADERS[code]()).default;
  // A later choice that loaded first wins.
  if (request !== latest) return;
  t = messages;
  locale = code;
  const root = document.documentElement;
  root.lang = code;
  root.dir = languageOf(code).dir;
  document.title = messages.appTitle;
  for (const listener of listeners) listener();
}

/** The person's choice: shown, and remembered in this browser. */
export async function chooseLocale(code: LocaleCode): Promise<void> {
  try {
    safeLocalStorage()?.setItem(LOCALE_KEY, code);
  } catch {
    // Not remembered, still shown.
  }
  await setLocale(code);
}

/** The remembered choice, else the best match for the browser's languages, else English. */
export function initialLocale(
  storage: Storage | null = safeLocalStorage(),
  preferred: readonly string[] = browserLanguages(),
): LocaleCode {
  let saved: string | null = null;
  try {
    saved = storage?.getItem(LOCALE_KEY) ?? null;
  } catch {
    // A blocked storage: as if nothing were saved.
  }
  return isLocaleCode(saved) ? saved : matchLocale(preferred);
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages.length ? navigator.languages : [navigator.language];
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The UI language; the calling component renders again when it changes. */
export function useLocale(): LocaleCode {
  return useSyncExternalStore(subscribe, () => locale);
}
