import { afterEach, describe, expect, it, vi } from "vitest";

import { en } from "../i18n/en";
import { jsonResponse } from "../test/streams";
import { installFakeXhr } from "../test/xhr";
import { ApiError, setTokenSource } from "./client";
import { deleteUploaded, listUploaded, uploadFile } from "./uploads";

afterEach(() => {
  setTokenSource(null);
  vi.unstubAllGlobals();
});

function signedIn() {
  let current = 1;
  const source = {
    getToken: vi.fn(({ refresh = false }: { refresh?: boolean } = {}) => {
      if (refresh) current += 1;
      return Promise.resolve(`tok-${current}`);
    }),
    onExpired: vi.fn(),
  };
  setTokenSource(source);
  return source;
}

const file = () => new File(["%PDF-1.7 hello"], "plan.pdf", { type: "application/pdf" });

/** Let the awaited token lookups run, so the request is sent. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("uploadFile", () => {
  it("posts the file as multipart `file` with the token and reports progress", async () => {
    signedIn();
    const requests = installFakeXhr(vi.stubGlobal);
    const progress: number[][] = [];
    const onSent = vi.fn();
    const done = uploadFile(file(), { onProgress: (a, b) => progress.push([a, b]), onSent });
    await settle();
    const [xhr] = requests;
    expect(xhr?.method).toBe("POST");
    expect(xhr?.url).toBe("/upload");
    expect(xhr?.headers.authorization).toBe("Bearer tok-1");
    expect(xhr?.file()?.name).toBe("plan.pdf");
    xhr?.progress(5, 10);
    xhr?.progress(10, 10);
    xhr?.sentAll();
    expect(onSent).toHaveBeenCalledTimes(1);
    xhr?.respond(200, { message: "File uploaded", filename: "plan.pdf", chunks: 3 });
    expect(await done).toEqual({ message: "File uploaded", filename: "plan.pdf", chunks: 3 });
    expect(progress).toEqual([
      [5, 10],
      [10, 10],
    ]);
  });

  it("throws the server's message with its status", async () => {
    signedIn();
    const requests = installFakeXhr(vi.stubGlobal);
    const done = uploadFile(file());
    await settle();
    requests[0]?.respond(415, { error: "Files of type .exe cannot be uploaded." });
    await expect(done).rejects.toEqual(new ApiError("Files of type .exe cannot be uploaded.", 415));
  });

  it("renews the token once after a 401 and sends the file again", async () => {
    const tokens = signedIn();
    const requests = installFakeXhr(vi.stubGlobal);
    const done = uploadFile(file());
    await settle();
    requests[0]?.respond(401, { error: "expired" });
    await settle();
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers.authorization).toBe("Bearer tok-2");
    expect(requests[1]?.file()?.name).toBe("plan.pdf");
    requests[1]?.respond(401, { error: "expired" });
    await expect(done).rejects.toEqual(new ApiError(en.auth.expired, 401));
    expect(requests).toHaveLength(2);
    expect(tokens.onExpired).toHaveBeenCalledTimes(1);
  });

  it("aborts the request when its signal aborts", async () => {
    signedIn();
    const requests = installFakeXhr(vi.stubGlobal);
    const controller = new AbortController();
    const done = uploadFile(file(), { signal: controller.signal });
    await settle();
    controller.abort();
    await expect(done).rejects.toHaveProperty("name", "AbortError");
    expect(requests[0]?.aborted).toBe(true);
  });
});

describe("listUploaded and deleteUploaded", () => {
  it("send the token; delete posts the file name as JSON", async () => {
    signedIn();
    const fetchMock = vi.fn<(url: string, init?: RequestInit) => Promise<Response>>((url) =>
      Promise.resolve(
        url === "/list_uploaded"
          ? jsonResponse(["a.pdf", "b.docx"])
          : jsonResponse({ message: "File deleted" }),
      ),
    );
    vi.stubGlobal("fetch", fetchMock);
    expect(await listUploaded()).toEqual(["a.pdf", "b.docx"]);
    await deleteUploaded("a.pdf");
    const [list, remove] = fetchMock.mock.calls;
    expect(new Headers(list?.[1]?.headers).get("Authorization")).toBe("Bearer tok-1");
    expect(remove?.[0]).toBe("/delete_uploaded");
    expect(remove?.[1]?.method).toBe("POST");
    expect(new Headers(remove?.[1]?.headers).get("Authorization")).toBe("Bearer tok-1");
    expect(new Headers(remove?.[1]?.headers).get("Content-Type")).toBe("application/json");
    expect(JSON.parse(remove?.[1]?.body as string)).toEqual({ filename: "a.pdf" });
  });

  it("delete throws the server's 404 message", async () => {
    signedIn();
    vi.stubGlobal(
      "fetch",
      vi.fn(() => Promise.resolve(jsonResponse({ error: "No such file: a.pdf" }, 404))),
    );
    await expect(deleteUploaded("a.pdf")).rejects.toThrow("No such file: a.pdf");
  });
});
