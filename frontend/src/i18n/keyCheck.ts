/**
 * What `npm run check` asks of the translations (src/i18n/locales.test.ts): every locale has
 * exactly en's keys, each of the same kind, and every key of en is read by some source file.
 */

/** A leaf of a message tree: a text, a function that makes one, or a list of texts. */
export type LeafKind = "text" | "function" | `list of ${number}`;

/** Every leaf's dotted path and kind: `{ a: { b: "x" } }` -> `Map { "a.b" => "text" }`. */
export function leaves(tree: object, prefix = ""): Map<string, LeafKind> {
  const found = new Map<string, LeafKind>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") found.set(path, "text");
    else if (typeof value === "function") found.set(path, "function");
    else if (Array.isArray(value)) found.set(path, `list of ${value.length}`);
    else if (typeof value === "object" && value !== null) {
      for (const [child, kind] of leaves(value as object, path)) found.set(child, kind);
    } else found.set(path, "text"); // anything else is not a message; compared as text
  }
  return found;
}

export interface KeyDifference {
  /** In the reference (en), not in the locale. */
  missing: string[];
  /** In the locale, not in the reference. */
  extra: string[];
  /** In both, but a text in one and a function (or a list of another length) in the other. */
  kind: string[];
}

export function compareKeys(reference: object, locale: object): KeyDifference {
  const want = leaves(reference);
  const have = leaves(locale);
  return {
    missing: [...want.keys()].filter((path) => !have.has(path)),
    extra: [...have.keys()].filter((path) => !want.has(path)),
    kind: [...want]
      .filter(([path, kind]) => have.has(path) && have.get(path) !== kind)
      .map(([path, kind]) => `${path}: ${kind} in en, ${String(have.get(path))} here`),
  };
}

// `t.chat.examples`, `t.answer.citationLabel(`, `t.settings.modes[`: the dotted part after `t`.
const READ = /(?<![\w$.])t((?:\.[A-Za-z_$][\w$]*)+)/g;

/** The dotted paths that `source` reads from `t` (`t.a.b(...)` -> "a.b"). */
export function readPaths(source: string): string[] {
  return Array.from(source.matchAll(READ), (match) => (match[1] ?? "").slice(1));
}

/**
 * Keys no source reads. A read of a whole branch (`t.settings.modes[mode]`) counts for every
 * key under it; a read past a leaf (`t.chat.examples.length`) counts for that leaf.
 */
export function unusedKeys(keys: Iterable<string>, sources: Iterable<string>): string[] {
  const reads = new Set<string>();
  for (const source of sources) for (const path of readPaths(source)) reads.add(path);
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}.`);
  return [...keys].filter(
    (key) => ![...reads].some((read) => within(key, read) || within(read, key)),
  );
}

/**
 * Arguments that show whether a message function keeps its placeholders: distinct numbers
 * (plural rules give them all the "other" or "many" form, which shows the number).
 */
export function sampleArguments(message: (...args: never[]) => unknown): number[] {
  return Array.from({ length: message.length }, (_, index) => 40 + index);
}
