import { describe, expect, it } from "vitest";

import { ndjson, streamOf } from "../test/streams";
import { LineSplitter, NdjsonParseError, readLines, readNdjson } from "./ndjson";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("LineSplitter", () => {
  it("keeps a partial line until its newline arrives", () => {
    const splitter = new LineSplitter();
    expect(splitter.push('{"a":')).toEqual([]);
    expect(splitter.push('1}\n{"b"')).toEqual(['{"a":1}']);
    expect(splitter.push(":2}\n")).toEqual(['{"b":2}']);
    expect(splitter.flush()).toEqual([]);
  });

  it("returns several lines from one piece, and strips carriage returns", () => {
    const splitter = new LineSplitter();
    expect(splitter.push("one\r\ntwo\nthree")).toEqual(["one", "two"]);
    expect(splitter.flush()).toEqual(["three"]);
  });
});

describe("readNdjson", () => {
  const lines = [{ delta: { content: "Hé" } }, { delta: { content: "llo 👋" } }, { error: "boom" }];

  it("parses lines split at every possible byte", async () => {
    const bytes = new TextEncoder().encode(ndjson(...lines));
    for (let at = 1; at < bytes.length; at++) {
      const parsed = await collect(readNdjson(streamOf([bytes.slice(0, at), bytes.slice(at)])));
      expect(parsed).toEqual(lines);
    }
  });

  it("parses a stream delivered one byte at a time (multi-byte characters span chunks)", async () => {
    const bytes = new TextEncoder().encode(ndjson(...lines));
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await collect(readNdjson(streamOf(chunks)))).toEqual(lines);
  });

  it("reads a last line that has no newline", async () => {
    const body = streamOf(['{"a":1}\n{"b"', ":2}"]);
    expect(await collect(readNdjson(body))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("skips blank lines", async () => {
    expect(await collect(readLines(streamOf(["\n", "a\n\n  \n", "b\n"])))).toEqual(["a", "b"]);
  });

  it("yields error lines like any other line", async () => {
    const body = streamOf([ndjson({ delta: { content: "Hi" } }, { error: "The model failed." })]);
    expect(await collect(readNdjson(body))).toEqual([
      { delta: { content: "Hi" } },
      { error: "The model failed." },
    ]);
  });

  it("throws NdjsonParseError for a line that is not JSON", async () => {
    const body = streamOf(['{"a":1}\n', "<html>oops</html>\n"]);
    await expect(collect(readNdjson(body))).rejects.toBeInstanceOf(NdjsonParseError);
  });

  it("cancels the body when the consumer stops early", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":1}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const line of readNdjson(body)) {
      expect(line).toEqual({ a: 1 });
      break;
    }
    expect(cancelled).toBe(true);
  });
});
