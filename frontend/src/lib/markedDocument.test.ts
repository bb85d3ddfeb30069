import { describe, expect, it } from "vitest";

import { documentKind } from "./documentKind";
import { decodeText, markedDocument } from "./markedDocument";
import type { Passage } from "./passage";

const bytes = (text: string) => new TextEncoder().encode(text);

/** The page `markedDocument` made, parsed again as the frame will parse it. */
function built(
  source: string,
  kind: Parameters<typeof markedDocument>[1],
  passage: Passage | null,
) {
  const { html, target } = markedDocument(bytes(source), kind, passage, "notes");
  const page = new DOMParser().parseFromString(html, "text/html");
  const marks = [...page.querySelectorAll("mark")];
  return { html, page, target, marks, marked: marks.map((mark) => mark.textContent) };
}

const POLICY_HTML = `<!doctype html><html><head><title>Leave</title>
<meta http-equiv="refresh" content="0; url=https://example.com/"></head><body>
<h1>Leave policy</h1>
<nav>Home | About</nav>
<h2>Parental leave</h2>
<p>Cairnwood provides <b>14 weeks</b> of fully
   paid <a href="#x">parental leave</a>. You are eligible once you
have worked here for 90 days.</p>
<ul><li>Leave may be taken in two blocks.</li></ul>
<script>parent.document.title = "pwned"</script>
</body></html>`;

// What the server's HTML parser extracted from it, as a data point's text.
const POLICY_CHUNK =
  "## Parental leave\n\nCairnwood provides 14 weeks of fully paid parental leave. You are " +
  "eligible once you have worked here for 90 days.\n\n- Leave may be taken in two blocks.";

describe("markedDocument", () => {
  it("marks a quote that spans several text nodes, and targets its first mark", () => {
    const { page, target, marks, marked } = built(POLICY_HTML, "html", {
      chunks: [POLICY_CHUNK],
      quotes: ["Cairnwood provides 14 weeks of fully paid parental leave."],
    });
    expect(target).toBe("cited-passage");
    expect(marked.join("").replace(/\s+/g, " ")).toBe(
      "Cairnwood provides 14 weeks of fully paid parental leave.",
    );
    expect(marks).toHaveLength(5); // before <b>, in <b>, between, in <a>, after it
    expect(page.getElementById("cited-passage")).toBe(marks[0]);
    expect(page.querySelector("b mark")?.textContent).toBe("14 weeks");
    // The rest of the paragraph is left as it was.
    expect(page.querySelector("p")?.textContent).toContain("You are eligible once you");
    expect(page.querySelector("p > mark:last-child")?.nextSibling?.textContent).toMatch(/^ You/);
  });

  it("marks the whole chunk, block by block, when the answer quoted nothing", () => {
    const { marked, page, target } = built(POLICY_HTML, "html", {
      chunks: [POLICY_CHUNK],
      quotes: [],
    });
    expect(target).toBe("cited-passage");
    const text = marked.join("").replace(/\s+/g, " ");
    expect(text).toContain("Cairnwood provides 14 weeks");
    expect(text).toContain("have worked here for 90 days.Leave may be taken in two blocks.");
    // Not the heading the splitter repeated, nor text the parser skipped.
    expect(page.querySelector("h2 mark, nav mark")).toBeNull();
  });

  it("marks each chunk of a source; the first (best-ranked) one is the target", () => {
    const { page, marked } = built(POLICY_HTML, "html", {
      chunks: ["- Leave may be taken in two blocks.", POLICY_CHUNK.split("\n\n")[1] ?? ""],
      quotes: [],
    });
    expect(marked).toContain("Leave may be taken in two blocks.");
    expect(marked.join("")).toContain("Cairnwood provides");
    expect(page.getElementById("cited-passage")?.textContent).toBe(
      "Leave may be taken in two blocks.",
    );
  });

  it("leaves a document without the passage unmarked, with no target", () => {
    const { target, marks, page } = built(POLICY_HTML, "html", {
      chunks: ["Nothing like this is in the document at all."],
      quotes: [],
    });
    expect(target).toBeNull();
    expect(marks).toHaveLength(0);
    expect(page.querySelector("h1")?.textContent).toBe("Leave policy");
  });

  it("keeps the served policy and the title; no refresh, no script", () => {
    const { page, html } = built(POLICY_HTML, "html", null);
    const policy = page.head.firstElementChild;
    expect(policy?.getAttribute("http-equiv")).toBe("Content-Security-Policy");
    expect(policy?.getAttribute("content")).toBe(
      "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
    );
    expect(page.querySelector('meta[http-equiv="refresh"]')).toBeNull();
    expect(page.title).toBe("Leave");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("pwned");
    expect(document.title).not.toBe("pwned");
  });

  it("sanitizes an HTML document before marking it", () => {
    const hostile =
      '<html><head><base href="https://evil.example/"><link rel="stylesheet" href="x.css">' +
      "<style>p { color: teal }</style></head><body>" +
      '<p onclick="steal()" style="font-weight:bold">The cited sentence is right here, ' +
      'with <a href="javascript:steal()">a link</a> and <a href="#top">another</a>.</p>' +
      '<img src="x" onerror="steal()"><iframe src="https://evil.example/"></iframe>' +
      "<svg><script>steal()</script></svg><object data=x></object>" +
      "<noscript><p>Shown only without script.</p></noscript></body></html>";
    const { html, page, marked } = built(hostile, "html", {
      chunks: ["The cited sentence is right here, with a link and another."],
      quotes: [],
    });
    expect(html).not.toMatch(/steal|evil\.example|<script|<iframe|<svg|<object|<base|<link/i);
    expect(page.querySelector("[onclick], [onerror]")).toBeNull();
    expect(page.querySelector('a[href="#top"]')).not.toBeNull();
    // What is harmless stays: the document's own styles, inline and in its head.
    expect(page.querySelector("p")?.getAttribute("style")).toBe("font-weight:bold");
    expect(page.head.textContent).toContain("color: teal");
    expect(marked.join("")).toBe("The cited sentence is right here, with a link and another.");
  });

  it("renders Markdown, comparing its chunks as rendered (links, numbered lists)", () => {
    const markdown =
      "# Travel\n\n## Hotels\n\n1. In high-cost cities, the [hotel limit](https://example.com/h) " +
      "is **$300** per night.\n2. Book through the portal.\n";
    const { page, marked, target } = built(markdown, "markdown", {
      chunks: [markdown],
      quotes: [
        "In high-cost cities, the [hotel limit](https://example.com/h) is **$300** per night.",
      ],
    });
    expect(page.querySelector("ol li a")?.getAttribute("href")).toBe("https://example.com/h");
    expect(page.querySelector("strong")?.textContent).toBe("$300");
    expect(target).toBe("cited-passage");
    expect(marked.join("")).toBe("In high-cost cities, the hotel limit is $300 per night.");
  });

  it("shows raw HTML in Markdown as text, drops images and unsafe links", () => {
    const markdown =
      "Badges say <script>alert(1)</script> and <img src=x onerror=alert(1)>.\n\n" +
      "![a badge](https://example.com/b.png) [click](javascript:alert(1))";
    const { page } = built(markdown, "markdown", null);
    const main = page.querySelector("main");
    expect(main?.textContent).toContain("<script>alert(1)</script>");
    expect(main?.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(main?.textContent).toContain("a badge");
    expect(main?.querySelector("script, img, [onerror]")).toBeNull();
    expect(main?.querySelector("a")?.hasAttribute("href")).toBe(false);
  });

  it("shows text as written, in a <pre>, with the quote marked", () => {
    const text = "BADGES\n\nWear your badge where it can\nbe seen.  Replacements cost $20.\n";
    const { page, marked } = built(text, "text", {
      chunks: [text],
      quotes: ["Wear your badge where it can be seen."],
    });
    expect(page.querySelector("pre")?.textContent).toBe(text);
    expect(marked).toEqual(["Wear your badge where it can\nbe seen."]);
  });

  it("picks another id when the document already has the usual one", () => {
    const html = '<p id="cited-passage">Taken.</p><p>The cited sentence is right here.</p>';
    const { target, page } = built(html, "html", {
      chunks: ["The cited sentence is right here."],
      quotes: [],
    });
    expect(target).toBe("cited-passage-2");
    expect(page.getElementById("cited-passage-2")?.tagName).toBe("MARK");
  });
});

describe("documentKind and decodeText", () => {
  it("goes by the extension the server's parser went by", () => {
    expect(documentKind("a/b/Policy.HTML")).toBe("html");
    expect(documentKind("notes.md")).toBe("markdown");
    expect(documentKind("faq.txt")).toBe("text");
    expect(documentKind("plan.pdf")).toBeNull();
    expect(documentKind("report.docx")).toBeNull();
  });

  it("reads UTF-8, else Latin-1, as the server does", () => {
    expect(decodeText(bytes("\uFEFFcafé"))).toBe("café");
    expect(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9]))).toBe("café");
  });
});
