/** Newline-delimited JSON: split a byte stream into lines, whatever the chunk boundaries. */

/** Collects text pieces and hands back the complete lines; keeps a partial last line. */
export class LineSplitter {
  private buffer = "";

  /** Add a piece of text; return the lines it completed (without their line endings). */
  push(text: string): string[] {
    this.buffer += text;
    const lines = this.buffer.split("\n");
    this.buffer = lines.pop() ?? "";
    return lines.map(stripCarriageReturn);
  }

  /** The last line when the stream ended without a newline, if any. */
  flush(): string[] {
    const rest = stripCarriageReturn(this.buffer);
    this.buffer = "";
    return rest ? [rest] : [];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Thrown for a line that is not JSON: the stream is not what the contract promises. */
export class NdjsonParseError extends Error {
  constructor(readonly line: string) {
    super("invalid NDJSON line");
    this.name = "NdjsonParseError";
  }
}

/**
 * Thrown when the stream ends in the middle of a line that is not JSON: every line ends in a
 * newline, so the stream was cut (the server went away mid-answer), not malformed.
 */
export class NdjsonTruncatedError extends Error {
  constructor(readonly line: string) {
    super("NDJSON stream ended mid-line");
    this.name = "NdjsonTruncatedError";
  }
}

/** Yield each non-blank line of a UTF-8 byte stream; multi-byte characters may span chunks. */
export async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  for await (const { line } of readLineEntries(body)) yield line;
}

/** Each non-blank line, and whether a newline ended it (only the very last line may lack one). */
async function* readLineEntries(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ line: string; ended: boolean }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const splitter = new LineSplitter();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const lines = splitter.push(
        done ? decoder.decode() : decoder.decode(value, { stream: true }),
      );
      for (const line of lines) {
        if (line.trim()) yield { line, ended: true };
      }
      if (done) {
        for (const line of splitter.flush()) {
          if (line.trim()) yield { line, ended: false };
        }
        return;
      }
    }
  } finally {
    // Stops the download when the consumer stops early (an error line, a thrown exception).
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Yield each line of an NDJSON byte stream, parsed; a last line cut mid-JSON is a cut stream. */
export async function* readNdjson<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  for await (const { line, ended } of readLineEntries(body)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw ended ? new NdjsonParseError(line) : new NdjsonTruncatedError(line);
    }
    yield value as T;
  }
}
