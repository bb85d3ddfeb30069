import { describe, expect, it } from "vitest";

import {
  contentHref,
  displayRef,
  isCitationRef,
  parseCitations,
  splitDataPoint,
} from "./citations";

describe("parseCitations", () => {
  it("numbers sources in order of first appearance; a repeated source keeps its number", () => {
    const text =
      "A [health-plans.pdf#page=2]. B [pto-leave-policy.html]. C [health-plans.pdf#page=2][benefits-overview.md].";
    expect(parseCitations(text).map((c) => [c.number, c.ref])).toEqual([
      [1, "health-plans.pdf#page=2"],
      [2, "pto-leave-policy.html"],
      [3, "benefits-overview.md"],
    ]);
  });

  it("treats different pages of one file as different citations", () => {
    const refs = parseCitations("[plan.pdf#page=1] [plan.pdf#page=3] [plan.pdf#page=1]");
    expect(refs.map((c) => c.number)).toEqual([1, 2]);
    expect(refs.map((c) => c.href)).toEqual([
      "/content/plan.pdf#page=1",
      "/content/plan.pdf#page=3",
    ]);
  });

  it("ignores brackets that are not sources, and brackets in code", () => {
    const text = "See [1] and [the docs] and `[code.pdf]`.\n\n```\n[block.txt]\n```\n[real.txt]";
    expect(parseCitations(text).map((c) => c.ref)).toEqual(["real.txt"]);
  });

  it("accepts a known citation even when it does not look like a file name", () => {
    const known = ["Employee Handbook 2025.pdf#page=4", "intranet page"];
    expect(parseCitations("X [intranet page] [Employee Handbook 2025.pdf#page=4]", known)).toEqual([
      {
        ref: "intranet page",
        file: "intranet page",
        page: null,
        href: "/content/intranet%20page",
        number: 1,
      },
      {
        ref: "Employee Handbook 2025.pdf#page=4",
        file: "Employee Handbook 2025.pdf",
        page: 4,
        href: "/content/Employee%20Handbook%202025.pdf#page=4",
        number: 2,
      },
    ]);
  });

  it("finds nothing in an answer without citations", () => {
    expect(parseCitations("No sources here.")).toEqual([]);
  });
});

describe("isCitationRef", () => {
  it.each([
    ["health-plans.pdf#page=2", true],
    ["folder/notes.md", true],
    ["onboarding-faq.txt", true],
    ["1", false],
    ["see above", false],
    ["https://example.com/a.pdf", false],
    ["x", false],
  ])("%s -> %s", (ref, expected) => {
    expect(isCitationRef(ref)).toBe(expected);
  });
});

describe("contentHref", () => {
  it("opens PDFs at the cited page and encodes each path segment", () => {
    expect(contentHref("a b/c#d.pdf#page=12")).toEqual({
      file: "a b/c#d.pdf",
      page: 12,
      href: "/content/a%20b/c%23d.pdf#page=12",
    });
    expect(contentHref("pto-leave-policy.html").href).toBe("/content/pto-leave-policy.html");
  });
});

describe("displayRef", () => {
  const folder = `.uploads/${"a1".repeat(16)}`;

  it("shows an upload by its own name (and page), marked as an upload", () => {
    expect(displayRef(`${folder}/plan.pdf#page=2`)).toEqual({
      label: "plan.pdf#page=2",
      upload: true,
    });
    expect(displayRef(`${folder}/notes v2.md`)).toEqual({ label: "notes v2.md", upload: true });
  });

  it("leaves other references as they are", () => {
    expect(displayRef("health-plans.pdf#page=2")).toEqual({
      label: "health-plans.pdf#page=2",
      upload: false,
    });
    // Not a per-user folder: 31 hex characters, or another top folder.
    expect(displayRef(`.uploads/${"a".repeat(31)}/x.pdf`).upload).toBe(false);
    expect(displayRef(`policies/${"a1".repeat(16)}/x.pdf`).upload).toBe(false);
  });

  it("is served from /content like any other citation", () => {
    const [citation] = parseCitations(`See [${folder}/plan.pdf#page=2].`);
    expect(citation?.href).toBe(`/content/${folder}/plan.pdf#page=2`);
  });
});

describe("splitDataPoint", () => {
  it("splits the source from the text at the first colon and space", () => {
    expect(splitDataPoint("plan.pdf#page=2: Deductible: $1,000")).toEqual({
      source: "plan.pdf#page=2",
      text: "Deductible: $1,000",
    });
    expect(splitDataPoint("no source here")).toEqual({ source: "", text: "no source here" });
  });
});
