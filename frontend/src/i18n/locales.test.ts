/**
 * The translations check (run by `npm run check`): every locale has every key of en.ts and no
 * other, each of the same kind with the same placeholders; every key of en.ts is read by some
 * source file; a memoised component that reads `t` also calls `useLocale()`.
 */
import { describe, expect, it } from "vitest";

import { en, type Messages } from "./en";
import { compareKeys, leaves, readPaths, sampleArguments, unusedKeys } from "./keyCheck";
import { LOADERS, UI_LANGUAGES } from "./languages";

const localeFiles = import.meta.glob<Messages>("./locales/*.ts", {
  import: "default",
  eager: true,
});
// The app's sources, as text: what reads `t` (not the tests, nor the texts themselves).
const sources = import.meta.glob<string>(
  ["../**/*.{ts,tsx}", "!../**/*.test.{ts,tsx}", "!../test/**", "!./en.ts", "!./locales/**"],
  { query: "?raw", import: "default", eager: true },
);

const codes = UI_LANGUAGES.map((language) => language.code).filter((code) => code !== "en");

describe("the locale files", () => {
  it("are one per UI language but English, each with a loader", () => {
    const files = Object.keys(localeFiles).map((path) => path.replace(/^\.\/locales\/|\.ts$/g, ""));
    expect(files.sort()).toEqual([...codes].sort());
    expect(Object.keys(LOADERS).sort()).toEqual([...codes].sort());
  });

  it.each(codes)("%s has every key of en.ts and no other, each of the same kind", (code) => {
    const messages = localeFiles[`./locales/${code}.ts`];
    expect(messages).toBeDefined();
    expect(compareKeys(en, messages ?? {})).toEqual({ missing: [], extra: [], kind: [] });
  });

  it.each(codes)("%s keeps every placeholder of en.ts's messages", (code) => {
    const messages = localeFiles[`./locales/${code}.ts`] ?? en;
    const lost: string[] = [];
    for (const [path, kind] of leaves(en)) {
      if (kind !== "function") continue;
      const english = valueAt(en, path) as (...args: number[]) => string;
      const translated = valueAt(messages, path);
      if (typeof translated !== "function") continue; // reported by the test above
      const args = sampleArguments(english);
      const shown = args.filter((arg) => english(...args).includes(String(arg)));
      const text = String((translated as (...values: number[]) => unknown)(...args));
      for (const arg of shown) if (!text.includes(String(arg))) lost.push(`${path}: ${arg}`);
    }
    expect(lost).toEqual([]);
  });

  it.each(codes)("%s is translated, not a copy of English", (code) => {
    const messages = localeFiles[`./locales/${code}.ts`] ?? en;
    const texts = [...leaves(en)].filter(([, kind]) => kind === "text").map(([path]) => path);
    const same = texts.filter((path) => valueAt(messages, path) === valueAt(en, path));
    // A few words are the same in some languages ("Chat", "Details", "Conversation"), not most.
    expect(same.length).toBeLessThan(texts.length / 10);
  });
});

describe("en.ts", () => {
  it("has no key that no source file reads", () => {
    expect(unusedKeys(leaves(en).keys(), Object.values(sources))).toEqual([]);
  });
});

describe("memoised components", () => {
  it("call useLocale() when they read t, so a new language reaches them", () => {
    const stale = Object.entries(sources)
      .filter(([, text]) => /\bmemo\(/.test(text) && readPaths(text).length > 0)
      .filter(([, text]) => !text.includes("useLocale("))
      .map(([path]) => path);
    expect(stale).toEqual([]);
  });
});

describe("the check itself", () => {
  const reference = { a: "A", b: { c: (n: number) => `C ${n}`, d: ["x", "y"] } };

  it("finds a missing, an extra and a changed key", () => {
    const locale = { a: (n: number) => `A ${n}`, b: { d: ["x"], e: "E" } };
    expect(compareKeys(reference, locale)).toEqual({
      missing: ["b.c"],
      extra: ["b.e"],
      kind: ["a: text in en, function here", "b.d: list of 2 in en, list of 1 here"],
    });
  });

  it("finds a key that no source reads, and counts whole-branch and past-leaf reads", () => {
    const keys = leaves(reference).keys();
    expect(unusedKeys(keys, ["t.b.d.length", "at.a", "x.t.a"])).toEqual(["a", "b.c"]);
    expect(unusedKeys(leaves(reference).keys(), ["t.b[key]", "{t.a}"])).toEqual([]);
  });
});

function valueAt(tree: object, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (node, key) =>
        typeof node === "object" && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined,
      tree,
    );
}
