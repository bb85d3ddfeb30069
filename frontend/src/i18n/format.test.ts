import { afterEach, describe, expect, it } from "vitest";

import { formatBytes, formatDateTime, formatNumber } from "./format";
import { setLocale } from "./index";

afterEach(async () => {
  await setLocale("en");
});

describe("formatBytes", () => {
  it.each([
    [0, "0 bytes"],
    [1023, "1,023 bytes"],
    [1536, "1.5 kB"],
    [10 * 1024 * 1024, "10 MB"],
    [12.34 * 1024 * 1024, "12 MB"],
  ])("%d -> %s in English", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("follows the UI language", async () => {
    await setLocale("de");
    expect(formatBytes(1536)).toBe("1,5 kB");
    expect(formatBytes(1023)).toBe("1.023 Byte");
    await setLocale("fr");
    // French puts a narrow no-break space before the unit.
    expect(formatBytes(10 * 1024 * 1024)).toBe("10\u202fMo");
  });
});

describe("formatNumber and formatDateTime", () => {
  const moment = new Date(2026, 0, 5, 14, 3).getTime();

  it("are in the UI language", async () => {
    expect(formatNumber(2147483647)).toBe("2,147,483,647");
    expect(formatDateTime(moment)).toBe("Jan 5, 2026, 2:03 PM");
    await setLocale("de");
    expect(formatNumber(2147483647)).toBe("2.147.483.647");
    expect(formatDateTime(moment)).toBe("05.01.2026, 14:03");
    await setLocale("ja");
    expect(formatDateTime(moment)).toBe("2026/01/05 14:03");
  });
});
