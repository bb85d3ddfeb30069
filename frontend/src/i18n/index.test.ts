import { afterEach, describe, expect, it, vi } from "vitest";

import { en } from "./en";
import { chooseLocale, initialLocale, locale, LOCALE_KEY, setLocale, t } from "./index";
import { LOADERS, matchLocale } from "./languages";
import de from "./locales/de";

afterEach(async () => {
  await setLocale("en");
});

describe("matchLocale", () => {
  it.each([
    [["de-AT", "en-US"], "de"],
    [["nl-NL", "fr-CA", "de"], "fr"],
    [["pt-PT"], "pt-BR"],
    [["pt"], "pt-BR"],
    [["ZH-cn"], "zh-CN"],
    [["zh-TW"], "zh-CN"],
    [["ar-EG"], "ar"],
    [["en-GB", "ja"], "en"],
    [["nl", "sv"], "en"],
    [[], "en"],
  ])("%j -> %s", (preferred, code) => {
    expect(matchLocale(preferred)).toBe(code);
  });
});

describe("initialLocale", () => {
  it("is the remembered choice over the browser's languages", () => {
    localStorage.setItem(LOCALE_KEY, "ar");
    expect(initialLocale(localStorage, ["de"])).toBe("ar");
  });

  it("is the browser's best match when nothing (or nothing valid) is remembered", () => {
    expect(initialLocale(localStorage, ["ja-JP", "en"])).toBe("ja");
    localStorage.setItem(LOCALE_KEY, "xx");
    expect(initialLocale(localStorage, ["es-MX"])).toBe("es");
    expect(initialLocale(null, [])).toBe("en");
  });

  it("is the browser's match when the storage refuses to be read", () => {
    const blocked = {
      getItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
    } as unknown as Storage;
    expect(initialLocale(blocked, ["fr"])).toBe("fr");
  });

  it("reads navigator.languages by default", () => {
    vi.spyOn(navigator, "languages", "get").mockReturnValue(["de-CH", "en"]);
    expect(initialLocale()).toBe("de");
  });
});

describe("setLocale", () => {
  it("loads a language's text on demand and swaps the live t", async () => {
    const load = vi.spyOn(LOADERS, "de");
    expect(t).toBe(en);
    const done = setLocale("de");
    // Not until its chunk has loaded.
    expect(t).toBe(en);
    expect(load).toHaveBeenCalledTimes(1);
    await done;
    expect(t).toBe(de);
    expect(t.languagePicker.label).toBe("Sprache");
    expect(locale).toBe("de");
    expect(document.documentElement.lang).toBe("de");
    expect(document.documentElement.dir).toBe("ltr");
    expect(document.title).toBe(de.appTitle);
  });

  it("sets right to left for Arabic and back for English", async () => {
    await setLocale("ar");
    expect(document.documentElement).toHaveAttribute("lang", "ar");
    expect(document.documentElement).toHaveAttribute("dir", "rtl");
    await setLocale("en");
    expect(document.documentElement).toHaveAttribute("lang", "en");
    expect(document.documentElement).toHaveAttribute("dir", "ltr");
    expect(t).toBe(en);
  });

  it("keeps the later choice when an earlier one finishes loading after it", async () => {
    let release: () => void = () => undefined;
    const slow = LOADERS.de;
    vi.spyOn(LOADERS, "de").mockImplementation(
      () => new Promise((resolve) => (release = () => resolve(slow()))),
    );
    const first = setLocale("de");
    await setLocale("fr");
    release();
    await first;
    expect(locale).toBe("fr");
    expect(document.documentElement.lang).toBe("fr");
  });

  it("leaves the language as it was when a chunk fails to load", async () => {
    vi.spyOn(LOADERS, "ja").mockRejectedValue(new TypeError("Failed to fetch"));
    await expect(setLocale("ja")).rejects.toThrow("Failed to fetch");
    expect(locale).toBe("en");
    expect(t).toBe(en);
  });
});

describe("chooseLocale", () => {
  it("remembers the choice in this browser", async () => {
    await chooseLocale("pt-BR");
    expect(localStorage.getItem(LOCALE_KEY)).toBe("pt-BR");
    expect(initialLocale(localStorage, ["de"])).toBe("pt-BR");
    expect(t.languagePicker.label).toBe("Idioma");
  });
});
