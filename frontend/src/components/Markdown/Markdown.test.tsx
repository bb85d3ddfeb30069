import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { citationIndex, parseCitations } from "../../lib/citations";
import { Markdown } from "./Markdown";

// Counts what react-markdown is given to render, to see that finished blocks are left alone.
const rendered = vi.hoisted(() => ({ characters: 0 }));
vi.mock("react-markdown", async (importOriginal) => {
  const actual = await importOriginal<typeof import("react-markdown")>();
  return {
    ...actual,
    default: (options: Parameters<typeof actual.default>[0]) => {
      rendered.characters += (options.children ?? "").length;
      return actual.default(options);
    },
  };
});

function renderMarkdown(text: string, onCitation = vi.fn()) {
  const citations = citationIndex(parseCitations(text));
  const view = render(<Markdown text={text} citations={citations} onCitation={onCitation} />);
  return { ...view, onCitation };
}

describe("Markdown", () => {
  it("renders Markdown formatting", () => {
    renderMarkdown("**Bold** and a list:\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |");
    expect(screen.getByText("Bold").tagName).toBe("STRONG");
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
    expect(screen.getByRole("table")).toBeInTheDocument();
  });

  it("never renders raw HTML, images, or script URLs from the model", () => {
    const { container } = renderMarkdown(
      [
        "<script>window.pwned = true</script>",
        '<img src="x" onerror="window.pwned = true">',
        "<b onclick='x()'>html</b>",
        "![tracker](https://example.com/pixel.png)",
        "[click](javascript:alert(1))",
      ].join("\n\n"),
    );
    expect(container.querySelector("script, img, b, [onerror], [onclick]")).toBeNull();
    const attributes = [...container.querySelectorAll("*")].flatMap((element) =>
      [...element.attributes].map((attribute) => attribute.value),
    );
    expect(attributes.filter((value) => value.includes("javascript:"))).toEqual([]);
    expect(screen.queryByRole("link")).toBeNull();
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it("shows HTML quoted from a document as its literal text, tags and all", () => {
    const { container } = renderMarkdown(
      [
        "- Before <script>alert(1)</script> after. [hostile.md]",
        "- Label <img src=x onerror=alert(1)> here. [hostile.md]",
        "<script>alert(2)</script>",
      ].join("\n"),
    );
    const items = screen.getAllByRole("listitem");
    expect(items[0]).toHaveTextContent("Before <script>alert(1)</script> after.");
    expect(items[1]).toHaveTextContent("Label <img src=x onerror=alert(1)> here.");
    expect(container).toHaveTextContent("<script>alert(2)</script>");
    expect(container.querySelector("script, img, [onerror]")).toBeNull();
    // The citations after the quoted HTML still work.
    expect(screen.getAllByRole("link", { name: /^Citation 1: hostile.md/ })).toHaveLength(2);
  });

  it("shows a link with an unsafe URL as the text it was written as, not as a link", () => {
    const { container } = renderMarkdown(
      "Read [click](javascript:alert(1)), [this](vbscript:x), <javascript:alert(2)> " +
        "and [**ok**](https://people.example/).",
    );
    expect(screen.getAllByRole("link")).toHaveLength(1);
    expect(screen.getByRole("link", { name: "ok" })).toHaveAttribute(
      "href",
      "https://people.example/",
    );
    expect(container).toHaveTextContent(
      "Read [click](javascript:alert(1)), [this](vbscript:x), <javascript:alert(2)> and ok.",
    );
    expect(container.querySelector('[href^="javascript:"], [href^="vbscript:"]')).toBeNull();
  });

  it("turns citations into numbered superscript links; repeats share a number", async () => {
    const { onCitation } = renderMarkdown(
      "A [health-plans.pdf#page=2]. B [benefits-overview.md]. C [health-plans.pdf#page=2].",
    );
    const links = screen.getAllByRole("link", { name: /^Citation/ });
    expect(links.map((link) => link.textContent)).toEqual(["1", "2", "1"]);
    expect(links[0]).toHaveAttribute("href", "/content/health-plans.pdf#page=2");
    expect(links[0]?.parentElement?.tagName).toBe("SUP");
    expect(links[1]).toHaveAccessibleName("Citation 2: benefits-overview.md");
    await userEvent.click(links[2] as HTMLElement);
    expect(onCitation).toHaveBeenCalledWith(
      expect.objectContaining({ ref: "health-plans.pdf#page=2", number: 1 }),
    );
  });

  it("leaves citation-like text in code alone", () => {
    renderMarkdown("Use `[plan.pdf]` literally.");
    expect(screen.queryByRole("link")).toBeNull();
    expect(screen.getByText("[plan.pdf]").tagName).toBe("CODE");
  });

  it("renders a streamed answer as the same page as the whole text at once", () => {
    const pieces = [
      "# Plan\n\nThe deductible ",
      "is $1,000 [health-plans.pdf#page=2].\n\n- one\n",
      "- two [benefits-overview.md]\n\n| a | b |\n|---|---|\n",
      "| 1 | 2 |\n\n```\nco",
      "de\n\nmore\n```\n\nEnd [health-plans.pdf#page=2].",
    ];
    const text = pieces.join("");
    const citations = citationIndex(parseCitations(text));
    const streamed = render(<Markdown text="" citations={citations} />);
    let sofar = "";
    for (const piece of pieces) {
      sofar += piece;
      streamed.rerender(<Markdown text={sofar} citations={citationIndex(parseCitations(sofar))} />);
    }
    const whole = render(<Markdown text={text} citations={citations} />);
    expect(streamed.container.innerHTML).toBe(whole.container.innerHTML);
    expect(streamed.container.querySelectorAll("h1, li, table, pre")).toHaveLength(5);
  });

  it("renders again only the block that grows, not the whole answer, per piece", () => {
    const citations = citationIndex([]);
    const view = render(<Markdown text="" citations={citations} />);
    rendered.characters = 0;
    let text = "";
    for (let index = 0; index < 200; index += 1) {
      text += `Paragraph ${index} of a long answer.` + (index % 2 ? "\n\n" : " ");
      view.rerender(<Markdown text={text} citations={citationIndex([])} />);
    }
    expect(screen.getAllByText(/^Paragraph \d+ of/)).toHaveLength(100);
    // Rendering the whole text per piece would pass it ~100 times over; blocks, about twice.
    expect(rendered.characters / text.length).toBeLessThan(4);
  });

  it("opens ordinary links in a new tab without an opener", () => {
    renderMarkdown("See [the portal](https://people.example/).");
    const link = screen.getByRole("link", { name: "the portal" });
    expect(link).toHaveAttribute("target", "_blank");
    expect(link).toHaveAttribute("rel", "noopener noreferrer");
  });
});
