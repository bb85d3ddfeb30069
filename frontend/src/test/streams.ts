/** Helpers for tests: byte streams made of given chunks, and fetch responses around them. */

const encoder = new TextEncoder();

/** A stream that yields each chunk (string or bytes) in turn. */
export function streamOf(chunks: readonly (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const queue = chunks.map((chunk) => (typeof chunk === "string" ? encoder.encode(chunk) : chunk));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

/** NDJSON lines for a body. */
export function ndjson(...lines: unknown[]): string {
  return lines.map((line) => JSON.stringify(line) + "\n").join("");
}

/** A stream the test feeds by hand, to observe the UI mid-answer. */
export function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    stream,
    push(text: string) {
      controller.enqueue(encoder.encode(text));
    },
    close() {
      controller.close();
    },
    /** Fail the body, as a browser does when the connection drops. */
    error(reason: unknown) {
      controller.error(reason);
    },
  };
}

/** A streaming answer response. */
export function ndjsonResponse(body: ReadableStream<Uint8Array> | string, status = 200): Response {
  return new Response(typeof body === "string" ? streamOf([body]) : body, {
    status,
    headers: { "Content-Type": "application/x-ndjson" },
  });
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/** The three lines of a small answer, as the server streams them. */
export function sampleAnswerLines(options: { followups?: string[] } = {}) {
  const lines: unknown[] = [
    {
      delta: { role: "assistant" },
      context: {
        data_points: {
          text: [
            "health-plans.pdf#page=2: The Plus plan deductible is $1,000.",
            "benefits-overview.md: Most employees choose the Plus plan.",
          ],
          citations: ["health-plans.pdf#page=2", "benefits-overview.md"],
        },
        thoughts: [
          { title: "Search query", description: "plus plan deductible", props: { top: 3 } },
          { title: "Search results", description: [{ id: "a", score: 1.5 }], props: {} },
        ],
      },
      session_state: null,
    },
    { delta: { role: "assistant", content: "The deductible is $1,000 " } },
    { delta: { role: "assistant", content: "[health-plans.pdf#page=2]. Most choose" } },
    {
      delta: {
        role: "assistant",
        content: " Plus [benefits-overview.md][health-plans.pdf#page=2].",
      },
    },
  ];
  if (options.followups) {
    lines.push({
      delta: { role: "assistant" },
      context: { followup_questions: options.followups },
    });
  }
  return lines;
}
