import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { setTokenSource } from "../../api/client";
import type { StreamLine } from "../../api/types";
import type { EvidenceTab } from "../../hooks/useEvidence";
import { en } from "../../i18n/en";
import { applyLine, newTurn, type Answer } from "../../lib/answer";
import { parseCitations, type Citation } from "../../lib/citations";
import { jsonResponse, sampleAnswerLines } from "../../test/streams";
import { EvidencePanel } from "./EvidencePanel";

const answer = (sampleAnswerLines() as StreamLine[]).reduce(applyLine, newTurn("q").answer);
const [pdfCitation = null, markdownCitation = null] = parseCitations(answer.content);
const citation = pdfCitation;

const PDF_BYTES = "%PDF-1.7\n1 0 obj <<>> endobj\n";
const HTML_BYTES = "<!doctype html><script>parent.document.title = 'pwned'</script><p>Hi</p>";

/** `/content/...` answered from `files` (path -> [body, media type]); anything else 404s. */
function fakeContent(files: Record<string, [string, string]>) {
  const fetchMock = vi.fn<(url: string, init?: RequestInit) => Promise<Response>>((url) => {
    const file = files[url];
    return Promise.resolve(
      file
        ? new Response(file[0], { status: 200, headers: { "Content-Type": file[1] } })
        : jsonResponse({ error: "Not found." }, 404),
    );
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

/** URL.createObjectURL / revokeObjectURL (jsdom has neither), recording the blobs. */
function fakeBlobUrls() {
  const blobs = new Map<string, Blob>();
  const revoked: string[] = [];
  let next = 0;
  vi.stubGlobal(
    "URL",
    Object.assign(URL, {
      createObjectURL: vi.fn((blob: Blob) => {
        next += 1;
        const url = `blob:http://localhost/${next}`;
        blobs.set(url, blob);
        return url;
      }),
      revokeObjectURL: vi.fn((url: string) => revoked.push(url)),
    }),
  );
  return { blobs, revoked };
}

/** A blob's text (jsdom's Blob has no `text()`). */
function blobText(blob: Blob | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!blob) return reject(new Error("no such blob"));
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : "");
    reader.onerror = () => reject(reader.error ?? new Error("unreadable blob"));
    reader.readAsText(blob);
  });
}

let urls: ReturnType<typeof fakeBlobUrls>;

beforeEach(() => {
  urls = fakeBlobUrls();
});

afterEach(() => {
  setTokenSource(null);
  vi.unstubAllGlobals();
});

function DocumentHarness({ initial }: { initial: Citation | null }) {
  const [shown, setShown] = useState(initial);
  return (
    <EvidencePanel
      open
      modal={false}
      onClose={() => undefined}
      answer={answer}
      tab="document"
      onTabChange={() => undefined}
      citation={shown}
      onCitation={setShown}
    />
  );
}

/** An answer of `content` pieces over the data points `points` ("source: text"). */
function answerOf(points: string[], content: string[]) {
  const citations = [...new Set(points.map((point) => point.split(": ")[0] ?? ""))];
  return (
    [
      { delta: { role: "assistant" }, context: { data_points: { text: points, citations } } },
      ...content.map((piece) => ({ delta: { role: "assistant", content: piece } })),
    ] as StreamLine[]
  ).reduce(applyLine, newTurn("q").answer);
}

function CitedHarness({ answer: shown, reference }: { answer: Answer; reference: string }) {
  const citation = parseCitations(shown.content).find((item) => item.ref === reference) ?? null;
  return (
    <EvidencePanel
      open
      modal={false}
      onClose={() => undefined}
      answer={shown}
      tab="document"
      onTabChange={() => undefined}
      citation={citation}
      onCitation={() => undefined}
    />
  );
}

function Harness() {
  const [tab, setTab] = useState<EvidenceTab>("document");
  return (
    <EvidencePanel
      open
      modal={false}
      onClose={() => undefined}
      answer={answer}
      tab={tab}
      onTabChange={setTab}
      citation={citation}
      onCitation={() => undefined}
    />
  );
}

describe("EvidencePanel", () => {
  it("fetches the cited PDF with the token and frames its blob URL at the cited page", async () => {
    const fetchMock = fakeContent({ "/content/health-plans.pdf": [PDF_BYTES, "application/pdf"] });
    setTokenSource({ getToken: () => Promise.resolve("tok-1"), onExpired: () => undefined });
    render(<Harness />);
    expect(screen.getByRole("dialog", { name: "Evidence" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(en.evidence.loading);

    const frame = await screen.findByTitle("Cited document: health-plans.pdf#page=2");
    expect(frame.tagName).toBe("IFRAME");
    expect(frame).toHaveAttribute("src", "blob:http://localhost/1#page=2");
    expect(urls.blobs.get("blob:http://localhost/1")?.type).toBe("application/pdf");
    expect(urls.blobs.get("blob:http://localhost/1")?.size).toBe(PDF_BYTES.length);
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe("/content/health-plans.pdf");
    expect(new Headers(init?.headers).get("Authorization")).toBe("Bearer tok-1");
    expect(screen.getByRole("link", { name: en.evidence.openInNewTab })).toHaveAttribute(
      "href",
      "blob:http://localhost/1#page=2",
    );
  });

  it("frames anything but a PDF fully sandboxed: no scripts, no same origin", async () => {
    fakeContent({ "/content/benefits-overview.md": [HTML_BYTES, "text/html; charset=utf-8"] });
    render(<DocumentHarness initial={markdownCitation} />);
    const frame = await screen.findByTitle("Cited document: benefits-overview.md");
    expect(frame).toHaveAttribute("sandbox", "");
    expect(frame.getAttribute("sandbox")).not.toMatch(/allow-scripts|allow-same-origin/);
    // The file as it came (blob 1, for the download) rebuilt as a page (blob 2, framed).
    expect(frame).toHaveAttribute("src", "blob:http://localhost/2");
    expect(urls.blobs.get("blob:http://localhost/1")?.type).toBe("text/html; charset=utf-8");
    const page = urls.blobs.get("blob:http://localhost/2");
    expect(page?.type).toBe("text/html; charset=utf-8");
    // Markdown shows raw HTML as text: the page has no script of the document's at all.
    const html = await blobText(urls.blobs.get("blob:http://localhost/2"));
    expect(html).toContain("&lt;script&gt;parent.document.title");
    expect(html).not.toContain("<script");
    // Not offered as a page of our origin in a new tab: only as a download.
    expect(screen.queryByRole("link", { name: en.evidence.openInNewTab })).toBeNull();
    const download = screen.getByRole("link", { name: en.evidence.download });
    expect(download).toHaveAttribute("download", "benefits-overview.md");
    expect(download).toHaveAttribute("href", "blob:http://localhost/1");
  });

  it("opens an HTML document at its cited passage, marked", async () => {
    const html =
      `<h1>Leave</h1>${"<p>Filler.</p>".repeat(50)}<p>You get <b>14 weeks</b> of leave.</p>` +
      `<img src="x" onerror="parent.document.title = 'pwned'"><script>parent.stop()</script>`;
    fakeContent({ "/content/leave.html": [html, "text/html"] });
    const quoting = answerOf(
      ["leave.html: # Leave\n\nYou get 14 weeks of leave."],
      ["- You get 14 weeks of leave. [leave.html]"],
    );
    render(<CitedHarness answer={quoting} reference="leave.html" />);
    const frame = await screen.findByTitle("Cited document: leave.html");
    expect(frame).toHaveAttribute("src", "blob:http://localhost/2#cited-passage");
    expect(frame).toHaveAttribute("sandbox", "");
    const page = new DOMParser().parseFromString(
      await blobText(urls.blobs.get("blob:http://localhost/2")),
      "text/html",
    );
    expect(page.getElementById("cited-passage")?.tagName).toBe("MARK");
    // Sanitized: the document's script and event handlers are gone, not merely sandboxed.
    expect(page.querySelector("script, [onerror]")).toBeNull();
    expect([...page.querySelectorAll("mark")].map((mark) => mark.textContent).join("")).toBe(
      "You get 14 weeks of leave.",
    );
    expect(screen.queryByText(en.evidence.passageNotFound)).toBeNull();
    expect(screen.queryByRole("region", { name: en.evidence.citedPassage })).toBeNull();
  });

  it("shows the passage beside a PDF, the quoted sentence marked", async () => {
    fakeContent({ "/content/plan.pdf": [PDF_BYTES, "application/pdf"] });
    const quoting = answerOf(
      [
        "plan.pdf#page=2: # Deductibles\n\nOn the Plus plan, the deductible is $1,000. Copays vary.",
        "plan.pdf#page=3: Drugs cost $10.",
      ],
      ["- On the Plus plan, the deductible is $1,000. [plan.pdf#page=2]"],
    );
    render(<CitedHarness answer={quoting} reference="plan.pdf#page=2" />);
    const frame = await screen.findByTitle("Cited document: plan.pdf#page=2");
    expect(frame).toHaveAttribute("src", "blob:http://localhost/1#page=2");
    const passage = screen.getByRole("region", { name: en.evidence.citedPassage });
    expect(passage).toHaveTextContent("Deductibles On the Plus plan, the deductible is $1,000.");
    expect(passage).not.toHaveTextContent("Drugs cost");
    expect(passage.querySelector("mark")).toHaveTextContent(
      /^On the Plus plan, the deductible is \$1,000\.$/,
    );
    expect(passage).toHaveAttribute("tabindex", "0");
  });

  it("says so, and shows the passage beside it, when the document does not hold it", async () => {
    fakeContent({ "/content/notes.txt": ["Something else entirely.", "text/plain"] });
    const quoting = answerOf(
      ["notes.txt: The badge costs twenty dollars to replace."],
      ["- The badge costs twenty dollars to replace. [notes.txt]"],
    );
    render(<CitedHarness answer={quoting} reference="notes.txt" />);
    const frame = await screen.findByTitle("Cited document: notes.txt");
    expect(frame).toHaveAttribute("src", "blob:http://localhost/2");
    expect(screen.getByText(en.evidence.passageNotFound)).toHaveAttribute("role", "status");
    expect(screen.getByRole("region", { name: en.evidence.citedPassage })).toHaveTextContent(
      "The badge costs twenty dollars to replace.",
    );
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows the file as it came, the passage beside it, when marking cannot load", async () => {
    vi.doMock("../../lib/markedDocument", () => Promise.reject(new Error("chunk failed")));
    fakeContent({ "/content/notes.txt": ["The badge costs $20 to replace.", "text/plain"] });
    const quoting = answerOf(
      ["notes.txt: The badge costs $20 to replace."],
      ["- The badge costs $20 to replace. [notes.txt]"],
    );
    try {
      render(<CitedHarness answer={quoting} reference="notes.txt" />);
      const frame = await screen.findByTitle("Cited document: notes.txt");
      expect(frame).toHaveAttribute("src", "blob:http://localhost/1");
      expect(frame).toHaveAttribute("sandbox", "");
      expect(screen.getByRole("region", { name: en.evidence.citedPassage })).toHaveTextContent(
        "The badge costs $20 to replace.",
      );
      expect(screen.queryByRole("alert")).toBeNull();
    } finally {
      vi.doUnmock("../../lib/markedDocument");
    }
  });

  it("shows the document alone when no retrieved passage comes from it", async () => {
    fakeContent({ "/content/notes.txt": ["Some notes.", "text/plain"] });
    render(<CitedHarness answer={answerOf([], ["Notes [notes.txt]."])} reference="notes.txt" />);
    const frame = await screen.findByTitle("Cited document: notes.txt");
    expect(frame).toHaveAttribute("src", "blob:http://localhost/2");
    expect(screen.queryByText(en.evidence.passageNotFound)).toBeNull();
    expect(screen.queryByRole("region", { name: en.evidence.citedPassage })).toBeNull();
  });

  it("never frames a file that claims to be a PDF but is not one", async () => {
    fakeContent({ "/content/health-plans.pdf": [HTML_BYTES, "application/pdf"] });
    const { container } = render(<DocumentHarness initial={pdfCitation} />);
    // Not a PDF, and a type no frame shows: a message and the download, not a blank frame.
    expect(await screen.findByText(en.evidence.cannotShow)).toBeInTheDocument();
    expect(container.querySelector("iframe")).toBeNull();
    expect(screen.getAllByRole("link", { name: en.evidence.download })[0]).toHaveAttribute(
      "href",
      "blob:http://localhost/1",
    );
  });

  it("says a Word file cannot be shown here, offers its download and shows the passage", async () => {
    fakeContent({
      "/content/handbook.docx": [
        "PK\u0003\u0004 not shown",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      ],
    });
    const quoting = answerOf(
      ["handbook.docx: Parental leave is 14 weeks."],
      ["Parental leave is 14 weeks. [handbook.docx]"],
    );
    const { container } = render(<CitedHarness answer={quoting} reference="handbook.docx" />);
    expect(await screen.findByText(en.evidence.cannotShow)).toBeInTheDocument();
    expect(container.querySelector("iframe")).toBeNull();
    expect(screen.getAllByRole("link", { name: en.evidence.download })[0]).toHaveAttribute(
      "download",
      "handbook.docx",
    );
    expect(screen.getByRole("region", { name: en.evidence.citedPassage })).toHaveTextContent(
      "Parental leave is 14 weeks.",
    );
  });

  it("revokes the blob URLs when another citation is shown and when the panel goes", async () => {
    fakeContent({
      "/content/health-plans.pdf": [PDF_BYTES, "application/pdf"],
      "/content/benefits-overview.md": ["# Benefits", "text/markdown"],
    });
    const { rerender, unmount } = render(<DocumentHarness initial={pdfCitation} />);
    await screen.findByTitle("Cited document: health-plans.pdf#page=2");
    expect(urls.revoked).toEqual([]);
    rerender(<DocumentHarness key="md" initial={markdownCitation} />);
    await screen.findByTitle("Cited document: benefits-overview.md");
    expect(urls.revoked).toEqual(["blob:http://localhost/1"]);
    unmount();
    expect(urls.revoked.sort()).toEqual([
      "blob:http://localhost/1",
      "blob:http://localhost/2",
      "blob:http://localhost/3",
    ]);
  });

  it("opens a citation picked from the list", async () => {
    const user = userEvent.setup();
    fakeContent({ "/content/health-plans.pdf": [PDF_BYTES, "application/pdf"] });
    render(<DocumentHarness initial={null} />);
    await user.click(screen.getByRole("button", { name: /health-plans\.pdf#page=2/ }));
    expect(await screen.findByTitle("Cited document: health-plans.pdf#page=2")).toHaveAttribute(
      "src",
      "blob:http://localhost/1#page=2",
    );
  });

  it("says plainly when the document is not available (404)", async () => {
    fakeContent({});
    render(<Harness />);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "This document is not available to you or no longer exists",
    );
    expect(screen.queryByTitle(/Cited document/)).toBeNull();
    expect(urls.blobs.size).toBe(0);
  });

  it("names the status of a server error and fetches the file again on Retry", async () => {
    const fetchMock = fakeContent({});
    fetchMock.mockResolvedValueOnce(jsonResponse({ error: "Internal error." }, 500));
    render(<Harness />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(en.evidence.serverError(500));
    expect(within(alert).getByRole("link", { name: en.evidence.openDirectly })).toHaveAttribute(
      "href",
      "/content/health-plans.pdf",
    );
    expect(screen.queryByTitle(/Cited document/)).toBeNull();
    fetchMock.mockResolvedValueOnce(
      new Response(PDF_BYTES, { status: 200, headers: { "Content-Type": "application/pdf" } }),
    );
    await userEvent.click(within(alert).getByRole("button", { name: en.evidence.retry }));
    expect(await screen.findByTitle("Cited document: health-plans.pdf#page=2")).toHaveAttribute(
      "src",
      "blob:http://localhost/1#page=2",
    );
    expect(screen.queryByRole("alert")).toBeNull();
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("says the network failed, never a blank frame, when the fetch itself fails", async () => {
    const fetchMock = fakeContent({});
    fetchMock.mockRejectedValueOnce(new TypeError("Failed to fetch"));
    render(<Harness />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(en.errors.network);
    expect(within(alert).getByRole("button", { name: en.evidence.retry })).toBeInTheDocument();
    expect(screen.queryByTitle(/Cited document/)).toBeNull();
  });

  it("works without login: no Authorization header", async () => {
    const fetchMock = fakeContent({ "/content/health-plans.pdf": [PDF_BYTES, "application/pdf"] });
    render(<Harness />);
    await screen.findByTitle("Cited document: health-plans.pdf#page=2");
    expect(new Headers(fetchMock.mock.calls[0]?.[1]?.headers).has("Authorization")).toBe(false);
  });

  it("shows an upload's citation by its file name, marked as the user's", async () => {
    fakeContent({});
    const ref = `.uploads/${"ab".repeat(16)}/notes.pdf#page=3`;
    const [upload = null] = parseCitations(`See [${ref}].`);
    render(<DocumentHarness initial={upload} />);
    const name = screen.getByText("notes.pdf#page=3");
    expect(name).toHaveTextContent("notes.pdf#page=3 (your upload)");
    expect(name).not.toHaveTextContent(".uploads");
    await waitFor(() => expect(screen.getByRole("alert")).toBeInTheDocument());
  });

  it("switches tabs with the arrow keys and shows supporting content and thoughts", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const documentTab = screen.getByRole("tab", { name: "Document" });
    expect(documentTab).toHaveAttribute("aria-selected", "true");
    documentTab.focus();
    await user.keyboard("{ArrowRight}");
    const supportingTab = screen.getByRole("tab", { name: "Supporting content" });
    expect(supportingTab).toHaveFocus();
    expect(supportingTab).toHaveAttribute("aria-selected", "true");
    const panel = screen.getByRole("tabpanel");
    expect(panel).toHaveTextContent("health-plans.pdf#page=2");
    expect(panel).toHaveTextContent("The Plus plan deductible is $1,000.");

    await user.keyboard("{End}");
    const thoughts = screen.getByRole("tabpanel");
    expect(thoughts).toHaveTextContent("Search query");
    expect(thoughts).toHaveTextContent("plus plan deductible");
    // A non-string description is pretty-printed JSON.
    expect(thoughts.querySelector("pre")?.textContent).toBe(
      JSON.stringify([{ id: "a", score: 1.5 }], null, 2),
    );
    expect(thoughts).toHaveTextContent("top:3");

    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "Document" })).toHaveFocus();
  });

  it("shows supporting content as the literal text of the source, HTML and all", () => {
    const hostile = 'Visitors wear <script>alert(1)</script> and <img src=x onerror="alert(1)">.';
    const quoted = (
      [
        {
          delta: { role: "assistant" },
          context: {
            data_points: { text: [`hostile.md: ${hostile}`], citations: ["hostile.md"] },
          },
        },
        { delta: { role: "assistant", content: "It says so [hostile.md]." } },
      ] as StreamLine[]
    ).reduce(applyLine, newTurn("q").answer);
    render(
      <EvidencePanel
        open
        modal={false}
        onClose={() => undefined}
        answer={quoted}
        tab="supporting"
        onTabChange={() => undefined}
        citation={null}
        onCitation={() => undefined}
      />,
    );
    const panel = screen.getByRole("tabpanel");
    expect(within(panel).getByRole("heading", { name: "hostile.md" })).toBeInTheDocument();
    expect(panel).toHaveTextContent(hostile);
    expect(panel.querySelector("script, img, [onerror]")).toBeNull();
  });
});
