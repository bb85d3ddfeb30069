import { afterEach, describe, expect, it } from "vitest";

import { speechLanguage } from "./language";

describe("speechLanguage", () => {
  afterEach(() => {
    document.documentElement.lang = "";
  });

  it.each([
    ["en", "en-US"],
    ["es", "es-ES"],
    ["fr", "fr-FR"],
    ["de", "de-DE"],
    ["ja", "ja-JP"],
    ["ar", "ar-SA"],
    ["zh-CN", "zh-CN"],
    ["zh-Hans", "zh-CN"],
    ["zh-Hant", "zh-TW"],
    ["pt-BR", "pt-BR"],
    ["pt", "pt-BR"],
    ["es-419", "es-419"],
    ["sv", "sv"],
    ["", "en-US"],
  ])("speaks %j as %j", (lang, tag) => {
    expect(speechLanguage(lang)).toBe(tag);
  });

  it("reads the page's language by default, as the UI sets it", () => {
    document.documentElement.lang = "ja";
    expect(speechLanguage()).toBe("ja-JP");
  });
});
