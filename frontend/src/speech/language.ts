/** The language speech is recognised and spoken in: the UI's (`<html lang>`), as a BCP-47 tag. */

// Voices and recognisers are per region: the usual one for each UI language that names none.
const REGIONS: Record<string, string> = {
  ar: "ar-SA",
  de: "de-DE",
  en: "en-US",
  es: "es-ES",
  fr: "fr-FR",
  it: "it-IT",
  ja: "ja-JP",
  nl: "nl-NL",
  pt: "pt-BR",
  zh: "zh-CN",
};
// Chinese written in simplified characters is spoken as in mainland China, traditional as in Taiwan.
const SCRIPTS: Record<string, string> = { "zh-hans": "zh-CN", "zh-hant": "zh-TW" };

/** `lang` (default: the page's) as a speech tag: `es` -> `es-ES`; `pt-BR` stays; none -> `en-US`. */
export function speechLanguage(lang: string = document.documentElement.lang): string {
  const tag = lang.trim();
  if (!tag) return "en-US";
  const [primary = "", second] = tag.split("-");
  const script = SCRIPTS[`${primary}-${second ?? ""}`.toLowerCase()];
  if (script) return script;
  if (second && /^([A-Za-z]{2}|\d{3})$/.test(second)) return tag;
  return REGIONS[primary.toLowerCase()] ?? tag;
}
