import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { StreamLine } from "../../api/types";
import { en } from "../../i18n/en";
import { applyLine, newTurn, type Answer as AnswerData } from "../../lib/answer";
import { sampleAnswerLines } from "../../test/streams";
import { Answer } from "./Answer";

function answerFrom(lines: unknown[], change: Partial<AnswerData> = {}): AnswerData {
  const answer = (lines as StreamLine[]).reduce(applyLine, newTurn("q").answer);
  return { ...answer, status: "done", ...change };
}

function renderAnswer(answer: AnswerData) {
  const handlers = {
    onCitation: vi.fn(),
    onShowEvidence: vi.fn(),
    onFollowup: vi.fn(),
    onRetry: vi.fn(),
  };
  render(<Answer answer={answer} {...handlers} />);
  return handlers;
}

describe("Answer", () => {
  it("shows a citation of the user's upload by its file name, marked as theirs", async () => {
    const ref = `.uploads/${"0f".repeat(16)}/notes.pdf#page=2`;
    const handlers = renderAnswer(
      answerFrom([
        { delta: { role: "assistant" }, context: { data_points: { text: [], citations: [ref] } } },
        { delta: { role: "assistant", content: `From your notes [${ref}].` } },
      ]),
    );
    const inline = screen.getByRole("link", { name: "Citation 1: notes.pdf#page=2 (your upload)" });
    expect(inline).toHaveAttribute("href", `/content/${ref}`);
    const list = screen.getByRole("list", { name: "Citations" });
    const item = within(list).getByRole("link");
    expect(item).toHaveTextContent("notes.pdf#page=2 (your upload)");
    expect(item).not.toHaveTextContent(".uploads");
    expect(within(item).getByText("your upload")).toBeVisible();
    await userEvent.click(item);
    expect(handlers.onCitation).toHaveBeenCalledWith(expect.objectContaining({ ref }));
  });

  it("lists each cited source once under the answer, numbered as in the text", async () => {
    const handlers = renderAnswer(answerFrom(sampleAnswerLines()));
    const list = screen.getByRole("list", { name: "Citations" });
    const items = within(list).getAllByRole("link");
    expect(items.map((item) => item.textContent)).toEqual([
      "11. health-plans.pdf#page=2",
      "22. benefits-overview.md",
    ]);
    await userEvent.click(items[1] as HTMLElement);
    expect(handlers.onCitation).toHaveBeenCalledWith(
      expect.objectContaining({ ref: "benefits-overview.md", number: 2 }),
    );
  });

  it("asks a follow-up question when its chip is clicked", async () => {
    const handlers = renderAnswer(
      answerFrom(sampleAnswerLines({ followups: ["Who is eligible?"] })),
    );
    const group = screen.getByRole("group", { name: "Follow-up questions" });
    await userEvent.click(within(group).getByRole("button", { name: "Who is eligible?" }));
    expect(handlers.onFollowup).toHaveBeenCalledWith("Who is eligible?");
  });

  it("opens the thought process and the supporting content", async () => {
    const handlers = renderAnswer(answerFrom(sampleAnswerLines()));
    await userEvent.click(screen.getByRole("button", { name: "Thought process" }));
    await userEvent.click(screen.getByRole("button", { name: "Supporting content" }));
    expect(handlers.onShowEvidence.mock.calls).toEqual([["thoughts"], ["supporting"]]);
  });

  it("shows an error plainly with a Retry button", async () => {
    const handlers = renderAnswer(
      answerFrom([], {
        status: "error",
        error: "The language model could not be reached.",
        errorId: "abc123",
      }),
    );
    expect(screen.getByRole("alert")).toHaveTextContent("The language model could not be reached.");
    expect(screen.getByRole("alert")).toHaveTextContent("Reference: abc123");
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(handlers.onRetry).toHaveBeenCalledOnce();
  });

  it("says when the answer was cut at its length limit, once it has ended", () => {
    const cut = answerFrom(sampleAnswerLines(), { truncated: true });
    renderAnswer(cut);
    expect(screen.getByText(/Cut short: the answer reached the length/)).toBeInTheDocument();
  });

  it("says nothing of a cut while the answer streams, or of a complete answer", () => {
    renderAnswer(answerFrom(sampleAnswerLines(), { truncated: true, status: "streaming" }));
    expect(screen.queryByText(/Cut short/)).toBeNull();
  });

  it("shows a waiting state and no actions before the first line", () => {
    renderAnswer({ ...newTurn("q").answer });
    expect(screen.getByText("Searching the documents…")).toBeInTheDocument();
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("copies the answer text", async () => {
    const user = userEvent.setup();
    const answer = answerFrom(sampleAnswerLines());
    renderAnswer(answer);
    await user.click(screen.getByRole("button", { name: "Copy answer" }));
    expect(await navigator.clipboard.readText()).toBe(answer.content);
    expect(screen.getByRole("status")).toHaveTextContent("Copied");
  });
});

describe("Answer states", () => {
  it("shows a question waiting for the network, which can be dropped, not retried", async () => {
    const onCancel = vi.fn();
    render(
      <Answer
        answer={{ ...newTurn("q").answer, status: "queued" }}
        onCitation={vi.fn()}
        onShowEvidence={vi.fn()}
        onRetry={vi.fn()}
        onCancel={onCancel}
      />,
    );
    expect(screen.getByText(en.states.queued)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: en.errors.retry })).toBeNull();
    expect(screen.getByText(en.states.queued).closest("[aria-busy]")).toHaveAttribute(
      "aria-busy",
      "false",
    );
    await userEvent.click(screen.getByRole("button", { name: en.states.cancelQueued }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it("marks the text of an answer that broke off as cut, with the error and Retry", async () => {
    const lines = sampleAnswerLines().slice(0, 2);
    const handlers = renderAnswer(
      answerFrom(lines, { status: "error", error: en.errors.connectionLost }),
    );
    expect(screen.getByText(/The deductible is \$1,000/)).toBeInTheDocument();
    expect(screen.getByText(en.states.cut)).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(en.errors.connectionLost);
    await userEvent.click(screen.getByRole("button", { name: en.errors.retry }));
    expect(handlers.onRetry).toHaveBeenCalledTimes(1);
  });

  it("does not call an error before any text a cut answer", () => {
    renderAnswer(answerFrom([], { status: "error", error: en.errors.network }));
    expect(screen.getByRole("alert")).toHaveTextContent(en.errors.network);
    expect(screen.queryByText(en.states.cut)).toBeNull();
  });
});
