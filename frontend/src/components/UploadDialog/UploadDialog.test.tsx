import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { setTokenSource } from "../../api/client";
import { en } from "../../i18n/en";
import { jsonResponse } from "../../test/streams";
import { installFakeXhr, type FakeXhr } from "../../test/xhr";
import { UploadDialog } from "./UploadDialog";

const rules = { maxBytes: 64, extensions: [".pdf", ".md", ".txt"] };

/** The server's list of files, and fetch answering /list_uploaded and /delete_uploaded. */
function fakeServer(initial: string[]) {
  const files = [...initial];
  const fetchMock = vi.fn((url: string, init?: RequestInit) => {
    if (url === "/list_uploaded") return Promise.resolve(jsonResponse([...files].sort()));
    if (url === "/delete_uploaded") {
      const { filename } = JSON.parse(init?.body as string) as { filename: string };
      const at = files.indexOf(filename);
      if (at < 0) return Promise.resolve(jsonResponse({ error: "No such file." }, 404));
      files.splice(at, 1);
      return Promise.resolve(jsonResponse({ message: "File deleted" }));
    }
    throw new Error(`unexpected request to ${url}`);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { files, fetchMock };
}

let requests: FakeXhr[];

beforeEach(() => {
  setTokenSource({ getToken: () => Promise.resolve("tok-alice"), onExpired: () => undefined });
  requests = installFakeXhr(vi.stubGlobal);
});

afterEach(() => {
  setTokenSource(null);
  vi.unstubAllGlobals();
});

function renderDialog() {
  // Keep files the input's `accept` would filter out: the checks under test must refuse them.
  const user = userEvent.setup({ applyAccept: false });
  render(<UploadDialog open onClose={() => undefined} rules={rules} />);
  return user;
}

const pdf = (name = "plan.pdf", size = 20) => new File(["%".repeat(size)], name);

describe("UploadDialog", () => {
  it("lists the user's documents, each with its Delete button", async () => {
    const server = fakeServer(["b.docx", "a.pdf"]);
    renderDialog();
    const dialog = screen.getByRole("dialog", { name: en.uploads.title });
    const list = await within(dialog).findByRole("list", { name: "Your documents" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["a.pdf", "b.docx"]);
    expect(within(list).getByRole("button", { name: "Delete a.pdf" })).toBeInTheDocument();
    expect(within(list).getByRole("button", { name: "Delete b.docx" })).toBeInTheDocument();
    const [url, init] = server.fetchMock.mock.calls[0] ?? [];
    expect(url).toBe("/list_uploaded");
    expect(new Headers(init?.headers).get("Authorization")).toBe("Bearer tok-alice");
    expect(screen.getByLabelText("Choose a file")).toHaveAttribute("accept", ".pdf,.md,.txt");
  });

  it("refuses a file of a type the server cannot read, before sending it", async () => {
    fakeServer([]);
    const user = renderDialog();
    await user.upload(screen.getByLabelText("Choose a file"), new File(["MZ"], "tool.exe"));
    expect(screen.getByRole("alert")).toHaveTextContent(
      "tool.exe is not a type this app can read. Choose one of: .pdf, .md, .txt.",
    );
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(screen.getByRole("alert")).toHaveTextContent("tool.exe is not a type");
    expect(requests).toHaveLength(0);
  });

  it("refuses a file over the size limit, before sending it", async () => {
    fakeServer([]);
    const user = renderDialog();
    await user.upload(screen.getByLabelText("Choose a file"), pdf("big.pdf", 100));
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(screen.getByRole("alert")).toHaveTextContent(
      "big.pdf is 100 bytes; a file can be up to 64 bytes.",
    );
    expect(requests).toHaveLength(0);
  });

  it("asks for a file when Upload is pressed without one", async () => {
    fakeServer([]);
    const user = renderDialog();
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(screen.getByRole("alert")).toHaveTextContent(en.uploads.chooseFirst);
  });

  it("shows the upload's progress, then Indexing…, then the refreshed list", async () => {
    const server = fakeServer(["a.pdf"]);
    const user = renderDialog();
    await screen.findByRole("list", { name: "Your documents" });
    await user.upload(screen.getByLabelText("Choose a file"), pdf("plan.pdf"));
    await user.click(screen.getByRole("button", { name: "Upload" }));
    await waitFor(() => expect(requests).toHaveLength(1));
    const xhr = requests[0];
    expect(xhr?.headers.authorization).toBe("Bearer tok-alice");
    expect(xhr?.file()?.name).toBe("plan.pdf");

    xhr?.progress(10, 20);
    const bar = await screen.findByRole("progressbar", { name: en.uploads.progressLabel });
    await waitFor(() => expect(bar).toHaveAttribute("value", "50"));
    expect(screen.getByText("Uploading… 50%")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Upload" })).toBeDisabled();

    xhr?.sentAll();
    // The status region is always there (a live region); wait for its text, not for it.
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent(en.uploads.indexing));
    expect(screen.getByRole("progressbar")).not.toHaveAttribute("value");

    server.files.push("plan.pdf");
    xhr?.respond(200, { message: "File uploaded", filename: "plan.pdf", chunks: 4 });
    await waitFor(() =>
      expect(screen.getByRole("status")).toHaveTextContent(
        "plan.pdf is uploaded: 4 passages can now be cited.",
      ),
    );
    const list = screen.getByRole("list", { name: "Your documents" });
    await waitFor(() =>
      expect(within(list).getByRole("button", { name: "Delete plan.pdf" })).toBeInTheDocument(),
    );
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(screen.getByLabelText<HTMLInputElement>("Choose a file").value).toBe("");
  });

  it("shows the server's message when it refuses the upload", async () => {
    fakeServer([]);
    const user = renderDialog();
    await user.upload(screen.getByLabelText("Choose a file"), pdf("scan.pdf"));
    await user.click(screen.getByRole("button", { name: "Upload" }));
    await waitFor(() => expect(requests).toHaveLength(1));
    requests[0]?.respond(400, { error: "No text could be read from scan.pdf." });
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "No text could be read from scan.pdf.",
    );
    expect(screen.getByRole("button", { name: "Upload" })).toBeEnabled();
  });

  it("deletes a document only after confirmation, then refreshes the list", async () => {
    const server = fakeServer(["a.pdf", "b.md"]);
    const user = renderDialog();
    const list = await screen.findByRole("list", { name: "Your documents" });

    await user.click(within(list).getByRole("button", { name: "Delete a.pdf" }));
    const confirm = screen.getByRole("alertdialog", { name: "Delete a.pdf?" });
    expect(confirm).toHaveTextContent(en.uploads.confirmText);
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(server.fetchMock.mock.calls.some(([url]) => url === "/delete_uploaded")).toBe(false);

    await user.click(within(list).getByRole("button", { name: "Delete a.pdf" }));
    await user.click(
      within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete" }),
    );
    await waitFor(() =>
      expect(
        within(screen.getByRole("list", { name: "Your documents" })).queryByRole("button", {
          name: "Delete a.pdf",
        }),
      ).toBeNull(),
    );
    expect(server.files).toEqual(["b.md"]);
    const deletion = server.fetchMock.mock.calls.find(([url]) => url === "/delete_uploaded");
    expect(new Headers(deletion?.[1]?.headers).get("Authorization")).toBe("Bearer tok-alice");
    expect(screen.getByRole("status")).toHaveTextContent("a.pdf is deleted.");
  });
});
