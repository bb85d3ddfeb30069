import { describe, expect, it } from "vitest";

import { uploadProblem } from "./files";

const rules = { maxBytes: 10 * 1024 * 1024, extensions: [".pdf", ".md"] };
const sized = (name: string, size: number) => {
  const file = new File([], name);
  Object.defineProperty(file, "size", { value: size });
  return file;
};

describe("uploadProblem", () => {
  it("accepts a listed type within the limit, whatever the case of its extension", () => {
    expect(uploadProblem(sized("a.pdf", 10), rules)).toBeNull();
    expect(uploadProblem(sized("NOTES.MD", rules.maxBytes), rules)).toBeNull();
  });

  it("names the file and the accepted types when the type is not accepted", () => {
    expect(uploadProblem(sized("a.exe", 10), rules)).toBe(
      "a.exe is not a type this app can read. Choose one of: .pdf, .md.",
    );
    expect(uploadProblem(sized("pdf", 10), rules)).toMatch(/^pdf is not a type/);
  });

  it("refuses empty and too large files, with sizes people read", () => {
    expect(uploadProblem(sized("a.pdf", 0), rules)).toBe("a.pdf is empty.");
    expect(uploadProblem(sized("a.pdf", rules.maxBytes + 1), rules)).toBe(
      "a.pdf is 10 MB; a file can be up to 10 MB.",
    );
  });

  it("accepts any type when the server lists none", () => {
    expect(uploadProblem(sized("a.exe", 10), { ...rules, extensions: [] })).toBeNull();
  });
});
