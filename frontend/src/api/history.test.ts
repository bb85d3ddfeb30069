import { afterEach, describe, expect, it, vi } from "vitest";

import { fakeHistoryServer } from "../test/historyServer";
import { setTokenSource } from "./client";
import { attachmentName, exportSession, postFeedback } from "./history";

afterEach(() => {
  setTokenSource(null);
  vi.unstubAllGlobals();
});

describe("exportSession", () => {
  it("fetches ?format=md|json with the token and names the file as the server says", async () => {
    const server = fakeHistoryServer().install();
    server.sessions.set("c-1", {
      id: "c-1",
      title: "Parental leave",
      created: 1,
      timestamp: 2,
      answers: [],
    });
    setTokenSource({ getToken: () => Promise.resolve("tok-1"), onExpired: vi.fn() });

    const markdown = await exportSession("c-1", "md");
    expect(server.requests[0]?.url).toBe("/chat_history/sessions/c-1?format=md");
    expect(server.requests[0]?.headers.get("Authorization")).toBe("Bearer tok-1");
    expect(markdown.filename).toBe("Parental leave.md");
    expect(await markdown.blob.text()).toBe("# Parental leave\n");

    const json = await exportSession("c-1", "json");
    expect(server.requests[1]?.url).toBe("/chat_history/sessions/c-1?format=json");
    expect(json.filename).toBe("Parental leave.json");
    expect(JSON.parse(await json.blob.text())).toMatchObject({ id: "c-1" });
  });

  it("throws the server's message for a missing conversation", async () => {
    fakeHistoryServer().install();
    await expect(exportSession("gone", "md")).rejects.toMatchObject({
      message: "No such conversation.",
      status: 404,
    });
  });
});

describe("attachmentName", () => {
  it("prefers the UTF-8 name, then the quoted or bare one", () => {
    expect(
      attachmentName(
        `attachment; filename="Cong_ totaal.md"; filename*=UTF-8''Cong%C3%A9%20totaal.md`,
      ),
    ).toBe("Congé totaal.md");
    expect(attachmentName('attachment; filename="a \\"b\\".json"')).toBe('a "b".json');
    expect(attachmentName("attachment; filename=plain.md")).toBe("plain.md");
    expect(attachmentName(`attachment; filename*=UTF-8''%E0%A4%A; filename="fallback.md"`)).toBe(
      "fallback.md",
    );
    expect(attachmentName("attachment")).toBeNull();
    expect(attachmentName(null)).toBeNull();
  });
});

describe("postFeedback", () => {
  it("posts the rating as JSON", async () => {
    const server = fakeHistoryServer().install();
    const body = { session_id: "c", answer_index: 0, rating: "up" as const, comment: "" };
    expect(await postFeedback(body)).toEqual({ id: "f1" });
    expect(server.calls("POST", "/feedback")[0]?.body).toEqual(body);
  });
});
