/** Dates, numbers and file sizes in the UI's language, through `Intl` (read at call time). */
import { locale } from "./index";

const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  const id = `${locale}|${key}`;
  let formatter = formatters.get(id);
  if (!formatter) {
    formatter = make();
    formatters.set(id, formatter);
  }
  return formatter as T;
}

/** `1234.5` -> "1,234.5" in English, "1.234,5" in German. */
export function formatNumber(value: number): string {
  return cached("number", () => new Intl.NumberFormat(locale)).format(value);
}

/** A moment (ms since the epoch) as a medium date and short time: "Jan 5, 2026, 2:03 PM". */
export function formatDateTime(ms: number): string {
  return cached(
    "datetime",
    () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }),
  ).format(ms);
}

const UNITS = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;

/** `10485760` -> "10 MB" (binary multiples, as the server counts them), in the UI's language. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  const name = UNITS[unit] ?? "byte";
  return cached(
    `${name}|${digits}`,
    () =>
      new Intl.NumberFormat(locale, {
        style: "unit",
        unit: name,
        // "1,023 bytes", not "1,023 byte"; the larger units short: "1.5 kB", "10 MB".
        unitDisplay: unit === 0 ? "long" : "short",
        maximumFractionDigits: digits,
      }),
  ).format(value);
}
